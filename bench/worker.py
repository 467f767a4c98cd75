"""One measurement in its own process: ``python -m bench.worker WORKLOAD VARIANT SIZE REPEATS [SECONDS]``.

It sets up the process for the variant's engine, builds the task (untimed),
makes one untimed warm-up run, records that run's result and a fingerprint of
its gradients, collects garbage, then times ``REPEATS`` runs one by one (and
more, until the timed runs add up to ``SECONDS``), each after an untimed
``Task.reset``, so that each is the warm-up's step again (a training step's
cost can depend on how far training got: the hand-written step skips the
samples already outside the margin), in process CPU time (``time.process_time``: user + system time of this process,
so time the machine spends on other processes is not counted, as wall-clock
time would count it on a shared, loaded machine; the wall-clock time is
recorded too, to show how much of it the process had the CPU). A timed run covers everything ``Task.run`` does: building
the graph, backward, the update if any, and dropping the graph when ``run``
returns (ours is freed there by reference counting; micrograd's cycles are left
to the cyclic collector, whose passes land in whichever later run triggers them,
which is one reason to time several runs per process). It prints one JSON
object on stdout.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from typing import Any

from .workloads import WORKLOADS


def fingerprint(grads: list[float]) -> list[float]:
    """``[n, Σg, Σ|g|, Σ (i+1)·g_i / n]``: equal lists of gradients give equal fingerprints,
    and a swap of two different gradients changes the last entry."""
    n = len(grads)
    return [float(n), sum(grads), sum(map(abs, grads)),
            sum((i + 1) * g for i, g in enumerate(grads)) / max(n, 1)]


def measure(workload: str, variant: str, size: str, repeats: int, seconds: float = 0.0) -> dict[str, Any]:
    """Warm up, check, then time ``repeats`` runs of ``variant`` on ``workload``, and more until the timed runs
    add up to ``seconds`` of CPU time (a 5 ms step timed only three times says little on a busy machine)."""
    work = WORKLOADS[workload]
    chosen = work.variants[variant]
    chosen.engine.prepare_process()
    task = chosen.build(work.sizes[size])
    result = task.run()
    grads = fingerprint([float(g) for g in task.gradients()])
    gc.collect()
    times, wall_times = [], []
    while len(times) < repeats or sum(times) < seconds:
        task.reset()  # untimed: every timed run is the warm-up's step again, from the same state
        start, wall_start = time.process_time(), time.perf_counter()
        task.run()
        times.append(time.process_time() - start)
        wall_times.append(time.perf_counter() - wall_start)
    return {"workload": workload, "variant": variant, "size": size, "n": work.sizes[size],
            "result": float(result), "fingerprint": grads, "times": times, "wall_times": wall_times}


def main(argv: list[str]) -> None:
    workload, variant, size, repeats, *seconds = argv
    print(json.dumps(measure(workload, variant, size, int(repeats), *map(float, seconds))))


if __name__ == "__main__":
    main(sys.argv[1:])
