"""Stepping through backprop: ``step_through(root)`` gives the frames, ``Steps`` plays them.

The frames, in order:

1. forward: one per op, in build (topological) order. The op's result is
   highlighted with the arithmetic that made it; results not computed yet
   show their data as "–".
2. backward: one frame for the seed (∂root/∂root = 1), then one per edge of
   the backward walk, in the order the walk takes them: nodes in reverse
   topological order, each node's operands in order. A frame is one edge, not
   one node, because an edge is one term of the chain rule, one multiplication
   a learner can check. Its caption spells the term out: the local derivative
   ∂out/∂operand as a formula in the operands' names and as a number, then
   upstream × local = contribution. The edge is drawn pointing the way the
   gradient flows, from the op back to the operand; every gradient received
   so far is shown. A node with k operands takes k frames; an operand used
   twice (``a + a``) receives two contributions.

All frames share one layout: every record is laid out at the largest size it
takes in any frame, so a node keeps its place and size while its text and
colours change (``Steps`` stores one picture and what changes per frame).

The backward frames are recorded from ``autograd.propagate(root, on_edge=...)``,
the walk ``Value.backward`` runs, so the player shows exactly what backward
computes. Nothing is written to any ``.grad``.

What captions call a node comes from its op's row (display form and noun), and
the local derivative's formula is the row's own rule run on symbols
(``autograd.symbolic``); ``describe`` and ``local_formula`` give both.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, overload
from collections.abc import Iterable

from .backprop import propagate
from .draw import Picture, short_number
from .graph import topological_order
from .ops import ATOM, SUM, UNARY, Op
from .symbolic import formulas
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


class _Spec(NamedTuple):
    """What one frame draws, before it is drawn."""

    caption: str
    phase: str
    current: Value
    grads: dict[Value, float]
    known: set[Value] | None
    edge: tuple[Value, int] | None


def step_through(root: Value, rankdir: str = "LR", *, parameters: Iterable[Value] | None = None,
                 focus: Any = None, max_nodes: int = MAX_NODES) -> Steps:
    """The forward and backward pass behind ``root``, one frame per step (see the module docstring).

    ``parameters`` picks the parameter leaves for the colours, as in
    ``draw_dot``. ``focus`` (a module such as ``model.layers[0].neurons[0]``,
    or its parameters) steps through that neuron alone, for one sample that
    uses it (the first a walk from ``root`` reaches): its ops from its inputs to its output, whose gradient is
    the one the whole of ``root``'s graph sends back to it. Graphs of more than
    ``max_nodes`` drawn nodes are refused: they make thousands of frames.
    """
    notation = root
    seed = 1.0
    frontier: set[Value] = set()
    if focus is not None:
        chosen = _focus_parameters(focus)
        root, frontier = _focused(root, chosen)
        seed = float(propagate(notation)[root])
        parameters = chosen if parameters is None else parameters
    picture = Picture(root, parameters, frontier)
    ops = picture.op_nodes()
    picture.check_size(len(picture.nodes) + len(ops), max_nodes,
                       "step through one neuron of one sample: step_through(loss, focus=model.layers[0].neurons[0]), "
                       "or the loss of one sample")
    specs = _forward(picture, ops) + _backward(picture, notation, seed)
    labels: dict[Value, list[str]] = {node: [] for node in picture.nodes}
    for spec in specs:
        for node in picture.nodes:
            labels[node].append(picture.record(node, spec.grads, spec.known is None or node in spec.known))
    sizes = picture.fixed_sizes(labels, rankdir)
    frames = [Frame(picture.drawing(rankdir, spec.grads, known=spec.known, current=spec.current, edge=spec.edge,
                                    sizes=sizes, legend_missing=True), spec.caption, spec.phase, spec.current)
              for spec in specs]
    where = "" if focus is None else f", one sample of {describe(notation)}"
    return Steps(frames, title=f"Backprop through {describe(root)}{where}, step by step")


def _forward(picture: Picture, ops: list[Value]) -> list[_Spec]:
    known = {node for node in picture.nodes if not picture.is_op(node)}
    specs = []
    for count, node in enumerate(ops, 1):
        known.add(node)
        specs.append(_Spec(f"forward {count}/{len(ops)}: {_computation(node)}", "forward", node, {},
                           set(known), None))
    return specs


def _backward(picture: Picture, notation: Value, seed: float) -> list[_Spec]:
    """The seed frame, then one frame per edge of the walk ``propagate`` takes inside the picture."""
    root = picture.root
    big_r, s = _symbol(notation), _symbol(root)
    received: dict[Value, float] = {root: seed}
    if notation is root:
        start = f"backward starts at {describe(root)}: ∂{s}/∂{s} = {short_number(seed)}, the seed"
    else:
        start = (f"backward starts at {describe(root)} with ∂{big_r}/∂{s} = {short_number(seed)}: "
                 f"the gradient the rest of {big_r}'s graph sends back to it")
    specs = [_Spec(start, "backward", root, dict(received), None, None)]
    edges = sum(len(node.parents) for node in picture.op_nodes())
    uses = Counter(x for node in picture.op_nodes() for x in node.parents)
    position: Counter[Value] = Counter()

    def on_edge(out: Value, operand: Value, upstream: Any, local: Any, contribution: Any) -> None:
        if out not in picture.index or not picture.is_op(out):
            return  # behind the frontier: not in this picture
        before = received.get(operand)
        received[operand] = contribution if before is None else before + contribution
        o, x = _symbol(out), _symbol(operand)
        derivative = f"∂{o}/∂{x}"
        if out.label and _wrap(_written(out)) != o:
            derivative += f" = ∂{_wrap(_written(out))}/∂{x}"
        formula = local_formula(out, position[out])
        if formula is not None and formula != short_number(local):
            derivative += f" = {formula}"
        chain = f"∂{big_r}/∂{x}" + (" gets" if uses[operand] > 1 else " =")
        through = "" if out is notation else f" ∂{big_r}/∂{o} × ∂{o}/∂{x} ="
        caption = (f"backward {len(specs)}/{edges}: the gradient flows from {describe(out)} back to "
                   f"{describe(operand)}. Local derivative: {derivative} = {short_number(local)}. "
                   f"Chain rule: {chain}{through} {short_number(upstream)} × {short_number(local)} "
                   f"= {short_number(contribution)}")
        if uses[operand] > 1:
            caption += f"; {x} is used {uses[operand]} times, its grad so far is {short_number(received[operand])}"
        specs.append(_Spec(caption, "backward", operand, dict(received), None, (out, position[out])))
        position[out] += 1

    propagate(root, seed, on_edge=on_edge)
    return specs


def _focus_parameters(focus: Any) -> set[Value]:
    if isinstance(focus, Value):
        return {focus}
    chosen = focus.parameters() if callable(getattr(focus, "parameters", None)) else focus
    try:
        found = set(chosen)
    except TypeError:
        raise TypeError(f"step_through(focus=...) takes a module (with parameters()) or Values, "
                        f"got {type(focus).__name__}") from None
    if not found or not all(isinstance(p, Value) for p in found):
        raise TypeError(f"step_through(focus=...) takes a module (with parameters()) or Values, got {focus!r}")
    return found


def _focused(root: Value, chosen: set[Value]) -> tuple[Value, set[Value]]:
    """The output of the focus's ops for one sample (the first the walk from ``root`` reaches), and the nodes
    to draw as its inputs.

    The focus's ops use one of its parameters, or only other such ops and its
    parameters (the activation after a neuron's sum).
    """
    order = topological_order(root)
    own: set[Value] = set()
    for node in order:
        if node.op and (any(x in chosen for x in node.parents) or all(x in own or x in chosen for x in node.parents)):
            own.add(node)
    # Where the focus reads its input: an op of focus parameters and of something else (not a p*p), the one
    # made most of focus parameters (a neuron's Σwx+b, not an l2 penalty's Σp·p over every parameter).
    reads = [node for node in order if node in own and any(x in chosen for x in node.parents)
             and not all(x in chosen for x in node.parents)]
    first = max(reads, key=lambda node: sum(x in chosen for x in node.parents) / len(node.parents), default=None)
    if first is None:
        raise ValueError("step_through(focus=...): the graph uses none of the focus's parameters")
    users: dict[Value, list[Value]] = {}
    for node in order:
        for x in node.parents:
            users.setdefault(x, []).append(node)
    out = first
    while (nxt := next((user for user in users.get(out, []) if user in own), None)) is not None:
        out = nxt
    return out, {node for node in order if node.op and node not in own}


# ------------------------------------------------------------------ captions
# What a node is and how it is written come from its op's row (its display form and noun); its local
# derivatives are the row's own rule run on symbols named after the operands (autograd.symbolic).

Text = tuple[str, int]  # a formula and how tightly it binds (ops.SUM ... ops.ATOM)
_COMPOUND = re.compile(r"[ +·*/^-]")


def _number(x: float) -> Text:
    text = short_number(x)
    return text, UNARY if text.startswith("-") else ATOM


def _form(node: Value, args: Sequence[Text]) -> tuple[str, Text]:
    """(what it is, how it is written) of ``node``'s op over the operand texts ``args``.

    A node built by hand, the lecture's way, is written ``name(args)``.
    """
    op = node.operation
    if not isinstance(op, Op):
        return "", (f"{node.op}({', '.join(text for text, _ in args)})", ATOM)
    return op.noun, op.write(args)


def _expression(node: Value, depth: int = 2) -> Text:
    """``node`` written out: its label, a constant's value, else its op over its operands (… past ``depth``)."""
    if node.label:  # a label such as "x1*w1" reads as a formula: parenthesised inside one
        return node.label, SUM if _COMPOUND.search(node.label) else ATOM
    if not node.op:
        return _number(node.data)
    if depth == 0:
        return "…", ATOM
    return _written(node, depth)


def _written(node: Value, depth: int = 2) -> Text:
    return _form(node, [_expression(x, depth - 1) for x in node.parents])[1]


def _wrap(text: Text) -> str:
    """A formula in parentheses unless it binds as tightly as a name, for ∂ notation: ∂(d * f)/∂d."""
    return text[0] if text[1] >= ATOM else f"({text[0]})"


def _symbol(node: Value) -> str:
    """``node`` as it appears in ∂ notation: its label or expression, in parentheses if compound."""
    return _wrap(_expression(node))


def describe(node: Value) -> str:
    """What captions call ``node``: its label; a constant's value; else what it is, "the product a * b", "tanh(…)"."""
    if node.label or not node.op:
        return _expression(node)[0]
    kind, written = _form(node, [_expression(x, 1) for x in node.parents])
    return f"{kind} {written[0]}" if kind else written[0]


def local_formula(node: Value, position: int) -> str | None:
    """∂node/∂(its operand at ``position``) as a formula in the operands' names: "f" for d * f; None if unknown."""
    op = node.operation
    if not isinstance(op, Op):  # a hand-written _backward: nothing to read a formula from
        return None
    args = [_expression(x) for x in node.parents]
    derivatives = formulas(op.local_grads, _expression(node) if node.label else op.write(args), args)
    return None if derivatives is None else derivatives[position]


def _computation(node: Value) -> str:
    """How ``node`` was computed, in names and in numbers: ``n = a + b = 1.0 + 2.0 = 3.0``."""
    numbers = _form(node, [_number(x.data) for x in node.parents])[1][0]
    head = f"{node.label} = {_written(node, 1)[0]}" if node.label else describe(node)
    return f"{head} = {numbers} = {short_number(node.data)}"


# ------------------------------------------------------------------ the player
class Steps(Sequence[Frame]):
    """The frames of ``step_through``; displays as a player in Jupyter, ``save_html`` writes it as a page.

    ``len(steps)``, ``steps[i].graph`` (a ``graphviz.Digraph``), ``steps[i].caption``.
    Every frame is rendered to SVG once, all in one run of the renderer, when
    the player is first shown or saved. In Jupyter its mimebundle also holds a
    PNG of the last frame (every gradient) and a line saying how to play it,
    for viewers that run no script.
    """

    def __init__(self, frames: Sequence[Frame], title: str = "Backprop, step by step") -> None:
        self._frames = list(frames)
        self.title = title
        self._svgs: list[str] | None = None
        self._png: str | None = None

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

    def png(self) -> str:
        """The last frame as a base64 PNG, rendered once."""
        if self._png is None:
            from .render import png_base64

            self._png = png_base64(self._frames[-1].graph.source)
        return self._png

    def html(self) -> str:
        """The player as an HTML fragment (what Jupyter shows)."""
        from .player import player_html

        return player_html(self.svgs(), [frame.caption for frame in self._frames], self.png())

    def how_to_play(self) -> str:
        """The plain-text line of the mimebundle."""
        return (f"{self!r}: a step-through player. The picture shows the last frame; to play it, run the cell "
                f"(or trust the notebook), or open the page that steps.save_html(\"backprop.html\") writes.")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict[str, str]:
        return {"text/html": self.html(), "image/png": self.png(), "text/plain": self.how_to_play()}

    def save_html(self, path: str | os.PathLike[str]) -> Path:
        """Write the player as a standalone page (it needs no internet) and return its path."""
        from .player import player_page

        path = Path(path)
        path.write_text(player_page(self.svgs(), [frame.caption for frame in self._frames], self.title),
                        encoding="utf-8")
        return path

