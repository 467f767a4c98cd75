"""nn losses: values against formulas written out on floats, gradients against central differences."""

from __future__ import annotations

import math
import random

import pytest

import nn
from autograd import Value


def central_differences(loss_of, xs: list[float], h: float = 1e-6) -> list[float]:
    """∂loss/∂xᵢ ≈ (loss(x + h·eᵢ) - loss(x - h·eᵢ)) / 2h, from the loss's value alone."""
    grads = []
    for i in range(len(xs)):
        up, down = list(xs), list(xs)
        up[i] += h
        down[i] -= h
        grads.append((loss_of(up).data - loss_of(down).data) / (2 * h))
    return grads


def backprop(loss_of, xs: list[float]) -> tuple[float, list[float]]:
    leaves = [Value(x) for x in xs]
    loss = loss_of(leaves)
    loss.backward()
    return loss.data, [v.grad for v in leaves]


def assert_gradient_matches(loss_of, xs: list[float]) -> None:
    _, grads = backprop(loss_of, xs)
    assert grads == pytest.approx(central_differences(loss_of, xs), rel=1e-5, abs=1e-7)


RNG = random.Random(3)
PREDS = [RNG.uniform(-2, 2) for _ in range(6)]
TARGETS = [RNG.uniform(-2, 2) for _ in range(6)]
SIGNS = [1, -1, 1, 1, -1, -1]
BITS = [1, 0, 0, 1, 1, 0]


def test_mse_value_and_gradient():
    value, grads = backprop(lambda p: nn.mse_loss(p, TARGETS), PREDS)
    assert value == pytest.approx(sum((p - t) ** 2 for p, t in zip(PREDS, TARGETS)) / 6, rel=1e-14)
    assert grads == pytest.approx([2 * (p - t) / 6 for p, t in zip(PREDS, TARGETS)], rel=1e-12)
    assert_gradient_matches(lambda p: nn.mse_loss(p, TARGETS), PREDS)


def test_hinge_value_and_gradient():
    scores = [0.3, -0.2, 1.7, -2.5, 0.1, 0.9]  # inside and outside the margin, away from the kinks
    value, grads = backprop(lambda s: nn.hinge_loss(s, SIGNS), scores)
    assert value == pytest.approx(sum(max(0.0, 1 - y * s) for s, y in zip(scores, SIGNS)) / 6, rel=1e-14)
    assert grads == pytest.approx([-y / 6 if 1 - y * s > 0 else 0.0 for s, y in zip(scores, SIGNS)], rel=1e-12)
    assert_gradient_matches(lambda s: nn.hinge_loss(s, SIGNS), scores)


def test_binary_cross_entropy_value_and_gradient():
    def naive(z: float, y: int) -> float:
        p = 1 / (1 + math.exp(-z))
        return -(y * math.log(p) + (1 - y) * math.log(1 - p))

    value, grads = backprop(lambda z: nn.binary_cross_entropy(z, BITS), PREDS)
    assert value == pytest.approx(sum(naive(z, y) for z, y in zip(PREDS, BITS)) / 6, rel=1e-12)
    assert grads == pytest.approx([(1 / (1 + math.exp(-z)) - y) / 6 for z, y in zip(PREDS, BITS)], rel=1e-9)
    assert_gradient_matches(lambda z: nn.binary_cross_entropy(z, BITS), PREDS)


def test_binary_cross_entropy_is_finite_for_huge_logits():
    value, grads = backprop(lambda z: nn.binary_cross_entropy(z, [1, 0, 0, 1]), [1000.0, -1000.0, 1000.0, -1000.0])
    # right with certainty: 0; wrong with certainty: |z| = 1000 each
    assert value == pytest.approx((0 + 0 + 1000 + 1000) / 4)
    assert grads == pytest.approx([0.0, 0.0, 0.25, -0.25])


def test_cross_entropy_one_example_value_and_gradient():
    logits = [0.5, -1.2, 2.0, 0.1]

    def softmax(z: list[float]) -> list[float]:
        e = [math.exp(v) for v in z]
        return [v / sum(e) for v in e]

    value, grads = backprop(lambda z: nn.cross_entropy(z, 2), logits)
    assert value == pytest.approx(-math.log(softmax(logits)[2]), rel=1e-13)
    assert grads == pytest.approx([p - (k == 2) for k, p in enumerate(softmax(logits))], rel=1e-12)
    assert_gradient_matches(lambda z: nn.cross_entropy(z, 2), logits)


def test_cross_entropy_batch_is_the_mean_and_matches_central_differences():
    flat = [RNG.uniform(-3, 3) for _ in range(9)]
    targets = [0, 2, 1]

    def loss_of(z):
        return nn.cross_entropy([z[0:3], z[3:6], z[6:9]], targets)

    single = [nn.cross_entropy(flat[3 * k:3 * k + 3], t).data for k, t in enumerate(targets)]
    assert loss_of(flat).data == pytest.approx(sum(single) / 3, rel=1e-14)
    assert_gradient_matches(loss_of, flat)


def test_cross_entropy_is_finite_for_logits_of_1000():
    value, grads = backprop(lambda z: nn.cross_entropy(z, 1), [1000.0, -1000.0, 999.0])
    # -log softmax_1 = logsumexp - z_1 ≈ 1000 + log(1 + e^-1) + 1000
    assert value == pytest.approx(2000 + math.log(1 + math.exp(-1)), rel=1e-12)
    p0, p2 = 1 / (1 + math.exp(-1)), math.exp(-1) / (1 + math.exp(-1))
    assert grads == pytest.approx([p0, -1.0, p2], rel=1e-12)
    assert all(math.isfinite(g) for g in grads)


def test_l2_value_and_gradient():
    value, grads = backprop(nn.l2, PREDS)
    assert value == pytest.approx(sum(p * p for p in PREDS), rel=1e-14)
    assert grads == pytest.approx([2 * p for p in PREDS], rel=1e-14)
    assert_gradient_matches(nn.l2, PREDS)


def test_loss_of_a_model_backpropagates_to_its_parameters():
    model = nn.MLP(3, [4, 1], seed=1)
    X = [[0.5, -1.0, 2.0], [1.5, 0.2, -0.3]]
    params = model.parameters()
    start = [p.data for p in params]

    def loss_of(values):
        for p, v in zip(params, values):
            p.data = v.data if isinstance(v, Value) else v
        return nn.mse_loss([model(x) for x in X], [1.0, -1.0])

    numeric = central_differences(loss_of, start)
    loss_of(start)
    model.zero_grad()
    nn.mse_loss([model(x) for x in X], [1.0, -1.0]).backward()
    assert [p.grad for p in params] == pytest.approx(numeric, rel=1e-5, abs=1e-7)


def test_a_single_prediction_is_a_batch_of_one():
    assert nn.mse_loss(Value(3.0), 1.0).data == 4.0
    assert nn.hinge_loss(Value(0.25), -1).data == 1.25


@pytest.mark.parametrize("call, message", [
    (lambda: nn.mse_loss([1.0, 2.0], [1.0]), "2 predictions and 1 targets"),
    (lambda: nn.mse_loss([], []), "at least one"),
    (lambda: nn.hinge_loss([1.0, 2.0], [1, 0]), "labels -1 and +1, got 0"),
    (lambda: nn.binary_cross_entropy([1.0], [2]), "labels in [0, 1], got 2"),
    (lambda: nn.cross_entropy([1.0, 2.0], 2), "class index in 0..1, got 2"),
    (lambda: nn.cross_entropy([[1.0, 2.0]], [0, 1]), "1 examples and 2 targets"),
])
def test_bad_arguments_say_what_is_wrong(call, message):
    with pytest.raises(ValueError) as error:
        call()
    assert message in str(error.value)


def test_l2_is_one_node_equal_to_the_sum_of_squares_to_the_last_bit():
    params = [Value(x) for x in PREDS]
    penalty = nn.l2(params)
    assert penalty.data == sum(p.data * p.data for p in params)
    assert penalty.op == "Σwx+b"
    assert nn.l2([]).data == 0.0


# ---------------------------------------------------------------- attacks (issue 11)

np = pytest.importorskip("numpy")  # installed with matplotlib, the demo extra the tests install


def test_a_numpy_int_label_is_a_number_and_a_numpy_int_target_a_class_index():
    # hinge_loss(v, np.int64(1)) died in list(np.int64(1)); cross_entropy(z, np.int64(1)) said the class
    # index 1 was not a class index. A numpy int is an int (numbers.Integral), and a label is a number:
    # both mean what the Python int means, as numpy labels inside a list already did.
    v = Value(0.25)
    assert nn.hinge_loss(v, np.int64(1)).data == nn.hinge_loss(v, 1).data == 0.75
    assert nn.hinge_loss([v, v], np.array([1, -1])).data == nn.hinge_loss([v, v], [1, -1]).data
    z = [Value(0.5), Value(-1.0), Value(2.0)]
    assert nn.cross_entropy(z, np.int64(1)).data == nn.cross_entropy(z, 1).data
    assert nn.binary_cross_entropy(v, np.int64(1)).data == nn.binary_cross_entropy(v, 1).data


@pytest.mark.parametrize("call, error, message", [
    (lambda: nn.hinge_loss(Value(1.0), np.int64(2)), ValueError, "labels -1 and +1, got 2.0 as labels[0]"),
    (lambda: nn.hinge_loss(Value(1.0), "1"), TypeError, "hinge_loss: labels must be a list, got str '1'"),
    (lambda: nn.hinge_loss([Value(1.0)], ["1"]), TypeError, "hinge_loss: labels[0] must be a real number, got str"),
    (lambda: nn.hinge_loss([Value(1.0)], [True]), TypeError, "labels[0] must be a real number, got bool"),
    (lambda: nn.hinge_loss(["1.0"], [1]), TypeError, "hinge_loss: scores[0] must be a real number, got str"),
    (lambda: nn.hinge_loss(None, [1]), TypeError, "hinge_loss: scores must be a list, got NoneType"),
    (lambda: nn.mse_loss([1.0, 2.0], [1.0, None]), TypeError, "mse_loss: targets[1] must be a real number"),
    (lambda: nn.mse_loss([1.0], [math.nan]), ValueError, "mse_loss: targets[0] must be finite, got nan"),
    (lambda: nn.binary_cross_entropy([1.0], [10**400]), ValueError, "labels[0] must be finite, got an int of"),
    (lambda: nn.cross_entropy([1.0, 2.0], np.int64(2)), ValueError, "target must be a class index in 0..1, got"),
    (lambda: nn.cross_entropy([1.0, 2.0], np.float64(1.0)), TypeError,
     "cross_entropy target must be a class index (an int) or a list of 2 class probabilities, got float64"),
    (lambda: nn.cross_entropy([1.0, 2.0], True), TypeError, "must be a class index (an int) or a list of 2"),
    (lambda: nn.cross_entropy([1.0, 2.0], ["0.5", "0.5"]), TypeError, "target[0] must be a real number, got str"),
    (lambda: nn.cross_entropy([[1.0, 2.0], [0.0, 1.0]], [0, [0.5]]), ValueError,
     "target[1] must be a class index in 0..1 or 2 class probabilities, got [0.5]"),
    (lambda: nn.cross_entropy([[1.0, 2.0], [0.0, 1.0]], 0), TypeError,
     "a batch of 2 examples needs a list of 2 targets, got int 0"),
    (lambda: nn.cross_entropy([[1.0, 2.0], [0.0, "x"]], [0, 1]), TypeError, "logits[1][1] must be a real number"),
    (lambda: nn.cross_entropy(Value(1.0), 0), TypeError, "cross_entropy: logits must be a list, got Value"),
    (lambda: nn.cross_entropy([], 0), ValueError, "at least one logit"),
])
def test_bad_labels_and_scores_get_a_clear_error_naming_the_argument(call, error, message):
    with pytest.raises(error) as raised:
        call()
    assert message in str(raised.value)
