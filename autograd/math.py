"""The vocabulary rules are written in: functions that work on floats, on Values, and on symbols.

An op's local-derivative rule (``ops.py``) is written once and read three ways:

* on floats, for an ordinary ``backward()``;
* on ``Value`` nodes, for ``grad(..., create_graph=True)``: the derivative is
  itself a graph, so it can be differentiated again;
* on ``autograd.symbolic.Symbol`` stand-ins, which turn arithmetic into
  expression text: that is how ``compile`` writes a rule out as code and how
  the player writes a derivative's formula.

Arithmetic (``+ - * / **``, unary ``-``) and comparisons work on all three by
themselves. What Python's ``math`` module would do, and the choice an ``if``
would make, go through the functions here instead::

    from autograd import Op
    from autograd import math as am

    atan = Op("atan", math.atan, lambda out, a: (1.0 / (1.0 + a * a),))
    sinc = Op("sinc", lambda a: math.sin(a) / a, lambda out, a: ((am.cos(a) - out) / a,))
    step = Op("step", lambda a: am.where(a > 0.0, 1.0, 0.0), lambda out, a: (0.0,))

``math.cos(v)`` on a Value would read its number and drop its graph, so a
second derivative would silently come out 0; during ``create_graph`` the
engine raises a TypeError that points here instead.

Each function takes a float (or an int) and returns a float, or takes any
other operand and calls its method of the same name (``x.exp()``): Values and
Symbols both have them. ``FLOAT_KERNELS`` maps each name to its float function.
"""

from __future__ import annotations

import builtins as _builtins
import math as _math
from typing import Any
from collections.abc import Callable


class DomainError(ValueError):
    """A float kernel was called outside its domain (the log of a negative number, say)."""


# ------------------------------------------------------------------ float kernels


def _kernel_log(x: float) -> float:
    """log x for x > 0."""
    if not x > 0.0:
        raise DomainError(f"log of {x!r}: needs x > 0")
    return _math.log(x)


def _kernel_sqrt(x: float) -> float:
    """√x for x >= 0."""
    if not x >= 0.0:
        raise DomainError(f"sqrt of {x!r}: needs x >= 0")
    return _math.sqrt(x)


def _kernel_sigmoid(x: float) -> float:
    """σ(x) = 1 / (1 + e^-x), computed so that no exp overflows for any finite x."""
    if x >= 0.0:
        return 1.0 / (1.0 + _math.exp(-x))
    z = _math.exp(x)
    return z / (1.0 + z)


def _kernel_softplus(x: float) -> float:
    """softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^-|x|), finite for any finite x."""
    return max(x, 0.0) + _math.log1p(_math.exp(-_builtins.abs(x)))


def _kernel_power(a: float, b: float) -> float:
    """a ** b on the reals: Python would return a complex number for (-8) ** 0.5."""
    if a < 0.0 and b != _math.floor(b):
        raise DomainError("a negative base needs an integer exponent")
    if a == 0.0 and b < 0.0:
        raise ZeroDivisionError("zero cannot be raised to a negative power")
    return float(a**b)


FLOAT_KERNELS: dict[str, Callable[..., float]] = {
    "exp": _math.exp,
    "log": _kernel_log,
    "sqrt": _kernel_sqrt,
    "sin": _math.sin,
    "cos": _math.cos,
    "tanh": _math.tanh,
    "sigmoid": _kernel_sigmoid,
    "softplus": _kernel_softplus,
    "abs": _builtins.abs,
    "power": _kernel_power,
}
"""The float function behind each name, as generated code calls it."""


# ------------------------------------------------------------------ dual-typed


def _is_number(x: Any) -> bool:
    kind = type(x)
    return kind is float or kind is int


def exp(x: Any) -> Any:
    """e^x."""
    return _math.exp(x) if _is_number(x) else x.exp()


def log(x: Any) -> Any:
    """The natural log, for x > 0."""
    return _kernel_log(x) if _is_number(x) else x.log()


def sqrt(x: Any) -> Any:
    """√x, for x >= 0."""
    return _kernel_sqrt(x) if _is_number(x) else x.sqrt()


def sin(x: Any) -> Any:
    """sin x."""
    return _math.sin(x) if _is_number(x) else x.sin()


def cos(x: Any) -> Any:
    """cos x."""
    return _math.cos(x) if _is_number(x) else x.cos()


def tanh(x: Any) -> Any:
    """tanh x."""
    return _math.tanh(x) if _is_number(x) else x.tanh()


def sigmoid(x: Any) -> Any:
    """σ(x) = 1 / (1 + e^-x), without overflow."""
    return _kernel_sigmoid(x) if _is_number(x) else x.sigmoid()


def softplus(x: Any) -> Any:
    """log(1 + e^x), without overflow."""
    return _kernel_softplus(x) if _is_number(x) else x.softplus()


def where(condition: Any, if_true: Any, if_false: Any) -> Any:
    """``if_true`` where ``condition`` holds, else ``if_false``: an ``if`` that rules can use.

    On floats and Values a comparison is a bool and this picks one operand
    (both are computed first, so each must be defined: write
    ``log(where(a > 0.0, a, 1.0))``, not ``where(a > 0.0, log(a), 0.0)``).
    On symbols the condition is symbolic and this writes a conditional
    expression, so compiled code takes the branch afresh on every call.
    """
    if condition is True:
        return if_true
    if condition is False:
        return if_false
    return condition.where(if_true, if_false)


def abs(x: Any) -> Any:
    """|x|: Python's ``abs``, which floats, Values and symbols all support."""
    return _builtins.abs(x)
