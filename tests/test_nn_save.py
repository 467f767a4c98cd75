"""Module.save replaces the file whole or not at all: attacked with a file-size limit, a SIGKILL, a bad target.

Each attack overwrites a good saved model; afterwards that file must be as it
was, byte for byte (and still load), and no temporary file may be left behind
except by the kill, which nothing can clean up after.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import nn

ROOT = Path(__file__).resolve().parent.parent


def good_model() -> nn.MLP:
    return nn.MLP(2, [3, 1], seed=0)


def good_file(folder: Path) -> tuple[Path, bytes]:
    path = good_model().save(folder / "model.json")
    return path, path.read_bytes()


def run_child(code: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh Python that imports nn from this checkout, after importing what it needs."""
    prelude = "import os, resource, signal, sys\nimport nn\n"
    return subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def assert_intact(path: Path, before: bytes) -> None:
    assert path.read_bytes() == before
    assert nn.MLP(2, [3, 1], seed=99).load(path).state_dict() == good_model().state_dict()


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="RLIMIT_FSIZE is POSIX")
def test_a_save_over_a_file_size_limit_leaves_the_old_file_byte_for_byte(tmp_path):
    # The attack: a full disk, in effect. Writing in place truncated the good file to 256 bytes.
    path, before = good_file(tmp_path)
    assert len(before) > 256
    done = run_child(
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (256, 256))\n"
        f"nn.MLP(2, [3, 1], seed=1).save({str(path)!r})\n")
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("OSError: [Errno 27] cannot save to ") and f"{path} is as it was" in last, last
    assert_intact(path, before)
    assert sorted(tmp_path.iterdir()) == [path]  # the partial new file was removed


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")
def test_a_sigkill_mid_save_leaves_the_old_file_byte_for_byte(tmp_path):
    # The attack: the process dies while the file is being written (the profiler kills it as the first
    # write call returns). Writing in place left 0 bytes.
    path, before = good_file(tmp_path)
    done = run_child(
        "def kill_after_first_write(frame, event, arg):\n"
        "    if event == 'c_return' and getattr(arg, '__name__', '') == 'write':\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "model = nn.MLP(2, [3, 1], seed=1)\n"
        "sys.setprofile(kill_after_first_write)\n"
        f"model.save({str(path)!r})\n"
        "sys.setprofile(None)\n"
        "print('not killed')\n")
    assert done.returncode == -signal.SIGKILL, (done.returncode, done.stdout, done.stderr)
    assert_intact(path, before)
    leftovers = [p for p in tmp_path.iterdir() if p != path]
    assert all(p.name.startswith(".model.json.") and p.name.endswith(".tmp") for p in leftovers), leftovers


def test_a_save_whose_rename_fails_removes_its_new_file(tmp_path):
    target = tmp_path / "model.json"
    target.mkdir()  # os.replace cannot put a file over a folder
    (target / "inside").write_text("kept")
    with pytest.raises(IsADirectoryError, match=rf"cannot save to {target}: .*; {target} is as it was"):
        nn.MLP(2, [3, 1], seed=0).save(target)
    assert sorted(tmp_path.iterdir()) == [target] and (target / "inside").read_text() == "kept"


def test_a_save_into_a_missing_folder_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="cannot save to .*nowhere/model.json: No such file or directory"):
        nn.MLP(2, [3, 1], seed=0).save(tmp_path / "nowhere" / "model.json")


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_save_refuses_a_parameter_that_is_not_finite_and_leaves_the_file(tmp_path, bad):
    # The attack: p.data = nan, then save. The file was written with NaN, which load then refused.
    path, before = good_file(tmp_path)
    model = nn.MLP(2, [3, 1], seed=1)
    model.layers[1].neurons[0].w[2].data = bad
    with pytest.raises(ValueError, match=rf"cannot save to {path}: parameter 'layers.1.neurons.0.w.2' should be "
                                         rf"a finite number, got {bad!r}"):
        model.save(path)
    assert_intact(path, before)
    assert sorted(tmp_path.iterdir()) == [path]


def test_save_keeps_the_replaced_files_permissions_and_gives_a_new_file_the_usual_ones(tmp_path):
    path, _ = good_file(tmp_path)
    os.chmod(path, 0o640)
    nn.MLP(2, [3, 1], seed=1).save(path)
    assert path.stat().st_mode & 0o777 == 0o640
    umask = os.umask(0o022)
    os.umask(umask)
    fresh = nn.MLP(2, [3, 1], seed=1).save(tmp_path / "new.json")
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_successful_save_replaces_the_file_and_leaves_nothing_else(tmp_path):
    path, before = good_file(tmp_path)
    other = nn.MLP(2, [3, 1], seed=1)
    other.save(path)
    assert path.read_bytes() != before
    assert nn.MLP(2, [3, 1], seed=5).load(path).state_dict() == other.state_dict()
    assert sorted(tmp_path.iterdir()) == [path]


def test_a_save_through_a_symbolic_link_replaces_the_file_it_points_to(tmp_path):
    path, _ = good_file(tmp_path)
    link = tmp_path / "latest.json"
    link.symlink_to(path.name)
    other = nn.MLP(2, [3, 1], seed=1)
    other.save(link)
    assert link.is_symlink() and os.readlink(link) == path.name
    assert nn.MLP(2, [3, 1], seed=5).load(path).state_dict() == other.state_dict()
    assert sorted(tmp_path.iterdir()) == [link, path]
