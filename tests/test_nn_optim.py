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


# ---------------------------------------------------------------- attacks (issue 11)


def steps_with(optimizer_class, grads: list[float], **options) -> list[float]:
    """One parameter's values after each step, its gradient set by hand to each of ``grads``."""
    p = Value(1.0, label="w")
    optimizer = optimizer_class([p], **options)
    history = []
    for g in grads:
        p.grad = g
        optimizer.step()
        history.append(p.data)
    return history


@pytest.mark.parametrize("scale", [1e200, 1e300, 1.7e308])
def test_adam_with_a_huge_finite_gradient_keeps_moving(scale):
    # g² overflowed: v became inf, every later step was lr·m̂/inf = 0, and the parameter froze without an error.
    # Adam does not depend on the gradients' scale (only eps does): gradients c·g with eps move the
    # parameter as gradients g with eps/c do.
    grads = [0.5, -1.0, 0.9, 0.25, -0.75]
    huge = steps_with(nn.Adam, [scale * g for g in grads], lr=0.01)
    reference = steps_with(nn.Adam, grads, lr=0.01, eps=1e-8 / scale)
    assert huge == pytest.approx(reference, rel=1e-13)
    assert len(set(huge)) == len(huge)  # every step moved it


def test_adam_state_stays_finite_for_every_finite_gradient():
    p = Value(0.0, label="w")
    optimizer = nn.Adam([p], lr=0.1)
    for g in [1.7e308, -1.7e308, 1e-300, 1.7e308]:
        p.grad = g
        optimizer.step()
        assert all(math.isfinite(x) for x in [p.data, *optimizer.m, *optimizer.rms])
    assert optimizer.steps == 4


def test_sgd_momentum_beyond_the_float_range_raises_naming_the_parameter():
    # The same class of problem in SGD: the velocity μv + g of two gradients of 1e308 is beyond the float
    # range. The step must not keep an infinite velocity: it raises, and nothing changes.
    params = [Value(1.0, label="w"), Value(2.0, label="b")]
    optimizer = nn.SGD(params, lr=1e-300, momentum=0.9)
    params[1].grad = 1e308
    optimizer.step()
    state = ([p.data for p in params], list(optimizer.velocity))
    with pytest.raises(OverflowError, match=r"'b' \(params\[1\]\)"):
        optimizer.step()
    assert ([p.data for p in params], optimizer.velocity) == state and optimizer.steps == 1


@pytest.mark.parametrize("optimizer_class", [nn.SGD, nn.Adam])
@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_a_gradient_that_is_not_finite_is_refused_naming_the_parameter(optimizer_class, bad):
    params = [Value(1.0, label="w"), Value(2.0)]
    optimizer = optimizer_class(params, lr=0.1)
    params[0].grad, params[1].grad = 0.5, bad
    with pytest.raises(OverflowError, match=r"params\[1\] \(unlabelled\) has gradient"):
        optimizer.step()
    assert [p.data for p in params] == [1.0, 2.0] and optimizer.steps == 0


@pytest.mark.parametrize("make, error, message", [
    (lambda: nn.SGD([Value(1.0)], lr=0.1, momentum="0.5"), TypeError, "SGD: momentum must be a real number, got str"),
    (lambda: nn.SGD([Value(1.0)], lr=0.1, momentum=True), TypeError, "momentum must be a real number, got bool"),
    (lambda: nn.SGD([Value(1.0)], lr=0.1, weight_decay="0"), TypeError, "weight_decay must be a real number"),
    (lambda: nn.SGD([Value(1.0)], lr=0.1, weight_decay=math.nan), ValueError, "weight_decay must be finite"),
    (lambda: nn.SGD([Value(1.0)], lr="0.1"), TypeError, "SGD: lr must be a real number, got str"),
    (lambda: nn.SGD([Value(1.0)], lr=10**400), ValueError, "lr must be finite and >= 0.0, got an int of about 401"),
    (lambda: nn.SGD([Value(1.0)], lr=math.inf), ValueError, "lr must be finite"),
    (lambda: nn.Adam([Value(1.0)], betas=0.9), TypeError, "Adam: betas must be a pair (beta1, beta2)"),
    (lambda: nn.Adam([Value(1.0)], betas=(0.9, 0.99, 0.999)), TypeError, "betas must be a pair"),
    (lambda: nn.Adam([Value(1.0)], betas="ab"), TypeError, "betas must be a pair"),
    (lambda: nn.Adam([Value(1.0)], betas=("0.9", 0.999)), TypeError, "betas[0] must be a real number"),
    (lambda: nn.Adam([Value(1.0)], betas=(0.9, math.nan)), ValueError, "betas[1] must be < 1.0"),
    (lambda: nn.Adam([Value(1.0)], eps="1e-8"), TypeError, "eps must be a real number"),
    (lambda: nn.Adam([Value(1.0)], eps=math.nan), ValueError, "eps must be finite and > 0.0"),
    (lambda: nn.Adam(Value(1.0)), TypeError, "Adam takes an iterable of Values"),
    (lambda: nn.Adam([Value(1.0), 2.0]), TypeError, "got float as params[1]"),
])
def test_bad_settings_get_a_clear_error_naming_the_argument(make, error, message):
    with pytest.raises(error) as raised:
        make()
    assert message in str(raised.value)


def test_a_parameter_listed_twice_is_refused():
    w = Value(1.0, label="w")
    with pytest.raises(ValueError, match=r"'w' \(params\[2\]\) twice, as params\[0\] and params\[2\]"):
        nn.Adam([w, Value(2.0), w])


def test_a_learning_rate_schedule_that_returns_a_bad_rate_is_named_and_changes_nothing():
    p = Value(1.0, label="w")
    optimizer = nn.SGD([p], lr=lambda k: 0.1 if k == 0 else math.nan)
    p.grad = 1.0
    optimizer.step()
    with pytest.raises(ValueError, match=r"SGD: lr\(1\), the learning rate schedule at step 1, must be finite"):
        optimizer.step()
    assert p.data == 0.9 and optimizer.steps == 1
