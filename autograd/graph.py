"""Reading a graph: its nodes in topological order, and its edges.

A node is anything with ``parents`` (a tuple of the nodes it was computed
from, ``()`` for a leaf): the walk reads nothing else, so it needs no import
of ``Value``. Both walks use an explicit stack, never recursion, so a chain a
million ops deep is fine under Python's default recursion limit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .value import Value


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each after all of its parents; ``root`` last.

    A depth-first search with an explicit stack. A leaf goes straight into
    ``order``. An op node, popped the first time, pushes a ``None`` marker and
    then its parents; by the time the marker comes off the stack, all of its
    parents are in ``order``, so the node goes in after them (``finished``
    holds the nodes whose markers are pending).
    """
    order: list[Value] = []
    visited: set[Value] = set()
    finished: list[Value] = []
    stack: list[Value | None] = [root]
    push, pop, visit, emit, extend = stack.append, stack.pop, visited.add, order.append, stack.extend
    while stack:
        node = pop()
        if node is None:
            emit(finished.pop())
        elif node not in visited:
            visit(node)
            parents = node.parents
            if parents:
                finished.append(node)
                push(None)
                extend(parents)
            else:
                emit(node)
    return order


def trace(root: Value) -> tuple[list[Value], list[tuple[Value, Value]]]:
    """``(nodes, edges)`` of the graph behind ``root``, as in the micrograd lecture.

    Nodes come in topological order. There is one ``(parent, child)`` edge per
    use of an operand, so ``a + a`` gives two edges from ``a``.
    """
    nodes = topological_order(root)
    edges = [(parent, node) for node in nodes for parent in node.parents]
    return nodes, edges
