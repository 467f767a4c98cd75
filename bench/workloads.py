"""The registry: every workload, its variants, and the speed targets from the issues.

To plug in a variant (say W1 with ``nn.MLP``, or through ``autograd.compile``),
write a ``build(size) -> Task`` and register it here::

    WORKLOADS["W1"].add(
        Variant("nn", OURS, build_w1_nn, "nn.MLP fused neurons, nn.hinge_loss"),
        Target("nn", 60, source="issue 13"),
    )

A new variant must compute the same thing as the others: the runner checks
that its result and gradients agree with every other variant's.
"""

from __future__ import annotations

from typing import Callable

from . import compiled, granular, handwritten
from .nn_models import moons_step_nn
from .engines import MICROGRAD, OURS, Engine
from .spec import Target, Task, Variant, Workload


def _on(engine: Engine, workload: Callable[..., Task]) -> Callable[[int], Task]:
    """``workload`` built with ``engine``'s Value class, imported only in the process that runs it."""

    def build(size: int) -> Task:
        return workload(engine.value_class(), size)

    return build


def _granular(workload: Callable[..., Task], description: str) -> list[Variant]:
    """The same micrograd-style code on our engine and on micrograd."""
    return [Variant(engine.name, engine, _on(engine, workload), description) for engine in (OURS, MICROGRAD)]


def _workload(key: str, title: str, sizes: dict[str, int], repeats: int, variants: list[Variant],
              targets: list[Target]) -> Workload:
    work = Workload(key, title, sizes, repeats)
    for variant in variants:
        work.add(variant)
    work.targets.extend(targets)
    return work


WORKLOADS: dict[str, Workload] = {
    work.key: work
    for work in (
        _workload(
            "W1", "moons step (n points): MLP(2,[16,16,1]), hinge + L2, backward, SGD",
            {"full": 100, "small": 6}, repeats=3,
            variants=_granular(granular.moons_step, "micrograd-style granular graph (sum of w*x)"),
            targets=[Target("ours", 15, source="issue 13")],
        ),
        _workload(
            "W2", "chain x = x*1.0001 + 0.001 (n steps), build + backward",
            {"full": 100_000, "small": 2_000}, repeats=3,
            variants=_granular(granular.chain, "200k op nodes deep"),
            targets=[Target("ours", 8, source="issue 13; micrograd's recursion limit raised")],
        ),
        _workload(
            "W3", "sum(a_i*b_i) over n pairs, build + backward",
            {"full": 100_000, "small": 2_000}, repeats=3,
            variants=_granular(granular.dot, "products summed with Python's sum"),
            targets=[Target("ours", 8, source="issue 13; micrograd's recursion limit raised")],
        ),
    )
}

WORKLOADS["W1"].add(
    Variant("nn", OURS, moons_step_nn, "nn.MLP fused neurons, nn.hinge_loss, nn.SGD"),
    Target("nn", 60, source="issue 13"),
)

WORKLOADS["W1"].add(
    Variant("compiled", OURS, compiled.moons_step_compiled, "autograd.compile, fused neurons (linear)"),
    Target("compiled", 300, source="issue 6"),
    Target("compiled", 1 / 1.1, against="by-hand", source="issue 13: within 1.1x of hand-written float code"),
)
WORKLOADS["W1"].add(Variant("compiled-granular", OURS, compiled.moons_step_compiled_granular,
                            "autograd.compile of the granular code as micrograd writes it"))
WORKLOADS["W1"].add(Variant("by-hand", OURS, handwritten.moons_step_by_hand,
                            "hand-written float forward and backward, no graph objects"))
