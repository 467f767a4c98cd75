"""What a workload is made of: the interface a new benchmark variant implements.

* A ``Task`` is a workload made ready to run in one process: ``run()`` does one
  measured unit of work (a training step, a build-and-backward) and returns its
  scalar result; ``gradients()`` reads the gradients that run left behind, so
  that variants can be checked against each other; ``reset()`` puts the state
  that ``run()`` changes (a model's parameters, the step count of a learning-rate
  schedule) back as it was when built, so that every timed run does the same work.
* A ``Variant`` is one way of doing a workload (an engine, a model style, a
  compiled path, a hand-written reference): ``build(size)`` returns its Task.
* A ``Target`` is a speed goal: ``against``'s time divided by ``variant``'s,
  paired round by round, must have a median of at least ``at_least``.
* A ``Workload`` groups the variants that do the same computation, with the
  problem sizes and how many timed runs each process makes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from .engines import Engine


@dataclass(frozen=True)
class Task:
    """One workload, built and ready: ``run()`` is what gets timed."""

    run: Callable[[], float]
    gradients: Callable[[], list[float]]
    reset: Callable[[], None] = lambda: None


def restorer(values: list[Any], counters: list[list[int]]) -> Callable[[], None]:
    """A ``Task.reset`` for a step that updates ``values`` (Values: their ``.data``) and counts in ``counters``."""
    start = [v.data for v in values]

    def reset() -> None:
        for v, x in zip(values, start, strict=True):
            v.data = x
        for counter in counters:
            counter[0] = 0

    return reset


@dataclass(frozen=True)
class Variant:
    """One way of running a workload, on ``engine``'s process setup."""

    name: str
    engine: Engine
    build: Callable[[int], Task]
    description: str = ""


@dataclass(frozen=True)
class Target:
    """``median over rounds of time(against) / time(variant) >= at_least``, as ``source`` asks.

    A target below 1 is a bound on slowness: ``at_least = 1 / 1.1`` says the
    variant takes at most 1.1 times ``against``'s time.
    """

    variant: str
    at_least: float
    against: str = "micrograd"
    source: str = ""

    def describe(self) -> str:
        """The goal in words: ``>= 15x`` for a speed-up; a bound on slowness also says it as a time."""
        if self.at_least < 1:
            return f">= {self.at_least:.3g}x (time <= {1 / self.at_least:.3g}x)"
        return f">= {self.at_least:g}x"


@dataclass
class Workload:
    """Variants of the same computation, compared against ``baseline``.

    ``sizes`` maps a size name ("full", "small") to the problem size the
    variants' ``build`` gets. Each process makes one untimed warm-up run and
    then ``repeats`` timed runs. ``tolerance`` is the relative difference
    allowed between variants' results and gradients (summation order may
    differ in the last bits).
    """

    key: str
    title: str
    sizes: dict[str, int]
    repeats: int
    variants: dict[str, Variant] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    baseline: str = "micrograd"
    tolerance: float = 1e-9

    def add(self, variant: Variant, *targets: Target) -> None:
        """Plug in a variant, with its speed targets."""
        if variant.name in self.variants:
            raise ValueError(f"{self.key} already has a variant named {variant.name!r}")
        self.variants[variant.name] = variant
        self.targets.extend(targets)
