"""Reading a graph: its nodes in topological order, and its edges.

The walks read a node through ``operation`` (its op, None for a leaf) and
two operand slots, laid out so (``operands`` decodes them; the backward walk's
hot loop in ``backprop.py`` reads them directly):

* a leaf: ``_a`` is None;
* one operand: ``_a`` is it, ``_b`` is None;
* two operands: ``_a`` and ``_b``;
* any other number (a fused ``Σwx+b``, a compiled function, a lecture-built
  node), and any node with a hand-written ``_backward``: ``_a`` is their tuple,
  and ``_b`` is None or the node's local derivatives ``∂out/∂operand``, in
  order, computed when it was recorded. So a node of one or two operands in
  their own slots is always an ``Op``'s, and the backward walk asks no more.

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
    """Every node ``root`` depends on, each after all of its operands; ``root`` last.

    The op nodes come in the order ``sorted_nodes`` gives them, and each leaf
    where the same search pops it.
    """
    collecting = gc.isenabled()
    gc.disable()  # the sort makes no cycles; the collector would only rescan the graph's young nodes
    try:
        return _placed(root)
    finally:
        if collecting:
            gc.enable()


def _placed(root: Any) -> list[Any]:
    """``topological_order``'s search: ``sorted_nodes``' with every operand pushed, leaves too, placed when popped."""
    order: list[Any] = []
    visited: set[Any] = set()
    pending: list[Any] = []
    stack: list[Any] = [root]
    push, pop, visit, extend, seen_all = stack.append, stack.pop, visited.add, stack.extend, visited.issuperset
    wait, done, emit = pending.append, pending.pop, order.append
    while stack:
        node = pop()
        if node is None:
            emit(done())
        elif node not in visited:
            visit(node)
            a = node._a
            if a is None:
                emit(node)
                continue
            wait(node)
            push(None)
            if type(a) is tuple:
                if not seen_all(a):
                    extend(a)
                continue
            if a not in visited:
                push(a)
            b = node._b
            if b is not None and b not in visited:
                push(b)
    return order


def sorted_nodes(root: Any, clear: tuple[list[Any], list[Any]] | None = None) -> tuple[list[Any], list[Any]]:
    """``(op nodes, leaves)``: the op nodes in topological order, root last, and the leaves, each once.

    The backward walks need the op nodes alone; the leaves come in the order
    the search meets them. With ``clear``, two lists, every op node's
    ``.grad`` is set to ``NO_GRADIENT`` as the sort meets it, and each whose
    ``.grad`` was another goes into the first list and that ``.grad`` into
    the second (two lists, not a list of pairs: a pair would be an object for
    the cycle collector to count): the backward walk then needs no pass of its
    own to clear them, or to remember them for putting back. Leaves are left alone.

    A depth-first search with an explicit stack: an op node, popped the first
    time, places its leaves not yet visited at once and pushes a ``None`` marker
    and then its op operands not yet visited (a visited one is already placed:
    in a graph without cycles it cannot be waiting for its own operands); when
    the marker comes off the stack all of its operands are placed, so the node
    goes in after them. A node with no op operand left to place (``a * b`` of
    two leaves) goes in at once, with no marker.
    """
    ops: list[Any] = []
    leaves: list[Any] = []
    if root._a is None:
        leaves.append(root)
        return ops, leaves
    visited: set[Any] = set()
    pending: list[Any] = []
    stack: list[Any] = [root]
    push, pop, visit, seen_all = stack.append, stack.pop, visited.add, visited.issuperset
    wait, done, emit_op, emit_leaf = pending.append, pending.pop, ops.append, leaves.append
    clearing = clear is not None
    kept, kept_grads = clear if clear is not None else ([], [])
    keep, keep_grad = kept.append, kept_grads.append
    while stack:
        node = pop()
        if node is None:
            emit_op(done())
            continue
        if node in visited:
            continue
        while True:
            # Expand node. The op operand it would push last would be popped next: it is expanded at once.
            visit(node)
            if clearing:
                old = node.grad
                if old is not NO_GRADIENT:
                    keep(node)
                    keep_grad(old)
                    node.grad = NO_GRADIENT
            a = node._a
            if type(a) is tuple:
                # Operands already placed are skipped in one C-level test: a parameter is read by every sample.
                if seen_all(a):
                    emit_op(node)
                    break
                waiting = False
                for x in a:
                    if x not in visited:
                        if x._a is None:
                            visit(x)
                            emit_leaf(x)
                        else:
                            if not waiting:
                                waiting = True
                                wait(node)
                                push(None)
                            push(x)
                if not waiting:
                    emit_op(node)
                break
            b = node._b
            if a in visited:
                a = None
            elif a._a is None:
                visit(a)
                emit_leaf(a)
                a = None
            if b is None or b in visited:
                b = None
            elif b._a is None:
                visit(b)
                emit_leaf(b)
                b = None
            if a is None and b is None:
                emit_op(node)
                break
            wait(node)
            push(None)
            if b is None:
                node = a
            else:
                if a is not None:
                    push(a)
                node = b
    return ops, leaves


def trace(root: Value) -> tuple[list[Value], list[tuple[Value, Value]]]:
    """``(nodes, edges)`` of the graph behind ``root``, as in the micrograd lecture.

    Nodes come in topological order. There is one ``(parent, child)`` edge per
    use of an operand, so ``a + a`` gives two edges from ``a``.
    """
    nodes = topological_order(root)
    edges = [(parent, node) for node in nodes for parent in operands(node)]
    return nodes, edges
