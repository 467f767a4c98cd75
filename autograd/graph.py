"""Reading a graph: its nodes in topological order, and its edges.

Both walks use an explicit stack, never recursion, so a chain a million ops
deep is fine under Python's default recursion limit.
"""

from __future__ import annotations

from .value import Value, operands


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each after all of its parents; ``root`` last.

    A depth-first search with an explicit stack. A leaf goes straight into
    ``order``. An op node, popped the first time, pushes a ``None`` marker and
    then its operands; by the time the marker comes off the stack, all of its
    operands are in ``order``, so the node goes in after them (``finished``
    holds the nodes whose markers are pending).
    """
    order: list[Value] = []
    visited: set[Value] = set()
    finished: list[Value] = []
    stack: list[Value | None] = [root]
    push, pop, visit, emit = stack.append, stack.pop, visited.add, order.append
    while stack:
        node = pop()
        if node is None:
            emit(finished.pop())
        elif node not in visited:
            visit(node)
            if node._operation is None:
                emit(node)
            else:
                finished.append(node)
                push(None)
                a, b = node._a, node._b  # operands(node), spelt out: this loop is hot
                if type(a) is tuple:
                    stack.extend(a)
                else:
                    push(a)
                    if b is not None:
                        push(b)
    return order


def trace(root: Value) -> tuple[list[Value], list[tuple[Value, Value]]]:
    """``(nodes, edges)`` of the graph behind ``root``, as in the micrograd lecture.

    Nodes come in topological order. There is one ``(parent, child)`` edge per
    use of an operand, so ``a + a`` gives two edges from ``a``.
    """
    nodes = topological_order(root)
    edges = [(parent, node) for node in nodes for parent in operands(node)]
    return nodes, edges
