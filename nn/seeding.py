"""Where random numbers come from: ``seed=`` as an int, a ``random.Random``, or None."""

from __future__ import annotations

import random
from typing import Any


def make_rng(seed: int | random.Random | None) -> Any:
    """The random source for ``seed``: a ``random.Random`` is used as given (so several
    calls can share one stream), an int makes a new ``random.Random(seed)``, and None
    means Python's global ``random`` (so ``random.seed(...)`` decides, as in micrograd)."""
    if seed is None or seed is random:
        return random
    if isinstance(seed, random.Random):
        return seed
    if isinstance(seed, int) and not isinstance(seed, bool):
        return random.Random(seed)
    raise TypeError(f"seed must be an int, a random.Random or None, got {type(seed).__name__}: {seed!r}")
