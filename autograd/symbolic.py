"""``Symbol``: a stand-in for a number whose arithmetic writes Python expression text.

Run an op's forward or its rule on Symbols and the result is the expression
that computes it, in the same order of operations as on floats::

    >>> a, out = Symbol("a"), Symbol("out")
    >>> TANH.local_grads(out, a)[0].text
    '1.0 - out * out'

``compile`` writes generated code this way, straight from the op table, and
the player writes a local derivative's formula the same way. A Symbol knows
how tightly its text binds, so parentheses go exactly where Python needs them
to compute the same floats (``a + (b + c)`` is not ``a + b + c`` in floats).

What cannot be written as an expression raises TypeError: asking a Symbol
for its truth (an ``if`` on it) or its float (``math.exp(s)``). The caller
then calls the function instead of writing it out.
"""

from __future__ import annotations

import math
from contextvars import ContextVar
from typing import Any
from collections.abc import Callable

from .ops import ATOM, POWER, PRODUCT, SUM, UNARY

CONDITION = SUM - 1  # a comparison binds more loosely than any arithmetic
MAX_DEPTH = 64
"""Past this many nested operations an expression is written to a variable of its own (Python's
compiler recurses over nesting: a sum of 3000 terms on one line does not compile)."""

Spill = Callable[[str], str]
_SPILL: ContextVar[Spill | None] = ContextVar("autograd_symbolic_spill", default=None)


class NotSymbolic(TypeError):
    """A forward or rule did something that has no expression text: an ``if``, a float, ``math`` itself."""


def literal(x: float | int) -> Symbol:
    """A number as a Symbol: its exact literal (``float('inf')`` for an infinity)."""
    if isinstance(x, bool):
        raise NotSymbolic(f"a bool ({x!r}) in arithmetic: write the rule with autograd.math.where")
    value = float(x) if not isinstance(x, int) else x
    if isinstance(value, float) and not math.isfinite(value):
        return Symbol(f"float({str(value)!r})")
    text = repr(value)
    return Symbol(text, UNARY if text.startswith("-") else ATOM)


def as_symbol(x: Any) -> Symbol:
    if isinstance(x, Symbol):
        return x
    if isinstance(x, (int, float)):
        return literal(x)
    raise NotSymbolic(f"{type(x).__name__} {x!r} has no expression text")


class Symbol:
    """Expression text and its precedence (how tightly it binds: ``ops.SUM`` ... ``ops.ATOM``)."""

    __slots__ = ("text", "precedence", "depth")

    def __init__(self, text: str, precedence: int = ATOM, depth: int = 0) -> None:
        self.text = text
        self.precedence = precedence
        self.depth = depth

    def __repr__(self) -> str:
        return f"Symbol({self.text!r})"

    # --------------------------------------------------------------- arithmetic
    def _infix(self, symbol: str, other: Any, precedence: int, reflected: bool = False) -> Symbol:
        left, right = (as_symbol(other), self) if reflected else (self, as_symbol(other))
        # The left operand keeps its grouping unless it binds more loosely; the right one also when
        # it binds as loosely (a - (b - c)); ** groups to the right, so there it is the other way round.
        if precedence == POWER:
            left_text = _wrapped(left, left.precedence <= POWER)
            right_text = _wrapped(right, right.precedence < UNARY)
        else:
            left_text = _wrapped(left, left.precedence < precedence)
            right_text = _wrapped(right, right.precedence <= precedence)
        return _deep(f"{left_text} {symbol} {right_text}", precedence, 1 + max(left.depth, right.depth))

    def __add__(self, other: Any) -> Symbol:
        return self._infix("+", other, SUM)

    def __radd__(self, other: Any) -> Symbol:
        return self._infix("+", other, SUM, reflected=True)

    def __sub__(self, other: Any) -> Symbol:
        return self._infix("-", other, SUM)

    def __rsub__(self, other: Any) -> Symbol:
        return self._infix("-", other, SUM, reflected=True)

    def __mul__(self, other: Any) -> Symbol:
        return self._infix("*", other, PRODUCT)

    def __rmul__(self, other: Any) -> Symbol:
        return self._infix("*", other, PRODUCT, reflected=True)

    def __truediv__(self, other: Any) -> Symbol:
        return self._infix("/", other, PRODUCT)

    def __rtruediv__(self, other: Any) -> Symbol:
        return self._infix("/", other, PRODUCT, reflected=True)

    def __pow__(self, other: Any) -> Symbol:
        return self._infix("**", other, POWER)

    def __rpow__(self, other: Any) -> Symbol:
        return self._infix("**", other, POWER, reflected=True)

    def __neg__(self) -> Symbol:
        return _deep(f"-{_wrapped(self, self.precedence <= UNARY)}", UNARY, self.depth + 1)

    def __pos__(self) -> Symbol:
        return self

    def __abs__(self) -> Symbol:
        return call("abs", self)

    # --------------------------------------------------------------- comparisons
    def _compare(self, symbol: str, other: Any) -> Symbol:
        other = as_symbol(other)
        return Symbol(f"{_wrapped(self, self.precedence <= CONDITION)} {symbol} "
                      f"{_wrapped(other, other.precedence <= CONDITION)}", CONDITION, 1 + max(self.depth, other.depth))

    def __gt__(self, other: Any) -> Symbol:
        return self._compare(">", other)

    def __ge__(self, other: Any) -> Symbol:
        return self._compare(">=", other)

    def __lt__(self, other: Any) -> Symbol:
        return self._compare("<", other)

    def __le__(self, other: Any) -> Symbol:
        return self._compare("<=", other)

    def __eq__(self, other: object) -> bool:
        raise NotSymbolic("== on a symbol: Values compare by identity, so a rule cannot test equality with ==; "
                          "use < <= > >= with autograd.math.where")

    __hash__ = object.__hash__

    def where(self, if_true: Any, if_false: Any) -> Symbol:
        """``(if_true if self else if_false)``: the conditional expression of ``autograd.math.where``."""
        yes, no = as_symbol(if_true), as_symbol(if_false)
        return _deep(f"({_wrapped(yes, yes.precedence <= CONDITION)} if {self.text} else "
                     f"{_wrapped(no, no.precedence <= CONDITION)})", ATOM, 1 + max(self.depth, yes.depth, no.depth))

    # --------------------------------------------------------------- what has no text
    def __bool__(self) -> bool:
        raise NotSymbolic("an `if` on a symbol: write the choice with autograd.math.where")

    def __float__(self) -> float:
        raise NotSymbolic("a symbol turned into a float (math.f(x) or float(x)): write the rule with autograd.math")

    # --------------------------------------------------------------- autograd.math's functions
    def exp(self) -> Symbol:
        return call("exp", self)

    def log(self) -> Symbol:
        return call("log", self)

    def sqrt(self) -> Symbol:
        return call("sqrt", self)

    def sin(self) -> Symbol:
        return call("sin", self)

    def cos(self) -> Symbol:
        return call("cos", self)

    def tanh(self) -> Symbol:
        return call("tanh", self)

    def sigmoid(self) -> Symbol:
        return call("sigmoid", self)

    def softplus(self) -> Symbol:
        return call("softplus", self)


def _deep(text: str, precedence: int, depth: int) -> Symbol:
    """A new expression; past ``MAX_DEPTH`` written to a variable by the active ``spilling`` hook."""
    spill = _SPILL.get() if depth > MAX_DEPTH else None
    if spill is None:
        return Symbol(text, precedence, depth)
    return Symbol(spill(text))


class spilling:
    """Within the block, expressions nested past ``MAX_DEPTH`` go through ``spill(text) -> variable name``."""

    def __init__(self, spill: Spill) -> None:
        self.spill = spill

    def __enter__(self) -> None:
        self.token = _SPILL.set(self.spill)

    def __exit__(self, *exc: object) -> None:
        _SPILL.reset(self.token)


def call(name: str, *args: Symbol) -> Symbol:
    """``name(args)``, a call of the float kernel ``autograd.math.FLOAT_KERNELS[name]``."""
    return _deep(f"{name}({', '.join(a.text for a in args)})", ATOM, 1 + max(a.depth for a in args))


def _wrapped(symbol: Symbol, needed: bool) -> str:
    return f"({symbol.text})" if needed else symbol.text


def formulas(rule: Callable[..., Any], out: tuple[str, int], operands: list[tuple[str, int]]) -> tuple[str, ...] | None:
    """A rule's local derivatives as formulas over the given texts (each with its precedence), or None if it
    cannot be written out (it calls ``math`` itself, say)."""
    try:
        local = rule(Symbol(*out), *(Symbol(*operand) for operand in operands))
        return tuple(as_symbol(d).text for d in local)
    except Exception:
        return None
