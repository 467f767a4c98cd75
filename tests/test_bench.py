"""The benchmark's workloads compute the same thing on both engines (no timing is asserted)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from micrograd.engine import Value as MicrogradValue  # the bench extra: pip install -e '.[bench]'

from autograd import Value
from bench import granular
from bench.data import make_moons
from bench.engines import MICROGRAD, Engine
from bench.runner import Measured, agreement
from bench.spec import Variant, Workload
from bench.worker import fingerprint
from bench.workloads import WORKLOADS

ROOT = Path(__file__).resolve().parent.parent


def test_quick_small_run_agrees_and_writes_json(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--size", "small", "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(out.read_text())
    assert set(report["workloads"]) == set(WORKLOADS)
    for key, work in report["workloads"].items():
        assert work["check"]["agree"], key
        results = work["check"]["results"]  # every variant plugged in, not only ours
        assert set(results) == set(WORKLOADS[key].variants) >= {"ours", "micrograd"}
        assert all(r == pytest.approx(results["micrograd"], rel=1e-9) for r in results.values())
        assert {"variant": "ours", "against": "micrograd"}.items() <= work["comparisons"][0].items()
        assert all(t > 0 for v in work["variants"].values() for t in v["runs_s"][0])
    assert "W1" in done.stdout and "ratio" in done.stdout


def test_moons_step_same_loss_and_gradients_on_both_engines():
    ours, theirs = granular.moons_step(Value, 8), granular.moons_step(MicrogradValue, 8)
    for _ in range(3):  # the SGD updates keep the two models in step
        assert ours.run() == pytest.approx(theirs.run(), rel=1e-12)
        assert ours.gradients() == pytest.approx(theirs.gradients(), rel=1e-12, abs=1e-15)
    assert len(ours.gradients()) == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1


def test_chain_gradient_is_the_product_of_the_factors():
    depth = 500
    task = granular.chain(Value, depth)
    task.run()
    assert task.gradients() == [pytest.approx(1.0001 ** depth, rel=1e-12)]


def test_dot_gradients_are_the_other_factors():
    task = granular.dot(Value, 50)
    total = task.run()
    grads = task.gradients()
    a, b = grads[50:], grads[:50]  # ∂/∂aᵢ = bᵢ and ∂/∂bᵢ = aᵢ
    assert total == pytest.approx(math.fsum(x * y for x, y in zip(a, b)), rel=1e-12)
    reference = granular.dot(MicrogradValue, 50)
    reference.run()
    assert reference.gradients() == pytest.approx(grads, rel=1e-12)


def test_a_disagreeing_variant_is_caught():
    work = Workload("W1", "two variants", {"small": 6}, repeats=1)
    for name in ("ours", "micrograd"):
        work.add(Variant(name, MICROGRAD, lambda size: None))
    measured = {
        ("W1", "ours"): Measured("W1", "ours", 6, [1.0], [[1.0]], [0.5], [fingerprint([1.0, 2.0])]),
        ("W1", "micrograd"): Measured("W1", "micrograd", 6, [2.0], [[2.0]], [0.5], [fingerprint([2.0, 1.0])]),
    }
    verdict = agreement(work, measured)
    assert not verdict.ok and verdict.worst > work.tolerance
    measured["W1", "micrograd"].fingerprints = [fingerprint([1.0, 2.0])]
    assert agreement(work, measured).ok


def test_moons_are_seeded_balanced_and_labelled_plus_minus_one():
    X, y = make_moons(101, seed=3)
    assert (X, y) == make_moons(101, seed=3) and X != make_moons(101, seed=4)[0]
    assert len(X) == len(y) == 101 and all(len(p) == 2 for p in X)
    assert y.count(-1.0) == 50 and y.count(1.0) == 51
    noiseless, _ = make_moons(4, noise=0.0)
    assert noiseless[0] == pytest.approx([1.0, 0.0]) and noiseless[2] == pytest.approx([0.0, 0.5])


def test_a_missing_engine_says_how_to_install_it():
    engine = Engine("absent", "no_such_module", "no-such-distribution-xyz", install_hint="Install it with: pip install x")
    assert "not installed" in engine.missing() and "pip install x" in engine.missing()
    found = Engine("micrograd", "micrograd.engine", "micrograd", version="9.9")
    assert "found micrograd 0.1.0" in found.missing()
