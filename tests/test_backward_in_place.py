"""backward() adds into .grad as it goes: what it must still guarantee (found in review of the in-place walk)."""

from __future__ import annotations

import gc
import math
import sys
import threading

import pytest

from autograd import Op, Value, grad, linear


def test_two_threads_backpropagating_through_shared_nodes_each_add_their_own_gradient():
    w = Value(0.5)
    h = w
    for _ in range(5_000):
        h = h * 1.0 + 0.0
    losses = [h * 2.0, h * 3.0]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, inside the walks
    try:
        for _ in range(3):
            w.grad = 0.0
            threads = [threading.Thread(target=loss.backward) for loss in losses]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert w.grad == 5.0
    finally:
        sys.setswitchinterval(interval)


class _Unhashable(Value):
    __hash__ = None  # type: ignore[assignment]  # the sort's set then fails on this node


def test_a_sort_that_fails_part_way_puts_back_the_grads_it_had_cleared():
    p, q = Value(2.0), Value(3.0)
    inner = p * q
    inner.backward()
    odd = _Unhashable(1.0)
    root = (odd * 1.0) + inner
    with pytest.raises(TypeError, match="unhashable"):
        root.backward()
    assert (inner.grad, p.grad, q.grad) == (1.0, 3.0, 2.0)


def test_a_failed_backward_puts_back_zeros_of_every_kind_exactly():
    x, y = Value(0.0, "x"), Value(2.0, "y")
    x.grad, y.grad = -0.0, 0
    inner = y * 3.0
    inner.grad = None
    out = x.sqrt() + inner  # the derivative of sqrt at 0 is infinite: the walk fails after inner's
    with pytest.raises(ZeroDivisionError):
        out.backward()
    assert math.copysign(1.0, x.grad) == -1.0 and x.grad == 0.0
    assert type(y.grad) is int and inner.grad is None


def test_an_op_node_whose_grad_was_set_to_none_is_cleared_like_any_other():
    a = Value(2.0)
    b = a * 3.0
    c = b * b
    b.grad = None
    c.backward()
    assert (a.grad, b.grad) == (36.0, 12.0)


def test_a_leaf_that_was_already_nan_is_not_this_pass_s_error():
    w = Value(1.0)
    w.grad = math.nan
    (w * 2.0).backward()
    assert math.isnan(w.grad)


def test_a_fused_node_has_the_same_derivatives_for_backward_and_grad():
    w, x, b = Value(2.0), Value(3.0), Value(0.0)
    z = linear([w], [x], b)
    x.data = 10.0  # after recording: the node keeps the derivatives it was recorded with
    assert grad(z, w) == 3.0
    z.backward()
    assert w.grad == 3.0


def test_grad_puts_the_collector_back_as_backward_does():
    before = gc.get_threshold()
    x = Value(2.0)
    grad(x * x, x)
    assert gc.get_threshold() == before


def test_a_rule_failing_in_a_hand_written_graph_still_restores_the_lecture_node():
    bad = Op("bad", lambda a: a, lambda out, a: (1.0, 2.0))  # two derivatives for one operand
    a = Value(1.0)
    lecture = Value(a.data * 2.0, (a,), "*2")

    def backward_by_hand() -> None:
        a.grad += 2.0 * lecture.grad

    lecture._backward = backward_by_hand
    lecture.backward()
    with pytest.raises(TypeError, match="bad"):
        bad(lecture).backward()
    assert (a.grad, lecture.grad) == (2.0, 1.0)


def test_nodes_that_receive_a_zero_gradient_pass_on_what_every_edge_would():
    """backward() skips a Σwx+b, + or - node whose gradient is 0 (ReLUs that are off, samples outside
    the hinge's margin): ``grad()``, which walks every edge, is the witness, bit for bit."""
    ws = [Value(w) for w in (0.5, -1.5, 2.0, -0.25)]
    b_on, b_off = Value(0.1), Value(-9.0)
    x = [Value(1.0), Value(2.0)]
    z_on, z_off = linear(ws[:2], x, b_on), linear(ws[2:], x, b_off)
    on, off = z_on.relu(), z_off.relu()      # 0.5·1 - 1.5·2 + 0.1 < 0 and 2 - 0.5 - 9 < 0: off, their sums get 0
    live = linear(ws[:2], [x[1], x[0]], 4.0).relu()  # 0.5·2 - 1.5·1 + 4 > 0: on
    hinge = (1 + -1.0 * (on + off - live)).relu() + (1 + 1.0 * (live - on)).relu()
    leaves = [*ws, b_on, b_off, *x]
    for leaf in leaves:
        leaf.grad = 0.25  # what an earlier pass left: kept, and this pass's gradient added
    expected = grad(hinge, leaves)
    assert any(g == 0.0 for g in expected) and any(g != 0.0 for g in expected)  # both kinds of path
    hinge.backward()
    assert [leaf.grad for leaf in leaves] == [0.25 + g for g in expected]
    assert z_on.grad == 0.0 and z_off.grad == 0.0 and live.grad != 0.0  # sums reached by zeros alone hold 0


def test_a_zero_gradient_does_not_hide_a_rule_that_fails():
    """Only nodes whose derivatives are finite by construction are skipped: sqrt's rule at 0 still says so."""
    x = Value(0.0)
    with pytest.raises(ZeroDivisionError, match="derivative of sqrt at 0.0"):
        (x.sqrt() * 0.0).backward()
    assert x.grad == 0.0
