"""What is due in the weeks ahead: the model's own calendar of one-off changes, week by week.

Everything in the model happens at whole weeks, so a change due later (a follow-up closing a week's records; a
vacancy filled; a group founded; a policy starting) is an entry in its week's list rather than a Mesa event; a
person's own next stages are due weeks per kind instead (model/due_weeks.py), run before the agenda's entries. Mesa's event list keeps a heap of event objects with
weak references (about 11 us to schedule and run one here, 12% of a borough's run); a week's list is
appended to and read once. The order is Mesa's: the model's step first, then the week's entries in the order
they were made (an entry made while the week's list runs, due the same week, runs in the same pass).

A cancelled entry stays in its list, emptied, and is skipped.
"""

from __future__ import annotations

from collections.abc import Callable

Entry = list  # [action]: one slot, emptied by ``cancel``


class Agenda:
    """Actions due at whole weeks, run in the order they were added."""

    def __init__(self) -> None:
        self._weeks: dict[int, list[Entry]] = {}
        self.added = 0  # entries made: a unit of work for the benchmark

    def add(self, week: int, action: Callable[[], None]) -> Entry:
        """Run ``action`` in ``week`` (after that week's step), after everything already due then."""
        entry = [action]
        self._weeks.setdefault(week, []).append(entry)
        self.added += 1
        return entry

    @staticmethod
    def cancel(entry: Entry | None) -> None:
        if entry is not None:
            entry[0] = None

    def run_through(self, week: int) -> None:
        """Run everything due in ``week`` or before, week by week (earlier weeks: entries made between steps,
        or at the model's start, which Mesa too would run before the next step)."""
        while True:
            due = [w for w in self._weeks if w <= week]
            if not due:
                return
            w = min(due)
            entries = self._weeks[w]
            i = 0
            while i < len(entries):  # the list may grow while it runs
                action = entries[i][0]
                if action is not None:
                    action()
                i += 1
            del self._weeks[w]

    def pending(self) -> int:
        """Entries still to run (cancelled ones excluded)."""
        return sum(entry[0] is not None for entries in self._weeks.values() for entry in entries)
