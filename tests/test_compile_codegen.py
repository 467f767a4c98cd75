"""compile writes each op's own forward and rule out as code, by running them on symbols, bit for bit."""

from __future__ import annotations

import builtins
import math
import random

import pytest

import autograd
from autograd import Op, Value
from autograd.ops import TABLE, Family
from autograd.math import FLOAT_KERNELS
from autograd.symbolic import NotSymbolic, Symbol, as_symbol

ROWS = [op for entry in TABLE for op in (
    [entry.make(p) for p in (*entry.examples, 0.0, 1.0, 1 / 3, 4.0)] if isinstance(entry, Family) else [entry])]


def sample(op: Op, rng: random.Random) -> list[float]:
    """Operands inside the op's domain (by its row), with ties, zeros and integers among them."""
    n = op.sample_arity
    while True:
        args = [rng.choice([rng.uniform(-5.0, 5.0), float(rng.randint(-3, 3)), 0.0]) for _ in range(n)]
        if n == 2 and rng.random() < 0.2:
            args[1] = args[0]  # a tie, where max and min give the first operand the gradient
        if op.distance is None or op.distance(*args) > 0:
            try:
                op.forward(*args)
            except (ValueError, ZeroDivisionError, OverflowError):
                continue
            return args


def evaluate(text: str, names: dict[str, float]) -> float:
    return eval(text, {"__builtins__": builtins, **FLOAT_KERNELS}, names)


def same(x: float, y: float) -> bool:
    x, y = float(x), float(y)
    return (x != x and y != y) or (x == y and math.copysign(1, x) == math.copysign(1, y))


@pytest.mark.parametrize("op", ROWS, ids=lambda op: op.name)
def test_every_rule_of_the_table_writes_out_and_computes_what_it_computes_on_floats(op):
    rng = random.Random(op.name)
    names = [f"a{i}" for i in range(op.sample_arity)]
    local = [as_symbol(d).text for d in op.local_grads(Symbol("out"), *map(Symbol, names))]
    assert len(local) == op.sample_arity
    for _ in range(300):
        args = sample(op, rng)
        out = op.forward(*args)
        expected = op.local_grads(out, *args)
        got = [evaluate(t, {**dict(zip(names, args, strict=True)), "out": out}) for t in local]
        assert all(map(same, got, expected)), (op.name, args, local, got, expected)


@pytest.mark.parametrize("op", ROWS, ids=lambda op: op.name)
def test_a_forward_either_writes_out_exactly_or_says_it_cannot(op):
    rng = random.Random(op.name)
    names = [f"a{i}" for i in range(op.sample_arity)]
    try:
        text = as_symbol(op.forward(*map(Symbol, names))).text
    except (NotSymbolic, TypeError):  # math.exp, an `if`: the generated code calls the forward
        return
    for _ in range(300):
        args = sample(op, rng)
        assert same(evaluate(text, dict(zip(names, args, strict=True))), op.forward(*args)), (op.name, args, text)


def test_a_users_op_is_written_out_inline_and_never_calls_back_into_its_rule():
    atan = Op("atan", math.atan, lambda out, a: (1.0 / (1.0 + a * a),))
    step = autograd.compile(lambda x, y: atan(x * y) + x)
    x, y = Value(0.5, label="x"), Value(2.0, label="y")
    out = step(x, y)
    assert "1.0 / (1.0 + mul * mul)" in step.source
    assert "local_grads" not in step.source
    out.backward()
    eager_x, eager_y = Value(0.5), Value(2.0)
    (atan(eager_x * eager_y) + eager_x).backward()
    assert (x.grad, y.grad) == (eager_x.grad, eager_y.grad)


def test_the_built_in_ops_of_a_training_step_are_all_written_out():
    import nn

    model = nn.MLP(2, [4, 1], seed=0)
    X, y = nn.make_moons(8, seed=0)
    step = autograd.compile(lambda params, X, t: nn.hinge_loss([model(x) for x in X], t) + 1e-4 * nn.l2(params))
    step(model.parameters(), X, [2 * c - 1 for c in y])
    assert "local_grads" not in step.source and "linear_forward" not in step.source


def test_a_rule_that_uses_the_math_module_is_called_and_still_right():
    cube_sin = Op("cube_sin", lambda a: math.sin(a) ** 3, lambda out, a: (3 * math.sin(a) ** 2 * math.cos(a),))
    step = autograd.compile(lambda x: cube_sin(x) * x)
    x = Value(0.7)
    step(x).backward()
    assert "cube_sin_local_grads(" in step.source
    e = Value(0.7)
    (cube_sin(e) * e).backward()
    assert x.grad == e.grad


def test_a_forward_that_writes_out_wrongly_is_caught_and_called_instead():
    # On symbols this forward takes the other branch: the written expression would be wrong.
    sneaky = Op("sneaky", lambda a: a * 2.0 if isinstance(a, float) else a * 3.0, lambda out, a: (2.0,))
    step = autograd.compile(lambda x: sneaky(x) + x)
    x = Value(1.5)
    assert step(x).data == 4.5
    assert step(Value(2.0)).data == 6.0
    assert "sneaky_1(x)" in step.source  # the forward itself is called


def test_a_long_sum_is_split_so_that_python_can_compile_it():
    xs = [Value(float(i % 7) - 3.0) for i in range(3000)]
    ws = [Value(0.5) for _ in xs]
    step = autograd.compile(lambda ws, xs: autograd.linear(ws, xs, 1.0))
    out = step(ws, xs)
    eager = autograd.linear([Value(w.data) for w in ws], [Value(x.data) for x in xs], 1.0)
    assert out.data == eager.data
    assert "partial" in step.source
