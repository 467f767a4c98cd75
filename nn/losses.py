"""Losses: how far the predictions are from the targets, as a ``Value`` to backpropagate.

Each loss is the mean over a batch of the per-example loss, so its gradient is
the average of the examples' gradients (the lecture's "take the average of the
gradients"). Every loss is built from engine ops, so ``loss.backward()`` fills
the gradients of whatever made the predictions.

A batch is a list of predictions and a list of targets of the same length; a
single prediction (a Value or number) and a single target are a batch of one.
A number is any real number but a bool: a Python int or float, a numpy
scalar, a Fraction. Anything else (a str, None, a nested list) is a
``TypeError`` naming the argument and the position.

Targets are numbers, or Values holding them: ``autograd.compile`` hands a
recorded function its number arguments as Values, so a compiled training step
can pass each minibatch's labels in (``nn.demo`` does). The checks
on targets read their numbers (``float(t)``), so under ``compile`` they check
the batch the loss was recorded with. No loss picks a branch by a target's
value; ``cross_entropy`` takes class probabilities for that reason (an index
picks a logit in Python, which recording would freeze).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from numbers import Integral, Real
from typing import Any

from autograd import Value, linear

from .checks import real, short


def mse_loss(preds: Sequence[Any] | Any, targets: Sequence[Any] | Any) -> Value:
    """Mean squared error: ``(1/n) Σᵢ (predᵢ - targetᵢ)²``; ∂/∂predᵢ = 2 (predᵢ - targetᵢ) / n."""
    preds_, targets_ = _batch("mse_loss", "preds", preds, "targets", targets)
    return _mean([(p - t) ** 2 for p, t in zip(preds_, targets_, strict=True)])


def hinge_loss(scores: Sequence[Any] | Any, labels: Sequence[Any] | Any) -> Value:
    """Max-margin loss for labels ±1: ``(1/n) Σᵢ max(0, 1 - yᵢ·scoreᵢ)``, as in micrograd's demo.

    Zero once a score is on the right side of 0 by a margin of 1;
    ∂/∂scoreᵢ = -yᵢ/n while inside the margin, 0 after.
    """
    scores_, labels_ = _batch("hinge_loss", "scores", scores, "labels", labels)
    for i, y in enumerate(labels_):
        if float(y) not in (1.0, -1.0):
            raise ValueError(f"hinge_loss takes labels -1 and +1, got {short(y)} as labels[{i}]")
    return _mean([(1 + -y * s).relu() for s, y in zip(scores_, labels_, strict=True)])


def binary_cross_entropy(logits: Sequence[Any] | Any, labels: Sequence[Any] | Any) -> Value:
    """Binary cross-entropy of ``p = σ(z)`` for labels y in [0, 1], from the logits z, stably.

    ``-[y log σ(z) + (1 - y) log(1 - σ(z))]`` simplifies, with
    ``log σ(z) = -softplus(-z)`` and ``softplus(z) - softplus(-z) = z``, to
    ``softplus(z) - y·z``, which never takes the log of 0 nor overflows:
    finite for every finite logit. ∂/∂z = σ(z) - y (divided by n for the mean).
    """
    logits_, labels_ = _batch("binary_cross_entropy", "logits", logits, "labels", labels)
    for i, y in enumerate(labels_):
        if not 0.0 <= float(y) <= 1.0:
            raise ValueError(f"binary_cross_entropy takes labels in [0, 1], got {short(y)} as labels[{i}]")
    return _mean([z.softplus() - y * z for z, y in zip(logits_, labels_, strict=True)])


def cross_entropy(logits: Sequence[Any] | Sequence[Sequence[Any]], target: Any) -> Value:
    """Softmax cross-entropy ``-Σⱼ pⱼ log softmax(z)ⱼ = log Σⱼ e^{zⱼ} - Σⱼ pⱼ zⱼ``, averaged over the batch.

    ``logits`` are one example's class scores z, or a batch: a list of such
    lists. An example's target is its class index t (an int, numpy's too; p
    is one-hot: the loss is ``log Σⱼ e^{zⱼ} - z_t``) or, as PyTorch also
    takes, its class probabilities p, which sum to 1. Under
    ``autograd.compile`` pass probabilities (one-hot rows for hard labels):
    they arrive as Values and stay live, where an index would pick the logit
    once, at recording time.

    The log-sum-exp is computed as ``m + log Σⱼ e^{zⱼ - m}`` with ``m = maxⱼ zⱼ``
    (a constant; the loss does not depend on it), so no exp overflows: finite
    for logits of ±1000. Under ``compile`` m is the maximum at recording time:
    the loss is the same for any m, and stays finite while later logits stay
    within ~700 of it. ∂/∂zⱼ = softmax(z)ⱼ - pⱼ.
    """
    rows = _sequence("cross_entropy", "logits", logits)
    if not rows:
        raise ValueError("cross_entropy needs at least one logit per example")
    if not isinstance(rows[0], (list, tuple)):
        batch, targets = [rows], [target]
    else:
        batch = rows
        if isinstance(target, (Value, Real)):
            raise TypeError(f"cross_entropy: a batch of {len(batch)} examples needs a list of {len(batch)} targets, "
                            f"got {type(target).__name__} {short(target)}")
        targets = _sequence("cross_entropy", "target", target)
        if len(batch) != len(targets):
            raise ValueError(f"cross_entropy needs one target per example, "
                             f"got {len(batch)} examples and {len(targets)} targets")
    losses = []
    for k, (row, t) in enumerate(zip(batch, targets, strict=True)):
        where = "" if row is rows else f"[{k}]"
        z = _logits(where, row)
        m = max(v.data for v in z)
        log_sum_exp = m + _sum([(v - m).exp() for v in z]).log()
        losses.append(log_sum_exp - _target_logit(where, z, t))
    return _mean(losses)


def l2(params: Iterable[Value]) -> Value:
    """The L2 penalty ``Σ p²`` (weight it yourself: ``loss + 1e-4 * l2(model.parameters())``); ∂/∂p = 2p.

    One fused node, the dot product of the parameters with themselves,
    ``linear(p, p, 0) = 0 + Σ pᵢ·pᵢ``: each pᵢ is both a weight and an input, so
    it receives ``pᵢ + pᵢ = 2pᵢ``. Same value, to the last bit, as ``sum(p * p for p in params)``.
    """
    params = list(params)
    return linear(params, params, 0.0)


def _target_logit(where: str, z: list[Value], t: object) -> Value:
    """``Σⱼ pⱼ zⱼ``: the logit of class t for an index, else the probabilities' weighted sum (one node)."""
    name = f"target{where}"
    if isinstance(t, Integral) and not isinstance(t, bool):  # a class index, Python's int or numpy's
        index = int(t)
        if not 0 <= index < len(z):
            raise ValueError(f"cross_entropy {name} must be a class index in 0..{len(z) - 1}, got {short(t)}")
        return z[index]
    if isinstance(t, Value):
        raise TypeError(f"cross_entropy takes a class index as an int, got a Value ({t!r}) as {name}; under "
                        f"autograd.compile numbers arrive as Values, so pass {len(z)} class probabilities "
                        f"(one-hot) instead")
    if not isinstance(t, (list, tuple)):
        raise TypeError(f"cross_entropy {name} must be a class index (an int) or a list of {len(z)} class "
                        f"probabilities, got {type(t).__name__} {short(t)}")
    if len(t) != len(z):
        raise ValueError(f"cross_entropy {name} must be a class index in 0..{len(z) - 1} or {len(z)} class "
                         f"probabilities, got {short(t)}")
    weights = [p if isinstance(p, Value) else real("cross_entropy", f"{name}[{j}]", p) for j, p in enumerate(t)]
    probabilities = [float(p) for p in weights]
    if not all(0.0 <= p <= 1.0 for p in probabilities) or abs(sum(probabilities) - 1.0) > 1e-9:
        raise ValueError(f"cross_entropy class probabilities must be in [0, 1] and sum to 1, got {probabilities} "
                         f"as {name}")
    return linear(z, weights, 0.0)  # Σⱼ zⱼpⱼ: the same products, so the same bits, as Σⱼ pⱼzⱼ


def _sum(terms: list[Value]) -> Value:
    """``0 + term₀ + term₁ + ...``, left to right, as the builtin ``sum`` adds them (typed: never the int 0)."""
    return sum(terms[1:], 0 + terms[0])


def _mean(losses: list[Value]) -> Value:
    """``(1/n) Σ lossᵢ``."""
    return _sum(losses) * (1.0 / len(losses))


def _logits(where: str, row: object) -> list[Value]:
    """One example's logits as Values, or an error naming ``logits`` and the example."""
    if isinstance(row, (Value, Real)):
        raise TypeError(f"cross_entropy takes a list of logits per example, got {type(row).__name__} as logits{where}")
    z = _sequence("cross_entropy", f"logits{where}", row)
    if not z:
        raise ValueError("cross_entropy needs at least one logit per example")
    return [_value("cross_entropy", f"logits{where}[{j}]", x) for j, x in enumerate(z)]


def _sequence(owner: str, name: str, xs: object) -> list[Any]:
    """``xs`` as a list if it is a list-like of items (a list, a tuple, a numpy array), else a ``TypeError``."""
    if isinstance(xs, (str, bytes, Value, Real)) or not isinstance(xs, Iterable):
        raise TypeError(f"{owner}: {name} must be a list, got {type(xs).__name__} {short(xs)}")
    return list(xs)


def _value(owner: str, name: str, x: object) -> Value:
    """A prediction or logit as a Value: a Value as it is, a number as a constant."""
    return x if isinstance(x, Value) else Value(real(owner, name, x))


def _batch(owner: str, preds_name: str, preds: object, targets_name: str,
           targets: object) -> tuple[list[Value], list[Value | float]]:
    """The predictions as Values and the targets as Values or floats, one each per example, at least one."""
    pred_list = [preds] if isinstance(preds, (Value, Real)) else _sequence(owner, preds_name, preds)
    target_list = [targets] if isinstance(targets, (Value, Real)) else _sequence(owner, targets_name, targets)
    if len(pred_list) != len(target_list) or not pred_list:
        raise ValueError(f"{owner} needs one target per prediction and at least one prediction, "
                         f"got {len(pred_list)} predictions and {len(target_list)} targets")
    values = [_value(owner, f"{preds_name}[{i}]", p) for i, p in enumerate(pred_list)]
    numbers = [t if isinstance(t, Value) else real(owner, f"{targets_name}[{i}]", t) for i, t in enumerate(target_list)]
    return values, numbers
