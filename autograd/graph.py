"""Reading a graph: its nodes in topological order, and its edges.

Both walks use an explicit stack, never recursion, so a chain a million ops
deep is fine under Python's default recursion limit.
"""

from __future__ import annotations

from .value import Value, operands


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each after all of its parents; ``root`` last.

    A depth-first search with an explicit stack. Popping a node the first time
    pushes a ``None`` marker and then its parents; by the time the marker comes
    off the stack, all of the node's parents are in ``order``, so the node goes
    in after them (``finished`` holds the nodes whose markers are pending).
    """
    order: list[Value] = []
    visited: set[Value] = set()
    finished: list[Value] = []
    stack: list[Value | None] = [root]
    while stack:
        node = stack.pop()
        if node is None:
            order.append(finished.pop())
        elif node not in visited:
            visited.add(node)
            finished.append(node)
            stack.append(None)
            stack.extend(operands(node))
    return order


def trace(root: Value) -> tuple[list[Value], list[tuple[Value, Value]]]:
    """``(nodes, edges)`` of the graph behind ``root``, as in the micrograd lecture.

    Nodes come in topological order. There is one ``(parent, child)`` edge per
    use of an operand, so ``a + a`` gives two edges from ``a``.
    """
    nodes = topological_order(root)
    edges = [(parent, node) for node in nodes for parent in operands(node)]
    return nodes, edges
