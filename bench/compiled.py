"""W1 through ``autograd.compile``: the moons step recorded once, then run as generated float code.

The same data, initial weights, loss and schedule as ``granular.moons_step``;
the loss function is compiled, and every step calls it with the parameters and
the batch, so the loop is the ordinary one: ``loss = step(params, X, y);
loss.backward(); SGD``. The warm-up run records and generates the code.

* ``moons_step_compiled``: neurons as one fused node each, ``linear(w, x, b)``
  (how ``nn.MLP`` builds them), summed in the same order as the granular graph.
* ``moons_step_compiled_granular``: micrograd's own code (``sum(w*x, b)``, a
  node per product and per sum), compiled as it is.
"""

from __future__ import annotations

import random
from typing import Any, Callable

import autograd
from autograd import Value, linear

from . import granular
from .data import moons
from .spec import Task, restorer


def _moons_step(points: int, neuron: Callable[[granular.Neuron, list[Any]], Any]) -> Task:
    X, y = moons(points, granular.SEED)
    model = granular.MLP(Value, 2, [16, 16, 1], random.Random(granular.SEED))
    params = model.parameters()

    def loss(params: list[Value], X: list[list[Any]], y: list[Any]) -> Value:  # numbers arrive as Values
        scores = []
        for x in X:
            for layer in model.layers:
                x = [neuron(unit, x) for unit in layer]
            scores.append(x[0])
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        return sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in params)

    step = autograd.compile(loss)
    steps = [0]

    def run() -> float:
        return granular.sgd_step(step(params, X, y), params, steps)

    return Task(run, lambda: [p.grad for p in params], restorer(params, [steps]))


def _fused(unit: granular.Neuron, x: list[Any]) -> Any:
    act = linear(unit.w, x, unit.b)
    return act.relu() if unit.nonlin else act


def moons_step_compiled(points: int) -> Task:
    """W1 with fused neurons, compiled."""
    return _moons_step(points, _fused)


def moons_step_compiled_granular(points: int) -> Task:
    """W1 as micrograd writes it, compiled."""
    return _moons_step(points, granular.Neuron.__call__)
