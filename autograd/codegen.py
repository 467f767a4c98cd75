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

The expressions come from the op table (``ops.py``). The commonest ops are
written inline (``a * b``, ``d_y * (1.0 if x > 0.0 else 0.0)``), so the
generated code makes no function call for them; every other op calls its
table row's ``forward`` and ``local_grads``. ``forward_expression`` and
``local_grad_expressions`` hold the inline forms; a test checks each against
the table's own rule.
"""

from __future__ import annotations

import builtins
import keyword
import linecache
import re
from dataclasses import dataclass
from typing import Callable, Sequence

from .ops import (ABS, ADD, COS, DIV, EXP, LINEAR, LOG, MAX, MIN, MUL, NEG, POW, RELU, SIGMOID,
                  SIN, SOFTPLUS, SQRT, SUB, TANH, Op, leaky_relu, power)

# The float functions that inline derivative expressions call, by the name they are called.
HELPERS: dict[str, Callable[[float], float]] = {
    "cos": COS.forward, "sin": SIN.forward, "log": LOG.forward, "sigmoid": SIGMOID.forward,
}

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

    @property
    def first_step(self) -> int:
        """The slot of the first step's result."""
        return len(self.input_names) + len(self.number_names) + len(self.constants)


@dataclass(frozen=True)
class Generated:
    """The generated code: its source and the two functions it defines."""

    source: str
    forward: Callable[..., tuple[float, tuple[float, ...]]]
    backward: Callable[[tuple[float, ...]], tuple[float, ...]]


# ------------------------------------------------------------- inline forms


def _parameter(op: Op, factory: Callable[[float], Op], prefix: str, suffix: str = "") -> float | None:
    """The number ``p`` that made ``op`` as ``factory(p)`` (an exponent, a slope), or None.

    Read back from the op's name, and trusted only if ``factory`` gives the
    very same op for it: a rounded name (``**0.333333``) is not trusted.
    """
    name = op.name
    if not (name.startswith(prefix) and name.endswith(suffix)):
        return None
    try:
        p = float(name[len(prefix):len(name) - len(suffix)])
    except ValueError:
        return None
    return p if factory(p) is op else None


def _exponent(op: Op) -> float | None:
    return _parameter(op, power, "**")


def _slope(op: Op) -> float | None:
    return _parameter(op, leaky_relu, "leaky_relu(", ")")


_FORWARD = {ADD: "{0} + {1}", SUB: "{0} - {1}", MUL: "{0} * {1}", DIV: "{0} / {1}", NEG: "-{0}",
            RELU: "({0} if {0} > 0.0 else 0.0)",
            MAX: "({0} if {0} >= {1} else {1})", MIN: "({0} if {0} <= {1} else {1})"}

_LOCAL = {
    ADD: ("1.0", "1.0"),
    SUB: ("1.0", "-1.0"),
    MUL: ("{1}", "{0}"),
    DIV: ("1.0 / {1}", "-{out} / {1}"),
    POW: ("{1} * {0} ** ({1} - 1.0)", "(0.0 if {0} == 0.0 else {out} * log({0}))"),
    NEG: ("-1.0",),
    ABS: ("(1.0 if {0} > 0.0 else -1.0 if {0} < 0.0 else 0.0)",),
    EXP: ("{out}",),
    LOG: ("1.0 / {0}",),
    SQRT: ("0.5 / {out}",),
    SIN: ("cos({0})",),
    COS: ("-sin({0})",),
    TANH: ("1.0 - {out} * {out}",),
    SIGMOID: ("{out} * (1.0 - {out})",),
    SOFTPLUS: ("sigmoid({0})",),
    RELU: ("(1.0 if {0} > 0.0 else 0.0)",),
    MAX: ("(1.0 if {0} >= {1} else 0.0)", "(0.0 if {0} >= {1} else 1.0)"),
    MIN: ("(1.0 if {0} <= {1} else 0.0)", "(0.0 if {0} <= {1} else 1.0)"),
}


def _literal(x: float) -> str:
    return f"({x!r})" if x < 0.0 or repr(x).startswith("-") else repr(x)


def _linear_terms(args: Sequence[str]) -> list[str]:
    """The terms of b + w₁x₁ + w₂x₂ + ... over operands (w₁..wₙ, x₁..xₙ, b), in the order LINEAR sums them."""
    n = len(args) // 2
    return [args[-1], *(f"{w} * {x}" for w, x in zip(args[:n], args[n:2 * n]))]


def forward_expression(op: Op, args: Sequence[str]) -> str | None:
    """``op`` applied to the expressions ``args``, written inline; None for an op that is called instead.

    Inline: + - * / neg relu leaky_relu max min, x ** k for an integer k, and the
    fused ``b + Σ wᵢxᵢ`` (summed in the order its forward sums).
    """
    if op is LINEAR:
        return " + ".join(_linear_terms(args))
    if op in _FORWARD:
        return _FORWARD[op].format(*args)
    k = _exponent(op)
    if k is not None and k == int(k):  # a real power with an integer exponent never needs the table's checks
        return f"{args[0]} ** {_literal(k)}"
    slope = _slope(op)
    if slope is not None:
        return f"({args[0]} if {args[0]} > 0.0 else {_literal(slope)} * {args[0]})"
    return None


def local_grad_expressions(op: Op, out: str, args: Sequence[str]) -> tuple[str, ...] | None:
    """``(∂out/∂a, ∂out/∂b, ...)`` for ``op``, as expressions in ``out`` and ``args``; None if not inline.

    Each expression computes exactly what the op's ``local_grads`` computes on
    floats (the test suite checks this), so the generated backward agrees
    with the engine's bit for bit.
    """
    if op is LINEAR:  # ∂/∂wᵢ = xᵢ, ∂/∂xᵢ = wᵢ, ∂/∂b = 1
        n = len(args) // 2
        return (*args[n:2 * n], *args[:n], "1.0")
    if op in _LOCAL:
        return tuple(t.format(*args, out=out) for t in _LOCAL[op])
    k = _exponent(op)
    if k is not None:  # d/da a^k = k·a^(k-1)
        return (f"{_literal(k)} * {args[0]} ** {_literal(k - 1)}",)
    slope = _slope(op)
    if slope is not None:
        return (f"(1.0 if {args[0]} > 0.0 else {_literal(slope)})",)
    return None


# ------------------------------------------------------------------ naming

_OP_WORDS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow", LINEAR.name: "linear"}
_RESERVED = set(dir(builtins)) | set(keyword.kwlist) | set(keyword.softkwlist) | {"saved", "forward", "backward"}


def _op_word(op: Op) -> str:
    """A word for ``op`` fit for a variable name: add, mul, pow, tanh, leaky_relu..."""
    if op.name in _OP_WORDS:
        return _OP_WORDS[op.name]
    if op.name.startswith("**"):
        return "pow"
    word = re.match(r"[A-Za-z_][A-Za-z0-9_]*", op.name)
    return word.group() if word else "op"


class _Names:
    """Hands out identifiers, each once: a label made safe, numbered if already taken."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = set(taken)
        self.count: dict[str, int] = {}

    def fresh(self, wanted: str, fallback: str = "v") -> str:
        base = re.sub(r"[^A-Za-z0-9_]+", "_", wanted).strip("_") or fallback
        if base[0].isdigit():
            base = f"{fallback}_{base}"
        name, n = base, self.count.get(base, 0)
        while name in self.taken:
            n += 1
            name = f"{base}_{n}"
        self.count[base] = n
        self.taken.add(name)
        return name


# ------------------------------------------------------------------ writing


def _is_atom(expression: str) -> bool:
    """True for what binds tighter than ``*``: a name, a number, a call ``f(...)``, ``x[i]``, ``(...)``."""
    if re.fullmatch(r"[0-9][0-9.e+-]*", expression):
        return True
    rest = re.sub(r"^[A-Za-z_][A-Za-z0-9_]*", "", expression)
    if not rest:
        return True
    if rest[0] not in "([":
        return False
    depth = 0
    for i, ch in enumerate(rest):  # the bracket opened first must close last
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(ch, 0)
        if depth == 0:
            return i == len(rest) - 1
    return False


def _times(gradient: str, local: str) -> str:
    """``gradient · local`` as short as it can be written exactly (g·1 = g, g·(-1) = -g)."""
    if local == "1.0":
        return gradient
    if local == "-1.0":
        return f"-{gradient}"
    return f"{gradient} * {local if _is_atom(local) else f'({local})'}"


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


class _Writer:
    """Writes one program's source: names its values, then its forward lines, then its backward lines."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.steps, self.first = program.steps, program.first_step
        self.n_inputs = len(program.input_names)
        self.n_arguments = self.n_inputs + len(program.number_names)
        self.namespace: dict[str, object] = dict(HELPERS)
        self.names = _Names(_RESERVED | set(HELPERS))
        for step in self.steps:  # the functions called get their plain names (exp, tanh) before any variable
            if forward_expression(step.op, ["x"] * len(step.operands)) is None:
                self.global_name(step.op.forward, _op_word(step.op))
        # Every slot's expression: a variable, or a constant's literal.
        self.slot = [self.names.fresh(n, "x") for n in (*program.input_names, *program.number_names)]
        self.slot += [_literal(c) for c in program.constants]
        self.order = reading_order(program)
        step_names = [""] * len(self.steps)
        for i in self.order:  # numbered as they are read: mul, mul_1, ...
            word = _op_word(self.steps[i].op)
            step_names[i] = self.names.fresh(self.steps[i].label or word, word)
        self.slot += step_names

    def global_name(self, thing: object, word: str) -> str:
        """The name the generated code calls ``thing`` by: a builtin's own, else a fresh global."""
        if getattr(builtins, word, None) is thing:
            return word
        for name, existing in self.namespace.items():
            if existing is thing:
                return name
        name = self.names.fresh(word)
        self.namespace[name] = thing
        return name

    def forward_lines(self) -> list[str]:
        """One line per step: ``value = expression of its operands``."""
        lines = []
        for i in self.order:
            step, target = self.steps[i], self.slot[self.first + i]
            args = [self.slot[j] for j in step.operands]
            if step.op is LINEAR:  # a wide sum may take several lines
                lines += _sum_lines(target, _linear_terms(args))
                continue
            expression = forward_expression(step.op, args)
            if expression is None:
                expression = f"{self.global_name(step.op.forward, _op_word(step.op))}({', '.join(args)})"
            lines.append(f"{target} = {expression}")
        return lines

    def backward_lines(self) -> tuple[list[str], set[str], list[str]]:
        """The chain rule, one line per value with a gradient: ``d_v = Σ d_c · ∂c/∂v`` over its uses ``c``.

        Returns the lines, the names they read, and the gradient of each input.
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
        gradient = {j: self.names.fresh(f"d_{slot[j]}") for j in range(len(slot)) if needs_grad[j]}
        local_of: dict[int, tuple[str, ...]] = {}
        lines: list[str] = []
        read: set[str] = set()

        def local_derivatives(i: int) -> tuple[str, ...]:
            """Step i's ∂out/∂operand expressions; a rule not written inline is called once, on its own line."""
            if i not in local_of:
                step, out = steps[i], slot[first + i]
                args = [slot[j] for j in step.operands]
                read.update([out, *args])
                local_of[i] = local_grad_expressions(step.op, out, args)
                if local_of[i] is None:
                    rule = self.global_name(step.op.local_grads, f"{_op_word(step.op)}_local_grads")
                    local = self.names.fresh(f"local_{out}")
                    lines.append(f"{local} = {rule}({', '.join([out, *args])})")
                    local_of[i] = tuple(f"{local}[{p}]" for p in range(len(args)))
            return local_of[i]

        def write(j: int) -> None:
            terms = [_times(gradient[first + i], local_derivatives(i)[p]) for i, p in uses[j]]
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
        return lines, read, returned

    def source(self, title: str) -> str:
        program, slot = self.program, self.slot
        forward = self.forward_lines()
        backward, read, returned = self.backward_lines()
        saved = slot[:self.n_arguments] + [slot[self.first + i] for i in self.order]
        unpacked = [name if name in read else "_" for name in saved]
        indent = " " * 8
        return "\n".join([
            f"# {title}: generated by autograd.compile",
            "",
            f"def forward({', '.join(slot[:self.n_arguments])}):",
            *(f"    {line}" for line in forward),
            f"    return {slot[program.output]}, {_tuple(saved, indent)}",
            "",
            "",
            "def backward(saved):",
            f"    {_tuple(unpacked, indent)} = saved",
            *(f"    {line}" for line in backward),
            f"    return {_tuple(returned, indent)}",
            "",
        ])


def generate(program: Program, title: str) -> Generated:
    """Write ``program`` as Python source, compile it, and return it with its two functions.

    ``forward(inputs..., numbers...)`` returns ``(out, saved)``; ``saved`` holds
    the arguments, then every step's value in the order computed.
    ``backward(saved)`` returns ``∂out/∂input`` for each input.
    """
    writer = _Writer(program)
    source = writer.source(title)
    filename = f"<autograd.compile {title}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # tracebacks show the line
    exec(builtins.compile(source, filename, "exec"), writer.namespace)
    return Generated(source, writer.namespace["forward"], writer.namespace["backward"])
