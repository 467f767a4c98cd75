"""step_through: frames in order, captions in words, values equal to backward(), the player's HTML."""

from __future__ import annotations

import base64
import json
import re

import pytest

import autograd
from autograd import Steps, Value, propagate, step_through
from autograd.draw import number, short_number
from test_draw import LECTURE_GRADS, lecture_neuron, records


def test_one_frame_per_forward_op_then_seed_then_one_per_backward_edge():
    v = lecture_neuron()
    steps = step_through(v["o"])
    assert isinstance(steps, Steps)
    nodes, edges = autograd.trace(v["o"])
    ops = [n for n in nodes if not n.is_leaf()]
    assert len(steps) == len(ops) + 1 + len(edges) == 5 + 1 + 9
    assert [f.phase for f in steps] == ["forward"] * 5 + ["backward"] * 10
    assert [f.current for f in steps[:5]] == ops  # build (topological) order
    assert all(isinstance(f.graph, autograd.render.Drawing) for f in steps)


def test_captions_in_words_with_the_lecture_numbers():
    v = lecture_neuron()
    steps = step_through(v["o"])
    assert steps[4].caption == "forward 5/5: o = tanh(n) = tanh(0.8814) = 0.7071"
    assert steps[5].caption == "backward starts at o: ∂o/∂o = 1.0, the seed"
    # do/dn = 1 - o² = 0.5 (tanh's rule, 1 - out·out, in the operands' names), then + passes 0.5 to both sides, then * swaps the operands' data.
    assert steps[6].caption == ("backward 1/9: the gradient flows from o back to n. Local derivative: "
                                "∂o/∂n = ∂tanh(n)/∂n = 1.0 - o * o = 0.5. Chain rule: ∂o/∂n = 1.0 × 0.5 = 0.5")
    captions = [f.caption for f in steps]
    assert ("backward 6/9: the gradient flows from x1*w1 back to x1. Local derivative: "
            "∂(x1*w1)/∂x1 = ∂(x1 * w1)/∂x1 = w1 = -3.0. "
            "Chain rule: ∂o/∂x1 = ∂o/∂(x1*w1) × ∂(x1*w1)/∂x1 = 0.5 × -3.0 = -1.5") in captions
    assert any(c.startswith("backward 7/9:") and "∂(x1 * w1)/∂w1 = x1 = 2.0" in c and c.endswith("0.5 × 2.0 = 1.0")
               for c in captions)
    assert "forward 2/5: x1*w1 = x1 * w1 = 2.0 * -3.0 = -6.0" in captions


def test_the_highlighted_edge_points_the_way_the_gradient_flows():
    v = lecture_neuron()
    frame = next(f for f in step_through(v["o"]) if f.caption.startswith("backward 6/9:"))
    source = frame.graph.source
    edge = re.findall(r'(v\d+) -> (op\d+) \[(.*class=current.*)\]', source)
    assert len(edge) == 1 and "dir=back" in edge[0][2]  # the arrowhead at the operand: op -> x1
    assert "label=" not in edge[0][2]  # an edge label would move the layout; the caption has the numbers
    x1 = re.search(r'(v\d+) \[label="\{ x1 \|', source).group(1)
    assert edge[0][0] == x1
    out = re.search(r'(v\d+) \[label="\{ x1\*w1 \|', source).group(1)
    assert re.search(rf"\t{edge[0][1]} -> {out} \[.*dir=back", source)  # and from x1*w1 into its op
    assert re.search(r'label="\{ x1 \| data 2.0000 \| grad -1.5000 \}".*class=current', source)


def test_final_frame_grads_equal_backward_and_the_lecture():
    v = lecture_neuron()
    steps = step_through(v["o"])
    assert v["x1"].grad == 0.0  # stepping writes no .grad
    v["o"].backward()
    last = records(steps[-1].graph.source)
    for name, value in v.items():
        assert last[name].endswith(f"grad {value.grad:.4f}")
    for name, grad in LECTURE_GRADS.items():
        assert v[name].grad == pytest.approx(grad)
    # Grads fill in as the walk goes: none in the forward frames, all by the end.
    assert records(steps[4].graph.source)["x1"].endswith("grad –")
    assert records(steps[-2].graph.source)["w2"].endswith("grad –")


def test_a_reused_operand_gets_one_frame_per_use_and_its_running_sum():
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    steps = step_through(b)
    edge = ("the gradient flows from b back to a. Local derivative: ∂b/∂a = ∂(a + a)/∂a = 1.0. "
            "Chain rule: ∂b/∂a gets 1.0 × 1.0 = 1.0; a is used 2 times, its grad so far is ")
    assert [f.caption for f in steps] == [
        "forward 1/1: b = a + a = 3.0 + 3.0 = 6.0",
        "backward starts at b: ∂b/∂b = 1.0, the seed",
        "backward 1/2: " + edge + "1.0",
        "backward 2/2: " + edge + "2.0",
    ]
    assert records(steps[-1].graph.source)["a"] == "a | data 3.0000 | grad 2.0000"


def test_backward_frames_come_from_propagate_the_walk_backward_uses(monkeypatch):
    v = lecture_neuron()
    calls = []

    def spy(root, seed=1.0, create_graph=False, on_edge=None):
        calls.append(on_edge)
        return propagate(root, seed, create_graph, on_edge)

    monkeypatch.setattr(autograd.steps, "propagate", spy)
    steps = step_through(v["o"])
    assert len(calls) == 1 and calls[0] is not None
    walked = []
    propagate(v["o"], on_edge=lambda out, x, up, local, c: walked.append((out, x, c)))
    backward_edges = [f for f in steps if f.phase == "backward"][1:]
    assert [f.current for f in backward_edges] == [x for _, x, _ in walked]


def test_unlabelled_nodes_and_constants_get_names_in_captions():
    x = Value(1.5, label="x")
    y = (x * 2).exp()
    captions = [f.caption for f in step_through(y)]
    assert captions[0] == "forward 1/2: the product x * 2.0 = 1.5 * 2.0 = 3.0"  # named by what it is
    assert captions[1] == "forward 2/2: exp(x * 2.0) = exp(3.0) = 20.0855"
    assert captions[3].startswith("backward 1/3: the gradient flows from exp(x * 2.0) back to the product x * 2.0. "
                                  "Local derivative: ∂exp(x * 2.0)/∂(x * 2.0) = exp(x * 2.0) = 20.0855.")
    assert not any("#" in caption or "-0.0000" in caption for caption in captions)


def test_big_graphs_are_refused():
    x = Value(0.5, label="x")
    y = x
    for _ in range(60):
        y = y * 1.01
    with pytest.raises(ValueError, match="more than max_nodes=100"):
        step_through(y)
    assert len(step_through(y, max_nodes=1000)) == 60 + 1 + 120


def test_player_html_escapes_labels_and_captions(tmp_path):
    x = Value(2.0, label="<script>alert('x')</script>")
    y = x * x
    y.label = 'y" onload="alert(1)'
    steps = step_through(y)
    fragment = steps.html()
    assert fragment.count("<script") == 2  # the player's own (its data, its code), nothing from a label
    data = re.search(r'<script type="application/json" class="ag-data">(.*?)</script>', fragment, re.S).group(1)
    assert "<" not in data and ">" not in data  # nothing in the JSON can close or open a tag
    assert json.loads(data)["captions"] == [f.caption for f in steps]
    assert "alert('x')" not in fragment.replace(data, "").replace("&lt;script&gt;alert(&#x27;x&#x27;)", "")
    assert "&lt;script&gt;" in fragment
    assert 'onload="alert(1)' not in fragment
    page = steps.save_html(tmp_path / "player.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("<script") == 2
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)  # nothing fetched from the internet
    assert re.findall(r'id="(ag-player-\w+)"', fragment) != re.findall(r'id="(ag-player-\w+)"', steps.html())


def test_frames_share_one_layout_and_the_player_stores_one_picture():
    v = lecture_neuron()
    steps = step_through(v["o"])
    svgs = steps.svgs()

    def boxes(svg):
        return re.findall(r'<g id="(v\d+|op\d+)" class="node[^"]*">\s*<title>[^<]*</title>\s*<(?:polygon|ellipse)[^>]*'
                          r'(?:points|cx)="([^"]+)"', svg)

    first = boxes(svgs[0])
    assert len(first) == 10 + 5
    assert all(boxes(svg) == first for svg in svgs)  # every node keeps its place and size, first frame to last
    from autograd.player import frame_changes

    changes = frame_changes(svgs)
    assert len(changes["frames"]) == len(steps) and len(changes["svg"]) == len(svgs[0])
    stored = len(changes["svg"]) + sum(len(m) for versions in changes["versions"] for m in versions)
    assert stored < sum(map(len, svgs)) / 3  # far less than a picture per frame


def test_the_mimebundle_has_html_a_png_of_the_last_frame_and_how_to_play():
    v = lecture_neuron()
    steps = step_through(v["o"])
    bundle = steps._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/png", "text/plain"}
    png = base64.b64decode(bundle["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert f'src="data:image/png;base64,{bundle["image/png"]}"' in bundle["text/html"]  # where no script runs
    assert "run the cell" in bundle["text/plain"] and "trust the notebook" in bundle["text/plain"]
    assert "save_html" in bundle["text/plain"]


def test_focus_steps_through_one_neuron_of_one_sample_of_a_batch():
    import nn

    X, y = nn.make_moons(100, seed=0)
    model = nn.MLP(2, [16, 16, 1], seed=0)
    loss = nn.hinge_loss([model(x) for x in X], [2 * c - 1 for c in y])
    with pytest.raises(ValueError, match=r"focus=model.layers\[0\].neurons\[0\]"):
        step_through(loss)
    neuron = model.layers[1].neurons[3]
    steps = step_through(loss, focus=neuron)
    grads = propagate(loss)
    out = steps[-1].graph  # the neuron's output for the first sample: relu(Σwx+b)
    assert [f.phase for f in steps].count("forward") == 2
    first = [f for f in steps if f.phase == "backward"][0]
    sample_out = first.current
    assert sample_out.op == "relu" and sample_out.parents[0].op == "Σwx+b"
    assert first.caption.startswith("backward starts at relu(") and f"= {short_number(grads[sample_out])}" in first.caption
    # The weights' grads in the last frame are this sample's share of the loss's gradient.
    records_ = records(out.source)
    w = neuron.w[0]
    x = sample_out.parents[0].parents[len(neuron.w)]
    share = grads[sample_out] * (1.0 if sample_out.data > 0 else 0.0) * x.data
    assert records_[w.label].endswith(f"grad {number(share)}")
    assert len(steps) < 60


def test_the_player_template_files_ship_in_the_package():
    from importlib.resources import files

    for name in ("player.html", "player.css", "player.js", "player_page.html"):
        assert files("autograd").joinpath(name).is_file()
