"""``python -m bench.memory``: bytes per op node, built and after backward, as ``tests/test_memory.py`` counts them.

The graph is W2's chain, ``y ← y·1.0001 + 0.5`` for ``steps`` steps: 2·steps op
nodes (and a constant leaf each, which is part of what an op costs). tracemalloc
counts every allocation from before the first node; the figure is that total
over the op nodes, once when the graph is built and once more after
``backward()`` has run on it (with the graph still alive, gradients and whatever
the walk keeps included). Memory is not timing: one process measures both
engines, ours first, collecting garbage in between. The default chain is
10k steps: ours costs the same per node at 100k (``tests/test_memory.py``'s
size), while micrograd, under tracemalloc and its cycle collector, takes
minutes there.
"""

from __future__ import annotations

import argparse
import gc
import tracemalloc
from typing import Any

from .engines import ENGINES, Engine


def bytes_per_node(engine: Engine, steps: int) -> tuple[float, float]:
    """``(built, after backward)``: traced bytes per op node of a ``steps``-step chain on ``engine``."""
    Value: Any = engine.value_class()
    engine.prepare_process()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        y = Value(1.0)
        for _ in range(steps):
            y = y * 1.0001 + 0.5
        built = tracemalloc.get_traced_memory()[0] - before
        y.backward()
        after = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    del y
    gc.collect()
    return built / (2 * steps), after / (2 * steps)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=10_000, help="chain steps, 2 op nodes each (default 10000)")
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error("--steps needs at least 1")
    print(f"bytes per op node, chain of {args.steps} steps ({2 * args.steps} op nodes), tracemalloc")
    for engine in ENGINES.values():
        problem = engine.missing()
        if problem:
            print(f"{engine.name:<10} skipped: {problem}")
            continue
        built, after = bytes_per_node(engine, args.steps)
        print(f"{engine.name:<10} built {built:6.1f}   after backward {after:6.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
