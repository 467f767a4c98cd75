"""Pointing the ``graphviz`` package at the renderer the moment it is imported, without importing it.

``import autograd`` calls ``point_graphviz_at_renderer_when_imported()``. If
``graphviz`` is already imported, ``autograd.renderer.point_graphviz_at_renderer``
runs at once; otherwise a finder at the front of ``sys.meta_path`` lets the
``import graphviz`` (the lecture's ``from graphviz import Digraph``) load as
usual, runs it right after, and removes itself. Only loading counts: an
``importlib.util.find_spec("graphviz")`` that merely asks leaves it waiting.
Importing autograd thus never imports graphviz, and works the same when
graphviz is not installed.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from importlib.abc import Loader

GRAPHVIZ = "graphviz"


def point_graphviz_at_renderer_when_imported() -> None:
    """Run ``point_graphviz_at_renderer`` now if ``graphviz`` is imported, else right after its import."""
    if sys.modules.get(GRAPHVIZ) is not None:  # None: imports of it are blocked
        _point_graphviz_at_renderer()
    elif not any(isinstance(finder, _AfterGraphvizImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _AfterGraphvizImport())


def _point_graphviz_at_renderer() -> None:
    from .renderer import point_graphviz_at_renderer

    point_graphviz_at_renderer()


class _AfterGraphvizImport:
    """A ``sys.meta_path`` finder that only wraps the loader of ``graphviz``, with the other finders' spec."""

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
                  ) -> ModuleSpec | None:
        if fullname != GRAPHVIZ:
            return None
        for finder in sys.meta_path:
            if finder is self:
                continue
            find_spec = getattr(finder, "find_spec", None)
            spec: ModuleSpec | None = find_spec(fullname, path, target) if find_spec else None
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = cast("Loader", _ThenPoint(spec.loader))
                return spec
        return None


class _ThenPoint:
    """A loader that runs the real one, then ``point_graphviz_at_renderer``, and leaves no trace on the module."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        module: ModuleType | None = self.loader.create_module(spec)
        return module

    def exec_module(self, module: ModuleType) -> None:
        module.__loader__ = self.loader
        if module.__spec__ is not None:
            module.__spec__.loader = self.loader
        self.loader.exec_module(module)
        sys.meta_path[:] = [finder for finder in sys.meta_path if not isinstance(finder, _AfterGraphvizImport)]
        _point_graphviz_at_renderer()
