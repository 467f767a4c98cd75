"""The backward walk: the chain rule over a topological order.

``propagate`` is the one walk. ``Value.backward``, ``grad`` (first and higher
order) and the step-through player all call it.

For each node ``out``, visited after every node that uses it, its gradient
``g = ∂L/∂out`` is complete; the op's rule (``ops.py``) gives the local
derivatives ``∂out/∂a``, and each operand ``a`` receives ``g · ∂out/∂a``,
summed over every use of ``a``.
"""

from __future__ import annotations

import contextlib
import gc
import math
from operator import attrgetter
from typing import Callable, Iterator, Sequence

from . import grad_mode
from .graph import topological_order
from .value import Value, op_error, operands

_INF = math.inf
_DATA = attrgetter("data")
_MATH_ERRORS = (ValueError, ZeroDivisionError, OverflowError)

# on_edge(out, operand, upstream, local, contribution): called for every edge the walk takes.
EdgeCallback = Callable[[Value, Value, object, object, object], None]


def propagate(root: Value, seed: float | Value = 1.0, create_graph: bool = False,
              on_edge: EdgeCallback | None = None) -> dict[Value, float | Value]:
    """∂root/∂node for every node ``root`` depends on, given ∂L/∂root = ``seed``.

    With ``create_graph`` the gradients are ``Value`` nodes, built from the
    same local-derivative rules applied to the nodes themselves, so they can be
    differentiated again. Nothing is written to any ``.grad``. An infinite
    gradient raises, naming the node.
    """
    grads: dict[Value, float | Value] = {root: seed}
    received = grads.get
    plain = not create_graph and on_edge is None
    with _walking(create_graph):
        for out in reversed(topological_order(root)):
            op = out._operation
            if op is None:
                continue
            g = grads[out]
            a, b = out._a, out._b
            try:  # the local derivatives ∂out/∂operand, on floats or (create_graph) on the nodes
                if plain and b is not None:
                    # The hot case, a binary op in a plain backward: the loop below, unrolled.
                    da, db = op.local_grads(out.data, a.data, b.data)
                    before = received(a)
                    grads[a] = g * da if before is None else before + g * da
                    before = received(b)
                    grads[b] = g * db if before is None else before + g * db
                    continue
                inputs = operands(out)
                if create_graph:
                    local = op.local_grads(out, *inputs)
                else:
                    local = op.local_grads(out.data, *map(_DATA, inputs))
            except _MATH_ERRORS as e:
                raise op_error(op, operands(out), e, in_backward=True) from None
            for x, d in zip(inputs, local):
                contribution = g * d
                if on_edge is not None:
                    on_edge(out, x, g, d, contribution)
                before = received(x)
                grads[x] = contribution if before is None else before + contribution
    if not create_graph:
        _check_finite(grads)
    return grads


@contextlib.contextmanager
def _walking(create_graph: bool) -> Iterator[None]:
    """Record ops while walking if ``create_graph``; pause the cycle collector meanwhile.

    The walk makes no reference cycles, so the collector has nothing to find
    in the many small objects it allocates; it would only slow the walk.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        with grad_mode.enable_grad() if create_graph else contextlib.nullcontext():
            yield
    finally:
        if collecting:
            gc.enable()


def _check_finite(grads: dict[Value, float]) -> None:
    """Raise, naming the node nearest the root, if any gradient is infinite or NaN.

    One C-level sum tells whether all are finite (a NaN or an infinity makes it
    non-finite; a finite overflow of the sum only costs the scan below).
    """
    if -_INF < sum(grads.values()) < _INF:
        return
    for node, g in grads.items():  # in the order the walk reached them, root first
        if not -_INF < g < _INF:
            kind = ValueError if g != g else OverflowError
            raise kind(f"backward: the gradient reaching {_name(node)} is {g!r}; nothing was written to any .grad")


def grad(output: Value, inputs: Value | Sequence[Value], create_graph: bool = False) -> float | Value | list:
    """The gradient of ``output`` with respect to each input, leaving every ``.grad`` alone.

    ``inputs`` is one Value (the answer is one gradient) or a sequence (a list).
    An input that ``output`` does not depend on gets 0. With ``create_graph``
    the gradients are Values whose graph can be differentiated again:

    >>> x = Value(2.0)
    >>> dy = grad(x ** 3, x, create_graph=True)      # 3x² = 12
    >>> grad(dy, x)                                   # 6x  = 12
    12.0
    """
    seed = Value(1.0) if create_graph else 1.0
    grads = propagate(output, seed, create_graph)
    zero = Value(0.0) if create_graph else 0.0
    if isinstance(inputs, Value):
        return grads.get(inputs, zero)
    return [grads.get(x, zero) for x in inputs]


def _name(v: Value) -> str:
    kind = f"the output of {v.op}" if v._operation else "a leaf"
    return f"{kind} {v.label!r}" if v.label else kind
