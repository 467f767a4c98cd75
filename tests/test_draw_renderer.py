"""Finding a renderer: the system `dot` first, else graphviz-pure beside Python, else an error saying what to install."""

from __future__ import annotations

import os
import stat
import sys
import sysconfig
from pathlib import Path

import pytest

from autograd import Value, draw_dot
from autograd.render import render
from autograd.renderer import RendererNotFound, find_renderer


def graph() -> Value:
    a = Value(2.0, label="a")
    return a * a


def executable(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def no_system_dot(monkeypatch, tmp_path):
    """A PATH with neither dot nor graphviz-pure on it."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return empty


def test_graphviz_pure_is_found_beside_python_without_dot_on_path(no_system_dot):
    found = find_renderer()
    assert Path(found).name == "graphviz-pure"
    assert Path(found).parent in {Path(sysconfig.get_path("scripts")), Path(sys.executable).parent}
    png = draw_dot(graph()).pipe(format="png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_system_dot_on_path_wins_and_is_the_one_that_renders(no_system_dot, tmp_path):
    pure = find_renderer()  # graphviz-pure, from beside Python
    log = tmp_path / "dot-was-run"
    executable(no_system_dot / "dot", f'#!/bin/sh\necho "$@" > "{log}"\nexec "{pure}" "$@"\n')
    assert find_renderer() == str(no_system_dot / "dot")
    svg = render(draw_dot(graph()).source, "svg").decode()  # the path step_through's frames take
    assert "<svg" in svg
    assert log.read_text().split() == ["-Kdot", "-Tsvg"]
    # A drawing renders through the graphviz package: tests/test_lecture_graphviz.py runs it with a system dot.


def test_neither_renderer_gives_a_clear_error_naming_what_to_install(no_system_dot, monkeypatch, tmp_path):
    nowhere = tmp_path / "no-scripts"
    nowhere.mkdir()
    monkeypatch.setattr(sysconfig, "get_path", lambda name, *args, **kwargs: str(nowhere))
    monkeypatch.setattr(sys, "executable", str(nowhere / "python"))
    with pytest.raises(RendererNotFound, match=r"graphviz-pure.*apt-get install graphviz"):
        find_renderer()
    drawing = draw_dot(graph(), format="png")  # building the DOT (and choosing a format) needs no renderer
    assert "digraph" in drawing.source
    with pytest.raises(RendererNotFound, match=r"pip install 'scalar-autograd\[viz\]'"):
        render(drawing.source, "svg")


def test_a_renderer_failure_says_what_the_renderer_said():
    with pytest.raises(RuntimeError, match=r"-Tsvg failed \(exit code \d+\): .+"):
        render("digraph { a -> }", "svg")


def test_graphviz_is_imported_only_when_drawing():
    import subprocess

    code = "import sys, autograd; print('graphviz' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.stdout.strip() == "False"
