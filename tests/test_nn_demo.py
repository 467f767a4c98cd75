"""python -m nn.demo: the default run reaches the accuracy and writes its pictures; bad flags get no traceback;
predictions are the eager decisions without a graph per point; the history's accuracy is the running one,
counted from the training step's own scores; a long phase shows a bar."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import nn.demo
from autograd import Value, no_grad
from nn import MLP
from nn.demo import DATASETS, Diverged, accuracy, decision, decision_regions, loss_targets, predictions, train

ROOT = Path(__file__).resolve().parent.parent


def demo(*flags: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nn.demo", *flags], cwd=cwd, capture_output=True, text=True,
                          check=False, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_the_default_run_reaches_97_percent_and_writes_everything(tmp_path):
    done = demo(cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    first, *_, last = done.stdout.strip().splitlines()
    assert first.endswith("; compiled (autograd.compile) training"), first
    found = re.fullmatch(r"train accuracy: (\d+\.\d)%", last)
    assert found, last
    assert float(found.group(1)) >= 97.0
    assert "acc=" in done.stderr and "loss=" in done.stderr and "60/60" in done.stderr  # the progress bar
    out = tmp_path / "out"
    for picture in ("decision_boundary.png", "loss.png"):
        assert (out / picture).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = (out / "graph.svg").read_text()
    assert svg.lstrip().startswith(("<?xml", "<svg")) and "</svg>" in svg
    for name in ("layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b", "x1", "x2", "Σwx+b", "relu"):
        assert name in svg
    page = (out / "backprop.html").read_text()
    frames = json.loads(re.search(r'class="ag-data">(.*?)</script>', page, re.S).group(1))["frames"]
    assert len(frames) >= 8 and "layers.0.neurons.0.w.0" in page


@pytest.mark.parametrize("flags, message", [
    (["--epochs", "0"], "argument --epochs: expected a positive int, got '0'"),
    (["--lr", "fast"], "argument --lr: expected a positive float, got 'fast'"),
    (["--hidden", "16,x"], "argument --hidden: expected comma-separated positive ints"),
    (["--dataset", "mnist"], "argument --dataset: invalid choice: 'mnist'"),
    (["--batch-size"], "argument --batch-size: expected one argument"),
    (["--colour"], "unrecognized arguments: --colour"),
])
def test_bad_flags_get_argparse_messages_and_no_traceback(tmp_path, flags, message):
    done = demo(*flags, cwd=tmp_path)
    assert done.returncode == 2
    assert "usage: python -m nn.demo" in done.stderr and message in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unwritable_out_is_a_clear_error(tmp_path):
    (tmp_path / "a-file").write_text("")
    done = demo("--out", "a-file/pictures", cwd=tmp_path)
    assert done.returncode == 2
    assert "cannot write to --out 'a-file/pictures': Not a directory" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("dataset, hidden", [("blobs", [8]), ("circles", [8, 8]), ("spirals", [16, 16])])
def test_every_dataset_trains(dataset, hidden):
    choice = DATASETS[dataset]
    X, y = choice.make(choice.points, seed=0)
    model = MLP(2, [*hidden, 1 if choice.classes == 2 else choice.classes], init="he", seed=0)
    before = accuracy(model, X, y)
    history = train(model, X, y, choice.classes, epochs=10, lr=0.05, batch_size=50, seed=0, progress=False)
    assert len(history) == 10
    assert accuracy(model, X, y) > max(before, 0.75)


@pytest.mark.parametrize("flags, epoch", [([], 1), (["--no-compile"], 1), (["--batch-size", "100"], 2),
                                          (["--batch-size", "100", "--epochs", "1"], 1),
                                          (["--batch-size", "100", "--no-compile"], 2)],
                         ids=["compiled", "eager", "one batch per epoch", "one batch, one epoch",
                              "one batch per epoch, eager"])
def test_a_learning_rate_that_diverges_ends_with_one_line_saying_so(tmp_path, flags, epoch):
    # The attack: --lr 1e300 passed the flag check, then training died in a traceback. With one batch per
    # epoch the first step only makes the weights huge; the next epoch's forward pass overflows, or, after
    # the last epoch, the final accuracy check does (it is the last epoch's weights that overflow).
    done = demo("--lr", "1e300", "--epochs", "3", *flags, cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    epochs = flags[-1] if "--epochs" in flags else "3"
    assert re.fullmatch(rf"python -m nn\.demo: training diverged in epoch {epoch} of {epochs}, the numbers outgrew "
                        r"the float range "
                        r"\(OverflowError: .+\)\. Try a smaller --lr than 1e\+300 \(the default is 0\.05\)", last), last
    assert not (tmp_path / "out" / "loss.png").exists()


def test_train_raises_diverged_naming_the_epoch():
    X, y = DATASETS["moons"].make(40, seed=0)
    model = MLP(2, [4, 1], init="he", seed=0)
    with pytest.raises(Diverged, match=r"^training diverged in epoch 1 of 2, the numbers outgrew the float range") as e:
        train(model, X, y, 2, epochs=2, lr=1e300, batch_size=10, seed=0, progress=False)
    assert isinstance(e.value.__cause__, ArithmeticError)


# ------------------------------------------------------ predictions: no graph per point, the eager decisions


def trained(dataset: str, hidden: list[int]) -> tuple[MLP, list[list[float]], list[int], int]:
    choice = DATASETS[dataset]
    X, y = choice.make(choice.points, seed=0)
    model = MLP(2, [*hidden, 1 if choice.classes == 2 else choice.classes], init="he", seed=0)
    train(model, X, y, choice.classes, epochs=3, lr=0.05, batch_size=50, seed=0, progress=False)
    return model, X, y, choice.classes


@pytest.fixture
def graphs(monkeypatch):
    """The scores the demo computes through ``nn.demo.scores`` that carry a graph (have parents)."""
    found: list[Value] = []
    original = nn.demo.scores

    def spy(model, x):
        out = original(model, x)
        found.extend(v for v in out if v.parents)
        return out

    monkeypatch.setattr(nn.demo, "scores", spy)
    return found


@pytest.mark.parametrize("dataset", ["moons", "blobs"])
def test_predictions_are_the_eager_models_decisions(dataset):
    model, X, y, classes = trained(dataset, [8])
    grid = decision_regions(model, X, resolution=12)
    points = X + [[gx, gy] for gy in grid.ys for gx in grid.xs]
    with no_grad():
        eager = [[v.data for v in nn.demo.scores(model, x)] for x in points]
    if classes == 2:
        expected = [int(s[0] > 0.0) for s in eager]
    else:
        expected = [max(range(classes), key=lambda k, s=s: s[k]) for s in eager]
    assert predictions(model, points) == expected
    assert grid.picked == [expected[len(X) + 12 * j:len(X) + 12 * (j + 1)] for j in range(12)]
    assert accuracy(model, X, y) == sum(p == c for p, c in zip(expected, y)) / len(y)
    assert 0 < sum(expected) < len(expected)  # not one class everywhere: the comparison can tell


def test_the_plot_and_the_accuracy_check_record_no_graph_per_point(graphs, monkeypatch):
    model, X, y, classes = trained("moons", [8])
    graphs.clear()
    decision_regions(model, X, resolution=20)  # 400 points
    assert len(graphs) <= 1  # the one point compile records, not one graph per point
    graphs.clear()
    accuracy(model, X, y)
    assert len(graphs) <= 1
    checks: list[object] = []
    monkeypatch.setattr(nn.demo, "predictions", lambda *args, **kwargs: checks.append(args))
    train(model, X, y, classes, epochs=3, lr=0.05, batch_size=50, seed=0, progress=False)
    assert checks == []  # the epochs' accuracy is counted from the training step's scores: no pass of its own


@pytest.mark.parametrize("compiled", [False, True], ids=["eager", "compiled"])
@pytest.mark.parametrize("dataset", ["moons", "blobs"])
def test_the_history_counts_each_point_as_its_step_scored_it(monkeypatch, dataset, compiled):
    """The running accuracy: each batch's points classified by the weights of its step, before the step."""
    choice = DATASETS[dataset]
    X, y = choice.make(choice.points, seed=0)
    label = {tuple(x): c for x, c in zip(X, y)}
    model = MLP(2, [8, 1 if choice.classes == 2 else choice.classes], init="he", seed=0)
    batches: list[list[list[float]]] = []
    correct: list[int] = []  # per step, by the compiled predictor just before the optimizer moves the weights
    original_batches, original_step = nn.demo.minibatches, nn.demo.Adam.step

    def spy_batches(*args, **kwargs):
        for batch in original_batches(*args, **kwargs):
            batches.append(batch[0])
            yield batch

    def spy_step(optimizer):
        points = batches[-1]
        correct.append(sum(p == label[tuple(x)] for p, x in zip(predictions(model, points), points)))
        original_step(optimizer)

    monkeypatch.setattr(nn.demo, "minibatches", spy_batches)
    monkeypatch.setattr(nn.demo.Adam, "step", spy_step)
    history = train(model, X, y, choice.classes, epochs=4, lr=0.05, batch_size=40, seed=0, progress=False,
                    compiled=compiled)
    steps = len(correct) // 4
    assert steps == math.ceil(len(X) / 40)
    assert [acc for _, acc in history] == [sum(correct[e * steps:(e + 1) * steps]) / len(X) for e in range(4)]
    assert history[0][1] < accuracy(model, X, y)  # not the final model's accuracy: the comparison can tell


def test_decision_reads_one_score_by_its_sign_and_several_by_the_highest():
    assert [decision([s]) for s in (-1.0, 0.0, 0.5)] == [0, 0, 1]
    assert decision([0.1, 2.0, -3.0]) == 1 and decision([4.0, 4.0, 1.0]) == 0
    targets = loss_targets([0, 1, 2, 1], 3)  # the running accuracy reads a one-hot target as its class
    assert [decision(t) for t in targets] == [0, 1, 2, 1]
    assert [decision([t]) for t in loss_targets([0, 1], 2)] == [0, 1]


def test_a_phase_past_the_threshold_shows_a_bar_and_a_quick_one_none(monkeypatch, capsys):
    model, X, _, _ = trained("moons", [4])
    capsys.readouterr()
    monkeypatch.setattr(nn.demo, "PROGRESS_AFTER", 0.0)
    decision_regions(model, X, resolution=5, progress="decision boundary")
    err = capsys.readouterr().err
    assert "decision boundary: 100%" in err and "25/25" in err
    monkeypatch.setattr(nn.demo, "PROGRESS_AFTER", math.inf)
    decision_regions(model, X, resolution=5, progress="decision boundary")
    assert capsys.readouterr().err == ""


def test_a_run_shows_the_grid_and_the_writing_once_past_the_threshold(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(nn.demo, "PROGRESS_AFTER", 0.0)
    assert nn.demo.main(["--epochs", "2", "--hidden", "4", "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "training: 100%" in err and "2/2" in err
    assert "decision boundary: 100%" in err and "6400/6400" in err
    assert "writing: 100%" in err and "4/4" in err
