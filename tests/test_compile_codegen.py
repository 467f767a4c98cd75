"""The inline expressions of autograd.codegen agree with the op table's own rules, bit for bit."""

from __future__ import annotations

import builtins
import random

import pytest

from autograd import ops
from autograd.codegen import HELPERS, forward_expression, local_grad_expressions
from autograd.ops import LINEAR, Op, leaky_relu, power

TABLE = [v for v in vars(ops).values() if isinstance(v, Op)]  # every row of the table, LINEAR included
PARAMETRISED = [power(2.0), power(3.0), power(-1.0), power(-2.0), power(0.5), power(1.5), power(0.0),
                leaky_relu(0.01), leaky_relu(0.2), leaky_relu(1.0)]
# Inputs each op accepts: all reals, except where its domain is narrower.
POSITIVE = {"log", "sqrt", "**0.5", "**1.5"}


BINARY = {"+", "-", "*", "/", "**", "max", "min"}


def arity(op: Op) -> int:
    return 7 if op is LINEAR else 2 if op.name in BINARY else 1


def sample(op: Op, rng: random.Random) -> list[float]:
    if op.name in {"max", "min"} and rng.random() < 0.3:  # a tie, where the first operand takes the gradient
        x = rng.choice([rng.uniform(-5.0, 5.0), 0.0])
        return rng.choice([[x, x], [0.0, -0.0], [-0.0, 0.0]])
    if op.name == "**" and rng.random() < 0.2:  # a zero base, where ∂/∂exponent is 0 rather than 0·log 0
        return [0.0, rng.uniform(1.0, 3.0)]
    if op.name in POSITIVE or op.name == "**":  # a base > 0 for a real power of any exponent
        return [rng.uniform(0.01, 5.0)] + [rng.uniform(-3.0, 3.0) for _ in range(arity(op) - 1)]
    if op.name == "exp":
        return [rng.uniform(-50.0, 50.0)]
    values = [rng.choice([rng.uniform(-5.0, 5.0), float(rng.randint(-3, 3))]) for _ in range(arity(op))]
    if op.name == "/" and values[1] == 0.0:
        values[1] = 0.5
    if op.name.startswith("**") and op.name != "**" and values[0] == 0.0:
        values[0] = 1.5
    return values


def evaluate(expression: str, args: list[float], out: float | None = None) -> float:
    names = {f"a{i}": x for i, x in enumerate(args)} | {"out": out} | HELPERS
    return eval(expression, {"__builtins__": builtins}, names)


def same(x: float, y: float) -> bool:
    return x == y or (x != x and y != y)


def test_the_table_is_read_whole():
    assert {op.name for op in TABLE} >= {"+", "-", "*", "/", "**", "neg", "abs", "exp", "log", "sqrt", "sin",
                                         "cos", "tanh", "sigmoid", "softplus", "relu", "max", "min",
                                         "Σwx+b"}


@pytest.mark.parametrize("op", TABLE + PARAMETRISED, ids=lambda op: op.name)
def test_every_inline_derivative_equals_the_tables_rule(op):
    rng = random.Random(op.name)
    names = [f"a{i}" for i in range(arity(op))]
    expressions = local_grad_expressions(op, "out", names)
    assert expressions is not None, f"{op.name} has no inline derivative: the generated backward would call it"
    assert len(expressions) == arity(op)
    for _ in range(200):
        args = sample(op, rng)
        out = op.forward(*args)
        expected = op.local_grads(out, *args)
        got = [evaluate(e, args, out) for e in expressions]
        assert all(map(same, got, expected)), (op.name, args, got, expected)


@pytest.mark.parametrize("op", TABLE + PARAMETRISED, ids=lambda op: op.name)
def test_every_inline_forward_equals_the_tables_forward(op):
    rng = random.Random(op.name)
    names = [f"a{i}" for i in range(arity(op))]
    expression = forward_expression(op, names)
    if expression is None:  # called, not inlined: the table's forward itself runs
        assert op.name in {"**", "abs", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "softplus",
                           "**0.5", "**1.5"}
        return
    for _ in range(200):
        args = sample(op, rng)
        assert same(evaluate(expression, args), op.forward(*args)), (op.name, args)


def test_the_common_ops_are_inline_not_called():
    names = ["a0", "a1"]
    for op in (ops.ADD, ops.SUB, ops.MUL, ops.DIV, ops.MAX, ops.MIN):
        assert forward_expression(op, names) is not None
    for op in (ops.NEG, ops.RELU, power(2.0), leaky_relu(0.1)):
        assert forward_expression(op, names[:1]) is not None
    assert forward_expression(LINEAR, ["w", "x", "b"]) == "b + w * x"


def test_an_exponent_read_back_from_a_rounded_name_is_not_trusted():
    third = power(1 / 3)  # named **0.333333: that is not its exponent
    assert forward_expression(third, ["a0"]) is None
    assert local_grad_expressions(third, "out", ["a0"]) is None


def test_a_user_op_is_called_not_inlined():
    cube = Op("cube", lambda a: a ** 3, lambda out, a: (3 * a * a,))
    assert forward_expression(cube, ["a0"]) is None
    assert local_grad_expressions(cube, "out", ["a0"]) is None
