"""The open community groups as columns, with a grid of cells over where they are, so that matching reads the
groups near a person rather than every group of the catchment (a whole ICB has about a thousand)."""

from __future__ import annotations

import math
from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np

from . import in_reach
from .activities import catalogue

if TYPE_CHECKING:
    from .vcse_group import VCSEGroup

# The grid's look-up reaches this far beyond a person's reach (km), so that rounding in the cell arithmetic can
# never leave out a group on the edge of someone's reach: the grid proposes, the exact distance decides.
EDGE_MARGIN_KM = 1e-6
SMALLEST_CELL_KM = 0.1  # so that a reach of nothing does not make cells of no size
TRAITS = ("x", "y", "charges", "activity_index")  # what the table keeps of each group
# up to this many candidates of an activity are measured in plain Python, more by NumPy (``model/in_reach.py``:
# the same answer; past about this many, NumPy's few calls cost less than Python's arithmetic per group)
MEASURED_IN_PYTHON = 40
Block = tuple[int, int, int, int]  # first and last column, first and last row of cells


class GroupTable:
    """Open groups as NumPy columns (row i is ``groups[i]``), for matching, and a grid of square cells of
    ``cell_km``: per activity, the rows of its groups sorted by cell, so that the groups of one activity in a row
    of cells are one slice (``nearest_first``). Any cell size gives the same answer; one about a person's reach
    keeps both the slices and the groups read few."""

    def __init__(self, groups: list[VCSEGroup], cell_km: float, traits: dict[str, np.ndarray] | None = None):
        """``traits``: the groups' ``x``, ``y``, ``charges`` and ``activity_index`` as arrays, ``groups`` already in
        age order, when the caller keeps them (``Community``: a group opening or closing then costs no pass over
        every group's attributes)."""
        if traits is None:  # rows in the order the groups were made (Mesa's ids rise): a tie goes to the older
            groups = sorted(groups, key=attrgetter("unique_id"))
            traits = {name: [getattr(g, name) for g in groups] for name in TRAITS}
        self.groups = groups
        self.x = np.asarray(traits["x"], dtype=float)
        self.y = np.asarray(traits["y"], dtype=float)
        self.charges = np.asarray(traits["charges"], dtype=bool)
        self.free_to_attend = ~self.charges
        self.activity = np.asarray(traits["activity_index"], dtype=np.int64)
        self.cell_km = cell_km = max(cell_km, SMALLEST_CELL_KM)
        self.x0 = float(self.x.min()) if groups else 0.0
        self.y0 = float(self.y.min()) if groups else 0.0
        column = np.floor((self.x - self.x0) / cell_km).astype(np.int64)
        row = np.floor((self.y - self.y0) / cell_km).astype(np.int64)
        self.columns = int(column.max()) + 1 if groups else 1
        self.rows = int(row.max()) + 1 if groups else 1
        cell = (self.activity * self.rows + row) * self.columns + column  # activity, then row, then column
        self.by_cell = np.argsort(cell, kind="stable")
        self.activities = len(catalogue())
        cells = self.activities * self.rows * self.columns
        # where each cell's groups start in ``by_cell`` (a list: read a few times per match, one by one)
        self.starts: list[int] = np.searchsorted(cell[self.by_cell], np.arange(cells + 1)).tolist()
        # the groups' traits in cell order, as arrays and as lists, for ``nearest_first``'s two ways of measuring
        by_cell = self.by_cell
        self.by_cell_arrays = (self.x[by_cell], self.y[by_cell], self.free_to_attend[by_cell], by_cell)
        self.by_cell_columns = tuple(column.tolist() for column in (*self.by_cell_arrays[:2], self.charges[by_cell],
                                                                     by_cell))  # fmt: skip

    @property
    def unique_id(self) -> np.ndarray:
        return np.array([g.unique_id for g in self.groups], dtype=np.int64)

    def block(self, x: float, y: float, reach_km: float) -> Block | None:
        """The columns and rows of cells that a circle of ``reach_km`` around (x, y) touches (None: none)."""
        reach = reach_km + EDGE_MARGIN_KM
        size = self.cell_km
        first_column = max(math.floor((x - reach - self.x0) / size), 0)
        last_column = min(math.floor((x + reach - self.x0) / size), self.columns - 1)
        first_row = max(math.floor((y - reach - self.y0) / size), 0)
        last_row = min(math.floor((y + reach - self.y0) / size), self.rows - 1)
        if first_column > last_column or first_row > last_row:
            return None
        return first_column, last_column, first_row, last_row

    def nearest_first(self, activity: int, block: Block, x: float, y: float, reach_km: float,
                      cannot_pay: bool) -> list[int]:  # fmt: skip
        """Rows of the table's groups of ``activity`` within ``reach_km`` of (x, y) (and free to attend if the
        person ``cannot_pay``), nearest first, then the older: ``block`` is ``block(x, y, reach_km)``. The same
        groups and order whichever way they are measured (``in_reach``)."""
        spans, count = self._spans(activity, block)
        if not count:
            return []
        if count <= MEASURED_IN_PYTHON:
            rows = in_reach.in_python(self.by_cell_columns, spans, x, y, reach_km, cannot_pay)
            if rows is not None:
                return rows
        return in_reach.in_numpy(self.by_cell_arrays, spans[0][0], spans[-1][1], x, y, reach_km, cannot_pay)

    def _spans(self, activity: int, block: Block) -> tuple[list[tuple[int, int]], int]:
        """Where the groups of ``activity`` in each row of cells of ``block`` are in cell order (non-empty ones),
        and how many groups they hold."""
        first_column, last_column, first_row, last_row = block
        starts, columns, spans, count = self.starts, self.columns, [], 0
        cell = (activity * self.rows + first_row) * columns
        for _ in range(first_row, last_row + 1):
            start, end = starts[cell + first_column], starts[cell + last_column + 1]
            if end > start:
                spans.append((start, end))
                count += end - start
            cell += columns
        return spans, count
