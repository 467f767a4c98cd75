"""autograd.compile's disk cache: a later process loads the code instead of writing it; a bad cache never hurts."""

from __future__ import annotations

import importlib
import json
import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

import autograd
from autograd import Value, code_cache

compile_module = importlib.import_module("autograd.compile")
ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import importlib, json
import autograd
from autograd import Value
compile_module = importlib.import_module("autograd.compile")
written = []
generate = compile_module.generate
compile_module.generate = lambda writer: written.append(1) or generate(writer)

def f(params, xs):
    return sum((w * x).tanh() for w, x in zip(params, xs)) + params[0].relu() * params[1]

params = [Value(0.5), Value(-1.5), Value(2.0)]
out = autograd.compile(f)(params, [0.25, 1.0, -3.0])
out.backward()
print(json.dumps({"written": len(written), "out": out.data, "grads": [p.grad for p in params]}))
"""


def f(params: list[Value], xs: list[Value]) -> Value:
    return sum((w * x).tanh() for w, x in zip(params, xs)) + params[0].relu() * params[1]  # type: ignore[return-value]


XS = [0.25, 1.0, -3.0]


def eager() -> tuple[float, list[float]]:
    params = [Value(0.5), Value(-1.5), Value(2.0)]
    out = f(params, [Value(x) for x in XS])
    out.backward()
    return out.data, [p.grad for p in params]


def compiled() -> tuple[float, list[float]]:
    params = [Value(0.5), Value(-1.5), Value(2.0)]
    out = autograd.compile(f)(params, XS)
    out.backward()
    return out.data, [p.grad for p in params]


def entries(cache_home: Path) -> list[Path]:
    where = cache_home / "scalar-autograd"
    return sorted(where.glob("*.marshal")) if where.exists() else []


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("AUTOGRAD_COMPILE_CACHE", raising=False)
    return tmp_path


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times code is written (not loaded) in this process."""
    written: list[int] = []
    generate = compile_module.generate
    monkeypatch.setattr(compile_module, "generate", lambda writer: written.append(1) or generate(writer))
    return written


def run_script(cache_home: Path, **env: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "XDG_CACHE_HOME": str(cache_home), **env})
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_a_second_process_loads_the_code_the_first_one_wrote(tmp_path: Path) -> None:
    first = run_script(tmp_path)
    assert first["written"] == 1 and len(entries(tmp_path)) == 1
    second = run_script(tmp_path)
    assert second["written"] == 0
    out, grads = eager()
    assert first["out"] == second["out"] == out
    assert first["grads"] == second["grads"] == grads


def test_turned_off_it_writes_nothing(tmp_path: Path) -> None:
    assert run_script(tmp_path, AUTOGRAD_COMPILE_CACHE="0")["written"] == 1
    assert not (tmp_path / "scalar-autograd").exists()


def test_in_process_a_new_compile_of_the_same_program_loads_it(cache_home: Path, counted: list[int]) -> None:
    assert compiled() == eager() and len(counted) == 1
    assert compiled() == eager() and len(counted) == 1


@pytest.mark.parametrize("content", [b"", b"not marshal at all", marshal.dumps(("some other key", 1)),
                                     marshal.dumps(None)])
def test_a_corrupt_entry_is_ignored_and_rewritten(cache_home: Path, counted: list[int], content: bytes) -> None:
    compiled()
    [entry] = entries(cache_home)
    entry.write_bytes(content)
    assert compiled() == eager() and len(counted) == 2
    assert code_cache.load(entry.stem) is not None  # written afresh


def test_an_entry_with_another_programs_code_is_ignored(cache_home: Path, counted: list[int]) -> None:
    compiled()
    [entry] = entries(cache_home)
    name, (source, code, references) = marshal.loads(entry.read_bytes())
    wrong = source.replace("tanh(", "sin(")  # the same shape, other numbers: caught by the bit-for-bit check
    entry.write_bytes(marshal.dumps((name, (wrong, compile(wrong, "<test>", "exec"), references))))
    assert compiled() == eager() and len(counted) == 2
    assert marshal.loads(entry.read_bytes())[1][0] == source


def test_an_unwritable_cache_directory_is_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   counted: list[int]) -> None:
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(not_a_directory))
    assert compiled() == eager()
    assert compiled() == eager() and len(counted) == 2


def test_the_cache_lives_in_the_user_cache_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("AUTOGRAD_COMPILE_CACHE", raising=False)
    assert code_cache.directory() == Path.home() / ".cache" / "scalar-autograd"
    monkeypatch.setenv("AUTOGRAD_COMPILE_CACHE", "0")
    assert code_cache.directory() is None


def test_loop_code_loads_too(cache_home: Path, counted: list[int]) -> None:
    """Code with a loop over samples is checked on load (its saved values come in rows) and used."""
    params = [Value(0.5), Value(-1.5)]
    xs = [0.1 * k - 2.0 for k in range(50)]

    def batch(params: list[Value], xs: list[Value]) -> Value:
        return sum(((params[0] * x).tanh() * params[1] + x).relu() for x in xs)  # type: ignore[return-value]

    def run() -> tuple[float, list[float]]:
        for p in params:
            p.grad = 0.0
        out = autograd.compile(batch)(params, xs)
        out.backward()
        return out.data, [p.grad for p in params]

    first = run()
    assert len(counted) == 1 and len(entries(cache_home)) == 1
    assert run() == first and len(counted) == 1  # loaded, not written
    step = autograd.compile(batch)
    step(params, xs)
    assert "in zip(" in step.source
