"""The model's agenda: what falls due runs after the week's step, in the order it was made (as Mesa's events did)."""

from spsim.model.agenda import Agenda
from tests.builders import calm_model


def test_a_week_runs_in_the_order_made_and_skips_what_was_cancelled():
    agenda, ran = Agenda(), []
    agenda.add(2, lambda: ran.append("b"))
    cancelled = agenda.add(1, lambda: ran.append("never"))
    agenda.add(1, lambda: ran.append("a1"))
    agenda.add(1, lambda: agenda.add(1, lambda: ran.append("a2, made while week 1 ran")))
    Agenda.cancel(cancelled)
    agenda.run_through(1)
    assert ran == ["a1", "a2, made while week 1 ran"]
    assert agenda.pending() == 1
    agenda.run_through(2)
    assert ran[-1] == "b" and agenda.pending() == 0 and agenda.added == 5


def test_what_falls_due_runs_after_the_step_of_its_week():
    model = calm_model()
    seen = []
    model.due_in(2, lambda: seen.append((model.week, model.observers.series()["referrals"].size)))
    model.step()
    assert not seen
    model.step()
    # week 2's entry ran in week 2, after the step had collected week 2's row (rows: week 0, 1 and 2)
    assert seen == [(2, 3)]


def test_an_entry_made_between_steps_for_now_runs_before_the_next_step():
    model = calm_model()
    model.step()
    order = []
    model.due_in(0, lambda: order.append(("entry", model.observers.series()["referrals"].size)))
    model.step()
    assert order == [("entry", 2)]  # before the step of week 2 collected its row


def test_a_persons_changes_run_kind_by_kind_in_referral_order_and_the_latest_due_week_wins():
    """People's next stages are due weeks per kind (model/due_weeks.py): a week runs the kinds in the pathway's
    order and, within a kind, people in referral order (register row), whatever order they were made due in;
    making a change due again replaces it, cancelling and forgetting empty it, and a change made due in the week
    that is running runs in the same pass."""
    from spsim.model.due_weeks import KINDS, DueWeeks

    due, ran = DueWeeks(capacity=2), []

    class Person:
        def __init__(self, row):
            self.row = row
            for kind, method in KINDS.items():
                setattr(self, method, lambda kind=kind: ran.append((kind, self.row)))

    a, b, c, d = Person(3), Person(1), Person(7), Person(2)
    due.set("end_support", b, 1)
    due.set("assessment", a, 1)
    due.set("assessment", b, 1)
    due.set("review", c, 1)
    due.set("review", c, 4)  # replaced: not in week 1
    due.set("setback", d, 1)
    due.cancel(d.row, ["setback"])
    due.set("move_on", d, 1)
    due.forget(d.row)  # gone from the model: nothing of theirs runs
    a.look_for_group = lambda: (ran.append(("review", a.row)), due.set("end_support", a, 1))  # made due while running
    due.set("review", a, 1)
    due.run_through(1)
    assert ran == [("assessment", 1), ("assessment", 3), ("review", 3), ("end_support", 1), ("end_support", 3)]
    assert due.pending(c.row, "review") and not due.pending(a.row, "review") and not due.due_by(3)
    due.run_through(4)
    assert ran[-1] == ("review", 7) and due.added == 9


def test_a_kind_run_over_rows_gets_them_once_each_in_referral_order_and_only_those_still_due():
    """A kind with a runner (``DueWeeks.runners``) is handed its week's rows as one array: repeats taken out, in
    referral order (``sorted(set(rows))``), without those rescheduled or cancelled since; ``set_many`` takes one week
    for all (a Python or a NumPy number, kept as the number it is) or one week each."""
    import numpy as np

    from spsim.model.due_weeks import NEVER, DueWeeks

    handed = []
    due = DueWeeks(capacity=4, runners={"setback": lambda rows, week: handed.append((rows.tolist(), rows.dtype, week))})
    due.set_many("setback", np.array([9, 2, 5, 2]), np.int64(3))  # the capacity grows to hold row 9
    due.set_many("setback", np.array([7, 5, 11]), np.array([3, 3, 6]))
    due.set_many("setback", np.array([4]), 4)  # row 4 is due in week 4, not 3
    due.set_many("setback", np.array([4]), np.array([3]))
    due.columns["setback"][7] = NEVER  # cancelled
    due.set_many("setback", np.array([9]), np.array([5]))  # rescheduled
    due.run_through(6)
    # (week 4's list held row 4 alone, made due since in week 3: the runner is handed no one)
    assert handed == [([2, 4, 5], np.int64, 3), ([], np.int64, 4), ([9], np.int64, 5), ([11], np.int64, 6)]
    assert all(type(week) is int for _, _, week in handed) and due.added == 10


def test_a_kind_with_fewer_rows_than_its_fewest_runs_them_one_by_one():
    """``DueWeeks.fewest``: a week with fewer rows of a kind than its fewest runs each person's own method, in referral
    order and only for those still due at their turn (someone earlier may cancel a later one's change); a week with
    enough rows hands them to the runner."""
    import numpy as np

    from spsim.model.due_weeks import KINDS, DueWeeks

    handed, ran = [], []
    due = DueWeeks(capacity=8, runners={"setback": lambda rows, week: handed.append((rows.tolist(), week))},
                   fewest={"setback": 3})  # fmt: skip

    class Person:
        def __init__(self, row):
            self.row = row
            setattr(self, KINDS["setback"], lambda: ran.append(self.row))

    people = {row: Person(row) for row in range(6)}
    people[1].setback_candidate = lambda: (ran.append(1), due.cancel(4, ["setback"]))  # (cancels row 4's, before it)
    due.set_many("setback", np.array([4, 1, 5]), 1, [people[4], people[1], people[5]])
    due.columns["setback"][5] = 7  # rescheduled since: three rows listed in week 1, two still due
    due.set_many("setback", np.array([0, 3, 5]), 2, [people[0], people[3], people[5]])
    due.run_through(1)
    assert ran == [1] and handed == []  # row 4's cancelled by row 1 before its turn
    due.run_through(2)
    assert handed == [([0, 3, 5], 2)] and ran == [1]
