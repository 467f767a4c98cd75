"""The lecture's own ``graphviz.Digraph`` renders after ``import autograd``, with no system Graphviz.

Each case runs a fresh interpreter (the venv's python, by its absolute path)
on a PATH built for it: an empty directory, so neither ``dot`` nor the venv's
``bin`` is on it (a Jupyter kernel started from a venv that was never
activated), or the venv's ``bin`` alone with ``VIRTUAL_ENV`` set (an activated
venv), or a directory holding a ``dot`` of our own (a system Graphviz), which
must be the one that runs.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autograd.renderer import find_graphviz_pure

REPOSITORY = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent

# The lecture's way of drawing: its own walk over _prev and _op, a plain Digraph.
LECTURE_DRAWING = '''
from graphviz import Digraph

def trace(root):
    nodes, edges = set(), set()
    def build(v):
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)
    build(root)
    return nodes, edges

def draw(root):
    dot = Digraph(format="svg", graph_attr={"rankdir": "LR"})
    nodes, edges = trace(root)
    for n in nodes:
        uid = str(id(n))
        dot.node(name=uid, label="{ %s | data %.4f | grad %.4f }" % (n.label, n.data, n.grad), shape="record")
        if n._op:
            dot.node(name=uid + n._op, label=n._op)
            dot.edge(uid + n._op, uid)
    for n1, n2 in edges:
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)
    return dot

p = Value(3.0, label="p"); q = Value(0.5, label="q")
r = p * q; r.label = "r"
s = (r + p).tanh(); s.label = "s"
s.backward()
'''

REPORT = '''
import graphviz
from autograd import draw_dot
ours = draw_dot(s, format="svg", rankdir="LR")
dot = draw(s)
svg = dot.pipe().decode()
bundle = dot._repr_mimebundle_()
rendered = dot.render("gout")
print(json.dumps({
    "binary": str(graphviz.backend.dot_command.DOT_BINARY),
    "top_level_binary": str(graphviz.DOT_BINARY),
    "svg": svg,
    "bundle_svg": bundle.get("image/svg+xml", ""),
    "rendered": rendered,
    "rendered_text": open(rendered).read(),
    "ours_svg": ours.pipe().decode(),
    "ours_bundle_svg": ours._repr_mimebundle_().get("image/svg+xml", ""),
    "ours_rendered": ours.render("ours"),
}))
'''

AUTOGRAD_FIRST = "import json\nfrom autograd import Value\n" + LECTURE_DRAWING + REPORT
GRAPHVIZ_FIRST = "import json, graphviz\nfrom autograd import Value\n" + LECTURE_DRAWING + REPORT
# Asking whether graphviz is installed (as nn.demo does) is not importing it: the hook must still fire.
ASKED_FIRST = ("import json, importlib.util\nfrom autograd import Value\nassert importlib.util.find_spec('graphviz')\n"
               + LECTURE_DRAWING + REPORT)


def run(code: str, path: list[Path], cwd: Path, **env: str) -> dict[str, str]:
    """``code`` run by the venv's python, by absolute path, with PATH exactly ``path``; its JSON report."""
    environment = {"PATH": os.pathsep.join(map(str, path)), "PYTHONPATH": str(REPOSITORY), **env}
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=environment, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    report: dict[str, str] = json.loads(done.stdout)
    return report


def executable(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def assert_lecture_picture(report: dict[str, str], cwd: Path) -> None:
    for svg in (report["svg"], report["bundle_svg"], report["rendered_text"]):
        assert "<svg" in svg and "</svg>" in svg
        for text in ("data 3.0000", "data 0.5000", "tanh", "grad 1.0000"):
            assert text in svg, text
    assert report["rendered"] == "gout.svg"
    assert (cwd / "gout").read_text().startswith("digraph")
    for svg in (report["ours_svg"], report["ours_bundle_svg"], (cwd / "ours.svg").read_text()):
        assert "<svg" in svg and "data 3.0000" in svg and "tanh" in svg
    assert report["ours_rendered"] == "ours.svg"


def test_the_tests_run_on_a_virtual_environment():
    assert sys.prefix != sys.base_prefix, "run the tests from the venv (.ci/test makes .venv)"
    assert find_graphviz_pure() is not None


@pytest.mark.parametrize("code", [AUTOGRAD_FIRST, GRAPHVIZ_FIRST, ASKED_FIRST],
                         ids=["autograd-first", "graphviz-first", "find_spec-first"])
def test_a_plain_digraph_renders_from_a_venv_that_is_not_activated(code, tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    report = run(code, [empty], tmp_path)
    assert Path(report["binary"]) == Path(find_graphviz_pure() or "")
    assert report["top_level_binary"] == report["binary"]
    assert Path(report["binary"]).parent == VENV_BIN  # found beside python, not on the PATH
    assert_lecture_picture(report, tmp_path)


def test_a_plain_digraph_renders_from_an_activated_venv(tmp_path):
    report = run(AUTOGRAD_FIRST, [VENV_BIN], tmp_path, VIRTUAL_ENV=str(VENV_BIN.parent))
    assert Path(report["binary"]) == VENV_BIN / "graphviz-pure"
    assert_lecture_picture(report, tmp_path)


def test_a_system_dot_wins_and_graphviz_is_left_as_it_was(tmp_path):
    system = tmp_path / "system-bin"
    system.mkdir()
    log = tmp_path / "dot-was-run"
    executable(system / "dot", f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{find_graphviz_pure()}" "$@"\n')
    report = run(AUTOGRAD_FIRST, [system], tmp_path)
    assert report["binary"] == "dot"  # graphviz's default, untouched: it finds our dot on the PATH
    assert_lecture_picture(report, tmp_path)
    runs = log.read_text().splitlines()
    renders = [line for line in runs if line != "-T?"]  # -T? : draw_dot asking which formats it makes
    svgs = [line for line in renders if line.startswith("-Kdot -Tsvg")]
    assert len(svgs) == 6  # 3 drawings each, the plain Digraph and draw_dot
    assert renders.count("-Kdot -Tpng") == 1 and len(renders) == 7  # draw_dot's bundle also holds a PNG


def test_a_dot_binary_the_user_chose_is_left_alone(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    code = ("import json, graphviz, pathlib\n"
            "graphviz.backend.dot_command.DOT_BINARY = pathlib.Path('/opt/my-graphviz/dot')\n"
            "import autograd\n"
            "print(json.dumps({'binary': str(graphviz.backend.dot_command.DOT_BINARY)}))")
    assert run(code, [empty], tmp_path)["binary"] == "/opt/my-graphviz/dot"


def test_importing_autograd_leaves_imports_as_they_were(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    code = textwrap.dedent("""
        import json, sys
        before = list(sys.meta_path)
        import autograd
        imported_graphviz = "graphviz" in sys.modules
        import graphviz
        print(json.dumps({"imported_graphviz": imported_graphviz,
                          "meta_path_restored": sys.meta_path == before,
                          "loader": type(graphviz.__loader__).__name__,
                          "spec_loader": type(graphviz.__spec__.loader).__name__}))
    """)
    report = run(code, [empty], tmp_path)
    assert report == {"imported_graphviz": False, "meta_path_restored": True,
                      "loader": "SourceFileLoader", "spec_loader": "SourceFileLoader"}
