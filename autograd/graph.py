"""Reading a graph: its nodes in topological order, and its edges.

A node is anything with ``parents`` (a tuple of the nodes it was computed
from, ``()`` for a leaf): the walk reads nothing else, so it needs no import
of ``Value``. Both walks use an explicit stack, never recursion, so a chain a
million ops deep is fine under Python's default recursion limit.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .value import Value


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each after all of its parents; ``root`` last."""
    collecting = gc.isenabled()
    gc.disable()  # the sort makes no cycles; the collector would only rescan the graph's young nodes
    try:
        return ordered(root)[0]
    finally:
        if collecting:
            gc.enable()


def ordered(root: Value) -> tuple[list[Value], list[tuple[Value, ...]]]:
    """``topological_order(root)``, and beside each node its ``parents`` (read once, for the walk).

    A depth-first search with an explicit stack. A leaf goes straight into
    ``order``. An op node, popped the first time, pushes a ``None`` marker and
    then its parents; by the time the marker comes off the stack, all of its
    parents are in ``order``, so the node goes in after them (``finished``
    holds the nodes whose markers are pending, with their parents).
    """
    order: list[Value] = []
    parents_of: list[tuple[Value, ...]] = []
    visited: set[Value] = set()
    finished: list[Value] = []
    finished_parents: list[tuple[Value, ...]] = []
    stack: list[Value | None] = [root]
    push, pop, visit, extend = stack.append, stack.pop, visited.add, stack.extend
    emit, emit_parents = order.append, parents_of.append
    pending, pending_parents, done, done_parents = (finished.append, finished_parents.append,
                                                    finished.pop, finished_parents.pop)
    no_parents: tuple[Value, ...] = ()
    while stack:
        node = pop()
        if node is None:
            emit(done())
            emit_parents(done_parents())
        elif node not in visited:
            visit(node)
            parents = node.parents
            if parents:
                pending(node)
                pending_parents(parents)
                push(None)
                extend(parents)
            else:
                emit(node)
                emit_parents(no_parents)
    return order, parents_of


def trace(root: Value) -> tuple[list[Value], list[tuple[Value, Value]]]:
    """``(nodes, edges)`` of the graph behind ``root``, as in the micrograd lecture.

    Nodes come in topological order. There is one ``(parent, child)`` edge per
    use of an operand, so ``a + a`` gives two edges from ``a``.
    """
    nodes = topological_order(root)
    edges = [(parent, node) for node in nodes for parent in node.parents]
    return nodes, edges
