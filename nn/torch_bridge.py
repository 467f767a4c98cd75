"""An ``nn.MLP`` as a ``torch.nn.Sequential`` and back: the same network, the same numbers, in float64.

A layer of n neurons reading k inputs is one ``torch.nn.Linear(k, n)``. Neuron
j's weights are row j of its weight matrix W (n × k) and its bias is entry j
of b, so the Linear computes the whole layer at once, ``W @ x + b``: the n
weighted sums ``Σₖ Wⱼₖ xₖ + bⱼ`` of its neurons. Each Linear is followed by its
layer's activation, ``ReLU``, ``Tanh``, ``Sigmoid``, or ``Identity`` for a
linear hidden layer; after the last layer, linear in an MLP, comes nothing.
So layer i is module 2i of the Sequential, and the names map one to one::

    layers.i.neurons.j.w.k   <->   2i.weight[j, k]
    layers.i.neurons.j.b     <->   2i.bias[j]

(``torch_name`` and ``scalar_name``). Exporting writes every parameter in
float64, so outputs and gradients equal ours up to the rounding of the sums.

Importing reads a Sequential of exactly those modules (``Identity`` anywhere
after a Linear, since it changes nothing), or a state dict of
``<i>.weight`` / ``<i>.bias`` tensors with the layer sizes given. It refuses,
naming the module, what an MLP cannot represent: any other module
(``Softmax``, ``Conv2d``, ``Dropout``, ...), a Linear without a bias, an
activation after the last Linear or before the first, hidden layers with
different activations, sizes that do not chain, and parameters that are not
real floating point (complex, integer), not finite, or without values (on
the meta device). Every float16, bfloat16, float32 and float64 number is a
Python float exactly, so those are read without loss. Everything is checked
before anything is built, so a refusal leaves nothing behind.

This module imports torch: ``nn`` imports it only when ``MLP.to_torch`` or
``MLP.from_torch`` is called, and without torch the call raises ImportError
naming the extra ``scalar-autograd[torch]``.
"""

from __future__ import annotations

import math
import re
from typing import Any, NamedTuple
from collections.abc import Iterator, Mapping, Sequence

from autograd.optional import missing_extra

try:
    import torch
except ModuleNotFoundError as missing:
    raise missing_extra("nn.MLP.to_torch / nn.MLP.from_torch (nn.torch_bridge)", "torch", missing) from missing

ACTIVATION_MODULES: dict[str, type[torch.nn.Module]] = {
    "relu": torch.nn.ReLU,
    "tanh": torch.nn.Tanh,
    "sigmoid": torch.nn.Sigmoid,
    "linear": torch.nn.Identity,
}
_ACTIVATION_OF = {module: name for name, module in ACTIVATION_MODULES.items()}
_KNOWN = "Linear (with a bias), ReLU, Tanh, Sigmoid and Identity"
_HINTS = {
    "Softmax": "an MLP outputs scores: nn.cross_entropy applies the softmax inside the loss",
    "LogSoftmax": "an MLP outputs scores: nn.cross_entropy applies the log-softmax inside the loss",
}

_SCALAR_NAME = re.compile(r"layers\.(\d+)\.neurons\.(\d+)\.(?:w\.(\d+)|b)")
_TORCH_NAME = re.compile(r"(\d+)\.(?:weight\[\s*(\d+)\s*,\s*(\d+)\s*\]|bias\[\s*(\d+)\s*\])")
_STATE_KEY = re.compile(r"(\d+)\.(weight|bias)")


# ---------------------------------------------------------------- names


def weight_name(layer: int, neuron: int, input: int) -> str:
    """Our name of layer ``layer``'s neuron ``neuron``'s weight on input ``input``."""
    return f"layers.{layer}.neurons.{neuron}.w.{input}"


def bias_name(layer: int, neuron: int) -> str:
    """Our name of layer ``layer``'s neuron ``neuron``'s bias."""
    return f"layers.{layer}.neurons.{neuron}.b"


def torch_name(name: str) -> str:
    """The entry of ``MLP.to_torch()`` holding our parameter ``name``.

    ``layers.0.neurons.3.w.1`` -> ``0.weight[3, 1]``.
    """
    match = _SCALAR_NAME.fullmatch(name)
    if match is None:
        raise ValueError(f"{name!r} is not an MLP parameter name "
                         "(layers.<i>.neurons.<j>.w.<k> or layers.<i>.neurons.<j>.b)")
    layer, neuron, input = match.groups()
    module = 2 * int(layer)
    return f"{module}.bias[{neuron}]" if input is None else f"{module}.weight[{neuron}, {input}]"


def scalar_name(name: str) -> str:
    """Our parameter held by entry ``name`` of ``MLP.to_torch()``: ``0.weight[3, 1]`` -> ``layers.0.neurons.3.w.1``."""
    match = _TORCH_NAME.fullmatch(name)
    if match is None:
        raise ValueError(f"{name!r} is not an entry of a Linear's parameters (<i>.weight[<j>, <k>] or <i>.bias[<j>])")
    module, neuron, input, bias_neuron = match.groups()
    if int(module) % 2:
        raise ValueError(f"{name!r}: module {module} of MLP.to_torch() is an activation, which has no parameters "
                         "(layer i's Linear is module 2i)")
    layer = int(module) // 2
    return bias_name(layer, int(bias_neuron)) if input is None else weight_name(layer, int(neuron), int(input))


# ---------------------------------------------------------------- export


def to_sequential(nin: int, layers: Sequence[tuple[int, str]], state: Mapping[str, float]) -> torch.nn.Sequential:
    """The Sequential of an MLP with ``nin`` inputs, ``layers`` as (neurons, activation), parameters ``state``.

    ``state`` maps our parameter names to floats (``MLP.state_dict()``). The
    parameters are float64; torch's random number generator is not touched.
    """
    modules: list[torch.nn.Module] = []
    fan_in = nin
    for i, (nout, activation) in enumerate(layers):
        linear = torch.nn.Linear(fan_in, nout, device="meta", dtype=torch.float64)  # shapes only: no random init
        weight = [[state[weight_name(i, j, k)] for k in range(fan_in)] for j in range(nout)]
        bias = [state[bias_name(i, j)] for j in range(nout)]
        linear.weight = torch.nn.Parameter(torch.tensor(weight, dtype=torch.float64))
        linear.bias = torch.nn.Parameter(torch.tensor(bias, dtype=torch.float64))
        modules.append(linear)
        if i < len(layers) - 1 or activation != "linear":
            modules.append(ACTIVATION_MODULES[activation]())
        fan_in = nout
    return torch.nn.Sequential(*modules)


# ---------------------------------------------------------------- import


class ImportedMLP(NamedTuple):
    """What ``MLP(nin, nouts, activation=activation)`` needs, and its parameters by our names."""

    nin: int
    nouts: list[int]
    activation: str
    state: dict[str, float]


def read_sequential(module: Any) -> ImportedMLP:
    """The MLP that ``module``, a ``torch.nn.Sequential``, computes; ValueError naming what does not fit."""
    linears, hidden_activation = _layers_of(module)
    state: dict[str, float] = {}
    for i, (name, linear) in enumerate(linears):
        where = f"module {name} ({_short(linear)})"
        state.update(_scalars(i, where, f"{name}.weight", linear.weight, f"{name}.bias", linear.bias))
    return ImportedMLP(linears[0][1].in_features, [linear.out_features for _, linear in linears],
                       hidden_activation, state)


def read_state_dict(state_dict: Mapping[str, Any], sizes: Sequence[int]) -> dict[str, float]:
    """Our parameters from a Sequential's ``state_dict`` of Linear layers of ``sizes`` (inputs, then each layer's).

    The keys are ``<i>.weight`` and ``<i>.bias``; the Linear layers are taken in
    the order of ``i``. ValueError names any key or tensor that does not fit.
    """
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"a state dict maps names to tensors, got {type(state_dict).__name__}")
    modules: dict[int, dict[str, Any]] = {}
    for key, tensor in state_dict.items():
        match = _STATE_KEY.fullmatch(str(key))
        if match is None:
            raise ValueError(f"state dict key {key!r} is not a Linear's parameter (<i>.weight or <i>.bias): "
                             f"an MLP is made of {_KNOWN}")
        modules.setdefault(int(match[1]), {})[match[2]] = tensor
    n_layers = len(sizes) - 1
    if len(modules) != n_layers:
        raise ValueError(f"the state dict has parameters of {len(modules)} modules "
                         f"({', '.join(map(str, sorted(modules)))}), the layer sizes {list(sizes)} ask for {n_layers}")
    state: dict[str, float] = {}
    for i, index in enumerate(sorted(modules)):
        parameters = modules[index]
        for part in ("weight", "bias"):
            if part not in parameters:
                raise ValueError(f"the state dict has no {index}.{part}: "
                                 "an MLP's Linear layers all have a weight and a bias")
        weight, bias = parameters["weight"], parameters["bias"]
        for key, tensor, shape in ((f"{index}.weight", weight, (sizes[i + 1], sizes[i])),
                                   (f"{index}.bias", bias, (sizes[i + 1],))):
            if not isinstance(tensor, torch.Tensor):
                raise TypeError(f"state dict entry {key} should be a tensor, got {type(tensor).__name__}")
            if tuple(tensor.shape) != shape:
                raise ValueError(f"state dict entry {key} has shape {tuple(tensor.shape)}; layer {i} of sizes "
                                 f"{list(sizes)} needs {shape}")
        state.update(_scalars(i, f"module {index}", f"{index}.weight", weight, f"{index}.bias", bias))
    return state


def named_grads(module: Any) -> dict[str, float]:
    """The ``.grad`` of every parameter of ``module`` (a Sequential ``read_sequential`` accepts), by our names.

    So that gradients computed by PyTorch can be set beside ours, name by name.
    """
    linears, _ = _layers_of(module)
    grads: dict[str, float] = {}
    for i, (name, linear) in enumerate(linears):
        if linear.weight.grad is None or linear.bias.grad is None:
            raise ValueError(f"module {name} ({linear!r}) has no gradient yet: run backward() on a loss first")
        grads.update(_scalars(i, f"module {name} ({_short(linear)})", f"{name}.weight.grad", linear.weight.grad,
                              f"{name}.bias.grad", linear.bias.grad))
    return grads


def _layers_of(module: Any) -> tuple[list[tuple[str, torch.nn.Linear]], str]:
    """The Linear modules of an MLP-shaped Sequential, with their names, and its hidden layers' activation."""
    if type(module) is not torch.nn.Sequential:
        raise ValueError(f"expected a torch.nn.Sequential of {_KNOWN}, got {type(module).__name__}: {_short(module)}")
    linears: list[tuple[str, torch.nn.Linear]] = []
    follows: list[tuple[str, str]] = []  # for each Linear: its activation and the module that applies it
    for name, child in _children(module):
        where = f"module {name} ({_short(child)})"
        kind = type(child)
        if type(child) is torch.nn.Linear:
            first = next((first for first, linear in linears if linear is child), None)
            if first is not None:
                raise ValueError(f"{where} is module {first} again: each layer of an MLP has parameters of its own")
            if child.bias is None:
                raise ValueError(f"{where} has no bias: every neuron of an MLP has one (use bias=True)")
            if linears and child.in_features != linears[-1][1].out_features:
                raise ValueError(f"{where} takes {child.in_features} inputs, but module {linears[-1][0]} "
                                 f"gives {linears[-1][1].out_features}")
            linears.append((name, child))
            follows.append(("linear", where))
        elif kind in _ACTIVATION_OF:
            if not linears:
                raise ValueError(f"{where} comes before any Linear: an MLP starts with a Linear layer")
            if kind is torch.nn.Identity:
                continue
            if follows[-1][0] != "linear":
                raise ValueError(f"{where} follows {follows[-1][1]}: an MLP applies one activation after each Linear")
            follows[-1] = (_ACTIVATION_OF[kind], where)
        else:
            hint = _HINTS.get(kind.__name__, f"an MLP is made of {_KNOWN}")
            raise ValueError(f"{where} is a {kind.__name__}, which an MLP cannot represent ({hint})")
    if not linears:
        raise ValueError(f"the Sequential has no Linear layer: an MLP is made of {_KNOWN}")
    last_activation, last_where = follows[-1]
    if last_activation != "linear":
        raise ValueError(f"{last_where} follows the last Linear: an MLP's last layer is linear, its outputs are "
                         "scores (the losses of nn take scores: nn.binary_cross_entropy applies the sigmoid)")
    hidden = follows[:-1]
    for activation, where in hidden[1:]:
        if activation != hidden[0][0]:
            raise ValueError(f"{where} makes a {activation} hidden layer after a {hidden[0][0]} one "
                             f"({hidden[0][1]}): an MLP gives every hidden layer the same activation")
    return linears, hidden[0][0] if hidden else "relu"


def _children(module: torch.nn.Sequential) -> Iterator[tuple[str, torch.nn.Module]]:
    """The Sequential's modules in order, with their names, a module used twice listed twice.

    (``named_children`` lists a module once, so a shared ``ReLU`` would go missing.)
    """
    for name, child in module.named_modules(remove_duplicate=False):
        if name and "." not in name:
            yield name, child


def _scalars(layer: int, where: str, weight_key: str, weight: torch.Tensor,
             bias_key: str, bias: torch.Tensor) -> dict[str, float]:
    """Layer ``layer``'s weight matrix and bias vector as floats by our names; ValueError naming a bad entry."""
    rows = _floats(where, weight_key, weight)
    values = {}
    for j, row in enumerate(rows):
        for k, x in enumerate(row):
            values[weight_name(layer, j, k)] = _finite(where, f"{weight_key}[{j}, {k}]", x)
    for j, x in enumerate(_floats(where, bias_key, bias)):
        values[bias_name(layer, j)] = _finite(where, f"{bias_key}[{j}]", x)
    return values


def _floats(where: str, key: str, tensor: torch.Tensor) -> Any:
    """The tensor's entries as (nested lists of) Python floats, refusing a dtype they would not hold exactly."""
    if tensor.is_complex() or not tensor.is_floating_point():
        loss = "its imaginary parts would be lost" if tensor.is_complex() else \
            "an MLP's parameters are floats, and an integer tensor's values could round"
        raise ValueError(f"{where}: {key} is {tensor.dtype}, not real floating point: {loss}")
    if tensor.is_meta:
        raise ValueError(f"{where}: {key} is on the meta device: it has a shape but no values")
    return tensor.detach().to(device="cpu", dtype=torch.float64).tolist()


def _finite(where: str, key: str, x: float) -> float:
    if not math.isfinite(x):
        raise ValueError(f"{where}: {key} is {x!r}: an MLP's parameters are finite numbers")
    return x


def _short(module: Any) -> str:
    text = " ".join(repr(module).split())
    return text if len(text) <= 80 else text[:77] + "..."

