"""Drawing a graph: ``draw_dot``, the picture of the micrograd lecture, kept honest.

Every value is a record ``label | data | grad`` (numbers as ``%.4f``), every op
a small ellipse between its operands and its result, and every use of an
operand is its own edge: ``a + a`` draws two edges from ``a``.

Colours say what a value is (the legend in the picture repeats them):

* input, blue: a labelled leaf that is not a parameter, the data you feed in;
* parameter, orange: a leaf given in ``parameters=`` (or a parameter of
  ``model=``, or a key of ``groups=``); without any of these, a leaf whose
  label is a dotted path such as ``layers.0.neurons.3.w.1``;
* constant, grey: an unlabelled leaf, which is what a plain number in an
  expression (the ``2`` of ``x * 2``) becomes;
* intermediate, white: the result of an op;
* output, green: the root.

A gradient shows as "–" until it has been computed. Every ``.grad`` starts at
0.0, so a zero cannot tell "not computed" from "computed and zero"; the root
decides: ``backward()`` sets ``root.grad`` to its seed (1.0), so while
``root.grad == 0`` no backward pass has run from this root and every gradient
shows "–". Pass ``grads=`` (what ``autograd.propagate`` returns) to draw the
gradients of one pass exactly: nodes missing from it show "–".

Large graphs: more than ``max_nodes`` drawn nodes (values plus ops) is refused
with a message, not left to hang the layout. ``groups=`` maps parameters to the
name of their group (``model.groups("layer")`` in ``nn``; ``group="layer",
model=model`` is the short way) and collapses each group into one box. An op
node belongs to a group when one of its operands is a parameter of that group
(the ``Σwx+b`` or ``w*x`` of a neuron), or when all its operands belong to that
group (the activation after it). The nodes left over that do the same thing
for many samples fold into one box each, with their count: nodes of one kind
(an op, and the kinds of its operands: a group, an op, a leaf's role) are one
box, so a batch of a hundred samples draws no bigger than a batch of two. The
root is never grouped. Edges between boxes carry their count (``×100``).

Every string that reaches DOT (labels, op names, group names) is text: it is
escaped so that Graphviz shows it literally, never as an HTML-like label or
an escape sequence; a control character shows as ``\\xNN``.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from typing import TYPE_CHECKING, Protocol
from collections.abc import Iterable, Mapping

from .graph import topological_order
from .value import Value

if TYPE_CHECKING:
    from graphviz.quoting import NoHtml

    from .render import Drawing

MAX_NODES = 500
RANKDIRS = ("TB", "LR", "BT", "RL")
NOT_COMPUTED = "–"

# role -> fill colour; the order is the legend's. Text on every fill is black (contrast >= 12:1).
ROLE_COLOURS = {
    "input": "#cfe6ff",
    "parameter": "#ffdca8",
    "constant": "#e4e4e4",
    "intermediate": "#ffffff",
    "output": "#c9efc4",
}
HIGHLIGHT = "#c41e1e"  # the step at work: 5.9:1 on white
MUTED = "#555555"  # text not computed yet: 7.5:1 on white, >= 6:1 on every fill
OP_FILL = "#eeeeee"
FONT = "Helvetica,Arial,sans-serif"
FONT_SIZE = 14  # points: node text; 18.7 px at the picture's natural size
LEGEND_FONT_SIZE = 12
_PARAMETER_NAME = re.compile(r"[A-Za-z_]\w*(?:\.\w+)+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Grouped(Protocol):
    """What ``model=`` must be: something with ``parameters()`` and ``groups(level)``, as ``nn.Module`` is."""

    def parameters(self) -> list[Value]: ...

    def groups(self, level: str) -> dict[Value, str]: ...


def draw_dot(root: Value, format: str = "svg", rankdir: str = "LR", *, show_grad: bool = True,
             grads: Mapping[Value, float] | None = None, parameters: Iterable[Value] | None = None,
             groups: Mapping[Value, str] | None = None, group: str | None = None,
             model: Grouped | None = None, max_nodes: int = MAX_NODES) -> Drawing:
    """The graph behind ``root`` as a ``graphviz.Digraph`` that displays inline in Jupyter.

    The first three parameters are micrograd's ``draw_dot(root, format='svg', rankdir='LR')``.
    ``format`` is what ``.pipe()`` and ``.render(name)`` make (``name.svg`` by
    default); one the renderer cannot make is refused with the list it can.
    ``rankdir`` is Graphviz's direction, one of ``RANKDIRS`` ("LR": inputs on the left). ``grads``
    maps nodes to the gradients to show (default: ``.grad``, once a backward
    pass has reached ``root``); ``show_grad=False`` leaves the grad field out.
    ``parameters`` names the parameter leaves (default: ``model``'s, else the
    keys of ``groups``, else leaves with dotted names). ``groups`` maps
    parameters to group names, one box per group; ``group="layer"`` (or
    "neuron") with ``model=`` is ``groups=model.groups(group)``. See the
    module docstring for the colours, the "–" and the grouping rule.
    """
    check_rankdir(rankdir)
    if format.upper() in RANKDIRS:
        raise ValueError(f"draw_dot(format={format!r}): that is a rank direction, not a file format; the order is "
                         f"micrograd's, draw_dot(root, format='svg', rankdir='LR'): pass rankdir={format!r}")
    if group is not None:
        if model is None:
            raise ValueError(f"draw_dot(group={group!r}) needs the model whose parameters to group: "
                             f"draw_dot(root, group={group!r}, model=model), or groups=model.groups({group!r})")
        if groups is not None:
            raise ValueError("draw_dot takes group= (with model=) or groups=, not both")
        groups = model.groups(group)
    if parameters is None:
        parameters = model.parameters() if model is not None else None if groups is None else list(groups)
    picture = Picture(root, parameters)
    if grads is None:
        grads = picture.backward_grads()
    if groups is None:
        picture.check_size(len(picture.nodes) + len(picture.op_nodes()), max_nodes,
                           "pass groups=model.groups(\"layer\") (or group=\"layer\", model=model) "
                           "to collapse each layer into one box")
        drawing = picture.drawing(rankdir, grads if show_grad else None)
    else:
        drawing = picture.grouped(groups, rankdir, grads if show_grad else None, max_nodes)
    drawing.format = format
    return drawing


def check_rankdir(rankdir: str) -> None:
    """Refuse a ``rankdir`` Graphviz does not know (it would silently draw top to bottom)."""
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(map(repr, RANKDIRS))} (Graphviz's directions: "
                         f"top to bottom, left to right, ...), got {rankdir!r}")


def number(x: float) -> str:
    """A number as the records show it: ``%.4f``; never "-0.0000" (tiny values in e-notation: -2.0e-05)."""
    if x != 0.0 and abs(x) < 0.00005:
        return f"{x:.1e}"
    return f"{x + 0.0:.4f}"  # + 0.0 turns -0.0 into 0.0


def short_number(x: float) -> str:
    """A number for a caption: at most 4 decimals, trailing zeros dropped (0.5, 1.0, -1.5, 0.7071)."""
    text = number(x)
    if "e" in text:
        return text
    text = text.rstrip("0")
    return text + "0" if text.endswith(".") else text


def dot_text(text: str) -> NoHtml:
    """``text`` for a quoted DOT label, shown literally: no escape sequence, HTML entity or HTML label survives.

    Marked ``nohtml``: the graphviz package would pass ``<…>`` on as an HTML-like label.
    """
    from .render import nohtml

    text = _CONTROL.sub(lambda m: " " if m.group() in "\t\n\r" else f"\\x{ord(m.group()):02x}", text)
    return nohtml(text.replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;"))


def record_text(text: str) -> str:
    """``text`` for one field of a record label: also escapes the record syntax ``{ } | < >``."""
    return re.sub(r"([{}|<>])", r"\\\1", str(dot_text(text)))


Edge = tuple[Value, int]  # (out, position): the edge from out's operand at position


class Picture:
    """The nodes of one graph with their ids, names and roles, drawn whole, in frames or grouped.

    ``frontier`` nodes are drawn as inputs: the walk from ``root`` stops at them
    (how ``step_through(..., focus=...)`` draws one neuron of a big graph).
    """

    def __init__(self, root: Value, parameters: Iterable[Value] | None = None,
                 frontier: Iterable[Value] = ()) -> None:
        self.root = root
        stop = set(frontier) - {root}
        self.nodes = _order_within(root, stop) if stop else topological_order(root)
        self.frontier = stop & set(self.nodes)
        self.index = {node: i for i, node in enumerate(self.nodes)}
        chosen = None if parameters is None else set(parameters)
        self.roles = {node: self._role(node, chosen) for node in self.nodes}

    def _role(self, node: Value, parameters: set[Value] | None) -> str:
        if node is self.root:
            return "output"
        if node in self.frontier:
            return "input"
        if node.op:
            return "intermediate"
        if parameters is not None:
            if node in parameters:
                return "parameter"
        elif _PARAMETER_NAME.fullmatch(node.label):
            return "parameter"
        return "input" if node.label else "constant"

    def is_op(self, node: Value) -> bool:
        """Whether ``node`` is drawn as the result of an op (a frontier node is drawn as an input)."""
        return bool(node.op) and node not in self.frontier

    def operands(self, node: Value) -> tuple[Value, ...]:
        return node.parents if self.is_op(node) else ()

    def op_nodes(self) -> list[Value]:
        return [node for node in self.nodes if self.is_op(node)]

    def backward_grads(self) -> dict[Value, float]:
        """Every ``.grad``, if a backward pass has reached the root (``root.grad != 0``), else none."""
        if self.root.grad == 0.0:
            return {}
        return {node: node.grad for node in self.nodes}

    @staticmethod
    def check_size(count: int, max_nodes: int, advice: str) -> None:
        if count > max_nodes:
            raise ValueError(f"this graph has {count} nodes to draw, more than max_nodes={max_nodes}: the layout "
                             f"would take long and the picture would be unreadable; {advice}, or raise max_nodes")

    # ---------------------------------------------------------------- drawing
    def record(self, node: Value, grads: Mapping[Value, float] | None, known: bool = True) -> str:
        """The record label of ``node``: ``{ label | data … | grad … }``."""
        fields = [record_text("" if self.roles[node] == "constant" else node.label),
                  f"data {number(node.data) if known else NOT_COMPUTED}"]
        if grads is not None:
            g = grads.get(node)
            fields.append(f"grad {NOT_COMPUTED if g is None else number(g)}")
        return "{ " + " | ".join(fields) + " }"

    def drawing(self, rankdir: str = "LR", grads: Mapping[Value, float] | None = None, *,
                known: set[Value] | None = None, current: Value | None = None, edge: Edge | None = None,
                sizes: Mapping[Value, tuple[float, float]] | None = None,
                legend_missing: bool | None = None) -> Drawing:
        """The whole graph.

        ``grads`` maps nodes to the gradients shown (missing: "–"; None: no grad
        field). ``known`` holds the nodes whose data is computed (None: all),
        ``current`` is highlighted, and ``edge = (out, position)`` is the edge a
        gradient flows back along: drawn from ``out``'s op to the operand at
        ``position``, arrow at the operand. ``sizes`` fixes each record's
        (width, height) in inches, so that frames share one layout;
        ``legend_missing`` forces the legend's "–" entry on or off.
        """
        dot = self._new_drawing(rankdir)
        missing = False
        for i, node in enumerate(self.nodes):
            label = self.record(node, grads, known is None or node in known)
            missing |= grads is not None and node not in grads
            self._value_node(dot, node, label, known is None or node in known, node is current,
                             None if sizes is None else sizes[node])
            if not self.is_op(node):
                continue
            computing = node is current and edge is None  # a forward step: the op at work
            flowing = edge is not None and edge[0] is node
            self._op_node(dot, node, computing or flowing, back=flowing)
            for position, operand in enumerate(node.parents):
                attributes = {"id": f"e{i}_{position}"}
                if flowing and edge is not None and edge[1] == position:
                    attributes.update(color=HIGHLIGHT, penwidth="3", dir="back", arrowsize="1.3",
                                      **{"class": "current"})
                elif computing:
                    attributes.update(color=HIGHLIGHT, penwidth="2")
                dot.edge(f"v{self.index[operand]}", f"op{i}", **attributes)
        self._legend(dot, missing if legend_missing is None else legend_missing)
        return dot

    def fixed_sizes(self, labels: Mapping[Value, Iterable[str]], rankdir: str) -> dict[Value, tuple[float, float]]:
        """Each node's (width, height) in inches: the largest its record takes with any of ``labels[node]``.

        One run of the renderer lays out every label once, in plain format.
        """
        from .render import render

        dot = self._new_drawing(rankdir)
        owner: list[Value] = []
        for node, texts in labels.items():
            for text in dict.fromkeys(texts):
                dot.node(f"s{len(owner)}", text)
                owner.append(node)
        sizes: dict[Value, tuple[float, float]] = {}
        for line in render(dot.source, "plain").decode("utf-8").splitlines():
            parts = line.split(" ")
            if parts[0] == "node":
                node, width, height = owner[int(parts[1][1:])], float(parts[4]), float(parts[5])
                w, h = sizes.get(node, (0.0, 0.0))
                sizes[node] = (max(w, width), max(h, height))
        return sizes

    def grouped(self, groups: Mapping[Value, str], rankdir: str = "LR",
                grads: Mapping[Value, float] | None = None, max_nodes: int = MAX_NODES) -> Drawing:
        """The graph with each group's nodes in one box, and what is left folded by kind (module docstring)."""
        member = self._membership(groups)
        names = list(dict.fromkeys(member.values()))
        loose = [node for node in self.nodes if node not in member]
        kinds = {node: self._kind(node, member) for node in loose if node is not self.root}
        counts = Counter(kinds.values())
        folded = {node: kind for node, kind in kinds.items() if counts[kind] > 1}
        folds = list(dict.fromkeys(folded.values()))
        single = [node for node in loose if node not in folded]
        self.check_size(len(names) + len(folds) + len(single) + sum(map(self.is_op, single)), max_nodes,
                        "choose bigger groups (layers rather than neurons), or draw a smaller batch")

        dot = self._new_drawing(rankdir)
        box = {name: f"g{k}" for k, name in enumerate(names)}
        contents = Counter((member[node], self.is_op(node)) for node in member)
        for name in names:
            parameters, ops = contents[name, False], contents[name, True]
            dot.node(box[name], _lines(name, f"{parameters} parameters, {ops} ops"), id=box[name],
                     shape="box", style="filled,rounded", penwidth="2", margin="0.15,0.08",
                     fillcolor=ROLE_COLOURS["parameter"])
        fold_box = {kind: f"f{k}" for k, kind in enumerate(folds)}
        for kind in folds:
            what = kind[1] if kind[0] == "op" else f"{kind[1]}s"
            dot.node(fold_box[kind], dot_text(f"{what} ×{counts[kind]}"), id=fold_box[kind], shape="box",
                     style="filled,rounded,dashed" if kind[0] == "op" else "filled,rounded",
                     fillcolor=OP_FILL if kind[0] == "op" else ROLE_COLOURS[kind[1]])
        missing = False
        for node in single:
            self._value_node(dot, node, self.record(node, grads))
            missing |= grads is not None and node not in grads
            if self.is_op(node):
                self._op_node(dot, node)

        def endpoint(node: Value, as_consumer: bool) -> str:
            if node in member:
                return box[member[node]]
            if node in folded:
                return fold_box[folded[node]]
            return f"op{self.index[node]}" if as_consumer else f"v{self.index[node]}"

        uses = Counter((endpoint(x, False), endpoint(node, True)) for node in self.nodes for x in self.operands(node))
        for (tail, head), count in uses.items():
            if tail != head:
                dot.edge(tail, head, label=f"×{count}" if count > 1 else None)
        self._legend(dot, missing)
        return dot

    def _kind(self, node: Value, member: Mapping[Value, str]) -> tuple[str, ...]:
        """What a loose node does, for folding: its op and its operands' kinds, or a leaf's role."""
        if not self.is_op(node):
            return ("leaf", self.roles[node])

        def operand_kind(x: Value) -> str:
            if x in member:
                return f"group {member[x]}"
            return f"op {x.op}" if self.is_op(x) else f"leaf {self.roles[x]}"

        return ("op", node.op, *map(operand_kind, node.parents))

    def _membership(self, groups: Mapping[Value, str]) -> dict[Value, str]:
        """The group of every grouped node, by the rule in the module docstring."""
        member: dict[Value, str] = {}
        for node in self.nodes:
            if not self.is_op(node):
                if node in groups and self.roles[node] == "parameter":
                    member[node] = groups[node]
                continue
            if node is self.root:
                continue
            inputs = node.parents
            own = [member[x] for x in inputs if x in member and not self.is_op(x)]
            if own:
                member[node] = own[0]
            elif all(x in member for x in inputs) and len({member[x] for x in inputs}) == 1:
                member[node] = member[inputs[0]]
        return member

    def _value_node(self, dot: Drawing, node: Value, label: str, known: bool = True, current: bool = False,
                    size: tuple[float, float] | None = None) -> None:
        """Add ``node``'s record to ``dot``."""
        i = self.index[node]
        attributes = {"id": f"v{i}", "fillcolor": ROLE_COLOURS[self.roles[node]]}
        if size is not None:
            attributes.update(width=f"{size[0]:.4f}", height=f"{size[1]:.4f}", fixedsize="true")
        if not known:
            attributes.update(style="filled,dashed", fontcolor=MUTED, color=MUTED)
        if current:
            attributes.update(penwidth="3", color=HIGHLIGHT, **{"class": "current"})
        dot.node(f"v{i}", label, **attributes)

    def _op_node(self, dot: Drawing, node: Value, highlighted: bool = False, back: bool = False) -> None:
        """Add the ellipse of ``node``'s op, with its edge to ``node``'s record (pointing back if ``back``)."""
        i = self.index[node]
        attributes = {"color": HIGHLIGHT, "penwidth": "3"} if highlighted else {}
        dot.node(f"op{i}", dot_text(node.op), id=f"op{i}", shape="ellipse", fillcolor=OP_FILL, **attributes)
        dot.edge(f"op{i}", f"v{i}", id=f"o{i}", **attributes, **({"dir": "back", "arrowsize": "1.3"} if back else {}))

    def _new_drawing(self, rankdir: str) -> Drawing:
        from .render import Drawing

        size = str(FONT_SIZE)
        return Drawing(graph_attr={"rankdir": rankdir, "fontname": FONT, "fontsize": size, "ranksep": "0.25"},
                       node_attr={"shape": "record", "style": "filled", "fontname": FONT, "fontsize": size,
                                  "margin": "0.06,0.05"},
                       edge_attr={"fontname": FONT, "fontsize": size})

    def _legend(self, dot: Drawing, missing: bool) -> None:
        present = set(self.roles.values())
        size = str(LEGEND_FONT_SIZE)
        with dot.subgraph(name="cluster_legend") as legend:
            legend.attr(label="legend", style="rounded,dashed", color="#767676", fontcolor=MUTED, fontsize=size)
            shown = [role for role in ROLE_COLOURS if role in present]
            for role in shown:
                legend.node(f"legend_{role}", role, id=f"legend_{role}", shape="box", fillcolor=ROLE_COLOURS[role],
                            fontsize=size, height="0.3", margin="0.06,0.03")
            if missing:
                legend.node("legend_missing", f"{NOT_COMPUTED} : not computed yet", id="legend_missing",
                            shape="plaintext", style="", fontsize=size, height="0.3")
                shown.append("missing")
            for above, below in itertools.pairwise(shown):  # stacked in one column
                legend.edge(f"legend_{above}", f"legend_{below}", style="invis")


def _lines(*lines: str) -> NoHtml:
    """Lines of text as one DOT label."""
    first = dot_text(lines[0])
    return type(first)("\\n".join([first, *map(dot_text, lines[1:])]))


def _order_within(root: Value, stop: set[Value]) -> list[Value]:
    """The nodes ``root`` depends on without passing through ``stop`` (which are included), in topological order."""
    inside = {root}
    todo = [root]
    while todo:
        node = todo.pop()
        if node in stop:
            continue
        for parent in node.parents:
            if parent not in inside:
                inside.add(parent)
                todo.append(parent)
    return [node for node in topological_order(root) if node in inside]
