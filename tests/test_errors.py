"""Bad input gets a clear error, and nothing is lost (issue 2, "Bad input")."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, linear, trace

FINITE = st.floats(allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize("data, type_name", [("3", "str"), (None, "NoneType"), (1 + 2j, "complex"),
                                             ([1], "list")])
def test_non_numbers_raise_type_error_naming_the_type(data, type_name):
    with pytest.raises(TypeError, match=type_name):
        Value(data)


def test_adding_a_string_raises_type_error_naming_it():
    with pytest.raises(TypeError, match="str"):
        Value(1.0) + "a"
    with pytest.raises(TypeError, match="str"):
        "a" + Value(1.0)


@pytest.mark.parametrize("data", [math.nan, math.inf, -math.inf])
def test_nan_and_infinite_data_raise_value_error(data):
    with pytest.raises(ValueError, match=repr(data)):
        Value(data)


@pytest.mark.parametrize("make, data, error, op", [
    (lambda v: v.log(), 0.0, ValueError, "log"),
    (lambda v: v.log(), -1.0, ValueError, "log"),
    (lambda v: v.sqrt(), -2.0, ValueError, "sqrt"),
    (lambda v: Value(3.0) / v, 0.0, ZeroDivisionError, "/"),
    (lambda v: 1 / v, 0.0, ZeroDivisionError, "/"),
    (lambda v: v ** -1, 0.0, ZeroDivisionError, "**-1"),
    (lambda v: v ** Value(-2.0), 0.0, ZeroDivisionError, "**"),
    (lambda v: 0 ** v, -2.0, ZeroDivisionError, "**"),
    (lambda v: v ** 0.5, -8.0, ValueError, "**0.5"),
    (lambda v: v ** Value(1 / 3), -8.0, ValueError, "**"),
    (lambda v: v.exp(), 1000.0, OverflowError, "exp"),
], ids=["log(0)", "log(-1)", "sqrt(-2)", "3/x", "1/x", "x**-1", "x**y", "0**x", "x**0.5", "x**y frac", "exp"])
def test_domain_errors_name_the_op_the_value_and_the_label(make, data, error, op):
    culprit = Value(data, "culprit")
    with pytest.raises(error) as raised:
        make(culprit)
    message = str(raised.value)
    assert op in message and repr(data) in message and "culprit" in message, message


@settings(max_examples=300, deadline=None)
@given(FINITE)
def test_sigmoid_tanh_and_softplus_are_finite_for_any_finite_input(x):
    for name in ("sigmoid", "tanh", "softplus"):
        v = Value(x)
        out = getattr(v, name)()
        out.backward()
        assert math.isfinite(out.data) and math.isfinite(v.grad), (name, x)
    assert 0.0 <= Value(x).sigmoid().data <= 1.0 and -1.0 <= Value(x).tanh().data <= 1.0


UNARY = ["neg", "abs", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "softplus", "relu", "leaky_relu"]
BINARY = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b, lambda a, b: a ** b,
          lambda a, b: a ** b.data, lambda a, b: a.data ** b, lambda a, b: linear([a, b], [b, a], a)]
MATH_ERRORS = (ValueError, ZeroDivisionError, OverflowError)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(UNARY + BINARY), FINITE, FINITE)
def test_no_op_silently_turns_finite_inputs_into_nan(op, x, y):
    """Every op on finite inputs gives a finite result and finite gradients, or raises a clear error."""
    a, b = Value(x), Value(y)
    try:
        if isinstance(op, str):
            out = -a if op == "neg" else abs(a) if op == "abs" else getattr(a, op)()
        else:
            out = op(a, b)
    except MATH_ERRORS:
        return
    assert math.isfinite(out.data)
    try:
        out.backward()
    except MATH_ERRORS:
        assert a.grad == b.grad == 0.0  # a failed backward writes nothing
        return
    assert math.isfinite(a.grad) and math.isfinite(b.grad)


def snapshot(root):
    """Every node's data, grad and operands, to see that nothing changed."""
    nodes, _ = trace(root)
    return [(id(n), n.data, n.grad, n.op, tuple(map(id, n.parents))) for n in nodes]


def test_a_failed_op_leaves_the_graph_and_every_grad_as_they_were():
    x, y = Value(-2.0, "x"), Value(3.0, "y")
    out = (x * y).tanh() + x
    out.backward()
    before = snapshot(out)
    for fail in (lambda: out.log(), lambda: (x * y).sqrt(), lambda: out / (y - 3), lambda: (y * 300).exp()):
        with pytest.raises(MATH_ERRORS):
            fail()
        assert snapshot(out) == before


def test_a_failed_backward_leaves_every_grad_as_it_was():
    """sqrt at 0 has an infinite derivative: backward fails after other gradients were computed."""
    x, y, z = Value(0.0, "x"), Value(2.0, "y"), Value(-3.0, "z")
    shared = y * z
    shared.backward()  # grads to keep: y.grad = -3, z.grad = 2, shared.grad = 1
    out = x.sqrt() * shared + shared
    before = snapshot(out)
    with pytest.raises(ZeroDivisionError, match="sqrt") as raised:
        out.backward()
    assert "nothing was written" in str(raised.value)
    assert snapshot(out) == before
    assert (y.grad, z.grad, shared.grad) == (-3.0, 2.0, 1.0)
