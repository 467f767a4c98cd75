"""Neurons, layers and the multi-layer perceptron, as in the lecture.

A neuron computes ``g(Σᵢ wᵢxᵢ + b)``: a weighted sum of its inputs plus a bias
(the pre-activation), passed through a nonlinearity ``g``. A layer is neurons
side by side, all reading the same inputs; an MLP stacks layers, each reading
the outputs of the one before. The last layer of an MLP is linear (``g`` is the
identity), so its outputs are scores, as in micrograd.

The pre-activation is one fused node, ``autograd.linear(w, x, b)``, with local
derivatives ``∂/∂wᵢ = xᵢ``, ``∂/∂xᵢ = wᵢ``, ``∂/∂b = 1``. With ``fused=False``
it is built as micrograd builds it, ``b + w₁x₁ + w₂x₂ + ...``: one ``*`` and one
``+`` node per input, the graph to draw when teaching the chain rule. Both add
in the same order, so the values are equal to the last bit, and so are the
gradients.

Initial weights (``init=``), for a neuron with ``fan_in`` inputs in a layer of
``fan_out`` neurons; biases start at 0:

* ``"uniform"``: ``U(-1, 1)``, micrograd's (the default). With ``seed=None`` the
  weights come from Python's global ``random``, in micrograd's order, so
  ``random.seed(1337); MLP(2, [16, 16, 1])`` has micrograd's weights;
* ``"xavier"`` (Glorot uniform): ``U(-a, a)`` with ``a = √(6 / (fan_in + fan_out))``,
  so ``Var w = 2 / (fan_in + fan_out)``: keeps the variance of signals about
  constant through tanh and sigmoid layers;
* ``"he"`` (Kaiming normal): ``N(0, 2 / fan_in)``: the same for ReLU layers,
  which zero half their inputs.
"""

from __future__ import annotations

import math
from operator import attrgetter
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from autograd import Op, Value, ValueTuple, linear, linear_layer
from autograd.ops import RELU, SIGMOID, TANH

from .module import Module
from .seeding import RandomSource, Seed, make_rng

if TYPE_CHECKING:  # only for the annotations: importing nn never imports torch
    import torch

ACTIVATIONS: dict[str, Op | None] = {"relu": RELU, "tanh": TANH, "sigmoid": SIGMOID, "linear": None}
"""Each activation's op: ``Value.relu`` is ``RELU`` applied; None for the identity."""
_WEIGHTS, _BIAS = attrgetter("w"), attrgetter("b")
_EACH, _SUMS = "each", "sums"  # how a layer computes its neurons' outputs, unless they share one fused activation
_DISPLAY_NAMES = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "linear": "Linear"}


def _uniform(rng: RandomSource, fan_in: int, fan_out: int) -> float:
    return rng.uniform(-1.0, 1.0)


def _xavier(rng: RandomSource, fan_in: int, fan_out: int) -> float:
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound)


def _he(rng: RandomSource, fan_in: int, fan_out: int) -> float:
    return rng.gauss(0.0, math.sqrt(2.0 / fan_in))


INITS: dict[str, Callable[[RandomSource, int, int], float]] = {"uniform": _uniform, "xavier": _xavier, "he": _he}


def _activation_name(nonlin: bool, activation: str | None) -> str:
    """The activation asked for: ``activation`` if given, else micrograd's ``nonlin`` (ReLU or linear)."""
    name = activation if activation is not None else ("relu" if nonlin else "linear")
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(map(repr, ACTIVATIONS))}, got {name!r}")
    return name


def _check_init(init: str) -> Callable[[RandomSource, int, int], float]:
    if init not in INITS:
        raise ValueError(f"init must be one of {', '.join(map(repr, INITS))}, got {init!r}")
    return INITS[init]


def _check_size(what: str, n: Any) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")


def _check_input(owner: str, expected: int, x: Sequence[Any]) -> None:
    if isinstance(x, Value) or not hasattr(x, "__len__"):
        raise TypeError(f"{owner} takes a list of {expected} inputs, got {type(x).__name__}")
    if len(x) != expected:
        raise ValueError(f"{owner} expects {expected} inputs, got {len(x)}")


def as_values(x: Sequence[Any]) -> list[Value]:
    """The inputs as Values: numbers become leaves (once, shared by every neuron that reads them)."""
    return [v if type(v) is Value else Value(v) for v in x]


class Neuron(Module):
    """``g(Σᵢ wᵢxᵢ + b)``: ``nin`` weights ``w`` and a bias ``b``.

    ``Neuron(nin, nonlin=True)`` is micrograd's: ReLU, or linear with
    ``nonlin=False``; ``activation`` ("relu", "tanh", "sigmoid", "linear")
    overrides ``nonlin``. ``init``, ``seed`` and ``fan_out``: see the module
    docstring. ``fused``: the pre-activation as one node (True) or as
    micrograd's chain of ``*`` and ``+`` nodes (False). ``activation`` and
    ``fused`` are fixed when the neuron is made.

    ``w`` is an ``autograd.ValueTuple``: a tuple, so ``neuron.w[0].data = 0.5``
    sets a weight, and a layer reads the weights without checking them again
    on every call. Assigning ``neuron.w`` a new list of Values works too (it is then checked on every call).
    """

    def __init__(self, nin: int, nonlin: bool = True, *, activation: str | None = None, init: str = "uniform",
                 seed: Seed = None, fused: bool = True, fan_out: int = 1) -> None:
        _check_size("nin", nin)
        draw = _check_init(init)
        rng = make_rng(seed)
        self._activation = _activation_name(nonlin, activation)
        self._fused = fused
        self.w = ValueTuple([Value(draw(rng, nin, fan_out)) for _ in range(nin)])
        self.b = Value(0.0)
        self._activate = ACTIVATIONS[self._activation]
        self.label_parameters()

    @property
    def activation(self) -> str:
        """"relu", "tanh", "sigmoid" or "linear"."""
        return self._activation

    @property
    def fused(self) -> bool:
        """Whether the pre-activation is one ``Σwx+b`` node (else micrograd's chain of ``*`` and ``+``)."""
        return self._fused

    @property
    def nin(self) -> int:
        return len(self.w)

    @property
    def nonlin(self) -> bool:
        """micrograd's flag: True unless the neuron is linear."""
        return self.activation != "linear"

    def __call__(self, x: Sequence[Any]) -> Value:
        """The neuron's output for inputs ``x`` (Values or numbers, ``nin`` of them)."""
        _check_input("Neuron", len(self.w), x)
        return self.output(as_values(x))

    def output(self, x: list[Value]) -> Value:
        """``g(Σᵢ wᵢxᵢ + b)`` for inputs already checked and made Values."""
        if self._fused:
            z = linear(self.w, x, self.b)
        else:
            z = sum((wi * xi for wi, xi in zip(self.w, x, strict=True)), self.b)
        return self.activate(z)

    def activate(self, z: Value) -> Value:
        """``g(z)``: the neuron's nonlinearity applied to its pre-activation ``z``."""
        return z if self._activate is None else Value.apply(self._activate, z)

    def __repr__(self) -> str:
        return f"{_DISPLAY_NAMES[self.activation]}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs; ``**kw`` goes to each ``Neuron``.

    Calling it returns a Value for one neuron and a list otherwise, as in micrograd.
    """

    def __init__(self, nin: int, nout: int, *, seed: Seed = None, **kw: Any) -> None:
        _check_size("nin", nin)
        _check_size("nout", nout)
        rng = make_rng(seed)
        self.neurons = [Neuron(nin, seed=rng, fan_out=nout, **kw) for _ in range(nout)]
        self._way: tuple[tuple[Neuron, ...], Op | str | None] = ((), _EACH)
        self.label_parameters()

    @property
    def nin(self) -> int:
        return self.neurons[0].nin

    @property
    def activation(self) -> str:
        """The activation of its neurons, which a layer shares (ValueError if its neurons were swapped for others)."""
        activations = {neuron.activation for neuron in self.neurons}
        if len(activations) > 1:
            raise ValueError(f"{self!r} mixes the activations {', '.join(sorted(activations))}: "
                             "a layer applies one activation to all its neurons")
        return self.neurons[0].activation

    def __call__(self, x: Sequence[Any]) -> Value | list[Value]:
        _check_input("Layer", self.nin, x)
        out = self.outputs(as_values(x))
        return out[0] if len(out) == 1 else out

    def outputs(self, x: list[Value]) -> list[Value]:
        """Every neuron's output, as a list even for one neuron, for inputs already checked and made Values.

        Fused neurons are computed together (``autograd.linear_layer``), which reads the inputs once, and
        applies their activation in the same loop when they share one (and ``Neuron.activate`` is not overridden).
        """
        neurons = self.neurons
        current = tuple(neurons)
        if current != self._way[0]:  # neurons added, removed or swapped: one look at them, kept while they stay
            self._way = (current, _way_of(current))
        way = self._way[1]
        if way is _EACH:
            return [neuron.output(x) for neuron in neurons]
        weights, biases = list(map(_WEIGHTS, neurons)), list(map(_BIAS, neurons))
        if way is _SUMS:
            sums = linear_layer(weights, x, biases)
            return [neuron.activate(z) for neuron, z in zip(neurons, sums, strict=True)]
        return linear_layer(weights, x, biases, cast(Op | None, way))

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(map(repr, self.neurons))}]"


def _way_of(neurons: tuple[Neuron, ...]) -> Op | str | None:
    """How a layer of ``neurons`` computes: ``_EACH`` neuron by itself (not all fused), ``_SUMS`` as fused sums
    with each neuron's own activation, else their shared activation's op (None: linear) in ``linear_layer``.

    A neuron's ``fused`` and activation are fixed when it is made, so this holds while the neurons stay.
    """
    if not all(neuron.fused for neuron in neurons):
        return _EACH
    activations = {neuron._activate for neuron in neurons}
    if len(activations) == 1 and all(type(neuron).activate is Neuron.activate for neuron in neurons):
        return next(iter(activations))
    return _SUMS


class MLP(Module):
    """A multi-layer perceptron: ``nin`` inputs, then one layer of ``nouts[i]`` neurons each.

    Every layer but the last applies ``activation`` (ReLU unless told); the
    last is linear. ``MLP(2, [16, 16, 1])(x)`` returns a Value for one output
    and a list otherwise. ``init``, ``seed`` and ``fused``: see ``Neuron``; one
    random source draws every weight, layer by layer, neuron by neuron.
    Parameters are named ``layers.<i>.neurons.<j>.w.<k>`` and ``layers.<i>.neurons.<j>.b``.
    """

    def __init__(self, nin: int, nouts: Sequence[int], *, activation: str = "relu", init: str = "uniform",
                 seed: Seed = None, fused: bool = True) -> None:
        _check_size("nin", nin)
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise ValueError(f"nouts must be a non-empty list of layer sizes, got {nouts!r}")
        for n in nouts:
            _check_size("every layer size in nouts", n)
        rng = make_rng(seed)
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation=activation if i < last else "linear", init=init,
                  seed=rng, fused=fused)
            for i in range(len(nouts))
        ]
        self.label_parameters()

    @property
    def nin(self) -> int:
        return self.layers[0].nin

    def __call__(self, x: Sequence[Any]) -> Value | list[Value]:
        _check_input("MLP", self.nin, x)
        out = as_values(x)
        for layer in self.layers:
            out = layer.outputs(out)
        return out[0] if len(out) == 1 else out

    # ------------------------------------------------------------ PyTorch (the torch extra; see nn.torch_bridge)
    def to_torch(self) -> torch.nn.Sequential:
        """This network as a ``torch.nn.Sequential`` of ``Linear`` layers and activations, in float64.

        Layer i is module 2i, ``Linear(nin, nout)`` with neuron j's weights as row
        j of its weight; parameter ``layers.i.neurons.j.w.k`` is ``2i.weight[j, k]``
        (``nn.torch_bridge.torch_name``). Its outputs, and its gradients after the
        same loss, equal ours up to the rounding of the sums.
        """
        from .torch_bridge import to_sequential  # here: importing nn never imports torch

        layers = [(len(layer.neurons), layer.activation) for layer in self.layers]
        return to_sequential(self.nin, layers, self.state_dict())

    @classmethod
    def from_torch(cls, source: torch.nn.Module | Mapping[str, Any], nin: int | None = None,
                   nouts: Sequence[int] | None = None, *, activation: str | None = None,
                   fused: bool = True) -> MLP:
        """The MLP computing what ``source`` computes: a ``torch.nn.Sequential`` such as ``to_torch`` makes.

        Or ``source`` is such a Sequential's ``state_dict()``, with the layer
        sizes ``nin`` and ``nouts`` and the hidden layers' ``activation``
        (default "relu") given, as to ``MLP(nin, nouts, activation=...)``. The
        parameters are copied exactly. What an MLP cannot represent (a
        ``Softmax``, a ``Conv2d``, a Linear without bias, a complex dtype, ...)
        raises ValueError naming the module; see ``nn.torch_bridge``.
        """
        from .torch_bridge import read_sequential, read_state_dict  # here: importing nn never imports torch

        if isinstance(source, Mapping):
            if nin is None or nouts is None:
                raise TypeError("MLP.from_torch(state_dict, nin, nouts, activation=...): a state dict holds "
                                "the weights but not the layer sizes, give nin and nouts")
            model = cls(nin, nouts, activation="relu" if activation is None else activation, seed=0, fused=fused)
            model.load_state_dict(read_state_dict(source, [nin, *nouts]))
            return model
        if nin is not None or nouts is not None or activation is not None:
            raise TypeError("MLP.from_torch(module): a Sequential has its own sizes and activations; "
                            "nin, nouts and activation are for a state dict")
        imported = read_sequential(source)
        model = cls(imported.nin, imported.nouts, activation=imported.activation, seed=0, fused=fused)
        model.load_state_dict(imported.state)
        return model

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(map(repr, self.layers))}]"
