"""``Expression``: a formula over inputs x0, x1, ..., callable on Values and on floats.

An expression is a graph of ``Node`` objects: inputs, constants, and ops on
other nodes. A node may be the operand of several nodes (a shared
subexpression: ``tanh(x0 * x1) + x0 * x1`` uses one ``x0 * x1`` node twice)
and may be both operands of one node (``x0 * x0``). Called on Values, each
node is computed once, so the engine's graph shares exactly what the
expression shares.

Every op comes from the op table (``autograd.ops.TABLE``): called on floats an
expression runs each op's ``forward``, printed it uses each op's display form.
``OPS`` names every op and family an expression can hold, as
``expressions(ops=...)`` takes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Callable, Sequence

from ..ops import ATOM, TABLE, UNARY, Family, Op
from ..value import Value

OPS: tuple[str, ...] = tuple(entry.name for entry in TABLE)
"""Every op and family an expression can hold, by name, simplest first: ``+ * - / tanh exp log **k ** neg
abs sqrt sin cos sigmoid softplus relu leaky_relu max min Σwx+b``. ``**k`` is ``x ** k`` for a constant
``k``; ``**`` with a constant base is ``k ** x``; ``Σwx+b`` is ``autograd.linear`` over two inputs."""

ENTRIES: dict[str, Op | Family] = {entry.name: entry for entry in TABLE}


@dataclass(frozen=True, eq=False)
class Node:
    """An input ``x{param}`` (kind "input"), a constant ``param`` (kind "constant"), or ``op`` on ``operands``.

    Nodes compare by identity.
    """

    kind: str
    operands: tuple[Node, ...] = ()
    param: float = 0.0
    op: Op | None = None

    @staticmethod
    def of(op: Op, *operands: Node) -> Node:
        """The node of ``op`` applied to ``operands``."""
        return Node("op", operands, op=op)


class Expression:
    """A formula over inputs ``x0..x{n-1}``, drawn with ``inputs`` inside every op's domain.

    ``expr(*values)`` builds it with the engine (Values in, a Value out);
    ``expr(*floats)`` computes it with each op's float forward; ``str(expr)``
    is the formula, e.g. ``tanh(x0 * x1) + x0 * x1``.
    """

    def __init__(self, root: Node, inputs: Sequence[float]) -> None:
        self.root = root
        self.inputs = list(inputs)

    def __call__(self, *args: Any) -> Any:
        if len(args) != len(self.inputs):
            raise TypeError(f"{self} takes {len(self.inputs)} inputs, got {len(args)}")
        on_values = any(isinstance(a, Value) for a in args)
        return self.evaluate(args, _on_values if on_values else _on_floats)

    def evaluate(self, args: Sequence[Any], apply: Callable[..., Any]) -> Any:
        """The formula with input i = ``args[i]``, each op computed by ``apply(op, *operands)``.

        Constants are passed to ``apply`` as floats. Each node is computed
        once, so shared subexpressions stay shared: ``apply`` may build
        Values, sympy expressions, tensors, or anything else.
        """
        results: dict[Node, Any] = {}
        for node in self.nodes():
            if node.kind == "input":
                results[node] = args[int(node.param)]
            elif node.kind == "constant":
                results[node] = node.param
            else:
                assert node.op is not None
                results[node] = apply(node.op, *[results[o] for o in node.operands])
        return results[self.root]

    def nodes(self) -> list[Node]:
        """Every node once, each after its operands; the root last."""
        order: list[Node] = []
        seen: set[int] = set()
        stack: list[tuple[Node, bool]] = [(self.root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((o, False) for o in reversed(node.operands))
        return order

    def __str__(self) -> str:
        texts: dict[Node, tuple[str, int]] = {}
        for node in self.nodes():
            if node.kind == "input":
                texts[node] = f"x{int(node.param)}", ATOM
            elif node.kind == "constant":
                texts[node] = repr(node.param), ATOM if node.param >= 0 else UNARY
            else:
                assert node.op is not None
                texts[node] = node.op.write([texts[o] for o in node.operands])
        return texts[self.root][0]

    def __repr__(self) -> str:
        return f"Expression({str(self)!r}, inputs={self.inputs!r})"


def _on_floats(op: Op, *operands: float) -> float:
    return float(op.forward(*operands))


def _on_values(op: Op, *operands: Any) -> Any:
    return Value.apply(op, *operands)
