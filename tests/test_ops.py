"""Every op's value and gradient, against exact sympy derivatives and central differences.

For each way of calling an op (``op_cases.OP_CASES``), hypothesis draws
operands inside the op's domain; the engine's value and ``.grad`` after
``backward()`` must equal sympy's exact value and partial derivatives
(to 1e-12, relative), and ``gradcheck`` must agree (central differences).
At a kink (relu, abs, leaky_relu at 0) sympy's piecewise form gives the
engine's one-sided convention, so kinks are included.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd.ops
from autograd import Op, Value
from autograd.testing import gradcheck
from op_cases import OP_CASES
from sympy_reference import exact, gradient, real_symbols

CASE_IDS = [case.name for case in OP_CASES]


def close(got: float, expected: float) -> bool:
    return math.isclose(got, expected, rel_tol=1e-12, abs_tol=1e-12)


@pytest.mark.filterwarnings("ignore::autograd.testing.KinkWarning")
@pytest.mark.parametrize("case", OP_CASES, ids=CASE_IDS)
def test_value_and_gradient_match_sympy_and_central_differences(case):
    symbols = real_symbols(len(case.domains))
    formula = case.on_symbols(*symbols)
    value, partials = exact(formula, symbols), gradient(formula, symbols)

    @settings(max_examples=60, deadline=None)
    @given(st.tuples(*case.domains))
    def check(xs):
        leaves = [Value(x, f"x{i}") for i, x in enumerate(xs)]
        out = case.on_values(*leaves)
        assert close(out.data, value(*xs)), (xs, out.data, value(*xs))
        out.backward()
        for leaf, partial in zip(leaves, partials):
            assert close(leaf.grad, partial(*xs)), (xs, leaf.label, leaf.grad, partial(*xs))
        assert gradcheck(case.on_values, list(xs))

    check()


def test_every_op_of_the_engine_is_covered():
    """Every row of the op table, x ** number and leaky_relu are among the cases' ops."""
    table = {row.name for row in vars(autograd.ops).values() if isinstance(row, Op)}
    made = {case.on_values(*[Value(0.5 + i) for i in range(len(case.domains))]).op for case in OP_CASES}
    assert table <= made
    assert {"**2", "**3", "**-1", "**-2", "**0.5", "**2.5", "leaky_relu(0.01)", "leaky_relu(0.2)"} <= made
