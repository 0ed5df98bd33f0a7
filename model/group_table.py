"""The open community groups as columns, with a grid of cells over where they are, so that matching reads the
groups near a person rather than every group of the catchment (a whole ICB has about a thousand): for one person
(``nearest_first``), or for a week's seekers at once (``nearest_first_many``; on a grid of a few cells,
``nearest_first_by_seeker``)."""

from __future__ import annotations

import math
from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np

from . import in_reach
from .activities import catalogue
from .arrays import counting_within
from .in_reach import UNDECIDED

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
# on a grid of up to this many cells, a week's seekers are measured against every group (``nearest_first_by_seeker``)
# rather than their blocks' cells (``nearest_first_many``: the same answer): a block is about 3 x 3 cells (a cell is
# about a mean reach), so on such a grid it holds half the cells or more, and gathering its candidates costs more than
# measuring every pair in flat arrays (150,000 adults, 9 cells, ~140 groups, ~30 seekers: 0.84 against 1.19 million
# instructions a batch)
READ_WHOLE_ACTIVITY = 16
Block = tuple[int, int, int, int]  # first and last column, first and last row of cells
_NONE = np.zeros(0, dtype=np.int64)  # (no rows found)
_AWAY = np.array([[-1.0], [1.0], [-1.0], [1.0]])  # a block's edges from its centre: before, after, before, after


class GroupTable:
    """Open groups as NumPy columns (row i is ``groups[i]``), for matching, and a grid of square cells of
    ``cell_km``: per activity, the rows of its groups sorted by cell, so that the groups of one activity in a row
    of cells are one slice (``nearest_first``). Any cell size gives the same answer; one about a person's reach
    keeps both the slices and the groups read few."""

    def __init__(self, groups: list[VCSEGroup], cell_km: float, traits: dict[str, np.ndarray] | None = None,
                 earlier: GroupTable | None = None, kept: np.ndarray | None = None):  # fmt: skip
        """``traits``: the groups' ``x``, ``y``, ``charges`` and ``activity_index`` as arrays, ``groups`` already in
        age order, when the caller keeps them (``Community``: a group opening or closing then costs no pass over
        every group's attributes). ``earlier``: the table this one replaces, whose rows ``kept`` (by row) come first
        here, then groups younger than all of them (``_lists_after``)."""
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
        # for ``_blocks``: the origin and the bounds of each of a block's four edges, as columns
        self.edge_origin = np.array([[self.x0], [self.x0], [self.y0], [self.y0]])
        self.edge_low = np.array([[0.0], [-np.inf], [0.0], [-np.inf]])
        self.edge_high = np.array([[np.inf], [self.columns - 1.0], [np.inf], [self.rows - 1.0]])
        cell = (self.activity * self.rows + row) * self.columns + column  # activity, then row, then column
        self.by_cell = np.argsort(cell, kind="stable")
        self.activities = len(catalogue())
        cells = self.activities * self.rows * self.columns
        # where each cell's groups start in ``by_cell`` (a list: read a few times per match, one by one)
        self.cell_starts = np.searchsorted(cell[self.by_cell], np.arange(cells + 1))
        self.starts: list[int] = self.cell_starts.tolist()
        # the groups' traits in cell order, as arrays and as lists, for ``nearest_first``'s two ways of measuring
        by_cell = self.by_cell
        self.by_cell_arrays = (self.x[by_cell], self.y[by_cell], self.free_to_attend[by_cell], by_cell)
        if earlier is not None and (earlier.x0, earlier.y0, earlier.columns, earlier.rows, earlier.cell_km) == (
                self.x0, self.y0, self.columns, self.rows, cell_km):  # fmt: skip
            self.by_cell_columns = self._lists_after(earlier, kept)
        else:
            self.by_cell_columns = tuple(column.tolist() for column in (*self.by_cell_arrays[:2], self.charges[by_cell],
                                                                         by_cell))  # fmt: skip
        # for ``nearest_first_by_seeker``: whether it is used, and each group's kind (``ranks_by_kind``)
        self.reads_every_group = self.rows * self.columns <= READ_WHOLE_ACTIVITY
        self.kind = self.activity + self.activities * self.charges
        self._tiles: tuple[np.ndarray, np.ndarray] = self.x[:0], self.y[:0]  # (``_end_to_end``)

    def _lists_after(self, earlier: GroupTable, kept: np.ndarray) -> tuple[list, ...]:
        """``by_cell_columns`` as ``earlier``'s lists less its closed groups' entries, with the new groups' put in at
        their places: on the same grid the groups kept stay in the same cell order. The same lists as made from the
        arrays, without a Python number for every group made again (at an ICB, a tenth of a week's matching)."""
        gone = np.flatnonzero(~kept.take(earlier.by_cell)).tolist()  # places in ``earlier``'s cell order
        new = np.flatnonzero(self.by_cell >= np.count_nonzero(kept)).tolist()  # and in this table's
        x, y, charges, rows = (list(column) for column in earlier.by_cell_columns)
        for place in reversed(gone):
            del x[place], y[place], charges[place], rows[place]
        if gone:  # the rows after a closed group's are one less
            rows = self.by_cell.tolist()
        for place in new:  # in cell order: each goes in after those before it
            row = int(self.by_cell[place])
            x.insert(place, self.x.item(row))
            y.insert(place, self.y.item(row))
            charges.insert(place, self.charges.item(row))
            if not gone:
                rows.insert(place, row)
        return x, y, charges, rows

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

    def nearest_first_many(self, x: np.ndarray, y: np.ndarray, reach_km: np.ndarray, cannot_pay: np.ndarray,
                           activity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """``nearest_first`` for many seekers of an activity at once (entry i: one at (x[i], y[i]) with ``reach_km[i]``
        who wants ``activity[i]``): the entries and the rows they find, by entry, then nearest, then older. Decided as
        ``in_reach.in_python`` decides (by squared distances; ``np.hypot`` on the edge of reach, and for the order when
        two of an entry's groups are within ``in_reach.UNDECIDED`` of each other), so the same rows in the same order
        as ``in_reach.in_numpy`` measures them. The candidates are
        the groups in each entry's block of cells: any others are beyond reach (the grid proposes, the exact distance
        decides)."""
        entry, k = self._in_blocks(x, y, reach_km, activity)
        dx, dy, free_to_attend, rows = (column.take(k) for column in self.by_cell_arrays)  # (the groups' x and y)
        dx -= x.take(entry)
        dy -= y.take(entry)
        allowed = (~cannot_pay).take(entry)
        allowed |= free_to_attend
        pair, square = in_reach.in_reach_of_entries(dx, dy, entry, reach_km, allowed)
        entry, rows = entry.take(pair), rows.take(pair)
        order = in_reach.nearest_first_by_square(entry, square)
        if order is None:  # two of an entry's groups as far as each other: NumPy's distances (then the older) decide
            order = in_reach.nearest_first_by_entry(entry, np.hypot(dx.take(pair), dy.take(pair)), rows)
        return entry.take(order), rows.take(order)

    def nearest_first_by_seeker(self, x: list[float], y: list[float], reach_km: list[float],
                                ranks: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """``nearest_first`` for a week's seekers, every activity each wants at once (seeker i at (x[i], y[i]) with
        ``reach_km[i]``, ranking groups by kind as ``ranks[i]``, ``ranks_by_kind``'s answer): whose each row found is,
        and the rows, seeker by seeker, the more wanted activity first, then nearest, then older. Every group is
        measured against every seeker, in flat arrays (the table's columns laid end to end once per seeker): on a
        grid of a few cells that costs fewer NumPy calls and gathers than reading cells. Pairs whose squared distance
        is beyond the reach by ``in_reach.UNDECIDED``'s margin are out, as ``in_reach.in_python`` decides; the rest
        are measured as ``in_reach.in_numpy`` measures (``np.hypot``), so the same rows in the same order."""
        seekers, groups = len(x), len(self.groups)
        if not groups or not seekers:
            return _NONE, _NONE
        x, y, reach = np.array((x, y, reach_km), dtype=float)
        xs, ys = self._end_to_end(seekers)
        dx = xs - x.repeat(groups)
        dy = ys - y.repeat(groups)
        square = dx * dx
        square += dy * dy
        beyond = reach * (1 + UNDECIDED)
        beyond *= beyond
        rank = np.concatenate(ranks).reshape(seekers, -1).take(self.kind, axis=1).ravel()  # each pair's
        pair = ((square <= beyond.repeat(groups)) & (rank >= 0)).nonzero()[0]  # seeker * groups + row
        distance = np.hypot(dx.take(pair), dy.take(pair))
        within = (distance <= reach.take(seeker := pair // groups)).nonzero()[0]
        pair, seeker, distance = pair.take(within), seeker.take(within), distance.take(within)
        row, bits = pair - seeker * groups, self.activities.bit_length()  # (a rank is below ``activities``)
        order = in_reach.nearest_first_by_entry((seeker << bits) | rank.take(pair), distance, row,
                                                largest=seekers << bits)  # fmt: skip
        return seeker.take(order), row.take(order)

    def _end_to_end(self, seekers: int) -> tuple[np.ndarray, np.ndarray]:
        """The groups' x and y, laid end to end ``seekers`` times (views of arrays kept for the most seekers yet)."""
        size = seekers * len(self.groups)
        if len(self._tiles[0]) < size:
            times = max(seekers, 2 * len(self._tiles[0]) // len(self.groups))
            self._tiles = np.tile(self.x, times), np.tile(self.y, times)
        return self._tiles[0][:size], self._tiles[1][:size]

    def _in_blocks(self, x: np.ndarray, y: np.ndarray, reach_km: np.ndarray,
                   activity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """Candidates for each entry: the groups of its activity in the cells its reach touches (``_blocks``), as
        (entry, place in ``by_cell``) pairs, entry by entry."""
        first_column, last_column, first_row, last_row = self._blocks(x, y, reach_km)
        cell_rows = np.where(first_column <= last_column, np.maximum(last_row - first_row + 1, 0), 0)
        # one span of ``by_cell`` per entry and row of cells it touches, then every candidate in those spans
        entry = np.repeat(np.arange(len(x)), cell_rows)
        row = first_row[entry] + counting_within(cell_rows)
        cell = (activity[entry] * self.rows + row) * self.columns
        start = self.cell_starts[cell + first_column[entry]]
        length = self.cell_starts[cell + last_column[entry] + 1] - start
        # a candidate's place in ``by_cell``: its span's start, plus its place among the candidates less the place of
        # its span's first (worked out per span: one pass over the candidates, not ``counting_within``'s four)
        place = np.repeat(start - (np.cumsum(length) - length), length)
        place += np.arange(len(place))
        return np.repeat(entry, length), place

    def _blocks(self, x: np.ndarray, y: np.ndarray, reach_km: np.ndarray) -> np.ndarray:
        """``block`` for many (x, y, reach_km) at once, as four rows (first and last column, first and last row of
        cells), worked out as one 4 x n block: x - reach is x + -reach to the bit, so each edge is ``block``'s."""
        reach = reach_km + EDGE_MARGIN_KM
        edge = np.stack((x, x, y, y))
        edge += _AWAY * reach
        edge -= self.edge_origin
        edge /= self.cell_km
        np.floor(edge, out=edge)
        np.maximum(edge, self.edge_low, out=edge)
        np.minimum(edge, self.edge_high, out=edge)
        return edge.astype(np.int64)

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
