"""Named random-number streams spawned from one seed (common random numbers).

Each process of the model (referrals, matching, attendance, setbacks, ...) draws from its own stream,
spawned from the replicate's ``SeedSequence`` by a stable key derived from the stream's name. A change
in one policy lever then changes only the draws of the processes it touches, and two scenarios run
with the same seed stay paired: the basis of low-variance policy comparisons (Klein et al. 2024).

Scalars are served from blocks drawn in bulk: a Python float from a list is several times cheaper
than a call into NumPy per draw, and the weekly loop draws millions of them.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence

import numpy as np

BLOCK = 4096
NEVER_WEEKS = 10**9  # later than any simulation


class Stream:
    """One named stream: a NumPy generator plus a buffer of uniform draws for scalar use."""

    __slots__ = ("name", "generator", "_buffer")

    def __init__(self, name: str, generator: np.random.Generator):
        self.name = name
        self.generator = generator
        self._buffer: list[float] = []

    def random(self) -> float:
        """A uniform draw in [0, 1)."""
        if not self._buffer:
            # reversed so that pop() from the end serves the block in drawing order
            self._buffer = self.generator.random(BLOCK).tolist()[::-1]
        return self._buffer.pop()

    def chance(self, p: float) -> bool:
        """True with probability ``p``."""
        return self.random() < p

    def exponential(self, mean: float) -> float:
        """An exponential waiting time with the given mean."""
        return -mean * math.log1p(-self.random())

    def weeks_until(self, mean: float) -> int:
        """A whole number of weeks (at least one) until an event that happens at rate 1/mean per week.

        Capped at NEVER_WEEKS, so that a vanishing rate means "not in any run" rather than an overflow.
        """
        return max(1, round(min(self.exponential(mean), NEVER_WEEKS)))  # round, not ceil: keeps the mean

    def pick(self, cumulative: Sequence[float]) -> int:
        """Index drawn with probabilities given by a cumulative weight list (last entry = total)."""
        u = self.random() * cumulative[-1]
        for i, c in enumerate(cumulative):
            if u < c:
                return i
        return len(cumulative) - 1


class RandomStreams:
    """The set of named streams of one replicate."""

    def __init__(self, seed: int | np.random.SeedSequence):
        self.root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        self._streams: dict[str, Stream] = {}

    def __getitem__(self, name: str) -> Stream:
        stream = self._streams.get(name)
        if stream is None:
            # The key depends only on the name (not on the order streams are first used), so adding a
            # new stream never shifts the numbers of an existing one.
            key = (*self.root.spawn_key, zlib.crc32(name.encode()))
            seq = np.random.SeedSequence(self.root.entropy, spawn_key=key)
            stream = self._streams[name] = Stream(name, np.random.Generator(np.random.PCG64(seq)))
        return stream
