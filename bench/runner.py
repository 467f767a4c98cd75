"""Run every measurement in a fresh process, alternating the order of variants, and summarise.

Round r runs each workload's variants in the registry's order when r is even
and in the reverse order when r is odd, so of any two variants each goes first
in every other round: drift in the machine's load (it is shared and noisy)
falls on both alike. A variant's time for a round is the median of its
process's timed runs (process CPU time per step). A comparison of two variants
is paired by round: each round gives one ratio, ``against``'s time over the
variant's, measured minutes apart under the same load; the reported ratio is
the median of those per-round ratios, with their min and max.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .spec import Target, Workload

# The directory holding the ``bench`` package, so ``python -m bench.worker`` finds it.
_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Measured:
    """All the runs of one variant of one workload, round by round."""

    workload: str
    variant: str
    n: int
    per_round: list[float] = field(default_factory=list)   # each process's median run, CPU seconds
    runs: list[list[float]] = field(default_factory=list)  # each process's timed runs
    results: list[float] = field(default_factory=list)     # each process's warm-up result
    fingerprints: list[list[float]] = field(default_factory=list)
    wall_runs: list[list[float]] = field(default_factory=list)  # the same runs in wall-clock time

    @property
    def median(self) -> float:
        return statistics.median(self.per_round)

    @property
    def on_cpu(self) -> float:
        """CPU time over wall-clock time, all timed runs together: below 1 when other work took the CPU."""
        return sum(map(sum, self.runs)) / sum(map(sum, self.wall_runs))


@dataclass(frozen=True)
class Comparison:
    """``against``'s time over ``variant``'s, one ratio per round (higher: the variant is faster)."""

    workload: str
    variant: str
    against: str
    per_round: list[float]
    target: Target | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.per_round)

    @property
    def met(self) -> bool | None:
        """Whether the median ratio reaches the target; None without a target."""
        return None if self.target is None else self.median >= self.target.at_least


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


def round_order(names: list[str], round_index: int) -> list[str]:
    """The order variants run in round ``round_index``: as registered when it is even, reversed when odd."""
    return list(reversed(names)) if round_index % 2 else list(names)


MIN_TIMED_SECONDS = 2.0
"""Unless told how many, a process times its workload's count of steps and more until they add up to this.

On the shared machine one process's step times swing by 1.7x within a second
(the ``nn`` step: 22 to 39 ms), and micrograd's three steps already span
several seconds, so every variant is timed over seconds, not over a fraction
of one: its median then stands for the same mix of the machine's fast and slow spells."""


def run_one(workload: str, variant: str, size: str, repeats: int, seconds: float = 0.0) -> dict[str, Any]:
    """One measurement, in a fresh interpreter: at least ``repeats`` timed steps, and ``seconds`` of them."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.worker", workload, variant, size, str(repeats), str(seconds)],
        cwd=_ROOT, capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{workload}/{variant} failed (exit {done.returncode}):\n{done.stderr.strip()}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure_all(workloads: list[Workload], size: str, rounds: int, repeats: int | None = None,
                progress: Callable[[str], None] = lambda line: None) -> dict[tuple[str, str], Measured]:
    """Every (workload, variant) measured ``rounds`` times, each time in its own process; ``repeats`` timed steps
    each, or by default the workload's count and more, to ``MIN_TIMED_SECONDS``."""
    seconds = MIN_TIMED_SECONDS if repeats is None else 0.0
    measured: dict[tuple[str, str], Measured] = {}
    for r in range(rounds):
        for work in workloads:
            for name in round_order(list(work.variants), r):
                got = run_one(work.key, name, size, repeats or work.repeats, seconds)
                entry = measured.setdefault((work.key, name), Measured(work.key, name, got["n"]))
                entry.per_round.append(statistics.median(got["times"]))
                entry.runs.append(got["times"])
                entry.wall_runs.append(got["wall_times"])
                entry.results.append(got["result"])
                entry.fingerprints.append(got["fingerprint"])
                progress(f"round {r + 1}/{rounds} {work.key} {name:<17} {entry.per_round[-1] * 1e3:9.2f} ms CPU")
    return measured


def comparisons(work: Workload, measured: dict[tuple[str, str], Measured]) -> list[Comparison]:
    """Every target of ``work``, then every variant without a target against the baseline."""
    def compare(variant: str, against: str, target: Target | None) -> Comparison:
        mine, theirs = measured[work.key, variant].per_round, measured[work.key, against].per_round
        ratios = [t / m for t, m in zip(theirs, mine, strict=True)]
        return Comparison(work.key, variant, against, ratios, target)

    rows = [compare(t.variant, t.against, t) for t in work.targets]
    covered = {(t.variant, t.against) for t in work.targets}
    rows += [compare(name, work.baseline, None) for name in work.variants
             if name != work.baseline and (name, work.baseline) not in covered]
    return rows


def agreement(work: Workload, measured: dict[tuple[str, str], Measured]) -> Agreement:
    """The largest relative difference in result or gradient fingerprint between any two processes."""
    rows = [[result, *prints] for name in work.variants
            for result, prints in zip(measured[work.key, name].results, measured[work.key, name].fingerprints,
                                      strict=True)]
    first = rows[0]
    worst = max((_relative(a, b) for row in rows[1:] for a, b in zip(first, row, strict=True)), default=0.0)
    results = {name: measured[work.key, name].results[0] for name in work.variants}
    return Agreement(work.key, results, worst, work.tolerance)


def _relative(a: float, b: float) -> float:
    return abs(a - b) / max(1.0, abs(a), abs(b))
