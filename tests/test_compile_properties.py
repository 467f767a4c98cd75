"""autograd.compile against the eager engine on random expressions: same values, gradients and errors.

Each example is a random straight-line program over a few Value inputs, a few
number inputs and some constants. It runs compiled and eagerly on the numbers
it was recorded with and then on new ones, where branches (relu, abs,
leaky_relu) may flip and domain errors may appear.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value

UNARY = ["neg", "abs", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "softplus", "relu",
         "leaky_relu", "**2", "**3", "**-1", "**0.5"]
BINARY = ["+", "-", "*", "/"]
NUMBERS = st.one_of(st.sampled_from([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0]),
                    st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False))


def apply(name, args):
    """One op on Values (or, for + - * / and linear, numbers too), written as users write it."""
    if name in BINARY or name == "**":
        a, b = args
        if name == "+":
            return a + b
        if name == "-":
            return a - b
        if name == "*":
            return a * b
        return a / b if name == "/" else a ** b
    if name == "linear":
        return autograd.linear(args[0:2], args[2:4], args[4])
    (a,) = args
    if name.startswith("**"):
        return a ** float(name[2:])
    if name == "neg":
        return -a
    if name == "abs":
        return abs(a)
    if name == "leaky_relu":
        return a.leaky_relu(0.1)
    return getattr(a, name)()


@st.composite
def programs(draw):
    """(n_values, n_numbers, steps): each step is (op name, operands), an operand a pool index or a constant.

    The pool holds the Value inputs, then the number inputs, then each step's
    result. Ops that need a Value (the unary ones, **) take one that depends
    on a Value input; + - * / take at least one such operand. So every step
    gives a Value in eager mode too, and no gradient the engine computes
    depends on a constant alone.
    """
    n_values = draw(st.integers(1, 3))
    n_numbers = draw(st.integers(0, 2))
    depends = [True] * n_values + [False] * n_numbers
    steps = []

    def operand(on_input: bool):
        if on_input:
            return draw(st.sampled_from([i for i, d in enumerate(depends) if d]))
        return draw(st.one_of(st.sampled_from(range(len(depends))), NUMBERS.map(lambda c: ("const", c))))

    for _ in range(draw(st.integers(1, 8))):
        name = draw(st.sampled_from(UNARY + BINARY + ["**", "linear"]))
        if name in UNARY:
            operands = [operand(True)]
        elif name == "**":
            operands = [operand(True), operand(True)]
        elif name == "linear":
            operands = [operand(True)] + [operand(False) for _ in range(4)]
        else:
            operands = [operand(True), operand(False)]
            if draw(st.booleans()):
                operands.reverse()
        steps.append((name, operands))
        depends.append(True)
    return n_values, n_numbers, steps


def build(steps):
    """The program as a function; it returns the sum of every step, so that every step counts.

    (A step whose value goes nowhere is not recorded, so a compiled function
    cannot fail there as the eager one would.)
    """
    def f(values, numbers):
        pool = [*values, *numbers]
        for name, operands in steps:
            pool.append(apply(name, [o[1] if isinstance(o, tuple) else pool[o] for o in operands]))
        results = pool[len(values) + len(numbers):]
        return sum(results[1:], results[0])

    return f


def run(f, values, numbers):
    """f's output data and the gradients of the Values, or the exception it raised (forward or backward)."""
    try:
        out = f(values, numbers)
    except (ValueError, ZeroDivisionError, OverflowError) as e:
        return "forward", e
    try:
        out.backward()
    except (ValueError, ZeroDivisionError, OverflowError) as e:
        return "backward", e
    return out.data, [v.grad for v in values]


def close(x: float, y: float) -> bool:
    return math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(), st.data())
def test_compiled_equals_eager_on_random_expressions(program, data):
    n_values, n_numbers, steps = program
    f = build(steps)
    compiled = autograd.compile(f)
    for _ in range(2):  # the recording inputs, then new ones through the same code
        xs = data.draw(st.lists(NUMBERS, min_size=n_values + n_numbers, max_size=n_values + n_numbers))
        labels = [f"v{i}" for i in range(n_values)]
        expected = run(f, [Value(x, label) for x, label in zip(xs, labels)], xs[n_values:])
        got = run(compiled, [Value(x, label) for x, label in zip(xs, labels)], xs[n_values:])
        if expected[0] == "forward":  # the same error, word for word
            assert got[0] == "forward" and type(got[1]) is type(expected[1]) and str(got[1]) == str(expected[1])
        elif expected[0] == "backward" and got[0] == "backward":  # the same error, inside the compiled node's
            assert type(got[1]) is type(expected[1]) and str(expected[1]) in str(got[1])
        elif expected[0] == "backward":
            # Eager mode also differentiates with respect to numbers and constants, and fails if such a
            # gradient overflows (x / 1e-300); compiled code computes the inputs' gradients only. Those
            # must be finite: a gradient that overflows on the way to an input would overflow there too.
            assert "backward: the gradient reaching" in str(expected[1]), (got, expected)
            assert all(math.isfinite(g) for g in got[1])
        else:
            assert got[0] == expected[0]
            assert all(map(close, got[1], expected[1])), (got, expected)
    assert compiled.traces <= 1  # one structure, one recording (none if every call failed)


def test_the_strategy_reaches_branches_errors_and_every_op():
    """The property above is worth something only if its examples cover the ops and the failures."""
    seen_ops, outcomes = set(), set()

    @settings(max_examples=300, deadline=None, database=None)
    @given(programs(), st.lists(NUMBERS, min_size=5, max_size=5))
    def survey(program, xs):
        n_values, n_numbers, steps = program
        seen_ops.update(name for name, _ in steps)
        result = run(build(steps), [Value(x) for x in xs[:n_values]], xs[n_values:n_values + n_numbers])
        outcomes.add(result[0] if isinstance(result[0], str) else "ok")

    survey()
    assert seen_ops == set(UNARY + BINARY + ["**", "linear"])
    assert outcomes == {"ok", "forward", "backward"}


def test_a_failed_recording_leaves_no_version_behind():
    compiled = autograd.compile(lambda v: v.log())
    with pytest.raises(ValueError, match="log failed"):
        compiled(Value(-5.0))
    assert compiled.traces == 0
    assert compiled(Value(1.0)).data == 0.0 and compiled.traces == 1
