"""compile writes a graph that repeats one sample's structure as a loop: the same numbers, far less code.

The witnesses are the eager engine, bit for bit (values and gradients: the
loop adds each gradient up in the order of the engine's walk), and the
straight-line code that compile writes for the same graph when it is too
small to be worth a loop.
"""

from __future__ import annotations

import importlib
import math
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value
from autograd import codegen
from autograd.codegen import Writer
from autograd.loops import MIN_STEPS, find_loops

from test_compile_properties import NUMBERS, build, programs, run


def same(x: float, y: float) -> bool:
    return (x != x and y != y) or (x == y and math.copysign(1.0, x) == math.copysign(1.0, y))


def mlp_loss(neurons: list[list[tuple[list[Value], Value]]]):
    """A hinge loss over a batch, through tanh and relu layers, written as a lecture reader writes it."""

    def loss(params, X, y):
        scores = []
        for x in X:
            h = x
            for n, layer in enumerate(neurons):
                h = [sum((wi * hi for wi, hi in zip(w, h)), b) for w, b in layer]
                h = [v.tanh() if n == 0 else v.relu() for v in h] if n < len(neurons) - 1 else h
            scores.append(h[0])
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        return sum(losses) * (1.0 / len(losses)) + 1e-3 * sum(p * p for p in params)

    return loss


def model(sizes: list[int], rng: random.Random) -> tuple[list[list[tuple[list[Value], Value]]], list[Value]]:
    layers = [[([Value(rng.uniform(-1, 1)) for _ in range(n_in)], Value(0.0)) for _ in range(n_out)]
              for n_in, n_out in zip(sizes, sizes[1:])]
    params = [p for layer in layers for w, b in layer for p in (*w, b)]
    return layers, params


def eager(loss, params, X, y):
    for p in params:
        p.grad = 0.0
    out = loss(params, [[Value(a) for a in x] for x in X], [Value(b) for b in y])
    out.backward()
    return out.data, [p.grad for p in params]


def compiled(step, params, X, y):
    for p in params:
        p.grad = 0.0
    out = step(params, X, y)
    out.backward()
    return out.data, [p.grad for p in params]


def batch(rng: random.Random, n: int) -> tuple[list[list[float]], list[float]]:
    return [[rng.gauss(0, 1), rng.gauss(0, 1)] for _ in range(n)], [rng.choice([-1.0, 1.0]) for _ in range(n)]


def test_a_batch_loss_becomes_one_loop_with_the_eager_numbers_bit_for_bit():
    rng = random.Random(1)
    layers, params = model([2, 8, 8, 1], rng)
    loss = mlp_loss(layers)
    step = autograd.compile(loss)
    for _ in range(3):  # the recording, then new numbers through the same code
        X, y = batch(rng, 40)
        want, got = eager(loss, params, X, y), compiled(step, params, X, y)
        assert same(want[0], got[0])
        assert all(map(same, want[1], got[1]))
    assert step.traces == 1
    source = step.source
    assert source.count("in zip(") == 2  # one loop forward, one backward
    assert "for (X_k_0, X_k_1, y_k,) in zip(" in source  # a column per number of a sample
    # One sample's lines, not forty: far fewer lines than ops.
    program = step._latest.program  # noqa: SLF001 - the recorded program, to count its ops
    assert len(source.splitlines()) < len(program.steps) / 5


def test_the_loop_code_is_the_straight_code_rearranged(monkeypatch):
    """The same graph written without loops (as a graph too small for one is) gives the same floats."""
    rng = random.Random(2)
    layers, params = model([2, 6, 1], rng)
    step = autograd.compile(mlp_loss(layers))
    X, y = batch(rng, 30)
    step(params, X, y)
    version = step._latest  # noqa: SLF001 - the recorded program and its code
    assert find_loops(version.program)
    monkeypatch.setattr(codegen, "find_loops", lambda program: [])
    straight = codegen.generate(Writer(version.program, "straight"))
    assert "for " not in straight.source
    arguments = [p.data for p in params] + [v for x in X for v in x] + y
    out_loop, saved_loop = version.generated.forward(*arguments)
    out_line, saved_line = straight.forward(*arguments)
    assert same(out_loop, out_line)
    assert sorted(saved_loop) == sorted(saved_line)  # the same values, saved in another order
    assert all(map(same, version.generated.backward(saved_loop), straight.backward(saved_line)))


def test_a_running_sum_inside_the_repeats_stays_straight_and_exact():
    """Each step of a recurrence reads the one before: that is not a loop compile writes, so the recurrence is
    straight code; the products u·x, independent of each other, are one loop. The numbers are the engine's."""
    rng = random.Random(3)
    w, u = Value(0.5, "w"), Value(-0.3, "u")

    def rnn(w, u, xs):
        h = Value(0.0) * w
        for x in xs:
            h = (w * h + u * x).tanh()
        return h

    xs = [rng.gauss(0, 1) for _ in range(80)]
    step = autograd.compile(rnn)
    out = step(w, u, xs)
    out.backward()
    got = (out.data, w.grad, u.grad)
    w.grad = u.grad = 0.0
    ref = rnn(w, u, [Value(x) for x in xs])
    ref.backward()
    assert all(map(same, got, (ref.data, w.grad, u.grad)))
    forward = step.source.split("def backward")[0]
    assert forward.count(" = tanh(") == len(xs) and forward.count("in zip(") == 1


def test_a_shared_value_computed_once_is_read_by_every_iteration():
    """A value of the parameters computed once (a norm), then read by every sample: exact either way."""
    rng = random.Random(4)
    layers, params = model([2, 4, 1], rng)

    def loss(params, X, y):
        scale = (sum(p * p for p in params) + 1.0) ** -0.5
        total = []
        for x, t in zip(X, y):
            h = [sum((wi * xi for wi, xi in zip(w, x)), b).tanh() * scale for w, b in layers[0]]
            s = sum((wi * hi for wi, hi in zip(layers[1][0][0], h)), layers[1][0][1])
            total.append((s - t) ** 2)
        return sum(total)

    step = autograd.compile(loss)
    X, y = batch(rng, 25)
    assert all(map(same, [compiled(step, params, X, y)[0], *compiled(step, params, X, y)[1]],
                   [eager(loss, params, X, y)[0], *eager(loss, params, X, y)[1]]))


def test_an_error_in_one_iteration_is_the_eager_error():
    w = Value(1.0, "w")

    def f(w, xs):
        return sum(((w * x).log() * w + x).tanh() for x in xs)

    xs = [1.0 + i for i in range(40)]
    step = autograd.compile(f)
    assert "for " in (step(w, xs), step.source)[1]
    xs[27] = -2.0
    with pytest.raises(ValueError) as got:
        step(w, xs)
    with pytest.raises(ValueError) as want:
        f(w, [Value(x) for x in xs])
    assert str(got.value) == str(want.value)


def batched(one):
    """``one(values, numbers)`` summed over a batch of samples: ``f(values, samples)``."""

    def f(values, samples):
        results = [one(values, numbers) for numbers in samples]
        return sum(results[1:], results[0])

    return f


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(), st.integers(8, 30), st.data())
def test_a_random_per_sample_program_over_a_batch_is_exact(program, n, data):
    """Any program of the op table, run once per sample on shared Values and the sample's own numbers, then
    summed: compiled, loop or not, equals eager bit for bit, on the recorded numbers and on new ones."""
    n_values, n_numbers, steps = program

    f = batched(build(steps))

    step = autograd.compile(f)
    for _ in range(2):
        values = [Value(x) for x in data.draw(st.lists(NUMBERS, min_size=n_values, max_size=n_values))]
        samples = [data.draw(st.lists(NUMBERS, min_size=n_numbers, max_size=n_numbers)) for _ in range(n)]
        expected = run(f, values, samples)
        for v in values:
            v.grad = 0.0
        got = run(step, values, samples)
        if expected[0] == "forward":  # the same error, word for word
            assert got[0] == "forward" and str(got[1]) == str(expected[1]), (got, expected)
        elif expected[0] == "backward" and got[0] == "backward":  # the same error, inside the compiled node's
            assert str(expected[1]) in str(got[1]), (got, expected)
        elif expected[0] == "backward":  # eager also differentiates the numbers (test_compile_properties says why)
            assert "backward: the gradient reaching" in str(expected[1]), (got, expected)
        else:
            assert same(got[0], expected[0]) and all(map(same, got[1], expected[1])), (got, expected)


def test_random_batches_do_make_loops():
    """The property above is worth something only if most of its programs are written as loops."""
    looped = total = 0

    @settings(max_examples=200, deadline=None, database=None)
    @given(programs(), st.integers(8, 30))
    def survey(program, n):
        nonlocal looped, total
        n_values, n_numbers, steps = program
        if len(steps) * n < MIN_STEPS:
            return
        values = [Value(0.5 + i) for i in range(n_values)]
        samples = [[0.25 * (k + 1) + i for i in range(n_numbers)] for k in range(n)]

        step = autograd.compile(batched(build(steps)))
        try:
            step(values, samples)
        except (ValueError, ZeroDivisionError, OverflowError):
            return
        total += 1
        looped += "for " in step.source

    survey()
    assert total >= 30 and looped >= total * 0.8, (looped, total)


def test_a_batch_statistic_read_by_every_sample_is_exact():
    """Features per sample, their batch mean, then each sample against the mean (as batch norm does): the
    second pass reads a different step of the first in each iteration, so only the first is a loop."""
    rng = random.Random(5)
    w = [Value(rng.uniform(-1, 1), f"w{i}") for i in range(3)]

    def loss(w, X):
        features = [(w[0] * x[0] + w[1] * x[1]).tanh() * w[2] for x in X]
        mean = sum(features) * (1.0 / len(features))
        return sum(((f - mean) ** 2).sqrt() for f in features)

    X = [[rng.gauss(0, 1), rng.gauss(0, 1)] for _ in range(40)]
    step = autograd.compile(loss)
    out = step(w, X)
    out.backward()
    got = [out.data, *(v.grad for v in w)]
    for v in w:
        v.grad = 0.0
    want = loss(w, [[Value(a) for a in x] for x in X])
    want.backward()
    assert all(map(same, got, [want.data, *(v.grad for v in w)]))
    assert step.source.count("in zip(") == 2


def test_only_code_without_loops_is_warmed_up_on_the_first_call(monkeypatch):
    """CPython specialises a function after several calls, or once a loop in it has run a while: straight-line code
    is run a few times at the first call (``_Version.warm_up``), code with a loop over the samples needs not be."""
    version_class = importlib.import_module("autograd.compile")._Version  # the module, not the function
    calls: list[int] = []
    original = version_class.warm_up
    monkeypatch.setattr(version_class, "warm_up",
                        lambda self, values, data: calls.append(1) or original(self, values, data))
    rng = random.Random(3)
    layers, params = model([2, 6, 1], rng)
    looped = autograd.compile(mlp_loss(layers))
    X, y = batch(rng, 30)
    want, got = eager(mlp_loss(layers), params, X, y), compiled(looped, params, X, y)
    assert "in zip(" in looped.source and calls == [] and all(map(same, want[1], got[1]))
    small = autograd.compile(lambda a, b: (a * b + a).tanh())
    small(Value(0.5), Value(2.0)).backward()
    assert "for " not in small.source and calls == [1]
