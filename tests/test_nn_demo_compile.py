"""python -m nn.demo's compiled training step gives the eager losses (--no-compile), and the demo's losses record.

The training loss goes through ``autograd.compile``, recorded on one minibatch and
run on the others, so the losses must not pick branches by a target's value. The
eager run is the reference: same seed, same losses and weights up to float rounding.
"""

from __future__ import annotations

import math
import random
import re
import sys

import pytest
from test_nn_demo import demo
from test_nn_losses import central_differences

import autograd
import nn
from autograd import Value
import nn.demo
from nn.demo import DATASETS, L2_WEIGHT, loss_step, loss_targets, train

RNG = random.Random(5)


def model_for(dataset: str, hidden: list[int]) -> nn.MLP:
    classes = DATASETS[dataset].classes
    return nn.MLP(2, [*hidden, 1 if classes == 2 else classes], activation="relu", init="he", seed=0)


@pytest.mark.parametrize("dataset", ["moons", "blobs"])  # the hinge loss and the cross-entropy
def test_compiled_training_gives_the_eager_losses_and_weights(dataset):
    choice = DATASETS[dataset]
    X, y = choice.make(choice.points, seed=0)
    runs = []
    for compiled in (False, True):
        model = model_for(dataset, [8])
        # batches of 40: the last is smaller, a second recording
        history = train(model, X, y, choice.classes, epochs=4, lr=0.05, batch_size=40, seed=0,
                        progress=False, compiled=compiled)
        runs.append((history, [p.data for p in model.parameters()]))
    (eager, eager_weights), (compiled, compiled_weights) = runs
    assert len(eager) == len(compiled) == 4
    for (eager_loss, eager_accuracy), (compiled_loss, compiled_accuracy) in zip(eager, compiled):
        assert compiled_loss == pytest.approx(eager_loss, rel=0, abs=1e-9)
        assert compiled_accuracy == eager_accuracy
    assert compiled_weights == pytest.approx(eager_weights, rel=0, abs=1e-9)
    assert eager[-1][0] < eager[0][0]  # it trained: the comparison is not between two idle models


@pytest.mark.parametrize("dataset", ["moons", "blobs"])
def test_the_compiled_step_is_one_node_recorded_once_per_batch_size_with_eager_gradients(dataset):
    choice = DATASETS[dataset]
    X, y = choice.make(choice.points, seed=0)
    targets = loss_targets(y, choice.classes)
    model = model_for(dataset, [6])
    params = model.parameters()
    outputs = 1 if choice.classes == 2 else choice.classes
    eager, compiled = (loss_step(model, choice.classes, compiled=flag) for flag in (False, True))
    for batch in (slice(0, 20), slice(40, 60), slice(60, 65)):  # the third batch is smaller: recorded again
        scores = [s.data for x in X[batch] for s in nn.demo.scores(model, x)]
        for step in (eager, compiled):
            model.zero_grad()
            probes = [Value(0.0) for _ in range(len(X[batch]) * outputs)]
            loss = step(params, probes, X[batch], targets[batch])
            loss.backward()
            assert [p.grad for p in probes] == scores  # the probes read the scores out, exactly
            if step is eager:
                expected = loss.data, [p.grad for p in params]
                outs = [model(x) for x in X[batch]]
                data_loss = (nn.hinge_loss if outputs == 1 else nn.cross_entropy)(outs, targets[batch])
                # the zero probes leave the loss as it was, to the last bit
                assert loss.data == data_loss.data + L2_WEIGHT * nn.l2(params).data
        assert loss.op.startswith("compile(") and loss.parents == (*params, *probes)
        assert loss.data == pytest.approx(expected[0], rel=1e-12)
        assert [p.grad for p in params] == pytest.approx(expected[1], rel=1e-9, abs=1e-15)
    assert compiled.traces == 2


def test_loss_targets_are_numbers_the_losses_read():
    assert loss_targets([0, 1, 1], 2) == [-1.0, 1.0, 1.0]
    assert loss_targets([2, 0], 3) == [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]


# ------------------------------------------------------ the demo's losses under recording


def logits_and_probabilities(n: int, classes: int) -> tuple[list[list[float]], list[list[float]]]:
    logits = [[RNG.uniform(-3, 3) for _ in range(classes)] for _ in range(n)]
    weights = [[RNG.random() for _ in range(classes)] for _ in range(n)]
    return logits, [[w / sum(row) for w in row] for row in weights]


@pytest.mark.parametrize("loss_name", ["hinge", "cross_entropy"])
def test_a_loss_recorded_on_one_batch_is_right_for_the_targets_of_another(loss_name):
    """Targets are passed in as numbers: a label or class the recording did not see must still count."""
    if loss_name == "hinge":
        def loss(scores, labels):
            return nn.hinge_loss(scores, labels)
        first = ([0.3, -2.0, 0.5], [1, 1, -1])
        second = ([0.3, -2.0, 0.5], [-1, 1, 1])  # flipped labels turn other margins on
    else:
        def loss(scores, probabilities):
            return nn.cross_entropy([scores[0:3], scores[3:6]], [probabilities[0:3], probabilities[3:6]])
        first = ([1.0, -0.5, 2.0, 0.1, 0.2, 0.3], [1.0, 0.0, 0.0, 0.0, 1.0, 0.0])
        second = ([1.0, -0.5, 2.0, 0.1, 0.2, 0.3], [0.0, 0.0, 1.0, 0.2, 0.3, 0.5])
    step = autograd.compile(loss)
    step([Value(s) for s in first[0]], first[1])
    for scores, targets in (first, second):
        eager_scores, compiled_scores = [Value(s) for s in scores], [Value(s) for s in scores]
        expected = loss(eager_scores, targets)
        expected.backward()
        got = step(compiled_scores, targets)
        got.backward()
        assert got.data == pytest.approx(expected.data, rel=1e-12)
        assert [v.grad for v in compiled_scores] == pytest.approx([v.grad for v in eager_scores], rel=1e-12, abs=1e-15)
    assert step.traces == 1


def test_cross_entropy_with_probabilities_matches_its_formula_and_central_differences():
    (z,), (p,) = logits_and_probabilities(1, 4)
    leaves = [Value(v) for v in z]
    loss = nn.cross_entropy(leaves, p)
    loss.backward()
    softmax = [math.exp(v) / sum(math.exp(u) for u in z) for v in z]
    assert loss.data == pytest.approx(-sum(pk * math.log(sk) for pk, sk in zip(p, softmax)), rel=1e-13)
    assert [v.grad for v in leaves] == pytest.approx([s - q for s, q in zip(softmax, p)], rel=1e-12, abs=1e-15)
    numeric = central_differences(lambda xs: nn.cross_entropy(xs, p), z)
    assert [v.grad for v in leaves] == pytest.approx(numeric, rel=1e-5, abs=1e-7)


def test_one_hot_probabilities_give_the_class_index_loss_to_the_last_bit():
    logits, _ = logits_and_probabilities(5, 3)
    classes = [0, 2, 1, 1, 0]
    one_hot = [[float(k == c) for k in range(3)] for c in classes]
    assert nn.cross_entropy(logits, one_hot).data == nn.cross_entropy(logits, classes).data


@pytest.mark.parametrize("target, error, message", [
    ([0.5, 0.6, 0.0], ValueError, "must be in [0, 1] and sum to 1"),
    ([1.0, 0.0], ValueError, "class index in 0..2 or 3 class probabilities"),
    (Value(1.0), TypeError, "under autograd.compile numbers arrive as Values"),
])
def test_bad_probability_targets_say_what_is_wrong(target, error, message):
    with pytest.raises(error) as raised:
        nn.cross_entropy([1.0, 2.0, 3.0], target)
    assert message in str(raised.value)


def test_class_indices_under_compile_are_a_clear_error():
    step = autograd.compile(lambda scores, classes: nn.cross_entropy([scores], classes))
    with pytest.raises(TypeError, match="pass 2 class probabilities"):
        step([Value(1.0), Value(2.0)], [1])


# ------------------------------------------------------ the command


def test_the_eager_run_says_so_and_reaches_97_percent(tmp_path):
    done = demo("--no-compile", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0].endswith("; eager training"), lines[0]
    found = re.fullmatch(r"train accuracy: (\d+\.\d)%", lines[-1])
    assert found, lines[-1]
    assert float(found.group(1)) >= 97.0
    assert (tmp_path / "out" / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_step_too_big_to_compile_ends_with_one_line_naming_the_flags(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(sys.modules["autograd.compile"], "MAX_STEPS", 1_000)  # the default step has 3,506 ops
    assert nn.demo.main(["--epochs", "1", "--out", str(tmp_path)]) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert re.fullmatch(r"python -m nn\.demo: compile: this graph has \d+ ops, more than the 1000 .+\. "
                        r"Try --no-compile \(the eager engine\), or a smaller --batch-size", last), last
    assert not (tmp_path / "loss.png").exists()
    assert nn.demo.main(["--epochs", "1", "--no-compile", "--out", str(tmp_path)]) == 0  # the eager engine: no limit
