"""draw_dot takes micrograd's ``draw_dot(root, format='svg', rankdir='LR')`` and refuses what it cannot do."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograd import Value, draw_dot
from autograd.render import renderer_formats
from autograd.renderer import find_renderer


def graph() -> Value:
    a = Value(2.0, label="a")
    b = Value(-1.0, label="b")
    return (a * b).tanh()


def test_micrograd_signature_format_then_rankdir():
    drawing = draw_dot(graph(), "png", "TB")
    assert drawing.format == "png"
    assert "rankdir=TB" in drawing.source
    assert drawing.pipe()[:8] == b"\x89PNG\r\n\x1a\n"
    assert draw_dot(graph(), format="svg", rankdir="LR").format == "svg"


def test_render_writes_svg_by_default(tmp_path):
    written = draw_dot(graph()).render(tmp_path / "gout")
    assert Path(written) == tmp_path / "gout.svg"
    assert "<svg" in (tmp_path / "gout.svg").read_text()
    assert (tmp_path / "gout").read_text().startswith("digraph")


@pytest.mark.parametrize("rankdir", ["TB", "LR", "BT", "RL"])
def test_every_graphviz_direction_is_accepted(rankdir):
    assert f"rankdir={rankdir}" in draw_dot(graph(), rankdir=rankdir).source


@pytest.mark.parametrize("rankdir", ["svg", "lr", "left", ""])
def test_an_unknown_rankdir_is_refused_by_name(rankdir):
    with pytest.raises(ValueError, match=rf"rankdir must be one of 'TB', 'LR', 'BT', 'RL'.*got {rankdir!r}"):
        draw_dot(graph(), rankdir=rankdir)


def test_a_rank_direction_given_as_the_format_says_to_pass_rankdir():
    # draw_dot(y, "TB") was rankdir="TB" before draw_dot took micrograd's order.
    with pytest.raises(ValueError, match=r"format='TB'.*rank direction.*pass rankdir='TB'"):
        draw_dot(graph(), "TB")


def test_show_grad_and_the_rest_are_keyword_only():
    with pytest.raises(TypeError):
        draw_dot(graph(), "svg", "LR", False)  # type: ignore[misc]
    assert "grad" not in draw_dot(graph(), show_grad=False).source


def test_a_format_the_renderer_cannot_make_is_refused_with_the_formats_it_can(tmp_path):
    made = renderer_formats(find_renderer())
    assert {"svg", "png"} <= made
    candidates = ("pdf", "gif", "ps", "bmp", "tiff", "lasi", "xlib", "pov", "vrml")  # the graphviz package knows all
    unmade = next(f for f in candidates if f not in made)
    listed = r".*".join(sorted(made))
    advice = "; for PDF and the rest install the system Graphviz" if Path(find_renderer()).name == "graphviz-pure" else ""
    for attempt in (lambda: draw_dot(graph(), format=unmade),
                    lambda: draw_dot(graph()).pipe(format=unmade),
                    lambda: draw_dot(graph()).render(tmp_path / "x", format=unmade)):
        with pytest.raises(ValueError, match=rf"format='{unmade}': \S+, the renderer found, cannot make it; "
                                             rf"it makes {listed}{advice}"):
            attempt()


def test_a_format_graphviz_does_not_know_gets_graphviz_error():
    with pytest.raises(ValueError, match="unknown format: 'nonsense'"):
        draw_dot(graph(), format="nonsense")
