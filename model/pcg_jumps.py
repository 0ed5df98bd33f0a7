"""PCG64's stream read at many places at once: the outputs a generator would give after n_i steps, for a whole array
of n_i, as NumPy array work (``StreamColumns.read``: the draws of a week's referrals, read where the catchment's
stream was when it drew them).

NumPy's ``PCG64.advance`` jumps one generator at a time (about 1.5 us a jump, and as much again to draw); a week of
an ICB's referrals needs hundreds of jumps in each of four columns. A step of PCG64 is the affine map
``s -> M s + inc`` on 128-bit states (mod 2**128), so n steps are a map ``s -> A s + C`` too; writing n in digits of
base 2**DIGIT_BITS, the state n steps on is the state after the lowest digit's steps (a table of states) moved on by
one table map per higher digit. Each output is PCG64's XSL-RR of the state after a step (NumPy's
``pcg_setseq_128_xsl_rr_64_random_r``: step, then output). A 128-bit number is a pair of uint64 arrays (high, low):
NumPy's uint64 products wrap mod 2**64, and only the high half of low x low needs splitting into 32-bit halves.
tests/test_pcg_jumps.py checks the outputs against NumPy's own generator, to the bit.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

MULTIPLIER = (2549297995355413924 << 64) + 4865540595714422341  # PCG_DEFAULT_MULTIPLIER_128, NumPy's pcg64.h
MASK128 = (1 << 128) - 1
# each table has 2**12 entries: two tables reach 16.7 million steps, so a read of an ICB's columns (4.5 million steps
# each) is one look-up in a start's table and one map, where 2**10 needed two maps (the tables are built as array work:
# ``_powers``)
DIGIT_BITS = 12
LOW = (1 << DIGIT_BITS) - 1  # the lowest digit of a number of steps
MASK64 = (1 << 64) - 1
U32, HALF = np.uint64(0xFFFFFFFF), np.uint64(32)
# up to this many outputs a read is stepped in Python integers, not as array work (a speed setting only: the same
# integers): a week of a small place reads a few people, and each array pass costs a microsecond or more whatever
# its length (about 30 passes a read)
FEW = 48

Wide = tuple[np.ndarray, np.ndarray]  # 128-bit numbers: (high 64 bits, low 64 bits), uint64 arrays


def wide(values: list[int]) -> Wide:
    """128-bit Python ints as a pair of uint64 arrays."""
    return (np.array([v >> 64 for v in values], dtype=np.uint64),
            np.array([v & 0xFFFFFFFFFFFFFFFF for v in values], dtype=np.uint64))  # fmt: skip


def _high_of_product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The high 64 bits of the 128-bit product of uint64 ``a`` and ``b`` (schoolbook, in 32-bit halves)."""
    a1, a0, b1, b0 = a >> HALF, a & U32, b >> HALF, b & U32
    cross1, cross2 = a0 * b1, a1 * b0
    middle = ((a0 * b0) >> HALF) + (cross1 & U32) + (cross2 & U32)  # below 3 * 2**32: no wrap
    return a1 * b1 + (cross1 >> HALF) + (cross2 >> HALF) + (middle >> HALF)


def multiply(a: Wide, b: Wide) -> Wide:
    """a x b mod 2**128: the high halves meet only the other's low half (the rest is beyond 128 bits)."""
    (ah, al), (bh, bl) = a, b
    return _high_of_product(al, bl) + ah * bl + al * bh, al * bl


def add(a: Wide, b: Wide) -> Wide:
    low = a[1] + b[1]
    return a[0] + b[0] + (low < a[1]), low  # the carry out of the low half


def outputs(state: Wide) -> np.ndarray:
    """PCG64's XSL-RR output of each 128-bit state: the high and low halves xor-ed, rotated right by the top 6 bits."""
    high, low = state
    x = high ^ low
    rotation = high >> np.uint64(58)
    return (x >> rotation) | (x << ((np.uint64(64) - rotation) & np.uint64(63)))


def output(state: int) -> int:
    """``outputs`` of one state, in Python integers."""
    high = state >> 64
    x, rotation = (high ^ state) & MASK64, high >> 58
    return ((x >> rotation) | (x << (64 - rotation))) & MASK64


class Jumps:
    """The states of one PCG64 stream ``n`` steps after given states, for arrays of n below ``steps``: after one state,
    or after each of several (``starts``: where a catchment's columns begin in its stream), each with a table of its
    own lowest digit's states and the higher digits' maps shared (they depend on the stream's increment alone)."""

    def __init__(self, state: int | list[int], inc: int, steps: int):
        digits = max(1, -(-max(steps, 2).bit_length() // DIGIT_BITS))
        self.inc = inc
        # the lowest digit: the states themselves, 0 to 2**DIGIT_BITS - 1 steps on (each step count's map applied to
        # the start), start after start
        (powers_a, powers_c), *self.maps = _maps(inc, digits)
        starts = [state] if isinstance(state, int) else state
        tables = [add(multiply(powers_a, wide([start])), powers_c) for start in starts]
        self.states = np.concatenate([high for high, _ in tables]), np.concatenate([low for _, low in tables])
        self.limit = 1 << (DIGIT_BITS * digits)

    def after(self, steps: np.ndarray, tables: np.ndarray | None = None) -> Wide:
        """The states ``steps`` (non-negative integers, each below the limit: an array of any shape) steps on (from
        the start each of ``tables`` names, as its lowest digit's table: k << DIGIT_BITS for the k-th start, an array
        that broadcasts against ``steps``; else the first)."""
        if len(steps) and int(steps.max()) >= self.limit:
            raise ValueError(f"a jump of {int(steps.max())} steps is beyond this table's {self.limit}")
        low = np.uint64(LOW)
        steps = steps.astype(np.uint64)
        digit = steps & low
        if tables is not None:
            digit += tables
        state = self.states[0][digit], self.states[1][digit]
        for level, ((ah, al), (ch, cl)) in enumerate(self.maps, 1):
            digit = (steps >> np.uint64(DIGIT_BITS * level)) & low
            state = add(multiply(state, (ah[digit], al[digit])), (ch[digit], cl[digit]))
        return state

    def draws(self, steps: np.ndarray, width: int, start: np.ndarray | None = None) -> np.ndarray:
        """The raw 64-bit outputs of the ``width`` draws that follow each of ``steps`` (each ``steps + width`` below
        the limit) from the start ``start`` names for each (an index of the starts; else the first): (len, width).
        Output k of a row is the state ``steps + k + 1`` steps on (a step, then its output): as array work, every
        row's states are jumped to at once (one pass, not one per draw); a few in Python."""
        if len(steps) * width <= FEW:
            starts = None if start is None else start.tolist()
            return np.array(self.draw_list(steps.tolist(), width, starts), dtype=np.uint64).reshape(len(steps), width)
        if len(steps) and int(steps.max()) + width >= self.limit:
            raise ValueError(f"a jump of {int(steps.max()) + width} steps is beyond this table's {self.limit}")
        tables = None if start is None else np.repeat(start.astype(np.uint64) << np.uint64(DIGIT_BITS), width)
        return outputs(self.after((steps[:, None] + np.arange(1, width + 1)).ravel(), tables)).reshape(len(steps), width)

    def draw_list(self, steps: list[int], width: int, starts: list[int] | None = None) -> list[int]:
        """``draws`` in Python integers, flat (row after row): the same jumps, digit by digit (a digit 0 is the
        identity map), for a few."""
        if steps and max(steps) + width >= self.limit:
            raise ValueError(f"a jump of {max(steps) + width} steps is beyond this table's {self.limit}")
        states, maps, inc = self.states, self.maps, self.inc
        out = []
        for n, start in zip(steps, starts or [0] * len(steps), strict=True):
            state = _int(states, (start << DIGIT_BITS) + (n & LOW))
            for powers_a, powers_c in maps:
                n >>= DIGIT_BITS
                if digit := n & LOW:
                    state = (_int(powers_a, digit) * state + _int(powers_c, digit)) & MASK128
            for _ in range(width):
                state = (state * MULTIPLIER + inc) & MASK128
                out.append(output(state))
        return out


def _int(values: Wide, i: int) -> int:
    """The ``i``-th of 128-bit numbers as a Python int."""
    return (values[0].item(i) << 64) | values[1].item(i)


@lru_cache(maxsize=8)
def _maps(inc: int, digits: int) -> tuple[tuple[Wide, Wide], ...]:
    """For each digit, the maps (A, C) of 0 to 2**DIGIT_BITS - 1 times its steps (``_powers``), the lowest digit's
    first: they depend on the stream's increment alone, so a model's columns (one generator) share them."""
    maps = []
    a, c = MULTIPLIER, inc  # one step
    for _level in range(digits):
        maps.append(_powers(a, c))
        for _ in range(DIGIT_BITS):  # the next digit's step: this one's, 2**DIGIT_BITS times (squared)
            a, c = (a * a) & MASK128, (a * c + c) & MASK128
    return tuple(maps)


def _powers(a: int, c: int) -> tuple[Wide, Wide]:
    """The maps s -> A s + C of 0 to 2**DIGIT_BITS - 1 times the map s -> a s + c (mod 2**128), built by doubling as
    array work: d + 2**b times is 2**b times after d times, A' = a_b A and C' = a_b C + c_b with (a_b, c_b) the map of
    2**b times (the map applied twice: a_b * a_b, a_b * c_b + c_b)."""
    powers_a, powers_c = wide([1]), wide([0])
    for _ in range(DIGIT_BITS):
        step_a, step_c = wide([a]), wide([c])
        more_a, more_c = multiply(step_a, powers_a), add(multiply(step_a, powers_c), step_c)
        powers_a = tuple(np.concatenate(pair) for pair in zip(powers_a, more_a, strict=True))
        powers_c = tuple(np.concatenate(pair) for pair in zip(powers_c, more_c, strict=True))
        a, c = (a * a) & MASK128, (a * c + c) & MASK128
    return powers_a, powers_c
