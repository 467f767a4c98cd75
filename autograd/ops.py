"""The op table: every op's forward and its local derivatives, side by side.

An op maps operand values ``a, b, ...`` to a result ``out``. Its row holds

* ``forward(a, b, ...)``: the result, on floats;
* ``local_grads(out, a, b, ...)``: the local derivatives ``(∂out/∂a, ∂out/∂b, ...)``.

The backward walk multiplies each local derivative by the gradient flowing into
``out`` (the chain rule: ``∂L/∂a = ∂L/∂out · ∂out/∂a``) and adds it to ``a``.

A ``local_grads`` rule is written once and serves both orders of gradient: the
walk calls it with floats for an ordinary ``backward()``, and with the ``Value``
nodes themselves for ``grad(..., create_graph=True)``, so that the gradient is a
graph that can be differentiated again. That is why the rules use only
arithmetic, comparisons and the dispatching helpers ``_log``, ``_sin``, ``_cos``
and ``_sigmoid`` below, never ``math`` directly.

This module knows nothing of graphs; ``value.py`` records the ops and
``backprop.py`` walks them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache, reduce
from operator import add, mul, neg, sub, truediv
from typing import Any, Callable

# ---------------------------------------------------------------- float helpers


def _stable_sigmoid(x: float) -> float:
    """σ(x) = 1 / (1 + e^-x), computed so that no exp overflows for any finite x."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _softplus(x: float) -> float:
    """softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^-|x|), finite for any finite x."""
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _power(a: float, b: float) -> float:
    """a ** b on the reals: Python would return a complex number for (-8) ** 0.5."""
    if a < 0.0 and b != math.floor(b):
        raise ValueError("a negative base needs an integer exponent")
    if a == 0.0 and b < 0.0:
        raise ZeroDivisionError("zero cannot be raised to a negative power")
    return a**b


def _relu(x: float) -> float:
    return x if x > 0.0 else 0.0


# ------------------------------------------- helpers usable on floats and Values
# A rule gets floats (first order) or Values (create_graph); these pick the right one.


def _log(x: Any) -> Any:
    return math.log(x) if type(x) is float else x.log()


def _sin(x: Any) -> Any:
    return math.sin(x) if type(x) is float else x.sin()


def _cos(x: Any) -> Any:
    return math.cos(x) if type(x) is float else x.cos()


def _sigmoid(x: Any) -> Any:
    return _stable_sigmoid(x) if type(x) is float else x.sigmoid()


def _d_power_d_exponent(out: Any, a: Any) -> Any:
    """∂(aᵇ)/∂b = aᵇ·log a. At a = 0 (where b > 0) aᵇ is 0 for every nearby b, so it is 0."""
    return 0.0 if (a if type(a) is float else a.data) == 0.0 else out * _log(a)


def _sign(x: Any) -> float:
    return 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0


def _step(x: Any) -> float:
    """d relu(x)/dx: 1 for x > 0, else 0 (the subgradient 0 is taken at the kink)."""
    return 1.0 if x > 0.0 else 0.0


def _max(a: float, b: float) -> float:
    return a if a >= b else b


def _min(a: float, b: float) -> float:
    return a if a <= b else b


def _first_if(first_wins: bool) -> tuple[float, float]:
    """(∂out/∂a, ∂out/∂b) of max or min: the operand that is the result gets 1, the other 0."""
    return (1.0, 0.0) if first_wins else (0.0, 1.0)


# ---------------------------------------------------------------------- the row


@dataclass(frozen=True, eq=False)
class Op:
    """One row of the table, or an op of your own: ``Op(name, forward, local_grads)``.

    ``domain`` says, for error messages, which inputs the op accepts
    (empty when it takes every finite real).
    """

    name: str
    forward: Callable[..., float]
    local_grads: Callable[..., tuple]
    domain: str = ""

    def __call__(self, *operands: Any) -> Any:
        """Apply the op to Values (or numbers), recording the node: ``Op(...)(x)``."""
        from .value import apply

        return apply(self, *operands)

    def __repr__(self) -> str:
        return f"Op({self.name!r})"


# ------------------------------------------------------------------- the table
# name               forward               local derivatives (out, operands...)      domain

ADD = Op("+", add, lambda out, a, b: (1.0, 1.0))
SUB = Op("-", sub, lambda out, a, b: (1.0, -1.0))
MUL = Op("*", mul, lambda out, a, b: (b, a))
DIV = Op("/", truediv, lambda out, a, b: (1.0 / b, -out / b), "a divisor other than 0")
POW = Op("**", _power, lambda out, a, b: (b * a ** (b - 1.0), _d_power_d_exponent(out, a)),
         "a base > 0, or a base of 0 with exponent >= 0, or a negative base with an integer exponent; "
         "and a result that fits in a float")
NEG = Op("neg", neg, lambda out, a: (-1.0,))
ABS = Op("abs", abs, lambda out, a: (_sign(a),))
EXP = Op("exp", math.exp, lambda out, a: (out,), "an input whose exp fits in a float (x <= 709.78)")
LOG = Op("log", math.log, lambda out, a: (1.0 / a,), "an input > 0")
SQRT = Op("sqrt", math.sqrt, lambda out, a: (0.5 / out,), "an input >= 0")
SIN = Op("sin", math.sin, lambda out, a: (_cos(a),))
COS = Op("cos", math.cos, lambda out, a: (-_sin(a),))
TANH = Op("tanh", math.tanh, lambda out, a: (1.0 - out * out,))
SIGMOID = Op("sigmoid", _stable_sigmoid, lambda out, a: (out * (1.0 - out),))
SOFTPLUS = Op("softplus", _softplus, lambda out, a: (_sigmoid(a),))
RELU = Op("relu", _relu, lambda out, a: (_step(a),))
# max and min pass the gradient to the operand they return. On a tie (a == b) that is the first,
# a: (1, 0) is a subgradient there, as relu's 0 is at its kink.
MAX = Op("max", _max, lambda out, a, b: _first_if(a >= b))
MIN = Op("min", _min, lambda out, a, b: _first_if(a <= b))


@lru_cache(maxsize=256)
def power(k: float) -> Op:
    """x ** k for a constant exponent k: d/dx x^k = k·x^(k-1); k itself gets no gradient."""
    return Op(f"**{k:g}", lambda a: _power(a, k), lambda out, a: (k * a ** (k - 1),), POW.domain)


@lru_cache(maxsize=64)
def leaky_relu(slope: float) -> Op:
    """x for x > 0, else slope·x; its derivative is 1 or slope."""
    return Op(
        f"leaky_relu({slope:g})",
        lambda a: a if a > 0.0 else slope * a,
        lambda out, a: (1.0 if a > 0.0 else slope,),
    )


def _linear_forward(*operands: float) -> float:
    n = len(operands) // 2
    return reduce(add, map(mul, operands[:n], operands[n:2 * n]), operands[-1])


def _linear_local_grads(out: Any, *operands: Any) -> tuple:
    n = len(operands) // 2
    return (*operands[n:2 * n], *operands[:n], 1.0)


# b + Σ wᵢxᵢ as one node over operands (w₁..wₙ, x₁..xₙ, b): ∂/∂wᵢ = xᵢ, ∂/∂xᵢ = wᵢ, ∂/∂b = 1.
# The sum runs b + w₁x₁ + w₂x₂ + ..., the order micrograd's `sum(..., b)` adds in.
LINEAR = Op("Σwx+b", _linear_forward, _linear_local_grads)
