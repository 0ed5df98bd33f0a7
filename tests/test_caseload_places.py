"""A week's caseload places handed out in the heap's order worked out at once (model/caseload_places.py) give exactly
the numbers of the heap handing them out one at a time, including when someone coming back gives their place back
at their turn (the rest of the week then goes through the heap as it stands)."""

from __future__ import annotations

import pytest

from spsim.model import SocialPrescribingModel, caseload_places
from spsim.model.patient import Patient
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
