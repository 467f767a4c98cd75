"""Every row of the op table gives what each interpretation needs: a row that lacks something fails here.

The interpretations: eager (forward, rule on floats), create_graph (rule on Values), compile (rule on
symbols), drawing captions (display form), the testing strategies (arity, domain, kinks) and the test
suite's sympy reference.
"""

from __future__ import annotations

import ast
import math
import random
from pathlib import Path

import pytest
from sympy_reference import SYMPY_OPS

import autograd
from autograd import Value, grad
from autograd.ops import ATOM, TABLE, Family, Op
from autograd.symbolic import Symbol, as_symbol

ENTRIES = list(TABLE)
ROWS = [op for entry in ENTRIES for op in ([entry.make(p) for p in entry.examples]
                                           if isinstance(entry, Family) else [entry])]
PACKAGE = Path(autograd.__file__).parent


def inside(op: Op, rng: random.Random) -> list[float]:
    while True:
        args = [rng.uniform(-3.0, 3.0) for _ in range(op.sample_arity)]
        if (op.distance is None or op.distance(*args) > 0.1) and (op.kink is None or abs(op.kink(*args)) > 0.1):
            return args


def test_the_sympy_reference_covers_every_entry_of_the_table():
    assert {entry.name for entry in ENTRIES} == set(SYMPY_OPS)


@pytest.mark.parametrize("op", ROWS, ids=lambda op: op.name)
def test_each_row_has_an_arity_a_display_form_and_a_rule_that_runs_three_ways(op):
    assert op.sample_arity >= 1, "the strategies need to know how many operands to draw"
    names = [f"a{i}" for i in range(op.sample_arity)]
    text, precedence = op.write([(n, ATOM) for n in names])
    assert all(n in text for n in names), f"the display form {op.display!r} must show every operand"
    rng = random.Random(op.name)
    args = inside(op, rng)
    out = op.forward(*args)
    on_floats = op.local_grads(out, *args)
    assert len(on_floats) == op.sample_arity
    nodes = [Value(a) for a in args]
    first = grad(op(*nodes), nodes, create_graph=True)
    assert [g.data for g in first] == pytest.approx([float(d) for d in on_floats], rel=1e-12, abs=1e-15)
    on_symbols = [as_symbol(d).text for d in op.local_grads(Symbol("out"), *map(Symbol, names))]
    assert len(on_symbols) == op.sample_arity


@pytest.mark.parametrize("op", ROWS, ids=lambda op: op.name)
def test_a_row_whose_derivative_jumps_says_where(op):
    """Off its declared kink, each local derivative is continuous: a jump needs a ``kink`` in the row."""
    rng = random.Random(op.name)
    h = 1e-7
    for _ in range(200):
        args = inside(op, rng)
        for j in range(op.sample_arity):
            left, right = list(args), list(args)
            left[j] -= h
            right[j] += h
            if op.kink is not None and (op.kink(*left) > 0) != (op.kink(*right) > 0):
                continue
            d_left = op.local_grads(op.forward(*left), *left)
            d_right = op.local_grads(op.forward(*right), *right)
            for a, b in zip(d_left, d_right, strict=True):
                assert math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-4), (op.name, args, j, a, b)


def test_nothing_outside_the_table_switches_on_an_op():
    """No module but ops.py names a row (ADD, RELU, ...) or compares an op's name to a string."""
    rows = {name for name in vars(autograd.ops) if isinstance(getattr(autograd.ops, name), (Op, Family))}
    for path in PACKAGE.rglob("*.py"):
        if path.name == "ops.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith("ops"):
                named = {alias.name for alias in node.names} & rows
                allowed = {"power", "leaky_relu"} if path.name == "value.py" else set()
                allowed |= {name for name in rows if path.name == "value.py"}  # the operators record their rows
                assert named <= allowed, (path.name, named - allowed)
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                reads_name = any(isinstance(s, ast.Attribute) and s.attr in ("op", "name") for s in sides)
                literal = any(isinstance(s, ast.Constant) and isinstance(s.value, str) for s in sides)
                assert not (reads_name and literal), f"{path.name}:{node.lineno} compares an op's name"


def test_the_core_imports_in_one_direction_lazy_imports_included():
    """kernels and autograd.math -> ops -> grad_mode -> graph, backprop -> value -> interpretations."""
    layer = {"math": 0, "ops": 1, "grad_mode": 1, "symbolic": 2, "graph": 2, "backprop": 3, "value": 4}
    for path in PACKAGE.glob("*.py"):
        own = layer.get(path.stem)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
                node.body = []  # annotations only
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                target = (node.module or "").split(".")[0]
                if own is not None and target in layer:
                    assert layer[target] < own, f"{path.stem} (layer {own}) imports {target} (layer {layer[target]})"


def test_derivatives_that_are_the_same_everywhere_are_known_from_the_rule_itself():
    """``constant_grads`` is derived from the row's rule, run on stand-ins nothing can compute with."""
    by_name = {op.name: op for op in TABLE if isinstance(op, Op)}
    assert by_name["+"].constant_grads == (1.0, 1.0)
    assert by_name["-"].constant_grads == (1.0, -1.0)
    assert by_name["neg"].constant_grads == (-1.0,)
    for name in ("*", "/", "relu", "tanh", "max", "Σwx+b", "**"):  # they read their operands
        assert by_name[name].constant_grads is None, name
    shift = Op("shift", lambda a: a + 3.0, lambda out, a: (1,))  # an int is a number too
    assert shift.constant_grads == (1.0,)
    assert Op("flag", lambda a: a, lambda out, a: (True,)).constant_grads is None  # a bool is not a derivative
    assert Op("short", lambda a, b: a, lambda out, a, b: (1.0,)).constant_grads is None  # one too few
    steep = Op("steep", lambda a: a, lambda out, a: (math.inf,))  # the rule is called: 0·∞ at a zero gradient says so
    assert steep.constant_grads is None
    with pytest.raises(ValueError, match="nan"):
        (steep(Value(1.0)) * 0.0).backward()


def test_a_rule_known_constant_gives_the_gradients_its_call_gives():
    twice_minus = Op("twice_minus", lambda a, b: 2.0 * a - b, lambda out, a, b: (2.0, -1.0))
    assert twice_minus.constant_grads == (2.0, -1.0)
    x, y = Value(0.5), Value(-1.5)
    z = (twice_minus(x, y) * x).tanh()
    z.backward()
    assert [x.grad, y.grad] == grad(z, [x, y])  # propagate, which calls the rule, agrees to the bit
    short = Op("short", lambda a, b: a, lambda out, a, b: (1.0,))
    with pytest.raises(TypeError, match="returned"):
        short(x, y).backward()  # a rule of the wrong length still says so
