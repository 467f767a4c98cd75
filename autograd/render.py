"""Turning DOT source into SVG or PNG, with or without a system Graphviz.

The renderer is the first of

1. ``dot`` on the ``PATH`` (the system Graphviz), or
2. ``graphviz-pure``, the ``dot``-compatible program that ``pip install graphviz-pure``
   puts next to the Python interpreter (found on the ``PATH``, in this
   interpreter's scripts directory, or beside ``sys.executable``, so it works
   from a virtual environment that is not activated, as Jupyter kernels often are).

If neither exists, ``RendererNotFound`` says what to install. Both programs take
the same flags: ``-K<engine> -T<format>``, DOT on stdin, the picture on stdout.

``Drawing`` is a ``graphviz.Digraph`` whose ``pipe`` and ``render`` go through this
renderer, so ``draw_dot(...)`` displays inline in Jupyter on a machine that has
only ``graphviz-pure``. Its mimebundle holds SVG (as wide as the output, like
the player) and a PNG of its natural size, which JupyterLab shows where it
shows no SVG: in an untrusted notebook, as on GitHub.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any, Sequence

import graphviz

INSTALL_HINT = ("install one: `pip install graphviz-pure` (a dot-compatible renderer, no system packages), "
                "or the system Graphviz (`apt-get install graphviz`, `brew install graphviz`, "
                "https://graphviz.org/download/)")

_SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
_SIZE = re.compile(r'(<svg\b[^>]*?) width="[^"]*" height="[^"]*"')
PNG_DPI = 96  # one CSS pixel per pixel: the PNG shows at the SVG's size


class RendererNotFound(RuntimeError):
    """Neither the system ``dot`` nor ``graphviz-pure`` could be found."""


def find_renderer() -> str:
    """The path of the program that renders DOT: the system ``dot``, else ``graphviz-pure``."""
    dot = shutil.which("dot")
    if dot:
        return dot
    for directory in (None, sysconfig.get_path("scripts"), os.path.dirname(sys.executable)):
        program = shutil.which("graphviz-pure", path=directory)
        if program:
            return program
    raise RendererNotFound(f"no Graphviz renderer found: neither `dot` nor `graphviz-pure` is installed; {INSTALL_HINT}")


def render(source: str, format: str = "svg", engine: str = "dot") -> bytes:
    """The picture of the DOT ``source`` in ``format`` ("svg", "png", ...), laid out by ``engine``.

    Warnings the renderer prints while succeeding (graphviz-pure guesses the
    width of a few non-ASCII characters, such as "–") are dropped; a failure
    raises ``RuntimeError`` with the renderer's message.
    """
    program = find_renderer()
    done = subprocess.run([program, f"-K{engine}", f"-T{format}"], input=source.encode("utf-8"),
                          capture_output=True, check=False)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"{program} -T{format} failed (exit code {done.returncode}): {message}")
    return done.stdout


def render_svgs(sources: Sequence[str]) -> list[str]:
    """One SVG element (no XML prologue) per DOT source, from a single run of the renderer.

    ``dot`` lays out every graph of its input in turn, so many frames cost one
    process start, not one each.
    """
    if not sources:
        return []
    svgs = _SVG.findall(render("\n".join(sources)).decode("utf-8"))
    if len(svgs) != len(sources):
        raise RuntimeError(f"the renderer returned {len(svgs)} SVG pictures for {len(sources)} graphs")
    return svgs


def fitted(svg: str) -> str:
    """``svg`` without a size of its own, only its ``viewBox``: it takes its container's width (JupyterLab
    shows it as an ``<img>``, which no stylesheet keeps from overflowing the output otherwise)."""
    return _SIZE.sub(r'\1 width="100%"', svg, count=1)


def png_base64(source: str) -> str:
    """The picture of DOT ``source`` as a PNG at ``PNG_DPI``, base64-encoded as Jupyter stores it."""
    return base64.b64encode(render(source.replace("digraph {", f"digraph {{\n\tdpi={PNG_DPI}", 1), "png")).decode("ascii")


class Drawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` rendered by ``find_renderer()``: the system ``dot`` or ``graphviz-pure``."""

    def __repr__(self) -> str:
        """What the drawing holds, with no memory address, so a notebook's plain-text output stays the same."""
        return f"<Drawing: {len(self.body)} DOT statements>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict[str, str]:
        """SVG fitted to the output's width, a PNG for viewers that show no SVG, and the plain-text repr."""
        return {"image/svg+xml": fitted(self.pipe("svg", encoding="utf-8")), "image/png": png_base64(self.source),
                "text/plain": repr(self)}

    def pipe(self, format: str | None = None, renderer: str | None = None, formatter: str | None = None,
             neato_no_op: bool | int | None = None, quiet: bool = False, *,
             engine: str | None = None, encoding: str | None = None) -> bytes | str:
        """The rendered picture as bytes (or text, given ``encoding``), like ``graphviz.Digraph.pipe``."""
        if neato_no_op:
            raise ValueError("Drawing.pipe does not support neato_no_op")
        output = ":".join(part for part in (format or self.format, renderer, formatter) if part)
        picture = render(self.source, output, engine or self.engine)
        return picture.decode(encoding) if encoding else picture

    def render(self, filename: str | os.PathLike | None = None, directory: str | os.PathLike | None = None,
               view: bool = False, cleanup: bool = False, format: str | None = None, *,
               outfile: str | os.PathLike | None = None, engine: str | None = None) -> str:
        """Save the DOT source and write the picture next to it (or to ``outfile``); return the picture's path.

        The common part of ``graphviz.Digraph.render``: the format comes from
        ``format``, else ``outfile``'s suffix, else ``self.format``; given only
        ``outfile``, the source goes beside it with the suffix ``.gv``.
        """
        if outfile is not None:
            format = format or Path(outfile).suffix.lstrip(".") or None
            if filename is None and directory is None:
                filename = Path(outfile).with_suffix(".gv")
        format = format or self.format
        source = Path(self.save(filename, directory=directory))
        target = Path(outfile) if outfile is not None else source.with_name(f"{source.name}.{format}")
        target.write_bytes(self.pipe(format, engine=engine))
        if cleanup:
            source.unlink()
        if view:
            self._view(target, format=format, quiet=False)
        return os.fspath(target)
