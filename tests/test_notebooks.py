"""The notebooks run top to bottom on this checkout, and are committed with their outputs.

Each notebook is run from a copy in a temporary directory, in a fresh kernel on
this interpreter (``notebooks/refresh.py``), so the committed files are never
rewritten by the tests; any cell that raises fails the test. To refresh the
committed outputs: ``python -m notebooks.refresh``.
"""

from __future__ import annotations

import base64
import importlib.util
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = ["01_micrograd_tour", "02_chain_rule_by_hand", "03_train_an_mlp", "04_property_tests",
             "05_from_scalars_to_tensors"]
# A learner's own notebook in the lecture's style (not one of ours): a fixture of the tests.
LECTURE_STYLE = Path(__file__).resolve().parent / "notebooks" / "lecture_style.ipynb"
# Notebooks that draw graphs (an SVG from draw_dot) and play backprop (the step-through player).
DRAWS_GRAPHS = {"01_micrograd_tour", "02_chain_rule_by_hand", "03_train_an_mlp", "05_from_scalars_to_tensors"}
STEPS_THROUGH = {"01_micrograd_tour", "02_chain_rule_by_hand", "05_from_scalars_to_tensors"}
MAX_PNG_BYTES = 120_000  # plots and drawings are small PNGs
MAX_NOTEBOOK_BYTES = 1_000_000


def _refresh_module():
    spec = importlib.util.spec_from_file_location("notebooks_refresh", NOTEBOOK_DIR / "refresh.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _path(name: str) -> Path:
    return NOTEBOOK_DIR / f"{name}.ipynb"


def _outputs(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]


def _data(notebook: nbformat.NotebookNode, mime: str) -> list[str]:
    return [output.data[mime] for output in _outputs(notebook) if mime in output.get("data", {})]


def test_every_notebook_is_there():
    assert sorted(path.stem for path in NOTEBOOK_DIR.glob("*.ipynb")) == NOTEBOOKS


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_top_to_bottom(name, tmp_path):
    committed = _path(name).read_bytes()
    copy = tmp_path / f"{name}.ipynb"
    shutil.copyfile(_path(name), copy)

    executed = _refresh_module().execute(copy, cwd=tmp_path)  # raises on the first cell that fails

    assert not [o for o in _outputs(executed) if o.output_type == "error"]
    assert _path(name).read_bytes() == committed, "running the notebook must not rewrite the committed file"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_committed_with_its_outputs(name):
    notebook = nbformat.read(_path(name), as_version=4)
    nbformat.validate(notebook)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]

    # Executed in one run, top to bottom: the counts are 1, 2, 3, ... in order.
    assert [cell.execution_count for cell in code_cells] == list(range(1, len(code_cells) + 1))
    outputs = _outputs(notebook)
    assert outputs, "the notebook was committed without outputs: run python -m notebooks.refresh"
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"], \
        "a committed notebook shows no warnings"

    for png in _data(notebook, "image/png"):
        assert len(base64.b64decode(png)) <= MAX_PNG_BYTES
    assert _path(name).stat().st_size <= MAX_NOTEBOOK_BYTES


@pytest.mark.parametrize("name", sorted(DRAWS_GRAPHS))
def test_graph_drawings_are_rendered_in_the_committed_notebook(name):
    notebook = nbformat.read(_path(name), as_version=4)
    drawings = [o.data for o in _outputs(notebook) if "image/svg+xml" in o.get("data", {})]
    assert drawings and all("<svg" in d["image/svg+xml"] and "</svg>" in d["image/svg+xml"] for d in drawings)
    # Where no SVG is shown (an untrusted notebook, GitHub), the PNG beside it is.
    assert all(base64.b64decode(d["image/png"])[:4] == b"\x89PNG" for d in drawings)
    if name in STEPS_THROUGH:
        players = [o.data for o in _outputs(notebook)
                   if "backprop step-through player" in o.get("data", {}).get("text/html", "")]
        assert players
        for player in players:  # a still of the last frame and how to play it, for viewers that run no script
            assert f'src="data:image/png;base64,{player["image/png"]}"' in player["text/html"]
            assert '<script type="application/json" class="ag-data">' in player["text/html"]
            assert "trust the notebook" in player["text/plain"]


def test_notebooks_run_on_this_interpreter_and_this_checkout(tmp_path):
    probe = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import sys, autograd\nprint(sys.executable)\nprint(autograd.__file__)")])
    path = tmp_path / "probe.ipynb"
    nbformat.write(probe, path)

    executable, autograd_file = _refresh_module().execute(path).cells[0].outputs[0].text.splitlines()

    assert executable == sys.executable
    assert Path(autograd_file).resolve().parent == NOTEBOOK_DIR.parent / "autograd"


def test_the_lecture_style_notebook_runs_with_no_dot_and_no_venv_on_the_path(tmp_path, monkeypatch):
    """A kernel started from a venv that was never activated, on a machine without a system Graphviz."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # the kernel is this python by absolute path; nothing else is found
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    work = tmp_path / "work"
    work.mkdir()

    executed = _refresh_module().execute(LECTURE_STYLE, cwd=work)

    assert not [o for o in _outputs(executed) if o.output_type == "error"]
    svgs = _data(executed, "image/svg+xml")
    assert len(svgs) == 3  # the hand-written Digraph twice (before and after backward), draw_dot once
    assert "grad 0.0000" in svgs[0] and "grad 1.0000" in svgs[1] and "tanh" in svgs[2]
    for written in ("loss_graph.svg", "loss_draw_dot.svg"):
        assert "<svg" in (work / written).read_text()
    assert (work / "loss_graph").read_text().startswith("digraph")
