"""Optimizers: gradient descent on a model's parameters, ``step()`` after ``backward()``.

The learning rate ``lr`` is a number, or a function of the step number
``k = 0, 1, 2, ...`` (how many steps were taken before this one), such as
micrograd's demo schedule ``lambda k: 1.0 - 0.9 * k / 100``.

The usual loop::

    optimizer.zero_grad()     # gradients add up across backward() calls
    loss = ...
    loss.backward()
    optimizer.step()
"""

from __future__ import annotations

import math
from typing import Callable, Iterable

from autograd import Value

LearningRate = float | Callable[[int], float]


class Optimizer:
    """The parameters, the learning rate and the step count every optimizer shares."""

    def __init__(self, params: Iterable[Value], lr: LearningRate) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__} got an empty list of parameters")
        for p in self.params:
            if not isinstance(p, Value):
                raise TypeError(f"{type(self).__name__} optimizes Values, got {type(p).__name__}")
        if not callable(lr):
            _check_rate(lr)
        self.lr = lr
        self.steps = 0

    def learning_rate(self) -> float:
        """The learning rate for the next step: ``lr``, or ``lr(k)`` with ``k`` the steps taken so far."""
        return _check_rate(self.lr(self.steps)) if callable(self.lr) else self.lr

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its ``.grad``.

        If any new value would not be finite (a learning rate far too large),
        ``OverflowError`` names the parameter and nothing changes.
        """
        new_data = self._update(self.learning_rate())
        for p, data in zip(self.params, new_data):
            if not -math.inf < data < math.inf:
                name = f" {p.label!r}" if p.label else ""
                raise OverflowError(f"{type(self).__name__} step {self.steps} would set parameter{name} to {data!r}: "
                                    "the learning rate is too large or the gradients have blown up; nothing was changed")
        self._commit()
        for p, data in zip(self.params, new_data):
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
    With ``momentum=0`` this is plain ``p ← p - lr·g``.
    """

    def __init__(self, params: Iterable[Value], lr: LearningRate, momentum: float = 0.0,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
        if not 0.0 <= weight_decay < math.inf:
            raise ValueError(f"weight_decay must be >= 0, got {weight_decay!r}")
        self.momentum = float(momentum)
        self.weight_decay = float(weight_decay)
        self.velocity = [0.0] * len(self.params)

    def _update(self, lr: float) -> list[float]:
        momentum, decay = self.momentum, self.weight_decay
        self._next_velocity = velocity = [momentum * v + p.grad + decay * p.data
                                          for v, p in zip(self.velocity, self.params)]
        return [p.data - lr * v for p, v in zip(self.params, velocity)]

    def _commit(self) -> None:
        self.velocity = self._next_velocity


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): steps scaled by running averages of the gradient and its square.

    At step t = 1, 2, ..., for each parameter p with gradient g:
    ``m ← β₁m + (1 - β₁)g``, ``v ← β₂v + (1 - β₂)g²`` (both 0 at first),
    ``m̂ = m / (1 - β₁ᵗ)``, ``v̂ = v / (1 - β₂ᵗ)`` (correcting their start at 0),
    ``p ← p - lr·m̂ / (√v̂ + eps)``.
    """

    def __init__(self, params: Iterable[Value], lr: LearningRate = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8) -> None:
        super().__init__(params, lr)
        beta1, beta2 = betas
        if not (0.0 <= beta1 < 1.0 and 0.0 <= beta2 < 1.0):
            raise ValueError(f"betas must each be in [0, 1), got {betas!r}")
        if not 0.0 < eps < math.inf:
            raise ValueError(f"eps must be > 0, got {eps!r}")
        self.betas = (float(beta1), float(beta2))
        self.eps = float(eps)
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def _update(self, lr: float) -> list[float]:
        beta1, beta2 = self.betas
        t = self.steps + 1
        correction1, correction2 = 1.0 - beta1**t, 1.0 - beta2**t
        grads = [p.grad for p in self.params]
        self._next_m = m = [beta1 * mi + (1.0 - beta1) * g for mi, g in zip(self.m, grads)]
        self._next_v = v = [beta2 * vi + (1.0 - beta2) * g * g for vi, g in zip(self.v, grads)]
        eps = self.eps
        return [p.data - lr * (mi / correction1) / (math.sqrt(vi / correction2) + eps)
                for p, mi, vi in zip(self.params, m, v)]

    def _commit(self) -> None:
        self.m, self.v = self._next_m, self._next_v


def _check_rate(lr: object) -> float:
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not 0.0 <= lr < math.inf:
        raise ValueError(f"the learning rate must be a finite number >= 0, got {lr!r}")
    return float(lr)
