"""W1 with the ``nn`` package as shipped: ``nn.MLP`` (fused neurons), ``nn.hinge_loss``, ``nn.l2``, ``nn.SGD``.

The same computation as ``granular.moons_step``: the same data, the same
initial weights (``init="uniform"``, drawn from ``random.Random(SEED)`` neuron by
neuron, as the granular MLP draws them), hinge loss averaged plus
``1e-4 · Σ p²``, and the demo's schedule ``lr = 1 - 0.9·k/100``. Each neuron's
pre-activation is one ``Σwx+b`` node instead of 2n binary ones.
"""

from __future__ import annotations

import random

import nn

from .data import moons
from .granular import SEED
from .spec import Task, restorer


def moons_step_nn(points: int) -> Task:
    """W1 written with ``nn``: the training step a user of the package writes."""
    X, y = moons(points, SEED)
    model = nn.MLP(2, [16, 16, 1], init="uniform", seed=random.Random(SEED))
    params = model.parameters()
    optimizer = nn.SGD(params, lr=lambda k: 1.0 - 0.9 * k / 100)

    def run() -> float:
        scores = [model(x) for x in X]
        total = nn.hinge_loss(scores, y) + 1e-4 * nn.l2(params)
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        return total.data

    restore = restorer(params, [])

    def reset() -> None:
        restore()
        optimizer.steps = 0
        optimizer.velocity = [0.0] * len(params)

    return Task(run, lambda: [p.grad for p in params], reset)
