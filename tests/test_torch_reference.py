"""autograd.testing.torch_reference: PyTorch as a third oracle, and our engine checked against it.

Over every op of the ``expressions`` strategy, the engine's value and gradients
must equal PyTorch's in float64 (to 1e-9, as against sympy in test_graphs.py);
a function written for Values runs unchanged on PyTorch; and the oracle
catches a wrong derivative rule that a few hand-picked points would miss.
"""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import assume, given, settings

from autograd import Op, Value, grad
from autograd.testing import OPS, TorchReference, torch_reference
from autograd.testing.strategies import expressions, reals
from autograd.testing.torch_reference import TORCH_OPS
from autograd.testing.torch_scalar import TorchScalar


def close(got: float, expected: float, tolerance: float = 1e-9) -> bool:
    return math.isclose(got, expected, rel_tol=tolerance, abs_tol=tolerance)


def ours(f, inputs):
    leaves = [Value(x) for x in inputs]
    out = f(*leaves)
    return out.data, grad(out, leaves)


def test_every_op_an_expression_can_hold_has_a_pytorch_version():
    assert set(TORCH_OPS) == set(OPS)


@settings(max_examples=200, deadline=None)
@given(expressions(max_depth=4))
def test_the_engine_agrees_with_pytorch_on_random_expressions(expr):
    value, grads = ours(expr, expr.inputs)
    theirs = torch_reference(expr, expr.inputs)
    assert close(value, theirs.value), (str(expr), value, theirs.value)
    for i, (a, b) in enumerate(zip(grads, theirs.grads, strict=True)):
        assert close(a, b), (str(expr), f"x{i}", a, b)


def everything(x, y):
    """Every operator and method of Value, numbers on either side; kinked at x ∈ {0, 0.1, y} and y ∈ {0, 0.25}."""
    z = (x * y + 1.5) / (2.0 - y) - x ** 2 + 2 ** x + (-y) + abs(y) + (y * y + 1) ** x
    z = z + x.exp() + (x * x + 1).log() + (y * y + 1).sqrt() + x.sin() * y.cos() + (x - y).tanh()
    z = z + x.sigmoid() + y.softplus() + (x - 0.1).relu() + y.leaky_relu(0.2) + x.leaky_relu()
    return z + x.max(y) + y.min(0.25) + x.max(-3.0) * 0.5 + (+x)


@settings(max_examples=100, deadline=None)
@given(reals(-2.0, 2.0), reals(-0.9, 0.9))
def test_a_function_written_for_values_runs_unchanged_on_pytorch_and_agrees(x, y):
    assume(min(abs(x), abs(x - 0.1), abs(x - y), abs(y), abs(y - 0.25)) >= 0.01)  # away from kinks and ties
    value, grads = ours(everything, [x, y])
    theirs = torch_reference(everything, [x, y])
    assert close(value, theirs.value)
    assert all(close(a, b) for a, b in zip(grads, theirs.grads, strict=True)), (grads, theirs.grads)


def test_the_inputs_are_float64_leaves_and_a_value_gives_its_data():
    seen = []

    def f(x, y):
        seen.extend([x.tensor, y.tensor])
        return x * y

    result = torch_reference(f, [Value(3.0, label="x"), 4])
    assert result == TorchReference(12.0, [4.0, 3.0])
    assert all(t.dtype == torch.float64 and t.dim() == 0 and t.requires_grad for t in seen)


def test_an_input_not_used_or_a_constant_result_has_gradient_zero():
    assert torch_reference(lambda x, y: x.tanh(), [0.0, 1.0]) == TorchReference(0.0, [1.0, 0.0])
    assert torch_reference(lambda x: 2.5, [1.0]) == TorchReference(2.5, [0.0])


def test_a_tensor_result_is_taken_and_anything_else_is_refused():
    assert torch_reference(lambda x: torch.sinh(x.tensor), [0.0]) == TorchReference(0.0, [1.0])
    with pytest.raises(TypeError, match="should be a TorchScalar, a 0-d tensor or a number, got list"):
        torch_reference(lambda x: [x], [1.0])


def test_math_on_a_torch_scalar_raises_instead_of_leaving_the_graph():
    with pytest.raises(TypeError):
        torch_reference(lambda x: math.tanh(x), [0.5])
    with pytest.raises(TypeError, match="max takes TorchScalars or real numbers, got str"):
        torch_reference(lambda x: x.max("1"), [0.5])
    with pytest.raises(ValueError, match="0-d float64 tensor"):
        TorchScalar(torch.zeros(2, dtype=torch.float64))


def test_pytorchs_own_conventions_are_kept_where_they_differ_from_ours():
    # A tie of max: PyTorch splits the gradient, our engine gives it to the first operand.
    assert torch_reference(lambda x, y: x.max(y), [1.0, 1.0]).grads == [0.5, 0.5]
    assert ours(lambda x, y: x.max(y), [1.0, 1.0])[1] == [1.0, 0.0]
    # Where our engine raises, PyTorch returns nan.
    assert math.isnan(torch_reference(lambda x: x.log(), [-1.0]).value)
    # softplus is log(1 + e^x) everywhere, with derivative σ(x), also above torch's softplus threshold of 20.
    result = torch_reference(lambda x: x.softplus(), [25.0])
    assert result.grads[0] == pytest.approx(1 / (1 + math.exp(-25.0)), rel=1e-15) and result.grads[0] < 1.0


# A smooth absolute value √(a² + 1), whose derivative is a/√(a² + 1); this rule has a sign slip for a < 0.
wrong_smooth_abs = Op("smooth_abs", lambda a: math.sqrt(a * a + 1.0), lambda out, a: (abs(a) / out,))
right_smooth_abs = Op("smooth_abs", lambda a: math.sqrt(a * a + 1.0), lambda out, a: (a / out,))


def _agrees_with_pytorch(op, x):
    ours_grad = ours(op, [x])[1][0]
    return close(ours_grad, torch_reference(lambda a: (a * a + 1.0) ** 0.5, [x]).grads[0])


@settings(max_examples=100, deadline=None)
@given(reals(-10.0, 10.0))
def test_a_right_op_of_your_own_agrees_with_pytorch(x):
    assert _agrees_with_pytorch(right_smooth_abs, x)


@pytest.mark.parametrize("x", [-3.0, -0.5, -0.01])
def test_a_wrong_derivative_rule_disagrees_with_pytorch(x):
    assert _agrees_with_pytorch(wrong_smooth_abs, -x)   # right for a >= 0 ...
    assert not _agrees_with_pytorch(wrong_smooth_abs, x)   # ... and caught for a < 0
