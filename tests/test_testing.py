"""autograd.testing: gradcheck and gradgradcheck catch and name wrong rules; the strategies draw what they promise."""

from __future__ import annotations

import math
import re
import subprocess
import sys
import warnings

import pytest
from hypothesis import HealthCheck, find, given, settings

from autograd import Op, Value, topological_order
from autograd import ops
from autograd.testing import OPS, Expression, KinkWarning, Node, gradcheck, gradgradcheck
from autograd.testing.strategies import DOMAIN_MARGIN, KINK_MARGIN, VALUE_BOUND, expressions, reals, values

# A user's op with a wrong derivative: d/dx x³ is 3x², not 2x².
WRONG_CUBE = Op("cube", lambda a: a**3, lambda out, a: (2 * a * a,))
RIGHT_CUBE = Op("cube", lambda a: a**3, lambda out, a: (3 * a * a,))
# Right on floats, wrong on Values: on Values it returns a float, so its own derivative is lost.
FLAT_SIN = Op("flat_sin", math.sin, lambda out, a: (math.cos(a.data) if isinstance(a, Value) else math.cos(a),))


# ------------------------------------------------------------------ gradcheck

def test_gradcheck_passes_a_right_function_and_leaves_the_inputs_alone():
    y = Value(0.5, "y")
    assert gradcheck(lambda x, y: RIGHT_CUBE(x) * y + (x * y).tanh() / y.exp(), [2.0, y]) is True
    assert y.grad == 0.0


def test_gradcheck_catches_a_wrong_derivative_and_names_the_op():
    with pytest.raises(AssertionError) as raised:
        gradcheck(lambda x, y: (WRONG_CUBE(x) * y).tanh() + y.log(), [0.7, Value(1.5, "y")])
    message = str(raised.value)
    for column in ("input", "analytic", "numeric", "error"):
        assert column in message
    assert "MISMATCH" in message and "1 of 2" in message
    wrong_rules = message.split("The op whose local derivative rule is wrong:")[1]
    assert "cube" in wrong_rules and "tanh" not in wrong_rules and "log" not in wrong_rules


def test_a_kink_is_reported_as_such_not_as_a_mismatch():
    with pytest.warns(KinkWarning, match="at a kink: relu of 0"):
        assert gradcheck(lambda x: (x * x - 1).relu(), [1.0])
    with pytest.warns(KinkWarning, match="leaky_relu"):
        assert gradcheck(lambda x: (x * 3).leaky_relu(0.1) + x, [2e-7])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gradcheck(lambda x: (x * x - 1).relu(), [1.5])  # far from the kink: no warning


def test_a_kink_does_not_hide_a_wrong_derivative_elsewhere():
    with pytest.raises(AssertionError) as raised:
        gradcheck(lambda x, y: x.relu() + WRONG_CUBE(y), [0.0, 2.0])
    message = str(raised.value)
    assert "at a kink: relu of 0" in message and "1 of 2" in message and "cube" in message


def test_a_point_too_close_to_a_domain_edge_cannot_pass():
    with pytest.raises(AssertionError, match="undefined"):
        gradcheck(lambda x: x.sqrt(), [1e-7])


def test_gradgradcheck_passes_right_second_derivatives():
    assert gradgradcheck(lambda x, y: (x * y).sin() * x + y**3 + x.softplus(), [0.7, -1.2])


def test_gradgradcheck_names_an_op_whose_rule_is_wrong_on_values():
    assert gradcheck(lambda x: FLAT_SIN(x) * x, [0.7])  # first order is right
    with pytest.raises(AssertionError) as raised:
        gradgradcheck(lambda x, y: FLAT_SIN(x) * y, [0.7, 2.0])
    assert "flat_sin: on Values" in str(raised.value)


def test_gradgradcheck_compares_with_the_engines_own_first_order():
    """A wrong first-order rule is gradcheck's to catch: the second order is consistent with it."""
    assert gradgradcheck(lambda x: WRONG_CUBE(x), [1.5])
    with pytest.raises(AssertionError, match="cube"):
        gradcheck(lambda x: WRONG_CUBE(x), [1.5])


def test_a_property_test_catches_a_wrong_engine_rule_and_shrinks_to_a_small_formula(monkeypatch):
    """With tanh' written as 2(1 - tanh²), hypothesis finds and shrinks a failing formula.

    The slip is wrong at every input. (A rule such as 1 - tanh agrees with the
    true derivative at 0, where inputs shrink to, so the shrinker could stop at
    tanh(x0 + 2.0), which keeps the operand away from 0.)
    """
    monkeypatch.setitem(ops.TANH.__dict__, "local_grads", lambda out, a: (2.0 * (1.0 - out * out),))

    def fails(expr: Expression) -> bool:
        try:
            gradcheck(expr, expr.inputs)
        except AssertionError as e:
            assert "tanh: its rule gives" in str(e)
            return True
        return False

    smallest = find(expressions(ops=["+", "*", "sin", "tanh", "exp"]), fails,
                    settings=settings(database=None, max_examples=500, deadline=None,
                                      suppress_health_check=list(HealthCheck)))
    # hypothesis may stop at two inputs, with tanh(x1): still one op on one input
    assert re.fullmatch(r"tanh\(x\d\)", str(smallest)), str(smallest)


# ----------------------------------------------------------------- strategies

def survey(strategy, n=300):
    drawn = []

    @settings(max_examples=n, deadline=None, database=None)
    @given(strategy)
    def collect(x):
        drawn.append(x)

    collect()
    return drawn


def test_expressions_reach_every_op_shared_subexpressions_reused_operands_and_constants():
    seen, shared, reused, constants = set(), 0, 0, 0
    for expr in survey(expressions(max_depth=5)):
        nodes = expr.nodes()
        seen.update(n.op.family or n.op.name if n.op else n.kind for n in nodes)
        uses = [id(o) for n in nodes for o in set(n.operands)]
        shared += any(n.operands and uses.count(id(n)) > 1 for n in nodes)
        reused += any(len(n.operands) == 2 and n.operands[0] is n.operands[1] for n in nodes)
        constants += any(n.kind == "constant" for n in nodes)
    assert seen >= set(OPS) | {"input"}
    assert shared > 20 and reused > 20 and constants > 20, (shared, reused, constants)


@settings(max_examples=200, deadline=None)
@given(expressions(max_depth=5, max_inputs=3, min_value=-2.0, max_value=2.0))
def test_every_node_is_inside_its_domain_and_the_engine_graph_shares_what_the_expression_shares(expr):
    assert 1 <= len(expr.inputs) <= 3 and all(-2.0 <= x <= 2.0 for x in expr.inputs)
    value = {}
    for node in expr.nodes():
        if node.kind == "input":
            value[node] = expr.inputs[int(node.param)]
        elif node.kind == "constant":
            value[node] = node.param
        else:
            op = node.op
            args = [value[o] for o in node.operands]
            assert op.distance is None or op.distance(*args) >= DOMAIN_MARGIN, (str(expr), op, args)
            assert op.kink is None or abs(op.kink(*args)) >= KINK_MARGIN, (str(expr), op, args)
            value[node] = op.forward(*args)
            assert abs(value[node]) <= VALUE_BOUND
    out = expr(*[Value(x) for x in expr.inputs])
    assert len(topological_order(out)) == len(expr.nodes())  # one Value per node: the sharing is kept


def test_an_expression_prints_as_a_readable_formula():
    x0, x1, x2 = (Node("input", param=i) for i in range(3))
    of = Node.of
    product = of(ops.MUL, x0, x1)
    cases = {
        of(ops.ADD, of(ops.TANH, product), product): "tanh(x0 * x1) + x0 * x1",
        of(ops.MUL, of(ops.ADD, x0, x1), x2): "(x0 + x1) * x2",
        of(ops.SUB, x0, of(ops.SUB, x1, x2)): "x0 - (x1 - x2)",
        of(ops.SUB, of(ops.SUB, x0, x1), x2): "x0 - x1 - x2",
        of(ops.NEG, of(ops.ADD, x0, x1)): "-(x0 + x1)",
        of(ops.power(2.0), product): "(x0 * x1)**2",
        of(ops.POW, Node("constant", param=0.5), of(ops.ADD, x0, x1)): "0.5**(x0 + x1)",
        of(ops.POW, x0, x1): "x0**x1",
        of(ops.DIV, Node("constant", param=2.0), of(ops.MUL, x0, x0)): "2.0 / (x0 * x0)",
        of(ops.leaky_relu(0.1), x0): "leaky_relu(x0, 0.1)",
        of(ops.LINEAR, x0, Node("constant", param=-1.0), x1, x2, x0): "x0 + x0 * x1 + -1.0 * x2",
    }
    for root, text in cases.items():
        assert str(Expression(root, [0.5, 1.5, 2.5])) == text


def test_an_expression_on_floats_runs_each_ops_forward_and_on_values_the_engine():
    expr = Expression(Node.of(ops.ADD, Node.of(ops.TANH, Node("input", param=0)), Node("constant", param=2.0)), [0.3])
    assert type(expr(0.3)) is float and expr(0.3) == math.tanh(0.3) + 2.0
    out = expr(Value(0.3))
    assert isinstance(out, Value) and out.data == expr(0.3)
    with pytest.raises(TypeError, match="takes 1 inputs"):
        expr(0.3, 0.4)


def test_a_users_op_goes_into_random_formulas_from_its_row_alone():
    cube_root = ops.Op("cbrt", lambda a: math.copysign(abs(a) ** (1 / 3), a),
                       lambda out, a: (1.0 / (3.0 * out * out),), ops.Domain("an input other than 0", abs))
    drawn = survey(expressions(ops=["+", cube_root, "*"], max_depth=3), 100)
    used = [n for e in drawn for n in e.nodes() if n.op is cube_root]
    assert used and all(abs(e(*e.inputs)) <= VALUE_BOUND for e in drawn)
    for expr in drawn[:20]:
        assert gradcheck(expr, expr.inputs)


def test_reals_and_values_stay_in_their_bounds():
    assert all(-1.5 <= x <= 2.5 for x in survey(reals(-1.5, 2.5), 100))
    drawn = survey(values(0.5, 1.0, label="w"), 50)
    assert all(isinstance(v, Value) and 0.5 <= v.data <= 1.0 and v.label == "w" for v in drawn)


def test_expressions_rejects_unknown_ops_at_once():
    with pytest.raises(ValueError, match="bogus"):
        expressions(ops=["+", "bogus"])


def test_the_engine_and_gradcheck_import_without_hypothesis():
    code = ("import sys, autograd, autograd.testing; "
            "from autograd.testing import gradcheck; "
            "assert gradcheck(lambda x: x.tanh(), [0.3]); "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('hypothesis', 'sympy', 'numpy')); "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
