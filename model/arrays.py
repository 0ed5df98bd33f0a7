"""Choosing and clipping for formulas written once for one person and for many (numpy arrays) alike.

Arithmetic operators already work on both; ``min``/``max``/``if`` do not, and ``np.where``/``np.clip`` on one
number are slow and return numpy scalars. These give the same values either way: a number stays a plain number
(the per-person paths run thousands of times a week), an array is handled by numpy.
"""

from __future__ import annotations

import numpy as np


def is_array(x) -> bool:
    return isinstance(x, np.ndarray)


def clip(x, bounds: tuple[float, float]):
    """``x`` held within ``bounds`` (low, high)."""
    if is_array(x):
        return np.clip(x, *bounds)
    return min(max(x, bounds[0]), bounds[1])


def where(condition, if_true, if_false):
    """``np.where`` for an array condition; for one number, the plain choice."""
    if is_array(condition):
        return np.where(condition, if_true, if_false)
    return if_true if condition else if_false


def pairs_at(pairs: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``pairs[rows]`` for a (rows x 2) int32 array, gathered as one 8-byte item a row (a 1-D gather: several
    times quicker than NumPy's 2-D one, the same numbers)."""
    return pairs.view(np.int64)[:, 0][rows].view(np.int32).reshape(-1, 2)


def grown(column: np.ndarray, capacity: int, fill) -> np.ndarray:
    """``column`` with rows added up to ``capacity`` (its other dimensions and dtype kept), holding ``fill``."""
    return np.concatenate([column, np.full((capacity - len(column), *column.shape[1:]), fill, dtype=column.dtype)])
