"""Optimizers: gradient descent on a model's parameters, ``step()`` after ``backward()``.

The learning rate ``lr`` is a number, or a function of the step number
``k = 0, 1, 2, ...`` (how many steps were taken before this one), such as
micrograd's demo schedule ``lambda k: 1.0 - 0.9 * k / 100``.

The usual loop::

    optimizer.zero_grad()     # gradients add up across backward() calls
    loss = ...
    loss.backward()
    optimizer.step()

A step either updates every parameter or, when a gradient is not finite or a
new value would not be, raises ``OverflowError`` naming the parameter and
changes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from autograd import Value

from .checks import real, short

LearningRate = float | Callable[[int], float]


class Optimizer:
    """The parameters, the learning rate and the step count every optimizer shares."""

    def __init__(self, params: Iterable[Value], lr: LearningRate) -> None:
        owner = type(self).__name__
        if isinstance(params, Value) or not isinstance(params, Iterable):
            raise TypeError(f"{owner} takes an iterable of Values (such as model.parameters()) as params, "
                            f"got {type(params).__name__}")
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{owner} got an empty list of parameters")
        first_seen: dict[int, int] = {}
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"{owner} optimizes Values, got {type(p).__name__} as params[{i}]")
            if id(p) in first_seen:
                raise ValueError(f"{owner} got {_parameter(self.params, i)} twice, as params[{first_seen[id(p)]}] "
                                 f"and params[{i}]: each parameter must be listed once")
            first_seen[id(p)] = i
        if not callable(lr):
            real(owner, "lr", lr, minimum=0.0)
        self.lr = lr
        self.steps = 0

    def learning_rate(self) -> float:
        """The learning rate for the next step: ``lr``, or ``lr(k)`` with ``k`` the steps taken so far.

        Checked at every step (a finite number >= 0), so a schedule, or an
        ``lr`` set after construction, cannot slip in a bad rate.
        """
        owner = type(self).__name__
        if callable(self.lr):
            k = self.steps
            return real(owner, f"lr({k}), the learning rate schedule at step {k},", self.lr(k), minimum=0.0)
        return real(owner, "lr", self.lr, minimum=0.0)

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its ``.grad``.

        A gradient that is not finite, or a new value that would not be (a
        learning rate far too large, a state that overflowed), raises
        ``OverflowError`` naming the parameter, and nothing changes: not the
        parameters, not the optimizer's state.
        """
        owner = type(self).__name__
        for i, p in enumerate(self.params):
            if not math.isfinite(p.grad):
                raise OverflowError(f"{owner} step {self.steps}: {_parameter(self.params, i)} has gradient "
                                    f"{p.grad!r}: the gradients have blown up; nothing was changed")
        new_data = self._update(self.learning_rate())
        for i, data in enumerate(new_data):
            if not math.isfinite(data):
                raise OverflowError(f"{owner} step {self.steps} would set {_parameter(self.params, i)} to {data!r}: "
                                    "the learning rate is too large or the gradients have blown up; "
                                    "nothing was changed")
        self._commit()
        for p, data in zip(self.params, new_data, strict=True):
            p.data = data
        self.steps += 1

    def _update(self, lr: float) -> list[float]:
        """The parameters' new values; the optimizer's new state is kept aside until ``_commit``."""
        raise NotImplementedError

    def _commit(self) -> None:
        """Keep the state ``_update`` computed (called only when every new value is finite)."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum and weight decay (as in PyTorch).

    For each parameter p with gradient g, velocity v (0 at first):
    ``g ← g + weight_decay·p``; ``v ← momentum·v + g``; ``p ← p - lr·v``.
    With ``momentum=0`` this is plain ``p ← p - lr·g``. A velocity beyond the
    float range makes the new p infinite, so the step raises instead.
    """

    def __init__(self, params: Iterable[Value], lr: LearningRate, momentum: float = 0.0,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = real("SGD", "momentum", momentum, minimum=0.0, below=1.0)
        self.weight_decay = real("SGD", "weight_decay", weight_decay, minimum=0.0)
        self.velocity = [0.0] * len(self.params)

    def _update(self, lr: float) -> list[float]:
        momentum, decay = self.momentum, self.weight_decay
        self._next_velocity = velocity = [momentum * v + p.grad + decay * p.data
                                          for v, p in zip(self.velocity, self.params, strict=True)]
        return [p.data - lr * v for p, v in zip(self.params, velocity, strict=True)]

    def _commit(self) -> None:
        self.velocity = self._next_velocity


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): steps scaled by running averages of the gradient and its square.

    At step t = 1, 2, ..., for each parameter p with gradient g:
    ``m ← β₁m + (1 - β₁)g``, ``v ← β₂v + (1 - β₂)g²`` (both 0 at first),
    ``m̂ = m / (1 - β₁ᵗ)``, ``v̂ = v / (1 - β₂ᵗ)`` (correcting their start at 0),
    ``p ← p - lr·m̂ / (√v̂ + eps)``.

    ``g²`` overflows for ``|g| > 1.3e154``, which would make v infinite and
    every later step 0: the parameter frozen, silently. So the state kept is
    ``rms = √v``, updated without squaring the large numbers:
    ``rms ← hypot(√β₂·rms, √(1 - β₂)·g)``. m̂ and ``√v̂ = rms / √(1 - β₂ᵗ)`` are
    weighted averages (mean, root mean square) of the gradients so far, so
    neither exceeds the largest ``|g|``: the state stays finite for every
    finite gradient. A new value that does not fit in a float raises, as in
    every optimizer.
    """

    def __init__(self, params: Iterable[Value], lr: LearningRate = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8) -> None:
        super().__init__(params, lr)
        pair = tuple(betas) if isinstance(betas, Iterable) and not isinstance(betas, (str, bytes)) else ()
        if len(pair) != 2:
            raise TypeError(f"Adam: betas must be a pair (beta1, beta2) of numbers in [0, 1), got {short(betas)}")
        beta1, beta2 = pair
        self.betas = (real("Adam", "betas[0]", beta1, minimum=0.0, below=1.0),
                      real("Adam", "betas[1]", beta2, minimum=0.0, below=1.0))
        self.eps = real("Adam", "eps", eps, above=0.0)
        self.m = [0.0] * len(self.params)
        self.rms = [0.0] * len(self.params)

    def _update(self, lr: float) -> list[float]:
        beta1, beta2 = self.betas
        t = self.steps + 1
        correction1, sqrt_correction2 = 1.0 - beta1**t, math.sqrt(1.0 - beta2**t)
        sqrt_beta2, sqrt_rest2 = math.sqrt(beta2), math.sqrt(1.0 - beta2)
        grads = [p.grad for p in self.params]
        self._next_m = m = [beta1 * mi + (1.0 - beta1) * g for mi, g in zip(self.m, grads, strict=True)]
        self._next_rms = rms = [math.hypot(sqrt_beta2 * ri, sqrt_rest2 * g)
                                for ri, g in zip(self.rms, grads, strict=True)]
        eps = self.eps
        return [p.data - lr * (mi / correction1) / (ri / sqrt_correction2 + eps)
                for p, mi, ri in zip(self.params, m, rms, strict=True)]

    def _commit(self) -> None:
        self.m, self.rms = self._next_m, self._next_rms


def _parameter(params: list[Value], i: int) -> str:
    """How an error names ``params[i]``: by its label when it has one, and by its place."""
    label = params[i].label
    return f"parameter {label!r} (params[{i}])" if label else f"parameter params[{i}] (unlabelled)"

