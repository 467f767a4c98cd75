"""Reading a graph: its nodes in topological order, and its edges.

The walks read a node through ``operation`` (its op, None for a leaf) and
two operand slots, laid out so (``operands`` decodes them; the backward walk's
hot loop in ``backprop.py`` reads them directly):

* a leaf: ``_a`` is None;
* one operand: ``_a`` is it, ``_b`` is None;
* two operands: ``_a`` and ``_b``;
* any other number (a fused ``Σwx+b``, a compiled function, a lecture-built
  node): ``_a`` is their tuple, and ``_b`` is None or the node's local
  derivatives ``∂out/∂operand``, in order, computed when it was recorded.

Two slots rather than a tuple make an op node one object instead of two: less
memory, and half the objects for Python's cycle collector to scan. Nothing
here imports ``Value``. The walks use an explicit stack, never recursion, so a
chain a million ops deep is fine under Python's default recursion limit.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .value import Value

_NO_OPERANDS: tuple[Any, ...] = ()

NO_GRADIENT = 0.0
"""The ``.grad`` of a node no backward pass has reached: this one float object, which every node
is made with, so that the backward sort tells such a node by identity (a ``.grad`` of ``-0.0``,
``0`` or ``None`` is not it, and is remembered and put back as it was)."""


def operands(node: Any) -> tuple[Any, ...]:
    """The nodes ``node`` was computed from, in order: ``a + a`` has ``(a, a)``; () for a leaf."""
    a = node._a
    if a is None:
        return _NO_OPERANDS
    if type(a) is tuple:
        return a
    b = node._b
    return (a,) if b is None else (a, b)


def recorded_derivatives(node: Any) -> Any:
    """The local derivatives ``node`` was recorded with (a fused node's), or None."""
    return node._b if type(node._a) is tuple else None


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each after all of its operands; ``root`` last."""
    collecting = gc.isenabled()
    gc.disable()  # the sort makes no cycles; the collector would only rescan the graph's young nodes
    try:
        return sorted_nodes(root, with_leaves_in_order=True)[2]
    finally:
        if collecting:
            gc.enable()


def sorted_nodes(root: Any, with_leaves_in_order: bool = False,
                 clear: tuple[list[Any], list[Any]] | None = None) -> tuple[list[Any], list[Any], list[Any]]:
    """``(op nodes, leaves, everything)``: the op nodes in topological order, root last, and the leaves.

    ``everything`` (leaves in their places in the order) is filled only when
    asked for; the backward walk needs the op nodes alone. With ``clear``, two
    lists, every op node's ``.grad`` is set to ``NO_GRADIENT`` as the sort meets
    it, and each node, leaf or op, whose ``.grad`` was another goes into the first list
    and that ``.grad`` into the second (two lists, not a list of pairs: a pair
    would be an object for the cycle collector to count): the backward walk
    then needs no pass of its own to clear them, or to remember them for putting back.

    A depth-first search with an explicit stack: an op node, popped the first
    time, pushes a ``None`` marker and then its operands not yet visited (a
    visited one is already placed: in a graph without cycles it cannot be
    waiting for its own operands); when the marker comes off the stack all of
    its operands are placed, so the node goes in after them.
    """
    ops: list[Any] = []
    leaves: list[Any] = []
    order: list[Any] = []
    visited: set[Any] = set()
    pending: list[Any] = []
    stack: list[Any] = [root]
    push, pop, visit, extend, seen_all = stack.append, stack.pop, visited.add, stack.extend, visited.issuperset
    wait, done, emit_op, emit_leaf = pending.append, pending.pop, ops.append, leaves.append
    emit = order.append if with_leaves_in_order else None
    keep = clear[0].append if clear is not None else None
    keep_grad = clear[1].append if clear is not None else None
    while stack:
        node = pop()
        if node is None:
            node = done()
            emit_op(node)
            if emit is not None:
                emit(node)
        elif node not in visited:
            visit(node)
            a = node._a
            if keep is not None and keep_grad is not None:
                old = node.grad
                if old is not NO_GRADIENT:
                    keep(node)
                    keep_grad(old)
                    if a is not None:
                        node.grad = NO_GRADIENT
            if a is None:
                emit_leaf(node)
                if emit is not None:
                    emit(node)
                continue
            wait(node)
            push(None)
            # Operands already placed are not pushed again: a parameter is read by every sample.
            if type(a) is tuple:
                if not seen_all(a):
                    extend(a)
                continue
            if a not in visited:
                push(a)
            b = node._b
            if b is not None and b not in visited:
                push(b)
    return ops, leaves, order


def trace(root: Value) -> tuple[list[Value], list[tuple[Value, Value]]]:
    """``(nodes, edges)`` of the graph behind ``root``, as in the micrograd lecture.

    Nodes come in topological order. There is one ``(parent, child)`` edge per
    use of an operand, so ``a + a`` gives two edges from ``a``.
    """
    nodes = topological_order(root)
    edges = [(parent, node) for node in nodes for parent in operands(node)]
    return nodes, edges
