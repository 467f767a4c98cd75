"""The renderer: which program turns DOT into pictures, and the ``graphviz`` package pointed at it.

The renderer is the first of

1. ``dot`` on the ``PATH`` (the system Graphviz), or
2. ``graphviz-pure``, the ``dot``-compatible program that ``pip install graphviz-pure``
   (part of the ``viz`` extra) puts next to the Python interpreter: found on the
   ``PATH``, in this interpreter's scripts directory, or beside ``sys.executable``,
   so it works from a virtual environment that is not activated, as Jupyter
   kernels often are.

Both take the same flags (``-K<engine> -T<format>``, DOT on stdin, the picture on stdout).

The ``graphviz`` package, which the micrograd lecture's own drawing code uses,
runs ``graphviz.backend.dot_command.DOT_BINARY``: ``Path("dot")`` unless someone
changed it. ``point_graphviz_at_renderer`` sets it to graphviz-pure's full path
when there is no ``dot`` on the ``PATH`` and nobody has changed it, so a plain
``graphviz.Digraph`` pipes, renders and shows in Jupyter; with a system ``dot``
it changes nothing. ``autograd.graphviz_hook`` calls it when ``graphviz`` is imported.
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from pathlib import Path

INSTALL_HINT = ("install one: `pip install 'scalar-autograd[viz]'` (it brings graphviz-pure, a dot-compatible "
                "renderer, no system packages), or the system Graphviz (`apt-get install graphviz`, "
                "`brew install graphviz`, https://graphviz.org/download/)")

GRAPHVIZ_DEFAULT_BINARY = Path("dot")
BINARY_SETTING = "DOT_BINARY"
# graphviz's own copies of the rendering command: the one it runs, and the two it re-exports.
_GRAPHVIZ_BINARY_HOLDERS = ("graphviz.backend.dot_command", "graphviz.backend", "graphviz")


class RendererNotFound(RuntimeError):
    """Neither the system ``dot`` nor ``graphviz-pure`` could be found."""


def find_graphviz_pure() -> str | None:
    """The path of ``graphviz-pure``: on the ``PATH``, in the scripts directory, or beside ``sys.executable``."""
    for directory in (None, sysconfig.get_path("scripts"), os.path.dirname(sys.executable)):
        program = shutil.which("graphviz-pure", path=directory)
        if program:
            return program
    return None


def find_renderer() -> str:
    """The path of the program that renders DOT: the system ``dot``, else ``graphviz-pure``."""
    program = shutil.which("dot") or find_graphviz_pure()
    if program is None:
        raise RendererNotFound(f"no Graphviz renderer found: neither `dot` nor `graphviz-pure` is installed; "
                               f"{INSTALL_HINT}")
    return program


def point_graphviz_at_renderer() -> Path | None:
    """Make the imported ``graphviz`` package run graphviz-pure if it would run a ``dot`` that is not there.

    Only when ``DOT_BINARY`` is still graphviz's ``Path("dot")``, ``dot`` is not
    on the ``PATH`` and graphviz-pure is found; returns the path it set, else None.
    """
    dot_command = sys.modules["graphviz.backend.dot_command"]
    if getattr(dot_command, BINARY_SETTING) != GRAPHVIZ_DEFAULT_BINARY or shutil.which("dot"):
        return None
    program = find_graphviz_pure()
    if program is None:
        return None
    for holder in _GRAPHVIZ_BINARY_HOLDERS:
        setattr(sys.modules[holder], BINARY_SETTING, Path(program))
    return Path(program)
