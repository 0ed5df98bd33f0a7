"""Random numbers: per-person draws keyed by who and what they are for, and named streams for the rest.

Common random numbers (Klein et al. 2024; Starsim keys draws by agent for the same reason): two scenarios
run with the same seed must differ only in what their levers cause. A draw that belongs to a person (the
appropriateness of their referral, their patience, their decisions, when their setbacks come, whether they
attend in a given week) is therefore a function of (replicate seed, person, episode, purpose, count or
week), not the next number of a shared stream, whose order would depend on everything else that happened
first. ``PersonalDraws`` computes it with a counter-based generator: the SplitMix64 output function
(Steele, Lea and Flood 2014; model/splitmix.py) applied to a per-person key, a per-purpose constant and a counter, which costs
one integer mix per draw and can be evaluated for many people at once with NumPy.

Processes that belong to no one person (how many people are referred this week and who, groups' finances,
link workers leaving) draw from named streams spawned from the replicate's ``SeedSequence`` by a stable key
derived from the stream's name. Their scalars are served from blocks drawn in bulk: a Python float from a
list is several times cheaper than a call into NumPy per draw.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence

import numpy as np

from .splitmix import GOLDEN, GOLDEN_U64, MASK, mix, mix_in_place, mix_scalar, wrapping

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
        """A whole number of weeks (at least one) until an event expected every ``mean`` weeks."""
        return weeks_until(self.random(), mean)

    def pick(self, cumulative: Sequence[float]) -> int:
        """Index drawn with probabilities given by a cumulative weight list (last entry = total)."""
        return pick(self.random(), cumulative)


def pick(u: float, cumulative: Sequence[float]) -> int:
    """The index that uniform draw ``u`` picks from a cumulative weight list (last entry = total)."""
    target = u * cumulative[-1]
    for i, c in enumerate(cumulative):
        if target < c:
            return i
    return len(cumulative) - 1


def weeks_until(u: float, mean: float) -> int:
    """Whole weeks (at least one) until an event expected every ``mean`` weeks, from a uniform draw ``u``: a
    geometric time with chance 1/mean each week, whose mean is exactly ``mean`` (rounding an exponential
    time up to at least a week does not keep it: 2.2 for a mean of 2). Capped at NEVER_WEEKS, so that a
    vanishing rate means "not in any run" rather than an overflow."""
    if mean <= 1.0 or u <= 0.0:
        return 1
    per_week = math.log1p(-1.0 / mean)  # log of the chance that a week passes without the event
    if per_week == 0.0:  # an event expected less often than floating point can tell from never
        return NEVER_WEEKS
    weeks = math.log1p(-u) / per_week
    return NEVER_WEEKS if weeks >= NEVER_WEEKS else max(math.ceil(weeks), 1)


# the Python float of a draw: the top 53 bits of a mixed 64-bit number (``Generator.random``'s)
_S11 = np.uint64(11)


def purpose_constant(purpose: str) -> int:
    """A fixed 64-bit constant per purpose, from its name (adding a purpose never shifts another's draws)."""
    return mix(zlib.crc32(purpose.encode()) * GOLDEN & MASK)


#: what a person's random numbers are for (each purpose has its own sequence of draws)
PURPOSES = {name: purpose_constant(name) for name in (
    "appropriate", "lw_patience", "decline", "uptake", "group_patience", "attend", "dropout", "volunteer",
    "move_on", "setback_gap", "setback_keep", "setback_kind", "setback_length", "setback_return",
    "mh_discharge", "mh_discharge_followup", "found_work", "measure_wellbeing", "measure_loneliness", "passed_on",
)}  # fmt: skip


class PersonalDraws:
    """Uniform draws in [0, 1) keyed by (person, episode, purpose, counter) for one replicate."""

    def __init__(self, seed: np.random.SeedSequence):
        state = np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, zlib.crc32(b"persons")))
        words = state.generate_state(2, dtype=np.uint32)
        self.seed = (int(words[0]) << 32) | int(words[1])

    def key(self, person: int, episode: int) -> int:
        """The key of one episode (the k-th referral) of one person of the catchment."""
        return mix(mix(self.seed ^ (person * GOLDEN & MASK)) ^ episode)

    @staticmethod
    def uniform(key: int, purpose: int, n: int) -> float:
        """The n-th draw for ``purpose`` (a ``purpose_constant``) of the episode with ``key``."""
        z = (key ^ purpose) + n * GOLDEN & MASK  # then ``mix``, written out: a draw is made very often
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return ((z ^ (z >> 31)) >> 11) * (1.0 / (1 << 53))

    def keys(self, persons: np.ndarray, episode: int | np.ndarray) -> np.ndarray:
        """``key`` for many people at once (a uint64 array; ``episode`` one for all or one each)."""
        if (few := _few_each(persons, episode)) is not None:
            return np.array([self.key(*pair) for pair in few], dtype=np.uint64)
        return _keys(np.asarray(persons), self.seed, episode)

    @staticmethod
    def uniforms(keys: np.ndarray, purpose: int, n: int | np.ndarray) -> np.ndarray:
        """``uniform`` for many episodes at once (``keys``: uint64 array; ``n`` one counter or one each)."""
        if isinstance(purpose, int) and (few := _few_each(keys, n)) is not None:
            uniform = PersonalDraws.uniform
            return np.array([uniform(key, purpose, count) for key, count in few], dtype=np.float64)
        return _uniforms(keys, purpose, n)

    @staticmethod
    def uniforms_by_purpose(keys: np.ndarray, purposes: np.ndarray, n: int | np.ndarray) -> np.ndarray:
        """``uniforms`` for several purposes at once (``purposes``: a uint64 column, purposes x 1): one row of draws
        per purpose, the same numbers in one pass."""
        # (a caller may give one purpose as an int, or spells x people counters: those take the array path)
        if (isinstance(purposes, np.ndarray) and purposes.ndim == 2 and len(purposes) * len(keys) <= FEW_DRAWS // 2
                and (few := _few_each(keys, n)) is not None):
            few, uniform = list(few), PersonalDraws.uniform  # (a row per purpose: slower than the arrays beyond 4)
            rows = [[uniform(key, purpose, count) for key, count in few] for purpose in purposes[:, 0].tolist()]
            return np.array(rows, dtype=np.float64).reshape(len(purposes), len(keys))
        return _uniforms(keys, purposes, n)


# up to this many draws (or keys) are worked out in Python integers (a speed setting only: the same integers, and
# ``uniform``'s double is the array's): most of a week's calls are for a few people, and each of the array path's
# 15 or so NumPy calls costs a microsecond whatever its length
FEW_DRAWS = 8


def _few_each(values: np.ndarray, n: int | np.ndarray):
    """(value, n) pairs as Python ints when ``values`` is a short 1-d array and ``n`` an int or one per value;
    else None (then the array path)."""
    if not (isinstance(values, np.ndarray) and values.ndim == 1 and len(values) <= FEW_DRAWS):
        return None
    if isinstance(n, int):
        return zip(values.tolist(), [n] * len(values))
    if isinstance(n, np.ndarray) and n.shape == values.shape:
        return zip(values.tolist(), n.tolist())
    return None


@wrapping
def _keys(persons: np.ndarray, seed: int, episode: int | np.ndarray) -> np.ndarray:
    scattered = persons.astype(np.uint64) * GOLDEN_U64  # wraps: the product & MASK
    z = np.uint64(seed) ^ scattered
    z = mix_in_place(z) if z.ndim else mix_scalar(z)
    if not (isinstance(episode, int) and episode == 0):  # (x ^ 0 is x: the natural course's keys are episode 0's)
        z = z ^ np.asarray(episode).astype(np.uint64)
    return mix_in_place(z) if isinstance(z, np.ndarray) and z.ndim else mix_scalar(z)


@wrapping
def _uniforms(keys: np.ndarray, purpose: int | np.ndarray, n: int | np.ndarray) -> np.ndarray:
    step = (np.asarray(n).astype(np.uint64) * GOLDEN_U64) if isinstance(n, np.ndarray) else np.uint64(n * GOLDEN & MASK)
    z = (keys ^ np.uint64(purpose)) + step
    if not (isinstance(z, np.ndarray) and z.ndim):
        return (mix_scalar(z) >> _S11).astype(np.float64) * (1.0 / (1 << 53))
    z = mix_in_place(z)  # (our own array from here on: shifted and scaled in place, no temporary each step)
    z >>= _S11
    u = z.astype(np.float64)
    u *= 1.0 / (1 << 53)
    return u


class RandomStreams:
    """The set of named streams of one replicate."""

    def __init__(self, seed: int | np.random.SeedSequence):
        self.root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        self._streams: dict[str, Stream] = {}
        self.persons = PersonalDraws(self.root)

    def __getitem__(self, name: str) -> Stream:
        stream = self._streams.get(name)
        if stream is None:
            # The key depends only on the name (not on the order streams are first used), so adding a
            # new stream never shifts the numbers of an existing one.
            key = (*self.root.spawn_key, zlib.crc32(name.encode()))
            seq = np.random.SeedSequence(self.root.entropy, spawn_key=key)
            stream = self._streams[name] = Stream(name, np.random.Generator(np.random.PCG64(seq)))
        return stream
