"""The backward walk: the chain rule over a topological order.

``propagate`` is the one walk. ``Value.backward``, ``grad`` (first and higher
order) and the step-through player all call it.

For each node ``out``, visited after every node that uses it, its gradient
``g = ∂L/∂out`` is complete; the op's rule (``ops.py``) gives the local
derivatives ``∂out/∂a``, and each operand ``a`` receives ``g · ∂out/∂a``,
summed over every use of ``a``.

The walk reads a node through ``operation`` (its op's row, None for a leaf),
``parents`` and ``data`` only. A node built the micrograd lecture's way, with
a hand-written ``_backward`` closure, has no row: at its turn the walk runs
the closure, which adds into its children's ``.grad``, and takes what it added
as their contributions.
"""

from __future__ import annotations

import contextlib
import gc
import math
from collections.abc import Callable, Iterator, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Literal, overload

from . import grad_mode
from .graph import ordered, topological_order
from .ops import DOMAIN_ERRORS, Op, op_error

if TYPE_CHECKING:
    from .value import Value

_INF = math.inf
_DATA = attrgetter("data")
_IN_RULE = "while computing the local derivatives of {} (its local_grads rule)"

# on_edge(out, operand, upstream, local, contribution): called for every edge the walk takes.
EdgeCallback = Callable[[Any, Any, Any, Any, Any], None]


def propagate(root: Value, seed: Any = 1.0, create_graph: bool = False,
              on_edge: EdgeCallback | None = None) -> dict[Value, Any]:
    """∂root/∂node for every node ``root`` depends on, given ∂L/∂root = ``seed``.

    With ``create_graph`` the gradients are ``Value`` nodes, built from the
    same local-derivative rules applied to the nodes themselves, so they can be
    differentiated again. Nothing is written to any ``.grad``. An infinite
    gradient raises, naming the node; a rule that gives the wrong number or
    kind of derivatives raises, naming its op.
    """
    grads: dict[Value, Any] = {root: seed}
    received = grads.get
    plain = not create_graph and on_edge is None
    with _walking(create_graph):
        order, parents_of = ordered(root)
        for out, inputs in zip(reversed(order), reversed(parents_of), strict=True):
            op = out.operation
            if op is None:
                continue
            g = grads[out]
            n = len(inputs)
            if plain and n <= 2 and type(op) is Op:
                # The hot case, a unary or binary op of the table in a plain backward: the loop below, unrolled.
                a = inputs[0]
                try:
                    local = (op.local_grads(out.data, a.data, inputs[1].data) if n == 2
                             else op.local_grads(out.data, a.data))
                except DOMAIN_ERRORS as e:
                    raise op_error(op, inputs, e, in_backward=True) from None
                except Exception as e:
                    e.add_note(_IN_RULE.format(op.name))
                    raise
                try:
                    da, db = local if n == 2 else (*local, None)
                except (TypeError, ValueError):
                    raise _wrong_length(op, local, n) from None
                before = received(a)
                grads[a] = g * da if before is None else before + g * da
                if n == 2:
                    b = inputs[1]
                    before = received(b)
                    grads[b] = g * db if before is None else before + g * db
                continue
            if not isinstance(op, Op):  # a hand-written _backward: its additions are the contributions
                for x, contribution in _hand_written(out, g, inputs, create_graph):
                    if on_edge is not None:
                        on_edge(out, x, g, None, contribution)
                    before = received(x)
                    grads[x] = contribution if before is None else before + contribution
                continue
            local = local_derivatives(op, out, inputs, create_graph)
            for x, d in zip(inputs, local):  # noqa: B905 - local_derivatives checked the length
                contribution = g * d
                if on_edge is not None:
                    on_edge(out, x, g, d, contribution)
                before = received(x)
                grads[x] = contribution if before is None else before + contribution
    if not create_graph:
        _check_numbers(grads, root)
    return grads


def local_derivatives(op: Op, out: Value, inputs: tuple[Value, ...], on_values: bool = False) -> Sequence[Any]:
    """The rule's ``(∂out/∂operand, ...)``, on floats or (``on_values``) on the nodes, checked for length.

    A domain error is the engine's "not finite" error naming the op; any other
    exception from the rule is the rule's own bug and surfaces as itself, with a note naming the op.
    """
    try:
        if on_values:
            grad_mode.set_rule_on_values(op.name)
            local = op.local_grads(out, *inputs)
        else:
            local = op.local_grads(out.data, *map(_DATA, inputs))
    except DOMAIN_ERRORS as e:
        raise op_error(op, inputs, e, in_backward=True) from None
    except Exception as e:
        e.add_note(_IN_RULE.format(op.name))
        raise
    try:
        if len(local) == len(inputs):
            return local
    except TypeError:
        pass
    raise _wrong_length(op, local, len(inputs))


def _wrong_length(op: Op, local: Any, n: int) -> TypeError:
    return TypeError(f"backward: the local_grads rule of {op.name} returned {_short(local)} for {n} operand(s): "
                     "it must return one derivative per operand; nothing was written to any .grad")


def _hand_written(out: Value, g: Any, children: tuple[Value, ...],
                  create_graph: bool) -> list[tuple[Value, float]]:
    """Run a lecture-style ``out._backward`` closure; return what it added into each child's ``.grad``.

    The closure reads ``out.grad`` and adds ``out.grad · ∂out/∂child`` into
    ``child.grad``. So for its run ``out.grad`` holds ``g`` and each child's
    ``.grad`` holds 0; afterwards every ``.grad`` is put back as it was.
    """
    if create_graph:
        raise TypeError(f"grad(create_graph=True): {_name(out)} was built with a hand-written _backward, "
                        "which computes floats only; write the op as autograd.Op(name, forward, local_grads) "
                        "for higher-order gradients")
    unique = list(dict.fromkeys(children))
    saved = [(node, node.grad) for node in (out, *unique)]
    try:
        for child in unique:
            child.grad = 0.0
        out.grad = g
        out._backward()
        added = [(child, child.grad) for child in unique]
    finally:
        for node, before in saved:
            node.grad = before
    return added


@contextlib.contextmanager
def _walking(create_graph: bool) -> Iterator[None]:
    """Record ops while walking if ``create_graph``; pause the cycle collector meanwhile.

    The walk makes no reference cycles, so the collector has nothing to find
    in the many small objects it allocates; it would only slow the walk.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        if create_graph:
            with grad_mode.enable_grad(), grad_mode.rules_on_values():
                yield
        else:
            yield
    finally:
        if collecting:
            gc.enable()


def _check_numbers(grads: dict[Value, Any], root: Value) -> None:
    """Raise, naming the node nearest the root, if any gradient is infinite, NaN, or not a number.

    One C-level sum tells whether all are finite floats (a NaN or an infinity
    makes it non-finite; a finite overflow of the sum only costs the scan below).
    """
    total = sum(grads.values())
    if type(total) is float and -_INF < total < _INF:
        return
    for node, received in grads.items():  # in the order the walk reached them, root first
        g = received
        if type(g) is not float:
            if isinstance(g, (int, float)) and not isinstance(g, bool):
                grads[node] = g = float(g)
            else:
                raise TypeError(f"backward: the gradient reaching {_name(node)} is {type(g).__name__} {_short(g)}, "
                                f"not a float: {_blame(root)}; nothing was written to any .grad")
        if not -_INF < g < _INF:
            kind = ValueError if g != g else OverflowError
            raise kind(f"backward: the gradient reaching {_name(node)} is {g!r}; nothing was written to any .grad")


def _blame(root: Value) -> str:
    """Which op's rule returned something other than numbers, on floats."""
    for node in topological_order(root):
        op = node.operation
        if isinstance(op, Op):
            local = op.local_grads(node.data, *map(_DATA, node.parents))
            odd = [d for d in local if isinstance(d, bool) or not isinstance(d, (int, float))]
            if odd:
                return (f"the local_grads rule of {op.name} returned {type(odd[0]).__name__} {_short(odd[0])} "
                        "on floats (a rule must return numbers when given numbers)")
    return "a hand-written _backward added something other than a number"


@overload
def grad(output: Value, inputs: Value, create_graph: Literal[False] = ...) -> float: ...


@overload
def grad(output: Value, inputs: Value, create_graph: Literal[True]) -> Value: ...


@overload
def grad(output: Value, inputs: Sequence[Value], create_graph: Literal[False] = ...) -> list[float]: ...


@overload
def grad(output: Value, inputs: Sequence[Value], create_graph: Literal[True]) -> list[Value]: ...


def grad(output: Value, inputs: Value | Sequence[Value], create_graph: bool = False) -> Any:
    """The gradient of ``output`` with respect to each input, leaving every ``.grad`` alone.

    ``inputs`` is one Value (the answer is one gradient) or a sequence of
    Values (a list). An input that ``output`` does not depend on gets 0. With
    ``create_graph`` the gradients are Values whose graph can be differentiated again:

    >>> x = Value(2.0)
    >>> dy = grad(x ** 3, x, create_graph=True)      # 3x² = 12
    >>> grad(dy, x)                                   # 6x  = 12
    12.0
    """
    node_type = type(output)
    if not hasattr(output, "parents") or not hasattr(output, "operation"):
        raise TypeError(f"grad takes a Value as its output, got {type(output).__name__}: {_short(output)}")
    single = hasattr(inputs, "parents")
    wanted: list[Value] = [inputs] if single else _sequence_of_nodes(inputs)  # type: ignore[list-item]
    seed = node_type(1.0) if create_graph else 1.0
    grads = propagate(output, seed, create_graph)
    zero = node_type(0.0) if create_graph else 0.0
    found = [grads.get(x, zero) for x in wanted]
    return found[0] if single else found


def _sequence_of_nodes(inputs: Any) -> list[Value]:
    if isinstance(inputs, (str, bytes)) or not hasattr(inputs, "__iter__"):
        raise TypeError(f"grad takes a Value or a sequence of Values as inputs, got {type(inputs).__name__}: "
                        f"{_short(inputs)}")
    wanted = list(inputs)
    for i, x in enumerate(wanted):
        if not hasattr(x, "parents"):
            raise TypeError(f"grad: inputs[{i}] is {type(x).__name__} {_short(x)}, not a Value "
                            "(pass the Value itself, not its .data)")
    return wanted


def _short(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


def _name(v: Value) -> str:
    kind = f"the output of {v.op}" if v.parents else "a leaf"
    return f"{kind} {v.label!r}" if v.label else kind
