"""The week's allocation over rows gives exactly the numbers of each person one by one: the caseload places handed out
in the heap's order worked out at once (model/caseload_places.py), as the heap hands them out one at a time, also
when someone coming back gives their place back at their turn (the rest of the week then goes through the heap as it
stands); the week's give-ups moved as a batch (``moves.give_up_waiting_many``), as each person's own
``give_up_waiting``."""

from __future__ import annotations

import pytest

from spsim.model import PathwayState, Service, SocialPrescribingModel, caseload_places
from spsim.model.patient import Patient
from tests import builders
from tests.test_regression import CASES


def _run(case: str, in_order: bool) -> tuple:
    params, policies = CASES[case]
    model = SocialPrescribingModel(rng=7, policies=policies, **params)
    model.workforce.places_in_order = in_order
    model.run_for(104)
    model.close_open_records()
    caseloads = [[patient.row for patient in worker.caseload] for worker in model.workforce.link_workers()]
    return (model.outcomes().to_csv(index=False), sorted(map(str, model.transitions.items())), model.counters,
            caseloads, [worker.load for worker in model.workforce.link_workers()])


@pytest.mark.parametrize("case", ["baseline", "more_posts"])
def test_places_in_order_equal_the_heap(case):
    assert _run(case, in_order=True) == _run(case, in_order=False)


def test_a_returning_persons_place_given_back_at_their_turn(monkeypatch):
    """Everyone coming back ends their support at once (not the model's science: a way to give a place back in the
    middle of a week's allocation), so the places' order worked out beforehand no longer holds after them."""
    switches = []
    heap_now = caseload_places._heap_now
    monkeypatch.setattr(caseload_places, "_heap_now", lambda *a: switches.append(1) or heap_now(*a))
    monkeypatch.setattr(Patient, "resume_with_link_worker", Patient.end_support)
    with_switch = _run("baseline", in_order=True)
    assert switches  # the case does reach the heap after someone coming back
    assert with_switch == _run("baseline", in_order=False)


def _queue_of_twelve() -> tuple[SocialPrescribingModel, list[Patient]]:
    """Twelve people waiting in a calm model, all but two out of patience: every third back after a setback (every
    sixth had taken up an activity), and one queued twice."""
    model = builders.calm_model(builders.calm(link_workers_per_100k=20.0), seed=3)
    patients = builders.refer_people(model, range(12))
    for patient in patients[::3]:
        patient.ever_supported = True
    for patient in patients[::6]:
        patient.took_up = model.register.took_up[patient.row] = True
    for patient in patients:
        patient.gives_up_at = float("inf") if patient in (patients[5], patients[7]) else 0.0
    model.workforce.queues[Service.PRIMARY_CARE].append(patients[4])
    return model, patients


def _after(model: SocialPrescribingModel, patients: list[Patient]) -> tuple:
    return ([(patient.state, patient.exit_reason) for patient in patients], model.register.state[:12].tolist(),
            model.counters, sorted(map(str, model.transitions.items())))


def test_give_ups_as_a_batch_equal_each_persons_own():
    batch, patients = _queue_of_twelve()
    queue = batch.workforce.queues[Service.PRIMARY_CARE]
    assert list(batch.workforce._still_waiting(Service.PRIMARY_CARE, queue, now=1.0)) == [patients[5], patients[7]]
    one_by_one, own = _queue_of_twelve()
    for patient in one_by_one.workforce.queues[Service.PRIMARY_CARE]:
        if patient.gives_up_at <= 1.0:
            patient.give_up_waiting()
    assert _after(batch, patients) == _after(one_by_one, own)
    S = PathwayState
    assert [patients[i].state for i in (0, 1, 3, 5)] == [S.DROPPED_OUT, S.DECLINED, S.NO_ACTIVITY, S.AWAITING_LINK_WORKER]
