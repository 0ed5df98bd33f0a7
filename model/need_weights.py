"""Who a uniform draw picks from the catchment, each adult in proportion to how often people like them are referred.

A draw ``u`` picks the first adult whose running sum of weights passes ``u`` times the total: a search of the running
sums, one column of 8 bytes an adult (12 MB at an ICB). A binary search of it reads about a dozen far-apart places
for each of a week's few thousand draws, each waiting for the one before; its time is the memory's, not the
arithmetic's. So the running sums are also cut into buckets of equal width in weight (a few adults each), and a
draw goes straight to its bucket's first adult and searches only the few sums after it, every draw's step at once:
one read of a small column and a few nearby reads of the running sums a draw, none waiting on another draw's. The
pick is the binary search's, to the bit (``NeedWeights.pick``; tests/test_need_weights.py).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

# adults a bucket holds on average (a speed setting only: the picks are the same). Fewer buckets hold more adults
# each, and a draw then takes more steps through its bucket; more cost memory (8 bytes a bucket). At 7 the default
# place's fullest bucket holds 15 (150,000 and 1.5 million adults): four steps (at 8, 17: five)
PER_BUCKET = 7
# a bucket holding more adults than this (weights far apart) is searched as a whole column instead
MOST_PER_BUCKET = 63
# fewer draws than this are looked for by a binary search of the whole column (a speed setting only: the same picks):
# one NumPy call, where the buckets' search costs a dozen whatever the draws
FEW = 48


class NeedWeights:
    """The running sums of ``size`` adults' weights, and their buckets."""

    def __init__(self, size: int, blocks: list[slice], weights: Callable[[slice], np.ndarray]):
        """``blocks``: the adults in parts, whose ``weights`` (a part's column) are made, and their buckets numbered,
        a part at a time (small temporaries)."""
        n = self.size = size
        # the running sums, with room after them for a bucket's search to read past the last adult (never picked)
        self.running = np.empty(n + MOST_PER_BUCKET + 1)
        self.running[n:] = np.inf
        for b in blocks:
            self.running[b] = weights(b)
        np.cumsum(self.running[:n], out=self.running[:n])
        self.total = float(self.running[n - 1]) if n else 0.0
        self.per_weight = n / PER_BUCKET / self.total if n else 0.0
        # A sum's bucket is its number of bucket widths, rounded down: a rounded product by a positive number, and
        # so never smaller for a larger sum. Every sum below a draw's is then in the draw's bucket or an earlier one,
        # every sum above it in the draw's bucket or a later one: the draw's pick is its bucket's first adult plus
        # how many of that bucket's sums are at or below the draw
        last = int(self.running[n - 1] * self.per_weight) if n else 0
        counts = np.zeros(last + 1, dtype=np.int64)
        for b in blocks:
            buckets = (self.running[b] * self.per_weight).astype(np.int64)
            first = int(buckets[0])
            counts[first : int(buckets[-1]) + 1] += np.bincount(buckets - first)
        self.most = int(counts.max()) if n else 0
        self.first = np.zeros(last + 2, dtype=np.int64)  # each bucket's first adult
        np.cumsum(counts, out=self.first[1:])
        # the steps through a bucket: halves of the largest bucket's next power of two, down to one
        self.steps = [1 << k for k in reversed(range(self.most.bit_length()))]

    def pick(self, u: np.ndarray) -> np.ndarray:
        """The adults (catchment rows) that uniform draws ``u`` pick: each the first adult whose running sum passes
        ``u`` times the total (the last adult if rounding leaves none past it)."""
        share = u * self.total
        if len(u) < FEW or self.most > MOST_PER_BUCKET:
            found = self.running[: self.size].searchsorted(share, side="right")
            return np.minimum(found, self.size - 1)
        found = self.first[(share * self.per_weight).astype(np.int64)]
        # a search of the bucket, the same steps for every draw: the sums at or below the draw come first in it
        # (then later buckets' sums, or the room after the last adult), so each step halves what is left
        for step in self.steps:  # (a step of ``step`` from adult i looks at sum i + step - 1: read from a view there)
            found += step * (self.running[step - 1 :].take(found) <= share)
        return np.minimum(found, self.size - 1)
