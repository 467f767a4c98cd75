"""Whether new ops record their parents: ``no_grad`` turns recording off.

Inside ``no_grad()`` every op still computes its result, but the result is a
leaf: it remembers no parents, so no gradient can flow through it and no graph
is kept alive. Like PyTorch's, it works as a context manager and as a decorator.
The switch is process-wide, not per thread.
"""

from __future__ import annotations

import contextlib

enabled: bool = True  # read by value.py on every op


def is_grad_enabled() -> bool:
    """True when new ops record their parents."""
    return enabled


class _GradMode(contextlib.ContextDecorator):
    """Set ``enabled`` to ``mode`` inside the block and restore it after."""

    mode: bool

    def __enter__(self) -> None:
        global enabled
        self._previous, enabled = enabled, self.mode

    def __exit__(self, *exc: object) -> None:
        global enabled
        enabled = self._previous

    def _recreate_cm(self) -> "_GradMode":
        return type(self)()  # a fresh one per decorated call, so recursion nests


class no_grad(_GradMode):
    """Build no graph inside: ``with no_grad(): ...`` or ``@no_grad()``."""

    mode = False


class enable_grad(_GradMode):
    """Record parents again, even inside ``no_grad``."""

    mode = True
