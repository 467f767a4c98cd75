"""A traced computation as ``compile`` records it: a straight list of op steps over numbered slots."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple
from collections.abc import Sequence

from .ops import Op


class Step(NamedTuple):
    """One op of a program: ``op`` applied to the values in slots ``operands``."""

    op: Op
    operands: tuple[int, ...]
    label: str = ""


@dataclass(frozen=True)
class Program:
    """A traced computation over numbered slots.

    Slots come in this order: the inputs (they get gradients), the numbers
    (read afresh on every call, no gradient), the constants (baked in), and
    one slot per step, each step's result after its operands.
    """

    input_names: tuple[str, ...]
    number_names: tuple[str, ...]
    constants: tuple[float, ...]
    constant_labels: tuple[str, ...]
    steps: tuple[Step, ...]
    output: int
    values: tuple[float, ...] = ()
    """Every slot's value when the program was recorded: the written expressions are checked on them."""

    @property
    def first_step(self) -> int:
        """The slot of the first step's result."""
        return len(self.input_names) + len(self.number_names) + len(self.constants)


def reading_order(program: Program, group_of: Sequence[int] | None = None) -> list[int]:
    """The steps in the order Python evaluates an expression: operands first, the first operand first.

    Any order in which every step follows its operands computes the same
    numbers; this one reads as ``f`` was written, and is the order in which
    ``f`` ran its ops as far as its graph can tell (an error is raised by the
    first failing op in this order, as in eager mode).

    With ``group_of`` (each step's group, named by its first step: a loop's
    steps, ``codegen.py``), a group is read as one thing, named by its first
    step, whose operands are its steps' operands from outside it, in the
    order of their slots.
    """
    steps, first = program.steps, program.first_step
    outside: dict[int, list[int]] = {}  # a group of several steps: its operands from outside it
    if group_of is not None:
        several = {group for i, group in enumerate(group_of) if group != i}
        members: dict[int, set[int]] = {group: set() for group in several}
        for i, group in enumerate(group_of):
            if group in several:
                members[group].update(o for o in steps[i].operands if o >= first and group_of[o - first] != group)
        outside = {group: sorted(operands) for group, operands in members.items()}
    order: list[int] = []
    done: set[int] = set()
    stack = [(program.output, False)]
    while stack:
        j, operands_done = stack.pop()
        if j < first:
            continue
        i = j - first if group_of is None else group_of[j - first]
        if i in done:
            continue
        if operands_done:
            done.add(i)
            order.append(i)
            continue
        stack.append((first + i, True))
        operands = outside[i] if i in outside else steps[i].operands
        stack.extend((k, False) for k in reversed(operands) if k < first or k - first not in done)
    return order
