"""step_through: frames in order, captions in words, values equal to backward(), the player's HTML."""

from __future__ import annotations

import re

import pytest

import autograd
from autograd import Steps, Value, propagate, step_through
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
    assert steps[5].caption == "backward starts at o: its grad is ∂o/∂o = 1.0"
    # do/dn = 1 - tanh(n)² = 0.5, then + passes 0.5 to both sides, then * swaps the operands' data.
    assert steps[6].caption == "grad 1.0 flows from o to n: 1.0 × local 0.5 = 0.5"
    captions = [f.caption for f in steps]
    assert "grad 0.5 flows from x1*w1 to x1: 0.5 × local -3.0 = -1.5" in captions
    assert "grad 0.5 flows from x1*w1 to w1: 0.5 × local 2.0 = 1.0" in captions
    assert "forward 2/5: x1*w1 = x1 * w1 = 2.0 * -3.0 = -6.0" in captions


def test_the_highlighted_edge_is_labelled_upstream_times_local():
    v = lecture_neuron()
    frame = next(f for f in step_through(v["o"]) if f.caption.startswith("grad 0.5 flows from x1*w1 to x1:"))
    source = frame.graph.source
    edge = re.findall(r'(v\d+) -> (op\d+) \[label="([^"]+)".*class=current', source)
    assert len(edge) == 1 and edge[0][2] == "0.5 × -3.0 = -1.5"
    x1 = re.search(r'(v\d+) \[label="\{ x1 \|', source).group(1)
    assert edge[0][0] == x1
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
    assert [f.caption for f in steps] == [
        "forward 1/1: b = a + a = 3.0 + 3.0 = 6.0",
        "backward starts at b: its grad is ∂b/∂b = 1.0",
        "grad 1.0 flows from b to a: 1.0 × local 1.0 = 1.0; a is used 2 times, its grad so far is 1.0",
        "grad 1.0 flows from b to a: 1.0 × local 1.0 = 1.0; a is used 2 times, its grad so far is 2.0",
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
    assert captions[0] == "forward 1/2: #2 = x * 2.0 = 1.5 * 2.0 = 3.0"  # #k: k-th node in build order
    assert captions[1] == "forward 2/2: #3 = exp(#2) = exp(3.0) = 20.0855"


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
    fragment = steps._repr_html_()
    assert fragment.count("<script") == 1  # the player's own, nothing from a label
    assert "alert('x')" not in fragment.replace("&lt;script&gt;alert(&#x27;x&#x27;)", "")
    assert "&lt;script&gt;" in fragment
    assert 'onload="alert(1)' not in fragment
    assert fragment.count('class="ag-frame"') == len(steps)
    page = steps.save_html(tmp_path / "player.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("<script") == 1
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)  # nothing fetched from the internet
    assert re.findall(r'id="(ag-player-\w+)"', fragment) != re.findall(r'id="(ag-player-\w+)"', steps.html())


def test_the_player_template_files_ship_in_the_package():
    from importlib.resources import files

    for name in ("player.html", "player.css", "player.js", "player_page.html"):
        assert files("autograd").joinpath(name).is_file()
