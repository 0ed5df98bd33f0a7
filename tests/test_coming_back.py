"""Coming back after a setback (Wildman 2019): people with an open link worker return at the supported chance and
those on their own at the unsupported one, broken continuity lowers it, and the open door brings people whose
support ended back through the link worker queue."""

from __future__ import annotations

import pytest

from spsim.model import PathwayState, Patient, Service, SocialPrescribingModel
from spsim.model.states import SetbackKind
from tests.test_setbacks import add_group, calm_model, refer_many

S = PathwayState
PC = Service.PRIMARY_CARE


# ------------------------------------------------------------------ coming back
def _attending(model, n: int, support_weeks_left: bool = True) -> list[Patient]:
    add_group(model)
    patients = refer_many(model, range(n))
    model.run_for(5)
    assert all(pt.state is S.ATTENDING for pt in patients)
    assert all((pt.link_worker is not None) == support_weeks_left for pt in patients)
    return patients


def test_people_with_an_open_link_worker_come_back_and_those_without_do_not():
    model = calm_model()  # support 40 weeks: still on the caseload
    supported = _attending(model, 10)
    for pt in supported:
        pt.begin_setback(SetbackKind.HEALTH)
        pt.end_setback()
    assert all(pt.state is S.ATTENDING for pt in supported)
    assert model.counters.reengaged_after_setback == 10

    model = calm_model(support_weeks=3)  # support ended in week 4
    alone = _attending(model, 10, support_weeks_left=False)
    for pt in alone:
        pt.begin_setback(SetbackKind.HEALTH)
        pt.end_setback()
    assert all(pt.state is S.DROPPED_OUT for pt in alone)
    assert all(pt.exit_reason == "did not come back after a setback" for pt in alone)
    assert model.counters.reengaged_after_setback == 0


def test_unsupported_return_probability_governs_people_on_their_own():
    model = calm_model(support_weeks=3, return_prob_supported=0.0, return_prob_unsupported=1.0)
    alone = _attending(model, 10, support_weeks_left=False)
    group = alone[0].group
    for pt in alone:
        pt.begin_setback(SetbackKind.FAMILY)
        pt.end_setback()
    # back to their own group on their own
    assert all(pt.state is S.ATTENDING and pt.group is group for pt in alone)

    model = calm_model(return_prob_supported=0.0, return_prob_unsupported=1.0)
    supported = _attending(model, 10)
    for pt in supported:
        pt.begin_setback(SetbackKind.FAMILY)
        pt.end_setback()
    assert all(pt.state is S.DROPPED_OUT for pt in supported)


def test_return_chances_match_the_parameters():
    shares = {}
    for case in ("supported", "broken", "alone"):
        model = calm_model(
            seed=7, return_prob_supported=0.8, return_prob_unsupported=0.4, continuity_break_penalty=0.25,
            support_weeks=3 if case == "alone" else 40,
        )  # fmt: skip
        patients = _attending(model, 400, support_weeks_left=case != "alone")
        if case == "broken":
            for worker in model.workforce.link_workers()[:2]:
                model.workforce.link_worker_leaves(worker)
            patients = [pt for pt in patients if pt.continuity_broken]
            assert len(patients) > 100 and all(pt.link_worker is not None for pt in patients)
        for pt in patients:
            pt.begin_setback(SetbackKind.MONEY)
            pt.end_setback()
        shares[case] = sum(pt.state is not S.DROPPED_OUT for pt in patients) / len(patients)
    assert shares["supported"] == pytest.approx(0.8, abs=0.06)
    assert shares["broken"] == pytest.approx(0.8 * (1 - 0.25), abs=0.08)
    assert shares["alone"] == pytest.approx(0.4, abs=0.07)


def test_broken_continuity_lowers_the_return_chance():
    model = calm_model(continuity_break_penalty=1.0, link_workers_per_100k=40.0)  # two workers
    patients = _attending(model, 20)
    leaver = model.workforce.link_workers()[0]
    moved = list(leaver.caseload)
    kept = [pt for pt in patients if pt not in moved]
    model.workforce.link_worker_leaves(leaver)
    assert moved and kept
    for pt in patients:
        pt.begin_setback(SetbackKind.HEALTH)
        pt.end_setback()
    assert all(pt.continuity_broken and pt.state is S.DROPPED_OUT for pt in moved)
    assert all(not pt.continuity_broken and pt.state is S.ATTENDING for pt in kept)


def test_nothing_to_return_to_after_a_setback():
    model = calm_model(support_weeks=3, return_prob_unsupported=1.0)
    patients = _attending(model, 3, support_weeks_left=False)
    for pt in patients:
        pt.begin_setback(SetbackKind.HEALTH)
    model.community.close_group(patients[0].group)
    for pt in patients:
        pt.end_setback()
    assert all(pt.state is S.DROPPED_OUT for pt in patients)
    assert all(pt.exit_reason == "no support or group to return to after a setback" for pt in patients)


# ------------------------------------------------------------------ open door
def test_open_door_brings_people_back_through_the_link_worker_queue():
    model = calm_model(support_weeks=3, open_door=True)
    patients = _attending(model, 3, support_weeks_left=False)
    returner = patients[0]
    returner.begin_setback(SetbackKind.HEALTH)
    returner.end_setback()
    assert returner.state is S.AWAITING_LINK_WORKER
    assert model.workforce.queues[PC][0] is returner  # at the front: no new referral needed
    reached = model.counters.reached_link_worker
    model.step()
    assert returner.link_worker is not None
    assert returner.state is S.ATTENDING  # assessed before: the link worker matches straight away
    assert model.counters.reached_link_worker == reached  # not a new first contact
    assert model.counters.referred == 3


def test_without_open_door_people_whose_support_ended_are_on_their_own():
    model = calm_model(support_weeks=3, open_door=False)
    patients = _attending(model, 3, support_weeks_left=False)
    patients[0].begin_setback(SetbackKind.HEALTH)
    patients[0].end_setback()
    assert patients[0].state is S.DROPPED_OUT


def test_open_door_raises_reengagement_in_a_full_run():
    counts = {}
    for open_door in (False, True):
        model = SocialPrescribingModel(rng=5, population=50_000, open_door=open_door, setback_rate_per_year=1.2)
        model.run_for(78)
        counts[open_door] = model.counters.reengaged_after_setback / model.counters.setbacks
    assert counts[True] > counts[False] + 0.1
