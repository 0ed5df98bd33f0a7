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
