"""``python -m bench``: our engine against micrograd 0.1.0, each measurement in its own process.

    python -m bench                         # 5 rounds of W1, W2, W3 at full size
    python -m bench --workloads W1 --rounds 9
    python -m bench --quick                 # 1 round, 1 timed run each: a smoke run
    python -m bench --quick --size small    # tiny problems: checks the engines agree, in seconds
    python -m bench --json results.json

Exit status: 0 when it ran and every variant agreed; 1 when results or
gradients disagree; 2 when an engine is missing (it says how to install it).
Missed speed targets are reported, not an error: this is a benchmark, not a test.

Times are process CPU time per step, and every ratio is paired by round (the
median of per-round ratios, with min .. max), so other work on a shared machine
moves both sides of a ratio alike. The interpreter and its build flags are
printed with the figures: compare figures only from the same build.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .machine import describe, machine
from .report import as_json, checks, ratios, times
from .runner import MIN_TIMED_SECONDS, agreement, comparisons, measure_all
from .workloads import WORKLOADS


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="processes per variant and workload (default 5)")
    parser.add_argument("--workloads", default=",".join(WORKLOADS),
                        help=f"comma-separated, from {', '.join(WORKLOADS)} (default: all)")
    parser.add_argument("--size", choices=["full", "small"], default="full",
                        help="full: the sizes the targets are about; small: tiny, for checking agreement")
    parser.add_argument("--repeats", type=int, help="timed runs per process (default: per workload, 3, and more "
                                                   f"until they take {MIN_TIMED_SECONDS:g} s)")
    parser.add_argument("--quick", action="store_true", help="1 round and 1 timed run per process")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write every figure to PATH as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    keys = [k.strip() for k in args.workloads.split(",") if k.strip()]
    unknown = [k for k in keys if k not in WORKLOADS]
    if unknown or not keys:
        parser.error(f"unknown workload(s) {', '.join(unknown) or '(none given)'}; choose from {', '.join(WORKLOADS)}")
    if args.rounds < 1 or (args.repeats is not None and args.repeats < 1):
        parser.error("--rounds and --repeats need at least 1")
    rounds, repeats = (1, 1) if args.quick else (args.rounds, args.repeats)
    workloads = [WORKLOADS[k] for k in keys]

    missing = sorted({v.engine.missing() for w in workloads for v in w.variants.values()} - {""})
    if missing:
        print("\n".join(missing), file=sys.stderr)
        return 2

    print(describe(machine()))
    print(f"{rounds} round(s), size {args.size}; each (workload, variant, round) in a fresh process, "
          "variant order reversed every other round;")
    timed = ", ".join(f"{w.key} {repeats or w.repeats}" for w in workloads)
    more = "" if repeats else f" and more until they add up to {MIN_TIMED_SECONDS} s"
    print(f"per process: one untimed warm-up step, then timed steps ({timed}{more}) in process CPU time, "
          "their median taken.", flush=True)

    measured = measure_all(workloads, args.size, rounds, repeats,
                           progress=lambda line: print("  " + line, file=sys.stderr, flush=True))
    compared = [c for work in workloads for c in comparisons(work, measured)]
    agreements = [agreement(work, measured) for work in workloads]
    print()
    print(times(workloads, measured))
    print("CPU/step: median over rounds of each process's median step, in process CPU time; "
          "on CPU: CPU time / wall-clock time of the timed steps")
    print()
    print(ratios(compared, args.size))
    print("ratio = the other variant's time / this variant's, paired by round (higher: this one is faster); "
          "median of the per-round ratios, and their min .. max")
    print()
    print(checks(agreements))
    if args.json:
        settings = {"rounds": rounds, "repeats": repeats, "size": args.size, "workloads": keys,
                    "command": "python -m bench " + " ".join(sys.argv[1:] if argv is None else argv)}
        report = as_json(settings, workloads, measured, compared, agreements)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        print(f"\nwrote {args.json}")
    return 0 if all(a.ok for a in agreements) else 1


if __name__ == "__main__":
    sys.exit(main())
