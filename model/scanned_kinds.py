"""The kinds of change the due weeks find by a pass over their column (``DueWeeks(scanned=...)``), not listed by week:
for each, the earliest week anything of it may be due, and the rows that may be due, which a pass reads.

A pass is a comparison and a search in C, about three instructions a row. A register's rows are in referral order, so
the people of a kind that falls due soon after referral (an assessment, a review, the end of support) are a few
thousand recent rows, whereas the column holds every row ever referred and room for as many again: at an ICB after
two years, 65,536 rows for about 6,000 that may be due. So each kind keeps a stretch of rows, from its first row that
may be due to one past its last. A few people stay in the pathway for years (a sustained member's move on, the next
setback candidate of anyone still in it), and their early rows would keep the stretch almost as long as the column: so
the rows before the stretch that may be due are kept as a short sorted list, read one by one (``early``). Every eighth
week the kind is tidied: the rows of people gone since are dropped, and the stretch starts where reading the rows
before it one by one (a gather, about twice a pass's cost a row) costs less than passing over them.
"""

from __future__ import annotations

import numpy as np

NEVER = np.iinfo(np.int32).max  # a column's entry when nothing is due
TIDIED = 7  # a kind is tidied in the weeks with none of these bits set: every eighth week
READ_ALONE = 1.8  # the cost of reading a row of ``early``, in rows of a pass (callgrind: ~6 and ~3.4 instructions)
_NONE = np.zeros(0, dtype=np.int64)


class ScannedKinds:
    """The scanned kinds' earliest weeks (``start``: nothing of a kind is due before it) and rows that may be due."""

    __slots__ = ("start", "span", "_early", "_added_early")

    def __init__(self, kinds: tuple[str, ...]) -> None:
        self.start = dict.fromkeys(kinds, NEVER)
        self.span = {kind: [NEVER, 0] for kind in kinds}  # kind -> [first row of its stretch, one past its last]
        self._early = dict.fromkeys(kinds, _NONE)  # kind -> rows before its stretch that may be due, in order
        self._added_early: dict[str, list] = {kind: [] for kind in kinds}  # such rows made due since (arrays, rows)

    def made_due(self, kind: str, row: int, week: int) -> None:
        """``row``'s change of ``kind`` is now due in ``week``."""
        if week < self.start[kind]:
            self.start[kind] = week
        span = self.span[kind]
        if row < span[0]:
            if span[0] == NEVER:  # (the first row made due: the stretch starts here)
                span[0] = row
            else:
                self._added_early[kind].append(row)
        if row >= span[1]:
            span[1] = row + 1

    def made_due_many(self, kind: str, rows: np.ndarray, last: int, weeks: np.ndarray | int) -> None:
        """``rows``' changes of ``kind`` are now due in ``weeks`` (one each, or one for all); ``last``: their largest."""
        earliest = int(np.minimum.reduce(weeks) if getattr(weeks, "ndim", 0) else weeks)
        if earliest < self.start[kind]:
            self.start[kind] = earliest
        span = self.span[kind]
        if (first := int(np.minimum.reduce(rows))) < span[0]:  # (``rows.min()`` without its Python layer)
            if span[0] == NEVER:
                span[0] = first
            else:
                self._added_early[kind].append(rows[rows < span[0]])
        if last >= span[1]:
            span[1] = last + 1

    def rows_due(self, kind: str, column: np.ndarray, week: int) -> np.ndarray:
        """The rows of ``kind`` due in ``week`` (``column``: its due weeks), in order: the early rows' and those made
        due before the stretch since the last tidying, then a pass over the stretch."""
        if not week & TIDIED:
            self._tidy(kind, column)
        first, end = self.span[kind]
        rows = np.flatnonzero(column[first:end] == week)
        if first:
            rows += first
        early = self._early[kind]
        due = early[column[early] == week] if len(early) else _NONE
        if added := self._added_early[kind]:
            if len(added) > 1 or type(added[0]) is not np.ndarray:  # (one array from then on)
                added[:] = [np.hstack(added).astype(np.int64, copy=False)]
            if len(more := added[0][column[added[0]] == week]):
                due = _in_order(np.concatenate((due, more)))  # (a row may be in both, or made due twice)
        return np.concatenate((due, rows)) if len(due) else rows

    def _tidy(self, kind: str, column: np.ndarray) -> None:
        """The rows that may be due kept, and the stretch started where the fewest rows are read."""
        span, early, added = self.span[kind], self._early[kind], self._added_early[kind]
        first, end = span
        if added:
            early = _in_order(np.concatenate((early, *map(np.atleast_1d, added))))
            added.clear()
        pending = np.flatnonzero(column[first:end] != NEVER)
        pending += first
        if len(early):  # (all before the stretch)
            pending = np.concatenate((early[column[early] != NEVER], pending))
        # reading the first i alone and passing over the rest from the i-th: READ_ALONE * i + (end - pending[i])
        cost = READ_ALONE * np.arange(len(pending) + 1)
        cost[:-1] += end - pending
        i = int(cost.argmin())
        self._early[kind] = pending[:i]
        span[0] = int(pending[i]) if i < len(pending) else end


def _in_order(rows: np.ndarray) -> np.ndarray:
    """``rows`` sorted, without repeats (``np.unique`` costs several times as much)."""
    rows = np.sort(rows.astype(np.int64, copy=False))
    return rows[np.concatenate(([True], rows[1:] != rows[:-1]))] if len(rows) > 1 else rows
