"""Gradient checks: the engine's derivatives against central differences.

The numeric derivative of ``f`` along input ``xⱼ`` is the central difference

    ∂f/∂xⱼ ≈ (f(x + ε·eⱼ) − f(x − ε·eⱼ)) / 2ε,

whose error is of order ε²·f‴ (truncation) plus about ulp(f)/ε (rounding).
An analytic value ``a`` and a numeric one ``n`` agree when
``|a − n| <= atol + rtol·|n|``.

Where they disagree, the fault is in some op's local derivative rule (or in
``f`` not being differentiable there). So each node's rule ``local_grads`` is
checked in turn against central differences of that op's ``forward``, and the
op whose rule is wrong is named.

A kink (relu, abs, leaky_relu at 0; max and min where their operands tie)
has no derivative; the engine takes a one-sided one. When a perturbation of
size ε can carry a kinked op's operand (for max and min, the difference of
its operands) across its kink, the check is reported as "at a kink" (with a
``KinkWarning`` when the two numbers disagree), not as a mismatch.
"""

from __future__ import annotations

import functools
import math
import numbers
import warnings
from typing import Any, TypeVar
from collections.abc import Callable, Iterator, Sequence

from ..backprop import grad
from ..grad_mode import enable_grad, no_grad
from ..graph import topological_order
from ..ops import FORWARD_ERRORS, Op
from ..value import Value, apply

_T = TypeVar("_T")


class KinkWarning(UserWarning):
    """A gradient was checked within reach of a kink, where the derivative is a convention."""


# ------------------------------------------------------------------ the checks


def gradcheck(f: Callable[..., Any], inputs: Sequence[float | Value], eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3) -> bool:
    """Check the engine's gradient of ``f(*inputs)`` against central differences.

    ``inputs`` are floats or Values (their data and labels are used; their
    ``.grad`` is never touched). ``f`` takes Values and returns a Value (or a
    number, whose gradient is 0). Returns True, or raises AssertionError with
    a table (input, analytic, numeric, error) that names the op whose local
    derivative rule is wrong. A property test to copy::

        from hypothesis import given
        from autograd.testing import gradcheck
        from autograd.testing.strategies import reals

        @given(reals(-3.0, 3.0), reals(0.5, 3.0))
        def test_my_function(x, y):
            assert gradcheck(lambda x, y: (x * y).tanh() + y.log(), [x, y])
    """
    xs, labels = _points(inputs, eps, atol, rtol)
    leaves = [Value(x, label) for x, label in zip(xs, labels, strict=True)]
    out = f(*leaves)
    analytic = grad(out, leaves) if isinstance(out, Value) else [0.0] * len(leaves)
    numeric = [_central(functools.partial(_along, functools.partial(_evaluate, f, labels=labels), xs, j), xs[j], eps)
               for j in range(len(xs))]
    order = topological_order(out) if isinstance(out, Value) else []
    rows = [_Row(labels[j], xs[j], analytic[j], numeric[j], _kinks_in_reach(order, leaves[j], eps))
            for j in range(len(xs))]
    return _verdict("gradcheck", rows, eps, atol, rtol, lambda: _wrong_rules(order, eps, atol, rtol))


def gradgradcheck(f: Callable[..., Any], inputs: Sequence[float | Value], eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3) -> bool:
    """Check the engine's second derivatives of ``f(*inputs)`` against central differences.

    The analytic Hessian is ``Hᵢⱼ = ∂/∂xⱼ (∂f/∂xᵢ)`` from
    ``grad(grad(f, x, create_graph=True)[i], x)``; the numeric one is the
    central difference of the engine's first-order gradient,
    ``(∂f/∂xᵢ(x + ε·eⱼ) − ∂f/∂xᵢ(x − ε·eⱼ)) / 2ε``. So it checks second order
    against the engine's own first order: run ``gradcheck`` as well. Returns
    True, or raises AssertionError with a table and the op whose rule, applied
    to Values (create_graph), is wrong::

        from hypothesis import given
        from autograd.testing import gradgradcheck
        from autograd.testing.strategies import reals

        @given(reals(-2.0, 2.0), reals(-2.0, 2.0))
        def test_second_order(x, y):
            assert gradgradcheck(lambda x, y: (x * y).sin() * x, [x, y])
    """
    xs, labels = _points(inputs, eps, atol, rtol)
    leaves = [Value(x, label) for x, label in zip(xs, labels, strict=True)]
    out = f(*leaves)
    n = len(xs)
    if isinstance(out, Value):
        first = grad(out, leaves, create_graph=True)
        hessian = [grad(g, leaves) if isinstance(g, Value) else [0.0] * n for g in first]
        order = topological_order(out)
    else:
        hessian, order = [[0.0] * n for _ in range(n)], []

    def first_order(point: list[float]) -> list[float]:
        point_leaves = [Value(x, label) for x, label in zip(point, labels, strict=True)]
        result = f(*point_leaves)
        return grad(result, point_leaves) if isinstance(result, Value) else [0.0] * n

    rows = []
    for j in range(n):
        kinks = _kinks_in_reach(order, leaves[j], eps)
        column = _central_vector(functools.partial(_along, first_order, xs, j), xs[j], eps, n)
        for i in range(n):
            rows.append(_Row(f"∂²/∂{labels[i]}∂{labels[j]}", xs[j], hessian[i][j], column[i], kinks))

    return _verdict("gradgradcheck", rows, eps, atol, rtol,
                    lambda: _wrong_rules_on_values(order, eps, atol, rtol))


# ------------------------------------------------------------ numeric pieces


def _points(inputs: Sequence[float | Value], eps: float, atol: float, rtol: float) -> tuple[list[float], list[str]]:
    """The inputs' floats, and a label for each (its own, or x0, x1, ...); bad arguments raise, named."""
    for name, x in (("eps", eps), ("atol", atol), ("rtol", rtol)):
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            raise TypeError(f"gradcheck: {name} must be a number, got {type(x).__name__}: {x!r}")
        if not (math.isfinite(x) and (x > 0 if name == "eps" else x >= 0)):
            raise ValueError(f"gradcheck: {name} must be a finite number {'> 0' if name == 'eps' else '>= 0'}, "
                             f"got {x!r}")
    if isinstance(inputs, (str, bytes)) or not hasattr(inputs, "__iter__"):
        raise TypeError(f"gradcheck: inputs must be a sequence of numbers or Values, got {type(inputs).__name__}")
    for i, given in enumerate(inputs):
        if not isinstance(given, Value) and (isinstance(given, bool) or not isinstance(given, numbers.Real)
                                             or not math.isfinite(given)):
            raise TypeError(f"gradcheck: inputs[{i}] must be a finite number or a Value, got "
                            f"{type(given).__name__}: {given!r}")
    xs = [x.data if isinstance(x, Value) else float(x) for x in inputs]
    labels = [x.label if isinstance(x, Value) and x.label else f"x{i}" for i, x in enumerate(inputs)]
    return xs, labels


def _moved(xs: list[float], j: int, t: float) -> list[float]:
    return [*xs[:j], t, *xs[j + 1:]]


def _along(g: Callable[[list[float]], _T], xs: list[float], j: int, t: float) -> _T:
    """g at the point xs with its j-th coordinate moved to t."""
    return g(_moved(xs, j, t))


def _forward_at(op: Op, point: list[float]) -> float:
    """op's forward on floats at ``point``."""
    return float(op.forward(*point))


def _rule_at(op: Op, m: int, point: list[float]) -> float:
    """∂out/∂operand m of op's rule on floats at ``point``."""
    return float(op.local_grads(op.forward(*point), *point)[m])


def _evaluate(f: Callable[..., Any], xs: list[float], labels: list[str]) -> float:
    """f at the point xs, without recording a graph."""
    with no_grad():
        out = f(*[Value(x, label) for x, label in zip(xs, labels, strict=True)])
    return out.data if isinstance(out, Value) else float(out)


def _central(g: Callable[[float], float], x: float, eps: float) -> float | str:
    """(g(x + ε) − g(x − ε)) / 2ε, or why it cannot be computed."""
    try:
        return (g(x + eps) - g(x - eps)) / (2.0 * eps)
    except FORWARD_ERRORS as e:
        return f"undefined: {type(e).__name__} within ±eps ({e})"


def _central_vector(g: Callable[[float], list[float]], x: float, eps: float, n: int) -> list[float | str]:
    """The central difference of a vector-valued g, element by element."""
    try:
        plus, minus = g(x + eps), g(x - eps)
    except FORWARD_ERRORS as e:
        return [f"undefined: {type(e).__name__} within ±eps ({e})"] * n
    return [(p - m) / (2.0 * eps) for p, m in zip(plus, minus, strict=True)]


def _close(analytic: float, numeric: float, atol: float, rtol: float) -> bool:
    return abs(analytic - numeric) <= atol + rtol * abs(numeric)


# -------------------------------------------------------------------- kinks


def _either_side(args: Sequence[float]) -> list[list[float]]:
    """Operand points one unit away from ``args`` along each operand, both ways: both sides of any kink."""
    return [_moved(list(args), j, a + step) for j, a in enumerate(args) for step in (-1.0, 1.0)]


def _kinks_in_reach(order: list[Value], leaf: Value, eps: float) -> list[str]:
    """The kinked nodes whose kink variable a move of ±ε in ``leaf`` can carry across the kink.

    A forward pass bounds how fast each node moves with the leaf,
    ``s(node) = Σ |∂node/∂operand|·s(operand)`` (at a kink, the larger of
    that sum on either side), so an operand ``u`` moves by about ``ε·s(u)``
    and a kink variable ``v`` (``u``, or ``u − w`` for max and min) by about
    ``ε·s(v)`` with ``s(v) = Σ s(operand)``; it is in reach when
    ``|v − kink| <= ε·max(1, 2·s(v))``. The max or min of one node with
    itself (``x.max(x)``) is ``x``: no kink.
    """
    speed = {leaf: 1.0}
    found = []
    for node in order:
        op = node.operation
        if not isinstance(op, Op):
            continue
        args = node.parents
        if not any(a in speed for a in args):
            continue
        speeds = [speed.get(a, 0.0) for a in args]
        data = [a.data for a in args]
        if op.kink is not None:
            crosses = not (len(args) == 2 and args[0] is args[1])
            if crosses and abs(op.kink(*data)) <= eps * max(1.0, 2.0 * sum(speeds)):
                found.append(f"{op.name} of {', '.join(f'{x:.3g}' for x in data)}{_where(node)}")
            speed[node] = max(sum(abs(d) * s for d, s in zip(op.local_grads(op.forward(*side), *side), speeds,
                                                              strict=True))
                              for side in _either_side(data))
            continue
        try:
            local = op.local_grads(node.data, *data)
        except FORWARD_ERRORS:
            speed[node] = math.inf
            continue
        speed[node] = sum(abs(d) * s for d, s in zip(local, speeds, strict=True))
    return found


def _where(node: Value) -> str:
    return f" (node {node.label!r})" if node.label else ""


# ------------------------------------------------------------- local rules


def _wrong_rules(order: list[Value], eps: float, atol: float, rtol: float) -> list[str]:
    """Each op whose ``local_grads`` disagrees with central differences of its ``forward``, once."""
    blamed: dict[str, str] = {}
    for node, op, args in _unblamed(order, blamed):
        try:
            local = op.local_grads(node.data, *args)
        except FORWARD_ERRORS as e:
            blamed[op.name] = f"{op.name}{_where(node)}: its rule raises {type(e).__name__} at {_args(args)}: {e}"
            continue
        if len(local) != len(args):
            blamed[op.name] = (f"{op.name}{_where(node)}: its rule gives {len(local)} derivatives "
                               f"for {len(args)} operands")
            continue
        wrong = _disagreement(op, args, [float(d) for d in local], functools.partial(_forward_at, op),
                              eps, atol, rtol)
        if wrong:
            j, numeric = wrong
            blamed[op.name] = (f"{op.name}{_where(node)}: its rule gives ∂out/∂operand{j} = "
                               f"{float(local[j]):.6g} at {_args(args)}, central differences of its "
                               f"forward give {numeric:.6g}")
    return list(blamed.values())


def _wrong_rules_on_values(order: list[Value], eps: float, atol: float, rtol: float) -> list[str]:
    """Each op whose rule, applied to Values (create_graph), is wrong, once.

    The rule on Values must give the same numbers as on floats, and its
    derivatives (by the engine) must match central differences of the rule
    on floats: ∂/∂aⱼ (∂out/∂aₘ).
    """
    blamed: dict[str, str] = {}
    for node, op, args in _unblamed(order, blamed):
        with enable_grad():
            nodes = [Value(a) for a in args]
            local = op.local_grads(apply(op, *nodes), *nodes)
        on_floats = op.local_grads(node.data, *args)
        for m, (d, expected) in enumerate(zip(local, on_floats, strict=True)):
            data = d.data if isinstance(d, Value) else float(d)
            if not _close(data, float(expected), atol, rtol):
                blamed[op.name] = (f"{op.name}{_where(node)}: on Values its rule gives ∂out/∂operand{m} = "
                                   f"{data:.6g} at {_args(args)}, on floats {float(expected):.6g}")
                break
            analytic = grad(d, nodes) if isinstance(d, Value) else [0.0] * len(args)
            wrong = _disagreement(
                op, args, analytic,
                functools.partial(_rule_at, op, m), eps, atol, rtol)
            if wrong:
                j, numeric = wrong
                blamed[op.name] = (f"{op.name}{_where(node)}: on Values its rule gives ∂/∂operand{j} "
                                   f"(∂out/∂operand{m}) = {analytic[j]:.6g} at {_args(args)}, central "
                                   f"differences of the rule on floats give {numeric:.6g}")
                break
    return list(blamed.values())


def _unblamed(order: list[Value], blamed: dict[str, str]) -> Iterator[tuple[Value, Op, list[float]]]:
    """(node, op, operand data) for each op node whose op is not blamed yet."""
    for node in order:
        op = node.operation
        if isinstance(op, Op) and op.name not in blamed:
            yield node, op, [a.data for a in node.parents]


def _disagreement(op: Op, args: list[float], analytic: Sequence[float], g: Callable[[list[float]], float],
                  eps: float, atol: float, rtol: float) -> tuple[int, float] | None:
    """The first operand j where ``analytic[j]`` disagrees with the central difference of g along aⱼ.

    Returns ``(j, numeric)``, or None when all agree. Nothing is checked
    within 2ε of the op's kink; operands where g fails within ±ε are skipped.
    """
    if op.kink is not None and abs(op.kink(*args)) <= 2.0 * eps:
        return None
    for j, a in enumerate(args):
        numeric = _central(functools.partial(_along, g, args, j), a, eps)
        if isinstance(numeric, float) and not _close(analytic[j], numeric, atol, rtol):
            return j, numeric
    return None


def _args(args: list[float]) -> str:
    shown = ", ".join(f"{a:.6g}" for a in args[:4])
    return f"({shown}{', ...' if len(args) > 4 else ''})"


# ------------------------------------------------------------------- report


class _Row:
    """One checked derivative: where, the engine's value, the numeric one, kinks in reach."""

    def __init__(self, name: str, x: float, analytic: float, numeric: float | str, kinks: list[str]) -> None:
        self.name, self.x, self.analytic, self.numeric, self.kinks = name, x, float(analytic), numeric, kinks

    def error(self) -> float:
        return abs(self.analytic - self.numeric) if isinstance(self.numeric, float) else math.inf

    def agrees(self, atol: float, rtol: float) -> bool:
        return isinstance(self.numeric, float) and _close(self.analytic, self.numeric, atol, rtol)

    def line(self, atol: float, rtol: float) -> str:
        numeric = f"{self.numeric:>14.8g}" if isinstance(self.numeric, float) else f"{'-':>14}"
        if self.agrees(atol, rtol):
            note = ""
        elif self.kinks:
            note = "  at a kink: " + "; ".join(self.kinks)
        elif isinstance(self.numeric, str):
            note = "  " + self.numeric
        else:
            note = "  MISMATCH"
        return f"{self.name:>12} {self.x:>12.6g} {self.analytic:>14.8g} {numeric} {self.error():>10.3g}{note}"


def _verdict(check: str, rows: list[_Row], eps: float, atol: float, rtol: float,
             diagnosis: Callable[[], list[str]]) -> bool:
    """True; or a KinkWarning for disagreements explained by kinks; or AssertionError with the table."""
    failed = [r for r in rows if not r.agrees(atol, rtol) and not r.kinks]
    at_kinks = [r for r in rows if not r.agrees(atol, rtol) and r.kinks]
    if not failed and not at_kinks:
        return True
    header = f"{'input':>12} {'value':>12} {'analytic':>14} {'numeric':>14} {'error':>10}"
    table = "\n".join([header, *(r.line(atol, rtol) for r in rows)])
    settings = f"eps={eps:g}, atol={atol:g}, rtol={rtol:g}"
    if not failed:
        warnings.warn(f"{check}: {len(at_kinks)} derivative(s) checked at a kink, where the engine's "
                      f"one-sided derivative need not match central differences ({settings}):\n{table}",
                      KinkWarning, stacklevel=3)
        return True
    rules = diagnosis()
    blame = ("\nThe op whose local derivative rule is wrong:\n  " + "\n  ".join(rules) if rules else
             "\nEvery op's local derivative rule agrees with central differences of its forward here; "
             "f may not be differentiable at this point, or eps may be too large or too small.")
    raise AssertionError(f"{check}: {len(failed)} of {len(rows)} derivatives disagree with central "
                         f"differences ({settings}):\n{table}{blame}")
