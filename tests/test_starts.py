"""A runner's starts taken as one batch (``starts.Starts``: the place at each one's turn, the rest after the loop)
leave the model as each one's own ``Attendance.start_attending`` in turn does: a first start and someone coming back
(faded mechanisms resumed, a wait since first matched, no second tariff), a volunteer (their own start, at once), a
pending review cancelled; and the model's runs give the same numbers as starts one by one. A starter moved again
before the batch is finished stops the run."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from spsim.model import SocialPrescribingModel, starts
from spsim.model.states import IN_GROUP, Event, PathwayState
from tests.test_regression import CASES

S = PathwayState


def _setting():
    """A place 40 weeks on, six people with their link worker, each given a group with a free place; the first coming
    back (took up before, mechanisms paused and faded, matched at week 30), the second matched before (a wait), the
    third a volunteer, the fourth with a review pending."""
    model = SocialPrescribingModel(rng=3, population=20_000, referral_tariff_gbp=100.0)
    model.run_for(40)
    people = sorted((p for p in model.due.patients.values() if p.state is S.WITH_LINK_WORKER), key=lambda p: p.row)[:6]
    groups = [g for g in model.community.groups() if g.is_open and g.free_places > 0][:6]
    assert len(people) == len(groups) == 6
    back, matched, volunteer, reviewed = people[:4]
    back.took_up = True
    model.register.took_up[back.row] = True
    back.matched_at, back.group_wait_weeks = 30.0, 4.0  # (their wait was counted at their first start)
    back.mechanisms.set_levels((0.5, 0.4, 0.3))
    back.mechanisms.pause(35.0)
    matched.matched_at = 33.0
    volunteer.volunteer = True
    model.due.set("review", reviewed, model.week + 5)
    return model, [p.row for p in people], [g.unique_id for g in groups]


def _state(model: SocialPrescribingModel, rows: list[int]) -> tuple:
    register, due = model.register, model.due
    columns = {name: column.copy() for name, column in vars(register).items() if isinstance(column, np.ndarray)}
    people = [(p.state, p.group.unique_id, p.took_up, p.group_wait_weeks, p.volunteer)
              for p in (due.patients[row] for row in rows)]  # fmt: skip
    groups = sorted((g.unique_id, [m.row for m in g.members], g.reserves, g.free_places) for g in model.community.groups())
    return (list(model.attending), model.member_rows.now(register.state).tolist(), list(model.counters.in_state),
            dict(model.transitions), model.counters, model.ledger.tariff_starts, model.ledger.tariffs_paid,
            {kind: column.copy() for kind, column in due.columns.items()}, people, groups, columns)  # fmt: skip


def _same(a, b) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b or (a != a and b != b)  # (NaN: a wait not yet known)


def _start(model, rows, group_ids, batch: bool) -> None:
    groups = {g.unique_id: g for g in model.community.groups()}
    taken = starts.Starts(model, Event.PLACE_FREE)
    for row, gid in zip(rows, group_ids, strict=True):
        patient = model.due.patients[row]
        if batch:
            taken.take_place(patient, groups[gid])
        else:
            patient.start_attending(groups[gid], Event.PLACE_FREE)
    taken.finish()


def test_a_batch_of_starts_leaves_the_model_as_starts_one_by_one():
    model, rows, group_ids = _setting()
    one_by_one, batch = copy.deepcopy(model), model
    _start(one_by_one, rows, group_ids, batch=False)
    _start(batch, rows, group_ids, batch=True)
    expected = _state(one_by_one, rows)
    assert expected[8][2][0] is S.VOLUNTEERING and expected[8][0][3] == 4.0 and expected[8][1][3] == 7.0
    assert all(state in IN_GROUP for state, *_ in expected[8])
    assert _same(_state(batch, rows), expected)


def test_a_starter_moved_before_the_batch_is_finished_stops_the_run():
    model, rows, group_ids = _setting()
    groups = {g.unique_id: g for g in model.community.groups()}
    taken = starts.Starts(model, Event.PLACE_FREE)
    patient = model.due.patients[rows[4]]
    taken.take_place(patient, groups[group_ids[4]])
    patient.group.leave(patient)
    patient.move_to(S.AWAITING_GROUP, Event.PLACES_SHRANK)
    with pytest.raises(RuntimeError, match="moved again"):
        taken.finish()


def _run(case: str, monkeypatch, batch: bool) -> tuple:
    if not batch:  # each start its own ``start_attending`` at its turn (nothing left for ``finish``)
        monkeypatch.setattr(starts.Starts, "take_place",
                            lambda self, patient, group: patient.start_attending(group, self._event))  # fmt: skip
    params, policies = CASES[case]
    model = SocialPrescribingModel(rng=7, policies=policies, **params)
    model.run_for(156)
    model.close_open_records()
    monkeypatch.undo()
    return (model.outcomes().to_csv(index=False), model.datacollector.get_model_vars_dataframe().to_csv(),
            sorted(map(str, model.transitions.items())), model.counters, model.ledger.tariffs_paid)  # fmt: skip


@pytest.mark.parametrize("case", ["baseline", "levers"])
def test_runs_with_starts_as_a_batch_give_the_numbers_of_starts_one_by_one(case, monkeypatch):
    assert _run(case, monkeypatch, batch=True) == _run(case, monkeypatch, batch=False)
