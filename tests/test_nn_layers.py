"""Neuron, Layer, MLP: micrograd compatibility, names, fused vs granular, init, input checks."""

from __future__ import annotations

import random
import statistics

import pytest

import nn
from autograd import Value


def test_same_weights_and_outputs_as_micrograd_from_the_same_seed():
    from micrograd import nn as micrograd_nn  # micrograd 0.1.0, from the bench extra

    random.seed(1337)
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    random.seed(1337)
    ours = nn.MLP(2, [16, 16, 1])
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    x = [0.7, -1.3]
    assert ours(x).data == theirs(x).data


def test_micrograd_calls_and_outputs():
    model = nn.MLP(2, [16, 16, 1], seed=0)
    assert isinstance(model([1.0, 2.0]), Value)
    assert len(model.parameters()) == (2 * 16 + 16) + (16 * 16 + 16) + (16 + 1)
    two = nn.MLP(2, [3, 2], seed=0)([1.0, 2.0])
    assert isinstance(two, list) and len(two) == 2
    assert isinstance(nn.Layer(3, 1, seed=0)([1.0, 2.0, 3.0]), Value)
    assert len(nn.Layer(3, 4, seed=0)([1.0, 2.0, 3.0])) == 4
    assert repr(nn.Neuron(2, nonlin=False, seed=0)) == "LinearNeuron(2)"
    assert repr(nn.Neuron(2, seed=0)) == "ReLUNeuron(2)"


def test_last_layer_is_linear_and_hidden_layers_use_the_activation():
    model = nn.MLP(2, [4, 4, 1], activation="tanh", seed=0)
    assert [n.activation for layer in model.layers for n in layer.neurons] == ["tanh"] * 8 + ["linear"]
    assert model([0.5, 0.5]).op == "Σwx+b"


@pytest.mark.parametrize("activation, op", [("relu", "relu"), ("tanh", "tanh"), ("sigmoid", "sigmoid"),
                                            ("linear", "Σwx+b")])
def test_activations(activation, op):
    neuron = nn.Neuron(2, activation=activation, seed=0)
    out = neuron([1.0, -2.0])
    assert out.op == op
    z = neuron.b.data + neuron.w[0].data * 1.0 + neuron.w[1].data * -2.0
    expected = {"relu": max(z, 0.0), "tanh": Value(z).tanh().data, "sigmoid": Value(z).sigmoid().data, "linear": z}
    assert out.data == expected[activation]


def test_nonlin_false_is_linear_and_unknown_activation_is_refused():
    assert nn.Neuron(3, nonlin=False, seed=0).activation == "linear"
    assert nn.Neuron(3, nonlin=True, seed=0).activation == "relu"
    with pytest.raises(ValueError, match="'softmax'"):
        nn.Neuron(3, activation="softmax")


def test_a_hidden_layer_of_one_neuron_works():  # micrograd PR #13: Layer unwrapped it to a Value
    from autograd import propagate

    model = nn.MLP(2, [16, 1, 1], seed=0)
    out = model([0.5, -0.5])
    assert isinstance(out, Value)
    hidden = [neuron([0.5, -0.5]).data for neuron in model.layers[0].neurons]
    middle = model.layers[1].neurons[0](hidden).data
    assert out.data == model.layers[2].neurons[0]([middle]).data
    grads = propagate(out)
    assert all(p in grads for p in model.parameters())  # every layer is in the graph


@pytest.mark.parametrize("module, x, message", [
    (nn.MLP(2, [3, 1], seed=0), [1.0, 2.0, 3.0], "MLP expects 2 inputs, got 3"),
    (nn.MLP(3, [1], seed=0), [1.0], "MLP expects 3 inputs, got 1"),
    (nn.Layer(4, 2, seed=0), [1.0], "Layer expects 4 inputs, got 1"),
    (nn.Neuron(2, seed=0), [], "Neuron expects 2 inputs, got 0"),
])
def test_wrong_input_length_names_both_sizes(module, x, message):
    with pytest.raises(ValueError) as error:
        module(x)
    assert str(error.value) == message


def test_a_bare_value_is_not_an_input_list():
    with pytest.raises(TypeError, match="list of 2 inputs"):
        nn.MLP(2, [1], seed=0)(Value(1.0))


def test_parameters_are_named_and_labelled_by_their_place():
    model = nn.MLP(2, [3, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names[:3] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b"]
    assert names[-1] == "layers.1.neurons.0.b"
    assert len(names) == len(set(names)) == 3 * 3 + 4
    assert [p.label for p in model.parameters()] == names
    assert [p.label for p in nn.Neuron(2, seed=0).parameters()] == ["w.0", "w.1", "b"]
    assert nn.Layer(2, 2, seed=0).parameters()[-1].label == "neurons.1.b"


def test_seeded_init_is_deterministic_and_seeds_differ():
    def weights(seed):
        return [p.data for p in nn.MLP(2, [8, 8, 1], init="he", seed=seed).parameters()]

    assert weights(5) == weights(5)
    assert weights(5) != weights(6)
    assert weights(random.Random(5)) == weights(5)
    shared = random.Random(5)
    assert weights(shared) != weights(shared)  # one stream, drawn on
    with pytest.raises(TypeError, match="seed"):
        nn.MLP(2, [1], seed="five")


def test_biases_start_at_zero():
    for init in ("uniform", "xavier", "he"):
        model = nn.MLP(2, [4, 1], init=init, seed=0)
        assert all(n.b.data == 0.0 for layer in model.layers for n in layer.neurons)


@pytest.mark.parametrize("init, nin, nout, variance", [
    ("uniform", 50, 40, 1 / 3),           # U(-1, 1)
    ("xavier", 50, 40, 2 / (50 + 40)),    # U(-a, a), a = √(6/(fan_in + fan_out))
    ("he", 50, 40, 2 / 50),               # N(0, 2/fan_in)
])
def test_init_statistics(init, nin, nout, variance):
    layer = nn.Layer(nin, nout, init=init, seed=11)
    weights = [w.data for n in layer.neurons for w in n.w]  # 2000 draws
    assert statistics.fmean(weights) == pytest.approx(0.0, abs=4 * (variance / len(weights)) ** 0.5)
    assert statistics.pvariance(weights) == pytest.approx(variance, rel=0.1)
    if init != "he":
        bound = 1.0 if init == "uniform" else (6 / (nin + nout)) ** 0.5
        assert max(map(abs, weights)) <= bound
        assert max(map(abs, weights)) > 0.95 * bound


def test_fused_and_granular_neurons_give_identical_values_and_gradients():
    fused = nn.MLP(3, [5, 4, 2], activation="tanh", seed=7)
    granular = nn.MLP(3, [5, 4, 2], activation="tanh", seed=7, fused=False)
    x = [0.3, -1.1, 2.5]
    outs = {}
    for name, model in (("fused", fused), ("granular", granular)):
        out = model(x)
        loss = out[0] * out[0] + out[1] * 3.0
        loss.backward()
        outs[name] = (loss.data, [p.grad for p in model.parameters()])
    assert outs["fused"] == outs["granular"]  # bit for bit
    assert fused.layers[0].neurons[0](x).op == "tanh"
    assert fused.layers[0].neurons[0](x).parents[0].op == "Σwx+b"
    assert granular.layers[0].neurons[0](x).parents[0].op == "+"


def test_a_layer_applies_each_neurons_own_activation_when_they_differ_or_activate_is_overridden():
    class Doubling(nn.Neuron):
        def activate(self, z):
            return z * 2.0

    layer = nn.Layer(2, 3, seed=1)
    layer.neurons[1] = nn.Neuron(2, activation="tanh", seed=2)
    layer.neurons[2] = Doubling(2, seed=3)
    x = [Value(0.5), Value(-1.0)]
    outs = layer.outputs(x)
    assert [out.op for out in outs] == ["relu", "tanh", "*"]
    assert [out.data for out in outs] == [neuron(x).data for neuron in layer.neurons]
    assert all(out.parents[0].op == "Σwx+b" for out in outs)
    layer.neurons = [Doubling(2, seed=4), Doubling(2, seed=5)]
    assert [out.op for out in layer.outputs(x)] == ["*", "*"]


def test_fused_neuron_is_one_node_granular_is_two_per_input():
    from autograd import trace

    x = [Value(1.0), Value(2.0), Value(3.0)]
    fused_nodes, _ = trace(nn.Neuron(3, nonlin=False, seed=0)(x))
    granular_nodes, _ = trace(nn.Neuron(3, nonlin=False, seed=0, fused=False)(x))
    assert sum(1 for n in fused_nodes if n.op) == 1
    assert sum(1 for n in granular_nodes if n.op) == 2 * 3


@pytest.mark.parametrize("make", [
    lambda: nn.MLP(0, [1]),
    lambda: nn.MLP(2, []),
    lambda: nn.MLP(2, [4, 0, 1]),
    lambda: nn.Layer(2, 0),
    lambda: nn.Neuron(2, init="glorot"),
])
def test_bad_sizes_and_options_are_refused(make):
    with pytest.raises(ValueError):
        make()
