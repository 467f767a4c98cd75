"""Issue 11, the engine's part: each test is the attack that once broke a promise."""

from __future__ import annotations

import math
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Op, Value, enable_grad, grad, is_grad_enabled, no_grad
from autograd import math as am
from autograd.testing import gradcheck


# ------------------------------------------------------------ 1. nested compile

def test_a_compiled_function_inside_another_gives_fresh_gradients_on_every_call():
    inner = autograd.compile(lambda a: a * a * a)
    outer = autograd.compile(lambda x: inner(x) + x)
    for value in (1.0, 2.0, -0.5):
        x = Value(value)
        out = outer(x)
        out.backward()
        assert out.data == value ** 3 + value and x.grad == 3 * value ** 2 + 1


def test_a_number_argument_reaches_the_inner_compiled_function():
    inner = autograd.compile(lambda a, k: a * k)
    outer = autograd.compile(lambda x, k: inner(x, k))
    for k in (2.0, 3.0):
        x = Value(1.5)
        outer(x, k).backward()
        assert x.grad == k


# ------------------------------------------------------------ 2. x ** k at 0

def test_powers_at_zero_have_their_true_derivatives():
    x = Value(0.0)
    assert grad(x ** 0, x) == 0.0
    assert grad(1 + 2 * x + 3 * x ** 2, x) == 2.0
    assert grad(x ** 0 + 2 * x ** 1 + 3 * x ** 2, x) == 2.0
    assert grad(grad(x ** 1, x, create_graph=True), x) == 0.0
    third = grad(grad(grad(x ** 2, x, create_graph=True), x, create_graph=True), x)
    assert third == 0.0


# ------------------------------------------------------------ 3. users' rules

def test_a_rule_with_too_few_derivatives_is_an_error_naming_the_op():
    short = Op("short", lambda a, b: a * b, lambda out, a, b: (b,))
    with pytest.raises(TypeError, match="short.*1 operand|short.*2 operand"):
        short(Value(1.0), Value(2.0)).backward()
    unary_short = Op("nothing", lambda a, b, c: a, lambda out, a, b, c: (1.0, 0.0))
    with pytest.raises(TypeError, match="nothing"):
        unary_short(Value(1.0), Value(2.0), Value(3.0)).backward()


def test_a_forward_that_returns_a_value_or_a_huge_int_is_an_error_naming_the_op():
    leaky = Op("leaky", lambda a: Value(a), lambda out, a: (1.0,))
    with pytest.raises(TypeError, match="leaky"):
        leaky(Value(1.0))
    huge = Op("huge", lambda a: 10 ** 400, lambda out, a: (0.0,))
    with pytest.raises(OverflowError, match="huge"):
        huge(Value(1.0))


def test_a_rule_that_returns_a_value_in_a_plain_backward_is_an_error_naming_the_op():
    sneaky = Op("sneaky", lambda a: 2 * a, lambda out, a: (Value(2.0),))
    x = Value(1.0)
    with pytest.raises(TypeError, match="sneaky"):
        sneaky(x).backward()
    assert x.grad == 0.0 and type(x.grad) is float


def test_a_bug_inside_a_rule_surfaces_as_itself_not_as_a_not_finite_derivative():
    def rule(out, a):
        raise ValueError("my rule is broken")
    broken = Op("broken", lambda a: a, rule)
    with pytest.raises(ValueError, match="my rule is broken") as raised:
        broken(Value(1.0)).backward()
    assert "not finite" not in str(raised.value)
    assert any("broken" in note for note in raised.value.__notes__)


def test_a_rule_that_gives_a_value_to_the_math_module_during_create_graph_is_refused():
    wrong = Op("wrong_sin", math.sin, lambda out, a: (math.cos(a),))
    right = Op("right_sin", math.sin, lambda out, a: (am.cos(a),))
    x = Value(0.5)
    with pytest.raises(TypeError, match="wrong_sin.*autograd.math"):
        grad(grad(wrong(x), x, create_graph=True), x)
    assert grad(grad(right(x), x, create_graph=True), x) == pytest.approx(-math.sin(0.5), abs=1e-15)
    assert grad(wrong(x), x) == math.cos(0.5)  # first order on floats is fine


# ------------------------------------------------------------ 4. grad mode per thread

def test_no_grad_in_one_thread_leaves_recording_on_in_another():
    entered, release = threading.Event(), threading.Event()

    def evaluate():
        with no_grad():
            entered.set()
            release.wait(5)

    worker = threading.Thread(target=evaluate)
    worker.start()
    entered.wait(5)
    x = Value(3.0)
    (x * x).backward()
    release.set()
    worker.join()
    assert x.grad == 6.0 and is_grad_enabled()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["no_grad", "enable_grad", "train"]), min_size=1, max_size=12),
                min_size=2, max_size=4))
def test_random_interleavings_of_grad_modes_across_threads_lose_no_gradient(programs):
    barrier = threading.Barrier(len(programs))
    failures: list[str] = []

    def run(program: list[str]) -> None:
        barrier.wait(5)
        with enable_grad():
            for step in program:
                if step == "train":
                    x = Value(2.0)
                    (x * x * x).backward()
                    if x.grad != 12.0:
                        failures.append(f"lost a gradient: {x.grad}")
                else:
                    mode = no_grad() if step == "no_grad" else enable_grad()
                    with mode:
                        x = Value(1.0)
                        y = x * 2.0
                        if (y.parents != ()) != (step == "enable_grad"):
                            failures.append(f"{step} did not hold in its own thread")

    threads = [threading.Thread(target=run, args=(p,)) for p in programs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures and is_grad_enabled()


# ------------------------------------------------------------ 7, 8. compile's source

def test_a_function_name_with_a_newline_stays_inside_the_comment(tmp_path: Path):
    marker = tmp_path / "ran"

    def f(x):
        return x * 2.0
    f.__name__ = f"f\nopen({str(marker)!r}, 'w').write('x')\n#"
    step = autograd.compile(f)
    assert step(Value(1.0)).data == 2.0
    assert not marker.exists()
    assert step.source.splitlines()[0].startswith("# f\\nopen(")


def test_a_numpy_constant_is_written_as_a_float_literal():
    k = Value(1.0)
    k.data = np.float64(2.0)
    step = autograd.compile(lambda x: x * k + k)
    x = Value(3.0)
    out = step(x)
    out.backward()
    assert out.data == 8.0 and x.grad == 2.0
    assert "np." not in step.source and "float64" not in step.source


# ------------------------------------------------------------ 11. messages and types

def test_numbers_beyond_float_range_name_the_op_value_and_label():
    with pytest.raises(OverflowError, match="'big'"):
        Value(10 ** 400, label="big")
    v = Value(1.5, label="v")
    with pytest.raises(OverflowError, match=r"\*.*1\.5.*'v'"):
        v * 10 ** 400
    with pytest.raises(ValueError, match="NaN"):
        Value(2) ** math.nan


@pytest.mark.parametrize("attack", [
    lambda: Value(1.0).leaky_relu("0.1"),
    lambda: Value(1.0).leaky_relu(b"1"),
    lambda: Value(1.0).backward("2"),
    lambda: Value(1, label=5),
    lambda: grad(Value(1.0) * 2, [Value(1.0).data]),
    lambda: grad(Value(1.0) * 2, "x"),
])
def test_wrong_types_are_type_errors(attack):
    with pytest.raises(TypeError):
        attack()


@pytest.mark.parametrize("kwargs, named", [({"eps": 0}, "eps"), ({"eps": math.nan}, "eps"),
                                           ({"atol": -1.0}, "atol"), ({"rtol": "1"}, "rtol")])
def test_gradcheck_names_a_bad_setting(kwargs, named):
    with pytest.raises((TypeError, ValueError), match=named):
        gradcheck(lambda x: x * x, [1.0], **kwargs)
    with pytest.raises(TypeError, match=r"inputs\[0\]"):
        gradcheck(lambda x: x * x, ["1.0"])


# ------------------------------------------------------------ 12. compile of a very large graph

def test_compile_refuses_a_graph_too_large_to_write_out_and_says_what_to_do(monkeypatch):
    monkeypatch.setattr(sys.modules["autograd.compile"], "MAX_STEPS", 1000)

    def long_chain(x):
        for _ in range(1001):
            x = x * 1.0001
        return x
    with pytest.raises(autograd.GraphTooLarge, match=r"1001 ops.*1000.*eagerly") as info:
        autograd.compile(long_chain)(Value(1.0))
    assert isinstance(info.value, ValueError)  # as it was before it had a class of its own
