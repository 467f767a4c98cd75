"""Memory: graphs have no reference cycles, and an op node costs at most 250 bytes.

Values have ``__slots__`` and no ``__weakref__``, so freeing is observed by
counting live Values (``gc.get_objects``), a leaf's reference count and the
bytes tracemalloc sees.
"""

from __future__ import annotations

import gc
import sys
import tracemalloc

from autograd import Value, grad
from bench.engines import OURS
from bench.memory import bytes_per_node


# CPython keeps up to 2000 freed tuples of each small size for reuse; the walk's (a,) and (a, b) parents
# tuples end up there, counted by tracemalloc as allocated: a bounded amount, whatever the graph's size.
TUPLE_FREE_LISTS = 2000 * (sys.getsizeof((None,)) + sys.getsizeof((None, None)))


def live_values() -> int:
    return sum(type(o) is Value for o in gc.get_objects())


def build_graph(x: Value, w: Value) -> Value:
    """A graph with shared nodes, every kind of op path, backward and a create_graph gradient."""
    y = x
    for _ in range(2000):
        h = (y * w).tanh()
        y = h + h * 0.5 + y.sigmoid()
    y.backward()
    return grad(y, w, create_graph=True) + y


def test_dropping_the_root_frees_the_graph_without_the_cycle_collector():
    x, w = Value(0.1, "x"), Value(0.9, "w")
    gc.collect()
    gc.disable()
    try:
        baseline_values, x_refs, w_refs = live_values(), sys.getrefcount(x), sys.getrefcount(w)
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        root = build_graph(x, w)
        grown = tracemalloc.get_traced_memory()[0] - before
        assert live_values() > baseline_values + 10_000
        assert not gc.isenabled()  # backward and grad left the collector off
        del root
        left = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        assert live_values() == baseline_values
        assert (sys.getrefcount(x), sys.getrefcount(w)) == (x_refs, w_refs)
        assert left < grown / 100 + TUPLE_FREE_LISTS, (grown, left)
    finally:
        tracemalloc.stop()
        gc.enable()


def test_an_op_node_costs_at_most_250_bytes_built_and_after_backward():
    """y = y*1.0001 + 0.5 for 100k steps: 200k op nodes (and their constants), every allocation counted.

    Measured by ``python -m bench.memory``'s own function, so the README's figure and this bound are one count.
    """
    built, after_backward = bytes_per_node(OURS, 100_000)
    print(f"bytes per op node: {built:.1f} built, {after_backward:.1f} after backward")
    assert built <= 250, f"{built:.1f} bytes per op node"
    assert after_backward <= 250, f"{after_backward:.1f} bytes per op node after backward"
