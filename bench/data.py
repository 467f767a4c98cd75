"""Two interleaving half circles ("moons"), seeded, in pure Python.

The outer moon is the upper half of the unit circle, ``(cos t, sin t)`` for
``t`` in ``[0, π]``, labelled -1; the inner moon is the same arc turned over and
shifted, ``(1 - cos t, 0.5 - sin t)``, labelled +1. Each point gets Gaussian
noise of standard deviation ``noise`` on both coordinates. Labels are ±1, as
micrograd's hinge-loss demo uses them.
"""

from __future__ import annotations

import math
import random


def make_moons(n: int, noise: float = 0.1, seed: int = 0) -> tuple[list[list[float]], list[float]]:
    """``(X, y)``: ``n`` points (outer moon first, then inner) and their ±1 labels."""
    rng = random.Random(seed)
    outer = n // 2
    inner = n - outer
    X: list[list[float]] = []
    y: list[float] = []
    for count, label in ((outer, -1.0), (inner, 1.0)):
        for i in range(count):
            t = math.pi * i / max(count - 1, 1)
            if label < 0:
                point = (math.cos(t), math.sin(t))
            else:
                point = (1.0 - math.cos(t), 0.5 - math.sin(t))
            X.append([point[0] + rng.gauss(0.0, noise), point[1] + rng.gauss(0.0, noise)])
            y.append(label)
    return X, y
