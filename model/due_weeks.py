"""A person's next stages as due weeks, one column per kind of change, run kind by kind each week (DESIGN.md 15).

A referred person has at most one pending change of each kind (their assessment, a review, a setback candidate, the
end of a setback, moving on, the lighter maintenance phase, the end of support): the week it is due is their row's
entry in that kind's column, and scheduling it again replaces it. Each week the kinds run one after the other, in the
pathway's order; within a kind, people run in referral order (their register row), so the only order that matters,
who takes the last places of a group or a link worker's room, is first come, first served. A change made due in the
week that is running runs in the same pass. Cancelling is writing "never": nothing is looked for or taken out.

Each week keeps the rows made due in it per kind, so a week reads its own people rather than every column; a row
whose column no longer says that week (rescheduled or cancelled since) is skipped. The weeks that have rows are also
kept as a heap, so finding the earliest is one look rather than a pass over every week ahead (a borough has about 320
weeks with something due, read several times a week). A kind may be run over its rows as
arrays (``runners``: the setback candidates, model/setback_rows.py) instead of one Patient method call per person,
when the week has enough of them (``fewest``).

A kind run for many people need not be listed in its weeks at all (``scanned``): in the week it falls due its rows
are found by one pass over its column (a comparison and a search for the rows that match, in C), which costs less than
listing each row and then sorting, de-duplicating and filtering the week's list. The gain is largest for a setback
candidate, drawn months ahead for nearly everyone referred and mostly cancelled first: a listed one was read back,
cancelled, in its week. Such a kind keeps only the earliest week anything of it may be due; from then on every week is
read, and a week read has no rows of it left due then. The pass reads only the kind's stretch of rows that may be due
(model/scanned_kinds.py), not the column's every row ever referred.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from .scanned_kinds import NEVER, STRETCHES_FROM, ScannedKinds

if TYPE_CHECKING:
    from .patient import Patient

#: each kind of a person's scheduled change, in the order a week runs them, and the Patient method that makes it
KINDS = {
    "assessment": "complete_assessment",
    "review": "look_for_group",
    "move_on": "move_on",
    "setback": "setback_candidate",
    "setback_end": "end_setback",
    "maintenance": "enter_maintenance",
    "end_support": "end_support",
}


def _sorted_unique(rows: list[int]) -> np.ndarray:
    """``rows`` without repeats, in order, as an array: ``sorted(set(rows))`` (``np.unique`` costs more on a few), the
    sort NumPy's (quicker than ``sorted`` and a list's conversion), the set made a list only when it took repeats out."""
    unique = set(rows)
    out = np.array(rows if len(unique) == len(rows) else list(unique), dtype=np.int64)
    out.sort()
    return out


class DueWeeks:
    """When each referral's next change of each kind is due (a week, or NEVER), by register row."""

    def __init__(self, capacity: int = 1024, runners: dict[str, Callable[[np.ndarray, int], None]] | None = None,
                 fewest: dict[str, int] | None = None, scanned: tuple[str, ...] = (),
                 stretches_from: int = STRETCHES_FROM):  # fmt: skip
        """``runners``: for a kind run over its rows at once, what runs it, given the rows due (in order) and the
        week they are due (each runner writes NEVER in its column for the rows it has run). ``fewest``: for a kind
        with a runner, the fewest rows it is handed; fewer run one by one, each the person's own method (a runner's
        arrays have a fixed cost that a few people's own steps do not: a speed setting only, the same numbers).
        ``scanned``: the kinds found by a pass over their column in the week they fall due, not listed by week (a
        speed setting only: the same rows run, in the same order); ``stretches_from``: the columns' length from which
        a scanned kind's pass reads only its stretch of rows that may be due (``STRETCHES_FROM``; also speed only)."""
        self.runners = runners or {}
        self.fewest = dict(fewest or {})
        self.columns = {kind: np.full(capacity, NEVER, dtype=np.int32) for kind in KINDS}
        self.capacity = capacity  # every column's length
        self._weeks: dict[int, dict[str, list[int]]] = {}  # week -> kind -> rows made due then (some since moved)
        self._order: list[int] = []  # the weeks of ``_weeks`` as a heap (and some gone since, skipped when met)
        self.patients: dict[int, Patient] = {}  # row -> its person, while they may have anything due
        self._scanned = ScannedKinds(scanned, capacity, stretches_from)
        self._scanned_from = self._scanned.start  # scanned kind -> nothing of it is due before this week
        self.added = 0  # changes scheduled: a unit of work for the benchmark

    def set(self, kind: str, patient: Patient, week: int) -> None:
        """``patient``'s change of ``kind`` is due in ``week``, replacing any pending one."""
        row = patient.row
        column = self.columns[kind]
        if row >= len(column):
            self._grow(row + 1)
            column = self.columns[kind]
        column[row] = week
        if (start := self._scanned_from.get(kind)) is None:
            self._of_week(week).setdefault(kind, []).append(row)
        else:  # (most people's rows are in their kind's stretch already: ``made_due`` inlined for them)
            if week < start:
                self._scanned_from[kind] = week
            if self._scanned.on and not (span := self._scanned.span[kind])[0] <= row < span[1]:
                self._scanned.made_due(kind, row, week)
        self.patients[row] = patient
        self.added += 1

    def set_many(self, kind: str, rows: np.ndarray, weeks: np.ndarray | int, patients=None) -> None:
        """``set`` for many rows at once, due in ``weeks`` (one each, or one for all); ``patients``: theirs, if not
        already known here."""
        if not len(rows):
            return
        column = self.columns[kind]
        if (last := int(np.maximum.reduce(rows))) >= len(column):  # (``rows.max()`` without its Python layer)
            self._grow(last + 1)
            column = self.columns[kind]
        column[rows] = weeks
        self.added += len(rows)
        if kind in self._scanned_from:  # nothing listed: its earliest week and its span of rows kept
            if patients is not None:
                self.patients.update(zip(rows.tolist(), patients, strict=True))
            self._scanned.made_due_many(kind, rows, last, weeks)
            return
        listed = rows.tolist()
        if patients is not None:
            self.patients.update(zip(listed, patients, strict=True))
        if getattr(weeks, "ndim", 0) == 0:  # one week for all (an episode's end, an assessment): one list
            week = weeks.item() if hasattr(weeks, "item") else weeks  # (``np.asarray(weeks).item()``)
            self._of_week(week).setdefault(kind, []).extend(listed)
        else:  # mostly a different week each (setback gaps)
            by_week = self._weeks
            for week, row in zip(weeks.tolist(), listed, strict=True):
                of_week = by_week.get(week)
                if of_week is None:
                    of_week = self._of_week(week)
                of_week.setdefault(kind, []).append(row)

    def cancel(self, row: int, kinds) -> None:
        if row < self.capacity:  # else nothing was ever due for them
            columns = self.columns
            for kind in kinds:
                columns[kind][row] = NEVER

    def cancel_all(self, row: int) -> None:
        """Nothing of any kind is due for ``row`` any more (a write to each column: quicker than one to a column of
        a 2D table)."""
        if row < self.capacity:
            for column in self.columns.values():
                column[row] = NEVER

    def cancel_many(self, rows: np.ndarray) -> None:
        """``cancel_all`` for many rows at once."""
        rows = rows[rows < self.capacity]
        for column in self.columns.values():
            column[rows] = NEVER

    def forget(self, row: int) -> None:
        """The person left the model: nothing of theirs is due any more."""
        self.cancel_all(row)
        self.patients.pop(row, None)

    def take(self, kind: str, rows: np.ndarray, states: np.ndarray, state: int) -> tuple[np.ndarray, list[Patient]]:
        """A runner's start: ``rows``' changes of ``kind`` are run (no longer due), and of them the rows whose state
        (``states``, the register's column) is ``state`` now, with their people (the rest have nothing to do)."""
        self.columns[kind][rows] = NEVER
        rows = rows[states[rows] == state]
        return rows, [self.patients[row] for row in rows.tolist()]

    def pending(self, row: int, kind: str) -> bool:
        column = self.columns[kind]
        return row < len(column) and column[row] != NEVER

    def due_by(self, week: int) -> bool:
        earliest = self._earliest()
        return earliest is not None and earliest <= week

    def _of_week(self, week: int) -> dict[str, list[int]]:
        """The rows made due in ``week``, by kind (a new week goes on the heap)."""
        of_week = self._weeks.get(week)
        if of_week is None:
            of_week = self._weeks[week] = {}
            heapq.heappush(self._order, week)
        return of_week

    def _earliest(self) -> int | None:
        """The earliest week with rows made due in it (None: none), the heap's weeks run since dropped, or with rows of
        a scanned kind perhaps due."""
        order, weeks = self._order, self._weeks
        while order and order[0] not in weeks:
            heapq.heappop(order)
        earliest = order[0] if order else NEVER
        for start in self._scanned_from.values():
            earliest = min(earliest, start)
        return earliest if earliest != NEVER else None

    def run_through(self, week: int) -> None:
        """Run every change due in ``week`` or before: the earliest week first, kind by kind, rows in order."""
        while True:
            w = self._earliest()
            if w is None or w > week:
                return
            of_week = self._weeks.get(w)  # (None: a week of scanned kinds only, so far)
            for kind, method in KINDS.items():
                column = self.columns[kind]
                if (start := self._scanned_from.get(kind)) is not None:
                    if start != w:  # (later: nothing of it due in w)
                        continue
                    self._scanned_from[kind] = w + 1  # (lowered again by a row made due in w while they run)
                    if not len(rows := self._scanned.rows_due(kind, column, w)):
                        continue
                else:
                    if of_week is None and (of_week := self._weeks.get(w)) is None:
                        continue
                    if not (rows := of_week.pop(kind, None)):
                        continue
                if (runner := self.runners.get(kind)) is not None:
                    if start is None:
                        rows = _sorted_unique(rows)
                        rows = rows[column[rows] == w]  # not rescheduled or cancelled since
                    if len(rows) >= self.fewest.get(kind, 0):
                        runner(rows, w)
                    else:  # each in turn, as a runner's own rows left to run one by one (still due at their turn)
                        self.run_each(kind, rows.tolist(), w)
                    continue
                for row in rows.tolist() if start is not None else sorted(set(rows)):
                    if column[row] == w and (patient := self.patients.get(row)) is not None:
                        column[row] = NEVER
                        getattr(patient, method)()
            if of_week is not None and not of_week:  # else changes were made due this week while it ran: another pass
                del self._weeks[w]

    def run_each(self, kind: str, rows: list[int], week: int) -> None:
        """``kind``'s change for each of ``rows`` (in order) still due in ``week`` at their turn: their own method."""
        column, patients, method = self.columns[kind], self.patients, KINDS[kind]
        for row in rows:
            if column[row] == week and (patient := patients.get(row)) is not None:
                column[row] = NEVER
                getattr(patient, method)()

    def _grow(self, size: int) -> None:
        self.capacity = capacity = max(size, 2 * self.capacity)
        self._scanned.grown(capacity)
        for kind, column in self.columns.items():
            grown = np.full(capacity, NEVER, dtype=np.int32)
            grown[: len(column)] = column
            self.columns[kind] = grown
