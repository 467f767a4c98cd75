"""The cycle collector while graphs are recorded (autograd/collector.py): put back exactly, and still collecting."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from autograd import Value, collector, no_grad


@pytest.fixture(autouse=True)
def _thresholds_as_python_sets_them() -> Iterator[None]:
    """Each test starts from Python's own thresholds and a finished recording, and leaves them so."""
    collector.recording.clear()
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    collector.recording.clear()
    gc.set_threshold(*before)


def _step() -> Value:
    x = Value(1.5, "x")
    return (x * x + 2.0).tanh()


def test_recording_raises_the_young_threshold_and_backward_puts_it_back():
    y = _step()
    assert gc.get_threshold() == (collector.RECORDING_THRESHOLD, 10, 10)
    y.backward()
    assert gc.get_threshold() == (700, 10, 10)


def test_no_grad_records_nothing_and_leaves_the_collector_alone():
    with no_grad():
        _step()
    assert gc.get_threshold() == (700, 10, 10)


def test_a_failed_backward_still_puts_the_thresholds_back():
    y = Value(0.0).sqrt() * 2.0  # the derivative of sqrt at 0 is infinite
    with pytest.raises(ZeroDivisionError):
        y.backward()
    assert gc.get_threshold() == (700, 10, 10)


def test_thresholds_set_by_the_user_meanwhile_are_kept():
    y = _step()
    gc.set_threshold(5000, 20, 30)
    y.backward()
    assert gc.get_threshold() == (5000, 20, 30)


@pytest.mark.parametrize("theirs", [(0, 10, 10), (2_000_000, 10, 10)])
def test_a_threshold_of_zero_or_above_ours_is_left_alone(theirs: tuple[int, int, int]):
    gc.set_threshold(*theirs)
    y = _step()
    assert gc.get_threshold() == theirs
    y.backward()
    assert gc.get_threshold() == theirs


def test_objects_frozen_on_purpose_stay_frozen():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        _step().backward()
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_a_collector_switched_off_stays_off():
    gc.disable()
    try:
        _step().backward()
        assert not gc.isenabled()
    finally:
        gc.enable()


class _Cycle:
    """An object in a reference cycle: only the cycle collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_garbage_cycles_made_while_recording_are_still_freed(monkeypatch: pytest.MonkeyPatch):
    """The graphs moved to the oldest generation unscanned count towards a full collection, which frees them."""
    monkeypatch.setattr(collector, "FULL_COLLECTION_EVERY", 2_000)
    gc.collect()
    alive = []
    for _ in range(20):
        x = Value(0.5)
        y = x
        for _ in range(200):
            y = y * 1.01 + 0.1
        cycle = _Cycle()
        alive.append(weakref.ref(cycle))
        del cycle  # garbage now, kept only by its own cycle
        y.backward()
    gc.disable()  # no automatic collection from here: only what backward ran counts
    try:
        assert sum(ref() is None for ref in alive) >= 10
    finally:
        gc.enable()


def test_the_full_collection_waits_for_the_next_graph_so_it_does_not_scan_the_one_just_backpropagated(
        monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(collector, "FULL_COLLECTION_EVERY", 1)
    monkeypatch.setattr(collector, "_full_collection_due", [])  # none due from an earlier test
    full: list[str] = []
    real_collect = gc.collect
    monkeypatch.setattr(gc, "collect", lambda *args: full.append("collect") or real_collect(*args))
    gc.enable()
    x = Value(0.5)
    y = x * 2.0 + 1.0
    y.backward()
    assert full == []  # y's graph is still alive here: nothing to gain from scanning it
    del y
    z = x * 3.0  # the next graph starts: the collection due runs now
    assert full == ["collect"]
    z.backward()
