"""Python source for a traced computation: its forward pass and its chain rule, one line per op.

``autograd.compile`` records a function once as a ``Program`` (a straight list
of op steps over numbered slots) and this module writes it out as two plain
Python functions on floats:

* ``forward(inputs..., numbers...)`` computes every step, one line per op, and
  returns ``(out, saved)``, ``saved`` holding every value it computed;
* ``backward(saved)`` returns ``∂out/∂input`` for each input. It visits the
  steps in reverse, and for each value ``v`` writes one line
  ``d_v = Σ d_c · ∂c/∂v`` over the ops ``c`` that use ``v``: the chain rule,
  summed in the same order as the engine's backward walk adds it up.

A run of steps that ``loops.find_loops`` finds repeated (one sample's ops, once
per sample) is written once, as the body of a loop over its iterations: the
forward loop saves each iteration's values as a row, and the backward loop
runs the rows last to first, adding into the gradients of what the body reads
from outside (the parameters) as it goes, in the walk's order.

Every expression comes from the op table itself: each step's ``forward`` and
``local_grads`` run on ``Symbol`` stand-ins (``symbolic.py``), which write the
arithmetic they are asked to do. So built-in ops and users' ops alike come out
as straight-line arithmetic (``d_y * (1.0 if x > 0.0 else 0.0)``), computing
exactly what the engine computes on floats. A forward that cannot run on
symbols (``math.exp``, an ``if``) is called by name; a rule that cannot is
called once, on its own line. The first step of each op is checked: its
written expressions, evaluated on the values recorded, must give the floats
its own functions give, or the op is called instead.
"""

from __future__ import annotations

import builtins
import keyword
import linecache
import marshal
import math
import re
from dataclasses import dataclass
from types import CodeType
from typing import Any
from collections.abc import Callable, Sequence

from .loops import Loop, find_loops
from .math import FLOAT_KERNELS
from .ops import Op
from .program import Program, reading_order
from .symbolic import MAX_DEPTH, Symbol, as_symbol, literal, spilling

_FORMAT = 2
"""The layout of the generated code; a cached entry written in another layout is not this program's."""

# The longest sum written on one line; a longer one continues on the next (`s = s + ...`).
TERMS_PER_LINE = 64


Reference = tuple[str, str, int]
"""A global the generated code calls: ``(name, "forward" or "local_grads", step)``, that step's op's function."""


@dataclass(frozen=True)
class Generated:
    """The generated code: its source, its compiled form, the globals it calls, and the two functions it defines."""

    source: str
    code: CodeType
    references: tuple[Reference, ...]
    forward: Callable[..., tuple[float, tuple[float, ...]]]
    backward: Callable[[tuple[float, ...]], tuple[float, ...]]


# ------------------------------------------------------------------ naming

_RESERVED = set(dir(builtins)) | set(keyword.kwlist) | set(keyword.softkwlist) | {"saved", "forward", "backward"}
_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9_]+")


class _Names:
    """Hands out identifiers, each once: a label made safe, numbered if already taken."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = set(taken)
        self.count: dict[str, int] = {}

    def fresh(self, wanted: str, fallback: str = "v") -> str:
        base = wanted if wanted.isidentifier() and wanted.isascii() else (
            _NOT_IDENTIFIER.sub("_", wanted).strip("_") or fallback)
        if base[0].isdigit():
            base = f"{fallback}_{base}"
        name, n = base, self.count.get(base, 0)
        while name in self.taken:
            n += 1
            name = f"{base}_{n}"
        self.count[base] = n
        self.taken.add(name)
        return name


# ------------------------------------------------------------------ templates

_HOLE = "\x00"  # brackets an operand's number in a template's text; no name or literal contains it


class _Template:
    """An expression an op wrote once, on numbered stand-ins, filled in for each step with its operands' texts.

    An op writes the same text for every step whose operands bind alike (each
    operand a variable or a literal of the same precedence), so running it on
    Symbols once per such shape, not once per step, keeps writing linear and cheap.
    """

    __slots__ = ("parts", "holes", "precedence", "depth", "whole")

    def __init__(self, symbol: Symbol) -> None:
        self.parts = symbol.text.split(_HOLE)  # text, operand number, text, ...
        self.holes = [int(k) for k in self.parts[1::2]]
        self.precedence, self.depth = symbol.precedence, symbol.depth
        self.whole = self.holes[0] if self.parts[0] == self.parts[-1] == "" and len(self.parts) == 3 else None
        """The operand the expression is, when it is just one (a linear's ∂/∂w is its x)."""

    @property
    def text(self) -> str:
        return _HOLE.join(self.parts)

    def fill(self, symbols: Sequence[Symbol]) -> Symbol:
        if self.whole is not None:
            return symbols[self.whole]
        parts = self.parts.copy()
        parts[1::2] = [symbols[k].text for k in self.holes]
        return Symbol("".join(parts), self.precedence)


def _stand_ins(symbols: Sequence[Symbol]) -> list[Symbol]:
    """Numbered stand-ins that bind as tightly as ``symbols``."""
    return [Symbol(f"{_HOLE}{k}{_HOLE}", s.precedence) for k, s in enumerate(symbols)]


Templates = tuple[_Template, ...] | None
"""An op's texts for one shape of operands; None where it cannot be written (an ``if``, ``math.exp``)."""


# ------------------------------------------------------------------ writing


def _times(gradient: str, local: Symbol) -> str:
    """``gradient · local`` as short as it can be written exactly (g·1 = g, g·(-1) = -g)."""
    if local.text == "1.0":
        return gradient
    if local.text == "-1.0":
        return f"-{gradient}"
    return (Symbol(gradient) * local).text


def _sum_lines(target: str, terms: list[str]) -> list[str]:
    """``target = t1 + t2 + ...``, continued on further lines past TERMS_PER_LINE terms, same order."""
    lines = [f"{target} = {' + '.join(terms[:TERMS_PER_LINE])}"]
    for start in range(TERMS_PER_LINE, len(terms), TERMS_PER_LINE):
        lines.append(f"{target} = {' + '.join([target, *terms[start:start + TERMS_PER_LINE]])}")
    return lines


def _tuple(names: Sequence[str], indent: str) -> str:
    """A tuple display, wrapped to lines of about 100 characters."""
    if not names:
        return "()"
    lines, line = [], ""
    for name in names:
        if line and len(line) + len(name) > 96:
            lines.append(line.rstrip())
            line = ""
        line += f"{name}, "
    lines.append(line.rstrip())
    return "(" + f"\n{indent}".join(lines) + ")"


def same(x: Any, y: Any) -> bool:
    """Bit for bit the same float (NaN equals NaN; 0.0 is not -0.0)."""
    try:
        x, y = float(x), float(y)
    except (TypeError, ValueError, OverflowError):
        return False
    if x != x or y != y:
        return bool(x != x and y != y)
    return bool(x == y and math.copysign(1.0, x) == math.copysign(1.0, y))


class Writer:
    """Writes one program's source: names its values, then its forward lines, then its backward lines."""

    def __init__(self, program: Program, title: str) -> None:
        self.program, self.title = program, title
        self.steps, self.first = program.steps, program.first_step
        self.n_inputs = len(program.input_names)
        self.n_arguments = self.n_inputs + len(program.number_names)
        self.namespace: dict[str, object] = dict(FLOAT_KERNELS)
        self.names = _Names(_RESERVED | set(FLOAT_KERNELS))
        self.called_forward: set[Op] = set()   # ops whose forward is called, not written out
        self.called_rule: set[Op] = set()      # ops whose rule is called, not written out
        self.forward_checked: set[Op] = set()  # ops whose written forward was checked once
        self.rule_checked: set[Op] = set()     # ops whose written rule was checked once
        self.forward_templates: dict[tuple[Op, tuple[int, ...]], Templates] = {}
        self.rule_templates: dict[tuple[Op, tuple[int, ...]], Templates] = {}
        self.contribution_templates: dict[tuple[Op, tuple[int, ...]], tuple[_Template, ...]] = {}
        self.global_names: dict[int, str] = {id(f): name for name, f in FLOAT_KERNELS.items()}
        self.references: list[Reference] = []
        self.loops = find_loops(program)
        self.loop_at: list[int] = [-1] * len(self.steps)  # each step's loop, by its index in self.loops; -1: none
        for n, loop in enumerate(self.loops):
            self.loop_at[loop.start:loop.stop] = [n] * (loop.stop - loop.start)
        # Every slot's expression: a variable, or a constant's literal. A step inside a loop has a name of
        # its own only where a step outside the loop reads it; inside, its position's name stands for it.
        names = [self.names.fresh(n, "x") for n in (*program.input_names, *program.number_names)]
        self.slot: list[Symbol] = [Symbol(n) for n in names]
        self.slot += [literal(c) for c in program.constants]
        self.slot += [Symbol("")] * len(self.steps)
        self.position: dict[int, list[Symbol]] = {}  # per loop (by its start): its positions' names
        self.column: dict[int, dict[tuple[int, int], Symbol]] = {}  # per loop: its columns' names
        self.distinct_columns: dict[int, list[tuple[Symbol, tuple[int, ...]]]] = {}  # per loop: name, numbers
        self.rows: dict[int, str] = {}       # per loop: the name of the list of its rows
        self.row_base: dict[int, int] = {}   # per loop: where its rows start in what forward saves
        self.n_named = 0                     # how many values forward saves by name, before the rows
        self.read_outside = self._read_outside()
        groups = list(range(len(self.steps)))  # each step on its own, a loop's steps as one
        for loop in self.loops:
            groups[loop.start:loop.stop] = [loop.start] * (loop.stop - loop.start)
        # Read as Python evaluates f's expressions, each loop as one thing (program.reading_order).
        self.units: list[int | Loop] = [i if self.loop_at[i] < 0 else self.loops[self.loop_at[i]]
                                        for i in reading_order(program, groups)]
        for unit in self.units:  # numbered as they are read: mul, mul_1, ...
            if isinstance(unit, Loop):
                self._name_loop(unit)
            else:
                self.slot[self.first + unit] = Symbol(self._step_name(unit))
        self.saved_order = self._saved_order()
        """The slots ``forward`` saves, in order: the arguments, the steps outside loops, then each loop's rows."""
        precedence = [symbol.precedence for symbol in self.slot]  # the slots are named: they bind as they will
        self.shapes: list[tuple[Op, tuple[int, ...]]] = [
            (step.op, tuple([precedence[j] for j in step.operands])) for step in self.steps]
        """What each step's texts depend on: its op, and how tightly each operand binds."""

    def _step_name(self, i: int) -> str:
        """Step i's variable: its label made an identifier, else its op's word (``mul``, ``mul_1``, ...)."""
        word = self.steps[i].op.word
        return self.names.fresh(self.steps[i].label or word, word)

    def _name_loop(self, loop: Loop) -> None:
        start, first = loop.start, self.first
        self.position[start] = [Symbol(self._step_name(start + q)) for q in range(loop.period)]
        self.rows[start] = self.names.fresh("rows")
        distinct: dict[tuple[int, ...], Symbol] = {}  # operands that read the same numbers share a column
        for slots in sorted(loop.columns.values()):
            if slots not in distinct:
                distinct[slots] = Symbol(self.names.fresh(_column_name(self.slot[slots[0]].text,
                                                                       self.slot[slots[1]].text), "x"))
        self.column[start] = {key: distinct[slots] for key, slots in loop.columns.items()}
        self.distinct_columns[start] = [(symbol, slots) for slots, symbol in distinct.items()]
        for k in range(loop.count):
            for q in range(loop.period):
                i = loop.step(k, q)
                if i in self.read_outside:
                    self.slot[first + i] = Symbol(self.names.fresh(f"{self.position[start][q].text}_{k}"))

    def _read_outside(self) -> set[int]:
        """The steps inside a loop that a step outside it reads (each loop's results)."""
        read: set[int] = set()
        first, loop_at = self.first, self.loop_at
        for i, step in enumerate(self.steps):
            here = loop_at[i]
            read.update(o - first for o in step.operands if o >= first and loop_at[o - first] not in (-1, here))
        return read

    def _saved_order(self) -> tuple[int, ...]:
        first = self.first
        named = [*range(self.n_arguments), *(first + unit for unit in self.units if not isinstance(unit, Loop))]
        self.n_named = len(named)
        rows: list[int] = []
        for loop in self.units:
            if isinstance(loop, Loop):
                self.row_base[loop.start] = len(named) + len(rows)
                rows += [first + loop.step(k, q) for k in range(loop.count) for q in range(loop.period)]
        return (*named, *rows)

    def _seen(self, i: int, loop: Loop | None = None) -> tuple[Symbol, list[Symbol]]:
        """Step i's result and operands as its code names them: as slots, or, for a step of ``loop``'s iteration 0,
        its positions and columns inside the loop's body."""
        operands = self.steps[i].operands
        if loop is None:
            return self.slot[self.first + i], [self.slot[j] for j in operands]
        q, begin = i - loop.start, self.first + loop.start
        position, column = self.position[loop.start], self.column[loop.start]
        args = [column[q, p] if (q, p) in column else position[o - begin] if o >= begin else self.slot[o]
                for p, o in enumerate(operands)]
        return position[q], args

    def global_name(self, i: int, function: str, word: str) -> str:
        """The name the generated code calls step i's op's ``function`` by: a builtin's own, else a global."""
        thing = getattr(self.steps[i].op, function)
        if getattr(builtins, word, None) is thing:
            return word
        name = self.global_names.get(id(thing))
        if name is None:
            name = self.global_names[id(thing)] = self.names.fresh(word)
            self.namespace[name] = thing
            self.references.append((name, function, i))
        return name

    def forward_template(self, i: int) -> Templates:
        """Step i's op's forward, written once per shape of operands."""
        shape = self.shapes[i]
        if shape not in self.forward_templates:
            args = _stand_ins([self.slot[j] for j in self.steps[i].operands])
            try:
                self.forward_templates[shape] = (_Template(as_symbol(shape[0].forward(*args))),)
            except Exception:
                self.forward_templates[shape] = None
        return self.forward_templates[shape]

    def rule_template(self, i: int) -> Templates:
        """Step i's op's local derivatives, written once per shape of operands (the result is a variable)."""
        shape = self.shapes[i]
        if shape not in self.rule_templates:
            out_and_args = _stand_ins([Symbol(""), *(self.slot[j] for j in self.steps[i].operands)])
            try:
                local = shape[0].local_grads(*out_and_args)
                self.rule_templates[shape] = tuple(_Template(as_symbol(d)) for d in local)
            except Exception:
                self.rule_templates[shape] = None
        return self.rule_templates[shape]

    def contribution_template(self, i: int) -> tuple[_Template, ...]:
        """Step i's ``gradient · ∂out/∂operand`` for each operand, over stand-ins ``out, operands..., gradient``:
        the rule's templates multiplied by the gradient once per shape, not once per term."""
        shape = self.shapes[i]
        if shape not in self.contribution_templates:
            rule = self.rule_template(i)
            assert rule is not None
            gradient = f"{_HOLE}{len(self.steps[i].operands) + 1}{_HOLE}"
            self.contribution_templates[shape] = tuple(_Template(Symbol(_times(gradient, Symbol(t.text, t.precedence))))
                                                       for t in rule)
        return self.contribution_templates[shape]

    def identity(self) -> bytes:
        """Everything the source is written from, far cheaper to get than the source: equal identities, equal
        sources (where the ops' written expressions agree with their float functions; loading checks that).

        Serialised by ``marshal`` in its version 2, which writes equal values as equal bytes (later versions
        mark objects that happen to be shared), and several times faster than a ``repr``.
        """
        shapes: dict[tuple[Op, tuple[int, ...]], int] = {}
        described, wiring = [], []
        for i, step in enumerate(self.steps):
            shape = self.shapes[i]
            if shape not in shapes:
                shapes[shape] = len(shapes)
                described.append((step.op.word, *(None if t is None else tuple((x.text, x.precedence) for x in t)
                                                  for t in (self.forward_template(i), self.rule_template(i)))))
            wiring.append((shapes[shape], step.operands, step.label))
        program = self.program
        return marshal.dumps((_FORMAT, self.title, program.input_names, program.number_names, program.constants,
                              program.output, described, wiring), 2)

    def _values(self, i: int, seen: tuple[Symbol, list[Symbol]]) -> dict[str, float]:
        """The recorded value of step i's result and operands, by the names ``seen`` gives them in the code."""
        values, (out, args) = self.program.values, seen
        named = {a.text: values[j] for a, j in zip(args, self.steps[i].operands, strict=True) if a.text.isidentifier()}
        named[out.text] = values[self.first + i]
        return named

    def _agrees(self, i: int, seen: tuple[Symbol, list[Symbol]], texts: Sequence[str],
                expected: Callable[[], Sequence[Any]], partials: Sequence[str] = ()) -> bool:
        """True if the written expressions, evaluated on step i's recorded values, give ``expected()`` exactly.

        Where ``expected()`` raises, the expressions must raise the same kind of error.
        """
        names: dict[str, Any] = {**self.namespace, **self._values(i, seen)}
        try:
            wanted = list(expected())
        except Exception as e:
            failure: type[Exception] | None = type(e)
        else:
            failure = None
        try:
            for line in partials:
                exec(line, {"__builtins__": builtins}, names)
            got = [eval(text, {"__builtins__": builtins}, names) for text in texts]
        except Exception as e:
            return failure is not None and isinstance(e, failure)
        return failure is None and len(got) == len(wanted) and all(map(same, got, wanted))

    def forward_expression(self, i: int, seen: tuple[Symbol, list[Symbol]], lines: list[str]) -> str:
        """Step i's result: its op's forward run on symbols, or, where that cannot be written, a call.

        A deep expression spills parts of itself onto lines of their own, added to ``lines``.
        """
        op, args = self.steps[i].op, seen[1]
        template = self.forward_template(i) if op not in self.called_forward else None
        if template is None:
            self.called_forward.add(op)
        elif template[0].depth <= MAX_DEPTH:
            text = template[0].fill(args).text
            if op in self.forward_checked or self._forward_agrees(i, seen, [], text):
                self.forward_checked.add(op)
                return text
            self.called_forward.add(op)
        else:  # deep: run it on these operands, spilling parts of it onto lines of their own
            partials: list[str] = []

            def spill(text: str) -> str:
                name = self.names.fresh("partial")
                partials.append(f"{name} = {text}")
                return name

            try:
                with spilling(spill):
                    text = as_symbol(op.forward(*args)).text
            except Exception:
                self.called_forward.add(op)
            else:
                if op in self.forward_checked or self._forward_agrees(i, seen, partials, text):
                    self.forward_checked.add(op)
                    lines.extend(partials)
                    return text
                self.called_forward.add(op)
        return f"{self.global_name(i, 'forward', op.word)}({', '.join(a.text for a in args)})"

    def _forward_agrees(self, i: int, seen: tuple[Symbol, list[Symbol]], partials: list[str], text: str) -> bool:
        step, values = self.steps[i], self.program.values
        return self._agrees(i, seen, [text], lambda: [step.op.forward(*[values[j] for j in step.operands])],
                            partials)

    def forward_lines(self) -> list[str]:
        """One line per step, ``value = expression of its operands`` (a deep one over several lines), in
        reading order; a loop's steps once, in its body, each iteration saving its values as one row."""
        lines: list[str] = []
        for unit in self.units:
            if not isinstance(unit, Loop):
                expression = self.forward_expression(unit, self._seen(unit), lines)
                lines.append(f"{self.slot[self.first + unit].text} = {expression}")
                continue
            loop, position = unit, self.position[unit.start]
            rows = self.rows[loop.start]
            columns = self.distinct_columns[loop.start]
            lines.append(f"{rows} = []")
            if columns:
                header = _tuple([c.text for c, _ in columns], " " * 4)
                tuples = ", ".join(_tuple([self.slot[j].text for j in slots], " " * 8) for _, slots in columns)
                lines.append(f"for {header} in zip({tuples}):")
            else:
                lines.append(f"for _ in range({loop.count}):")
            body: list[str] = []
            for q in range(loop.period):
                i = loop.start + q
                expression = self.forward_expression(i, self._seen(i, loop), body)
                body.append(f"{position[q].text} = {expression}")
            body.append(f"{rows} += {_tuple([p.text for p in position], ' ' * 8)}")
            lines.extend(f"    {line}" for line in body)
            for k in range(loop.count):
                for q in range(loop.period):
                    if loop.step(k, q) in self.read_outside:
                        lines.append(f"{self.slot[self.first + loop.step(k, q)].text} = {rows}[{k * loop.period + q}]")
        return lines

    def contributions(self, i: int, seen: tuple[Symbol, list[Symbol]], gradient: str,
                      lines: list[str]) -> tuple[str, ...]:
        """Step i's ``gradient · ∂out/∂operand`` for each operand: its rule run on symbols, or its rule called
        on its own line."""
        op, (out, args) = self.steps[i].op, seen
        template = self.rule_template(i) if op not in self.called_rule else None
        if template is not None and len(template) == len(args):
            out_and_args = [out, *args]
            if op in self.rule_checked or self._rule_agrees(i, seen, tuple(t.fill(out_and_args) for t in template)):
                self.rule_checked.add(op)
                out_and_args.append(Symbol(gradient))
                return tuple(t.fill(out_and_args).text for t in self.contribution_template(i))
        self.called_rule.add(op)
        rule = self.global_name(i, "local_grads", f"{op.word}_local_grads")
        name = self.names.fresh(f"local_{out.text}")
        lines.append(f"{name} = {rule}({', '.join([out.text, *(a.text for a in args)])})")
        return tuple(_times(gradient, Symbol(f"{name}[{p}]")) for p in range(len(args)))

    def _rule_agrees(self, i: int, seen: tuple[Symbol, list[Symbol]], local: tuple[Symbol, ...]) -> bool:
        step, values = self.steps[i], self.program.values
        return self._agrees(i, seen, [d.text for d in local],
                            lambda: step.op.local_grads(values[self.first + i], *[values[j] for j in step.operands]))

    def backward_lines(self) -> tuple[list[str], list[str]]:
        """The chain rule, steps last to first, as the engine's walk adds it up (``backprop.propagate``).

        Each value's gradient is the sum of ``d_c · ∂c/∂v`` over the ops ``c``
        that use it, added in the walk's order: the last use first. Outside
        loops that is one line per value, ``d_v = Σ ...``, written when the walk
        reaches ``v``. A loop's body runs its iterations last to first; it adds
        into the gradient of a value it reads from outside (a parameter) as it
        goes, ``d_w = d_w + ...``, starting from ``-0.0``, which adds nothing to
        any float (not even to ``-0.0``), so the sums are bit for bit the walk's.

        Returns the lines and the gradient of each input.
        """
        steps, first, slot, output = self.steps, self.first, self.slot, self.program.output
        # Which slots carry a gradient: the inputs, and every step that uses one.
        needs_grad = [j < self.n_inputs for j in range(first)] + [False] * len(steps)
        for i, step in enumerate(steps):
            needs_grad[first + i] = any(needs_grad[j] for j in step.operands)
        gradient = {j: self.names.fresh(f"d_{slot[j].text}") for j in range(len(slot))
                    if needs_grad[j] and slot[j].text}
        terms: dict[int, list[str]] = {}  # contributions to each slot's gradient not yet added in
        started: set[int] = set()         # slots whose gradient variable holds the contributions added so far
        lines: list[str] = []

        def add_up(j: int) -> None:
            waiting = terms.pop(j, [])
            if waiting:
                lines.extend(_sum_lines(gradient[j], [gradient[j], *waiting] if j in started else waiting))
                started.add(j)

        if output < first and needs_grad[output]:
            lines.append(f"{gradient[output]} = 1.0")
            started.add(output)
        i = len(steps) - 1
        while i >= 0:
            if self.loop_at[i] >= 0:
                loop = self.loops[self.loop_at[i]]
                self._loop_backward(loop, needs_grad, gradient, terms, started, add_up, lines)
                i = loop.start - 1
                continue
            j = first + i
            if needs_grad[j]:
                if j == output:
                    lines.append(f"{gradient[j]} = 1.0")
                    started.add(j)
                else:
                    add_up(j)
                contributions = self.contributions(i, self._seen(i), gradient[j], lines)
                for o, contribution in zip(steps[i].operands, contributions, strict=True):
                    if needs_grad[o]:
                        terms.setdefault(o, []).append(contribution)
            i -= 1
        for j in range(self.n_inputs):
            add_up(j)
        returned = [gradient[j] if j in started else "0.0" for j in range(self.n_inputs)]
        return lines, returned

    def _loop_backward(self, loop: Loop, needs_grad: list[bool], gradient: dict[int, str],
                       terms: dict[int, list[str]], started: set[int], add_up: Callable[[int], None],
                       lines: list[str]) -> None:
        """A loop's chain rule: one body, run over the iterations last to first, each on its saved row."""
        first, begin, period, count = self.first, self.first + loop.start, loop.period, loop.count
        position = self.position[loop.start]
        own = [self.names.fresh(f"d_{p.text}") if needs_grad[begin + q] else "" for q, p in enumerate(position)]
        # What steps after the loop add to each iteration's values: a column, last iteration first.
        after: dict[int, tuple[str, list[str]]] = {}
        for q in range(period):
            if not own[q]:
                continue
            texts = []
            for k in reversed(range(count)):
                j = first + loop.step(k, q)
                if terms.get(j) or j in started:
                    add_up(j)
                    texts.append(gradient[j])
                else:
                    texts.append("-0.0")
            if any(t != "-0.0" for t in texts):
                after[q] = (self.names.fresh(f"{own[q]}_after"), texts)
        # The values it reads from outside that take a gradient: their sums so far, or -0.0, to add into.
        # (A column reads numbers, which take none.)
        fixed: dict[int, list[str]] = {}
        for q in range(period):
            for o in self.steps[loop.start + q].operands:
                if o < begin and needs_grad[o] and o not in fixed:
                    fixed[o] = []
                    add_up(o)
                    if o not in started:
                        lines.append(f"{gradient[o]} = -0.0")
                        started.add(o)
        body: list[str] = []
        inner: dict[int, list[str]] = {}
        for q in reversed(range(period)):
            if not own[q]:
                continue
            waiting = inner.pop(q, [])
            body.extend(_sum_lines(own[q], [after[q][0], *waiting] if q in after else waiting))
            i = loop.start + q
            contributions = self.contributions(i, self._seen(i, loop), own[q], body)
            for o, contribution in zip(self.steps[i].operands, contributions, strict=True):
                if not needs_grad[o]:
                    continue
                (inner.setdefault(o - begin, []) if o >= begin else fixed[o]).append(contribution)
        for o, waiting in fixed.items():
            if waiting:
                body.extend(_sum_lines(gradient[o], [gradient[o], *waiting]))
        read = set(_IDENTIFIER.findall("\n".join(body)))
        row = self.names.fresh("row")
        names = [p.text if p.text in read else "_" for p in position]
        zipped = [(symbol.text, [self.slot[j].text for j in reversed(slots)])
                  for symbol, slots in self.distinct_columns[loop.start] if symbol.text in read]
        zipped += [after[q] for q in sorted(after)]
        base = self.row_base[loop.start]
        steps_back = f"range({base + (count - 1) * period}, {base - 1}, {-period})"
        if zipped:
            tuples = ", ".join(_tuple(texts, " " * 8) for _, texts in zipped)
            header = _tuple([*(name for name, _ in zipped), row], " " * 4)
            lines.append(f"for {header} in zip({tuples}, {steps_back}):")
        else:
            lines.append(f"for {row} in {steps_back}:")
        lines.append(f"    {_tuple(names, ' ' * 8)} = saved[{row}:{row} + {period}]")
        lines.extend(f"    {line}" for line in body)

    def source(self) -> str:
        program, slot = self.program, self.slot
        forward = self.forward_lines()
        backward, returned = self.backward_lines()
        read = set(_IDENTIFIER.findall("\n".join(backward)))
        named = [slot[j].text for j in self.saved_order[:self.n_named]]
        unpacked = [name if name in read else "_" for name in named]
        saved = named + [f"*{self.rows[unit.start]}" for unit in self.units if isinstance(unit, Loop)]
        indent = " " * 8
        if self.loops:
            prologue = [f"    {_tuple(unpacked, indent)} = saved[:{len(named)}]"]
            prologue += [f"    {slot[j].text} = saved[{n}]" for n, j in enumerate(self.saved_order)
                         if n >= self.n_named and slot[j].text in read]
        else:
            prologue = [f"    {_tuple(unpacked, indent)} = saved"]
        return "\n".join([
            f"# {_comment(self.title)}: generated by autograd.compile",
            "",
            f"def forward({', '.join(s.text for s in slot[:self.n_arguments])}):",
            *(f"    {line}" for line in forward),
            f"    return {slot[program.output].text}, {_tuple(saved, indent)}",
            "",
            "",
            "def backward(saved):",
            *prologue,
            *(f"    {line}" for line in backward),
            f"    return {_tuple(returned, indent)}",
            "",
        ])


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _column_name(first: str, second: str) -> str:
    """A name for a loop's column from the names of its first two numbers: the parts where they differ
    become ``k`` (``X_99_1``, ``X_98_1``: ``X_k_1``)."""
    a, b = first.split("_"), second.split("_")
    if len(a) != len(b):
        return f"{first}_k"
    return "_".join(x if x == y else "k" for x, y in zip(a, b, strict=True))


def _comment(text: str) -> str:
    """``text`` fit for one comment line: printable ASCII only, every other character escaped (``\\n``)."""
    return text.encode("unicode_escape").decode("ascii")


def generate(writer: Writer) -> Generated:
    """Write ``writer``'s program as Python source, compile it, and return it with its two functions.

    ``forward(inputs..., numbers...)`` returns ``(out, saved)``; ``saved`` holds
    the arguments, then every step's value in the order computed.
    ``backward(saved)`` returns ``∂out/∂input`` for each input.
    """
    source = writer.source()
    code = builtins.compile(source, _filename(writer.title), "exec")
    return _define(source, code, tuple(writer.references), writer.namespace, writer.title)


def load(program: Program, title: str, source: str, code: CodeType, references: Sequence[Reference]) -> Generated:
    """Code ``generate`` wrote earlier for a program with the same identity, bound to this program's ops."""
    namespace: dict[str, object] = dict(FLOAT_KERNELS)
    for name, function, i in references:
        namespace[name] = getattr(program.steps[i].op, function)
    return _define(source, code, tuple(references), namespace, title)


def _filename(title: str) -> str:
    return f"<autograd.compile {_comment(title)}>"


def _define(source: str, code: CodeType, references: tuple[Reference, ...], namespace: dict[str, object],
            title: str) -> Generated:
    filename = _filename(title)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # tracebacks show the line
    exec(code, namespace)
    forward = namespace["forward"]
    backward = namespace["backward"]
    return Generated(source, code, references, forward, backward)  # type: ignore[arg-type]
