"""Rendering DOT with the renderer (``autograd.renderer``), and ``Drawing``, the graph ``draw_dot`` returns.

``render`` and ``render_svgs`` run the renderer directly (``step_through``
renders all its frames in one run). ``Drawing`` is a ``graphviz.Digraph`` and
renders through the ``graphviz`` package, which ``import autograd`` has pointed
at the same renderer (see ``autograd.renderer``). Its mimebundle holds SVG (as
wide as the output, like the player) and a PNG of its natural size, which
JupyterLab shows where it shows no SVG: in an untrusted notebook, as on GitHub.
"""

from __future__ import annotations

import base64
import functools
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .extras import raise_missing_extra
from .renderer import RendererNotFound, find_renderer

try:
    import graphviz
except ModuleNotFoundError as missing:
    raise_missing_extra(missing, "graphviz", "viz", "drawing graphs")

_SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
_FORMAT_LIST = re.compile(r"Use one of:(.*)", re.DOTALL)
_SIZE = re.compile(r'(<svg\b[^>]*?) width="[^"]*" height="[^"]*"')
PNG_DPI = 96  # one CSS pixel per pixel: the PNG shows at the SVG's size


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


@functools.cache
def renderer_formats(program: str) -> frozenset[str]:
    """The output formats ``program`` can make, as it lists them when asked for format "?"."""
    done = subprocess.run([program, "-T?"], capture_output=True, text=True, check=False)
    listed = _FORMAT_LIST.search(done.stderr + done.stdout)
    if listed is None:
        raise RuntimeError(f"{program} -T? did not list its formats: {(done.stderr + done.stdout).strip()!r}")
    return frozenset(name.split(":")[0] for name in listed.group(1).split())


def nohtml(text: str) -> Any:
    """``text`` marked for the graphviz package as plain text, never an HTML-like label (``<…>``)."""
    return graphviz.nohtml(text)


def fitted(svg: str) -> str:
    """``svg`` without a size of its own, only its ``viewBox``: it takes its container's width.

    JupyterLab shows SVG as an ``<img>``, which no stylesheet keeps from overflowing the output otherwise.
    """
    return _SIZE.sub(r'\1 width="100%"', svg, count=1)


def png_base64(source: str) -> str:
    """The picture of DOT ``source`` as a PNG at ``PNG_DPI``, base64-encoded as Jupyter stores it."""
    picture = render(source.replace("digraph {", f"digraph {{\n\tdpi={PNG_DPI}", 1), "png")
    return base64.b64encode(picture).decode("ascii")


class Drawing(graphviz.Digraph):  # type: ignore[misc]  # graphviz ships no type hints
    """A ``graphviz.Digraph`` that makes SVG unless told otherwise (``.render(name)`` writes ``name.svg``).

    A format given anywhere (``format=``, ``.format = ...``, ``.pipe(format)``,
    ``.render(format=...)``) is checked against what the renderer can make, so
    asking graphviz-pure for PDF fails at once with the list of formats it does make.
    The two hooks below are graphviz's own internals (``_get_parameters``,
    ``_verify_format``, graphviz 0.20 and later); the tests pin what they do.
    """

    def __init__(self, *args: object, format: str = "svg", **kwargs: object) -> None:
        super().__init__(*args, format=format, **kwargs)

    def __repr__(self) -> str:
        """What the drawing holds, with no memory address, so a notebook's plain-text output stays the same."""
        return f"<Drawing: {len(self.body)} DOT statements>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict[str, str]:
        """SVG fitted to the output's width, a PNG for viewers that show no SVG, and the plain-text repr."""
        svg = self.pipe("svg", encoding="utf-8")
        return {"image/svg+xml": fitted(svg), "image/png": png_base64(self.source), "text/plain": repr(self)}

    def _get_parameters(self, **kwargs: object) -> dict[str, object]:
        """graphviz's options of every ``pipe`` and ``render``, made quiet (as ``render`` above is).

        Warnings the renderer prints while succeeding (graphviz-pure guesses the
        width of "–") would show in red under every drawing in Jupyter; a failure
        still raises with the renderer's message.
        """
        if "quiet" in kwargs:
            kwargs["quiet"] = True
        parameters: dict[str, object] = super()._get_parameters(**kwargs)
        return parameters

    @staticmethod
    def _verify_format(format: str | None, *, required: bool = True) -> None:
        """graphviz's check of ``format`` (graphviz calls this for every format given), then the renderer's."""
        graphviz.Digraph._verify_format(format, required=required)
        if format is None:
            return
        try:
            program = find_renderer()
        except RendererNotFound:
            return  # the drawing can still be built and read; rendering it will say what to install
        made = renderer_formats(program)
        if format.lower() not in made:
            name = Path(program).name
            advice = ("; for PDF and the rest install the system Graphviz (`apt-get install graphviz`, "
                      "`brew install graphviz`), which is used instead when present" if name == "graphviz-pure" else "")
            raise ValueError(f"format={format!r}: {name}, the renderer found, cannot make it; it makes "
                             f"{', '.join(sorted(made))}{advice}")
