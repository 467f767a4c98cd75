"""Losses: how far the predictions are from the targets, as a ``Value`` to backpropagate.

Each loss is the mean over a batch of the per-example loss, so its gradient is
the average of the examples' gradients (the lecture's "take the average of the
gradients"). Every loss is built from engine ops, so ``loss.backward()`` fills
the gradients of whatever made the predictions.

A batch is a list of predictions and a list of targets of the same length; a
single prediction (a Value or number) and a single target are a batch of one.

Targets are numbers, or Values holding them: ``autograd.compile`` hands a
recorded function its number arguments as Values, so a compiled training step
can pass each minibatch's labels in (``nn.demo --compile`` does). The checks
on targets read their numbers (``float(t)``), so under ``compile`` they check
the batch the loss was recorded with. No loss picks a branch by a target's
value; ``cross_entropy`` takes class probabilities for that reason (an index
picks a logit in Python, which recording would freeze).
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from autograd import Value, linear


def mse_loss(preds: Sequence[Any] | Any, targets: Sequence[float] | float) -> Value:
    """Mean squared error: ``(1/n) Σᵢ (predᵢ - targetᵢ)²``; ∂/∂predᵢ = 2 (predᵢ - targetᵢ) / n."""
    preds, targets = _batch("mse_loss", preds, targets)
    return _mean([(p - t) ** 2 for p, t in zip(preds, targets)])


def hinge_loss(scores: Sequence[Any] | Any, labels: Sequence[float] | float) -> Value:
    """Max-margin loss for labels ±1: ``(1/n) Σᵢ max(0, 1 - yᵢ·scoreᵢ)``, as in micrograd's demo.

    Zero once a score is on the right side of 0 by a margin of 1;
    ∂/∂scoreᵢ = -yᵢ/n while inside the margin, 0 after.
    """
    scores, labels = _batch("hinge_loss", scores, labels)
    for y in labels:
        if float(y) not in (1.0, -1.0):
            raise ValueError(f"hinge_loss takes labels -1 and +1, got {y!r}")
    return _mean([(1 + -y * s).relu() for s, y in zip(scores, labels)])


def binary_cross_entropy(logits: Sequence[Any] | Any, labels: Sequence[float] | float) -> Value:
    """Binary cross-entropy of ``p = σ(z)`` for labels y in [0, 1], from the logits z, stably.

    ``-[y log σ(z) + (1 - y) log(1 - σ(z))]`` simplifies, with
    ``log σ(z) = -softplus(-z)`` and ``softplus(z) - softplus(-z) = z``, to
    ``softplus(z) - y·z``, which never takes the log of 0 nor overflows:
    finite for every finite logit. ∂/∂z = σ(z) - y (divided by n for the mean).
    """
    logits, labels = _batch("binary_cross_entropy", logits, labels)
    for y in labels:
        if not 0.0 <= float(y) <= 1.0:
            raise ValueError(f"binary_cross_entropy takes labels in [0, 1], got {y!r}")
    return _mean([z.softplus() - y * z for z, y in zip(logits, labels)])


def cross_entropy(logits: Sequence[Any] | Sequence[Sequence[Any]], target: Any) -> Value:
    """Softmax cross-entropy ``-Σⱼ pⱼ log softmax(z)ⱼ = log Σⱼ e^{zⱼ} - Σⱼ pⱼ zⱼ``, averaged over the batch.

    ``logits`` are one example's class scores z, or a batch: a list of such
    lists. An example's target is its class index t (p is one-hot: the loss
    is ``log Σⱼ e^{zⱼ} - z_t``) or, as PyTorch also takes, its class
    probabilities p, which sum to 1. Under ``autograd.compile`` pass
    probabilities (one-hot rows for hard labels): they arrive as Values and
    stay live, where an index would pick the logit once, at recording time.

    The log-sum-exp is computed as ``m + log Σⱼ e^{zⱼ - m}`` with ``m = maxⱼ zⱼ``
    (a constant; the loss does not depend on it), so no exp overflows: finite
    for logits of ±1000. Under ``compile`` m is the maximum at recording time:
    the loss is the same for any m, and stays finite while later logits stay
    within ~700 of it. ∂/∂zⱼ = softmax(z)ⱼ - pⱼ.
    """
    if _is_index(target) or (logits and not isinstance(logits[0], (list, tuple))):
        batch, targets = [logits], [target]
    else:
        batch, targets = list(logits), list(target)
        if len(batch) != len(targets) or not batch:
            raise ValueError(f"cross_entropy needs one target per example and at least one example, "
                             f"got {len(batch)} examples and {len(targets)} targets")
    losses = []
    for z, t in zip(batch, targets):
        z = _values("cross_entropy", z)
        m = max(v.data for v in z)
        log_sum_exp = m + sum((v - m).exp() for v in z).log()
        losses.append(log_sum_exp - _target_logit(z, t))
    return _mean(losses)


def _is_index(t: Any) -> bool:
    """Whether a target is a class index (an int, not a bool)."""
    return isinstance(t, int) and not isinstance(t, bool)


def _target_logit(z: list[Value], t: Any) -> Value:
    """``Σⱼ pⱼ zⱼ``: the logit of class t for an index, else the probabilities' weighted sum (one node)."""
    if _is_index(t):
        if not 0 <= t < len(z):
            raise ValueError(f"cross_entropy target must be a class index in 0..{len(z) - 1}, got {t!r}")
        return z[t]
    if isinstance(t, Value):
        raise TypeError(f"cross_entropy takes a class index as an int, got a Value ({t!r}); under autograd.compile "
                        f"numbers arrive as Values, so pass {len(z)} class probabilities (one-hot) instead")
    if not isinstance(t, (list, tuple)) or len(t) != len(z):
        raise ValueError(f"cross_entropy target must be a class index in 0..{len(z) - 1} or {len(z)} class "
                         f"probabilities, got {t!r}")
    probabilities = [float(p) for p in t]
    if not all(0.0 <= p <= 1.0 for p in probabilities) or abs(sum(probabilities) - 1.0) > 1e-9:
        raise ValueError(f"cross_entropy class probabilities must be in [0, 1] and sum to 1, got {probabilities}")
    return linear(t, z, 0.0)


def l2(params: Iterable[Value]) -> Value:
    """The L2 penalty ``Σ p²`` (weight it yourself: ``loss + 1e-4 * l2(model.parameters())``); ∂/∂p = 2p.

    One fused node, the dot product of the parameters with themselves,
    ``linear(p, p, 0) = 0 + Σ pᵢ·pᵢ``: each pᵢ is both a weight and an input, so
    it receives ``pᵢ + pᵢ = 2pᵢ``. Same value, to the last bit, as ``sum(p * p for p in params)``.
    """
    params = list(params)
    return linear(params, params, 0.0)


def _mean(losses: list[Value]) -> Value:
    """``(1/n) Σ lossᵢ``."""
    return sum(losses) * (1.0 / len(losses))


def _values(name: str, xs: Any) -> list[Value]:
    if isinstance(xs, (Value, int, float)) or not hasattr(xs, "__len__"):
        raise TypeError(f"{name} takes a list of logits per example, got {type(xs).__name__}")
    if not xs:
        raise ValueError(f"{name} needs at least one logit per example")
    return [x if isinstance(x, Value) else Value(x) for x in xs]


def _batch(name: str, preds: Any, targets: Any) -> tuple[list[Value], list[Any]]:
    """The predictions as Values and the targets (numbers or Values), one each per example, at least one."""
    if isinstance(preds, (Value, int, float)):
        preds = [preds]
    if isinstance(targets, (Value, int, float)):
        targets = [targets]
    preds, targets = list(preds), list(targets)
    if len(preds) != len(targets) or not preds:
        raise ValueError(f"{name} needs one target per prediction and at least one prediction, "
                         f"got {len(preds)} predictions and {len(targets)} targets")
    return [p if isinstance(p, Value) else Value(p) for p in preds], targets
