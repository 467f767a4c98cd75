"""Where random numbers come from: ``seed=`` as an int, a random source, or None."""

from __future__ import annotations

import random
from collections.abc import MutableSequence
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class RandomSource(Protocol):
    """What nn draws with: a ``random.Random``, or the ``random`` module itself."""

    def uniform(self, a: float, b: float) -> float: ...

    def gauss(self, mu: float = 0.0, sigma: float = 1.0) -> float: ...

    def shuffle(self, x: MutableSequence[Any]) -> None: ...


Seed = int | RandomSource | None


def make_rng(seed: Seed) -> RandomSource:
    """The random source for ``seed``: a random source (a ``random.Random``) is used as
    given, so several calls can share one stream; an int makes a new ``random.Random(seed)``;
    None means Python's global ``random`` (so ``random.seed(...)`` decides, as in micrograd)."""
    if seed is None:
        return random
    if isinstance(seed, bool) or not isinstance(seed, (int, RandomSource)):
        raise TypeError(f"seed must be an int, a random.Random or None, got {type(seed).__name__}: {seed!r}")
    return random.Random(seed) if isinstance(seed, int) else seed
