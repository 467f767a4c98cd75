"""The first compiled W1 call, in eager ``nn`` W1 steps: ``python -m bench.first_call [--rounds N]``.

The first call of ``moons_step_compiled(100)`` records the loss, writes (or
loads) and compiles its code, checks it and runs the step; issue 13 asks that
it cost at most 10 ``moons_step_nn(100)`` steps. Every figure is process CPU
time in a fresh process (``python -m bench.first_call --child ...``):

* ``cache off``: ``AUTOGRAD_COMPILE_CACHE=0``, so the code is written and compiled;
* ``cache empty``: the cache on, in a new directory: written, compiled and stored;
* ``cache filled``: the cache on, holding the entry an earlier process stored: loaded and checked.

An nn step is the median of a worker process's timed steps (``bench.worker``),
one per round; each figure is the median over rounds of first call / nn step.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from .runner import _ROOT, run_one


def _first_call() -> float:
    """The CPU time of the compiled W1 task's first step, in this process."""
    from .compiled import moons_step_compiled
    task = moons_step_compiled(100)
    start = time.process_time()
    task.run()
    return time.process_time() - start


def _child(env: dict[str, str]) -> float:
    done = subprocess.run([sys.executable, "-m", "bench.first_call", "--child"], cwd=_ROOT,
                          env={**os.environ, **env}, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"bench.first_call --child failed:\n{done.stderr.strip()}")
    return float(done.stdout.strip().splitlines()[-1])


def measure(rounds: int) -> dict[str, list[float]]:
    """Per round: the nn step, and each first call in nn steps."""
    figures: dict[str, list[float]] = {"nn step (s)": [], "cache off": [], "cache empty": [], "cache filled": []}
    for _ in range(rounds):
        nn_step = statistics.median(run_one("W1", "nn", "full", 5)["times"])
        with tempfile.TemporaryDirectory() as cache:
            on = {"XDG_CACHE_HOME": cache, "AUTOGRAD_COMPILE_CACHE": "1"}
            empty = _child(on)
            filled = _child(on)
        off = _child({"AUTOGRAD_COMPILE_CACHE": "0"})
        figures["nn step (s)"].append(nn_step)
        for name, seconds in (("cache off", off), ("cache empty", empty), ("cache filled", filled)):
            figures[name].append(seconds / nn_step)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.first_call", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(_first_call())
        return 0
    figures = measure(args.rounds)
    print(f"W1 first compiled call, {args.rounds} round(s), each figure a fresh process, process CPU time")
    nn_steps = figures.pop("nn step (s)")
    print(f"  nn step: median {statistics.median(nn_steps) * 1e3:.1f} ms")
    for name, ratios in figures.items():
        print(f"  {name:<13} {statistics.median(ratios):5.1f} nn steps (min {min(ratios):.1f}, max {max(ratios):.1f};"
              f" target <= 10, issue 13)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
