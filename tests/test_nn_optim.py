"""SGD and Adam against their update formulas, written out here on plain floats."""

from __future__ import annotations

import math

import pytest

import nn
from autograd import Value

GRADS = [  # the gradient each parameter gets at each of four steps
    [0.5, -1.0, 0.0],
    [0.25, 2.0, -0.5],
    [-1.5, 0.1, 0.3],
    [0.0, -0.2, 1.0],
]
START = [1.0, -2.0, 0.5]


def run(optimizer_class, **options) -> list[float]:
    """The parameters after each step (one flat list), with the gradients of GRADS set by hand."""
    params = [Value(x) for x in START]
    optimizer = optimizer_class(params, **options)
    history = []
    for grads in GRADS:
        optimizer.zero_grad()
        assert all(p.grad == 0.0 for p in params)
        for p, g in zip(params, grads):
            p.grad = g
        optimizer.step()
        history.extend(p.data for p in params)
    return history


def test_sgd_is_p_minus_lr_g():
    p = list(START)
    expected = []
    for grads in GRADS:
        p = [x - 0.1 * g for x, g in zip(p, grads)]
        expected.extend(p)
    assert run(nn.SGD, lr=0.1) == expected  # exactly


def test_sgd_with_momentum_and_weight_decay():
    lr, mu, decay = 0.05, 0.9, 0.01
    p, v = list(START), [0.0] * 3
    expected = []
    for grads in GRADS:
        for i in range(3):
            g = grads[i] + decay * p[i]
            v[i] = mu * v[i] + g
            p[i] = p[i] - lr * v[i]
        expected.extend(p)
    assert run(nn.SGD, lr=lr, momentum=mu, weight_decay=decay) == pytest.approx(expected, rel=1e-15)


def test_adam_follows_kingma_and_ba():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    p, m, v = list(START), [0.0] * 3, [0.0] * 3
    expected = []
    for t, grads in enumerate(GRADS, start=1):
        for i in range(3):
            m[i] = b1 * m[i] + (1 - b1) * grads[i]
            v[i] = b2 * v[i] + (1 - b2) * grads[i] ** 2
            m_hat, v_hat = m[i] / (1 - b1 ** t), v[i] / (1 - b2 ** t)
            p[i] = p[i] - lr * m_hat / (math.sqrt(v_hat) + eps)
        expected.extend(p)
    assert run(nn.Adam, lr=lr) == pytest.approx(expected, rel=1e-14)


def test_adam_first_step_moves_each_parameter_by_about_lr():
    # m̂ = g and v̂ = g² at t = 1, so the step is lr·g/(|g| + eps) ≈ ±lr for g ≠ 0.
    first = run(nn.Adam, lr=0.1, betas=(0.5, 0.6))[:3]
    assert first == pytest.approx([START[0] - 0.1, START[1] + 0.1, START[2]], rel=1e-7)


def test_learning_rate_can_be_a_function_of_the_step_number():
    seen = []

    def schedule(k: int) -> float:
        seen.append(k)
        return 1.0 - 0.9 * k / 100

    p = list(START)
    expected = []
    for k, grads in enumerate(GRADS):
        p = [x - (1.0 - 0.9 * k / 100) * g for x, g in zip(p, grads)]
        expected.extend(p)
    assert run(nn.SGD, lr=schedule) == expected
    assert seen == [0, 1, 2, 3]


def test_optimizing_a_model_lowers_its_loss():
    X, y = nn.make_moons(40, seed=1)
    model = nn.MLP(2, [8, 1], seed=1)
    optimizer = nn.Adam(model.parameters(), lr=0.05)
    losses = []
    for _ in range(60):
        optimizer.zero_grad()
        loss = nn.hinge_loss([model(x) for x in X], [2 * c - 1 for c in y])
        loss.backward()
        optimizer.step()
        losses.append(loss.data)
    assert losses[-1] < 0.5 * losses[0]


def test_a_step_that_would_overflow_changes_nothing():
    params = [Value(1.0, label="w"), Value(2.0, label="b")]
    optimizer = nn.SGD(params, lr=1e308, momentum=0.5)
    params[0].grad, params[1].grad = 0.0, 1e10
    with pytest.raises(OverflowError, match="'b'"):
        optimizer.step()
    assert [p.data for p in params] == [1.0, 2.0]
    assert optimizer.velocity == [0.0, 0.0] and optimizer.steps == 0


@pytest.mark.parametrize("make", [
    lambda: nn.SGD([], lr=0.1),
    lambda: nn.SGD([Value(1.0)], lr=-1.0),
    lambda: nn.SGD([Value(1.0)], lr=0.1, momentum=1.0),
    lambda: nn.Adam([Value(1.0)], betas=(0.9, 1.0)),
    lambda: nn.Adam([Value(1.0)], eps=0.0),
])
def test_bad_settings_are_refused(make):
    with pytest.raises(ValueError):
        make()


def test_parameters_must_be_values():
    with pytest.raises(TypeError, match="float"):
        nn.SGD([1.0], lr=0.1)
