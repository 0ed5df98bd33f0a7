"""The two ways of measuring who is in reach (model/in_reach.py) agree with NumPy's distances, to the bit."""

from __future__ import annotations

import numpy as np

from spsim.model import in_reach


def _points(rng, n):
    """Groups on a lattice and anywhere: ties, shared spots and reaches that end exactly on a group."""
    xs = np.r_[rng.random(n) * 6, rng.integers(0, 12, n) * 0.5]
    ys = np.r_[rng.integers(0, 12, n) * 0.5, rng.random(n) * 6]
    return xs, ys


def test_python_decides_as_numpy_does_or_leaves_it_to_numpy():
    rng = np.random.default_rng(11)
    undecided = decided = 0
    for _ in range(400):
        xs, ys = _points(rng, int(rng.integers(1, 20)))
        charges = rng.random(len(xs)) < 0.3
        x, y = (float(v) for v in (rng.integers(0, 12, 2) * 0.5 if rng.random() < 0.5 else rng.random(2) * 6))
        k = int(rng.integers(len(xs)))
        for reach in (0.7, 1.5, 3.0, float(np.hypot(xs[k] - x, ys[k] - y))):
            for cannot_pay in (False, True):
                rows = np.arange(len(xs))
                exact = in_reach.in_numpy((xs, ys, ~charges, rows), 0, len(xs), x, y, reach, cannot_pay)
                quick = in_reach.in_python((xs.tolist(), ys.tolist(), charges.tolist(), rows.tolist()),
                                           [(0, len(xs))], x, y, reach, cannot_pay)  # fmt: skip
                if quick is None:
                    undecided += 1
                else:
                    decided += 1
                    assert quick == exact
                assert in_reach.any_in_reach(xs.tolist(), ys.tolist(), x, y, reach) == bool(
                    (np.hypot(xs - x, ys - y) <= reach).any())
    assert decided > 1000 and undecided > 100  # both ways were exercised


def test_many_pairs_in_reach_are_those_numpys_distances_put_in_reach():
    """``in_reach_many`` (a week's seekers at once) keeps exactly the pairs ``np.hypot`` puts within reach, those on
    the very edge included, with their squared distances."""
    rng = np.random.default_rng(12)
    on_edge = 0
    for _ in range(200):
        xs, ys = _points(rng, int(rng.integers(1, 30)))
        x, y = rng.integers(0, 12, len(xs)) * 0.5, rng.random(len(xs)) * 6
        dx, dy = xs - x, ys - y
        reach = rng.choice([0.7, 1.5, 3.0], len(xs))
        edge = rng.random(len(xs)) < 0.3
        reach[edge] = np.hypot(dx, dy)[edge]  # reaches that end exactly on the group
        reach[edge & (rng.random(len(xs)) < 0.5)] *= 1 - 1e-12  # or just short of it
        allowed = rng.random(len(xs)) < 0.8
        pair, square = in_reach.in_reach_many(dx, dy, reach, allowed)
        assert pair.tolist() == np.flatnonzero((np.hypot(dx, dy) <= reach) & allowed).tolist()
        assert square.tolist() == (dx * dx + dy * dy)[pair].tolist()
        on_edge += int(edge.sum())
    assert on_edge > 500
