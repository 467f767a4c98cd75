"""backward() and grad(): accumulation, the latest pass, deep chains, graph modes, detach."""

from __future__ import annotations

import gc
import sys

import numpy as np

from autograd import Value, enable_grad, grad, is_grad_enabled, no_grad


def build(a, b):
    """A small graph with a shared node: (a·b + a)·tanh(a·b)."""
    ab = a * b
    return (ab + a) * ab.tanh()


def test_backward_twice_gives_exactly_twice_on_leaves():
    a, b = Value(0.8), Value(-1.7)
    out = build(a, b)
    out.backward()
    once = (a.grad, b.grad)
    out.backward()
    assert (a.grad, b.grad) == (2 * once[0], 2 * once[1])


def test_non_leaf_grads_hold_the_latest_pass():
    a, b = Value(0.8), Value(-1.7)
    out = build(a, b)
    ab = out.parents[1].parents[0]  # a·b, under tanh
    out.backward()
    first = ab.grad
    out.backward()
    assert ab.grad == first and out.grad == 1.0
    out.backward(3.0)
    assert ab.grad == 3.0 * first and out.grad == 3.0


def test_a_million_op_chain_backpropagates_under_the_default_recursion_limit():
    assert sys.getrecursionlimit() <= 1000
    x = Value(1.0)
    y = x
    gc.disable()  # the chain has no cycles; scanning a million new nodes only slows the build down
    try:
        for _ in range(1_000_000):
            y = -y  # the cheapest op: one node per step
    finally:
        gc.enable()
    y.backward()
    assert y.data == 1.0 and x.grad == 1.0  # an even number of sign flips


def test_grad_leaves_every_grad_alone_and_unused_inputs_get_zero():
    a, b, unused = Value(0.8), Value(-1.7), Value(5.0)
    out = build(a, b)
    da, db, du = grad(out, [a, b, unused])
    assert du == 0.0
    assert a.grad == b.grad == unused.grad == out.grad == 0.0
    out.backward()
    assert (a.grad, b.grad) == (da, db)
    assert grad(out, a) == da  # one input, one gradient
    zero = grad(out, unused, create_graph=True)
    assert isinstance(zero, Value) and zero.data == 0.0


def test_no_grad_as_context_manager_records_nothing():
    a = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        out = (a * a).exp()
    assert is_grad_enabled()
    assert out.is_leaf() and out.op == "" and out.parents == ()
    out.backward()
    assert a.grad == 0.0


def test_no_grad_as_decorator_and_after_an_exception():
    @no_grad()
    def square(v):
        assert not is_grad_enabled()
        return v * v

    assert square(Value(3.0)).is_leaf()
    assert is_grad_enabled()
    try:
        with no_grad():
            raise RuntimeError
    except RuntimeError:
        pass
    assert is_grad_enabled()


def test_enable_grad_inside_no_grad_records_again():
    a = Value(2.0)
    with no_grad():
        with enable_grad():
            assert is_grad_enabled()
            recorded = a * a
        assert not is_grad_enabled()
    assert recorded.parents == (a, a)
    recorded.backward()
    assert a.grad == 4.0


def test_detach_gives_a_leaf_that_stops_gradients():
    a = Value(3.0, "a")
    d = (a * 2).detach()
    assert d.is_leaf() and d.data == 6.0
    out = d * a
    out.backward()
    assert a.grad == 6.0 and d.grad == 3.0


def test_numpy_float64_is_accepted_as_data_and_as_operand():
    v = Value(np.float64(2.5))
    assert type(v.data) is float and v.data == 2.5
    w = v * np.float64(2.0) + np.float64(1.0)
    assert isinstance(w, Value) and w.data == 6.0
    w.backward()
    assert v.grad == 2.0


def test_power_at_zero_base_has_zero_exponent_derivative():
    """0**b is 0 for every b > 0 near b, so d/db = 0 (and d/da = b·0^(b-1) = 0 for b = 2)."""
    base, exponent = Value(0.0), Value(2.0)
    (base ** exponent).backward()
    assert (base.grad, exponent.grad) == (0.0, 0.0)
    # Against a central difference in the exponent.
    h = 1e-6
    assert abs(((0.0 ** (2.0 + h)) - (0.0 ** (2.0 - h))) / (2 * h)) == exponent.grad


def test_operators_take_the_same_numbers_as_the_constructor():
    from decimal import Decimal
    from fractions import Fraction

    v = Value(2.0)
    for number in (Decimal("1.5"), Fraction(3, 2), np.float64(1.5), 1.5, True):
        assert Value(number).data == float(number)
        assert (v + number).data == 2.0 + float(number)
        assert (number * v).data == float(number) * 2.0
    assert [x.data for x in v + np.array([1.0, 2.0])] == [3.0, 4.0]  # numpy applies + elementwise


def test_lecture_code_reads_op_and_prev_as_micrograd_names_them():
    """The lecture's drawing code builds node ids as ``str(id(n)) + n._op`` and walks ``n._prev``."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    out = a * b + a
    nodes, edges, stack = set(), set(), [out]
    while stack:
        n = stack.pop()
        if n not in nodes:
            nodes.add(n)
            for child in n._prev:
                edges.add((child, n))
                stack.append(child)
    op_ids = {str(id(n)) + n._op for n in nodes if n._op}
    assert out._op == "+" and len(op_ids) == 2 and a._op == "" and len(nodes) == 4 and len(edges) == 4
