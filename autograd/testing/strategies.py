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

When it fails, hypothesis shrinks the formula; ``str(expr)`` prints it, e.g.
``tanh(x0 * x1) + x0 * x1``.
"""

from __future__ import annotations

import math
from typing import Any, Iterable

from ..extras import raise_missing_extra
from ..value import Value
from .expression import OPS, SPECS, Expression, Node, OpSpec

try:
    from hypothesis import strategies as st
except ModuleNotFoundError as missing:
    raise_missing_extra(missing, "hypothesis", "testing", "autograd.testing.strategies")

VALUE_BOUND = 50.0  # every node of a drawn expression stays within ±this at its inputs
CONSTANTS = (2.0, 0.5, -1.0, 3.0, -0.25)


def reals(min_value: float = -10.0, max_value: float = 10.0) -> st.SearchStrategy[float]:
    """Finite floats in [min_value, max_value]."""
    return st.floats(min_value, max_value, allow_nan=False, allow_infinity=False)


def values(min_value: float = -10.0, max_value: float = 10.0, label: str = "") -> st.SearchStrategy[Value]:
    """Leaf Values with data in [min_value, max_value]."""
    return reals(min_value, max_value).map(lambda x: Value(x, label))


def expressions(ops: Iterable[str] = OPS, max_depth: int = 4, max_inputs: int = 3,
                min_value: float = -3.0, max_value: float = 3.0) -> st.SearchStrategy[Expression]:
    """Random formulas over 1..max_inputs inputs drawn from [min_value, max_value].

    Built from ``ops`` (names from ``autograd.testing.OPS``), at most
    ``max_depth`` ops deep, with shared subexpressions (one node used by
    several ops), reused operands (``x0 * x0``) and constants. Each op is
    chosen knowing its operands' values at the drawn inputs: when the drawn
    op would leave its domain (log of a negative, a divisor near 0, a kink,
    a node beyond ±50), the first op of ``ops`` that fits takes its place,
    so no draw is rejected. Shrinking leads to inputs and the first ops
    of ``ops``: list the simplest first.
    """
    specs = [SPECS[name] for name in _known(ops)]
    if max_depth < 0 or max_inputs < 1 or not min_value <= max_value:
        raise ValueError("expressions needs max_depth >= 0, max_inputs >= 1 and min_value <= max_value")
    return _expressions(specs, max_depth, max_inputs, min_value, max_value)


def _known(ops: Iterable[str]) -> list[str]:
    names = list(ops)
    unknown = [name for name in names if name not in SPECS]
    if unknown or not names:
        raise ValueError(f"expressions takes ops from {', '.join(OPS)}; got {names}")
    return names


@st.composite
def _expressions(draw: Any, specs: list[OpSpec], max_depth: int, max_inputs: int,
                 min_value: float, max_value: float) -> Expression:
    n = draw(st.integers(1, max_inputs))
    inputs = draw(st.lists(reals(min_value, max_value), min_size=n, max_size=n))
    builder = _Builder(draw, specs, inputs)
    root = builder.op_node(max_depth) if max_depth > 0 else builder.leaves[0]
    return Expression(root, inputs)


class _Builder:
    """Draws one expression top-down, knowing every node's value at the inputs."""

    def __init__(self, draw: Any, specs: list[OpSpec], inputs: list[float]) -> None:
        self.draw = draw
        self.specs = specs
        self.leaves = [Node("input", param=i) for i in range(len(inputs))]
        self.value: dict[Node, float] = dict(zip(self.leaves, inputs))
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
            return shareable[draw(st.integers(0, len(shareable) - 1))]
        if choice < 2:
            return self.leaves[draw(st.integers(0, len(self.leaves) - 1))]
        return self.op_node(depth)

    def op_node(self, depth: int) -> Node:
        """A new op node, at most ``depth`` deep."""
        draw = self.draw
        spec = draw(st.sampled_from(self.specs))
        param = draw(st.sampled_from(spec.params)) if spec.params else 0.0
        if spec.arity == 2:  # a constant may be one operand of + - * /, never both
            constants = spec.name != "**"
            left = self.node(depth - 1, constant=constants)
            if left.kind != "constant" and draw(st.booleans()):
                right = left  # a reused operand: x0 * x0
            else:
                right = self.node(depth - 1, constant=constants and left.kind != "constant")
            operands = (left, right)
        elif spec.arity == 5:  # linear: constant weights and bias allowed, inputs not
            operands = tuple(self.node(depth - 1, constant=slot in (0, 1, 4)) for slot in range(5))
        else:
            operands = (self.node(depth - 1, constant=False),)
        return self._fitting(spec, param, operands)

    def _fitting(self, spec: OpSpec, param: float, operands: tuple[Node, ...]) -> Node:
        """The drawn op on its operands if it fits, else the first that does, else an operand."""
        args = [self.value[o] for o in operands]
        candidates = [(spec, param)] + [(s, p) for s in self.specs if s.arity == spec.arity
                                        for p in (s.params or (0.0,))]
        for s, p in candidates:
            result = _inside(s, p, args)
            if result is not None:
                node = Node(s.name, operands, p)
                self.value[node] = result
                self.height[node] = 1 + max(self.height[o] for o in operands)
                self.built.append(node)
                return node
        return next(o for o in operands if o.kind != "constant")


def _inside(spec: OpSpec, param: float, args: list[float]) -> float | None:
    """The op's value on ``args`` if they are safely inside its domain and it stays bounded, else None."""
    extra = (param,) if spec.params else ()
    if not spec.accepts(*args, *extra):
        return None
    try:
        result = spec.on_floats(*args, *extra)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    if isinstance(result, complex) or not math.isfinite(result) or abs(result) > VALUE_BOUND:
        return None
    return result
