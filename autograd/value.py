"""``Value``: one float, its gradient, and the op that made it.

A ``Value`` is a node of the computational graph. Leaves are the numbers you
start from (inputs, parameters, constants); every op makes a new node that
remembers its op (a row of the table in ``ops.py``) in ``_operation`` and its operand
nodes in ``_a`` and ``_b``:

* a leaf: ``_operation``, ``_a`` and ``_b`` are None;
* ``op(a)``: ``_b`` is None;
* ``a op b``: both are set;
* an op of many operands (``linear``): ``_a`` is their tuple, ``_b`` is None.

Keeping the operands in slots rather than in a tuple makes a node one object,
not two: less memory, and half the work for Python's cyclic garbage collector.

Nothing here points back from a parent to its children, and no closure holds
its own node, so a graph has no reference cycles: dropping the root frees it by
reference counting alone.
"""

from __future__ import annotations

import math
import numbers
from functools import reduce
from operator import add, mul
from typing import Any, Iterable

from . import grad_mode
from .ops import (ABS, ADD, COS, DIV, EXP, LINEAR, LOG, MAX, MIN, MUL, NEG, POW, RELU,
                  SIGMOID, SIN, SOFTPLUS, SQRT, SUB, TANH, Op, leaky_relu, power)

_INF = math.inf
# What a float op raises when its inputs are outside its domain.
_MATH_ERRORS = (ValueError, ZeroDivisionError, OverflowError)


class Value:
    """A scalar node: ``data``, ``grad``, ``label``, and the op that made it.

    >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    >>> e = a * b + a
    >>> e.backward()
    >>> a.grad, b.grad   # ∂e/∂a = b + 1, ∂e/∂b = a
    (-2.0, 2.0)
    """

    __slots__ = ("data", "grad", "label", "_operation", "_a", "_b")

    def __init__(self, data: Any, label: str = "") -> None:
        if type(data) is not float:
            data = _to_float(data, label)
        if not -_INF < data < _INF:
            raise ValueError(f"Value{_named(label)} needs a finite number, got {data!r}")
        self.data = data
        self.grad = 0.0
        self.label = label
        self._operation = self._a = self._b = None

    # ------------------------------------------------------------ the graph
    @property
    def op(self) -> str:
        """The name of the op that made this node; "" for a leaf."""
        return self._operation.name if self._operation else ""

    @property
    def parents(self) -> tuple[Value, ...]:
        """The operands this node was made from, in order: ``a + a`` has ``(a, a)``."""
        return operands(self)

    # micrograd's names, so lecture code (its trace and draw_dot: ``uid + n._op``) runs unchanged.
    _op = op
    _prev = parents

    def is_leaf(self) -> bool:
        """A leaf has no parents: an input, a parameter, a constant, or a detached value."""
        return self._operation is None

    def detach(self) -> Value:
        """A new leaf with the same data, cut off from this graph."""
        return Value(self.data, self.label)

    def backward(self, grad: float = 1.0) -> None:
        """Fill ``.grad`` of every node this one depends on, by the chain rule.

        ``grad`` is ∂L/∂self, the seed (1.0 for a loss). Leaves add to their
        ``.grad`` across calls, so two calls give exactly twice the gradient;
        every other node's ``.grad`` holds this pass. If any gradient comes out
        infinite (sqrt at 0, say), an error names the node and no ``.grad``
        changes.
        """
        from .backprop import propagate

        for node, g in propagate(self, float(grad)).items():
            if node._operation is not None:
                node.grad = g
            else:
                node.grad += g

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __float__(self) -> float:
        return self.data

    # Ordering compares data (handy for max() and sorting). Equality is not
    # defined, so it stays identity and Values hash by identity: dict keys, set members.
    def __lt__(self, other: Any) -> bool:
        return self.data < _data(other)

    def __le__(self, other: Any) -> bool:
        return self.data <= _data(other)

    def __gt__(self, other: Any) -> bool:
        return self.data > _data(other)

    def __ge__(self, other: Any) -> bool:
        return self.data >= _data(other)

    # ------------------------------------------------------------ operators
    def __add__(self, other: Any) -> Value:
        return _binary(ADD, self, other)

    def __radd__(self, other: Any) -> Value:
        return _binary(ADD, other, self)

    def __sub__(self, other: Any) -> Value:
        return _binary(SUB, self, other)

    def __rsub__(self, other: Any) -> Value:
        return _binary(SUB, other, self)

    def __mul__(self, other: Any) -> Value:
        return _binary(MUL, self, other)

    def __rmul__(self, other: Any) -> Value:
        return _binary(MUL, other, self)

    def __truediv__(self, other: Any) -> Value:
        return _binary(DIV, self, other)

    def __rtruediv__(self, other: Any) -> Value:
        return _binary(DIV, other, self)

    def __pow__(self, other: Any) -> Value:
        if isinstance(other, Value):
            return _binary(POW, self, other)
        if not _is_real(other):
            return NotImplemented
        return _unary(power(float(other)), self)  # a constant exponent gets no gradient

    def __rpow__(self, other: Any) -> Value:
        return _binary(POW, other, self)

    def __neg__(self) -> Value:
        return _unary(NEG, self)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return _unary(ABS, self)

    # ------------------------------------------------------------ functions
    def exp(self) -> Value:
        """e^x; d/dx = e^x."""
        return _unary(EXP, self)

    def log(self) -> Value:
        """Natural log, for x > 0; d/dx = 1/x."""
        return _unary(LOG, self)

    def sqrt(self) -> Value:
        """√x for x >= 0; d/dx = 1/(2√x)."""
        return _unary(SQRT, self)

    def sin(self) -> Value:
        """sin x; d/dx = cos x."""
        return _unary(SIN, self)

    def cos(self) -> Value:
        """cos x; d/dx = -sin x."""
        return _unary(COS, self)

    def tanh(self) -> Value:
        """tanh x; d/dx = 1 - tanh² x. Never overflows."""
        return _unary(TANH, self)

    def sigmoid(self) -> Value:
        """σ(x) = 1/(1 + e^-x); d/dx = σ(x)(1 - σ(x)). Never overflows."""
        return _unary(SIGMOID, self)

    def softplus(self) -> Value:
        """log(1 + e^x); d/dx = σ(x). Never overflows."""
        return _unary(SOFTPLUS, self)

    def relu(self) -> Value:
        """max(x, 0); d/dx = 1 for x > 0, else 0."""
        return _unary(RELU, self)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x for x > 0, else slope·x; d/dx = 1 or slope."""
        return _unary(leaky_relu(float(slope)), self)

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


def _to_float(data: Any, label: str) -> float:
    """Turn a real number (int, float, numpy float, Fraction, ...) into a float."""
    if isinstance(data, Value):
        raise TypeError(f"Value{_named(label)} takes a number, got a Value: use v.detach() or v.data")
    if _is_real(data):
        try:
            return float(data)
        except (TypeError, ValueError) as e:
            raise TypeError(f"Value{_named(label)} cannot turn {type(data).__name__} {data!r} into a float: {e}") from None
    raise TypeError(f"Value{_named(label)} needs a real number, got {type(data).__name__}: {data!r}")


def _data(x: Any) -> float:
    return x.data if isinstance(x, Value) else x


def _named(label: str) -> str:
    return f" {label!r}" if label else ""


def _describe(v: Value) -> str:
    return f"{v.data!r} ({'Value ' + repr(v.label) if v.label else 'unlabelled'})"


def op_error(op: Op, operands: Iterable[Value], cause: BaseException, *, in_backward: bool = False) -> Exception:
    """The error for ``op`` failing on ``operands``: same type as ``cause``, saying what and where."""
    operands = list(operands)
    values = ", ".join(_describe(v) for v in operands[:4])
    if len(operands) > 4:  # a fused node (linear, a compiled function) can have hundreds
        values += f" and {len(operands) - 4} more operands"
    kind = type(cause) if isinstance(cause, _MATH_ERRORS) else ValueError
    if in_backward:
        return kind(f"backward: the derivative of {op.name} at {values} is not finite ({cause}); "
                    "nothing was written to any .grad")
    if op.domain:
        return kind(f"{op.name} failed on {values}: it needs {op.domain} ({cause})")
    return kind(f"{op.name} failed on {values}: {cause}")


def operands(node: Value) -> tuple[Value, ...]:
    """The operand nodes of ``node`` in order; () for a leaf."""
    a = node._a
    if a is None:
        return ()
    if type(a) is tuple:
        return a
    b = node._b
    return (a,) if b is None else (a, b)


def _unary(op: Op, a: Value) -> Value:
    """``op(a)``, recorded as a new node."""
    try:
        data = op.forward(a.data)
    except _MATH_ERRORS as e:
        raise op_error(op, (a,), e) from None
    return _result(data, op, a, None)


def _binary(op: Op, a: Any, b: Any) -> Value:
    """``a op b``, recorded as a new node; a plain number on either side becomes a constant leaf."""
    if type(a) is not Value:
        if not _is_real(a):
            return NotImplemented
        a = Value(a)
    if type(b) is not Value:
        if not _is_real(b):
            return NotImplemented
        b = Value(b)
    try:
        data = op.forward(a.data, b.data)
    except _MATH_ERRORS as e:
        raise op_error(op, (a, b), e) from None
    return _result(data, op, a, b)


def apply(op: Op, *operands: Any) -> Value:
    """Run ``op`` on the operands and record the new node; plain numbers become constant leaves.

    This is how every op is applied, and how you apply one of your own::

        cube = Op("cube", lambda a: a ** 3, lambda out, a: (3 * a * a,))
        y = apply(cube, x)        # or cube(x)
    """
    nodes = tuple(x if type(x) is Value else _operand(op, x) for x in operands)
    if len(nodes) == 2:
        return _binary(op, *nodes)
    if len(nodes) == 1:
        return _unary(op, *nodes)
    if not nodes:
        raise TypeError(f"{op.name} needs at least one operand")
    try:
        data = op.forward(*[v.data for v in nodes])
    except _MATH_ERRORS as e:
        raise op_error(op, nodes, e) from None
    return _result(data, op, nodes, None)


def _operand(op: Op, x: Any) -> Value:
    if not _is_real(x):
        raise TypeError(f"{op.name} takes Values or real numbers, got {type(x).__name__}: {x!r}")
    return Value(x)


def linear(weights: Iterable[Value], inputs: Iterable[Any], bias: Any) -> Value:
    """b + Σ wᵢxᵢ as one node: ∂/∂wᵢ = xᵢ, ∂/∂xᵢ = wᵢ, ∂/∂b = 1.

    The fused pre-activation of a neuron (the lecture's perceptron): one node
    instead of 2n binary ones. Plain numbers become constant leaves. The sum
    runs b + w₁x₁ + w₂x₂ + ..., in the order micrograd's ``sum(..., b)`` adds,
    so it equals the granular graph's value bit for bit.
    """
    weights = [w if type(w) is Value else _operand(LINEAR, w) for w in weights]
    inputs = [x if type(x) is Value else _operand(LINEAR, x) for x in inputs]
    if len(weights) != len(inputs):
        raise ValueError(f"linear needs as many weights as inputs, got {len(weights)} weights and {len(inputs)} inputs")
    if type(bias) is not Value:
        bias = _operand(LINEAR, bias)
    data = reduce(add, map(mul, [w.data for w in weights], [x.data for x in inputs]), bias.data)
    return _result(data, LINEAR, (*weights, *inputs, bias), None)


_new = object.__new__


def _result(data: float, op: Op, a: Value | tuple, b: Value | None) -> Value:
    """The node for an op's result; a bare leaf inside no_grad.

    Built without ``__init__``: ``data`` is already a float, and this is the
    hottest function of the engine.
    """
    node = _new(Value)
    node.data = data
    node.grad = 0.0
    node.label = ""
    node._operation = op
    node._a = a
    node._b = b
    if not -_INF < data < _INF:
        raise op_error(op, operands(node), OverflowError(f"the result {data!r} does not fit in a float"))
    if not grad_mode.enabled:
        node._operation = node._a = node._b = None
    return node
