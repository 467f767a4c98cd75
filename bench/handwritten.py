"""W1 written by hand on floats: the same forward and backward as the graph engines, and no graph.

The yardstick for ``autograd.compile`` (issue 6: within 2x of this). It is the
moons step of ``granular.moons_step`` — the same data, the same initial weights
drawn in the same order, the same loss and learning-rate schedule — with the
chain rule worked out by hand, as a competent Python programmer would write it:

* forward, per point: ``zᵢ = b + Σ wᵢⱼ aⱼ`` (``sum`` over ``map(mul, ...)``, in C),
  ``a = relu(z)`` on hidden layers; the loss ``relu(1 - y·score)`` averaged, plus
  ``1e-4 · Σ p²``;
* backward, per point with a positive margin: ``∂L/∂score = -y/n``; for each unit
  with a nonzero gradient ``g``: ``∂L/∂w += g·a_in`` and ``∂L/∂a_in += g·w``, then
  through the relu (``g·[z > 0]``); the L2 term adds ``2·1e-4·p``;
* one SGD step.
"""

from __future__ import annotations

import random
from itertools import repeat
from operator import add, mul

from .data import moons
from .granular import SEED
from .spec import Task

ALPHA = 1e-4  # the L2 weight


def moons_step_by_hand(points: int) -> Task:
    """W1 on plain floats: weights ``W[layer][unit][input]``, biases ``B[layer][unit]``."""
    X, y = moons(points, SEED)
    rng = random.Random(SEED)
    sizes = [2, 16, 16, 1]
    W: list[list[list[float]]] = []
    for nin, nout in zip(sizes, sizes[1:]):  # the order granular.MLP draws them: unit by unit
        W.append([[rng.uniform(-1.0, 1.0) for _ in range(nin)] for _ in range(nout)])
    B = [[0.0] * nout for nout in sizes[1:]]
    depth = len(W)
    steps = [0]
    last: dict[str, list] = {}

    def run() -> float:
        n = len(X)
        gW = [[[0.0] * len(w) for w in layer] for layer in W]
        gB = [[0.0] * len(layer) for layer in B]
        data_loss = 0.0
        for x, yi in zip(X, y):
            acts = [x]
            a = x
            for layer in range(depth):
                z = [sum(map(mul, w, a), b) for w, b in zip(W[layer], B[layer])]
                a = [v if v > 0.0 else 0.0 for v in z] if layer < depth - 1 else z
                acts.append(a)
            margin = 1.0 + -yi * a[0]
            if margin <= 0.0:  # relu(margin) = 0: no loss, no gradient
                continue
            data_loss += margin
            g = [-yi * (1.0 / n)]
            for layer in range(depth - 1, -1, -1):
                a_in, weights, g_weights, g_biases = acts[layer], W[layer], gW[layer], gB[layer]
                g_in = [0.0] * len(a_in)
                for j, gj in enumerate(g):
                    if gj == 0.0:
                        continue
                    g_biases[j] += gj
                    g_weights[j] = list(map(add, g_weights[j], map(mul, a_in, repeat(gj))))
                    if layer:
                        g_in = list(map(add, g_in, map(mul, weights[j], repeat(gj))))
                if layer:  # through the relu of the layer below
                    g = [gk if ak > 0.0 else 0.0 for gk, ak in zip(g_in, a_in)]
        squares = 0.0
        for layer in range(depth):
            for w, gw in zip(W[layer], gW[layer]):
                squares += sum(map(mul, w, w))
                gw[:] = map(add, gw, map(mul, w, repeat(2 * ALPHA)))
            squares += sum(map(mul, B[layer], B[layer]))
            gB[layer] = list(map(add, gB[layer], map(mul, B[layer], repeat(2 * ALPHA))))
        lr = 1.0 - 0.9 * steps[0] / 100
        for layer in range(depth):
            for w, gw in zip(W[layer], gW[layer]):
                w[:] = map(add, w, map(mul, gw, repeat(-lr)))
            B[layer] = list(map(add, B[layer], map(mul, gB[layer], repeat(-lr))))
        steps[0] += 1
        last["gW"], last["gB"] = gW, gB
        return data_loss * (1.0 / n) + ALPHA * squares

    def gradients() -> list[float]:  # in the parameters' order: each unit's weights, then its bias
        return [g for gw, gb in zip(last["gW"], last["gB"]) for row, b in zip(gw, gb) for g in (*row, b)]

    start_W, start_B = [[list(w) for w in layer] for layer in W], [list(b) for b in B]

    def reset() -> None:
        for layer, start in zip(W, start_W, strict=True):
            for w, w0 in zip(layer, start, strict=True):
                w[:] = w0
        B[:] = [list(b) for b in start_B]
        steps[0] = 0

    return Task(run, gradients, reset)
