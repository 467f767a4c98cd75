"""Toy 2-D datasets, pure Python and seeded, and a minibatch iterator.

Each maker takes the number of points ``n`` first and ``seed=`` (an int or a
``random.Random``), and returns ``(X, y)``: ``X`` a list of ``[x1, x2]`` floats,
``y`` a list of int class labels ``0, 1, ...``, the points of each class
together, class 0 first. The same arguments give the same points.
For losses that want labels ±1 (``hinge_loss``), use ``[2 * c - 1 for c in y]``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

from .checks import real
from .seeding import RandomSource, Seed, make_rng

Dataset = tuple[list[list[float]], list[int]]


def make_moons(n: int, noise: float = 0.1, seed: Seed = 0) -> Dataset:
    """Two interleaving half circles, as scikit-learn's ``make_moons``.

    Class 0 is the upper half of the unit circle, ``(cos t, sin t)``; class 1
    the same arc turned over and shifted, ``(1 - cos t, 0.5 - sin t)``; ``t``
    runs evenly over ``[0, π]`` (⌊n/2⌋ points in class 0, the rest in class 1).
    Each coordinate gets Gaussian noise of standard deviation ``noise``.
    """
    rng = _start("make_moons", n, noise, seed)
    X: list[list[float]] = []
    y: list[int] = []
    for label, count in enumerate(_split(n, 2)):
        for i in range(count):
            t = math.pi * i / max(count - 1, 1)
            x1, x2 = (math.cos(t), math.sin(t)) if label == 0 else (1.0 - math.cos(t), 0.5 - math.sin(t))
            X.append([x1 + rng.gauss(0.0, noise), x2 + rng.gauss(0.0, noise)])
            y.append(label)
    return X, y


def make_circles(n: int, noise: float = 0.05, factor: float = 0.5, seed: Seed = 0) -> Dataset:
    """Two concentric circles: class 0 of radius 1, class 1 of radius ``factor`` (0 < factor < 1).

    Angles are evenly spaced over the circle (⌊n/2⌋ points on the outer one);
    each coordinate gets Gaussian noise of standard deviation ``noise``.
    """
    real("make_circles", "factor", factor, above=0.0, below=1.0)
    rng = _start("make_circles", n, noise, seed)
    X: list[list[float]] = []
    y: list[int] = []
    for label, (count, radius) in enumerate(zip(_split(n, 2), (1.0, factor), strict=True)):
        for i in range(count):
            t = 2.0 * math.pi * i / count
            X.append([radius * math.cos(t) + rng.gauss(0.0, noise), radius * math.sin(t) + rng.gauss(0.0, noise)])
            y.append(label)
    return X, y


def make_blobs(n: int, centers: int = 3, std: float = 0.5, seed: Seed = 0) -> Dataset:
    """Gaussian blobs: class k around the point at angle 2πk/centers on the circle of radius 2.

    Each point is its centre plus Gaussian noise of standard deviation ``std``
    on each coordinate; the classes share the ``n`` points as evenly as they can.
    """
    if isinstance(centers, bool) or not isinstance(centers, int) or centers < 1:
        raise ValueError(f"make_blobs: centers must be a positive int, got {centers!r}")
    rng = _start("make_blobs", n, std, seed, spread_name="std")
    X: list[list[float]] = []
    y: list[int] = []
    for label, count in enumerate(_split(n, centers)):
        angle = 2.0 * math.pi * label / centers
        cx, cy = 2.0 * math.cos(angle), 2.0 * math.sin(angle)
        for _ in range(count):
            X.append([cx + rng.gauss(0.0, std), cy + rng.gauss(0.0, std)])
            y.append(label)
    return X, y


def make_spirals(n: int, classes: int = 2, noise: float = 0.1, seed: Seed = 0) -> Dataset:
    """Interleaved spiral arms, one per class (the CS231n spirals).

    Point i of class k lies at radius ``r = i / (count - 1)`` (from the centre
    out to 1) and angle ``θ = 4r + 2πk / classes`` (one arm turned by the class), plus Gaussian noise of
    standard deviation ``noise`` on the angle: ``(r sin θ, r cos θ)``.
    """
    if isinstance(classes, bool) or not isinstance(classes, int) or classes < 2:
        raise ValueError(f"make_spirals: classes must be an int >= 2, got {classes!r}")
    rng = _start("make_spirals", n, noise, seed)
    X: list[list[float]] = []
    y: list[int] = []
    for label, count in enumerate(_split(n, classes)):
        for i in range(count):
            r = i / max(count - 1, 1)
            theta = 4.0 * r + 2.0 * math.pi * label / classes + rng.gauss(0.0, noise)
            X.append([r * math.sin(theta), r * math.cos(theta)])
            y.append(label)
    return X, y


def minibatches(X: Sequence[Any], y: Sequence[Any], batch_size: int, *, shuffle: bool = True,
                seed: Seed = 0) -> Iterator[tuple[list[Any], list[Any]]]:
    """One epoch of ``(X_batch, y_batch)`` pairs of ``batch_size`` examples (the last may be smaller).

    With ``shuffle`` the examples come in an order drawn from ``seed``; pass one
    ``random.Random`` for every epoch to get a new order each epoch.
    """
    if len(X) != len(y):
        raise ValueError(f"minibatches needs one label per example, got {len(X)} examples and {len(y)} labels")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    order = list(range(len(X)))
    if shuffle:
        make_rng(seed).shuffle(order)
    for start in range(0, len(order), batch_size):
        chosen = order[start:start + batch_size]
        yield [X[i] for i in chosen], [y[i] for i in chosen]


def _split(n: int, parts: int) -> list[int]:
    """``n`` as ``parts`` counts as equal as can be, the larger ones last (⌊n/2⌋, ⌈n/2⌉ for two)."""
    return [n // parts + (1 if k >= parts - n % parts else 0) for k in range(parts)]


def _start(name: str, n: int, spread: float, seed: Seed, spread_name: str = "noise") -> RandomSource:
    """Check the arguments every maker shares; return its random source."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{name}: n must be a positive int, got {n!r}")
    real(name, spread_name, spread, minimum=0.0)
    return make_rng(seed)
