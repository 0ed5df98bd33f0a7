"""Moving on run over a week's rows (``attendance.run_moves_on``, a runner of the due weeks) gives exactly the numbers
of each person's own ``Attendance.move_on`` run one by one, in referral order; and mechanisms paused as a batch
(``Mechanisms.pause_many``, for a week's drop-outs and those moving on) as each paused alone; a batch of moves from
several states (``moves.move_many_from``) refuses what the pathway has not; and people leaving the pathway as a batch
(``moves.move_many``) end their support episodes as each one's own ``Patient.move_to`` does."""

from __future__ import annotations

import copy
from functools import partial

import numpy as np
import pytest

from spsim.model import SocialPrescribingModel
from spsim.model import mechanisms as mechanisms_module
from spsim.model import moves
from spsim.model.attendance import run_moves_on
from spsim.model.mechanisms import Mechanisms
from spsim.model.states import Event, PathwayState
from spsim.model.wellbeing import WellbeingRegister
from tests.test_regression import CASES


def _run(case: str, over_rows: bool) -> tuple:
    params, policies = CASES[case]
    model = SocialPrescribingModel(rng=7, policies=policies, **params)
    if over_rows:  # whatever the week's number (a week of a small place has a few)
        model.due.runners["move_on"] = partial(run_moves_on, model)
        model.due.fewest["move_on"] = 0
    else:
        model.due.runners.pop("move_on", None)
    model.run_for(156)
    model.close_open_records()
    numbers = (model.outcomes().sort_values("patient").to_csv(index=False), model.outcomes()["patient"].tolist(),
               model.datacollector.get_model_vars_dataframe().to_csv(), sorted(map(str, model.transitions.items())),
               model.counters)  # fmt: skip
    return model.transitions, numbers


@pytest.mark.parametrize("case", ["baseline", "levers"])
def test_moving_on_over_rows_equals_it_one_by_one(case):
    transitions, one_by_one = _run(case, over_rows=False)
    for state in (PathwayState.SUSTAINED, PathwayState.VOLUNTEERING):  # both kinds of leaver, in batches of each
        assert transitions[state, PathwayState.MOVED_ON, Event.MOVED_ON] > 0
    assert _run(case, over_rows=True)[1] == one_by_one


def _people(register: WellbeingRegister) -> list[Mechanisms]:
    """Five people of one register: different retained shares and levels; one never attended, one paused already."""
    people = []
    for i, (retain, levels) in enumerate([(0.3, (0.5, 0.2, 0.9)), (0.6, (0.1, 0.8, 0.4)), (0.3, (0.0, 0.0, 0.0)),
                                          (0.45, (0.7, 0.7, 0.1)), (0.9, (0.2, 0.3, 0.6))]):  # fmt: skip
        people.append(Mechanisms(retain, 26.0, register, register.enrol(0, i, 20.0, 6.0, 26.0)))
        people[-1].set_levels(levels)
    people[1].pause(3.0)  # paused at week 3, its floor kept then: as it is
    people[3].set_levels((0.1, 0.1, 0.1))
    register.columns["floor_psych"][people[3]._row] = 0.5  # a floor above what is kept now: it does not fall
    return people


@pytest.mark.parametrize("fewest", [0, 16])  # as arrays, and a few one by one (``mechanisms.FEWEST_PAUSED``)
def test_mechanisms_paused_as_a_batch_as_one_by_one(fewest, monkeypatch):
    monkeypatch.setattr(mechanisms_module, "FEWEST_PAUSED", fewest)
    alone, batch = WellbeingRegister(capacity=8), WellbeingRegister(capacity=8)
    for mechanisms in _people(alone):
        mechanisms.pause(10.0)
    Mechanisms.pause_many(_people(batch), 10.0)
    for name in ("paused_at", "floor_psych", "floor_social", "floor_behav", "level_psych"):
        assert np.array_equal(alone.columns[name][:5], batch.columns[name][:5]), name
    assert batch.columns["paused_at"][1] == 3.0 and batch.columns["floor_psych"][3] == 0.5


def test_a_batch_from_several_states_refuses_what_the_pathway_has_not_and_moves_into_no_group():
    from spsim.model.moves import move_many_from
    from spsim.model.states import IllegalTransition

    model = SocialPrescribingModel(rng=1, population=5_000)
    before = (list(model.counters.in_state), dict(model.transitions))
    nobody = [object(), object()]  # (refused before anyone is touched)
    with pytest.raises(IllegalTransition, match="ATTENDING -> MOVED_ON"):
        move_many_from(model, nobody, np.array([0, 1]), [PathwayState.SUSTAINED, PathwayState.ATTENDING],
                       PathwayState.MOVED_ON, Event.MOVED_ON)  # fmt: skip
    with pytest.raises(ValueError, match="not to ATTENDING"):
        move_many_from(model, nobody, np.array([0, 1]), [PathwayState.WITH_LINK_WORKER, PathwayState.AWAITING_GROUP],
                       PathwayState.ATTENDING, Event.PLACE_FREE)  # fmt: skip
    assert (list(model.counters.in_state), dict(model.transitions)) == before


def _leavers() -> tuple[SocialPrescribingModel, list[int]]:
    """A place 40 weeks on and five people with their link worker; the third has lost theirs (released, their row as
    it was: on the caseload, support not ended), so only the others' episodes end when they leave."""
    model = SocialPrescribingModel(rng=3, population=20_000)
    model.run_for(40)
    people = sorted((p for p in model.due.patients.values() if p.state is PathwayState.WITH_LINK_WORKER),
                    key=lambda p: p.row)[:5]  # fmt: skip
    assert len(people) == 5 and all(p.link_worker is not None for p in people)
    people[2].link_worker.release(people[2])
    people[2].link_worker = None
    return model, [p.row for p in people]


def _after_leaving(model: SocialPrescribingModel, rows: list[int]) -> tuple:
    register, due = model.register, model.due
    workers = sorted((w.unique_id, w.load, sorted(p.row for p in w.caseload)) for w in model.workforce.link_workers())
    return (register.on_caseload[rows].tolist(), register.support_until[rows].tolist(), register.state[rows].tolist(),
            [due.columns[kind][rows].tolist() for kind in due.columns], workers, dict(model.transitions),
            dict(model.counters.exits), list(model.counters.in_state))  # fmt: skip


@pytest.mark.parametrize("fewest", [0, 5])  # as arrays, and a few one by one (``moves.FEWEST_ENDED``)
def test_a_batch_leaving_the_pathway_ends_support_as_each_one_alone(fewest, monkeypatch):
    monkeypatch.setattr(moves, "FEWEST_ENDED", fewest)
    model, rows = _leavers()
    one_by_one, batch = copy.deepcopy(model), model
    leavers = [one_by_one.due.patients[row] for row in rows]
    for patient in leavers:
        patient.move_to(PathwayState.NO_ACTIVITY, Event.SUPPORT_ENDED)
    expected = _after_leaving(one_by_one, rows)
    assert expected[0] == [False, False, True, False, False]  # (the third's row as it was)
    assert expected[1].count(float(model.week)) == 4 and all(p.link_worker is None for p in leavers)
    people = [batch.due.patients[row] for row in rows]
    moves.move_many(batch, people, np.array(rows), PathwayState.WITH_LINK_WORKER, PathwayState.NO_ACTIVITY,
              Event.SUPPORT_ENDED)  # fmt: skip
    assert _after_leaving(batch, rows) == expected
    assert all(p.link_worker is None and p.exit_reason == Event.SUPPORT_ENDED.value for p in people)
