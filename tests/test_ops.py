"""Every op's value and gradient, against exact sympy derivatives and central differences.

For each way of calling an op (``op_cases.OP_CASES``), hypothesis draws
operands inside the op's domain; the engine's value and ``.grad`` after
``backward()`` must equal sympy's exact value and partial derivatives
(to 1e-12, relative), and ``gradcheck`` must agree (central differences).
At a kink (relu, abs, leaky_relu at 0; max and min on a tie) the sympy
reference (a step with its value at 0 given) takes the engine's one-sided
convention, so kinks are included.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd.ops
from autograd import Op, Value
from autograd.testing import KinkWarning, gradcheck
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


@pytest.mark.parametrize("method", ["max", "min"])
def test_max_and_min_give_a_tie_to_the_first_operand_which_gradcheck_calls_a_kink(method):
    a, b = Value(1.5, "a"), Value(1.5, "b")
    out = getattr(a, method)(b)
    out.backward()
    assert (out.op, out.parents, out.data, a.grad, b.grad) == (method, (a, b), 1.5, 1.0, 0.0)
    with pytest.warns(KinkWarning, match=f"at a kink: {method} of 1.5, 1.5"):
        assert gradcheck(lambda a, b: getattr(a, method)(b), [1.5, 1.5])
    # a tie in reach through a steep path: x·1000 moves by 1e-3 when x moves by eps = 1e-6
    with pytest.warns(KinkWarning, match=f"at a kink: {method} of 0, 0.0005"):
        assert gradcheck(lambda x, y: getattr(x * 1000.0, method)(y), [0.0, 5e-4])


def test_pythons_max_picks_a_node_where_the_method_records_an_op():
    a, b = Value(1.0), Value(2.0)
    assert max(a, b) is b and min(a, b) is a
    assert a.max(b).parents == (a, b) and a.max(b).op == "max"
