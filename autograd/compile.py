"""``compile``: trace a function once, then run it as generated float code.

A training loop builds the same graph every step, with new numbers. ``compile(f)``
records the graph of ``f`` once, writes its forward pass and its chain rule as
plain Python on floats (``codegen.py``; the repeats of one sample's structure as
a loop, ``loops.py``), and runs that code on later calls. The
call returns one ``Value``: a fused node whose parents are the input Values and
whose local derivatives ``∂out/∂input`` the generated backward computes. So the
ordinary ``backward()`` walk fills the inputs' ``.grad`` as the eager graph would.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
from typing import Any, cast
from collections.abc import Callable, Iterator

from . import code_cache, grad_mode
from .backprop import propagate
from .codegen import Generated, Writer, generate, load, same
from .program import Program, Step, reading_order
from .graph import operands, topological_order
from .ops import FORWARD_ERRORS, Op
from .value import Value, apply, record

_INF = math.inf
_NUMBER = "number"  # marks a number's place in a call's structure
_WARM_UP_CALLS = 8
Structure = tuple[Any, ...]  # a call's arguments with each Value and number replaced by a marker
MAX_STEPS = 250_000
"""The most ops a compiled graph may have: generating and compiling code costs about 7 KB and
0.25 ms per op written out, so a graph of millions of ops would take minutes and gigabytes (run it eagerly)."""


class GraphTooLarge(ValueError):
    """``compile`` recorded a graph of more than ``MAX_STEPS`` ops: run it eagerly, or compile a smaller part."""


def compile(f: Callable[..., Value]) -> CompiledFunction:
    """``f`` traced once and run as generated Python float code: same results and gradients, much faster.

    ``f`` takes positional arguments: Values, numbers, or lists and tuples of
    them, nested as deep as you like; it returns a Value. ::

        step = autograd.compile(lambda params, X, y: loss(model, X, y))
        out = step(model.parameters(), X, y)   # out.data == loss(model, X, y).data
        out.backward()                         # fills each parameter's .grad, as eagerly

    * The first call runs ``f`` on the arguments and records its graph. Later
      calls whose arguments have the same structure (the same nesting and
      lengths, Values and numbers in the same places) run the generated code
      on their new numbers. A new structure records ``f`` again.
    * Values passed in are the inputs: the result is one node whose parents
      they are, and its ``backward()`` adds ∂out/∂input to each input's ``.grad``
      exactly as the eager graph would (leaves accumulate across calls).
      Pass every Value you want a gradient for (the parameters) as an argument.
    * Numbers passed in (a batch ``X``, labels ``y``) are read afresh on every
      call and get no gradient. While recording, ``f`` receives them as Values
      (leaves), so build on them directly (``w * x``); reading their ``.data``
      or wrapping them in ``Value(...)`` would freeze the recorded number.
    * Everything else ``f`` reads is frozen when it is recorded: numbers
      written inside ``f``, and Values it closes over or makes itself.
    * Python control flow on data (``if x.data > 0``, a loop until a value is
      small, Python's ``max(a, b)`` of two Values) is fixed when ``f`` is
      recorded, as in ``jax.jit``: only the path taken then is compiled.
      Branches inside ops (relu, abs, leaky_relu, ``a.max(b)``, ``a.min(b)``)
      are conditional expressions in the generated code, so they follow the
      new numbers: write ``a.max(b)``, not Python's ``max(a, b)``.
    * Only the ops that ``f``'s result depends on are recorded: a value
      computed and then dropped costs nothing, and cannot fail.
    * ``.source`` is the generated code, one line per op; the ops of a
      structure repeated once per sample are written once, in a loop over the
      samples (``loops.py``). An error in it (the log of a negative number)
      raises the eager engine's error, naming the op, the numbers and the labels.
    * The generated backward computes the inputs' gradients only. (Eager mode
      also computes the gradients of numbers and constants, nobody reads them,
      and it fails if one of those overflows.)
    * The generated gradient is float code: it cannot be differentiated again
      (``grad(..., create_graph=True)`` through a compiled node raises).
    """
    return CompiledFunction(f)


class CompiledFunction:
    """A function with its generated code, one version per argument structure (see ``compile``)."""

    def __init__(self, f: Callable[..., Value]) -> None:
        functools.update_wrapper(self, f)
        self._f = f
        self._name = getattr(f, "__name__", "f")
        self._parameter_names = _parameter_names(f)
        self._versions: dict[Structure, _Version] = {}
        self._latest: _Version | None = None
        self.traces = 0
        """How many times ``f`` has been recorded (once per new argument structure)."""

    @property
    def source(self) -> str:
        """The Python source generated for the latest argument structure."""
        if self._latest is None:
            raise RuntimeError(f"compiled {self._name} has not been called yet: its code is written on the first call")
        return self._latest.generated.source

    def __call__(self, *args: Any) -> Value:
        inputs: list[Value] = []
        data: list[float] = []
        structure = _flatten(args, inputs, data)
        if len(set(inputs)) != len(inputs):  # a Value passed twice is one input: key the pattern too
            first: dict[Value, int] = {}
            structure = (structure, tuple(first.setdefault(v, len(first)) for v in inputs))
            inputs = list(first)
        version = self._versions.get(structure)
        if version is None:
            version = self._versions[structure] = self._record(args, inputs, data)
        self._latest = version
        return version.run(inputs, data)

    def __repr__(self) -> str:
        return f"<autograd.compile of {self._name}, {len(self._versions)} version(s)>"

    def _record(self, args: tuple[Any, ...], inputs: list[Value], data: list[float]) -> _Version:
        """Run ``f`` on the Values and on stand-in leaves for the numbers; turn its graph into code."""
        stand_ins = [Value(x) for x in data]
        names = _Naming(inputs)
        numbered = iter(stand_ins)
        paths = self._argument_paths(len(args))
        traced_args = [_substitute(a, numbered, names, path) for a, path in zip(args, paths, strict=True)]
        with grad_mode.enable_grad():
            try:
                out = self._f(*traced_args)
            except TypeError as e:
                e.add_note("autograd.compile: while recording, f receives its number arguments as Values, so that "
                           "later calls can feed new numbers; build on them directly (w * x), not Value(x).")
                raise
        if not isinstance(out, Value):
            raise TypeError(f"compile: {self._name} must return a Value, got {type(out).__name__}")
        program = _program(out, inputs, stand_ins, names)
        self.traces += 1
        generated, looped = _code(program, self._name, out, inputs)
        version = _Version(program, generated, self._name)
        if not looped:
            version.warm_up([v.data for v in inputs], data)
        return version

    def _argument_paths(self, n: int) -> list[str]:
        names = self._parameter_names
        return [names[i] if i < len(names) else f"arg{i}" for i in range(n)]


class _Version:
    """The generated code for one argument structure, and how to run it as one node of a graph."""

    def __init__(self, program: Program, generated: Generated, name: str) -> None:
        self.program = program
        self.generated = generated
        self.op_name = f"compile({name})"
        self.display = ""
        """The node's call form ``compile(f)({0}, {1}, ...)``, written by the first call's Op and reused."""

    def run(self, inputs: list[Value], data: list[float]) -> Value:
        forward = self.generated.forward
        try:
            out, saved = forward(*[v.data for v in inputs], *data)
        except FORWARD_ERRORS:
            self.replay(inputs, data)  # raises the eager engine's error
            raise
        if not -_INF < sum(saved) < _INF:  # some value is inf or nan (or the sum overflowed): ask the engine
            self.replay(inputs, data)
        if not inputs or not grad_mode.is_grad_enabled():
            return Value(out)
        labels = [v.label for v in inputs]
        op = Op(self.op_name,
                lambda *input_data: forward(*input_data, *data)[0],
                functools.partial(self._local_grads, saved, data, labels), arity=len(inputs), word="compiled",
                display=self.display)
        self.display = op.display
        return record(op, out, inputs)

    def _local_grads(self, saved: tuple[float, ...], data: list[float], labels: list[str],
                     out: Any, *inputs: Any) -> tuple[float, ...]:
        """∂out/∂input for each input: the generated backward, on the values of the call at these inputs.

        The values this call saved serve while the inputs still hold the numbers
        it ran on; otherwise (the node replayed by an enclosing compiled
        function, on new numbers) the forward runs again to get them.
        """
        if type(out) is not float:
            raise NotImplementedError(f"{self.op_name}: a compiled gradient is float code and cannot be "
                                      "differentiated again (create_graph) or written out by an enclosing "
                                      "compile; call the function uncompiled for that")
        if list(inputs) != list(saved[:len(inputs)]):
            saved = self.generated.forward(*inputs, *data)[1]
        try:
            grads = self.generated.backward(saved)
        except FORWARD_ERRORS:
            self.replay_backward(saved, labels)
            raise
        if not -_INF < sum(grads) < _INF:
            self.replay_backward(saved, labels)
        return grads

    def warm_up(self, values: list[float], data: list[float]) -> None:
        """Run the code a few times, so that the interpreter has specialised it before the first real call.

        CPython adapts a function's bytecode to the types it meets (float
        arithmetic gets its own fast instructions) only after the function
        has been called a few times (8 in CPython 3.11). Straight-line code
        runs each instruction once per call, so without this the first
        several training steps would run unspecialised code, about 30% slower.
        Code with a loop needs none of this: CPython counts a loop's iterations
        toward the same warm-up, so one call of a loop over the samples specialises it.
        """
        try:
            for _ in range(_WARM_UP_CALLS):
                self.generated.backward(self.generated.forward(*values, *data)[1])
        except FORWARD_ERRORS:
            pass  # these numbers fail: the real call says how, as eager mode would

    # When the generated code fails, the same computation on Values says what went wrong, as eager mode would.

    def replay(self, inputs: list[Value], data: list[float]) -> Value:
        """The program run eagerly on Values: raises exactly where and how the eager engine raises."""
        program = self.program
        slots: list[Value | None] = [*inputs, *(Value(x) for x in data)]
        slots += [Value(c, label) for c, label in zip(program.constants, program.constant_labels, strict=True)]
        slots += [None] * len(program.steps)
        with grad_mode.enable_grad():
            for i in reading_order(program):
                step = program.steps[i]
                node = apply(step.op, *(slots[j] for j in step.operands))
                node.label = step.label
                slots[program.first_step + i] = node
        result = slots[program.output]
        assert result is not None
        return result

    def replay_backward(self, saved: tuple[float, ...], labels: list[str]) -> None:
        """The backward walk over the replayed graph: raises the eager engine's error, if it has one."""
        n = len(labels)
        inputs = [Value(x, label) for x, label in zip(saved[:n], labels, strict=True)]
        numbers = saved[n:n + len(self.program.number_names)]
        propagate(self.replay(inputs, list(numbers)))


def _code(program: Program, title: str, out: Value, inputs: list[Value]) -> tuple[Generated, bool]:
    """The program's code, from the disk cache when an entry there reproduces this trace, else written and cached;
    and whether it has loops."""
    writer = Writer(program, title)
    looped = bool(writer.loops)
    if code_cache.directory() is None:
        return generate(writer), looped
    name = code_cache.key(writer.identity())
    entry = code_cache.load(name)
    if entry is not None:
        try:
            source, code, references = cast(tuple[Any, Any, Any], entry)  # checked by use
            loaded = load(program, title, source, code, references)
            if _reproduces(loaded, program, writer.saved_order, out, inputs):
                return loaded, looped
        except Exception:  # an entry of some other shape, or code that fails: write it afresh
            pass
    generated = generate(writer)
    code_cache.store(name, (generated.source, generated.code, generated.references))
    return generated, looped


def _reproduces(generated: Generated, program: Program, saved_order: tuple[int, ...], out: Value,
                inputs: list[Value]) -> bool:
    """Whether code loaded from the cache computes, bit for bit, every value of the trace and the gradients the
    engine's backward walk gives it: a stronger check than the one each op's written code passes when written."""
    values = program.values
    arguments = values[:len(program.input_names) + len(program.number_names)]
    result, saved = generated.forward(*arguments)
    expected = [values[j] for j in saved_order]
    if not (same(result, values[program.output]) and len(saved) == len(expected) and all(map(same, saved, expected))):
        return False
    walked = propagate(out)
    grads = generated.backward(saved)
    return len(grads) == len(inputs) and all(map(same, grads, (walked.get(v, 0.0) for v in inputs)))


# ------------------------------------------------------------- structure


def _flatten(args: Any, inputs: list[Value], data: list[float]) -> Structure:
    """The structure of ``args``, appending its Values to ``inputs`` and its numbers to ``data``."""
    structure: list[Any] = []
    for x in args:
        kind = type(x)
        if isinstance(x, Value):
            inputs.append(x)
            structure.append(Value)
        elif kind is float:
            data.append(x)
            structure.append(_NUMBER)
        elif kind is list or kind is tuple:
            structure.append((kind, _flatten(x, inputs, data)))
        elif isinstance(x, numbers.Real):
            data.append(float(x))
            structure.append(_NUMBER)
        else:
            raise TypeError(f"compile: arguments must be Values, numbers, or lists and tuples of them; got "
                            f"{kind.__name__} (to train a model, pass its parameters(), a list of Values)")
    return tuple(structure)


class _Naming:
    """Variable names for the inputs and numbers: their labels, else where they were passed (``X_3_1``)."""

    def __init__(self, inputs: list[Value]) -> None:
        self.inputs: dict[Value, str] = {v: "" for v in inputs}
        self.numbers: list[str] = []

    def value(self, v: Value, path: str) -> None:
        if not self.inputs[v]:
            self.inputs[v] = v.label or path


def _substitute(x: Any, stand_ins: Iterator[Value], names: _Naming, path: str) -> Any:
    """``x`` with each number replaced by the next stand-in leaf, recording names on the way."""
    if isinstance(x, Value):
        names.value(x, path)
        return x
    if type(x) is list or type(x) is tuple:
        return type(x)(_substitute(item, stand_ins, names, f"{path}_{i}") for i, item in enumerate(x))
    names.numbers.append(path)
    return next(stand_ins)


def _parameter_names(f: Callable[..., Any]) -> list[str]:
    try:
        parameters = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):
        return []
    return [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _program(out: Value, inputs: list[Value], stand_ins: list[Value], names: _Naming) -> Program:
    """The graph behind ``out``, cut at the inputs, as numbered slots and steps."""
    slot: dict[Value, int] = {v: i for i, v in enumerate(inputs)}
    for v in stand_ins:
        slot[v] = len(slot)
    order = topological_order(out)
    parents = [operands(node) for node in order]
    needed = {out}  # the nodes out depends on without passing through an input
    for node, its_parents in zip(reversed(order), reversed(parents), strict=True):
        if node in needed and node not in slot:
            needed.update(its_parents)
    kept = [(node, its_parents) for node, its_parents in zip(order, parents, strict=True)
            if node in needed and node not in slot]
    constants = [node for node, its_parents in kept if not its_parents]
    for node in constants:
        slot[node] = len(slot)
    if len(kept) - len(constants) > MAX_STEPS:
        raise GraphTooLarge(f"compile: this graph has {len(kept) - len(constants)} ops, more than the "
                            f"{MAX_STEPS} that compile writes code for (generating it would take minutes and "
                            "gigabytes); run it eagerly instead, without compile, or compile a smaller part "
                            "(one minibatch) at a time")
    steps = []
    values = [v.data for v in inputs] + [v.data for v in stand_ins] + [float(node.data) for node in constants]
    for node, its_parents in kept:
        if its_parents:
            operation = node.operation
            if not isinstance(operation, Op):
                raise TypeError(f"compile: {node.op or 'a node'} was built with a hand-written _backward, which "
                                "compile cannot write out; write it as autograd.Op(name, forward, local_grads)")
            steps.append(Step(operation, tuple(map(slot.__getitem__, its_parents)), node.label))
            slot[node] = len(slot)
            values.append(float(node.data))
    return Program(
        input_names=tuple(names.inputs[v] for v in inputs),
        number_names=tuple(names.numbers),
        constants=tuple(float(node.data) for node in constants),
        constant_labels=tuple(node.label for node in constants),
        steps=tuple(steps),
        output=slot[out],
        values=tuple(values),
    )
