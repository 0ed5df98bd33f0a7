"""One week's reading of the wellbeing register (``WellbeingRegister.week_reading``): the rows it holds and their
values, and where a row is in it.

The reading's rows are chosen by a mask over a stretch of the register, so whether it holds some rows, and where
each is, are read off that mask (one cumulative count a reading, none when every row of the stretch is read: a
count took some 90 us at an ICB's ~20,000 rows) instead of searching the sorted rows for every caller (the
economics account's tens of thousands of rows a week at an ICB).

The rows read are mostly one stretch to the register's end (everyone within follow-up: records close in referral
order), read as a slice (its columns as views). After two years of a run the trajectories' older cohorts come before
it (four cohorts of a week's referrals, 65 to 104 weeks back: about 7% of the rows), and every row read was then
gathered by index (a dozen columns of ~24,000 rows at an ICB, some 1.8 times the work of reading a stretch): those few
rows are gathered and the stretch copied after them (``Stretched``), the same numbers in the same order.
"""

from __future__ import annotations

import numpy as np

FEWEST_IN_A_STRETCH = 1_000  # rows at the end read as a stretch (a speed setting only: the same numbers)


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


class Stretched:
    """Sorted register rows that end with a stretch: ``before``, a few rows gathered by index, then the ``stretch``
    (a slice of one step), read by copying its columns' views after them (``taken``)."""

    __slots__ = ("rows", "before", "stretch")

    def __init__(self, rows: np.ndarray, before: int):
        self.rows = rows  # all of them, sorted
        self.before = rows[:before]
        self.stretch = slice(int(rows[before]), int(rows[-1]) + 1)

    def __len__(self) -> int:
        return len(self.rows)


def taken(column: np.ndarray, rows: np.ndarray | slice | Stretched) -> np.ndarray:
    """``column[rows]``, and for ``Stretched`` rows the same numbers: the rows before the stretch, then the stretch."""
    if isinstance(rows, Stretched):
        return np.concatenate((column[rows.before], column[rows.stretch]))
    return column[rows if isinstance(rows, slice) else np.asarray(rows)]


def where(rows: np.ndarray | slice | Stretched, mask: np.ndarray) -> np.ndarray:
    """The rows of ``rows`` where ``mask`` (one element a row, in order), as an array."""
    if isinstance(rows, slice):
        return rows.start + np.flatnonzero(mask)
    return (rows.rows if isinstance(rows, Stretched) else np.asarray(rows))[mask]


def as_read(rows: np.ndarray, wanted: np.ndarray, size: int) -> slice | Stretched | np.ndarray:
    """How the sorted rows ``first + flatnonzero(wanted)`` (the mask ``wanted`` ending at row ``size``) are read: as a
    slice if they are one stretch, as ``Stretched`` if they end with one, else by index."""
    if len(rows) == len(wanted):
        return slice(size - len(rows), size)
    tail = int(wanted[::-1].argmin())  # rows wanted at the end, up to the last one not (there is one)
    if tail < FEWEST_IN_A_STRETCH:  # (gathered as they are: copying a short stretch saves less than it costs)
        return rows
    return Stretched(rows, len(rows) - tail)


def stretch(rows: slice, size: int) -> slice | np.ndarray:
    """``rows`` of a register of ``size`` rows as a slice of one step (its columns read as views, not gathered), or
    else as an array."""
    start, stop, step = rows.indices(size)
    return slice(start, max(start, stop)) if step == 1 else np.arange(start, stop, step)
