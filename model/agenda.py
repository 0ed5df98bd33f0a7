"""What is due in the weeks ahead: the model's own calendar of one-off changes, week by week.

Everything in the model happens at whole weeks, so a change due later (a follow-up closing a week's records; a
vacancy filled; a group founded; a policy starting) is an entry in its week's list rather than a Mesa event; a
person's own next stages are due weeks per kind instead (model/due_weeks.py), run before the agenda's entries. Mesa's event list keeps a heap of event objects with
weak references (about 11 us to schedule and run one here, 12% of a borough's run); a week's list is
appended to and read once. The order is Mesa's: the model's step first, then the week's entries in the order
they were made (an entry made while the week's list runs, due the same week, runs in the same pass).

A cancelled entry stays in its list, emptied, and is skipped.

Policies can be added to a model after it has run a while (its warm-up, shared by scenarios: experiments/runs/
warmup.py); their entries must then run where construction would have put them, ahead of anything the warm-up
added for the same weeks. ``mark_built`` remembers, at the end of construction, how long each week's list was, and
``as_built`` makes entries go in at that point (in the order made, as construction would have added them).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

Entry = list  # [action]: one slot, emptied by ``cancel``


class Agenda:
    """Actions due at whole weeks, run in the order they were added."""

    def __init__(self) -> None:
        self._weeks: dict[int, list[Entry]] = {}
        self.added = 0  # entries made: a unit of work for the benchmark
        self._built: dict[int, int] | None = None  # each week's entries at the end of construction (mark_built)
        self._late: dict[int, int] = {}  # entries put in since, as construction would have made them
        self._placing = False  # within ``as_built``

    def mark_built(self) -> None:
        """Construction ends here: remember how many entries each week has."""
        self._built = {week: len(entries) for week, entries in self._weeks.items()}

    @contextlib.contextmanager
    def as_built(self) -> Iterator[None]:
        """Within: ``add`` puts an entry where it would be had it been made at the end of construction (after
        construction's own and any made so before, ahead of the entries added since)."""
        if self._built is None:
            raise RuntimeError("the agenda was not marked at the end of construction")
        self._placing = True
        try:
            yield
        finally:
            self._placing = False

    def add(self, week: int, action: Callable[[], None]) -> Entry:
        """Run ``action`` in ``week`` (after that week's step), after everything already due then."""
        entry = [action]
        entries = self._weeks.setdefault(week, [])
        if self._placing:
            at = self._built.get(week, 0) + self._late.get(week, 0)
            if at > len(entries):  # construction's entries for this week have already run
                raise RuntimeError(f"week {week}'s entries have run: too late to add one as built")
            entries.insert(at, entry)
            self._late[week] = self._late.get(week, 0) + 1
        else:
            entries.append(entry)
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
