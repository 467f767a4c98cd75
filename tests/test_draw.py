"""draw_dot: the DOT it writes (golden), roles and legend, "–" for grads not computed, escaping, grouping, rendering."""

from __future__ import annotations

import re

import pytest

from autograd import Value, draw_dot, linear, propagate, trace
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
	graph [fontname="Helvetica,Arial,sans-serif" fontsize=12 rankdir=LR]
	node [fontname="Helvetica,Arial,sans-serif" fontsize=12 shape=record style=filled]
	edge [fontname="Helvetica,Arial,sans-serif" fontsize=11]
	v0 [label="{ a | data 3.0000 | grad 2.0000 }" fillcolor="#cfe6ff"]
	v1 [label="{ b | data 6.0000 | grad 1.0000 }" fillcolor="#c9efc4"]
	op1 [label="+" fillcolor="#eeeeee" shape=ellipse]
	op1 -> v1
	v0 -> op1
	v0 -> op1
	subgraph cluster_legend {
		color="#999999" fontcolor="#666666" label=legend style="rounded,dashed"
		legend_input [label=input fillcolor="#cfe6ff" fontsize=10 height=0.25 margin="0.05,0.02" shape=box]
		legend_output [label=output fillcolor="#c9efc4" fontsize=10 height=0.25 margin="0.05,0.02" shape=box]
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
    assert source.count("\tv0 -> op1\n") == 2  # a * a: two edges from a


def test_records_follow_the_lecture_after_backward():
    v = lecture_neuron()
    v["o"].backward()
    rows = records(draw_dot(v["o"]).source)
    for name, grad in LECTURE_GRADS.items():
        assert rows[name] == f"{name} | data {v[name].data:.4f} | grad {grad:.4f}"
    assert rows["x1*w1"] == "x1*w1 | data -6.0000 | grad 0.5000"
    assert len(rows) == 10  # one record per value
    ops = re.findall(r'op\d+ \[label="?([^" ]+)"?', draw_dot(v["o"]).source)
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
    assert fill_of(source, "#3") == ROLE_COLOURS["intermediate"]  # w*x, unlabelled, named by build position
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


def mlp_by_hand(samples: int, fused: bool = True) -> tuple[Value, int]:
    """A 2-2-1 tanh network with nn's parameter names, summed over a few samples; and its neuron count."""
    sizes = [2, 2, 1]
    params = [[[Value(0.1 * (i + j + k + 1), label=f"layers.{i}.neurons.{j}.w.{k}") for k in range(nin)]
               + [Value(0.05 * (i - j), label=f"layers.{i}.neurons.{j}.b")]
               for j in range(nout)] for i, (nin, nout) in enumerate(zip(sizes, sizes[1:]))]
    loss = Value(0.0, label="zero")
    for s in range(samples):
        xs = [Value(0.3 * s - 0.2, label=f"x{s}_0"), Value(0.1 * s + 0.4, label=f"x{s}_1")]
        for layer in params:
            if fused:
                xs = [linear(n[:-1], xs, n[-1]).tanh() for n in layer]
            else:
                xs = [sum((w * x for w, x in zip(n[:-1], xs)), n[-1]).tanh() for n in layer]
        loss = loss + (xs[0] - 1.0) ** 2
    return loss, sum(len(layer) for layer in params)


@pytest.mark.parametrize("fused", [True, False])
def test_group_neuron_collapses_each_neuron_into_one_box(fused):
    loss, neurons = mlp_by_hand(samples=2, fused=fused)
    source = draw_dot(loss, group="neuron").source
    boxes = re.findall(r'g\d+ \[label="neuron ([\w.]+)\\n(\d+) parameters, (\d+) ops"', source)
    assert sorted(name for name, *_ in boxes) == ["layers.0.neurons.0", "layers.0.neurons.1", "layers.1.neurons.0"]
    # Per neuron and sample, fused: linear, tanh; granular: b + w0*x0 + w1*x1 is 2 * and 2 +, then tanh.
    ops_per_sample = 2 if fused else 5
    counts = {name: (int(p), int(o)) for name, p, o in boxes}
    assert all(count == (3, ops_per_sample * 2) for count in counts.values())  # w.0, w.1, b; 2 samples
    assert "layers.0.neurons.0.w.0" not in re.sub(r"neuron [\w.]+", "", source)  # no parameter record left
    assert len(boxes) == neurons
    layers = re.findall(r'g\d+ \[label="layer ([\w.]+)', draw_dot(loss, group="layer").source)
    assert sorted(layers) == ["layers.0", "layers.1"]
    draw_dot(loss, group="neuron").pipe(format="svg")  # and it renders


def test_too_many_nodes_is_refused_with_advice_not_a_hang():
    loss, _ = mlp_by_hand(samples=40)
    with pytest.raises(ValueError, match=r'more than max_nodes=500.*group="neuron"'):
        draw_dot(loss)
    assert draw_dot(loss, group="layer").source.startswith("digraph")
    with pytest.raises(ValueError, match=r'group must be None, "neuron" or "layer"'):
        draw_dot(loss, group="module")
    with pytest.raises(ValueError, match="max_nodes=10"):
        draw_dot(loss, group="layer", max_nodes=10)


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
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml") and "<svg" in bundle["image/svg+xml"]
    written = drawing.render(outfile=tmp_path / "neuron.png", cleanup=True)
    assert open(written, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert not (tmp_path / "neuron.gv").exists()
