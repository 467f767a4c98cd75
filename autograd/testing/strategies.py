"""Hypothesis strategies for gradient tests: ``reals``, ``values`` and ``expressions``.

This is the one module of ``autograd`` that imports hypothesis.

A property test to copy: every gradient of every drawn formula matches
central differences, and the engine computes what ``math`` computes::

    import math
    from hypothesis import given
    from autograd import Value
    from autograd.testing import gradcheck
    from autograd.testing.strategies import expressions

    @given(expressions(ops=["+", "*", "tanh", "log", "relu"], max_depth=4))
    def test_engine_on_random_formulas(expr):
        out = expr(*[Value(x) for x in expr.inputs])
        assert math.isclose(out.data, expr(*expr.inputs), rel_tol=1e-9, abs_tol=1e-12)
        assert gradcheck(expr, expr.inputs)

Every op is drawn from its row of the op table: its arity, its domain (each
operand at least ``DOMAIN_MARGIN`` inside it), its kink (the kink variable at
least ``KINK_MARGIN`` from 0), and for a family its example constants. An op
added to the table is drawn with no change here.

When it fails, hypothesis shrinks the formula; ``str(expr)`` prints it, e.g.
``tanh(x0 * x1) + x0 * x1``.
"""

from __future__ import annotations

import math
from typing import Any
from collections.abc import Iterable

from ..extras import raise_missing_extra
from ..ops import Family, Op
from ..value import Value
from .expression import ENTRIES, OPS, Expression, Node

try:
    from hypothesis import strategies as st
except ModuleNotFoundError as missing:
    raise_missing_extra(missing, "hypothesis", "testing", "autograd.testing.strategies")

VALUE_BOUND = 50.0    # every node of a drawn expression stays within ±this at its inputs
CONSTANTS = (2.0, 0.5, -1.0, 3.0, -0.25)
DOMAIN_MARGIN = 0.1   # operands stay this far inside an op's domain (log, sqrt, divisors, negative powers)
KINK_MARGIN = 0.01    # and this far from a kink (relu, abs, leaky_relu at 0; max and min at a tie)


def reals(min_value: float = -10.0, max_value: float = 10.0) -> st.SearchStrategy[float]:
    """Finite floats in [min_value, max_value]."""
    return st.floats(min_value, max_value, allow_nan=False, allow_infinity=False)


def values(min_value: float = -10.0, max_value: float = 10.0, label: str = "") -> st.SearchStrategy[Value]:
    """Leaf Values with data in [min_value, max_value]."""
    return reals(min_value, max_value).map(lambda x: Value(x, label=label))


def expressions(ops: Iterable[str | Op | Family] = OPS, max_depth: int = 4, max_inputs: int = 3,
                min_value: float = -3.0, max_value: float = 3.0) -> st.SearchStrategy[Expression]:
    """Random formulas over 1..max_inputs inputs drawn from [min_value, max_value].

    Built from ``ops`` (names from ``autograd.testing.OPS``, or ``Op`` rows of
    your own, which are drawn from their rows alone: arity, domain, kink), at most
    ``max_depth`` ops deep, with shared subexpressions (one node used by
    several ops), reused operands (``x0 * x0``) and constants. Each op is
    chosen knowing its operands' values at the drawn inputs: when the drawn
    op would leave its domain (log of a negative, a divisor near 0, a kink,
    a node beyond ±50), the first op of ``ops`` that fits takes its place,
    so no draw is rejected. Shrinking leads to inputs and the first ops
    of ``ops``: list the simplest first.
    """
    entries = _known(ops)
    if max_depth < 0 or max_inputs < 1 or not min_value <= max_value:
        raise ValueError("expressions needs max_depth >= 0, max_inputs >= 1 and min_value <= max_value")
    return _expressions(entries, max_depth, max_inputs, min_value, max_value)


def _known(ops: Iterable[str | Op | Family]) -> list[Op | Family]:
    chosen = list(ops)
    unknown = [x for x in chosen if not isinstance(x, (Op, Family)) and x not in ENTRIES]
    if unknown or not chosen:
        raise ValueError(f"expressions takes ops from {', '.join(OPS)}, or Op rows; got {chosen}")
    rows = [x if isinstance(x, (Op, Family)) else ENTRIES[x] for x in chosen]
    unsized = [row for row in rows if isinstance(row, Op) and not row.sample_arity]
    if unsized:
        raise ValueError(f"expressions cannot draw {unsized[0].name}: it takes any number of operands; "
                         "give its row a sample_arity")
    return rows


def _variants(entry: Op | Family) -> list[Op]:
    """The ops an entry stands for: itself, or a family's op for each example constant."""
    return [entry.make(p) for p in entry.examples] if isinstance(entry, Family) else [entry]


@st.composite
def _expressions(draw: Any, entries: list[Op | Family], max_depth: int, max_inputs: int,
                 min_value: float, max_value: float) -> Expression:
    n = draw(st.integers(1, max_inputs))
    inputs = draw(st.lists(reals(min_value, max_value), min_size=n, max_size=n))
    builder = _Builder(draw, entries, inputs)
    root = builder.op_node(max_depth) if max_depth > 0 else builder.leaves[0]
    return Expression(root, inputs)


class _Builder:
    """Draws one expression top-down, knowing every node's value at the inputs."""

    def __init__(self, draw: Any, entries: list[Op | Family], inputs: list[float]) -> None:
        self.draw = draw
        self.entries = entries
        self.leaves = [Node("input", param=i) for i in range(len(inputs))]
        self.value: dict[Node, float] = dict(zip(self.leaves, inputs, strict=True))
        self.height: dict[Node, int] = dict.fromkeys(self.leaves, 0)
        self.built: list[Node] = []  # op nodes, which later operands may share

    def node(self, depth: int, constant: bool) -> Node:
        """An input, a constant (where allowed), a node built before, or a new op at most ``depth`` deep.

        The choice shrinks towards an input.
        """
        draw = self.draw
        shareable = [n for n in self.built if self.height[n] <= depth]
        choice = draw(st.integers(0, 9)) if depth > 0 else 0
        if choice == 1 and constant:
            c = Node("constant", param=draw(st.sampled_from(CONSTANTS)))
            self.value[c], self.height[c] = c.param, 0
            return c
        if choice in (2, 3, 4, 5, 6) and shareable:
            shared: Node = shareable[draw(st.integers(0, len(shareable) - 1))]
            return shared
        if choice < 2:
            leaf: Node = self.leaves[draw(st.integers(0, len(self.leaves) - 1))]
            return leaf
        return self.op_node(depth)

    def op_node(self, depth: int) -> Node:
        """A new op node, at most ``depth`` deep. Constants may fill any operand but the last one left."""
        draw = self.draw
        op = draw(st.sampled_from(_variants(draw(st.sampled_from(self.entries)))))
        operands: list[Node] = []
        for slot in range(op.sample_arity):
            others_constant = all(o.kind == "constant" for o in operands)
            last = slot == op.sample_arity - 1
            if slot and operands[-1].kind != "constant" and draw(st.booleans()):
                operands.append(operands[-1])  # a reused operand: x0 * x0
            else:
                operands.append(self.node(depth - 1, constant=not (last and others_constant)))
        return self._fitting(op, tuple(operands))

    def _fitting(self, op: Op, operands: tuple[Node, ...]) -> Node:
        """The drawn op on its operands if it fits, else the first that does, else an operand."""
        args = [self.value[o] for o in operands]
        candidates = [op] + [v for entry in self.entries for v in _variants(entry)
                             if v.sample_arity == op.sample_arity]
        for candidate in candidates:
            result = _inside(candidate, args)
            if result is not None:
                node = Node.of(candidate, *operands)
                self.value[node] = result
                self.height[node] = 1 + max(self.height[o] for o in operands)
                self.built.append(node)
                return node
        return next(o for o in operands if o.kind != "constant")


def _inside(op: Op, args: list[float]) -> float | None:
    """The op's value on ``args`` if they are safely inside its domain, away from kinks, and bounded."""
    distance = op.distance
    if distance is not None and not distance(*args) >= DOMAIN_MARGIN:
        return None
    if op.kink is not None and not abs(op.kink(*args)) >= KINK_MARGIN:
        return None
    try:
        result = float(op.forward(*args))
    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
        return None
    if not math.isfinite(result) or abs(result) > VALUE_BOUND:
        return None
    return result
