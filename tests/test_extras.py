"""A bare install (no extras) says which extra to install, not ``No module named 'graphviz'``.

Each case runs a fresh interpreter in which the extras' packages cannot be
imported, as if they had never been installed.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]

# None in sys.modules: ``import`` raises ModuleNotFoundError, ``importlib.util.find_spec`` finds nothing.
HIDE = "import sys\nfor name in {hidden!r}:\n    sys.modules[name] = None\n"

EXTRAS = ("graphviz", "hypothesis", "matplotlib", "tqdm")


def run_bare(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    program = HIDE.format(hidden=EXTRAS) + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, check=False, env={**os.environ, "PYTHONPATH": str(REPOSITORY)})


def last_line(done: subprocess.CompletedProcess[str]) -> str:
    return done.stderr.strip().splitlines()[-1]


def test_the_core_engine_works_without_any_extra(tmp_path):
    done = run_bare("""
        from autograd import Value, grad, compile
        from autograd.testing import gradcheck
        x = Value(3.0, label="x")
        y = x * x + x.tanh()
        y.backward()
        assert gradcheck(lambda v: v * v, [Value(1.5)])
        print(x.grad)
    """, tmp_path)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) == pytest.approx(2 * 3.0 + 1 - math.tanh(3.0) ** 2)


@pytest.mark.parametrize("call, extra, package", [
    ("from autograd import Value, draw_dot\ndraw_dot(Value(1.0) * 2)", "viz", "graphviz"),
    ("from autograd import Value, step_through\nstep_through(Value(1.0) * 2)", "viz", "graphviz"),
    ("import autograd.testing.strategies", "testing", "hypothesis"),
    ("from nn.demo import main\nmain(['--out', '.', '--epochs', '1'])", "demo", "tqdm"),
], ids=["draw_dot", "step_through", "strategies", "nn.demo"])
def test_a_missing_extra_is_named(call, extra, package, tmp_path):
    done = run_bare(call, tmp_path)
    assert done.returncode != 0
    error = last_line(done)
    assert error.startswith("ModuleNotFoundError: ")  # an ImportError, and code catching that still works
    assert f"needs the {package!r} package, which is not installed" in error
    assert f"pip install 'scalar-autograd[{extra}]'" in error
    assert not error.startswith("ModuleNotFoundError: No module named")


def test_the_demo_fails_before_training_not_after(tmp_path):
    done = run_bare("from nn.demo import main\nmain(['--out', '.', '--epochs', '1'])", tmp_path)
    assert "training" not in done.stdout
    assert not list(tmp_path.iterdir())  # no picture was half-written


def test_a_module_missing_inside_an_extra_is_not_disguised(tmp_path):
    # graphviz installed but broken (one of its own imports missing): the real error, not "install viz".
    done = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import sys
        class Broken:
            def find_spec(self, name, path=None, target=None):
                if name == "graphviz.backend":
                    raise ModuleNotFoundError("No module named 'graphviz.backend'", name=name)
                return None
        sys.meta_path.insert(0, Broken())
        from autograd import Value, draw_dot
        draw_dot(Value(1.0))
    """)], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY)})
    assert last_line(done) == "ModuleNotFoundError: No module named 'graphviz.backend'"
