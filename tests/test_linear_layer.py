"""``autograd.linear_layer``: a layer of fused neurons, equal to its neurons one by one and to micrograd's graph."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, ValueTuple, apply, grad, linear, linear_layer, no_grad
from autograd.ops import ADD, EXP, LOG, RELU, SIGMOID, TANH, leaky_relu

finite = st.floats(-10.0, 10.0, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4), st.integers(1, 5), st.data())
def test_a_layer_equals_its_neurons_and_the_granular_sum_bit_for_bit(n_out: int, n_in: int, data: st.DataObject):
    rows = [[Value(data.draw(finite)) for _ in range(n_in)] for _ in range(n_out)]
    biases = [Value(data.draw(finite)) for _ in range(n_out)]
    xs = [Value(data.draw(finite)) for _ in range(n_in)]
    seeds = [data.draw(finite) for _ in range(n_out)]
    layer = linear_layer(rows, xs, biases)
    checked_rows = linear_layer([ValueTuple(row) for row in rows], xs, biases)  # taken as they are, not re-checked
    one_by_one = [linear(w, xs, b) for w, b in zip(rows, biases, strict=True)]
    granular = [sum((wi * xi for wi, xi in zip(w, xs, strict=True)), b) for w, b in zip(rows, biases, strict=True)]
    assert [z.data for z in layer] == [z.data for z in checked_rows] == [z.data for z in one_by_one] \
        == [z.data for z in granular]
    assert [z.parents for z in layer] == [z.parents for z in checked_rows]
    leaves = [*xs, *biases, *(w for row in rows for w in row)]
    total = lambda outs: sum((s * z for s, z in zip(seeds, outs, strict=True)), Value(0.0))  # noqa: E731
    assert grad(total(layer), leaves) == grad(total(checked_rows), leaves) == grad(total(granular), leaves)


def test_backward_through_a_layer_gives_each_weight_its_input_and_each_input_its_weights():
    w = [[Value(2.0), Value(-1.0)], [Value(0.5), Value(3.0)]]
    b = [Value(0.1), Value(-0.2)]
    x = [Value(4.0), Value(5.0)]
    z1, z2 = linear_layer(w, x, b)
    (z1 + 10.0 * z2).backward()
    assert [v.grad for v in w[0]] == [4.0, 5.0] and [v.grad for v in w[1]] == [40.0, 50.0]
    assert [v.grad for v in x] == [2.0 + 10.0 * 0.5, -1.0 + 10.0 * 3.0]
    assert [v.grad for v in b] == [1.0, 10.0]


def test_numbers_become_constants_and_any_sequences_will_do():
    x = Value(2.0)
    (z,) = linear_layer([(3, x)], iter([1.5, x]), [0.25])
    assert z.data == 0.25 + 3 * 1.5 + 2.0 * 2.0
    z.backward()
    assert x.grad == 2.0 + 2.0  # x is the second weight and the second input: ∂(x·x)/∂x = x + x


def test_under_no_grad_the_outputs_are_leaves_with_the_same_numbers():
    rng = random.Random(0)
    w = [[Value(rng.uniform(-1, 1)) for _ in range(3)] for _ in range(2)]
    b = [Value(0.0), Value(1.0)]
    x = [Value(rng.uniform(-1, 1)) for _ in range(3)]
    recorded = linear_layer(w, x, b)
    with no_grad():
        bare = linear_layer(w, x, b)
    assert [z.data for z in bare] == [z.data for z in recorded]
    assert all(z.parents == () for z in bare) and all(len(z.parents) == 7 for z in recorded)


def test_mismatched_sizes_are_errors_that_say_which():
    x = [Value(1.0), Value(2.0)]
    with pytest.raises(ValueError, match="a bias per row of weights, got 2 rows and 1 biases"):
        linear_layer([[Value(1.0), Value(1.0)], [Value(1.0), Value(1.0)]], x, [Value(0.0)])
    with pytest.raises(ValueError, match="as many weights as inputs, got 3 weights and 2 inputs"):
        linear_layer([[Value(1.0)] * 3], x, [Value(0.0)])
    with pytest.raises(TypeError, match="takes Values or real numbers, got str"):
        linear_layer([["w", Value(1.0)]], x, [Value(0.0)])


@pytest.mark.parametrize("activation", [RELU, TANH, SIGMOID, leaky_relu(0.1)])
def test_an_activation_is_a_node_of_its_own_on_each_sum_as_if_applied_after(activation):
    rows = [[Value(0.5), Value(-1.5)], [Value(-2.0), Value(0.25)], [Value(1.0), Value(1.0)]]
    biases = [Value(0.1), Value(-0.3), Value(0.0)]
    xs = [Value(0.7), Value(-0.4)]
    fused = linear_layer(rows, xs, biases, activation)
    after = [apply(activation, z) for z in linear_layer(rows, xs, biases)]
    assert [node.data for node in fused] == [node.data for node in after]
    assert [(node.op, node.parents[0].op, node.parents[0].parents) for node in fused] == \
        [(node.op, node.parents[0].op, node.parents[0].parents) for node in after]
    leaves = [*xs, *biases, *(w for row in rows for w in row)]
    assert grad(sum(fused, Value(0.0)), leaves) == grad(sum(after, Value(0.0)), leaves)


def test_an_activation_must_be_an_op_of_one_operand():
    for wrong in (ADD, Value.relu, "relu"):
        with pytest.raises(TypeError, match="an Op of one operand"):
            linear_layer([[Value(1.0)]], [Value(2.0)], [Value(0.0)], wrong)


def test_a_value_tuple_holds_values_only_and_says_where_something_else_is():
    w = Value(1.0)

    class Tagged(Value):
        pass

    tagged = Tagged(2.0)
    row = ValueTuple([w, tagged])  # a subclass of Value is a Value
    assert type(row) is ValueTuple and row[0] is w and row[1] is tagged and len(row) == 2
    with pytest.raises(TypeError, match=r"ValueTuple holds Values, got float 2\.5 at position 1"):
        ValueTuple([w, 2.5])
    with pytest.raises(TypeError):
        ValueTuple([w])[0] = Value(3.0)  # type: ignore[index]  # it cannot change, so what was checked holds


def test_mixed_rows_are_checked_each_as_it_is():
    x = [Value(2.0), Value(3.0)]
    z1, z2 = linear_layer([ValueTuple([Value(1.0), Value(1.0)]), [0.5, Value(2.0)]], x, [Value(0.0), 1.0])
    assert (z1.data, z2.data) == (5.0, 1.0 + 0.5 * 2.0 + 2.0 * 3.0)
    with pytest.raises(TypeError, match="takes Values or real numbers, got str"):
        linear_layer([ValueTuple([Value(1.0), Value(1.0)]), ["w", Value(1.0)]], x, [Value(0.0), Value(0.0)])


def test_an_activation_that_fails_in_the_layer_names_its_op_and_operand():
    rows, xs = [[Value(1.0)], [Value(-1.0)]], [Value(2.0)]
    with pytest.raises(ValueError, match=r"log failed on -2\.0"):
        linear_layer(rows, xs, [Value(0.0), Value(0.0)], LOG)
    with pytest.raises(OverflowError, match="exp"):
        linear_layer([[Value(800.0)]], [Value(1.0)], [Value(0.0)], EXP)
    with pytest.raises(OverflowError, match="Σwx\\+b"):
        linear_layer([[Value(1e308)]], [Value(10.0)], [Value(0.0)], RELU)


def test_under_no_grad_an_activated_layer_is_leaves_too():
    rows, xs, b = [[Value(1.0), Value(-2.0)]], [Value(3.0), Value(1.0)], [Value(0.5)]
    with no_grad():
        (out,) = linear_layer(rows, xs, b, TANH)
    (recorded,) = linear_layer(rows, xs, b, TANH)
    assert out.data == recorded.data and out.parents == () and out.op == ""
