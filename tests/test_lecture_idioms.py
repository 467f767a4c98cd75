"""The micrograd lecture's idioms run on our Value: backprop by hand, its constructor, its closures, subclasses.

The numbers are the lecture's published figures, computed here in our own words.
"""

from __future__ import annotations

import gc
import math

import pytest

from autograd import Op, Value, compile, grad


def lecture_expression():
    """L = (a·b + c)·f with a = 2, b = -3, c = 10, f = -2: the lecture's first graph (L = -8)."""
    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    return a, b, c, f, e, d, L


def test_backprop_by_hand_one_node_at_a_time_gives_the_lectures_numbers():
    a, b, c, f, e, d, L = lecture_expression()
    assert L.data == -8.0
    L.grad = 1.0
    L._backward()
    assert (d.grad, f.grad) == (-2.0, 4.0)
    d._backward()
    assert (e.grad, c.grad) == (-2.0, -2.0)
    e._backward()
    assert (a.grad, b.grad) == (6.0, -4.0)
    a._backward()  # a leaf: nothing to do
    assert (a.grad, b.grad) == (6.0, -4.0)


def test_the_topological_loop_of_the_lecture_gives_what_backward_gives():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()

    topo, seen = [], set()

    def build(v):
        if v not in seen:
            seen.add(v)
            for child in v._prev:
                build(child)
            topo.append(v)

    build(o)
    o.grad = 1.0
    for node in reversed(topo):
        node._backward()
    by_hand = [x1.grad, x2.grad, w1.grad, w2.grad, b.grad]
    assert math.isclose(o.data, 0.7071, abs_tol=1e-4)
    assert [round(g, 4) for g in by_hand] == [-1.5, 0.5, 1.0, 0.0, 0.5]
    for v in (x1, x2, w1, w2, b):
        v.grad = 0.0
    o.backward()
    assert [x1.grad, x2.grad, w1.grad, w2.grad, b.grad] == by_hand


def test_the_lectures_constructor_and_its_own_ops_with_closures_train_like_the_lecture():
    def tanh(self):
        t = (math.exp(2 * self.data) - 1) / (math.exp(2 * self.data) + 1)
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t ** 2) * out.grad
        out._backward = _backward
        return out

    def add(self, other):
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += 1.0 * out.grad
            other.grad += 1.0 * out.grad
        out._backward = _backward
        return out

    x, w = Value(0.5, label="x"), Value(-1.2, label="w")
    hand = tanh(add(x * w, x))           # hand-written nodes on top of ours
    ours = (x * w + x).tanh()
    assert hand.op == "tanh" and hand._op == "tanh" and hand.parents[0].op == "+"
    hand.backward()
    by_closures = (x.grad, w.grad)
    x.grad = w.grad = 0.0
    ours.backward()
    assert by_closures == pytest.approx((x.grad, w.grad), abs=1e-15)
    # a node used twice gets both contributions, as in the lecture's "a + a" bug fix
    a = Value(3.0)
    twice = add(a, a)
    twice.backward()
    assert a.grad == 2.0


def test_a_closure_set_on_one_of_our_nodes_replaces_its_rule_and_keeps_its_operands():
    x, w = Value(0.5, label="x"), Value(-1.2, label="w")
    y = x * w
    z = -y

    def _backward():  # a deliberately different rule: ∂y/∂x = 10, ∂y/∂w = 100
        x.grad += 10.0 * y.grad
        w.grad += 100.0 * y.grad
    y._backward = _backward
    z._backward = lambda: setattr(y, "grad", y.grad - 3.0 * z.grad)  # ∂z/∂y = -3, one operand
    assert (y.op, y.parents, z.op, z.parents) == ("*", (x, w), "neg", (y,))
    (z + x).backward()
    assert (y.grad, x.grad, w.grad) == (-3.0, 1.0 - 30.0, -300.0)


def test_a_node_with_children_and_no_backward_passes_no_gradient_as_in_micrograd():
    a, b = Value(1.0), Value(2.0)
    n = Value(5.0, (a, b))
    assert n.parents == (a, b) and n.op == ""
    (n * 2.0).backward()
    assert (a.grad, b.grad) == (0.0, 0.0)


def test_hand_written_closures_serve_first_order_only_and_say_so():
    x = Value(0.3)
    out = Value(x.data * 2, (x,), "double")

    def _backward():
        x.grad += 2.0 * out.grad
    out._backward = _backward
    with pytest.raises(TypeError, match="hand-written _backward.*autograd.Op"):
        grad(out * out, x, create_graph=True)
    with pytest.raises(TypeError, match="hand-written _backward"):
        compile(lambda x: Value(x.data, (x,), "copy") * x)(Value(1.0))
    assert grad(out * out, x) == pytest.approx(8 * 0.3)  # d(2x)²/dx = 8x


def test_our_own_op_nodes_stay_free_of_reference_cycles():
    gc.collect()
    gc.disable()
    try:
        x = Value(0.5)
        y = (x * x).tanh() + x
        y._backward()  # micrograd's step, run from the op's rule: no closure holds the node
        del y
        assert gc.collect() == 0  # nothing was left for the cycle collector
    finally:
        gc.enable()


@pytest.mark.parametrize("args, kwargs, named", [
    ((2.0, "a"), {}, None),
    ((2.0,), {"label": "a"}, None),
    ((2.0, [1.0]), {}, "_children"),
    ((2.0, 5), {}, "_children"),
    ((2.0, ()), {"_op": 3}, "_op"),
    ((2.0,), {"label": 5}, "label"),
])
def test_the_constructors_arguments_are_checked_and_named(args, kwargs, named):
    if named is None:
        assert Value(*args, **kwargs).label == "a"
        return
    with pytest.raises(TypeError, match=named):
        Value(*args, **kwargs)


class MyValue(Value):
    """A learner's subclass, with an op of its own."""

    def double(self):
        return self * 2.0


def test_subclasses_are_operands_wherever_a_value_is():
    a, b = MyValue(2.0, label="a"), MyValue(3.0, label="b")
    out = a * b + a.double()
    out.backward()
    assert (out.data, a.grad, b.grad) == (10.0, 5.0, 2.0)
    assert grad(a * a * b, [a, b]) == [12.0, 4.0]
    second = grad(grad(a * a * b, a, create_graph=True), a)
    assert second == 6.0
    compiled = compile(lambda a, b: (a * b).tanh())
    c_out = compiled(a, b)
    assert c_out.data == math.tanh(6.0)
    cube = Op("cube", lambda x: x ** 3, lambda out, x: (3 * x * x,))
    assert cube(MyValue(2.0)).data == 8.0


def test_a_subclass_graph_draws_and_steps_like_any_other():
    from autograd import draw_dot, step_through

    a, b = MyValue(2.0, label="a"), MyValue(-3.0, label="b")
    out = a.double() * b
    out.backward()
    source = draw_dot(out).source
    assert "{ a | data 2.0000 | grad -6.0000 }" in source and "{ b | data -3.0000 | grad 4.0000 }" in source
    assert len(step_through(out)) > 0
