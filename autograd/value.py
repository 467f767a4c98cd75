"""``Value``: one float, its gradient, and the op that made it.

A ``Value`` is a node of the computational graph. Leaves are the numbers you
start from (inputs, parameters, constants); every op makes a new node that
remembers its op's row (``ops.py``) and its operands. The rest of the engine
reads a node through ``operation`` (the row, None for a leaf), ``data``,
``grad`` and its operands, which sit in two slots rather than a tuple (one
object per node, not two): ``graph.py`` says how they are laid out, and
``parents`` (``graph.operands``) gives them as a tuple, in order.

Every operator is one function made from its op's row (``_binary_operator``),
and nodes are built without ``__init__``: this is the engine's hot path.

Nothing here points back from a parent to its children, and no closure holds
its own node, so a graph built by ops has no reference cycles: dropping the
root frees it by reference counting alone.

The micrograd lecture's way of building a node also works:
``Value(data, (a, b), "+")`` with a hand-written ``out._backward = fn``. Such
closures hold their node (a cycle, left to the collector) and serve ordinary
``backward()`` only; ``Op(...)`` gives the same op higher-order gradients,
``compile`` and drawing captions too.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, cast
from collections.abc import Callable, Iterable, Sequence

from . import grad_mode
from .backprop import backward, local_derivatives
from .collector import recording, recording_started
from .graph import NO_GRADIENT, operands
from .ops import (ABS, ADD, ATAN, COS, DIV, EXP, FORWARD_ERRORS, LINEAR, LOG, MAX, MIN, MUL, NEG, POW,
                  RELU, SIGMOID, SIN, SOFTPLUS, SQRT, SUB, TANH, Op, leaky_relu, op_error, power,
                  weighted_sum, weighted_sum_partials)

_INF = math.inf
_NINF = -math.inf  # a constant: ``-_INF`` in a test would negate it afresh on every op
_recording = grad_mode.is_grad_enabled


class HandWritten:
    """The op of a node built the lecture's way: its name, and its ``_backward`` closure if one was set."""

    __slots__ = ("name", "backward")

    def __init__(self, name: str, backward: Callable[[], None] | None = None) -> None:
        self.name = name
        self.backward = backward

    def __repr__(self) -> str:
        return f"HandWritten({self.name!r})"


def _nothing() -> None:
    """A leaf's ``_backward``, and that of a lecture node whose ``_backward`` was never set: no-op."""


def _binary_operator(op: Op, reflected: bool = False) -> Callable[[Value, Any], Value]:
    """The operator method for ``self op other`` (``other op self`` if ``reflected``), made from ``op``'s row.

    One function does it all, for speed: a number beside the Value becomes a
    constant leaf, the forward runs on the floats, and the node is built
    without ``__init__``, as ``_result`` builds every other op's.
    """
    forward = op.forward
    inf, ninf = _INF, _NINF
    zero = NO_GRADIENT

    def operator(self: Value, other: Any) -> Value:
        if type(other) is not Value:
            if type(other) is float and ninf < other < inf:  # x * 1.5: the constant leaf, built here (a call fewer)
                constant = _new(Value)
                constant.data = other
                constant.grad = zero
                constant.label = ""
                constant.operation = constant._a = constant._b = None
                other = constant
            else:
                other = _operand(op, other, self)
                if other is NotImplemented:
                    return NotImplemented  # type: ignore[no-any-return]
        if reflected:
            self, other = other, self
        try:
            data = forward(self.data, other.data)
        except FORWARD_ERRORS as e:
            raise op_error(op, (self, other), e) from None
        if not ninf < data < inf:
            raise op_error(op, (self, other), OverflowError(f"the result {data!r} does not fit in a float"))
        # _result's lines, written out here on purpose: one call fewer per op is about 3% of a granular step.
        node = _new(Value)
        node.data = data
        node.grad = zero
        node.label = ""
        if _recording():
            node.operation = op
            node._a = self
            node._b = other
            if not recording:
                recording_started()
        else:
            node.operation = node._a = node._b = None
        return node

    operator.__name__ = operator.__qualname__ = f"__{'r' if reflected else ''}{op.word}__"
    operator.__doc__ = f"``{op.display.format(*(('other', 'self') if reflected else ('self', 'other')))}``"
    return operator


def _unary_method(op: Op, doc: str) -> Callable[[Value], Value]:
    """The method ``x.name()`` for a one-operand op, made from its row; ``doc`` states its math."""

    def method(self: Value) -> Value:
        return _unary(op, self)

    method.__name__ = method.__qualname__ = op.name
    method.__doc__ = doc
    return method


class Value:
    """A scalar node: ``data``, ``grad``, ``label``, and the op that made it.

    ``Value(data, label="")``, or the micrograd lecture's
    ``Value(data, _children=(), _op="", label="")``.

    >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    >>> e = a * b + a
    >>> e.backward()
    >>> a.grad, b.grad   # ∂e/∂a = b + 1, ∂e/∂b = a
    (-2.0, 2.0)
    """

    __slots__ = ("data", "grad", "label", "operation", "_a", "_b")

    data: float
    grad: Any
    label: str
    operation: Op | HandWritten | None
    """The op's row in the table (``ops.py``); a ``HandWritten`` for a lecture-built node; None for a leaf."""
    _a: Value | tuple[Value, ...] | None
    _b: Value | Sequence[float] | None

    def __init__(self, data: Any, _children: Iterable[Value] | str = (), _op: str = "", label: str = "") -> None:
        if type(data) is float and _children == () and not _op and type(label) is str and _NINF < data < _INF:
            self.data = data  # the common case, Value(x) for a finite float, needs none of the checks below
            self.grad = NO_GRADIENT
            self.label = label
            self.operation = self._a = self._b = None
            return
        if isinstance(_children, str) and not _op and not label:
            label, _children = _children, ()  # Value(2.0, "a"): the label second, as this engine has allowed
        if not isinstance(label, str):
            raise TypeError(f"Value's label must be a str, got {type(label).__name__}: {label!r}")
        if not isinstance(_op, str):
            raise TypeError(f"Value's _op must be a str (the op's name), got {type(_op).__name__}: {_op!r}")
        children = _children_of(_children, label)
        if type(data) is not float:
            data = _to_float(data, f"Value{_named(label)}")
        if not _NINF < data < _INF:
            raise ValueError(f"Value{_named(label)} needs a finite number, got {data!r}")
        self.data = data
        self.grad = NO_GRADIENT
        self.label = label
        self._b = None
        if children:
            self.operation = HandWritten(_op)
            self._a = children
        else:
            self.operation = self._a = None

    # ------------------------------------------------------------ the graph
    parents = property(operands, doc="The operands this node was made from, in order: ``a + a`` has ``(a, a)``; "
                                     "() for a leaf.")

    @property
    def op(self) -> str:
        """The name of the op that made this node; "" for a leaf."""
        operation = self.operation
        return operation.name if operation is not None else ""

    # micrograd's names, so lecture code (its trace and draw_dot: ``uid + n._op``) runs unchanged.
    _op = op
    _prev = parents

    @property
    def _backward(self) -> Callable[[], None]:
        """micrograd's chain-rule step here: add ``self.grad · ∂self/∂operand`` into each operand's ``.grad``.

        For a node made by an op it is computed from the op's rule; a leaf's
        does nothing. Assigning ``node._backward = fn`` (the lecture's way of
        adding an op) makes ``backward()`` run ``fn`` at this node's turn.
        """
        operation = self.operation
        if isinstance(operation, HandWritten):
            return operation.backward or _nothing
        if operation is None:
            return _nothing
        return self._chain_rule_step

    @_backward.setter
    def _backward(self, fn: Callable[[], None]) -> None:
        if not callable(fn):
            raise TypeError(f"_backward must be a function of no arguments, got {type(fn).__name__}: {fn!r}")
        self.operation = HandWritten(self.op, fn)
        if self._a is not None and type(self._a) is not tuple:
            self._a, self._b = operands(self), None  # graph.py: a hand-written node keeps its operands in a tuple

    def _chain_rule_step(self) -> None:
        op = self.operation
        assert isinstance(op, Op)
        parents = self.parents
        g = self.grad
        for p, d in zip(parents, local_derivatives(op, self, parents), strict=True):
            p.grad += g * d

    def is_leaf(self) -> bool:
        """A leaf has no parents: an input, a parameter, a constant, or a detached value."""
        return self._a is None

    def detach(self) -> Value:
        """A new leaf with the same data, cut off from this graph."""
        return Value(self.data, label=self.label)

    def backward(self, grad: float = 1.0) -> None:
        """Fill ``.grad`` of every node this one depends on, by the chain rule.

        ``grad`` is ∂L/∂self, the seed (1.0 for a loss). Leaves add to their
        ``.grad`` across calls, so two calls give exactly twice the gradient;
        every other node's ``.grad`` holds this pass. If any gradient comes out
        infinite (sqrt at 0, say), an error names the node and no ``.grad``
        changes.
        """
        if isinstance(grad, bool) or not _is_real(grad):
            raise TypeError(f"backward takes the seed ∂L/∂self as a number, got {type(grad).__name__}: {grad!r}")
        backward(self, float(grad))

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __float__(self) -> float:
        op = grad_mode.rule_running_on_values()
        if op:
            raise TypeError(f"the local_grads rule of {op} turned a Value into a float (math.cos(x), float(x)) "
                            "while computing a gradient that must stay a graph (create_graph): write the rule "
                            "with autograd.math (autograd.math.cos(x)), which works on floats and Values alike")
        return self.data

    # Ordering compares data (handy for max() and sorting). Equality is not
    # defined, so it stays identity and Values hash by identity: dict keys, set members.
    def __lt__(self, other: Any) -> bool:
        return bool(self.data < _data(other))

    def __le__(self, other: Any) -> bool:
        return bool(self.data <= _data(other))

    def __gt__(self, other: Any) -> bool:
        return bool(self.data > _data(other))

    def __ge__(self, other: Any) -> bool:
        return bool(self.data >= _data(other))

    # ------------------------------------------------------------ operators
    # Each is one function made from its op's row (``_binary_operator``): the engine's hot path.
    __add__ = _binary_operator(ADD)
    __radd__ = _binary_operator(ADD, reflected=True)
    __sub__ = _binary_operator(SUB)
    __rsub__ = _binary_operator(SUB, reflected=True)
    __mul__ = _binary_operator(MUL)
    __rmul__ = _binary_operator(MUL, reflected=True)
    __truediv__ = _binary_operator(DIV)
    __rtruediv__ = _binary_operator(DIV, reflected=True)
    __rpow__ = _binary_operator(POW, reflected=True)

    def __pow__(self, other: Any) -> Value:
        if isinstance(other, Value):
            return _values_to_the_power(self, other)
        if not _is_real(other):
            return NotImplemented
        exponent = _number(POW, other, self)
        if exponent != exponent:
            raise ValueError(f"** failed on {self.data!r}{_named(self.label)}: the exponent is NaN")
        return _unary(power(exponent), self)  # a constant exponent gets no gradient

    __neg__ = _unary_method(NEG, "-x; d/dx = -1.")

    def __pos__(self) -> Value:
        return self

    __abs__ = _unary_method(ABS, "|x|; d/dx = 1 for x > 0, -1 for x < 0, and the subgradient 0 at 0.")

    # ------------------------------------------------------------ functions
    exp = _unary_method(EXP, "e^x; d/dx = e^x.")
    log = _unary_method(LOG, "Natural log, for x > 0; d/dx = 1/x.")
    sqrt = _unary_method(SQRT, "√x for x >= 0; d/dx = 1/(2√x).")
    sin = _unary_method(SIN, "sin x; d/dx = cos x.")
    cos = _unary_method(COS, "cos x; d/dx = -sin x.")
    tanh = _unary_method(TANH, "tanh x; d/dx = 1 - tanh² x. Never overflows.")
    atan = _unary_method(ATAN, "arctan x; d/dx = 1/(1 + x²).")
    sigmoid = _unary_method(SIGMOID, "σ(x) = 1/(1 + e^-x); d/dx = σ(x)(1 - σ(x)). Never overflows.")
    softplus = _unary_method(SOFTPLUS, "log(1 + e^x); d/dx = σ(x). Never overflows.")
    relu = _unary_method(RELU, "max(x, 0); d/dx = 1 for x > 0, else 0.")

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x for x > 0, else slope·x; d/dx = 1 or slope."""
        return _unary(leaky_relu(slope), self)

    def max(self, other: Any) -> Value:
        """max(x, y) = x if x >= y else y, recorded as an op; ``other`` is a Value or a number.

        ∂/∂x = 1, ∂/∂y = 0 where x >= y, else ∂/∂x = 0, ∂/∂y = 1. On a tie
        (x == y) the gradient goes to x, the first operand: a subgradient.

        Python's ``max(x, y)`` differs: it compares the data and returns one
        of the two nodes, so the graph carries on from whichever was larger
        then. ``x.max(y)`` is a node of its own whose branch is taken again
        whenever the graph is re-evaluated (by ``autograd.compile``, say).
        """
        return apply(MAX, self, other)

    def min(self, other: Any) -> Value:
        """min(x, y) = x if x <= y else y, recorded as an op; ``other`` is a Value or a number.

        ∂/∂x = 1, ∂/∂y = 0 where x <= y, else ∂/∂x = 0, ∂/∂y = 1. On a tie
        the gradient goes to x, the first operand: a subgradient.

        Python's ``min(x, y)`` returns one of the two nodes instead; see ``max``.
        """
        return apply(MIN, self, other)

    @staticmethod
    def apply(op: Op, *operands: Any) -> Value:
        """``op`` on the operands, recorded as a new node (``autograd.apply``)."""
        return apply(op, *operands)


_values_to_the_power = _binary_operator(POW)  # v ** w for a Value exponent; a number exponent is power(k)

# ---------------------------------------------------------------- machinery


def _is_real(x: Any) -> bool:
    """A real number: int, float, numpy float, Fraction, Decimal, or any scalar with ``__float__``.

    Complex numbers are not, and neither are containers (a numpy array has
    ``__float__`` too): ``v + array`` is left to numpy, which applies ``+`` elementwise.
    """
    if isinstance(x, (float, int, numbers.Real)):
        return True
    kind = type(x)
    return hasattr(kind, "__float__") and not hasattr(kind, "__len__") and not isinstance(x, numbers.Complex)


def _children_of(children: Any, label: str) -> tuple[Value, ...]:
    """The lecture constructor's ``_children``, checked: an iterable of Values."""
    if isinstance(children, (str, bytes)) or not hasattr(children, "__iter__"):
        raise TypeError(f"Value{_named(label)}: _children must be an iterable of Values (the operands), "
                        f"got {type(children).__name__}: {children!r}; to give a label, write label=...")
    found = tuple(children)
    for i, child in enumerate(found):
        if not isinstance(child, Value):
            raise TypeError(f"Value{_named(label)}: _children[{i}] is {type(child).__name__} {child!r}, not a Value")
    return found


def _to_float(data: Any, who: str) -> float:
    """A real number (int, float, numpy float, Fraction, ...) as a float; else an error that starts with ``who``."""
    if isinstance(data, Value):
        raise TypeError(f"{who} takes a number, got a Value: use v.detach() or v.data")
    if _is_real(data):
        try:
            return float(data)
        except OverflowError:
            raise OverflowError(f"{who} needs a number that fits in a float, got "
                                f"{type(data).__name__} {_shown(data)}") from None
        except (TypeError, ValueError) as e:
            raise TypeError(f"{who} cannot turn {type(data).__name__} {_shown(data)} into a float: {e}") from None
    raise TypeError(f"{who} needs a real number, got {type(data).__name__}: {_shown(data)}")


def _shown(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 40 else f"{text[:20]}...{text[-8:]} ({len(text)} characters)"


def _data(x: Any) -> Any:
    return x.data if isinstance(x, Value) else x


def _named(label: str) -> str:
    return f" {label!r}" if label else ""


def _number(op: Op, x: Any, beside: Value) -> float:
    """A plain number operand of ``op`` as a float, or an error naming the op and the Value beside it.

    The message is written only on failure: this runs for every constant in an expression.
    """
    try:
        return float(x)
    except (OverflowError, TypeError, ValueError):
        return _to_float(x, f"{op.name} beside {beside.data!r}{_named(beside.label)}")  # raises, saying so


def _operand(op: Op, x: Any, beside: Value) -> Any:
    """``x``, an operand of ``op`` beside the Value ``beside``: a Value as it is, a real number as a
    new constant leaf, anything else NotImplemented (so that Python tries the other side's operator)."""
    if isinstance(x, Value):
        return x
    if type(x) is not float:
        if not _is_real(x):
            return NotImplemented
        x = _number(op, x, beside)
    return Value(x)  # a constant leaf; a number that is not finite raises the constructor's error


def _constant(op: Op, x: Any, beside: Value | None = None) -> Value:
    """A plain number operand of ``apply`` or ``linear`` as a constant leaf; not a number: TypeError naming the op."""
    if isinstance(x, Value):
        return x
    if not _is_real(x):
        raise TypeError(f"{op.name} takes Values or real numbers, got {type(x).__name__}: {_shown(x)}")
    return Value(_number(op, x, beside) if beside is not None else x)


def _unary(op: Op, a: Value) -> Value:
    """``op(a)``, recorded as a new node."""
    try:
        data = op.forward(a.data)
    except FORWARD_ERRORS as e:
        raise op_error(op, (a,), e) from None
    return _result(data, op, a, None)


def apply(op: Op, *operands: Any) -> Value:
    """Run ``op`` on the operands and record the new node; plain numbers become constant leaves.

    This is how every op is applied, and how you apply one of your own::

        cube = Op("cube", lambda a: a ** 3, lambda out, a: (3 * a * a,))
        y = apply(cube, x)        # or cube(x)

    The forward must return a real number that fits in a float; anything
    else is a TypeError or ValueError naming the op.
    """
    if not isinstance(op, Op):
        raise TypeError(f"apply takes an autograd.Op, got {type(op).__name__}: {op!r}")
    first = next((x for x in operands if isinstance(x, Value)), None)
    nodes = tuple(x if isinstance(x, Value) else _constant(op, x, first) for x in operands)
    if not nodes:
        raise TypeError(f"{op.name} needs at least one operand")
    if op.arity is not None and len(nodes) != op.arity:
        raise TypeError(f"{op.name} takes {op.arity} operand(s), got {len(nodes)}")
    try:
        data = op.forward(*[v.data for v in nodes])
    except FORWARD_ERRORS as e:
        raise op_error(op, nodes, e) from None
    if type(data) is not float:
        data = _forward_result(op, nodes, data)
    return record(op, data, nodes)


def _forward_result(op: Op, nodes: tuple[Value, ...], data: Any) -> float:
    """What a forward returned, as a float: a real number that fits, else an error naming the op."""
    if isinstance(data, (Value, bool)) or not _is_real(data):
        raise TypeError(f"the forward of {op.name} returned {type(data).__name__} {_shown(data)} on numbers: "
                        "a forward must return a real number (work on the floats it is given)")
    try:
        return float(data)
    except OverflowError:
        raise op_error(op, nodes, OverflowError(f"the result {_shown(data)} does not fit in a float")) from None


def linear(weights: Iterable[Any], inputs: Iterable[Any], bias: Any) -> Value:
    """b + Σ wᵢxᵢ as one node: ∂/∂wᵢ = xᵢ, ∂/∂xᵢ = wᵢ, ∂/∂b = 1.

    The fused pre-activation of a neuron (the lecture's perceptron): one node
    instead of 2n binary ones. Plain numbers become constant leaves. The sum
    runs b + w₁x₁ + w₂x₂ + ..., in the order micrograd's ``sum(..., b)`` adds,
    so it equals the granular graph's value bit for bit.
    """
    return linear_layer([weights], inputs, [bias])[0]


def linear_layer(weights: Sequence[Iterable[Any]], inputs: Iterable[Any], biases: Sequence[Any],
                 activation: Op | None = None) -> list[Value]:
    """``[linear(w, inputs, b) for w, b in zip(weights, biases)]``: a layer of neurons reading the same inputs.

    With ``activation``, an op of one operand (``autograd.ops.RELU``, say),
    each sum is passed through it, a node of its own on top of the sum's:
    ``[activation(z) for z in linear_layer(weights, inputs, biases)]``, the
    same graph, built in one loop.

    The inputs are checked and read once for the whole layer. A row of weights
    that is a ``ValueTuple`` (as ``nn.Neuron`` keeps its weights) was checked
    when it was made and is used as it is; any other row is checked item by item.
    Each sum node keeps its local derivatives, computed by the row's rule as it
    is recorded (the rule needs the very numbers the sum has just read), so the
    backward walk calls no rule for it. They are the derivatives at the numbers
    the node was computed from, as PyTorch saves tensors for backward: changing
    an operand's ``.data`` before ``backward()`` does not change them (build the node again).
    """
    if activation is not None and not (isinstance(activation, Op) and activation.arity == 1):
        raise TypeError(f"linear_layer's activation must be an Op of one operand, got {activation!r}")
    if len(weights) != len(biases):
        raise ValueError(f"linear_layer needs a bias per row of weights, got {len(weights)} rows and "
                         f"{len(biases)} biases")
    # The checks of a layer of Values, written out: this runs once per layer and sample.
    xs = inputs if type(inputs) is list and set(map(type, inputs)) <= _ONLY_VALUES else _values(inputs)
    rows: Any = weights if set(map(type, weights)) <= _CHECKED_ROWS else [tuple(_values(row)) for row in weights]
    bs = biases if set(map(type, biases)) <= _ONLY_VALUES else [_constant(LINEAR, b) for b in biases]
    return _layer(rows, xs, bs, activation)


def _layer(rows: Sequence[tuple[Value, ...]], xs: Sequence[Value], biases: Sequence[Value],
           activation: Op | None) -> list[Value]:
    """``linear_layer`` on operands known to be Values: one sum node per row, each under ``activation`` if given.

    The nodes are built here rather than by ``_result``, two calls fewer per neuron
    (about 3% of an ``nn`` training step); the lines are ``_result``'s.
    """
    x_data = [x.data for x in xs]
    inputs = tuple(xs)  # row + inputs + (b,) concatenates tuples, faster than unpacking them into one
    n = len(xs)
    keep = _recording()
    act = activation.forward if activation is not None else None
    nodes = []
    for ws, b in zip(rows, biases):  # noqa: B905 - of equal length, checked by the caller
        if len(ws) != n:
            raise ValueError(f"linear needs as many weights as inputs, got {len(ws)} weights and {n} inputs")
        w_data = [w.data for w in ws]
        data = weighted_sum(w_data, x_data, b.data)
        if not _NINF < data < _INF:
            raise op_error(LINEAR, (*ws, *xs, b), OverflowError(f"the result {data!r} does not fit in a float"))
        node = _new(Value)
        node.data = data
        node.grad = NO_GRADIENT
        node.label = ""
        if keep:
            node.operation = LINEAR
            node._a = ws + inputs + (b,)
            node._b = weighted_sum_partials(w_data, x_data)
        else:
            node.operation = node._a = node._b = None
        if act is not None:
            try:
                out = act(data)
            except FORWARD_ERRORS as e:
                raise op_error(cast(Op, activation), (node,), e) from None
            if not _NINF < out < _INF:
                raise op_error(cast(Op, activation), (node,),
                               OverflowError(f"the result {out!r} does not fit in a float"))
            z, node = node, _new(Value)
            node.data = out
            node.grad = NO_GRADIENT
            node.label = ""
            if keep:
                node.operation = activation
                node._a = z
                node._b = None
            else:
                node.operation = node._a = node._b = None
        nodes.append(node)
    if keep and not recording and nodes:
        recording_started()
    return nodes


class ValueTuple(tuple[Value, ...]):
    """A tuple of Values, each checked when the tuple is made: ``ValueTuple([w1, w2])``.

    A tuple cannot change, so what was checked stays true: ``linear_layer``
    uses such a row of weights without checking it again (``nn.Neuron`` keeps its
    weights so). Anything that is not a Value is a TypeError naming its position.
    """

    __slots__ = ()

    def __new__(cls, items: Iterable[Value] = ()) -> ValueTuple:
        made = super().__new__(cls, items)
        if not _only_values(made):
            for i, x in enumerate(made):
                if not isinstance(x, Value):
                    raise TypeError(f"ValueTuple holds Values, got {type(x).__name__} {_shown(x)} at position {i}")
        return made

    def __repr__(self) -> str:
        return f"ValueTuple({list(self)!r})"


_ONLY_VALUES = {Value}
_CHECKED_ROWS = {ValueTuple}


def _only_values(operands: Iterable[Any]) -> bool:
    return set(map(type, operands)) <= _ONLY_VALUES


def _values(operands: Iterable[Any]) -> list[Value]:
    """Operands of ``linear`` as a list of Values: plain numbers become constant leaves."""
    found = operands if type(operands) is list else list(operands)
    if _only_values(found):
        return found
    return [x if isinstance(x, Value) else _constant(LINEAR, x) for x in found]


def record(op: Op, data: float, parents: Iterable[Value]) -> Value:
    """The node for ``op``'s result ``data`` on ``parents``, recorded without running its forward.

    For an interpretation that has computed the result itself (``compile``
    runs generated code); a bare leaf inside ``no_grad``.
    """
    nodes = tuple(parents)
    if len(nodes) == 1:
        return _result(data, op, nodes[0], None)
    if len(nodes) == 2:
        return _result(data, op, nodes[0], nodes[1])
    return _result(data, op, nodes, None)


_new = object.__new__


def _result(data: float, op: Op, a: Value | tuple[Value, ...], b: Value | Sequence[float] | None) -> Value:
    """The node for an op's result; a bare leaf inside no_grad.

    ``a`` and ``b`` go into the operand slots (``graph.py``): for operands in a
    tuple, ``b`` is None or the node's local derivatives, recorded with it.

    Built without ``__init__``: ``data`` is already a float, and this runs for every node.
    """
    if not _NINF < data < _INF:
        raise op_error(op, a if type(a) is tuple else (a,) if b is None else (a, b),
                       OverflowError(f"the result {data!r} does not fit in a float"))
    node = _new(Value)
    node.data = data
    node.grad = NO_GRADIENT
    node.label = ""
    if _recording():
        node.operation = op
        node._a = a
        node._b = b
        if not recording:
            recording_started()
    else:
        node.operation = node._a = node._b = None
    return node
