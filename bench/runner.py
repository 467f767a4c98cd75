"""Run every measurement in a fresh process, alternating variants across rounds, and summarise.

Round r runs each workload's variants in the order rotated by r, so with two
engines one goes first in even rounds and the other in odd rounds: drift in the
machine's load (it is shared and noisy) falls on both alike. A variant's time
for a round is the median of its process's timed runs; its reported time is
the median over rounds.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .report import seconds
from .spec import Workload

# The directory holding the ``bench`` package, so ``python -m bench.worker`` finds it.
_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Measured:
    """All the runs of one variant of one workload."""

    workload: str
    variant: str
    n: int
    per_round: list[float] = field(default_factory=list)   # each process's median run
    runs: list[list[float]] = field(default_factory=list)  # each process's timed runs
    results: list[float] = field(default_factory=list)     # each process's warm-up result
    fingerprints: list[list[float]] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.per_round)


@dataclass
class Agreement:
    """Whether every process of every variant computed the same result and gradients."""

    workload: str
    results: dict[str, float]
    worst: float  # the largest relative difference seen
    tolerance: float

    @property
    def ok(self) -> bool:
        return self.worst <= self.tolerance


def run_one(workload: str, variant: str, size: str, repeats: int) -> dict:
    """One measurement, in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.worker", workload, variant, size, str(repeats)],
        cwd=_ROOT, capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{workload}/{variant} failed (exit {done.returncode}):\n{done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_all(workloads: list[Workload], size: str, rounds: int, repeats: int | None = None,
                progress: Callable[[str], None] = lambda line: None) -> dict[tuple[str, str], Measured]:
    """Every (workload, variant) measured ``rounds`` times, each time in its own process."""
    measured: dict[tuple[str, str], Measured] = {}
    for r in range(rounds):
        for work in workloads:
            names = list(work.variants)
            shift = r % len(names)
            for name in names[shift:] + names[:shift]:
                got = run_one(work.key, name, size, repeats or work.repeats)
                entry = measured.setdefault((work.key, name), Measured(work.key, name, got["n"]))
                entry.per_round.append(statistics.median(got["times"]))
                entry.runs.append(got["times"])
                entry.results.append(got["result"])
                entry.fingerprints.append(got["fingerprint"])
                progress(f"round {r + 1}/{rounds} {work.key} {name:<10} {seconds(entry.per_round[-1])}")
    return measured


def agreement(work: Workload, measured: dict[tuple[str, str], Measured]) -> Agreement:
    """The largest relative difference in result or gradient fingerprint between any two processes."""
    rows = [[result, *prints] for name in work.variants
            for result, prints in zip(measured[work.key, name].results, measured[work.key, name].fingerprints)]
    first = rows[0]
    worst = max((_relative(a, b) for row in rows[1:] for a, b in zip(first, row)), default=0.0)
    results = {name: measured[work.key, name].results[0] for name in work.variants}
    return Agreement(work.key, results, worst, work.tolerance)


def _relative(a: float, b: float) -> float:
    return abs(a - b) / max(1.0, abs(a), abs(b))

