"""The W1 data: ``nn.make_moons``'s two moons, with the ±1 labels micrograd's hinge-loss demo uses.

The points are ``nn``'s own (one dataset module for the package and the
benchmark); only the labels change, class 0 → -1.0 and class 1 → +1.0.
Every process imports this, so a micrograd process has ``nn`` and
``autograd`` loaded too; it never runs them. (Loading them adds about 7k
objects to the ones the cycle collector tracks: in an A/B of micrograd's W1
step, 1.99 s with them loaded against 1.96 s without, within the noise.)
"""

from __future__ import annotations

from nn.data import make_moons


def moons(points: int, seed: int) -> tuple[list[list[float]], list[float]]:
    """``points`` moons points from ``nn.make_moons`` (noise 0.1, ``seed``) and their labels as ±1.0."""
    X, classes = make_moons(points, noise=0.1, seed=seed)
    return X, [2.0 * c - 1.0 for c in classes]
