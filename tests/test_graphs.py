"""Whole graphs: random expressions with shared subexpressions, and micrograd's README example.

Expressions are drawn by ``autograd.testing.strategies.expressions``: every
op, shared subexpressions and reused operands (``x0 * x0``). The engine's
value must equal the ``math``-only evaluation, its gradients must equal
sympy's exact ones and pass ``gradcheck`` (central differences).
"""

from __future__ import annotations

import math

from hypothesis import given, settings

from autograd import Value, linear_layer, topological_order
from autograd.graph import NO_GRADIENT, sorted_nodes
from autograd.testing import gradcheck
from autograd.testing.strategies import expressions
from sympy_reference import expression_in_sympy, gradient, real_symbols


def close(got: float, expected: float, tolerance: float = 1e-9) -> bool:
    return math.isclose(got, expected, rel_tol=tolerance, abs_tol=tolerance)


@settings(max_examples=150, deadline=None)
@given(expressions(max_depth=5))
def test_random_expressions_match_math_and_central_differences(expr):
    leaves = [Value(x) for x in expr.inputs]
    out = expr(*leaves)
    assert close(out.data, expr(*expr.inputs)), str(expr)
    assert gradcheck(expr, expr.inputs)


@settings(max_examples=60, deadline=None)
@given(expressions(max_depth=4))
def test_random_expressions_match_sympy(expr):
    symbols = real_symbols(len(expr.inputs))
    partials = gradient(expression_in_sympy(expr, symbols), symbols)
    leaves = [Value(x) for x in expr.inputs]
    expr(*leaves).backward()
    for leaf, partial in zip(leaves, partials):
        assert close(leaf.grad, partial(*expr.inputs)), (str(expr), leaf.grad, partial(*expr.inputs))


def _same_sort(out: Value) -> None:
    """``sorted_nodes`` gives ``topological_order``'s op nodes in its order, and every leaf once, untouched."""
    order = topological_order(out)
    for node in order:
        node.grad = 0.5
    cleared: tuple[list[Value], list[Value]] = ([], [])
    ops, leaves = sorted_nodes(out, clear=cleared)
    assert ops == [node for node in order if not node.is_leaf()]
    assert len(leaves) == len(set(leaves)) and set(leaves) == {node for node in order if node.is_leaf()}
    assert len(cleared[0]) == len(ops) and set(cleared[0]) == set(ops)
    assert cleared[1] == [0.5] * len(ops)
    assert all(node.grad is NO_GRADIENT for node in ops) and all(leaf.grad == 0.5 for leaf in leaves)


@settings(max_examples=150, deadline=None)
@given(expressions(max_depth=5))
def test_the_backward_sort_orders_op_nodes_as_topological_order_does(expr):
    _same_sort(expr(*[Value(x) for x in expr.inputs]))


def test_the_backward_sort_orders_fused_layers_as_topological_order_does():
    """Fused nodes whose operands mix leaves, op nodes already placed and op nodes not yet placed."""
    x = [Value(0.5), Value(-1.5)]
    hidden = [z.relu() for z in linear_layer([[Value(0.1 * i), Value(-0.2 * i)] for i in range(4)], x,
                                             [Value(0.0)] * 4)]
    out = linear_layer([[Value(1.0)] * 4, [Value(-1.0)] * 4], hidden, [Value(0.5), x[0]])
    _same_sort(out[0] * out[1] + x[1] * x[1] + hidden[0])
    _same_sort(Value(2.0))


def test_a_shared_subexpression_gets_the_sum_of_its_uses():
    x, y = Value(0.3, "x"), Value(-1.2, "y")
    shared = x * y
    f = shared.tanh() + shared * shared   # f = tanh(xy) + (xy)²
    f.backward()
    dshared = (1 - math.tanh(0.3 * -1.2) ** 2) + 2 * (0.3 * -1.2)
    assert math.isclose(shared.grad, dshared, rel_tol=1e-15)
    assert math.isclose(x.grad, dshared * -1.2, rel_tol=1e-15)
    assert math.isclose(y.grad, dshared * 0.3, rel_tol=1e-15)


def test_micrograd_readme_example_gives_the_published_figures():
    """The expression from micrograd's README, and the figures it publishes: 24.7041, 138.8338, 645.5773."""
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    assert f"{g.data:.4f}" == "24.7041"
    g.backward()
    assert f"{a.grad:.4f}" == "138.8338"
    assert f"{b.grad:.4f}" == "645.5773"
