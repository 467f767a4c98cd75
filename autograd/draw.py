"""Drawing a graph: ``draw_dot``, the picture of the micrograd lecture, kept honest.

Every value is a record ``label | data | grad`` (numbers as ``%.4f``), every op
a small ellipse between its operands and its result, and every use of an
operand is its own edge: ``a + a`` draws two edges from ``a``.

Colours say what a value is (the legend in the picture repeats them):

* input, blue: a labelled leaf that is not a parameter, the data you feed in;
* parameter, orange: a leaf given in ``parameters=``; without that argument,
  a leaf whose label is a dotted module path such as ``layers.0.neurons.3.w.1``
  (the names ``nn`` gives its parameters);
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
with a message, not left to hang the layout; ``group="neuron"`` or
``group="layer"`` collapses each neuron or layer into one box. A parameter
belongs to the neuron (layer) its name says: the part of the label up to
``neurons.K`` (``layers.K``). An op node belongs to a group when one of its
operands is a parameter of that group (the ``Σwx+b`` or ``w*x`` of a neuron),
or when all its operands belong to that group (the activation after it, the
sums of a granular neuron). The root is never grouped.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Iterable, Mapping

from .graph import topological_order
from .value import Value

if TYPE_CHECKING:
    from .render import Drawing

MAX_NODES = 500
RANKDIRS = ("TB", "LR", "BT", "RL")
NOT_COMPUTED = "–"

# role -> fill colour; the order is the legend's.
ROLE_COLOURS = {
    "input": "#cfe6ff",
    "parameter": "#ffdca8",
    "constant": "#e4e4e4",
    "intermediate": "#ffffff",
    "output": "#c9efc4",
}
HIGHLIGHT = "#d62728"
_FONT = "Helvetica,Arial,sans-serif"
_PARAMETER_NAME = re.compile(r"[A-Za-z_]\w*(?:\.\w+)+")
_GROUP_PREFIX = {"neuron": re.compile(r"(.*?\bneurons\.\d+)\."), "layer": re.compile(r"(.*?\blayers\.\d+)\.")}


def draw_dot(root: Value, format: str = "svg", rankdir: str = "LR", *, show_grad: bool = True,
             grads: Mapping[Value, float] | None = None, parameters: Iterable[Value] | None = None,
             group: str | None = None, max_nodes: int = MAX_NODES) -> Drawing:
    """The graph behind ``root`` as a ``graphviz.Digraph`` that displays inline in Jupyter.

    The first three parameters are micrograd's ``draw_dot(root, format='svg', rankdir='LR')``.
    ``format`` is what ``.pipe()`` and ``.render(name)`` make (``name.svg`` by
    default); one the renderer cannot make is refused with the list it can.
    ``rankdir`` is Graphviz's direction, one of ``RANKDIRS`` ("LR": inputs on the left). ``grads``
    maps nodes to the gradients to show (default: ``.grad``, once a backward
    pass has reached ``root``); ``show_grad=False`` leaves the grad field out.
    ``parameters`` names the parameter leaves (default: leaves with dotted
    names). ``group`` is None, "neuron" or "layer". See the module docstring
    for the colours, the "–" and the grouping rule.
    """
    check_rankdir(rankdir)
    if format.upper() in RANKDIRS:
        raise ValueError(f"draw_dot(format={format!r}): that is a rank direction, not a file format; the order is "
                         f"micrograd's, draw_dot(root, format='svg', rankdir='LR'): pass rankdir={format!r}")
    picture = Picture(root, parameters)
    if grads is None:
        grads = picture.backward_grads()
    if group is None:
        picture.check_size(len(picture.nodes) + len(picture.op_nodes()), max_nodes)
        drawing = picture.drawing(rankdir, grads if show_grad else None)
    else:
        drawing = picture.grouped(group, rankdir, grads if show_grad else None, max_nodes)
    drawing.format = format
    return drawing


def check_rankdir(rankdir: str) -> None:
    """Refuse a ``rankdir`` Graphviz does not know (it would silently draw top to bottom)."""
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(map(repr, RANKDIRS))} (Graphviz's directions: "
                         f"top to bottom, left to right, ...), got {rankdir!r}")


def number(x: float) -> str:
    """A number as the records show it: ``%.4f``."""
    return f"{x:.4f}"


def dot_text(text: str) -> str:
    """``text`` for a quoted DOT label, shown literally: no escape sequence or HTML entity survives."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;").replace("\n", " ")


def record_text(text: str) -> str:
    """``text`` for one field of a record label: also escapes the record syntax ``{ } | < >``."""
    return re.sub(r"([{}|<>])", r"\\\1", dot_text(text))


class Picture:
    """The nodes of one graph with their ids, names and roles, drawn whole, in frames or grouped."""

    def __init__(self, root: Value, parameters: Iterable[Value] | None = None) -> None:
        self.root = root
        self.nodes = topological_order(root)
        self.index = {node: i for i, node in enumerate(self.nodes)}
        chosen = None if parameters is None else set(parameters)
        self.roles = {node: self._role(node, chosen) for node in self.nodes}

    def _role(self, node: Value, parameters: set[Value] | None) -> str:
        if node is self.root:
            return "output"
        if node.operation is not None:
            return "intermediate"
        if parameters is not None:
            if node in parameters:
                return "parameter"
        elif _PARAMETER_NAME.fullmatch(node.label):
            return "parameter"
        return "input" if node.label else "constant"

    def op_nodes(self) -> list[Value]:
        return [node for node in self.nodes if node.operation is not None]

    def name(self, node: Value) -> str:
        """What captions call a node: its label, a constant's value, else ``#k`` (its place in build order)."""
        if node.label:
            return node.label
        if self.roles[node] == "constant":
            return repr(node.data)
        return f"#{self.index[node]}"

    def backward_grads(self) -> dict[Value, float]:
        """Every ``.grad``, if a backward pass has reached the root (``root.grad != 0``), else none."""
        if self.root.grad == 0.0:
            return {}
        return {node: node.grad for node in self.nodes}

    @staticmethod
    def check_size(count: int, max_nodes: int, grouped: str | None = None) -> None:
        if count <= max_nodes:
            return
        advice = ("try group=\"layer\", or draw a smaller batch" if grouped == "neuron" else
                  "draw a smaller batch" if grouped == "layer" else
                  "try draw_dot(root, group=\"neuron\") or group=\"layer\" to collapse each neuron or layer into one box")
        raise ValueError(f"this graph has {count} nodes to draw, more than max_nodes={max_nodes}: the layout would "
                         f"take long and the picture would be unreadable; {advice}, or raise max_nodes")

    # ---------------------------------------------------------------- drawing
    def drawing(self, rankdir: str = "LR", grads: Mapping[Value, float] | None = None, *,
                known: set[Value] | None = None, current: Value | None = None,
                edge: tuple[Value, int, str] | None = None) -> Drawing:
        """The whole graph.

        ``grads`` maps nodes to the gradients shown (missing: "–"; None: no grad
        field). ``known`` holds the nodes whose data is computed (None: all),
        ``current`` is highlighted, and ``edge = (out, position, text)`` marks
        the edge from ``out``'s operand at ``position`` with ``text``.
        """
        dot = self._new_drawing(rankdir)
        missing = False
        for i, node in enumerate(self.nodes):
            missing |= self._value_node(dot, node, grads, known is None or node in known, node is current)
            if node.operation is None:
                continue
            computing = node is current and edge is None  # a forward step: the op at work
            self._op_node(dot, node, computing)
            for position, operand in enumerate(node.parents):
                if edge is not None and edge[0] is node and edge[1] == position:
                    dot.edge(f"v{self.index[operand]}", f"op{i}", label=dot_text(edge[2]), color=HIGHLIGHT,
                             fontcolor=HIGHLIGHT, fontsize="13", penwidth="2.5", **{"class": "current"})
                elif computing:
                    dot.edge(f"v{self.index[operand]}", f"op{i}", color=HIGHLIGHT, penwidth="2")
                else:
                    dot.edge(f"v{self.index[operand]}", f"op{i}")
        self._legend(dot, missing)
        return dot

    def grouped(self, group: str, rankdir: str = "LR", grads: Mapping[Value, float] | None = None,
                max_nodes: int = MAX_NODES) -> Drawing:
        """The graph with each neuron's (``group="neuron"``) or layer's (``"layer"``) nodes in one box."""
        if group not in _GROUP_PREFIX:
            raise ValueError(f'group must be None, "neuron" or "layer", got {group!r}')
        member = self._membership(_GROUP_PREFIX[group])
        names = list(dict.fromkeys(member.values()))
        loose = [node for node in self.nodes if node not in member]
        self.check_size(len(names) + len(loose) + sum(1 for n in loose if n.operation is not None), max_nodes, group)

        dot = self._new_drawing(rankdir)
        box = {name: f"g{k}" for k, name in enumerate(names)}
        contents = Counter((member[node], node.operation is None) for node in member)
        for name in names:
            parameters, ops = contents[name, True], contents[name, False]
            dot.node(box[name], f"{group} {dot_text(name)}\\n{parameters} parameters, {ops} ops", shape="box",
                     style="filled,rounded", penwidth="2", margin="0.15,0.08", fillcolor=ROLE_COLOURS["parameter"])
        missing = False
        for node in loose:
            missing |= self._value_node(dot, node, grads)
            if node.operation is not None:
                self._op_node(dot, node)

        def endpoint(node: Value, as_consumer: bool) -> str:
            if node in member:
                return box[member[node]]
            return f"op{self.index[node]}" if as_consumer else f"v{self.index[node]}"

        uses = Counter((endpoint(x, False), endpoint(node, True))
                       for node in self.nodes for x in node.parents)
        for (tail, head), count in uses.items():
            if tail != head:
                dot.edge(tail, head, label=f"×{count}" if count > 1 else None)
        self._legend(dot, missing)
        return dot

    def _membership(self, prefix: re.Pattern) -> dict[Value, str]:
        """The group of every grouped node, by the rule in the module docstring."""
        member: dict[Value, str] = {}
        for node in self.nodes:
            if node.operation is None:
                found = prefix.match(node.label) if self.roles[node] == "parameter" else None
                if found:
                    member[node] = found.group(1)
                continue
            if node is self.root:
                continue
            inputs = node.parents
            own = [member[x] for x in inputs if x in member and x.operation is None]
            if own:
                member[node] = own[0]
            elif all(x in member for x in inputs) and len({member[x] for x in inputs}) == 1:
                member[node] = member[inputs[0]]
        return member

    def _value_node(self, dot: Drawing, node: Value, grads: Mapping[Value, float] | None,
                    known: bool = True, current: bool = False) -> bool:
        """Add ``node``'s record to ``dot``; True if it shows a gradient as not computed."""
        role = self.roles[node]
        fields = [record_text("" if role == "constant" else self.name(node)),
                  f"data {number(node.data) if known else NOT_COMPUTED}"]
        missing = False
        if grads is not None:
            g = grads.get(node)
            missing = g is None
            fields.append(f"grad {NOT_COMPUTED if missing else number(g)}")
        attributes = {"fillcolor": ROLE_COLOURS[role]}
        if not known:
            attributes.update(style="filled,dashed", fontcolor="#888888", color="#888888")
        if current:
            attributes.update(penwidth="3", color=HIGHLIGHT, **{"class": "current"})
        dot.node(f"v{self.index[node]}", "{ " + " | ".join(fields) + " }", **attributes)
        return missing

    def _op_node(self, dot: Drawing, node: Value, highlighted: bool = False) -> None:
        """Add the ellipse of ``node``'s op, with its edge to ``node``'s record."""
        i = self.index[node]
        attributes = {"color": HIGHLIGHT, "penwidth": "2.5"} if highlighted else {}
        dot.node(f"op{i}", dot_text(node.op), shape="ellipse", fillcolor="#eeeeee", **attributes)
        dot.edge(f"op{i}", f"v{i}", **attributes)

    def _new_drawing(self, rankdir: str) -> Drawing:
        from .render import Drawing

        return Drawing(graph_attr={"rankdir": rankdir, "fontname": _FONT, "fontsize": "12"},
                      node_attr={"shape": "record", "style": "filled", "fontname": _FONT, "fontsize": "12"},
                      edge_attr={"fontname": _FONT, "fontsize": "11"})

    def _legend(self, dot: Drawing, missing: bool) -> None:
        present = set(self.roles.values())
        with dot.subgraph(name="cluster_legend") as legend:
            legend.attr(label="legend", style="rounded,dashed", color="#999999", fontcolor="#666666")
            shown = [role for role in ROLE_COLOURS if role in present]
            for role in shown:
                legend.node(f"legend_{role}", role, shape="box", fillcolor=ROLE_COLOURS[role], fontsize="10",
                            height="0.25", margin="0.05,0.02")
            if missing:
                legend.node("legend_missing", f"grad {NOT_COMPUTED} : not computed yet", shape="plaintext",
                            style="", fontsize="10", height="0.25")
                shown.append("missing")
            for above, below in zip(shown, shown[1:]):  # stacked in one column
                legend.edge(f"legend_{above}", f"legend_{below}", style="invis")
