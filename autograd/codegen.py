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
import math
import re
from dataclasses import dataclass
from types import CodeType
from typing import Any
from collections.abc import Callable, Sequence

from .ops import Op
from .math import FLOAT_KERNELS
from .symbolic import MAX_DEPTH, Symbol, as_symbol, literal, spilling

# The longest sum written on one line; a longer one continues on the next (`s = s + ...`).
TERMS_PER_LINE = 64


@dataclass(frozen=True)
class Step:
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


def reading_order(program: Program) -> list[int]:
    """The steps in the order Python evaluates an expression: operands first, the first operand first.

    Any order in which every step follows its operands computes the same
    numbers; this one reads as ``f`` was written, and is the order in which
    ``f`` ran its ops as far as its graph can tell (an error is raised by the
    first failing op in this order, as in eager mode).
    """
    steps, first = program.steps, program.first_step
    order: list[int] = []
    done: set[int] = set()
    stack = [(program.output, False)]
    while stack:
        j, operands_done = stack.pop()
        if j < first or j in done:
            continue
        if operands_done:
            done.add(j)
            order.append(j - first)
            continue
        stack.append((j, True))
        stack.extend((k, False) for k in reversed(steps[j - first].operands) if k not in done)
    return order


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
        # Every slot's expression: a variable, or a constant's literal.
        names = [self.names.fresh(n, "x") for n in (*program.input_names, *program.number_names)]
        self.slot: list[Symbol] = [Symbol(n) for n in names]
        self.slot += [literal(c) for c in program.constants]
        self.order = reading_order(program)
        step_names = [""] * len(self.steps)
        for i in self.order:  # numbered as they are read: mul, mul_1, ...
            word = self.steps[i].op.word
            step_names[i] = self.names.fresh(self.steps[i].label or word, word)
        self.slot += [Symbol(n) for n in step_names]

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

    def _shape(self, i: int) -> tuple[Op, tuple[int, ...]]:
        """What step i's texts depend on: its op, and how tightly each operand binds."""
        step = self.steps[i]
        return step.op, tuple(self.slot[j].precedence for j in step.operands)

    def forward_template(self, i: int) -> Templates:
        """Step i's op's forward, written once per shape of operands."""
        shape = self._shape(i)
        if shape not in self.forward_templates:
            args = _stand_ins([self.slot[j] for j in self.steps[i].operands])
            try:
                self.forward_templates[shape] = (_Template(as_symbol(shape[0].forward(*args))),)
            except Exception:
                self.forward_templates[shape] = None
        return self.forward_templates[shape]

    def rule_template(self, i: int) -> Templates:
        """Step i's op's local derivatives, written once per shape of operands (the result is a variable)."""
        shape = self._shape(i)
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
        shape = self._shape(i)
        if shape not in self.contribution_templates:
            rule = self.rule_template(i)
            assert rule is not None
            gradient = f"{_HOLE}{len(self.steps[i].operands) + 1}{_HOLE}"
            self.contribution_templates[shape] = tuple(_Template(Symbol(_times(gradient, Symbol(t.text, t.precedence))))
                                                       for t in rule)
        return self.contribution_templates[shape]

    def identity(self) -> str:
        """Everything the source is written from, far cheaper to get than the source: equal identities, equal
        sources (where the ops' written expressions agree with their float functions; loading checks that)."""
        shapes: dict[tuple[Op, tuple[int, ...]], int] = {}
        described, wiring = [], []
        for i, step in enumerate(self.steps):
            shape = self._shape(i)
            if shape not in shapes:
                shapes[shape] = len(shapes)
                described.append((step.op.word, *(None if t is None else tuple((x.text, x.precedence) for x in t)
                                                  for t in (self.forward_template(i), self.rule_template(i)))))
            wiring.append((shapes[shape], step.operands, step.label))
        program = self.program
        return repr((self.title, program.input_names, program.number_names, program.constants, program.output,
                     described, wiring))

    def _values(self, i: int) -> dict[str, float]:
        """The recorded value of step i's result and operands, by their names in the code."""
        step, slot, values = self.steps[i], self.slot, self.program.values
        named = {slot[j].text: values[j] for j in step.operands if slot[j].text.isidentifier()}
        named[slot[self.first + i].text] = values[self.first + i]
        return named

    def _agrees(self, i: int, texts: Sequence[str], expected: Callable[[], Sequence[Any]],
                partials: Sequence[str] = ()) -> bool:
        """True if the written expressions, evaluated on step i's recorded values, give ``expected()`` exactly.

        Where ``expected()`` raises, the expressions must raise the same kind of error.
        """
        names: dict[str, Any] = {**self.namespace, **self._values(i)}
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

    def forward_expression(self, i: int, lines: list[str]) -> str:
        """Step i's result: its op's forward run on symbols, or, where that cannot be written, a call.

        A deep expression spills parts of itself onto lines of their own, added to ``lines``.
        """
        step = self.steps[i]
        op, args = step.op, [self.slot[j] for j in step.operands]
        template = self.forward_template(i) if op not in self.called_forward else None
        if template is None:
            self.called_forward.add(op)
        elif template[0].depth <= MAX_DEPTH:
            text = template[0].fill(args).text
            if op in self.forward_checked or self._forward_agrees(i, [], text):
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
                if op in self.forward_checked or self._forward_agrees(i, partials, text):
                    self.forward_checked.add(op)
                    lines.extend(partials)
                    return text
                self.called_forward.add(op)
        return f"{self.global_name(i, 'forward', op.word)}({', '.join(a.text for a in args)})"

    def _forward_agrees(self, i: int, partials: list[str], text: str) -> bool:
        step, values = self.steps[i], self.program.values
        return self._agrees(i, [text], lambda: [step.op.forward(*[values[j] for j in step.operands])], partials)

    def forward_lines(self) -> list[str]:
        """One line per step: ``value = expression of its operands`` (a deep one over several lines)."""
        lines: list[str] = []
        for i in self.order:
            expression = self.forward_expression(i, lines)
            lines.append(f"{self.slot[self.first + i].text} = {expression}")
        return lines

    def contributions(self, i: int, gradient: str, lines: list[str]) -> tuple[str, ...]:
        """Step i's ``gradient · ∂out/∂operand`` for each operand: its rule run on symbols, or its rule called
        on its own line."""
        step = self.steps[i]
        op, out = step.op, self.slot[self.first + i]
        args = [self.slot[j] for j in step.operands]
        template = self.rule_template(i) if op not in self.called_rule else None
        if template is not None and len(template) == len(args):
            out_and_args = [out, *args]
            if op in self.rule_checked or self._rule_agrees(i, tuple(t.fill(out_and_args) for t in template)):
                self.rule_checked.add(op)
                out_and_args.append(Symbol(gradient))
                return tuple(t.fill(out_and_args).text for t in self.contribution_template(i))
        self.called_rule.add(op)
        rule = self.global_name(i, "local_grads", f"{op.word}_local_grads")
        name = self.names.fresh(f"local_{out.text}")
        lines.append(f"{name} = {rule}({', '.join([out.text, *(a.text for a in args)])})")
        return tuple(_times(gradient, Symbol(f"{name}[{p}]")) for p in range(len(args)))

    def _rule_agrees(self, i: int, local: tuple[Symbol, ...]) -> bool:
        step, values = self.steps[i], self.program.values
        return self._agrees(i, [d.text for d in local],
                            lambda: step.op.local_grads(values[self.first + i], *[values[j] for j in step.operands]))

    def backward_lines(self) -> tuple[list[str], list[str]]:
        """The chain rule, one line per value with a gradient: ``d_v = Σ d_c · ∂c/∂v`` over its uses ``c``.

        Returns the lines and the gradient of each input.
        """
        steps, first, slot = self.steps, self.first, self.slot
        # Which slots carry a gradient: the inputs, and every step that uses one.
        needs_grad = [j < self.n_inputs for j in range(first)] + [False] * len(steps)
        for i, step in enumerate(steps):
            needs_grad[first + i] = any(needs_grad[j] for j in step.operands)
        # The uses of each slot in the order the engine's walk adds them up: steps last to first.
        uses: dict[int, list[tuple[int, int]]] = {}
        for i in reversed(range(len(steps))):
            for position, j in enumerate(steps[i].operands):
                uses.setdefault(j, []).append((i, position))
        gradient = {j: self.names.fresh(f"d_{slot[j].text}") for j in range(len(slot)) if needs_grad[j]}
        contributions_of: dict[int, tuple[str, ...]] = {}
        lines: list[str] = []

        def write(j: int) -> None:
            terms = []
            for i, p in uses[j]:
                if i not in contributions_of:
                    contributions_of[i] = self.contributions(i, gradient[first + i], lines)
                terms.append(contributions_of[i][p])
            lines.extend(_sum_lines(gradient[j], terms))

        output = self.program.output
        if needs_grad[output]:
            lines.append(f"{gradient[output]} = 1.0")
        for i in reversed(self.order):
            if needs_grad[first + i] and first + i != output:
                write(first + i)
        for j in range(self.n_inputs):
            if j != output and j in uses:
                write(j)
        returned = [gradient[j] if j in uses or j == output else "0.0" for j in range(self.n_inputs)]
        return lines, returned

    def source(self) -> str:
        program, slot = self.program, self.slot
        forward = self.forward_lines()
        backward, returned = self.backward_lines()
        read = set(_IDENTIFIER.findall("\n".join(backward)))
        saved = [s.text for s in slot[:self.n_arguments]] + [slot[self.first + i].text for i in self.order]
        unpacked = [name if name in read else "_" for name in saved]
        indent = " " * 8
        return "\n".join([
            f"# {_comment(self.title)}: generated by autograd.compile",
            "",
            f"def forward({', '.join(s.text for s in slot[:self.n_arguments])}):",
            *(f"    {line}" for line in forward),
            f"    return {slot[program.output].text}, {_tuple(saved, indent)}",
            "",
            "",
            "def backward(saved):",
            f"    {_tuple(unpacked, indent)} = saved",
            *(f"    {line}" for line in backward),
            f"    return {_tuple(returned, indent)}",
            "",
        ])


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


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
