"""``Expression``: a formula over inputs x0, x1, ..., callable on Values and on floats.

An expression is a graph of ``Node`` objects: inputs, constants, and ops on
other nodes. A node may be the operand of several nodes (a shared
subexpression: ``tanh(x0 * x1) + x0 * x1`` uses one ``x0 * x1`` node twice)
and may be both operands of one node (``x0 * x0``). Called on Values, each
node is computed once, so the engine's graph shares exactly what the
expression shares.

Called on floats, an expression is computed from ``math`` alone, never from
the engine's op table or graph, so it serves as a reference for the engine.

``OPS`` lists every op an expression can hold, by the name
``expressions(ops=...)`` takes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ..value import Value, linear

# Precedence of a printed node, to decide where parentheses go.
_ADD, _MUL, _UNARY, _POW, _ATOM = range(5)


@dataclass(frozen=True, eq=False)
class Node:
    """An input ``x{param}`` (kind "input"), a constant ``param`` (kind "constant"), or an op.

    For an op, ``kind`` is its name in ``OPS`` and ``param`` its constant
    parameter where it has one: the exponent of ``**k``, the base of ``k**``,
    the slope of ``leaky_relu``. Nodes compare by identity.
    """

    kind: str
    operands: tuple[Node, ...] = ()
    param: float = 0.0


@dataclass(frozen=True)
class OpSpec:
    """How one op is computed on floats (the reference), on Values (the engine), and printed.

    ``accepts(*operands, param)`` says whether operand values are safely
    inside the op's domain: a margin away from its edges and from kinks, so
    that central differences with a small step stay inside too.
    """

    name: str
    arity: int
    on_floats: Callable[..., float]
    on_values: Callable[..., Any]
    accepts: Callable[..., bool] = lambda *args: True
    params: tuple[float, ...] = ()


DOMAIN_MARGIN = 0.05  # log, sqrt and non-integer powers take operands >= this
DIVISOR_MIN = 0.1     # divisors and negative powers take |operands| >= this
KINK_MARGIN = 0.01    # relu, abs and leaky_relu take |operands| >= this; max and min |a − b| >= this


def _away_from_kink(a: float, *_: float) -> bool:
    return abs(a) >= KINK_MARGIN


def _away_from_tie(a: float, b: float) -> bool:
    return abs(a - b) >= KINK_MARGIN


def _as_value(x: Any) -> Value:
    """A constant operand (a float) as a constant leaf, as the engine makes one for ``2.0 + x``."""
    return x if isinstance(x, Value) else Value(x)


def _positive(a: float, *_: float) -> bool:
    return a >= DOMAIN_MARGIN


def _power_accepts(a: float, k: float) -> bool:
    if k != math.floor(k) and a < DOMAIN_MARGIN:
        return False
    return k >= 0 or abs(a) >= DIVISOR_MIN


def _linear_on_floats(w1: float, w2: float, x1: float, x2: float, b: float) -> float:
    return b + w1 * x1 + w2 * x2


_SPECS = [
    OpSpec("+", 2, lambda a, b: a + b, lambda a, b: a + b),
    OpSpec("*", 2, lambda a, b: a * b, lambda a, b: a * b),
    OpSpec("-", 2, lambda a, b: a - b, lambda a, b: a - b),
    OpSpec("/", 2, lambda a, b: a / b, lambda a, b: a / b, lambda a, b: abs(b) >= DIVISOR_MIN),
    OpSpec("tanh", 1, math.tanh, lambda a: a.tanh()),
    OpSpec("exp", 1, math.exp, lambda a: a.exp()),
    OpSpec("log", 1, math.log, lambda a: a.log(), _positive),
    OpSpec("**k", 1, lambda a, k: a ** k, lambda a, k: a ** k, _power_accepts, (2.0, 3.0, -1.0, 0.5, -2.0, 1.5)),
    OpSpec("k**", 1, lambda a, k: k ** a, lambda a, k: k ** a, params=(2.0, 0.5, 3.0)),
    OpSpec("**", 2, lambda a, b: a ** b, lambda a, b: a ** b, lambda a, b: a >= DOMAIN_MARGIN),
    OpSpec("neg", 1, lambda a: -a, lambda a: -a),
    OpSpec("abs", 1, abs, abs, _away_from_kink),
    OpSpec("sqrt", 1, math.sqrt, lambda a: a.sqrt(), _positive),
    OpSpec("sin", 1, math.sin, lambda a: a.sin()),
    OpSpec("cos", 1, math.cos, lambda a: a.cos()),
    OpSpec("sigmoid", 1, lambda a: 1.0 / (1.0 + math.exp(-a)), lambda a: a.sigmoid()),
    OpSpec("softplus", 1, lambda a: math.log1p(math.exp(a)), lambda a: a.softplus()),
    OpSpec("relu", 1, lambda a: max(a, 0.0), lambda a: a.relu(), _away_from_kink),
    OpSpec("leaky_relu", 1, lambda a, s: a if a > 0 else s * a, lambda a, s: a.leaky_relu(s),
           _away_from_kink, (0.1, 0.01)),
    OpSpec("max", 2, max, lambda a, b: _as_value(a).max(b), _away_from_tie),
    OpSpec("min", 2, min, lambda a, b: _as_value(a).min(b), _away_from_tie),
    OpSpec("linear", 5, _linear_on_floats, lambda w1, w2, x1, x2, b: linear([w1, w2], [x1, x2], b)),
]
SPECS: dict[str, OpSpec] = {spec.name: spec for spec in _SPECS}
OPS: tuple[str, ...] = tuple(SPECS)
"""Every op an expression can hold: + * - / tanh exp log **k (x ** number), k** (number ** x),
** (x ** y), neg abs sqrt sin cos sigmoid softplus relu leaky_relu max min (x.max(y), x.min(y))
linear (b + w1·x1 + w2·x2)."""


class Expression:
    """A formula over inputs ``x0..x{n-1}``, drawn with ``inputs`` inside every op's domain.

    ``expr(*values)`` builds it with the engine (Values in, a Value out);
    ``expr(*floats)`` computes it with ``math`` alone; ``str(expr)`` is the
    formula, e.g. ``tanh(x0 * x1) + x0 * x1``.
    """

    def __init__(self, root: Node, inputs: Sequence[float]) -> None:
        self.root = root
        self.inputs = list(inputs)

    def __call__(self, *args: Any) -> Any:
        if len(args) != len(self.inputs):
            raise TypeError(f"{self} takes {len(self.inputs)} inputs, got {len(args)}")
        on_values = any(isinstance(a, Value) for a in args)
        return self.evaluate(args, _apply_on_values if on_values else _apply_on_floats)

    def evaluate(self, args: Sequence[Any], apply: Callable[..., Any]) -> Any:
        """The formula with input i = ``args[i]``, each op computed by ``apply(name, param, *operands)``.

        Constants are passed to ``apply`` as floats. Each node is computed
        once, so shared subexpressions stay shared: ``apply`` may build
        Values, sympy expressions, or anything else.
        """
        results: dict[Node, Any] = {}
        for node in self.nodes():
            if node.kind == "input":
                results[node] = args[int(node.param)]
            elif node.kind == "constant":
                results[node] = node.param
            else:
                results[node] = apply(node.kind, node.param, *[results[o] for o in node.operands])
        return results[self.root]

    def nodes(self) -> list[Node]:
        """Every node once, each after its operands; the root last."""
        order: list[Node] = []
        seen: set[int] = set()

        def visit(node: Node) -> None:
            if id(node) in seen:
                return
            seen.add(id(node))
            for operand in node.operands:
                visit(operand)
            order.append(node)

        visit(self.root)
        return order

    def __str__(self) -> str:
        return _formula(self.root)[0]

    def __repr__(self) -> str:
        return f"Expression({str(self)!r}, inputs={self.inputs!r})"


def _apply_on_floats(name: str, param: float, *operands: float) -> float:
    spec = SPECS[name]
    return spec.on_floats(*operands, param) if spec.params else spec.on_floats(*operands)


def _apply_on_values(name: str, param: float, *operands: Any) -> Any:
    spec = SPECS[name]
    return spec.on_values(*operands, param) if spec.params else spec.on_values(*operands)


def _formula(node: Node) -> tuple[str, int]:
    """The node printed, and its precedence."""
    kind = node.kind
    if kind == "input":
        return f"x{int(node.param)}", _ATOM
    if kind == "constant":
        return repr(node.param), _ATOM if node.param >= 0 else _UNARY
    parts = [_formula(o) for o in node.operands]
    if kind in ("+", "-", "*", "/"):
        level = _ADD if kind in "+-" else _MUL
        (left, lp), (right, rp) = parts
        strict = kind in "-/"  # a - (b + c), a / (b * c)
        return f"{_wrap(left, lp < level)} {kind} {_wrap(right, rp < level or (strict and rp == level))}", level
    if kind == "neg":
        text, p = parts[0]
        return f"-{_wrap(text, p < _UNARY)}", _UNARY
    if kind == "**k":
        text, p = parts[0]
        return f"{_wrap(text, p <= _POW)}**{node.param:g}", _POW
    if kind == "k**":
        text, p = parts[0]
        return f"{node.param:g}**{_wrap(text, p < _POW)}", _POW
    if kind == "**":
        (left, lp), (right, rp) = parts
        return f"{_wrap(left, lp <= _POW)}**{_wrap(right, rp < _POW)}", _POW
    if kind == "leaky_relu":
        return f"leaky_relu({parts[0][0]}, {node.param:g})", _ATOM
    if kind in ("max", "min"):
        (left, _), (right, _) = parts
        return f"{kind}({left}, {right})", _ATOM
    if kind == "linear":
        (w1, _), (w2, _), (x1, _), (x2, _), (b, _) = parts
        return f"linear([{w1}, {w2}], [{x1}, {x2}], {b})", _ATOM
    return f"{kind}({parts[0][0]})", _ATOM


def _wrap(text: str, needed: bool) -> str:
    return f"({text})" if needed else text
