"""The backward walk: the chain rule over a topological order.

For each node ``out``, visited after every node that uses it, its gradient
``g = ∂L/∂out`` is complete; the op's rule (``ops.py``) gives the local
derivatives ``∂out/∂a``, and each operand ``a`` receives ``g · ∂out/∂a``,
summed over every use of ``a``.

Two walks share that step:

* ``backward`` (``Value.backward``) adds into each node's ``.grad`` as it
  goes, as micrograd does, and puts every ``.grad`` back if a gradient comes
  out infinite or a rule fails;
* ``propagate`` (``grad``, first and higher order, and the step-through
  player) collects the gradients in a dict and leaves ``.grad`` alone.

The walks read a node through ``operation`` (its op's row, None for a leaf),
its operands (``graph.py``), ``data`` and ``grad``. A node built the micrograd
lecture's way, with a hand-written ``_backward`` closure, has no row: at its
turn the walk runs the closure, which adds into its children's ``.grad``, and
takes what it added as their contributions.
"""

from __future__ import annotations

import contextlib
import gc
import math
import threading
from collections.abc import Callable, Iterator, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Literal, overload

from . import grad_mode
from .collector import recording_finished
from .graph import NO_GRADIENT, operands, recorded_derivatives, sorted_nodes, topological_order
from .ops import DOMAIN_ERRORS, Op, op_error

if TYPE_CHECKING:
    from .value import Value

_INF = math.inf
_DATA = attrgetter("data")
_IN_RULE = "while computing the local derivatives of {} (its local_grads rule)"

_ONE_AT_A_TIME = threading.RLock()
"""backward() passes write into .grad as they go, so two (in two threads, over shared nodes) take turns."""

# on_edge(out, operand, upstream, local, contribution): called for every edge the walk takes.
EdgeCallback = Callable[[Any, Any, Any, Any, Any], None]


def backward(root: Value, seed: float) -> None:
    """Add ∂L/∂node into every ``.grad`` behind ``root``, given ∂L/∂root = ``seed``.

    Leaves keep what they had and add this pass; every op node's ``.grad``
    becomes this pass's gradient. If a gradient comes out infinite, NaN or not
    a number, or a rule fails, every ``.grad`` is put back and the error names
    the node or the op.
    """
    cleared: tuple[list[Any], list[Any]] = ([], [])
    ops: list[Any] = []
    leaves: list[Any] = []
    before: list[Any] = []
    try:
        with _ONE_AT_A_TIME, _walking(False):
            try:
                ops, leaves = sorted_nodes(root, clear=cleared)
                before = [leaf.grad for leaf in leaves]  # a list comprehension reads them faster than map does
                if ops:
                    root.grad = seed
                    _chain_rule(ops)
                else:
                    root.grad += seed
                total = sum([leaf.grad for leaf in leaves])
                if type(total) is not float or not -_INF < total < _INF:
                    _check_this_pass(root, ops, leaves, before)
            except BaseException:
                for node in ops:
                    node.grad = NO_GRADIENT
                for node, old in zip(*cleared, strict=True):
                    node.grad = old
                for node, old in zip(leaves, before):  # noqa: B905 - before is empty if the sort failed
                    node.grad = old
                raise
    finally:
        recording_finished()  # this graph is backpropagated: the collector runs as it did (collector.py)


def _check_this_pass(root: Value, ops: list[Any], leaves: list[Any], before: list[Any]) -> None:
    """``_check_numbers`` over the gradients, less the leaves whose ``.grad`` was not finite ``before`` this pass."""
    stale = {node for node, old in zip(leaves, before, strict=True)
             if not (isinstance(old, (int, float)) and -_INF < old < _INF)}
    _check_numbers({node: node.grad for node in (*reversed(ops), *leaves) if node not in stale}, root)


def _chain_rule(ops: list[Any]) -> None:
    """The walk of ``backward``: each op node, root first, adds ``g · ∂out/∂a`` into each operand's ``.grad``.

    Gradients are not checked here: an infinite or NaN one flows on into the
    leaves below it, whose check (``backward``) then names the node nearest
    the root that has one. A hand-written closure, which reads ``g``, gets it checked first.

    A node whose gradient is 0 and whose derivatives are finite by construction passes on
    nothing: ``0 · d`` is 0, and adding it would leave every sum equal. Those are the fused
    nodes' recorded derivatives (their operands' numbers, finite since the sum was) and the
    constant derivatives of ``+`` and ``-`` (``Op.constant_grads``, finite). So a ReLU that
    is off, or a sample outside a hinge's margin, costs no walk over the edges below it. A
    rule is still called at a zero gradient, so that a derivative that is not finite there
    (sqrt at 0) still says so.
    """
    inf = _INF
    for out in reversed(ops):
        op = out.operation
        g = out.grad
        a = out._a
        b = out._b
        if type(a) is tuple:  # a fused node (Σwx+b, a compiled function), or one with a hand-written _backward
            if type(op) is not Op and not isinstance(op, Op):
                if not -inf < g < inf:
                    _check_numbers({out: g}, out)
                for x, contribution in _hand_written(out, g, a, False):
                    x.grad += contribution
                continue
            if b is None:
                b = local_derivatives(op, out, a)
            elif not g:  # recorded derivatives are finite: a zero gradient passes on nothing
                continue
            for x, d in zip(a, b):  # noqa: B905 - of a's length
                x.grad += g * d
            continue
        local = op.constant_grads  # + and -: the same derivatives everywhere, no call of the rule
        if local is None:
            try:
                local = op.local_grads(out.data, a.data) if b is None else op.local_grads(out.data, a.data, b.data)
            except DOMAIN_ERRORS as e:
                raise op_error(op, operands(out), e, in_backward=True) from None
            except Exception as e:
                e.add_note(_IN_RULE.format(op.name))
                raise
        elif not g:  # constant derivatives are finite: a zero gradient passes on nothing
            continue
        if b is None:
            try:
                (da,) = local
            except (TypeError, ValueError):
                raise _wrong_length(op, local, 1) from None
            a.grad += g * da
            continue
        try:
            da, db = local
        except (TypeError, ValueError):
            raise _wrong_length(op, local, 2) from None
        a.grad += g * da
        b.grad += g * db


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
    try:
        with _walking(create_graph):
            _propagate(grads, create_graph, on_edge, sorted_nodes(root)[0])
    finally:
        recording_finished()
    if not create_graph:
        _check_numbers(grads, root)
    return grads


def _propagate(grads: dict[Any, Any], create_graph: bool, on_edge: EdgeCallback | None, ops: list[Any]) -> None:
    """The walk of ``propagate``, over ``ops`` root first, collecting into ``grads``."""
    received = grads.get
    for out in reversed(ops):
        op = out.operation
        g = grads[out]
        inputs = operands(out)
        if not isinstance(op, Op):  # a hand-written _backward: its additions are the contributions
            contributions = _hand_written(out, g, inputs, create_graph)
            local: Sequence[Any] = [None] * len(contributions)
        else:
            recorded = None if create_graph else recorded_derivatives(out)
            local = recorded if recorded is not None else local_derivatives(op, out, inputs, create_graph)
            contributions = [(x, g * d) for x, d in zip(inputs, local)]  # noqa: B905 - checked the length
        for (x, contribution), d in zip(contributions, local, strict=True):
            if on_edge is not None:
                on_edge(out, x, g, d, contribution)
            before = received(x)
            grads[x] = contribution if before is None else before + contribution


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
            local = op.local_grads(node.data, *map(_DATA, operands(node)))
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
    kind = f"the output of {v.op}" if operands(v) else "a leaf"
    return f"{kind} {v.label!r}" if v.label else kind
