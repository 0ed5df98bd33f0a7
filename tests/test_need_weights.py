"""Who a draw picks in proportion to need: the buckets' search picks what a binary search of the running sums picks."""

from __future__ import annotations

import numpy as np
import pytest

from spsim.model import need_weights
from spsim.model.need_weights import FEW, NeedWeights


def binary_search(weights: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The pick as written plainly: the first adult whose running sum passes the draw's share of the total."""
    running = np.cumsum(weights)
    return np.minimum(running.searchsorted(u * running[-1], side="right"), len(weights) - 1)


def made(weights: np.ndarray, block: int = 1000) -> NeedWeights:
    n = len(weights)
    return NeedWeights(n, [slice(i, min(i + block, n)) for i in range(0, n, block)], lambda b: weights[b])


# the default place's odds ratios, all of one, and weights as far apart as a scenario might set them
WEIGHTS = {
    "odds ratios": lambda g, n: (np.where(g.random(n) < 0.3, 2.2, 1.0) * np.where(g.random(n) < 0.25, 2.02, 1.0)
                                 * np.where(g.random(n) < 0.2, 1.59, 1.0) * np.where(g.random(n) < 0.01, 3.0, 1.0)),
    "equal": lambda g, n: np.ones(n),
    "far apart": lambda g, n: np.where(g.random(n) < 0.02, 40.0, 0.5),
}  # fmt: skip


@pytest.mark.parametrize("kind", WEIGHTS)
@pytest.mark.parametrize("size", [1, 7, 5_003, 120_000])
def test_the_buckets_pick_whom_the_binary_search_picks(kind, size):
    g = np.random.default_rng(size)
    weights = WEIGHTS[kind](g, size)
    need = made(weights)
    # many draws (the buckets' steps), a few (one by one), and the ends of the unit interval
    for u in (g.random(20_000), g.random(FEW - 1), np.array([0.0, 1e-300, 0.5, np.nextafter(1.0, 0.0)] * FEW)):
        assert np.array_equal(need.pick(u), binary_search(weights, u))


def test_a_draw_on_a_running_sum_picks_the_next_adult():
    """A draw exactly on a running sum is past it: the next adult is picked (whole-number weights and a total of a
    power of two: every sum and share is exact)."""
    weights = np.array([1.0, 3.0, 2.0, 2.0] * 256)
    need = made(weights)
    sums = np.cumsum(weights)
    u = sums[:-1] / sums[-1]
    assert np.array_equal(need.pick(u), binary_search(weights, u))
    assert need.pick(u).tolist() == list(range(1, len(weights)))


def test_buckets_of_widely_spread_weights_are_searched_as_a_whole():
    """When a bucket would hold more adults than its steps reach, the whole column is searched: the same picks."""
    g = np.random.default_rng(5)
    weights = np.where(g.random(50_000) < 0.001, 1e4, 1.0)
    need = made(weights)
    assert need.most > need_weights.MOST_PER_BUCKET
    u = g.random(10_000)
    assert np.array_equal(need.pick(u), binary_search(weights, u))
