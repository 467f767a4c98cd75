"""Toy datasets (shape, labels, seeding, geometry) and the minibatch iterator."""

from __future__ import annotations

import math
import random
import statistics

import pytest

import nn

MAKERS = [nn.make_moons, nn.make_circles, nn.make_blobs, nn.make_spirals]


@pytest.mark.parametrize("make", MAKERS)
def test_shape_labels_and_seeding(make):
    X, y = make(101, seed=3)
    assert len(X) == len(y) == 101
    assert all(len(p) == 2 and all(type(v) is float for v in p) for p in X)
    assert all(type(c) is int for c in y)
    classes = sorted(set(y))
    assert classes == list(range(len(classes))) and len(classes) >= 2
    assert y == sorted(y)  # class by class
    assert max(y.count(c) for c in classes) - min(y.count(c) for c in classes) <= 1
    assert make(101, seed=3) == (X, y)
    assert make(101, seed=4)[0] != X
    assert make(101, seed=random.Random(3)) == (X, y)


@pytest.mark.parametrize("make", MAKERS)
def test_bad_sizes_are_refused(make):
    with pytest.raises(ValueError, match="n must be a positive int"):
        make(0)


def test_moons_without_noise_lie_on_their_arcs():
    X, y = nn.make_moons(40, noise=0.0)
    for (a, b), c in zip(X, y):
        centre = (0.0, 0.0) if c == 0 else (1.0, 0.5)
        assert math.hypot(a - centre[0], b - centre[1]) == pytest.approx(1.0)
        assert (b >= -1e-12) if c == 0 else (b <= 0.5 + 1e-12)


def test_circles_radii_and_noise():
    X, y = nn.make_circles(400, noise=0.0, factor=0.3)
    assert all(math.hypot(*p) == pytest.approx(1.0 if c == 0 else 0.3) for p, c in zip(X, y))
    X, _ = nn.make_circles(4000, noise=0.05, seed=1)
    radial_error = [math.hypot(*p) - 1.0 for p in X[:2000]]
    assert statistics.pstdev(radial_error) == pytest.approx(0.05, rel=0.1)


def test_blobs_gather_around_their_centres():
    X, y = nn.make_blobs(3000, centers=3, std=0.5, seed=2)
    for k in range(3):
        points = [p for p, c in zip(X, y) if c == k]
        angle = 2 * math.pi * k / 3
        assert statistics.fmean(p[0] for p in points) == pytest.approx(2 * math.cos(angle), abs=0.06)
        assert statistics.fmean(p[1] for p in points) == pytest.approx(2 * math.sin(angle), abs=0.06)
        assert statistics.pstdev(p[0] for p in points) == pytest.approx(0.5, rel=0.1)


def test_spiral_radius_grows_along_each_arm():
    X, y = nn.make_spirals(60, classes=3, noise=0.0)
    assert sorted(set(y)) == [0, 1, 2]
    for k in range(3):
        radii = [math.hypot(*p) for p, c in zip(X, y) if c == k]
        assert radii == sorted(radii) and radii[0] == 0.0 and radii[-1] == pytest.approx(1.0)


def test_minibatches_cover_every_example_once_per_epoch():
    X = [[float(i), 0.0] for i in range(10)]
    y = list(range(10))
    batches = list(nn.minibatches(X, y, 4, seed=1))
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    seen = [label for _, labels in batches for label in labels]
    assert sorted(seen) == y and seen != y  # shuffled
    assert all(x[0] == label for xs, labels in batches for x, label in zip(xs, labels))
    assert list(nn.minibatches(X, y, 4, seed=1)) == batches
    assert [labels for _, labels in nn.minibatches(X, y, 3, shuffle=False)] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]


def test_one_random_source_gives_a_new_order_each_epoch():
    X, y = [[0.0, 0.0]] * 20, list(range(20))
    rng = random.Random(0)
    first = [label for _, labels in nn.minibatches(X, y, 5, seed=rng) for label in labels]
    second = [label for _, labels in nn.minibatches(X, y, 5, seed=rng) for label in labels]
    assert sorted(first) == sorted(second) and first != second


def test_minibatches_refuse_mismatched_lengths_and_bad_sizes():
    with pytest.raises(ValueError, match="3 examples and 2 labels"):
        list(nn.minibatches([[0.0, 0.0]] * 3, [0, 1], 2))
    with pytest.raises(ValueError, match="batch_size"):
        list(nn.minibatches([[0.0, 0.0]], [0], 0))


@pytest.mark.parametrize("make, error, message", [
    (lambda: nn.make_moons(10, noise="0.1"), TypeError, "make_moons: noise must be a real number, got str"),
    (lambda: nn.make_blobs(10, std=math.nan), ValueError, "make_blobs: std must be finite and >= 0.0, got nan"),
    (lambda: nn.make_circles(10, factor=1.0), ValueError, "make_circles: factor must be < 1.0 and > 0.0, got 1.0"),
])
def test_a_bad_spread_or_factor_is_named(make, error, message):
    with pytest.raises(error) as raised:
        make()
    assert message in str(raised.value)
