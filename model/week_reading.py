"""One week's reading of the wellbeing register (``WellbeingRegister.week_reading``): the rows it holds and their
values, and where a row is in it.

The reading's rows are chosen by a mask over a stretch of the register, so whether it holds some rows, and where
each is, are read off that mask (one cumulative count a reading, none when every row of the stretch is read: a
count took some 90 us at an ICB's ~20,000 rows) instead of searching the sorted rows for every caller (the
economics account's tens of thousands of rows a week at an ICB).
"""

from __future__ import annotations

import numpy as np


class Reading:
    """Rows ``first + flatnonzero(wanted)`` of the register read at one week (``key``), with their ``values``
    (the rows first, then their scores and natural course's)."""

    __slots__ = ("key", "values", "_first", "_wanted", "_places")

    def __init__(self, key: tuple, first: int, wanted: np.ndarray, values: tuple[np.ndarray, ...]):
        self.key = key
        self.values = values
        self._first = first
        self._wanted = wanted
        self._places: np.ndarray | None = None  # for each row of the stretch, its place in the reading

    def places(self, rows: np.ndarray) -> np.ndarray | None:
        """Where each of ``rows`` is in the reading (``np.searchsorted(self.values[0], rows)``), or None if the
        reading does not hold them all."""
        offset = np.asarray(rows) - self._first
        if not len(offset):
            return np.zeros(0, dtype=np.intp)
        if offset.min() < 0 or offset.max() >= len(self._wanted) or not self._wanted[offset].all():
            return None
        if len(self.values[0]) == len(self._wanted):  # every row of the stretch read (most weeks): in place
            return offset
        if self._places is None:
            self._places = np.cumsum(self._wanted) - 1
        return self._places[offset]


def stretch(rows: slice, size: int) -> slice | np.ndarray:
    """``rows`` of a register of ``size`` rows as a slice of one step (its columns read as views, not gathered), or
    else as an array."""
    start, stop, step = rows.indices(size)
    return slice(start, max(start, stop)) if step == 1 else np.arange(start, stop, step)
