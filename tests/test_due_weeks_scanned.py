"""A kind of change found by a pass over its column in the week it falls due (``DueWeeks(scanned=...)``) runs the same
rows, in the same order and in the same weeks, as when its rows are listed in their weeks: only weeks with nothing of
it left due are not handed to its runner."""

import numpy as np

from spsim.model.due_weeks import KINDS, NEVER, DueWeeks


class Person:
    def __init__(self, row, log):
        self.row = row
        for kind, method in KINDS.items():
            setattr(self, method, lambda kind=kind: log.append(("each", kind, self.row)))


def _script(scanned: tuple[str, ...], seed: int, stretches_from: int = 0) -> list:
    """A random script: batches made due, some in one week, some a week each (ahead, or in the week running), rows
    rescheduled and cancelled, also by a runner while it runs, and weeks run through one at a time or a few at once."""
    rng = np.random.default_rng(seed)
    log: list = []
    people = {row: Person(row, log) for row in range(400)}

    def runner(kind):
        def run(rows, week):
            log.append(("runner", kind, week, rows.tolist()))
            due.columns[kind][rows] = NEVER
            if len(rows) > 2:  # a change made due in the week running, and one cancelled, from inside a runner
                due.set_many("setback", rows[:1], week)
                due.cancel(int(rows[-1]) + 1, ["setback", "setback_end"])
        return run

    due = DueWeeks(capacity=8, runners={kind: runner(kind) for kind in ("setback", "setback_end", "move_on")},
                   fewest={"setback": 3}, scanned=scanned, stretches_from=stretches_from)  # fmt: skip
    week = 0
    while week < 60:
        for kind in ("setback", "setback_end", "move_on", "review"):
            n = int(rng.integers(0, 12))
            rows = rng.choice(400, size=n, replace=False)
            patients = [people[row] for row in rows.tolist()]
            if rng.random() < 0.3:
                due.set_many(kind, rows, int(week + rng.integers(0, 4)), patients)
            else:
                due.set_many(kind, rows, week + rng.integers(0, 30, size=n), patients)
        if rng.random() < 0.2:
            due.set("setback", people[int(rng.integers(400))], week + int(rng.integers(0, 5)))
        for row in rng.choice(400, size=5, replace=False).tolist():
            due.cancel(row, ["setback", "review"])
        week += int(rng.integers(1, 4))
        due.run_through(week)
        log.append(("due by", due.due_by(week), due.pending(7, "setback")))
    return [entry for entry in log if entry[0] != "runner" or entry[3]]  # (a listed kind's emptied weeks)


def test_a_scanned_kind_runs_what_a_listed_one_runs():
    for seed in range(6):
        listed = _script((), seed)
        assert listed == _script(("setback",), seed) == _script(("setback", "setback_end", "move_on", "review"), seed)
        assert listed == _script(("setback", "review"), seed, stretches_from=64)  # (stretches kept from 64 rows on)
        assert any(entry[:2] == ("runner", "setback") for entry in listed)
        assert any(entry[:2] == ("each", "setback") for entry in listed)


def test_a_scanned_kind_is_not_listed_and_keeps_its_earliest_week():
    due = DueWeeks(capacity=4, scanned=("setback",))
    due.set_many("setback", np.array([3, 1]), np.array([9, 5]))
    assert not due._weeks and due._earliest() == 5 and not due.due_by(4) and due.due_by(5)


def test_a_scanned_kind_finds_rows_made_due_outside_the_rows_its_pass_reads():
    """A scanned kind's pass reads only its stretch of rows that may be due (model/scanned_kinds.py), whose start moves
    up past the people gone every eighth week: rows made due below it or just past its end, alone or in a batch, still
    run in their week, in order."""
    log: list = []
    people = {row: Person(row, log) for row in range(40)}
    due = DueWeeks(capacity=4, scanned=("review",), stretches_from=0)  # (stretches kept at any size)
    due.set_many("review", np.array([20, 30]), np.array([3, 9]), [people[20], people[30]])
    due.run_through(8)  # (week 8 moves the start up to row 30, the one row still due)
    due.set("review", people[31], 10)  # just past the end
    due.set("review", people[29], 10)  # just below the start
    due.run_through(10)
    due.set_many("review", np.array([39, 2]), 11, [people[39], people[2]])
    due.run_through(12)
    assert log == [("each", "review", row) for row in (20, 30, 29, 31, 2, 39)]


def test_stretches_switched_on_as_the_columns_grow_keep_the_rows_made_due_before():
    """Stretches are kept only from ``stretches_from`` rows on (a speed setting): the rows made due before the columns
    grew that long still run."""
    log: list = []
    people = {row: Person(row, log) for row in range(200)}
    due = DueWeeks(capacity=4, scanned=("review",), stretches_from=64)
    due.set_many("review", np.array([1, 2]), 5, [people[1], people[2]])
    due.set("review", people[3], 5)
    due.set_many("review", np.array([150]), 5, [people[150]])  # (the columns grow past 64 rows: stretches kept)
    due.run_through(5)
    assert log == [("each", "review", row) for row in (1, 2, 3, 150)]
