"""Python's cycle collector, run less often while a graph is being recorded.

A graph is many small objects that all live until its backward pass. Python's
collector starts a collection every 700 new objects and would scan the growing
graph again and again, finding nothing: a graph built by ops has no reference
cycles. On a training step that is most of the time spent (micrograd spends
nine tenths of its step there). So from the first op recorded until
``backward()`` finishes, the collector's first-generation threshold is raised
to ``RECORDING_THRESHOLD``; it still runs, only in larger batches, so garbage
cycles made meanwhile are still freed. Then the thresholds are put back as
they were, unless something else set its own meanwhile, which is then kept.
A threshold of 0 (collection off) or one already higher is left alone.
"""

from __future__ import annotations

import gc

RECORDING_THRESHOLD = 100_000
"""New objects between young collections while a graph is recorded (Python's default is 700)."""

recording: list[tuple[tuple[int, ...], tuple[int, ...] | None]] = []
"""Empty until a graph starts to be recorded (every recorded op reads it); then holds the thresholds
found then and those set in their place (None when they were left alone)."""


def recording_started() -> None:
    """A graph has started to be recorded: raise the young threshold, remembering the old ones."""
    if recording:
        return
    found = gc.get_threshold()
    raised = None
    if 0 < found[0] < RECORDING_THRESHOLD:
        raised = (RECORDING_THRESHOLD, *found[1:])
        gc.set_threshold(*raised)
    recording.append((found, raised))


def recording_finished() -> None:
    """The graph has been backpropagated: put the thresholds back, if they are still the ones set here."""
    if not recording:
        return
    found, raised = recording.pop()
    if raised is not None and gc.get_threshold() == raised:
        gc.set_threshold(*found)
