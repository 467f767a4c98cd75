"""draw_dot: the DOT it writes (golden), roles and legend, "–" for grads not computed, escaping, grouping, rendering."""

from __future__ import annotations

import base64
import re

import pytest

import nn

from autograd import Value, draw_dot, propagate, trace
from autograd.draw import ROLE_COLOURS


def lecture_neuron() -> dict[str, Value]:
    """The micrograd lecture's neuron: o = tanh(x1*w1 + x2*w2 + b), with its published numbers."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, n=n, o=o)


# Published in the lecture (and micrograd's README figure): grads after o.backward().
LECTURE_GRADS = {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5, "n": 0.5, "o": 1.0}

GOLDEN_A_PLUS_A = """\
digraph {
	graph [fontname="Helvetica,Arial,sans-serif" fontsize=14 rankdir=LR ranksep=0.25]
	node [fontname="Helvetica,Arial,sans-serif" fontsize=14 margin="0.06,0.05" shape=record style=filled]
	edge [fontname="Helvetica,Arial,sans-serif" fontsize=14]
	v0 [label="{ a | data 3.0000 | grad 2.0000 }" fillcolor="#cfe6ff" id=v0]
	v1 [label="{ b | data 6.0000 | grad 1.0000 }" fillcolor="#c9efc4" id=v1]
	op1 [label="+" fillcolor="#eeeeee" id=op1 shape=ellipse]
	op1 -> v1 [id=o1]
	v0 -> op1 [id=e1_0]
	v0 -> op1 [id=e1_1]
	subgraph cluster_legend {
		color="#767676" fontcolor="#555555" fontsize=12 label=legend style="rounded,dashed"
		legend_input [label=input fillcolor="#cfe6ff" fontsize=12 height=0.3 id=legend_input margin="0.06,0.03" shape=box]
		legend_output [label=output fillcolor="#c9efc4" fontsize=12 height=0.3 id=legend_output margin="0.06,0.03" shape=box]
		legend_input -> legend_output [style=invis]
	}
}
"""


def records(source: str) -> dict[str, str]:
    """label field -> the whole record label, for every value node of a DOT source."""
    found = re.findall(r'\[label="\{ (.*?) \}"', source)
    return {fields.split(" | ")[0]: fields for fields in found}


def test_golden_dot_source_of_a_plus_a():
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    b.backward()
    assert draw_dot(b).source == GOLDEN_A_PLUS_A


def test_one_edge_per_operand_use_as_trace_counts():
    a = Value(3.0, label="a")
    c = a * a + a
    source = draw_dot(c).source
    _, edges = trace(c)
    operand_edges = re.findall(r"\tv\d+ -> op\d+", source)
    assert len(operand_edges) == len(edges) == 4
    assert len(re.findall(r"\tv0 -> op1 \[", source)) == 2  # a * a: two edges from a


def test_records_follow_the_lecture_after_backward():
    v = lecture_neuron()
    v["o"].backward()
    rows = records(draw_dot(v["o"]).source)
    for name, grad in LECTURE_GRADS.items():
        assert rows[name] == f"{name} | data {v[name].data:.4f} | grad {grad:.4f}"
    assert rows["x1*w1"] == "x1*w1 | data -6.0000 | grad 0.5000"
    assert len(rows) == 10  # one record per value
    ops = re.findall(r'\top\d+ \[label="?([^" ]+)"?', draw_dot(v["o"]).source)
    assert sorted(ops) == ["*", "*", "+", "+", "tanh"]


def test_grads_not_computed_show_a_dash_and_the_legend_says_so():
    v = lecture_neuron()
    source = draw_dot(v["o"]).source
    assert all(row.endswith("grad –") for name, row in records(source).items() if name in v)
    assert "not computed yet" in source
    v["o"].backward()
    after = draw_dot(v["o"]).source
    assert "grad –" not in after and "not computed yet" not in after


def test_explicit_grads_mapping_partial_and_show_grad_off():
    v = lecture_neuron()
    grads = propagate(v["o"])
    only_inputs = {v[name]: grads[v[name]] for name in ("x1", "w1")}
    rows = records(draw_dot(v["o"], grads=only_inputs).source)
    assert rows["x1"].endswith("grad -1.5000") and rows["w1"].endswith("grad 1.0000")
    assert rows["n"].endswith("grad –")
    assert v["x1"].grad == 0.0  # drawing never runs backward
    plain = records(draw_dot(v["o"], show_grad=False).source)
    assert plain["x1"] == "x1 | data 2.0000"


def fill_of(source: str, label: str) -> str:
    return re.search(r'label="\{ ' + re.escape(label) + r' \|[^\]]*fillcolor="(#\w+)"', source).group(1)


def test_roles_are_coloured_and_the_legend_lists_them():
    x = Value(1.5, label="x")
    w = Value(-2.0, label="layers.0.neurons.3.w.1")
    y = (w * x + 2.0).relu()
    y.label = "y"
    source = draw_dot(y).source
    assert fill_of(source, "x") == ROLE_COLOURS["input"]
    assert fill_of(source, "layers.0.neurons.3.w.1") == ROLE_COLOURS["parameter"]
    assert re.search(r'label="\{  \| data 2.0000 \| grad – \}" fillcolor="' + ROLE_COLOURS["constant"], source)
    assert fill_of(source, "y") == ROLE_COLOURS["output"]
    assert re.search(r'v3 \[label="\{  \| data -3.0000 \| grad – \}" fillcolor="' + ROLE_COLOURS["intermediate"], source)
    for role in ROLE_COLOURS:
        assert f"legend_{role} [label={role}" in source
    # parameters= overrides the naming rule: here x is the parameter and w an input.
    chosen = draw_dot(y, parameters=[x]).source
    assert fill_of(chosen, "x") == ROLE_COLOURS["parameter"]
    assert fill_of(chosen, "layers.0.neurons.3.w.1") == ROLE_COLOURS["input"]


NASTY = 'a|b{c}<d>"e" & \\n'


def test_labels_with_record_syntax_are_escaped_and_render():
    x = Value(1.0, label=NASTY)
    y = x * 2.0
    y.label = "<script>alert(1)</script>"
    svg = draw_dot(y).pipe(format="svg").decode()
    shown = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "a|b{c}&lt;d&gt;&quot;e&quot; &amp; \\n" in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert "<script" not in svg


def small_mlp(samples: int, fused: bool = True) -> tuple[Value, nn.MLP]:
    """A 2-2-1 tanh network of nn, its squared error summed over a few samples; and the model."""
    model = nn.MLP(2, [2, 1], activation="tanh", seed=0, fused=fused)
    loss = Value(0.0, label="zero")
    for s in range(samples):
        out = model([Value(0.3 * s - 0.2, label=f"x{s}_0"), Value(0.1 * s + 0.4, label=f"x{s}_1")])
        loss = loss + (out - 1.0) ** 2
    return loss, model


def boxes_of(source: str) -> dict[str, tuple[int, int]]:
    """group name -> (parameters, ops) of every group box in a DOT source."""
    found = re.findall(r'g\d+ \[label="([\w.]+)\\n(\d+) parameters, (\d+) ops"', source)
    return {name: (int(p), int(o)) for name, p, o in found}


@pytest.mark.parametrize("fused", [True, False])
def test_group_neuron_collapses_each_neuron_into_one_box(fused):
    loss, model = small_mlp(samples=2, fused=fused)
    source = draw_dot(loss, group="neuron", model=model).source
    boxes = boxes_of(source)
    assert sorted(boxes) == ["layers.0.neurons.0", "layers.0.neurons.1", "layers.1.neurons.0"]
    # Per neuron and sample, fused: linear (and tanh in the hidden layer); granular: 2 *, 2 + (and tanh).
    per_sample = {"layers.0.neurons.0": 2, "layers.0.neurons.1": 2, "layers.1.neurons.0": 1}
    if not fused:
        per_sample = {name: count + 3 for name, count in per_sample.items()}
    assert boxes == {name: (3, 2 * count) for name, count in per_sample.items()}  # w.0, w.1, b; 2 samples
    assert "layers.0.neurons.0.w.0" not in source  # no parameter record left
    # groups= is the explicit way, the same picture.
    assert draw_dot(loss, groups=model.groups("neuron")).source == source
    assert sorted(boxes_of(draw_dot(loss, group="layer", model=model).source)) == ["layers.0", "layers.1"]
    draw_dot(loss, group="neuron", model=model).pipe(format="svg")  # and it renders


def drawn_nodes(source: str) -> int:
    """How many nodes a DOT source draws, the legend's left out."""
    return len(re.findall(r"^\t\w+ \[", source, re.M))


def test_the_readme_batch_loss_draws_small_when_grouped():
    X, y = nn.make_moons(100, seed=0)
    model = nn.MLP(2, [16, 16, 1], seed=0)
    loss = nn.hinge_loss([model(x) for x in X], [2 * c - 1 for c in y]) + 1e-4 * nn.l2(model.parameters())
    loss.backward()
    with pytest.raises(ValueError, match=r'more than max_nodes=500.*groups=model.groups\("layer"\)'):
        draw_dot(loss)
    for level in ("layer", "neuron"):
        source = draw_dot(loss, group=level, model=model).source
        assert drawn_nodes(source) < 60, level
        assert re.search(r'label="relu ×100"', source)  # each sample's hinge, folded into one box
        assert re.search(r'label="×\d{3,}"', source)  # edges between boxes carry their count
    assert sorted(boxes_of(draw_dot(loss, group="layer", model=model).source)) == ["layers.0", "layers.1", "layers.2"]


def test_grouping_needs_groups_and_says_how():
    loss, model = small_mlp(samples=40)
    with pytest.raises(ValueError, match=r"group='layer', model=model"):
        draw_dot(loss, group="layer")
    with pytest.raises(ValueError, match=r"MLP has no modules to group"):
        draw_dot(loss, group="module", model=model)
    with pytest.raises(ValueError, match="max_nodes=3"):
        draw_dot(loss, group="layer", model=model, max_nodes=3)


def test_every_string_in_dot_is_text_never_an_html_label(tmp_path):
    from autograd import Op

    weird = Op('<<TABLE HREF="https://example.com"><TR><TD>x</TD></TR></TABLE>>', lambda a: a, lambda out, a: (1.0,))
    x = Value(1.0, label="<b>bold</b>")
    y = weird(x) * Value(2.0, label="nul\x00here")
    y.label = "<script>alert(1)</script>"
    drawing = draw_dot(y)
    assert "label=<" not in drawing.source and 'label="<<TABLE' in drawing.source  # quoted, not an HTML-like label
    svg = drawing.pipe(format="svg", encoding="utf-8")
    shown = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "&lt;&lt;TABLE HREF=&quot;https://example.com&quot;&gt;&lt;TR&gt;&lt;TD&gt;x&lt;/TD&gt;&lt;/TR&gt;&lt;/TABLE&gt;&gt;" in shown
    assert "&lt;b&gt;bold&lt;/b&gt;" in shown and "nul\\x00here" in shown
    assert "<a" not in svg and "<script" not in svg


def test_no_minus_zero_and_tiny_numbers_stay_visible():
    from autograd.draw import number, short_number

    assert number(-0.0) == "0.0000" and number(-0.00001) == "-1.0e-05" and number(-0.00005) == "-0.0001"
    assert short_number(-0.0) == "0.0" and short_number(0.5) == "0.5" and short_number(-1e-7) == "-1.0e-07"


def test_svg_and_png_render_and_jupyter_gets_svg(tmp_path):
    v = lecture_neuron()
    v["o"].backward()
    drawing = draw_dot(v["o"])
    svg = drawing.pipe(format="svg")
    assert b"<svg" in svg[:400] and svg.rstrip().endswith(b"</svg>")
    assert b"grad &#45;1.5000" in svg  # Graphviz writes "-" as &#45;
    png = drawing.pipe(format="png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000
    bundle = drawing._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml") and re.search(r'<svg width="100%"\s+viewBox=', bundle["image/svg+xml"])
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"  # for viewers that show no SVG
    assert bundle["text/plain"].startswith("<Drawing:")
    written = drawing.render(outfile=tmp_path / "neuron.png", cleanup=True)
    assert open(written, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert not (tmp_path / "neuron.gv").exists()
