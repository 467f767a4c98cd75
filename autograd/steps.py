"""Stepping through backprop: ``step_through(root)`` gives the frames, ``Steps`` plays them.

The frames, in order:

1. forward: one per op, in build (topological) order. The op's result is
   highlighted with the arithmetic that made it; results not computed yet
   show their data as "–".
2. backward: one frame for the seed (∂root/∂root = 1), then one per edge of
   the backward walk, in the order the walk takes them: nodes in reverse
   topological order, each node's operands in order. A frame is one edge, not
   one node, because an edge is one term of the chain rule, one multiplication
   a learner can check: the edge is labelled ``upstream × local = contribution``
   (∂L/∂out · ∂out/∂operand), the operand that receives it is highlighted, and
   every gradient received so far is shown. A node with k operands takes k
   frames; an operand used twice (``a + a``) receives two contributions.

The backward frames are recorded from ``autograd.propagate(root, on_edge=...)``,
the walk ``Value.backward`` runs, so the player shows exactly what backward
computes. Nothing is written to any ``.grad``.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from collections.abc import Sequence
from typing import TYPE_CHECKING, Callable, Iterable, NamedTuple, overload

from .backprop import propagate
from .draw import Picture
from .ops import ATOM, UNARY, Op
from .value import Value

if TYPE_CHECKING:
    from .render import Drawing

MAX_NODES = 100


class Frame(NamedTuple):
    """One picture of the player: the graph, its caption, and which phase it belongs to."""

    graph: Drawing
    caption: str
    phase: str  # "forward" or "backward"
    current: Value  # the highlighted node


def step_through(root: Value, rankdir: str = "LR", *, parameters: Iterable[Value] | None = None,
                 max_nodes: int = MAX_NODES) -> Steps:
    """The forward and backward pass behind ``root``, one frame per step (see the module docstring).

    ``parameters`` picks the parameter leaves for the colours, as in
    ``draw_dot``. Graphs of more than ``max_nodes`` drawn nodes are refused:
    they make thousands of frames; step through one neuron or one sample.
    """
    picture = Picture(root, parameters)
    ops = picture.op_nodes()
    picture.check_size(len(picture.nodes) + len(ops), max_nodes)
    name = picture.name
    frames: list[Frame] = []

    known = {node for node in picture.nodes if node.operation is None}
    for count, node in enumerate(ops, 1):
        known.add(node)
        caption = f"forward {count}/{len(ops)}: {_formula(node, name)}"
        frames.append(Frame(picture.drawing(rankdir, {}, known=set(known), current=node), caption, "forward", node))

    seed = 1.0
    received: dict[Value, float] = {root: seed}
    frames.append(Frame(picture.drawing(rankdir, dict(received), current=root),
                        f"backward starts at {name(root)}: its grad is ∂{name(root)}/∂{name(root)} = {_short(seed)}",
                        "backward", root))
    uses = Counter(x for node in ops for x in node.parents)
    position: Counter[Value] = Counter()

    def on_edge(out: Value, operand: Value, upstream: float, local: float, contribution: float) -> None:
        before = received.get(operand)
        received[operand] = contribution if before is None else before + contribution
        caption = (f"grad {_short(upstream)} flows from {name(out)} to {name(operand)}: "
                   f"{_short(upstream)} × local {_short(local)} = {_short(contribution)}")
        if uses[operand] > 1:
            caption += (f"; {name(operand)} is used {uses[operand]} times, "
                        f"its grad so far is {_short(received[operand])}")
        edge = (out, position[out], f"{_short(upstream)} × {_short(local)} = {_short(contribution)}")
        position[out] += 1
        frames.append(Frame(picture.drawing(rankdir, dict(received), current=operand, edge=edge),
                            caption, "backward", operand))

    propagate(root, seed, on_edge=on_edge)
    return Steps(frames, title=f"Backprop through {name(root)}, step by step")


class Steps(Sequence[Frame]):
    """The frames of ``step_through``; displays as a player in Jupyter, ``save_html`` writes it as a page.

    ``len(steps)``, ``steps[i].graph`` (a ``graphviz.Digraph``), ``steps[i].caption``.
    Every frame is rendered to SVG once, all in one run of the renderer, when
    the player is first shown or saved.
    """

    def __init__(self, frames: Sequence[Frame], title: str = "Backprop, step by step") -> None:
        self._frames = list(frames)
        self.title = title
        self._svgs: list[str] | None = None

    def __len__(self) -> int:
        return len(self._frames)

    @overload
    def __getitem__(self, i: int) -> Frame: ...

    @overload
    def __getitem__(self, i: slice) -> list[Frame]: ...

    def __getitem__(self, i: int | slice) -> Frame | list[Frame]:
        return self._frames[i]

    def __repr__(self) -> str:
        forward = sum(frame.phase == "forward" for frame in self._frames)
        return f"<Steps: {forward} forward and {len(self) - forward} backward frames>"

    def svgs(self) -> list[str]:
        """Every frame as an inline SVG element, rendered once."""
        if self._svgs is None:
            from .render import render_svgs

            self._svgs = render_svgs([frame.graph.source for frame in self._frames])
        return self._svgs

    def html(self) -> str:
        """The player as an HTML fragment (what Jupyter shows)."""
        from .player import player_html

        return player_html(self.svgs(), [frame.caption for frame in self._frames])

    _repr_html_ = html

    def save_html(self, path: str | os.PathLike) -> Path:
        """Write the player as a standalone page (it needs no internet) and return its path."""
        from .player import player_page

        path = Path(path)
        path.write_text(player_page(self.svgs(), [frame.caption for frame in self._frames], self.title),
                        encoding="utf-8")
        return path


def _short(x: float) -> str:
    """A number for a caption: at most 4 decimals, trailing zeros dropped (0.5, 1.0, -1.5, 0.7071)."""
    text = f"{x:.4f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _formula(node: Value, name: Callable[[Value], str]) -> str:
    """How ``node`` was computed, in names and in numbers: ``n = a + b = 1.0 + 2.0 = 3.0``.

    Written with the op's display form from the op table.
    """
    inputs = node.parents
    op = node.operation
    if isinstance(op, Op):
        symbolic = op.write([(name(x), ATOM) for x in inputs])[0]
        numeric = op.write([(_short(x.data), UNARY if _short(x.data).startswith("-") else ATOM) for x in inputs])[0]
    else:  # a node built by hand, the lecture's way: its op's name
        symbolic = f"{node.op}({', '.join(name(x) for x in inputs)})"
        numeric = f"{node.op}({', '.join(_short(x.data) for x in inputs)})"
    return f"{name(node)} = {symbolic} = {numeric} = {_short(node.data)}"
