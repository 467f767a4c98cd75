"""Python's cycle collector while a graph is recorded: it runs less often, and skips the graph.

A graph is many small objects that all live until its backward pass. Python's
collector starts a young collection every 700 new objects, and would scan the
growing graph again and again, finding nothing: a graph built by ops has no
reference cycles. On a training step that is most of the time spent (micrograd
spends nine tenths of its step there). So:

* from the first op recorded until ``backward()`` or ``grad()`` finishes, the young
  threshold is ``RECORDING_THRESHOLD`` (the collector still runs, in larger
  batches, so garbage cycles made meanwhile are still freed);
* when it finishes, the young objects (the graph, still alive)
  move to the oldest generation unscanned, as ``gc.freeze(); gc.unfreeze()``
  moves them, and the thresholds are put back as they were. Putting them back
  with the graph still young would start a collection that scans it all at once.
  Once ``FULL_COLLECTION_EVERY`` objects have been moved so, a full collection
  runs when the next graph starts to be recorded, so that garbage cycles among
  them are still found. It waits until then because the graph just
  backpropagated is usually dropped by that time (a training loop's step
  returns, or its loss is replaced), so the collection need not scan it.

Thresholds that something else changed meanwhile are left as they are set, and
so is a collector switched off, a threshold of 0, one already higher, or
objects frozen on purpose (``gc.freeze()``). Ops recorded with no backward pass
after them (a forward pass outside ``no_grad``) leave the larger batches in place
until the next backward pass.
"""

from __future__ import annotations

import gc

RECORDING_THRESHOLD = 500_000
"""New objects between young collections while a graph is recorded (Python's default is 700)."""
FULL_COLLECTION_EVERY = 2_000_000
"""Objects moved to the oldest generation unscanned, all told, before a full collection runs instead."""

recording: list[tuple[tuple[int, ...], tuple[int, ...] | None]] = []
"""Empty until a graph starts to be recorded (every recorded op reads it); then holds the thresholds
found then and those set in their place (None when they were left alone)."""
_moved = [0]
_full_collection_due: list[bool] = []
"""Holds True from the backward pass that moved ``FULL_COLLECTION_EVERY`` objects until the next graph starts."""


def recording_started() -> None:
    """A graph has started to be recorded: raise the young threshold, remembering the old ones."""
    if recording:
        return
    if _full_collection_due:
        _full_collection_due.clear()
        if gc.isenabled():
            gc.collect()
    found = gc.get_threshold()
    raised = None
    if 0 < found[0] < RECORDING_THRESHOLD:
        raised = (RECORDING_THRESHOLD, *found[1:])
        gc.set_threshold(*raised)
    recording.append((found, raised))


def recording_finished() -> None:
    """The graph has been backpropagated: move it out of the young generation and put the thresholds back."""
    if not recording:
        return
    found, raised = recording.pop()
    if raised is None or gc.get_threshold() != raised:
        return
    if gc.isenabled() and gc.get_freeze_count() == 0:
        _moved[0] += gc.get_count()[0]
        if _moved[0] >= FULL_COLLECTION_EVERY:
            _moved[0] = 0
            _full_collection_due[:] = [True]
        gc.freeze()
        gc.unfreeze()
    gc.set_threshold(*found)
