"""``python -m nn.demo``: train an MLP on a toy 2-D dataset, then draw what it learned.

    python -m nn.demo                                  # moons, MLP(2, [16, 16, 1]), a few seconds
    python -m nn.demo --dataset spirals --hidden 32,32 --epochs 300
    python -m nn.demo --dataset blobs --out results/
    python -m nn.demo --no-compile                     # the same training on the eager engine

Two-class datasets (moons, circles, spirals) train one output score with the
hinge loss, labels ±1, as micrograd's demo does: the predicted class is 1 when
the score is positive. blobs has three classes: three scores and the softmax
cross-entropy; the predicted class is the highest score. Either way the loss is
averaged over a minibatch, plus ``1e-4 · Σ p²`` (L2), and Adam takes the step.

Written into ``--out``:

* ``decision_boundary.png``: the data over the regions the model assigns to each class;
* ``loss.png``: loss and running training accuracy per epoch;
* ``graph.svg``: one neuron's forward graph, each parameter labelled with its name;
* ``backprop.html``: the same neuron's forward and backward pass, step by step.

An epoch's accuracy is the running one, as Keras and most PyTorch loops
report it: each point counts as the step that trained on it scored it, from
the scores the loss already computed, before that step moved the weights. The
final accuracy (the last line, the plot's title) and the decision boundary's
grid classify points once, with the trained model written out as float code,
its parameters baked in (``predictions``): no graph for points that are never
differentiated. Training shows a progress bar on stderr; computing the grid
and writing the files show one as well once they have taken
``PROGRESS_AFTER`` (a second).

The last line printed is ``train accuracy: NN.N%``, the final model's. If training diverges (the
numbers outgrow the float range, as with ``--lr 1e300``), the demo stops with a
one-line message on stderr saying so and what to try, and exit status 1.

Training is compiled unless ``--no-compile``: the training step's loss (the
model over the minibatch, the loss, the L2 penalty) goes through
``autograd.compile``. It is recorded on the first minibatch and then runs as
generated float code, with each minibatch's points and targets passed in as
numbers::

    step = autograd.compile(loss)       # loss(parameters, probes, X_batch, targets_batch)
    loss = step(model.parameters(), probes, X_batch, targets_batch)
    loss.backward(); optimizer.step()   # each probe's .grad is now a score (``batch_loss``)

The targets are numbers for that reason: labels ±1 for the hinge loss,
one-hot class probabilities for the cross-entropy (a class index would pick a
logit in Python, frozen at recording). Same seed, same losses as the eager
run up to float rounding, and the same accuracy. A smaller last minibatch is
a new argument structure, so it is recorded once more. The first line printed
says which mode ran. ``--no-compile`` builds every step's graph of Values and
backpropagates through it (the eager engine): the default run trains about
four times as fast compiled, the first recording included. A step too big for
``autograd.compile`` to write out (more than its ``MAX_STEPS`` ops, as with
``--hidden 1024 --batch-size 200``) stops the demo with a one-line message
naming the flags to change, and exit status 1.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import random
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import autograd
from autograd import Value, draw_dot, no_grad, step_through
from autograd.extras import require_extra

from .checks import cut
from .data import make_blobs, make_circles, make_moons, make_spirals, minibatches
from .layers import MLP
from .losses import cross_entropy, hinge_loss, l2
from .optim import Adam

DEMO_PACKAGES = ("tqdm", "matplotlib", "graphviz")  # what the demo extra brings that this module imports

L2_WEIGHT = 1e-4
PROGRESS_AFTER = 1.0
"""Seconds a phase other than training (which always has a bar) runs before it shows a progress bar."""
Number = TypeVar("Number", int, float)
Item = TypeVar("Item")


@dataclass(frozen=True)
class DatasetChoice:
    """A dataset the demo offers: how to make it, how many points, how many classes."""

    make: Callable[..., tuple[list[list[float]], list[int]]]
    points: int
    classes: int


DATASETS = {
    "moons": DatasetChoice(make_moons, 100, 2),
    "circles": DatasetChoice(make_circles, 100, 2),
    "spirals": DatasetChoice(make_spirals, 200, 2),
    "blobs": DatasetChoice(make_blobs, 150, 3),
}


def progress_bar(items: Iterable[Item], desc: str, unit: str) -> Iterable[Item]:
    """``items``, counted on stderr under ``desc`` once they have taken ``PROGRESS_AFTER`` seconds ("" for no bar)."""
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit=unit, disable=not desc, delay=PROGRESS_AFTER, file=sys.stderr)


# ---------------------------------------------------------------- training


class Diverged(ArithmeticError):
    """Training stopped: its numbers outgrew the float range (the message says where)."""


def scores(model: MLP, x: Sequence[Any]) -> list[Value]:
    """The model's output scores for one point, as a list even when there is one."""
    out = model(x)
    return [out] if isinstance(out, Value) else out


def decision(row: Sequence[float]) -> int:
    """The class a point's scores pick: 1 if its one score is positive, else the highest score's (the first if tied)."""
    return int(row[0] > 0.0) if len(row) == 1 else max(range(len(row)), key=row.__getitem__)


def predictions(model: MLP, X: Sequence[Sequence[float]], *, progress: str = "") -> list[int]:
    """The class the model, as it is now, picks for each point; no graph is recorded but one point's.

    The model's scores are recorded once and written out as float code by
    ``autograd.compile``, the parameters baked in as constants (call again after
    a step), and each point runs that code: no Value goes in, so a leaf comes
    out, and it is far cheaper than the eager model beyond a few dozen points.
    ``progress``: see ``progress_bar``.
    """
    # compile returns one Value: weighting the scores one-hot picks score k, so one recording serves all
    picked = autograd.compile(lambda x, one_hot: autograd.linear(one_hot, scores(model, x), 0.0))
    outputs = len(model.layers[-1].neurons)
    one_hot = [[float(j == k) for j in range(outputs)] for k in range(outputs)]
    return [decision([picked(x, row).data for row in one_hot]) for x in progress_bar(X, progress, "point")]


def accuracy(model: MLP, X: Sequence[Sequence[float]], y: Sequence[int]) -> float:
    """The fraction of points whose predicted class is their label."""
    return sum(p == c for p, c in zip(predictions(model, X), y, strict=True)) / len(y)


def loss_targets(y: Sequence[int], classes: int) -> list[float] | list[list[float]]:
    """What the loss compares the scores with, as numbers: labels ±1 (hinge) for two classes,
    one-hot class probabilities (cross-entropy) for more."""
    if classes == 2:
        return [2.0 * c - 1.0 for c in y]
    return [[1.0 if k == c else 0.0 for k in range(classes)] for c in y]


def batch_loss(model: MLP, parameters: list[Value], probes: list[Value], X: Sequence[Sequence[Any]],
               targets: Sequence[Any], classes: int) -> Value:
    """The mean loss over the batch (hinge for two classes, cross-entropy for more) plus ``1e-4 · Σ p²``,
    plus ``Σ probeᵢ·scoreᵢ`` over the batch's scores, point by point.

    The probes are zeros, so the loss and the parameters' gradients are the same
    numbers, and after ``backward`` each probe's ``.grad`` is its score: that is how
    the scores come out of a compiled step, which returns the loss alone.
    """
    outputs = [scores(model, x) for x in X]
    data_loss = hinge_loss([out[0] for out in outputs], targets) if classes == 2 else cross_entropy(outputs, targets)
    readout = autograd.linear(probes, [score for out in outputs for score in out], 0.0)
    return data_loss + L2_WEIGHT * l2(parameters) + readout


Step = Callable[[list[Value], list[Value], Any, Any], Value]


def loss_step(model: MLP, classes: int, *, compiled: bool) -> Step:
    """The training step's loss as ``loss(parameters, probes, X_batch, targets_batch)``: ``batch_loss``, or,
    with ``compiled``, the same function through ``autograd.compile``."""

    def loss(parameters: list[Value], probes: list[Value], X_batch: Any, targets_batch: Any) -> Value:
        # parameters are the model's own Values: passed so that compile takes them as the inputs
        return batch_loss(model, parameters, probes, X_batch, targets_batch, classes)

    return autograd.compile(loss) if compiled else loss


def train(model: MLP, X: list[list[float]], y: list[int], classes: int, *, epochs: int, lr: float,
          batch_size: int, seed: int, progress: bool = True, compiled: bool = False) -> list[tuple[float, float]]:
    """Train with Adam on shuffled minibatches; return ``(mean loss, running train accuracy)`` per epoch.

    The running accuracy counts each point as the step that trained on it scored
    it, before the step (as Keras and most PyTorch loops report it): no pass of
    its own. With ``compiled`` the loss runs through ``autograd.compile`` (see the
    module docstring). A value or gradient beyond the float range
    (``ArithmeticError`` from the engine or the optimizer) raises ``Diverged``,
    naming the epoch and the first problem.
    """
    from tqdm import tqdm

    parameters = model.parameters()
    optimizer = Adam(parameters, lr=lr)
    step = loss_step(model, classes, compiled=compiled)
    targets = loss_targets(y, classes)
    order = random.Random(seed)
    history: list[tuple[float, float]] = []
    with tqdm(range(epochs), desc="training", unit="epoch", disable=not progress, file=sys.stderr) as epochs_bar:
        for epoch in epochs_bar:
            with diverging(epoch + 1, epochs):
                history.append(_epoch(classes, step, optimizer, minibatches(X, targets, batch_size, seed=order)))
            epochs_bar.set_postfix(loss=f"{history[-1][0]:.4f}", acc=f"{100 * history[-1][1]:.1f}%")
    return history


@contextmanager
def diverging(epoch: int, epochs: int) -> Iterator[None]:
    """Turn an ``ArithmeticError`` (a number beyond the float range) into ``Diverged`` naming ``epoch``."""
    try:
        yield
    except ArithmeticError as e:
        raise Diverged(f"training diverged in epoch {epoch} of {epochs}, the numbers outgrew the "
                       f"float range ({type(e).__name__}: {cut(' '.join(str(e).split()), 160)})") from e


def _epoch(classes: int, step: Step, optimizer: Adam,
           batches: Iterable[tuple[list[Any], list[Any]]]) -> tuple[float, float]:
    """One pass of ``step`` and ``optimizer`` over ``batches``: ``(mean loss, running train accuracy)``."""
    parameters = optimizer.params  # the model's parameters, in its order
    outputs = 1 if classes == 2 else classes
    total, correct, count = 0.0, 0, 0
    for X_batch, targets_batch in batches:
        optimizer.zero_grad()
        probes = [Value(0.0) for _ in range(len(X_batch) * outputs)]
        loss = step(parameters, probes, X_batch, targets_batch)
        loss.backward()
        optimizer.step()
        total += loss.data * len(X_batch)
        count += len(X_batch)
        for i, target in enumerate(targets_batch):  # a target is a label ±1 or a one-hot row: decision reads both
            row = [probe.grad for probe in probes[i * outputs:(i + 1) * outputs]]
            correct += decision(row) == decision(target if outputs > 1 else [target])
    return total / count, correct / count


# ---------------------------------------------------------------- pictures


def _figure(**subplots: Any) -> tuple[Any, Any]:
    """A 6 × 5 in figure drawn by Agg and its axes (``Figure.subplots``): no pyplot, no window, no global state.

    Margins are fixed (``tight_layout`` would draw the figure once more to measure it).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 5), dpi=110)
    FigureCanvasAgg(figure)
    figure.subplots_adjust(left=0.13, right=0.97, bottom=0.1, top=0.93, hspace=0.08)
    return figure, figure.subplots(**subplots)


@dataclass(frozen=True)
class Regions:
    """The class the model picks at each point of a grid: ``picked[j][i]`` at ``(xs[i], ys[j])``."""

    xs: list[float]
    ys: list[float]
    picked: list[list[int]]


def decision_regions(model: MLP, X: list[list[float]], resolution: int = 80, *, progress: str = "") -> Regions:
    """The model's classes on a grid of ``resolution²`` points over the data and a margin (``predictions``)."""
    def grid_line(coordinates: list[float], margin: float = 0.5) -> list[float]:
        low, high = min(coordinates) - margin, max(coordinates) + margin
        return [low + (high - low) * i / (resolution - 1) for i in range(resolution)]

    xs, ys = grid_line([p[0] for p in X]), grid_line([p[1] for p in X])
    flat = predictions(model, [[gx, gy] for gy in ys for gx in xs], progress=progress)
    return Regions(xs, ys, [flat[j * resolution:(j + 1) * resolution] for j in range(resolution)])


def plot_decision_boundary(regions: Regions, X: list[list[float]], y: list[int], classes: int, accuracy: float,
                           path: Path) -> None:
    """The data over the model's class regions; the title gives its train ``accuracy``."""
    from matplotlib import colormaps

    figure, axes = _figure()
    colours = colormaps["coolwarm" if classes == 2 else "viridis"]
    axes.contourf(regions.xs, regions.ys, regions.picked, levels=[k - 0.5 for k in range(classes + 1)],
                  cmap=colours, alpha=0.35)
    axes.scatter([p[0] for p in X], [p[1] for p in X], c=y, cmap=colours, vmin=0, vmax=classes - 1,
                 edgecolors="black", linewidths=0.5, s=30)
    axes.set_title(f"decision boundary, train accuracy {100 * accuracy:.1f}%")
    axes.set_xlabel("x1")
    axes.set_ylabel("x2")
    figure.savefig(path)


def plot_history(history: list[tuple[float, float]], path: Path) -> None:
    """Loss and running training accuracy per epoch, one above the other."""
    from matplotlib.ticker import LogFormatter

    epochs = range(1, len(history) + 1)
    figure, (top, bottom) = _figure(nrows=2, sharex=True)
    top.plot(epochs, [loss for loss, _ in history], color="tab:red")
    top.set_ylabel("loss (mean over the epoch)")
    top.set_yscale("log")
    for axis_ticks in (top.yaxis.set_major_formatter, top.yaxis.set_minor_formatter):
        axis_ticks(LogFormatter(labelOnlyBase=False))  # plain numbers: the default's 10ˣ costs mathtext's parser
    bottom.plot(epochs, [100 * acc for _, acc in history], color="tab:blue")
    bottom.set_ylabel("running train accuracy (%)")
    bottom.set_xlabel("epoch")
    figure.savefig(path)


def one_neuron(model: MLP, X: list[list[float]]) -> Value:
    """The output ``out = g(z)`` of the model's first neuron on inputs labelled x1, x2, ...: for the first
    point that makes it fire (a ReLU at 0 passes no gradient back: a dull picture), else the first point."""
    neuron = model.layers[0].neurons[0]
    with no_grad():
        firing = next((point for point in X if neuron(point).data > 0.0), X[0])
    out = neuron([Value(v, label=f"x{i + 1}") for i, v in enumerate(firing)])
    if neuron.nonlin:
        out.parents[0].label = "z"  # the pre-activation Σ wᵢxᵢ + b
    out.label = "out"
    return out


# ---------------------------------------------------------------- the command


def _hidden_sizes(text: str) -> list[int]:
    """``"16,16"`` -> ``[16, 16]``; each a positive int."""
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        sizes = []
    if not sizes or any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"expected comma-separated positive ints such as 16,16, got {text!r}")
    return sizes


def _positive(kind: type[Number]) -> Callable[[str], Number]:
    """The argparse type for a positive ``kind`` (int or float): finite, > 0."""

    def parse(text: str) -> Number:
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not 0 < value < math.inf:
            raise argparse.ArgumentTypeError(f"expected a positive {kind.__name__}, got {text!r}")
        return value

    parse.__name__ = f"positive {kind.__name__}"
    return parse


def parser() -> argparse.ArgumentParser:
    commands = argparse.ArgumentParser(
        prog="python -m nn.demo", description="Train an MLP on a toy 2-D dataset and draw what it learned.",
        epilog="The accuracy shown per epoch is the running one: each point as its training step scored it, "
               "before the step. The last line gives the final model's accuracy on all points.")
    commands.add_argument("--dataset", choices=sorted(DATASETS), default="moons", help="default: moons")
    commands.add_argument("--hidden", type=_hidden_sizes, default=[16, 16],
                          help="hidden layer sizes, comma-separated (default: 16,16)")
    commands.add_argument("--epochs", type=_positive(int), default=60, help="passes over the data (default: 60)")
    commands.add_argument("--lr", type=_positive(float), default=0.05, help="Adam's learning rate (default: 0.05)")
    commands.add_argument("--batch-size", type=_positive(int), default=50, help="points per step (default: 50)")
    commands.add_argument("--seed", type=int, default=0,
                          help="seeds the data, the weights and the shuffling (default: 0)")
    commands.add_argument("--out", type=Path, default=Path("out"), help="directory for the pictures (default: out/)")
    commands.add_argument("--compile", action=argparse.BooleanOptionalAction, default=True,
                          help="compute the training loss through autograd.compile, as generated float code "
                               "(the default); --no-compile trains on the eager engine, a graph of Values per step")
    return commands


def _writable(out: Path) -> str:
    """"" if ``out`` is (or can be made) a directory we can write in, else why not."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        return e.strerror or str(e)
    return ""


def main(argv: list[str] | None = None) -> int:
    commands = parser()
    args = commands.parse_args(argv)
    problem = _writable(args.out)
    if problem:
        commands.error(f"cannot write to --out {os.fspath(args.out)!r}: {problem}")

    require_extra(DEMO_PACKAGES, "demo", "the demo (python -m nn.demo)")  # before training, not after

    choice = DATASETS[args.dataset]
    X, y = choice.make(choice.points, seed=args.seed)
    outputs = 1 if choice.classes == 2 else choice.classes
    model = MLP(2, [*args.hidden, outputs], activation="relu", init="he", seed=args.seed)
    print(f"{args.dataset}: {len(X)} points, {choice.classes} classes; "
          f"MLP(2, {[*args.hidden, outputs]}), {len(model.parameters())} parameters; "
          f"{'compiled (autograd.compile)' if args.compile else 'eager'} training")
    try:
        history = train(model, X, y, choice.classes, epochs=args.epochs, lr=args.lr,
                        batch_size=args.batch_size, seed=args.seed, compiled=args.compile)
        with diverging(args.epochs, args.epochs):  # the last step's weights may be the ones that overflow
            final_accuracy = accuracy(model, X, y)
    except Diverged as e:
        default = commands.get_default("lr")
        print(f"python -m nn.demo: {e}. Try a smaller --lr than {args.lr:g} (the default is {default:g})",
              file=sys.stderr)
        return 1
    except autograd.GraphTooLarge as e:  # compile refuses a step too big to write out as code
        print(f"python -m nn.demo: {e}. Try --no-compile (the eager engine), or a smaller --batch-size",
              file=sys.stderr)
        return 1

    regions = decision_regions(model, X, progress="decision boundary")
    neuron = one_neuron(model, X)
    writers: dict[str, Callable[[Path], object]] = {
        "decision_boundary.png": lambda path: plot_decision_boundary(regions, X, y, choice.classes, final_accuracy,
                                                                     path),
        "loss.png": lambda path: plot_history(history, path),
        "graph.svg": lambda path: path.write_bytes(draw_dot(neuron, show_grad=False).pipe("svg")),
        "backprop.html": lambda path: step_through(neuron).save_html(path),
    }
    for name, write in progress_bar(writers.items(), "writing", "file"):
        write(args.out / name)
    for name in writers:
        print(f"wrote {args.out / name}")
    print(f"train accuracy: {100 * final_accuracy:.1f}%")
    return 0


if __name__ == "__main__":
    status = main()
    # The process ends here and the OS takes its memory back: frozen, the objects the run made and imported
    # (matplotlib's thousands of classes among them) are not collected on the way out, about 0.3 s of CPU time.
    gc.freeze()
    sys.exit(status)
