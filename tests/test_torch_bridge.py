"""nn.MLP to PyTorch and back (nn.torch_bridge): the same outputs and gradients, exact round trips, clear refusals.

Networks of hypothesis-drawn sizes and activations are exported with
``to_torch``; PyTorch's outputs, and its gradients after the same loss, must
equal ours to 1e-12, and importing must give back every parameter bit for bit.
Everything an MLP cannot represent must be refused with an error that names
the module, leaving no trace. Without torch, ``import nn`` works and the bridge
says which extra to install (checked in a subprocess that hides torch).
"""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
from collections import OrderedDict
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autograd import Value
from nn.torch_bridge import named_grads, scalar_name, torch_name

TOLERANCE = 1e-12
ACTIVATIONS = ["relu", "tanh", "sigmoid", "linear"]
REPOSITORY = Path(__file__).resolve().parents[1]


@st.composite
def networks(draw):
    """An MLP of drawn sizes, activation, initialisation and biases, with a batch of inputs and targets."""
    nin = draw(st.integers(1, 4))
    nouts = draw(st.lists(st.integers(1, 5), min_size=1, max_size=3))
    model = nn.MLP(nin, nouts, activation=draw(st.sampled_from(ACTIVATIONS)),
                   init=draw(st.sampled_from(["uniform", "xavier", "he"])), seed=draw(st.integers(0, 2**16)),
                   fused=draw(st.booleans()))
    number = st.floats(-2.0, 2.0, allow_nan=False)
    biases = [name for name, _ in model.named_parameters() if name.endswith(".b")]   # they start at 0: draw them
    model.load_state_dict({**model.state_dict(), **{name: draw(number) for name in biases}})
    n = draw(st.integers(1, 4))
    X = draw(st.lists(st.lists(number, min_size=nin, max_size=nin), min_size=n, max_size=n))
    T = draw(st.lists(st.lists(number, min_size=nouts[-1], max_size=nouts[-1]), min_size=n, max_size=n))
    return model, X, T


def our_outputs(model, X):
    return [[v.data for v in _as_list(model(x))] for x in X]


def our_loss(model, X, T):
    """(1/n) Σ over the batch and the outputs of (y − t)²."""
    squares = [(y - t) ** 2 for x, targets in zip(X, T, strict=True)
               for y, t in zip(_as_list(model(x)), targets, strict=True)]
    return sum(squares, Value(0.0)) * (1.0 / len(X))


def torch_loss(module, X, T):
    Y = module(torch.tensor(X, dtype=torch.float64))
    return ((Y - torch.tensor(T, dtype=torch.float64)) ** 2).sum() * (1.0 / len(X))


def _as_list(out):
    return out if isinstance(out, list) else [out]


def _entry(module, name):
    """The float at a torch name such as ``2.weight[3, 1]``."""
    module_index, rest = name.split(".", 1)
    part, index = rest.split("[")
    indices = tuple(int(i) for i in index.rstrip("]").split(","))
    return getattr(module[int(module_index)], part)[indices].item()


# ---------------------------------------------------------------- export: same numbers


@settings(max_examples=60, deadline=None)
@given(networks())
def test_exported_network_gives_our_outputs_and_gradients(network):
    model, X, T = network
    module = model.to_torch()

    assert all(p.dtype == torch.float64 for p in module.parameters())
    theirs = module(torch.tensor(X, dtype=torch.float64)).tolist()
    for ours_row, theirs_row in zip(our_outputs(model, X), theirs, strict=True):
        for a, b in zip(ours_row, theirs_row, strict=True):
            assert abs(a - b) <= TOLERANCE, (a, b)

    model.zero_grad()
    our_loss(model, X, T).backward()
    torch_loss(module, X, T).backward()
    their_grads = named_grads(module)
    assert set(their_grads) == {name for name, _ in model.named_parameters()}
    for name, parameter in model.named_parameters():
        assert abs(parameter.grad - their_grads[name]) <= TOLERANCE, (name, parameter.grad, their_grads[name])


@settings(max_examples=60, deadline=None)
@given(networks())
def test_round_trips_are_exact(network):
    model, _, _ = network
    module = model.to_torch()

    back = nn.MLP.from_torch(module)
    assert back.state_dict() == model.state_dict()   # every float bit for bit, in the same order
    assert [layer.activation for layer in back.layers] == [layer.activation for layer in model.layers]
    sizes = [len(layer.neurons) for layer in model.layers]
    hidden = model.layers[0].activation if len(model.layers) > 1 else None
    from_state = nn.MLP.from_torch(module.state_dict(), model.nin, sizes, activation=hidden)
    assert from_state.state_dict() == model.state_dict()

    again = back.to_torch()
    assert [type(m) for m in again] == [type(m) for m in module]
    for (name, p), (name_again, q) in zip(module.named_parameters(), again.named_parameters(), strict=True):
        assert name == name_again and torch.equal(p, q)


def test_layers_are_linear_modules_with_their_activation_and_the_last_is_bare():
    module = nn.MLP(3, [4, 2], activation="linear", seed=0).to_torch()
    assert [type(m) for m in module] == [torch.nn.Linear, torch.nn.Identity, torch.nn.Linear]
    assert (module[0].in_features, module[0].out_features, module[2].out_features) == (3, 4, 2)
    for activation, kind in [("relu", torch.nn.ReLU), ("tanh", torch.nn.Tanh), ("sigmoid", torch.nn.Sigmoid)]:
        assert type(nn.MLP(2, [3, 1], activation=activation, seed=0).to_torch()[1]) is kind


def test_a_float32_network_is_imported_exactly_and_exported_in_float64():
    module = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1)).to(torch.float32)
    model = nn.MLP.from_torch(module)
    for name, parameter in model.named_parameters():
        assert parameter.data == _entry(module, torch_name(name))  # float32 -> float is exact
    assert all(p.dtype == torch.float64 for p in model.to_torch().parameters())


def test_exporting_and_importing_leave_every_random_generator_alone():
    model = nn.MLP(2, [3, 1], seed=0)
    torch_state, python_state = torch.get_rng_state(), random.getstate()
    module = model.to_torch()
    nn.MLP.from_torch(module)
    nn.MLP.from_torch(module.state_dict(), 2, [3, 1])
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert random.getstate() == python_state


def test_identity_modules_and_a_shared_activation_module_are_read_as_what_they_compute():
    relu = torch.nn.ReLU()
    module = torch.nn.Sequential(OrderedDict([
        ("hidden", torch.nn.Linear(2, 3)), ("act", relu), ("same", torch.nn.Identity()),
        ("hidden2", torch.nn.Linear(3, 3)), ("act2", relu),
        ("out", torch.nn.Linear(3, 1)), ("tail", torch.nn.Identity())])).double()
    model = nn.MLP.from_torch(module)
    assert [layer.activation for layer in model.layers] == ["relu", "relu", "linear"]
    x = [0.4, -1.3]
    assert abs(model(x).data - module(torch.tensor(x, dtype=torch.float64)).item()) <= TOLERANCE


# ---------------------------------------------------------------- names both ways


def test_every_parameter_name_maps_to_the_torch_entry_holding_it_and_back():
    model = nn.MLP(3, [4, 2, 1], seed=3)
    module = model.to_torch()
    names = [name for name, _ in model.named_parameters()]
    for name, parameter in model.named_parameters():
        assert _entry(module, torch_name(name)) == parameter.data
        assert scalar_name(torch_name(name)) == name
    assert len({torch_name(name) for name in names}) == len(names)
    assert torch_name("layers.0.neurons.3.w.1") == "0.weight[3, 1]"
    assert torch_name("layers.2.neurons.0.b") == "4.bias[0]"
    assert scalar_name("2.weight[1, 0]") == "layers.1.neurons.1.w.0"


@pytest.mark.parametrize("bad", ["layers.0.neurons.3", "layers.x.neurons.0.b", "weight[0, 0]", ""])
def test_a_name_that_is_not_a_parameter_is_refused(bad):
    with pytest.raises(ValueError, match="not an MLP parameter name"):
        torch_name(bad)


def test_a_torch_name_of_an_activation_or_of_nothing_is_refused():
    with pytest.raises(ValueError, match="module 1 of MLP.to_torch.. is an activation"):
        scalar_name("1.weight[0, 0]")
    with pytest.raises(ValueError, match="not an entry of a Linear"):
        scalar_name("0.running_mean[0]")


def test_gradients_are_asked_for_only_after_a_backward_pass():
    with pytest.raises(ValueError, match=r"module 0 \(Linear.*no gradient yet"):
        named_grads(nn.MLP(2, [1], seed=0).to_torch())


# ---------------------------------------------------------------- refusals


def _linear(*args, **kw):
    return torch.nn.Linear(*args, dtype=torch.float64, **kw)


REFUSED_MODULES = {
    "softmax": (lambda: torch.nn.Sequential(_linear(2, 3), torch.nn.ReLU(), _linear(3, 2), torch.nn.Softmax(dim=-1)),
                r"module 3 \(Softmax\(dim=-1\)\) is a Softmax.*nn.cross_entropy"),
    "conv2d": (lambda: torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3)),
               r"module 0 \(Conv2d\(1, 2, .*\) is a Conv2d, which an MLP cannot represent"),
    "dropout": (lambda: torch.nn.Sequential(_linear(2, 3), torch.nn.Dropout(0.5), _linear(3, 1)),
                r"module 1 \(Dropout\(p=0.5.*\) is a Dropout"),
    "leaky relu": (lambda: torch.nn.Sequential(_linear(2, 3), torch.nn.LeakyReLU(), _linear(3, 1)),
                   r"module 1 \(LeakyReLU.*\) is a LeakyReLU"),
    "nested": (lambda: torch.nn.Sequential(torch.nn.Sequential(_linear(2, 1))),
               r"module 0 \(Sequential\(.*\) is a Sequential"),
    "no bias": (lambda: torch.nn.Sequential(_linear(2, 3, bias=False), torch.nn.ReLU(), _linear(3, 1)),
                r"module 0 \(Linear\(in_features=2, out_features=3, bias=False\)\) has no bias"),
    "complex": (lambda: torch.nn.Sequential(torch.nn.Linear(2, 1, dtype=torch.complex128)),
                r"module 0 \(Linear.*\): 0.weight is torch.complex128.*imaginary parts would be lost"),
    "meta": (lambda: torch.nn.Sequential(torch.nn.Linear(2, 1, device="meta")),
             r"module 0 \(Linear.*\): 0.weight is on the meta device"),
    "nan": (lambda: _with(torch.nn.Sequential(_linear(2, 2), torch.nn.Tanh(), _linear(2, 1)), "2.bias", 0, float("nan")),
            r"module 2 \(Linear.*\): 2.bias\[0\] is nan"),
    "activation last": (lambda: torch.nn.Sequential(_linear(2, 3), torch.nn.ReLU(), _linear(3, 1), torch.nn.Sigmoid()),
                        r"module 3 \(Sigmoid\(\)\) follows the last Linear: an MLP's last layer is linear"),
    "activation first": (lambda: torch.nn.Sequential(torch.nn.Tanh(), _linear(2, 1)),
                         r"module 0 \(Tanh\(\)\) comes before any Linear"),
    "two activations": (lambda: torch.nn.Sequential(_linear(2, 3), torch.nn.ReLU(), torch.nn.Tanh(), _linear(3, 1)),
                        r"module 2 \(Tanh\(\)\) follows module 1 \(ReLU\(\)\)"),
    "mixed hidden": (lambda: torch.nn.Sequential(_linear(2, 3), torch.nn.ReLU(), _linear(3, 3), torch.nn.Tanh(),
                                                 _linear(3, 1)),
                     r"module 3 \(Tanh\(\)\) makes a tanh hidden layer after a relu one \(module 1 \(ReLU\(\)\)\)"),
    "mixed hidden, linear": (lambda: torch.nn.Sequential(_linear(2, 3), torch.nn.ReLU(), _linear(3, 3), _linear(3, 1)),
                             r"module 2 \(Linear.*\) makes a linear hidden layer after a relu one"),
    "sizes": (lambda: torch.nn.Sequential(_linear(2, 3), torch.nn.ReLU(), _linear(4, 1)),
              r"module 2 \(Linear\(in_features=4.*\) takes 4 inputs, but module 0 gives 3"),
    "shared linear": (lambda: _shared_linear(),
                      r"module 4 \(Linear.*\) is module 2 again"),
    "empty": (lambda: torch.nn.Sequential(), r"the Sequential has no Linear layer"),
    "not a sequential": (lambda: _linear(2, 1), r"expected a torch.nn.Sequential .*got Linear"),
}


def _with(module, name, index, value):
    with torch.no_grad():
        dict(module.named_parameters())[name][index] = value
    return module


def _shared_linear():
    square = _linear(3, 3)
    return torch.nn.Sequential(_linear(2, 3), torch.nn.Tanh(), square, torch.nn.Tanh(), square, torch.nn.Tanh(),
                               _linear(3, 1))


@pytest.mark.parametrize("case", REFUSED_MODULES)
def test_a_module_an_mlp_cannot_represent_is_refused_naming_it(case):
    make, message = REFUSED_MODULES[case]
    module = make()
    before = {name: tensor.clone() for name, tensor in module.state_dict().items() if not tensor.is_meta}

    with pytest.raises(ValueError, match=message):
        nn.MLP.from_torch(module)

    after = {name: tensor for name, tensor in module.state_dict().items() if not tensor.is_meta}
    assert before.keys() == after.keys()
    for name in before:   # left as it was (a nan stays a nan)
        torch.testing.assert_close(after[name], before[name], rtol=0, atol=0, equal_nan=True)


def _state(nin=2, hidden=3):
    return nn.MLP(nin, [hidden, 1], seed=0).to_torch().state_dict()


def _edited(**changes):
    state = OrderedDict(_state())
    for key, value in changes.items():
        key = key.replace("_", ".")
        if value is None:
            del state[key]
        else:
            state[key] = value
    return state


REFUSED_STATE_DICTS = {
    "missing bias": (_edited(**{"2_bias": None}), r"the state dict has no 2.bias"),
    "extra module": (OrderedDict(_state(), **{"4.weight": torch.zeros(1, 1, dtype=torch.float64)}),
                     r"parameters of 3 modules \(0, 2, 4\), the layer sizes \[2, 3, 1\] ask for 2"),
    "not a parameter": (OrderedDict(_state(), **{"1.running_mean": torch.zeros(3)}),
                        r"key '1.running_mean' is not a Linear's parameter"),
    "wrong shape": (_edited(**{"0_weight": torch.zeros(3, 5, dtype=torch.float64)}),
                    r"0.weight has shape \(3, 5\); layer 0 of sizes \[2, 3, 1\] needs \(3, 2\)"),
    "integer dtype": (_edited(**{"0_bias": torch.tensor([1, 2, 2**60 + 1])}),
                      r"module 0: 0.bias is torch.int64, not real floating point"),
    "infinite": (_edited(**{"2_bias": torch.tensor([float("inf")], dtype=torch.float64)}),
                 r"module 2: 2.bias\[0\] is inf"),
}


@pytest.mark.parametrize("case", REFUSED_STATE_DICTS)
def test_a_state_dict_that_does_not_fit_is_refused_naming_the_entry(case):
    state, message = REFUSED_STATE_DICTS[case]
    with pytest.raises(ValueError, match=message):
        nn.MLP.from_torch(state, 2, [3, 1])


def test_from_torch_says_which_arguments_go_with_what():
    with pytest.raises(TypeError, match="give nin and nouts"):
        nn.MLP.from_torch(_state())
    with pytest.raises(TypeError, match="nin, nouts and activation are for a state dict"):
        nn.MLP.from_torch(nn.MLP(2, [1], seed=0).to_torch(), nin=2)
    with pytest.raises(TypeError, match="state dict entry 0.weight should be a tensor, got list"):
        nn.MLP.from_torch(_edited(**{"0_weight": [[0.0, 0.0]] * 3}), 2, [3, 1])
    with pytest.raises(ValueError, match="activation must be one of"):
        nn.MLP.from_torch(_state(), 2, [3, 1], activation="softmax")


def test_a_layer_whose_neurons_mix_activations_is_refused_on_export():
    model = nn.MLP(2, [3, 1], seed=0)
    model.layers[0].neurons[1] = nn.Neuron(2, activation="tanh", seed=0)
    with pytest.raises(ValueError, match=r"Layer of \[ReLUNeuron\(2\), TanhNeuron\(2\), ReLUNeuron\(2\)\] "
                                         r"mixes the activations relu, tanh"):
        model.to_torch()


# ---------------------------------------------------------------- without torch


HIDE_TORCH = "import sys\nsys.modules['torch'] = None  # any import of torch now fails, as if it were not installed\n"


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPOSITORY, capture_output=True,
                          text=True, timeout=120)


def test_nn_and_autograd_testing_import_and_work_without_torch_and_the_bridge_names_the_extra():
    result = _run(HIDE_TORCH + textwrap.dedent("""
        import nn
        import autograd.testing
        from autograd.testing import torch_reference

        model = nn.MLP(2, [3, 1], seed=0)
        print(model([1.0, 2.0]).data)
        for call in (model.to_torch, lambda: nn.MLP.from_torch({}), lambda: torch_reference(lambda x: x, [1.0])):
            try:
                call()
            except ImportError as e:
                print("ImportError:", e)
        """))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    float(lines[0])   # the model ran
    for line in lines[1:]:
        assert line.startswith("ImportError:") and "pip install 'scalar-autograd[torch]'" in line, line


def test_importing_nn_and_autograd_testing_does_not_import_torch():
    result = _run("""
        import sys
        import nn, nn.demo, autograd, autograd.testing
        print(sorted(name for name in sys.modules if name == "torch" or name.startswith("torch.")))
        """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
