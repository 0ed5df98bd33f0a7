"""SplitMix64's output function (Steele, Lea and Flood 2014), the hash under every per-person draw
(model/streams.py): on Python integers, on NumPy arrays and on NumPy scalars, the same 64-bit numbers. NumPy's
uint64 arithmetic wraps mod 2**64 as the hash needs; on scalars it warns of the overflow, so a hash that may meet a
scalar runs inside ``wrapping``."""

from __future__ import annotations

import numpy as np

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15  # the Weyl increment of SplitMix64


def mix(z: int) -> int:
    """SplitMix64's output function: a bijection on 64-bit integers that scatters every input bit."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


# ``mix``'s constants as NumPy scalars, made once (each draw of many people's numbers used to make them again)
_S27, _S30, _S31 = (np.uint64(shift) for shift in (27, 30, 31))
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
GOLDEN_U64 = np.uint64(GOLDEN)


def mix_in_place(z: np.ndarray) -> np.ndarray:
    """``mix`` on an array of our own (at least one dimension), overwriting it: no temporary per step."""
    z ^= z >> _S30
    z *= _M1
    z ^= z >> _S27
    z *= _M2
    z ^= z >> _S31
    return z


def mix_scalar(z):
    """``mix`` on a NumPy scalar (or a 0-d array): the same steps, each a new value."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


def wrapping(compute):
    """``compute`` run so that 64-bit products wrap silently, as the hash needs. NumPy checks overflow only in
    arithmetic on scalars (not on arrays of one or more dimensions), so only a scalar or 0-d input needs
    ``errstate``, whose set-up cost more than the draws for a few people."""

    def wrapped(first, *args):
        if isinstance(first, np.ndarray) and first.ndim:
            return compute(first, *args)
        with np.errstate(over="ignore"):
            return compute(first, *args)

    return wrapped
