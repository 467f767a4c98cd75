"""The benchmark's output: the table of per-variant times and paired ratios, the checks, and JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .machine import machine

if TYPE_CHECKING:
    from .runner import Agreement, Comparison, Measured
    from .spec import Workload


def seconds(t: float) -> str:
    """A duration, in ms below one second."""
    return f"{t * 1e3:.2f} ms" if t < 1 else f"{t:.3f} s"


def times(workloads: list[Workload], measured: dict[tuple[str, str], Measured]) -> str:
    """One row per variant: its median CPU time per step over rounds, the fastest and slowest round,
    and the share of wall-clock time its processes had the CPU (low: the machine was busy)."""
    rows = [("workload", "n", "variant", "CPU/step", "min .. max over rounds", "on CPU", "what it runs")]
    for work in workloads:
        for name, variant in work.variants.items():
            m = measured[work.key, name]
            rows.append((work.key, str(m.n), name, seconds(m.median),
                         f"{seconds(min(m.per_round))} .. {seconds(max(m.per_round))}", f"{m.on_cpu:.0%}",
                         variant.description))
    return _columns(rows)


def ratios(compared: list[Comparison], size: str = "full") -> str:
    """One row per comparison: the median of per-round ratios, their min and max, the target and verdict.

    Targets are about the full sizes, so at any other size they are shown but not judged.
    """
    rows = [("workload", "variant", "vs", "ratio", "min .. max", "target", "")]
    for c in compared:
        target = verdict = ""
        if c.target is not None:
            target = c.target.describe() + (f" ({c.target.source})" if c.target.source else "")
            verdict = ("met" if c.met else "MISSED") if size == "full" else "(full size only)"
        rows.append((c.workload, c.variant, c.against, f"{c.median:.3g}x",
                     f"{min(c.per_round):.3g}x .. {max(c.per_round):.3g}x", target, verdict))
    return _columns(rows)


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
            compared: list[Comparison], agreements: list[Agreement]) -> dict[str, Any]:
    """Everything measured, for ``--json``: settings, machine, every run, the paired ratios and the checks."""
    out: dict[str, Any] = {"settings": settings, "machine": machine(), "workloads": {}}
    for work, agreed in zip(workloads, agreements, strict=True):
        out["workloads"][work.key] = {
            "title": work.title,
            "variants": {
                name: {"n": m.n, "median_cpu_s": m.median, "per_round_cpu_s": m.per_round, "runs_cpu_s": m.runs,
                       "runs_wall_s": m.wall_runs,
                       "description": work.variants[name].description}
                for name in work.variants for m in [measured[work.key, name]]
            },
            "comparisons": [
                {"variant": c.variant, "against": c.against, "ratio_median": c.median,
                 "ratio_min": min(c.per_round), "ratio_max": max(c.per_round), "ratio_per_round": c.per_round,
                 "target": None if c.target is None else c.target.at_least,
                 "source": "" if c.target is None else c.target.source, "met": c.met}
                for c in compared if c.workload == work.key
            ],
            "check": {"results": agreed.results, "largest_relative_difference": agreed.worst,
                      "tolerance": agreed.tolerance, "agree": agreed.ok},
        }
    return out


def _columns(rows: list[tuple[str, ...]]) -> str:
    """Rows as left-aligned columns, the first row a header underlined with dashes."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths).rstrip())
    return "\n".join(lines)
