"""The benchmark's workloads compute the same thing on both engines (no timing is asserted)."""

from __future__ import annotations

import json
import math
import platform
import subprocess
import sys
from pathlib import Path

import pytest
from micrograd.engine import Value as MicrogradValue  # the bench extra: pip install -e '.[bench]'

import nn
from autograd import Value
from bench import granular
from bench.data import moons
from bench.engines import MICROGRAD, Engine
from bench.machine import describe, interpreter, machine, optimisation
from bench.runner import Measured, agreement, comparisons, round_order
from bench.spec import Target, Variant, Workload
from bench.worker import fingerprint
from bench.workloads import WORKLOADS

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
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
        first = work["comparisons"][0]
        assert {"variant": "ours", "against": "micrograd"}.items() <= first.items()
        assert first["ratio_min"] <= first["ratio_median"] <= first["ratio_max"]
        assert all(t > 0 for v in work["variants"].values() for t in v["runs_cpu_s"][0])
        assert all(len(v["runs_wall_s"][0]) == len(v["runs_cpu_s"][0]) for v in work["variants"].values())
    assert report["machine"]["interpreter"]["version"] == platform.python_version()
    assert "W1" in done.stdout and "ratio" in done.stdout and "PY_CFLAGS" in done.stdout


def test_moons_step_same_loss_and_gradients_on_both_engines():
    ours, theirs = granular.moons_step(Value, 8), granular.moons_step(MicrogradValue, 8)
    for _ in range(3):  # the SGD updates keep the two models in step
        assert ours.run() == pytest.approx(theirs.run(), rel=1e-12)
        assert ours.gradients() == pytest.approx(theirs.gradients(), rel=1e-12, abs=1e-15)
    assert len(ours.gradients()) == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1


@pytest.mark.parametrize("variant", sorted(WORKLOADS["W1"].variants))
def test_reset_makes_every_timed_step_the_first_step_again(variant):
    """Each timed run follows ``reset()``, so it does the warm-up's work: the same loss and gradients,
    not a later step of training (whose cost can differ: the hand-written step skips samples)."""
    task = WORKLOADS["W1"].variants[variant].build(8)
    first, first_grads = task.run(), task.gradients()
    second = task.run()
    assert second != first  # the step changed the model...
    task.reset()
    assert task.run() == first  # ...and reset put it back
    if variant == "micrograd":  # its walk orders a set of nodes by their ids: sums in another order, last bits
        assert task.gradients() == pytest.approx(first_grads, rel=1e-12, abs=1e-15)
    else:
        assert task.gradients() == first_grads


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


def test_moons_are_nns_points_with_labels_plus_minus_one():
    X, y = moons(101, seed=3)
    nn_X, classes = nn.make_moons(101, noise=0.1, seed=3)
    assert X == nn_X and X != moons(101, seed=4)[0]
    assert y == [-1.0] * 50 + [1.0] * 51 and [2 * c - 1 for c in classes] == y


def test_variants_alternate_order_every_round():
    names = ["ours", "micrograd", "nn"]
    assert round_order(names, 0) == round_order(names, 2) == names
    assert round_order(names, 1) == round_order(names, 3) == ["nn", "micrograd", "ours"]
    # of any two variants, each runs first in every other round
    for a, b in [("ours", "micrograd"), ("ours", "nn"), ("micrograd", "nn")]:
        firsts = [round_order(names, r).index(a) < round_order(names, r).index(b) for r in range(4)]
        assert firsts == [True, False, True, False]


def test_ratios_are_paired_by_round_and_summarised_by_their_median():
    work = Workload("W1", "two variants", {"small": 6}, repeats=1)
    work.add(Variant("ours", MICROGRAD, lambda size: None), Target("ours", 3.0))
    work.add(Variant("micrograd", MICROGRAD, lambda size: None))
    work.add(Variant("other", MICROGRAD, lambda size: None))
    # the machine slows down in round 2: both sides of that round's ratio move alike
    times = {"ours": [1.0, 5.0, 1.0], "micrograd": [4.0, 10.0, 2.5], "other": [2.0, 2.0, 2.0]}
    measured = {("W1", name): Measured("W1", name, 6, ts) for name, ts in times.items()}
    ours, other = comparisons(work, measured)
    assert (ours.variant, ours.against, ours.target) == ("ours", "micrograd", work.targets[0])
    assert ours.per_round == [4.0, 2.0, 2.5] and ours.median == 2.5 and ours.met is False
    # the ratio of the medians would say 4x: round 2's slowdown would count on one side only
    assert measured["W1", "micrograd"].median / measured["W1", "ours"].median == 4.0
    assert (other.variant, other.against, other.per_round, other.met) == ("other", "micrograd", [2.0, 5.0, 1.25], None)


def test_a_bound_on_slowness_reads_as_a_time():
    assert Target("compiled", 1 / 1.1, against="by-hand").describe() == ">= 0.909x (time <= 1.1x)"
    assert Target("ours", 15).describe() == ">= 15x"


def test_the_interpreter_and_its_build_flags_are_described():
    build = interpreter()
    assert build["version"] == platform.python_version() and build["executable"] == sys.executable
    assert isinstance(build["pgo"], bool) and isinstance(build["lto"], bool)
    text = describe(machine())
    assert platform.python_version() in text and optimisation(build) in text and "PY_CFLAGS" in text
    flags = {"pgo": False, "lto": False, "shared": True}
    assert optimisation(flags) == "not an optimised build (no PGO, no LTO), shared libpython"
    assert optimisation({**flags, "pgo": True, "lto": True}).startswith("optimised build: PGO")


def test_a_missing_engine_says_how_to_install_it():
    engine = Engine("absent", "no_such_module", "no-such-distribution-xyz", install_hint="Install it with: pip install x")
    assert "not installed" in engine.missing() and "pip install x" in engine.missing()
    found = Engine("micrograd", "micrograd.engine", "micrograd", version="9.9")
    assert "found micrograd 0.1.0" in found.missing()
