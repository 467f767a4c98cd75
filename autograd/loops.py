"""Repeated structure in a traced program: the runs of steps that ``compile`` writes as one loop.

A training step repeats one sample's graph once per sample: the same ops,
wired alike, on the same parameters and on each sample's own numbers. Written
out straight, 100 samples are 100 copies of the same lines, and compiling
those lines costs far more than running them. ``find_loops`` finds such runs
in a ``Program``'s steps (in their order, which is the engine's topological
order), so that the writer (``codegen.py``) can write one copy inside a loop.

A run qualifies as a ``Loop`` of ``count`` iterations of ``period`` steps each
when, for every iteration ``k`` and position ``q``, step ``start + k·period + q``
applies the same op as iteration 0's step at ``q``, and each of its operands is

* a step of the same iteration, at the same position as in iteration 0;
* the same input, constant value or earlier step in every iteration
  (a parameter, the ``1`` of ``1 - y·s``); or
* a number argument, the same one or each iteration its own (the sample's
  ``x`` and ``y``): a *column*, read afresh by each iteration.

An operand from another iteration of the same run (a running sum) or an
input that changes from iteration to iteration does not qualify, and the run
stays straight-line code. Nothing else changes: a loop computes each value
with the same expression, and the writer adds gradients in the engine's order.
"""

from __future__ import annotations

from collections import Counter
from itertools import repeat
from operator import add, mul
from dataclasses import dataclass

from .program import Program

MIN_STEPS = 64
"""The fewest steps (period × count) worth a loop: smaller runs read better, and compile fast enough, straight."""
MIN_COUNT = 4
"""The fewest iterations worth a loop."""


@dataclass(frozen=True)
class Loop:
    """Steps ``start .. start + period·count - 1`` of a program, as ``count`` iterations of ``period`` steps.

    ``columns`` maps ``(position, operand)`` to the number slot that operand
    reads in each iteration, for the operands that read a different number
    each time; every other operand is the same step-relative or fixed slot in
    every iteration (see the module's docstring).
    """

    start: int
    period: int
    count: int
    columns: dict[tuple[int, int], tuple[int, ...]]

    @property
    def stop(self) -> int:
        """The step after the last one of the loop."""
        return self.start + self.period * self.count

    def step(self, k: int, q: int) -> int:
        """The step at position ``q`` of iteration ``k``."""
        return self.start + k * self.period + q


def find_loops(program: Program) -> list[Loop]:
    """The loops among ``program``'s steps, in order, none overlapping; [] for a program without repeats."""
    n = program.output - program.first_step  # the steps before the output, the last step (a loop has no output)
    if n < MIN_STEPS:
        return []
    shapes = _shapes(program)[:n]
    # A run repeats with a period P when step i has the shape of step i + P; the likeliest periods are the
    # commonest distances between a shape and its next appearance.
    last: dict[int, int] = {}
    distances: Counter[int] = Counter()
    for i, shape in enumerate(shapes):
        if shape in last:
            distances[i - last[shape]] += 1
        last[shape] = i
    taken = [False] * n
    loops = []
    for period, times in distances.most_common(8):
        if times < MIN_STEPS // 2:
            break
        i = 0
        while i + period < n:
            if taken[i] or taken[i + period] or shapes[i] != shapes[i + period]:
                i += 1
                continue
            j = i
            while j + period < n and shapes[j] == shapes[j + period] and not taken[j + period]:
                j += 1
            count = (j - i) // period + 1
            if count >= MIN_COUNT and period * count >= MIN_STEPS:
                loop = _checked(program, i, period, count)
                if loop is not None:
                    loops.append(loop)
                    taken[loop.start:loop.stop] = [True] * (loop.stop - loop.start)
            i = j + 1
    return sorted(loops, key=lambda loop: loop.start)


def _shapes(program: Program) -> list[int]:
    """A hash per step of the whole expression it computes, with each number argument as "a number": steps
    of two iterations of a loop have equal shapes (equal shapes are a hint, checked exactly by ``_checked``)."""
    first, n_inputs = program.first_step, len(program.input_names)
    n_arguments = n_inputs + len(program.number_names)
    codes: list[int] = [hash(("input", j)) for j in range(n_inputs)]
    codes += [hash("number")] * (n_arguments - n_inputs)
    codes += [hash(("constant", c)) for c in program.constants]
    assert len(codes) == first
    for step in program.steps:
        codes.append(hash((id(step.op), *map(codes.__getitem__, step.operands))))
    return codes[first:]


def _checked(program: Program, start: int, period: int, count: int) -> Loop | None:
    """The loop of ``count`` iterations of ``period`` steps from ``start``, if every step qualifies; else None."""
    steps, first = program.steps, program.first_step
    numbers = range(len(program.input_names), len(program.input_names) + len(program.number_names))
    constants = range(numbers.stop, first)
    begin = first + start  # the slot of the loop's first step
    model = steps[start:start + period]
    # Iteration k's step at q reads model[q]'s operands, each step of the iteration k·period slots on.
    moves = [tuple(int(o >= begin) for o in step.operands) for step in model]
    varying: set[tuple[int, int]] = set()
    for k in range(1, count):
        shift = k * period
        for q in range(period):
            step, wanted = steps[start + shift + q], model[q]
            if step.op is not wanted.op or len(step.operands) != len(wanted.operands):
                return None
            if step.operands == tuple(map(add, wanted.operands, map(mul, moves[q], repeat(shift)))):
                continue
            for p, (o, w, moved) in enumerate(zip(step.operands, wanted.operands, moves[q], strict=True)):
                if o == w + moved * shift:
                    continue
                if moved:
                    return None  # a step of the same iteration, at another position
                if o in numbers and w in numbers:
                    varying.add((q, p))
                elif not (o in constants and w in constants
                          and repr(program.constants[o - numbers.stop]) == repr(program.constants[w - numbers.stop])):
                    return None  # another iteration's step (a running sum), another input, another step
    columns = {(q, p): tuple(steps[start + k * period + q].operands[p] for k in range(count)) for q, p in varying}
    return Loop(start, period, count, columns)
