"""Run the notebooks top to bottom and save them with their fresh outputs.

From the repository root::

    python -m notebooks.refresh                          # every notebook in notebooks/
    python -m notebooks.refresh notebooks/03_train_an_mlp.ipynb

Each notebook runs in a new kernel on the interpreter that runs this script
(whatever kernels Jupyter knows about), in an empty temporary working
directory, with this checkout first on ``PYTHONPATH``: the notebooks run
against the ``autograd`` and ``nn`` of this repository. A cell that
raises stops the run, and that notebook is left as it was. Timing metadata is
not recorded and consecutive prints are merged into one output, and drawings
and players show no memory addresses or random ids, so a refresh changes
only the outputs whose content changed.

The test suite (``tests/test_notebooks.py``) calls ``execute`` on a copy and
never writes the notebooks.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import nbformat
from ipykernel.kernelspec import get_kernel_dict
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent
REPOSITORY = NOTEBOOKS.parent
CELL_TIMEOUT = 300  # seconds a single cell may take before the run fails


class _ThisInterpreter(KernelSpecManager):
    """Knows one kernel: ipykernel on ``sys.executable``."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(resource_dir="", **get_kernel_dict())


def execute(path: str | Path, cwd: str | Path | None = None,
            timeout: int = CELL_TIMEOUT) -> nbformat.NotebookNode:
    """The notebook at ``path``, run top to bottom in a fresh kernel; the file itself is not touched.

    The kernel works in ``cwd`` (default: a new empty temporary directory).
    A cell that raises, or runs longer than ``timeout`` seconds, raises
    ``nbclient.exceptions.CellExecutionError`` (or ``CellTimeoutError``).
    """
    notebook = nbformat.read(path, as_version=4)
    kernel = KernelManager(kernel_name="python3", kernel_spec_manager=_ThisInterpreter())
    with tempfile.TemporaryDirectory() as scratch:
        client = NotebookClient(notebook, km=kernel, timeout=timeout, record_timing=False, coalesce_streams=True,
                                resources={"metadata": {"path": str(cwd or scratch)}})
        client.execute(env=_environment())
    return notebook


def _environment() -> dict[str, str]:
    """This process's environment, with the repository first on ``PYTHONPATH``."""
    paths = [str(REPOSITORY), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def refresh(path: str | Path) -> None:
    """Run the notebook at ``path`` and write it back with its outputs."""
    nbformat.write(execute(path), path)


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] or sorted(NOTEBOOKS.glob("*.ipynb"))
    for path in paths:
        print(f"running {path.name} ...", flush=True)
        refresh(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
