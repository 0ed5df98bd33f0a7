"""The kinds of change the due weeks find by a pass over their column (``DueWeeks(scanned=...)``), not listed by week:
for each, the earliest week anything of it may be due, and the stretch of rows outside which nothing of it is.

A pass is a comparison and a search in C, about three instructions a row. A register's rows are in referral order, so
the people of a kind that falls due soon after referral (an assessment, a review, the end of support) are a few
thousand recent rows, whereas the column holds every row ever referred and room for as many again: at an ICB after
two years, 65,536 rows for about 6,000 that may be due. So each kind keeps its span, lowered or raised when a row is
made due, and every eighth week its start moves up to the first row with anything due, past the people gone since (a
pass over the span, a few instructions a row once in eight weeks). A kind made due for years ahead (a setback
candidate) keeps a long span, but no longer reads the column's empty room.
"""

from __future__ import annotations

import numpy as np

NEVER = np.iinfo(np.int32).max  # a column's entry when nothing is due
TIGHTENED = 7  # a span's start is moved up in the weeks with none of these bits set: every eighth week
# Spans are kept once the columns have this many rows (a speed setting only: the same rows, in the same order): below,
# a pass over the whole column costs less than keeping them (150,000 adults: 8,192 rows after three years, and the
# spans' bookkeeping cost 0.37% of their weeks; an ICB has 32,768 rows within a year)
STRETCHES_FROM = 32_768


class ScannedKinds:
    """The scanned kinds' earliest weeks (``start``: nothing of a kind is due before it) and spans of rows."""

    __slots__ = ("start", "span", "on", "_from")

    def __init__(self, kinds: tuple[str, ...], capacity: int, stretches_from: int = STRETCHES_FROM) -> None:
        self.start = dict.fromkeys(kinds, NEVER)
        self.span = {kind: [NEVER, 0] for kind in kinds}  # kind -> [its first row, one past its last] that may be due
        self.on, self._from = False, stretches_from  # (off: every pass reads the whole column)
        self.grown(capacity)

    def grown(self, capacity: int) -> None:
        """The columns now have ``capacity`` rows: spans are kept from now on if that is enough, each the whole column
        at first (moved up at the next eighth week)."""
        if not self.on and capacity >= self._from:
            self.on = True
            for span in self.span.values():
                span[:] = 0, capacity

    def made_due(self, kind: str, row: int, week: int) -> None:
        """``row``'s change of ``kind`` is now due in ``week``."""
        if week < self.start[kind]:
            self.start[kind] = week
        span = self.span[kind]
        if row < span[0]:
            span[0] = row
        if row >= span[1]:
            span[1] = row + 1

    def made_due_many(self, kind: str, rows: np.ndarray, last: int, weeks: np.ndarray | int) -> None:
        """``rows``' changes of ``kind`` are now due in ``weeks`` (one each, or one for all); ``last``: their largest."""
        earliest = int(np.minimum.reduce(weeks) if getattr(weeks, "ndim", 0) else weeks)
        if earliest < self.start[kind]:
            self.start[kind] = earliest
        if not self.on:
            return
        span = self.span[kind]
        if (first := int(np.minimum.reduce(rows))) < span[0]:  # (``rows.min()`` without its Python layer)
            span[0] = first
        if last >= span[1]:
            span[1] = last + 1

    def rows_due(self, kind: str, column: np.ndarray, week: int) -> np.ndarray:
        """The rows of ``kind`` due in ``week`` (``column``: its due weeks), in order: a pass over its span."""
        if not self.on:
            return np.flatnonzero(column == week)
        span = self.span[kind]
        first, end = span
        if not week & TIGHTENED and first < end:
            pending = column[first:end] != NEVER
            at = int(pending.argmax())  # (the first row with anything due, or 0 for none)
            span[0] = first = first + at if pending[at] else end
        rows = np.flatnonzero(column[first:end] == week)
        if first:
            rows += first
        return rows
