"""Second and higher derivatives: grad(..., create_graph=True) against sympy and central differences."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, grad
from autograd.testing import gradgradcheck
from autograd.testing.strategies import expressions
from op_cases import OP_CASES
from sympy_reference import expression_in_sympy, hessian, real_symbols


def close(got: float, expected: float, tolerance: float = 1e-9) -> bool:
    return math.isclose(got, expected, rel_tol=tolerance, abs_tol=tolerance)


def engine_hessian(f, xs):
    """∂²f/∂xᵢ∂xⱼ by differentiating the create_graph gradient once more."""
    leaves = [Value(x) for x in xs]
    first = grad(f(*leaves), leaves, create_graph=True)
    return [grad(g, leaves) for g in first]


@pytest.mark.filterwarnings("ignore::autograd.testing.KinkWarning")
@pytest.mark.parametrize("case", OP_CASES, ids=[case.name for case in OP_CASES])
def test_every_op_second_derivatives_match_sympy_and_central_differences(case):
    symbols = real_symbols(len(case.domains))
    exact_hessian = hessian(case.on_symbols(*symbols), symbols)

    @settings(max_examples=25, deadline=None)
    @given(st.tuples(*case.domains))
    def check(xs):
        got = engine_hessian(case.on_values, xs)
        for i, row in enumerate(exact_hessian):
            for j, entry in enumerate(row):
                assert math.isclose(got[i][j], entry(*xs), rel_tol=1e-11, abs_tol=1e-11), (xs, i, j)
        assert gradgradcheck(case.on_values, list(xs))

    check()


@settings(max_examples=40, deadline=None)
@given(expressions(max_depth=3, max_inputs=2))
def test_random_expressions_second_derivatives_match_sympy_and_central_differences(expr):
    symbols = real_symbols(len(expr.inputs))
    exact_hessian = hessian(expression_in_sympy(expr, symbols), symbols)
    got = engine_hessian(expr, expr.inputs)
    for i, row in enumerate(exact_hessian):
        for j, entry in enumerate(row):
            assert close(got[i][j], entry(*expr.inputs)), (str(expr), i, j, got[i][j], entry(*expr.inputs))
    assert gradgradcheck(expr, expr.inputs)


def test_derivatives_of_x_cubed_at_2():
    x = Value(2.0)
    first = grad(x**3, x, create_graph=True)       # 3x² = 12
    second = grad(first, x, create_graph=True)     # 6x  = 12
    third = grad(second, x, create_graph=True)     # 6
    assert (first.data, second.data, third.data) == (12.0, 12.0, 6.0)
    assert grad(third, x) == 0.0


def test_mixed_partials_are_equal_and_exact():
    """f = x²y³ + sin(xy): ∂²f/∂x∂y = 6xy² + cos(xy) − xy·sin(xy), in either order."""
    x, y = Value(0.7), Value(-1.3)
    fx, fy = grad(x**2 * y**3 + (x * y).sin(), [x, y], create_graph=True)
    fxy, fyx = grad(fx, y), grad(fy, x)
    xy = 0.7 * -1.3
    expected = 6 * 0.7 * 1.3**2 + math.cos(xy) - xy * math.sin(xy)
    assert math.isclose(fxy, expected, rel_tol=1e-13)
    assert math.isclose(fyx, expected, rel_tol=1e-13)


def mlp_loss(params, data):
    """A 2-3-1 tanh network's mean squared error over ``data``, built from Values directly."""
    w1, b1, w2, b2 = params[:6], params[6:9], params[9:12], params[12]
    loss = 0.0
    for (u, v), target in data:
        hidden = [autograd.linear(w1[2 * k:2 * k + 2], [u, v], b1[k]).tanh() for k in range(3)]
        out = sum((w * h for w, h in zip(w2, hidden)), b2)
        loss = loss + (out - target) ** 2
    return loss / len(data)


def test_hessian_vector_product_of_an_mlp_loss_matches_central_differences():
    """Hv = ∂/∂ε ∇L(w + εv) at ε = 0, by the engine (grad of ∇L·v) and by central differences of ∇L."""
    rng = random.Random(7)
    theta = [rng.uniform(-1, 1) for _ in range(13)]
    direction = [rng.uniform(-1, 1) for _ in range(13)]
    data = [((rng.uniform(-2, 2), rng.uniform(-2, 2)), rng.choice([-1.0, 1.0])) for _ in range(4)]

    params = [Value(t) for t in theta]
    gradients = grad(mlp_loss(params, data), params, create_graph=True)
    directional = sum((g * v for g, v in zip(gradients, direction)), Value(0.0))
    hvp = grad(directional, params)

    def gradient_at(step):
        point = [Value(t + step * v) for t, v in zip(theta, direction)]
        return grad(mlp_loss(point, data), point)

    eps = 1e-6
    numeric = [(p - m) / (2 * eps) for p, m in zip(gradient_at(eps), gradient_at(-eps))]
    assert any(abs(h) > 1e-2 for h in hvp)  # the check below compares something
    for h, n in zip(hvp, numeric):
        assert math.isclose(h, n, rel_tol=1e-5, abs_tol=1e-7), (h, n)
    assert all(p.grad == 0.0 for p in params)  # grad() leaves .grad alone


def test_sympy_reference_writes_a_formula_whose_kink_branch_is_infinite():
    """d² |sqrt(relu(x))| / dx²: sympy's formula holds zoo in its x = 0 branch; off the kink it is -x^(-3/2)/4."""
    from sympy_reference import SYMPY_OPS

    symbols = real_symbols(1)
    exact_hessian = hessian(abs(SYMPY_OPS["relu"](symbols[0]) ** 0.5), symbols)
    for x in (0.3, 1.3, 2.9):
        got = engine_hessian(lambda v: abs(v.relu() ** 0.5), [x])[0][0]
        assert close(got, -0.25 * x ** -1.5) and close(exact_hessian[0][0](x), got)
