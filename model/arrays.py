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
    """``x`` held within ``bounds`` (low, high); an array through its own ``clip`` method, the call ``np.clip`` makes
    after its Python wrappers (a few microseconds each time on a week's small arrays)."""
    if is_array(x):
        return x.clip(*bounds)
    return min(max(x, bounds[0]), bounds[1])


def where(condition, if_true, if_false):
    """``np.where`` for an array condition; for one number, the plain choice."""
    if is_array(condition):
        return np.where(condition, if_true, if_false)
    return if_true if condition else if_false


def grown(column: np.ndarray, capacity: int, fill) -> np.ndarray:
    """``column`` with rows added up to ``capacity`` (its other dimensions and dtype kept), holding ``fill``."""
    return np.concatenate([column, np.full((capacity - len(column), *column.shape[1:]), fill, dtype=column.dtype)])


def worked_out_where(out: np.ndarray, mask: np.ndarray, formula, *args) -> np.ndarray:
    """``out`` with ``formula(*args)`` worked out only where ``mask`` (of ``out``'s shape) holds: the same numbers as
    worked out everywhere and chosen, element by element. ``args``: arrays of ``mask``'s shape, or that broadcast to
    it, or numbers. A 1-D mask is made indices first (gathering with them is quicker when few hold)."""
    chosen = np.flatnonzero(mask) if mask.ndim == 1 else mask
    if len(chosen) if chosen.ndim == 1 else chosen.any():
        out[chosen] = formula(*(_at(x, mask.shape, chosen) for x in args))
    return out


def _at(x, shape: tuple[int, ...], chosen: np.ndarray):
    """``x`` at ``chosen`` (a mask of ``shape``, or its indices); a number stays one."""
    if not is_array(x):
        return x
    return (x if x.shape == shape else np.broadcast_to(x, shape))[chosen]


def counting_within(counts: np.ndarray) -> np.ndarray:
    """0, 1, ... counts[0] - 1, then 0, 1, ... counts[1] - 1, and so on: each item's place within its run."""
    total = int(counts.sum())
    return np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)


def code_table(codes) -> np.ndarray:
    """Whether a code (such as a state in the register's int8 column) is one of ``codes``, as a table to index: one
    array operation, where ``np.isin`` takes several (-1, a row not yet in the pathway, reads the last entry: False)."""
    table = np.zeros(256, dtype=bool)
    table[[int(code) for code in codes]] = True
    return table
