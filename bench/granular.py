"""The workloads written once, micrograd style, for any engine's ``Value`` class.

Every function here takes the ``Value`` class as its first argument and uses
only what both engines have (``+``, ``*``, ``relu``, ``backward``, ``.data``,
``.grad``), so both build the same granular graph, node for node:

* W1, micrograd's moons demo step: ``MLP(2, [16, 16, 1])``, each neuron
  ``relu(b + Σ wᵢxᵢ)`` summed with Python's ``sum`` from the bias (the output
  neuron is linear), hinge loss ``relu(1 + -yᵢ·scoreᵢ)`` averaged, plus
  ``1e-4 · Σ p²``; zero the grads, backward, one SGD step.
  (The loss is written ``1 + -y·score`` as micrograd's demo writes it: ``1 - y·score``
  is the same number, but micrograd would record it as an extra negation node.)
* W2, a chain ``x ← x·1.0001 + 0.001`` repeated n times; backward.
* W3, ``Σ aᵢbᵢ`` over n pairs of leaves; backward.
"""

from __future__ import annotations

import random
from typing import Any

from .data import moons
from .spec import Task, restorer

SEED = 1337


class Neuron:
    """``relu(b + Σ wᵢxᵢ)`` (or without the relu), weights uniform in [-1, 1], bias 0."""

    def __init__(self, Value: type, nin: int, nonlin: bool, rng: random.Random) -> None:
        self.w = [Value(rng.uniform(-1.0, 1.0)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x: list[Any]) -> Any:
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self) -> list[Any]:
        return self.w + [self.b]


class MLP:
    """Layers of neurons; relu on every layer but the last, which is linear."""

    def __init__(self, Value: type, nin: int, nouts: list[int], rng: random.Random) -> None:
        sizes = [nin] + nouts
        self.layers = [
            [Neuron(Value, sizes[i], i != len(nouts) - 1, rng) for _ in range(sizes[i + 1])]
            for i in range(len(nouts))
        ]

    def __call__(self, x: list[Any]) -> Any:
        for layer in self.layers:
            x = [neuron(x) for neuron in layer]
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Any]:
        return [p for layer in self.layers for neuron in layer for p in neuron.parameters()]


def moons_step(Value: type, points: int) -> Task:
    """W1: one training step of micrograd's moons demo on ``points`` points.

    ``run()`` returns the loss before the update; the learning rate follows the
    demo's schedule ``1 - 0.9·k/100`` over the step count k.
    """
    X, y = moons(points, SEED)
    model = MLP(Value, 2, [16, 16, 1], random.Random(SEED))
    params = model.parameters()
    steps = [0]

    def run() -> float:
        inputs = [[Value(a), Value(b)] for a, b in X]
        scores = [model(x) for x in inputs]
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in params)
        return sgd_step(data_loss + reg_loss, params, steps)

    return Task(run, lambda: [p.grad for p in params], restorer(params, [steps]))


def sgd_step(total: Any, params: list[Any], steps: list[int]) -> float:
    """Zero the grads, backpropagate ``total``, take micrograd's demo SGD step (lr 1 → 0.1 over 100 steps)."""
    for p in params:
        p.grad = 0.0
    total.backward()
    lr = 1.0 - 0.9 * steps[0] / 100
    for p in params:
        p.data -= lr * p.grad
    steps[0] += 1
    return total.data


def chain(Value: type, depth: int) -> Task:
    """W2: ``x ← x·1.0001 + 0.001``, ``depth`` times, then backward (2·depth op nodes)."""
    x = Value(1.0)

    def run() -> float:
        y = x
        for _ in range(depth):
            y = y * 1.0001 + 0.001
        y.backward()
        return y.data

    return Task(run, lambda: [x.grad])


def dot(Value: type, pairs: int) -> Task:
    """W3: ``Σ aᵢbᵢ`` with Python's ``sum`` over ``pairs`` pairs of leaves, then backward."""
    rng = random.Random(SEED)
    a = [Value(rng.uniform(-1.0, 1.0)) for _ in range(pairs)]
    b = [Value(rng.uniform(-1.0, 1.0)) for _ in range(pairs)]

    def run() -> float:
        s = sum(ai * bi for ai, bi in zip(a, b))
        s.backward()
        return s.data

    return Task(run, lambda: [v.grad for v in a + b])
