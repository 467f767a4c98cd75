"""Whether new ops record their parents: ``no_grad`` turns recording off.

Inside ``no_grad()`` every op still computes its result, but the result is a
leaf: it remembers no parents, so no gradient can flow through it and no graph
is kept alive. Like PyTorch's, it works as a context manager and as a decorator.

The switch belongs to the running thread and async task, as PyTorch's does:
it is a ``contextvars.ContextVar``, so an evaluation thread looping in
``no_grad`` never turns recording off for a training thread beside it, and
each new thread starts with recording on.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar, Token
from collections.abc import Iterator

_ENABLED: ContextVar[bool] = ContextVar("autograd_grad_enabled", default=True)
_RULE_ON_VALUES: ContextVar[str] = ContextVar("autograd_rule_on_values", default="")

is_grad_enabled = _ENABLED.get
"""True when new ops record their parents (in this thread and task)."""


class _GradMode(contextlib.ContextDecorator):
    """Set recording to ``mode`` inside the block and restore it after, in this context only."""

    mode: bool

    def __init__(self) -> None:
        self._tokens: list[Token[bool]] = []

    def __enter__(self) -> None:
        self._tokens.append(_ENABLED.set(self.mode))

    def __exit__(self, *exc: object) -> None:
        _ENABLED.reset(self._tokens.pop())

    def _recreate_cm(self) -> _GradMode:
        return type(self)()  # a fresh one per decorated call, so recursion and threads nest


class no_grad(_GradMode):
    """Build no graph inside: ``with no_grad(): ...`` or ``@no_grad()``."""

    mode = False


class enable_grad(_GradMode):
    """Record parents again, even inside ``no_grad``."""

    mode = True


@contextlib.contextmanager
def rules_on_values() -> Iterator[None]:
    """Mark, for the block, that op rules run on Values (``create_graph``): ``Value.__float__`` then refuses."""
    token = _RULE_ON_VALUES.set("an op")
    try:
        yield
    finally:
        _RULE_ON_VALUES.reset(token)


def set_rule_on_values(op_name: str) -> None:
    """Inside ``rules_on_values``: the op whose rule runs now, for the error's message."""
    _RULE_ON_VALUES.set(op_name)


rule_running_on_values = _RULE_ON_VALUES.get
"""The name of the op whose rule is running on Values, or "" outside ``create_graph``."""
