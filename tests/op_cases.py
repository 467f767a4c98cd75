"""Every op of the engine, written as users write it and in sympy, with the domain it is tested on.

Each case is one way to call an op: ``a + b``, ``a + 2.5`` and ``2.5 + a`` are
three cases, since each goes through its own method.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import sympy as sp
from hypothesis import strategies as st

import autograd
from autograd import Value
from autograd.ops import TABLE, Op
from autograd.testing.strategies import reals
from sympy_reference import in_sympy, leaky_relu, maximum, minimum, relu, sigmoid, softplus

ANY = reals(-10.0, 10.0)
WIDE = reals(-30.0, 30.0)
POSITIVE = reals(1e-3, 100.0)
NONZERO = st.one_of(reals(0.1, 10.0), reals(-10.0, -0.1))
BASE = reals(0.05, 10.0)       # a positive base for a ** b
EXPONENT = reals(-3.0, 3.0)


@dataclass(frozen=True)
class OpCase:
    """``on_values(*Values)`` in the engine equals ``on_symbols(*symbols)`` in sympy, on ``domains``."""

    name: str
    on_values: Callable[..., Any]
    on_symbols: Callable[..., sp.Expr]
    domains: tuple[st.SearchStrategy[float], ...]


def _r(x: float) -> sp.Rational:
    return sp.Rational(x)


OP_CASES = [
    OpCase("a + b", lambda a, b: a + b, lambda a, b: a + b, (ANY, ANY)),
    OpCase("a + 2.5", lambda a: a + 2.5, lambda a: a + _r(2.5), (ANY,)),
    OpCase("2.5 + a", lambda a: 2.5 + a, lambda a: _r(2.5) + a, (ANY,)),
    OpCase("a - b", lambda a, b: a - b, lambda a, b: a - b, (ANY, ANY)),
    OpCase("3 - a", lambda a: 3 - a, lambda a: 3 - a, (ANY,)),
    OpCase("a * b", lambda a, b: a * b, lambda a, b: a * b, (ANY, ANY)),
    OpCase("-1.5 * a", lambda a: -1.5 * a, lambda a: _r(-1.5) * a, (ANY,)),
    OpCase("a / b", lambda a, b: a / b, lambda a, b: a / b, (ANY, NONZERO)),
    OpCase("2 / a", lambda a: 2 / a, lambda a: 2 / a, (NONZERO,)),
    OpCase("a / 4", lambda a: a / 4, lambda a: a / 4, (ANY,)),
    OpCase("a ** b", lambda a, b: a ** b, lambda a, b: a ** b, (BASE, EXPONENT)),
    OpCase("2 ** a", lambda a: 2 ** a, lambda a: 2 ** a, (ANY,)),
    OpCase("0.5 ** a", lambda a: 0.5 ** a, lambda a: _r(0.5) ** a, (ANY,)),
    OpCase("a ** 2", lambda a: a ** 2, lambda a: a ** 2, (ANY,)),
    OpCase("a ** 3", lambda a: a ** 3, lambda a: a ** 3, (ANY,)),
    OpCase("a ** -1", lambda a: a ** -1, lambda a: a ** -1, (NONZERO,)),
    OpCase("a ** -2", lambda a: a ** -2, lambda a: a ** -2, (NONZERO,)),
    OpCase("a ** 0.5", lambda a: a ** 0.5, lambda a: a ** _r(0.5), (POSITIVE,)),
    OpCase("a ** 2.5", lambda a: a ** 2.5, lambda a: a ** _r(2.5), (POSITIVE,)),
    OpCase("-a", lambda a: -a, lambda a: -a, (ANY,)),
    OpCase("abs(a)", abs, sp.Abs, (ANY,)),
    OpCase("exp", lambda a: a.exp(), sp.exp, (WIDE,)),
    OpCase("log", lambda a: a.log(), sp.log, (POSITIVE,)),
    OpCase("sqrt", lambda a: a.sqrt(), sp.sqrt, (POSITIVE,)),
    OpCase("sin", lambda a: a.sin(), sp.sin, (ANY,)),
    OpCase("cos", lambda a: a.cos(), sp.cos, (ANY,)),
    OpCase("tanh", lambda a: a.tanh(), sp.tanh, (WIDE,)),
    OpCase("sigmoid", lambda a: a.sigmoid(), sigmoid, (WIDE,)),
    OpCase("softplus", lambda a: a.softplus(), softplus, (WIDE,)),
    OpCase("relu", lambda a: a.relu(), relu, (ANY,)),
    OpCase("leaky_relu", lambda a: a.leaky_relu(), lambda a: leaky_relu(a, 0.01), (ANY,)),
    OpCase("leaky_relu(0.2)", lambda a: a.leaky_relu(0.2), lambda a: leaky_relu(a, 0.2), (ANY,)),
    OpCase("a.max(b)", lambda a, b: a.max(b), maximum, (ANY, ANY)),
    OpCase("a.max(0.5)", lambda a: a.max(0.5), lambda a: maximum(a, _r(0.5)), (ANY,)),
    OpCase("a.min(b)", lambda a, b: a.min(b), minimum, (ANY, ANY)),
    OpCase("a.min(-1)", lambda a: a.min(-1), lambda a: minimum(a, -1), (ANY,)),
    OpCase("linear", lambda w1, w2, x1, x2, b: autograd.linear([w1, w2], [x1, x2], b),
           lambda w1, w2, x1, x2, b: b + w1 * x1 + w2 * x2, (ANY,) * 5),
]


def _method_case(row: Op) -> OpCase:
    """``x.name()`` for a row with a Value method of its name, written from the row and the sympy reference."""
    inside = ANY if row.distance is None else ANY.filter(lambda x: row.distance(x) > 1e-3)
    return OpCase(row.name, lambda a: getattr(a, row.name)(), lambda a: in_sympy(row, a), (inside,))


# Every other unary row with a method of its own name (a newly added op, say) is covered from its row.
OP_CASES += [_method_case(row) for row in TABLE
             if isinstance(row, Op) and row.arity == 1 and callable(getattr(Value, row.name, None))
             and row.name not in {case.name for case in OP_CASES}]
