"""Checking arguments: the real-number check every setting goes through, and values shown short in errors."""

from __future__ import annotations

import math
from numbers import Real

SHOWN = 40


def real(owner: str, name: str, value: object, *, minimum: float | None = None, above: float | None = None,
         below: float = math.inf) -> float:
    """``value`` as a float if it is a real number (not a bool) in range, else an error naming ``owner`` and ``name``.

    The range is ``minimum <= value`` (or ``above < value``) and ``value < below``,
    so the default range is the finite numbers. ``TypeError`` for what is not
    a real number (a str, a tuple, a bool), ``ValueError`` for a number out of range.
    """
    if type(value) is not float and (isinstance(value, bool) or not isinstance(value, Real)):
        raise TypeError(f"{owner}: {name} must be a real number, got {type(value).__name__} {short(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if (minimum is None or minimum <= number) and (above is None or above < number) and number < below:
        return number
    low = f" and >= {minimum}" if minimum is not None else f" and > {above}" if above is not None else ""
    wanted = ("finite" if below == math.inf else f"< {below}") + low
    beyond = ", beyond the float range" if math.isinf(number) and not isinstance(value, float) else ""
    raise ValueError(f"{owner}: {name} must be {wanted}, got {short(value)}{beyond}")


def short(value: object) -> str:
    """``repr(value)`` cut to about 40 characters; an int too long to write out is described by its size."""
    if isinstance(value, int) and value.bit_length() > 4 * SHOWN:
        return f"an int of about {int(value.bit_length() * math.log10(2)) + 1} digits"
    return cut(repr(value))


def cut(text: str, width: int = SHOWN) -> str:
    """``text`` cut to ``width`` characters (40 unless told), the last three ``...`` if it was longer."""
    return text if len(text) <= width else text[:width - 3] + "..."
