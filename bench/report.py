"""The benchmark's output: the machine it ran on, the table of medians and ratios, and JSON."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .runner import Agreement, Measured
    from .spec import Workload


def seconds(t: float) -> str:
    """A duration, in ms below one second."""
    return f"{t * 1e3:.2f} ms" if t < 1 else f"{t:.3f} s"


def machine() -> dict[str, Any]:
    """Python version, OS, CPU model, cores (all, and usable by this process), load average."""
    cpu = platform.processor()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                 if line.startswith("model name")]
        cpu = names[0] if names else cpu
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "cpu": cpu or platform.machine(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def comparisons(work: Workload) -> list[tuple[str, str, float | None, str]]:
    """``(variant, against, at_least, source)`` rows: every target, then every variant
    without a target against the baseline, compared with the baseline."""
    rows = [(t.variant, t.against, t.at_least, t.source) for t in work.targets]
    covered = {(t.variant, t.against) for t in work.targets}
    rows += [(name, work.baseline, None, "") for name in work.variants
             if name != work.baseline and (name, work.baseline) not in covered]
    return rows


def table(workloads: list[Workload], measured: dict[tuple[str, str], Measured], size: str = "full") -> str:
    """One row per comparison: the variant's median, the reference's, their ratio and the target.

    Targets are about the full sizes, so at any other size they are shown but not judged.
    """
    header = ("workload", "n", "variant", "median", "spread", "vs", "its median", "ratio", "target", "")
    rows = [header]
    for work in workloads:
        for variant, against, at_least, source in comparisons(work):
            mine, theirs = measured[work.key, variant], measured[work.key, against]
            ratio = theirs.median / mine.median
            target = verdict = ""
            if at_least is not None:
                target = f">= {at_least:g}x" + (f" ({source})" if source else "")
                verdict = ("met" if ratio >= at_least else "MISSED") if size == "full" else "(full size only)"
            spread = f"{seconds(min(mine.per_round))} .. {seconds(max(mine.per_round))}"
            rows.append((work.key, str(mine.n), variant, seconds(mine.median), spread, against,
                         seconds(theirs.median), f"{ratio:.1f}x", target, verdict))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths).rstrip())
    return "\n".join(lines)


def checks(agreements: list[Agreement]) -> str:
    """One line per workload: each variant's result, and the largest relative difference."""
    lines = []
    for a in agreements:
        results = ", ".join(f"{name} {value:.15g}" for name, value in a.results.items())
        state = "agree" if a.ok else "DISAGREE"
        lines.append(f"{a.workload}: result {results}; results and gradients {state} across all processes "
                     f"(largest relative difference {a.worst:.1e}, tolerance {a.tolerance:.0e})")
    return "\n".join(lines)


def as_json(settings: dict[str, Any], workloads: list[Workload], measured: dict[tuple[str, str], Measured],
            agreements: list[Agreement]) -> dict[str, Any]:
    """Everything measured, for ``--json``: settings, machine, every run, the ratios and the checks."""
    out: dict[str, Any] = {"settings": settings, "machine": machine(), "workloads": {}}
    for work, agreed in zip(workloads, agreements):
        out["workloads"][work.key] = {
            "title": work.title,
            "variants": {
                name: {"n": m.n, "median_s": m.median, "per_round_s": m.per_round, "runs_s": m.runs,
                       "description": work.variants[name].description}
                for name in work.variants for m in [measured[work.key, name]]
            },
            "comparisons": [
                {"variant": v, "against": a, "ratio": measured[work.key, a].median / measured[work.key, v].median,
                 "target": t, "source": s}
                for v, a, t, s in comparisons(work)
            ],
            "check": {"results": agreed.results, "largest_relative_difference": agreed.worst,
                      "tolerance": agreed.tolerance, "agree": agreed.ok},
        }
    return out
