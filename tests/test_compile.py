"""autograd.compile: one fused node, the eager engine's numbers and gradients, its cache, its errors, its source."""

from __future__ import annotations

import math
import random
import re

import pytest

import autograd
import nn
from autograd import Value


def neuron_expression(a, b, xs):
    """A little of everything: a label, a reused value, branches (relu, abs, leaky_relu), calls (exp, tanh)."""
    c = a * b + a
    c.label = "c"
    return (c.relu() + abs(b) * xs[0]).tanh() + (a / b).exp() - c ** 2 + b.leaky_relu(0.1) * xs[1]


def eager(f, args):
    """f run on fresh copies of the Values in args: its output, and the gradient of each copy."""
    copies = []

    def copy(x):
        if isinstance(x, Value):
            copies.append(Value(x.data, x.label))
            return copies[-1]
        return type(x)(map(copy, x)) if isinstance(x, (list, tuple)) else x

    out = f(*map(copy, args))
    out.backward()
    return out.data, [v.grad for v in copies]


def grads(values):
    return [v.grad for v in values]


def eager_in_place(f, params, *args):
    """f run on the Values themselves (a model's parameters, closed over by f): output and gradients."""
    for p in params:
        p.grad = 0.0
    out = f(params, *args)
    out.backward()
    result = out.data, grads(params)
    for p in params:
        p.grad = 0.0
    return result


# ---------------------------------------------------------------- the node


def test_the_result_is_one_node_whose_parents_are_the_inputs():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    out = autograd.compile(neuron_expression)(a, b, [0.5, 2.0])
    assert out.parents == (a, b)
    assert out.op == "compile(neuron_expression)"
    assert autograd.topological_order(out) == [b, a, out] or set(autograd.topological_order(out)) == {a, b, out}
    assert out.operation.forward(a.data, b.data) == out.data  # the row's forward is the generated code


def test_every_call_s_node_is_written_as_the_call_over_its_inputs():
    def product(a: Value, b: Value) -> Value:
        return a * b

    f = autograd.compile(product)
    x, y = Value(2.0), Value(3.0)
    for node in (f(x, y), f(x, y)):  # the second call reuses the first call's form
        assert node.operation.display == "compile(product)({0}, {1})"
        assert node.operation.write([("x", 5), ("y", 5)])[0] == "compile(product)(x, y)"


def test_value_and_gradients_equal_the_eager_engines_bit_for_bit():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    out = autograd.compile(neuron_expression)(a, b, [0.5, 2.0])
    out.backward()
    assert (out.data, grads([a, b])) == eager(neuron_expression, [a, b, [0.5, 2.0]])


def test_many_inputs_one_input_and_none():
    xs = [Value(float(i) - 1.5) for i in range(5)]
    out = autograd.compile(lambda vs: sum(v * v for v in vs))(xs)
    out.backward()
    assert out.parents == tuple(xs) and grads(xs) == [2 * x.data for x in xs]

    x = Value(3.0)
    out = autograd.compile(lambda v: v.exp())(x)
    assert out.parents == (x,)
    out.backward()
    assert x.grad == math.exp(3.0)

    out = autograd.compile(lambda p, q: (Value(p.data) * 2).exp())(1.0, 2.0)  # numbers only: a leaf
    assert out.is_leaf() and out.data == math.exp(2.0)


def test_leaves_accumulate_across_calls_as_eagerly():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    cf = autograd.compile(neuron_expression)
    cf(a, b, [0.5, 2.0]).backward()
    cf(a, b, [0.5, 2.0]).backward()
    _, once = eager(neuron_expression, [a, b, [0.5, 2.0]])
    assert grads([a, b]) == [2 * g for g in once]

    out = cf(a, b, [0.5, 2.0])
    out.backward()
    out.backward()  # twice through the same node: twice more
    assert grads([a, b]) == [4 * g for g in once]


def test_a_non_leaf_input_passes_the_gradient_on_to_its_own_graph():
    x = Value(1.5, "x")
    h = x * x  # made outside f
    out = autograd.compile(lambda v: v.tanh() * 3.0)(h)
    assert out.parents == (h,)
    out.backward()
    assert x.grad == pytest.approx(3.0 * (1 - math.tanh(2.25) ** 2) * 2 * 1.5, rel=1e-15)


def test_the_same_value_passed_twice_is_one_input_and_keyed_apart():
    cf = autograd.compile(lambda p, q: p * q + p)
    a, b = Value(3.0), Value(5.0)
    out = cf(a, a)
    assert out.parents == (a,)
    out.backward()
    assert a.grad == 2 * 3.0 + 1  # d(a·a + a)/da
    out = cf(a, b)
    assert out.parents == (a, b) and out.data == 18.0 and cf.traces == 2


def test_grad_and_no_grad_work_on_the_fused_node():
    a, b = Value(2.0), Value(-3.0)
    cf = autograd.compile(neuron_expression)
    assert autograd.grad(cf(a, b, [0.5, 2.0]), [a, b]) == eager(neuron_expression, [a, b, [0.5, 2.0]])[1]
    with autograd.no_grad():
        out = cf(a, b, [0.5, 2.0])
    assert out.is_leaf() and out.data == eager(neuron_expression, [a, b, [0.5, 2.0]])[0]


def test_the_gradient_cannot_be_differentiated_again():
    x = Value(2.0)
    with pytest.raises(NotImplementedError, match="create_graph"):
        autograd.grad(autograd.compile(lambda v: v * v)(x), x, create_graph=True)


# --------------------------------------------------------- numbers and cache


def test_numbers_passed_in_are_read_again_on_every_call():
    w = Value(0.5, "w")
    cf = autograd.compile(lambda w, X, y: sum(((w * x - t) ** 2 for x, t in zip(X, y)), Value(0.0)))
    for X, y in ([1.0, 2.0, 3.0], [1.0, 0.0, 2.0]), ([-1.0, 4.0, 0.5], [2.0, 2.0, -1.0]):
        w.grad = 0.0
        out = cf(w, X, y)
        out.backward()
        assert (out.data, [w.grad]) == eager(cf.__wrapped__, [w, X, y])
    assert cf.traces == 1
    assert out.parents == (w,)  # the numbers get no gradient


def test_ints_and_other_reals_are_numbers_like_floats():
    from fractions import Fraction
    x = Value(2.0)
    cf = autograd.compile(lambda x, k: x * k)
    assert cf(x, 3).data == 6.0 and cf(x, Fraction(1, 4)).data == 0.5 and cf(x, True).data == 2.0
    assert cf.traces == 1


def test_the_structure_keys_the_cache():
    cf = autograd.compile(lambda xs: sum(xs[1:], xs[0] * 1.0))
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    assert cf([a, b]).data == 3.0 and cf.traces == 1
    assert cf([b, c]).data == 5.0 and cf.traces == 1  # same structure, other Values: hit
    assert cf([a, b, c]).data == 6.0 and cf.traces == 2  # another length
    assert cf([a, 2.0]).data == 3.0 and cf.traces == 3  # a number where a Value was
    assert cf((a, b)).data == 3.0 and cf.traces == 4  # a tuple, not a list
    assert cf([c, a]).data == 4.0 and cf.traces == 4  # all four are kept
    assert "4 version(s)" in repr(cf)


def test_control_flow_on_data_is_fixed_when_recorded_but_branches_inside_ops_follow():
    def f(x):
        return x * 2.0 if x.data > 0 else x * -1.0  # Python control flow: recorded once

    cf = autograd.compile(f)
    assert cf(Value(3.0)).data == 6.0
    assert cf(Value(-3.0)).data == -6.0  # the recorded branch, not f's (which gives 3.0)

    g = autograd.compile(lambda x: x.relu() + abs(x) * 10.0 + x.leaky_relu(0.5) * 100.0)
    for v in (2.0, -2.0, 0.0, 5.0, -1.0):
        x = Value(v)
        out = g(x)
        out.backward()
        assert (out.data, [x.grad]) == eager(g.__wrapped__, [x])


def test_max_and_min_follow_new_inputs_where_pythons_max_is_fixed_when_recorded():
    def f(a, b, c):
        return a.max(b) * 3.0 + b.min(c) * c.max(2.0) + max(a, c)  # builtin max picks a node, once

    def recorded_path(a, b, c):  # f as recorded at a = 1, c = 0.5: max(a, c) was a
        return a.max(b) * 3.0 + b.min(c) * c.max(2.0) + a

    cf = autograd.compile(f)
    cf(Value(1.0, "a"), Value(-2.0, "b"), Value(0.5, "c"))  # recorded where a > b, b < c, c < 2
    assert "(a if a >= b else b)" in cf.source and "(b if b <= c else c)" in cf.source
    # every branch flipped: ∂/∂a = 1 (the frozen + a), ∂/∂b = 3 + max(c, 2) = 6, ∂/∂c = min(b, c) = 1
    xs = [Value(-2.0), Value(1.0), Value(3.0)]
    out = cf(*xs)
    out.backward()
    assert (out.data, grads(xs)) == (3.0 + 3.0 - 2.0, [1.0, 6.0, 1.0])
    # and the eager engine's numbers, ties included (the first operand takes the gradient)
    for values in ([1.0, -2.0, 0.5], [-2.0, 1.0, 3.0], [0.5, 0.5, 2.0], [4.0, 2.5, 2.5], [0.0, 0.0, 0.0]):
        xs = [Value(v, label) for v, label in zip(values, "abc")]
        out = cf(*xs)
        out.backward()
        assert (out.data, grads(xs)) == eager(recorded_path, xs), values
    assert "1 version(s)" in repr(cf)


def test_a_closed_over_value_is_a_constant_frozen_when_recorded():
    scale = Value(2.0)
    cf = autograd.compile(lambda x: x * scale)
    x = Value(3.0)
    assert cf(x).data == 6.0
    scale.data = 10.0
    out = cf(x)
    out.backward()
    assert out.data == 6.0 and out.parents == (x,) and scale.grad == 0.0


# ---------------------------------------------------------------- an MLP


def make_mlp(rng, sizes):
    return [[([Value(rng.uniform(-1, 1), f"w{l}.{n}.{i}") for i in range(nin)], Value(0.0, f"b{l}.{n}"))
             for n in range(nout)] for l, (nin, nout) in enumerate(zip(sizes, sizes[1:]))]


def mlp_loss(layers, fused):
    def forward(x):
        for depth, layer in enumerate(layers):
            acts = [autograd.linear(ws, x, b) if fused else sum((w * xi for w, xi in zip(ws, x)), b)
                    for ws, b in layer]
            x = [act.relu() for act in acts] if depth < len(layers) - 1 else acts
        return x[0]

    def loss(params, X, y):
        losses = [(1 + -yi * forward(x)).relu() for x, yi in zip(X, y)]
        return sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in params)

    return loss


def train_compiled_against_eager(loss, params, rng, steps=3, points=12):
    """SGD through the compiled loss, a new batch every step, each step checked against eager mode."""
    cf = autograd.compile(loss)
    for _ in range(steps):  # the numbers are inputs, not constants: new ones give new answers
        X = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(points)]
        y = [rng.choice([-1.0, 1.0]) for _ in X]
        expected = eager_in_place(loss, params, X, y)
        out = cf(params, X, y)
        out.backward()
        assert out.data == pytest.approx(expected[0], rel=1e-12, abs=1e-12)
        assert grads(params) == pytest.approx(expected[1], rel=1e-12, abs=1e-12)
        for p in params:  # so the next call also sees new parameters
            p.data -= 0.1 * p.grad
            p.grad = 0.0
    assert cf.traces == 1


@pytest.mark.parametrize("fused", [True, False], ids=["linear", "granular"])
def test_an_mlp_loss_and_its_gradients_equal_eager_on_new_batches_too(fused):
    rng = random.Random(0)
    layers = make_mlp(rng, [2, 6, 6, 1])
    params = [p for layer in layers for ws, b in layer for p in (*ws, b)]
    train_compiled_against_eager(mlp_loss(layers, fused), params, rng)


def test_nn_mlp_trains_through_compile():
    model = nn.MLP(2, [8, 8, 1])

    def loss(params, X, y):
        scores = [model(x) for x in X]
        return sum((1 + -yi * s).relu() for yi, s in zip(y, scores)) * (1.0 / len(X))

    train_compiled_against_eager(loss, model.parameters(), random.Random(1))


# ---------------------------------------------------------------- errors


def eager_error(f, *args):
    with pytest.raises(Exception) as info:
        f(*args)
    return info.value


def test_a_domain_error_for_new_inputs_is_the_eager_error_naming_op_and_label():
    def f(x, k):
        h = x * k
        h.label = "h"
        return h.log()

    cf = autograd.compile(f)
    assert cf(Value(2.0, "x"), 3.0).data == math.log(6.0)
    with pytest.raises(ValueError) as compiled:
        cf(Value(-2.0, "x"), 3.0)
    expected = eager_error(f, Value(-2.0, "x"), 3.0)
    assert str(compiled.value) == str(expected)
    assert "log" in str(expected) and "'h'" in str(expected)

    with pytest.raises(ZeroDivisionError) as compiled:
        autograd.compile(lambda x, d: x / d)(Value(1.0, "x"), 0.0)
    assert str(compiled.value) == str(eager_error(lambda x, d: x / d, Value(1.0, "x"), 0.0))


def test_an_infinite_value_hidden_by_a_later_op_still_raises_as_eagerly():
    def f(x):
        big = x * 1e300
        big.label = "big"
        return (-(big * big)).relu() + x  # relu(-inf) would be 0.0: eager mode raises at the product

    cf = autograd.compile(f)
    assert cf(Value(1e-200)).data == 1e-200
    with pytest.raises(OverflowError) as compiled:
        cf(Value(1.0, "x"))
    assert str(compiled.value) == str(eager_error(f, Value(1.0, "x")))
    assert "'big'" in str(compiled.value)


def test_a_number_that_is_not_finite_is_refused_as_eagerly():
    f = lambda x, k: x * k  # noqa: E731
    cf = autograd.compile(f)
    cf(Value(1.0), 2.0)
    with pytest.raises(ValueError) as compiled:
        cf(Value(1.0), math.nan)
    assert str(compiled.value) == str(eager_error(f, Value(1.0), math.nan))


def test_a_backward_error_names_the_op_that_failed_and_writes_no_grad():
    def f(x):
        s = (x * x).sqrt()  # d/dx at x = 0 divides by zero
        s.label = "s"
        return s

    x = Value(0.0, "x")
    out = autograd.compile(f)(x)
    assert out.data == 0.0
    with pytest.raises(ZeroDivisionError) as compiled:
        out.backward()
    eager_out = f(Value(0.0, "x"))
    expected = eager_error(eager_out.backward)
    assert str(expected) in str(compiled.value)
    assert "sqrt" in str(compiled.value)
    assert x.grad == 0.0


def test_bad_arguments_and_results_say_what_is_wrong():
    with pytest.raises(TypeError, match="Values, numbers, or lists"):
        autograd.compile(lambda m: m)(object())
    with pytest.raises(TypeError, match="must return a Value"):
        autograd.compile(lambda x: 1.0)(Value(1.0))
    with pytest.raises(RuntimeError, match="not been called"):
        autograd.compile(lambda x: x).source


def test_wrapping_a_number_argument_in_value_explains_the_recording():
    with pytest.raises(TypeError) as info:
        autograd.compile(lambda w, x: w * Value(x))(Value(1.0), 2.0)
    assert any("number arguments as Values" in note for note in info.value.__notes__)


# ---------------------------------------------------------------- source


def test_the_source_has_one_line_per_op_named_from_the_labels():
    def f(weight, x):
        h = weight * x
        h.label = "hidden 1"
        h2 = h.tanh()
        h2.label = "hidden 1"  # the same label twice: the names stay unique
        return h2 + h2  # a reused value is computed once

    cf = autograd.compile(f)
    cf(Value(0.5, "w.0"), 2.0)
    source = cf.source
    forward = source.split("def backward")[0]
    assert "def forward(w_0, x):" in forward
    body = [line.strip() for line in forward.splitlines() if line.startswith("    ") and " = " in line]
    assert body == ["hidden_1 = w_0 * x", "hidden_1_1 = tanh(hidden_1)", "add = hidden_1_1 + hidden_1_1"]
    backward = source.split("def backward")[1]
    assert "d_hidden_1_1 = d_add + d_add" in backward
    assert "d_hidden_1 = d_hidden_1_1 * (1.0 - hidden_1_1 * hidden_1_1)" in backward
    assert "d_w_0 = d_hidden_1 * x" in backward
    names = re.findall(r"^\s+(\w+) = ", source, flags=re.M)
    assert len(names) == len(set(names))


def test_a_wide_sum_continues_over_lines_in_the_same_order():
    xs = [Value(float(i)) for i in range(150)]
    cf = autograd.compile(lambda vs: autograd.linear(vs, [1.0] * len(vs), 0.0) * 2.0)
    out = cf(xs)
    assert out.data == 2.0 * sum(range(150))
    assert max(len(line) for line in cf.source.splitlines()) < 2000
