"""Setbacks (Wildman 2019): who has them and what they interrupt (who comes back afterwards, and the open door,
are in test_coming_back.py)."""

from __future__ import annotations

import numpy as np
import pytest

from spsim.model import (
    PathwayState,
    Patient,
    Service,
    SocialPrescribingModel,
    VCSEGroup,
)
from spsim.model.states import SetbackKind
from tests import builders

S = PathwayState
PC = Service.PRIMARY_CARE

CALM = builders.calm(**builders.NOBODY_WAITS, uptake_prob=1.0, volunteer_prob=0.0, support_weeks=40,
                     cost_per_attendee_week_gbp=0.0, move_on_weeks_mean=1000.0, return_prob_supported=1.0,
                     return_prob_unsupported=0.0)


def calm_model(seed: int = 1, **overrides) -> SocialPrescribingModel:
    return builders.calm_model(CALM, seed, **overrides)


def add_group(model, activity: int = 0, places: int = 1_000) -> VCSEGroup:
    return builders.add_group(model, activity, places=places)


def refer_many(model, indices, activity: int = 0) -> list[Patient]:
    return builders.refer_people(model, indices, activity)


# ------------------------------------------------------------------ how often
def test_setbacks_are_more_frequent_with_multimorbidity_and_deprivation():
    """People held with their link worker (no groups) for a year: setbacks per week exposed, by need."""
    model = calm_model(
        seed=5, population=20_000, link_workers_per_100k=50.0, support_weeks=520, setback_rate_per_year=5.0,
        setback_rr_multimorbidity=1.6, setback_rr_deprived=1.4, setback_weeks_mean=0.5,
    )  # fmt: skip
    c = model.catchment
    mm = c.ltc_count >= 2
    kinds = {
        "neither": np.flatnonzero(~mm & ~c.deprived)[:400],
        "multimorbid": np.flatnonzero(mm & ~c.deprived)[:400],
        "deprived": np.flatnonzero(~mm & c.deprived)[:400],
        "both": np.flatnonzero(mm & c.deprived)[:400],
    }
    cohorts = {kind: refer_many(model, idx) for kind, idx in kinds.items()}
    exposure = dict.fromkeys(cohorts, 0)
    model.step()
    for _ in range(52):
        for kind, patients in cohorts.items():
            exposure[kind] += sum(pt.state is S.WITH_LINK_WORKER for pt in patients)
        model.step()
    rate = {kind: sum(pt.setbacks for pt in cohorts[kind]) / exposure[kind] for kind in cohorts}
    # whole weeks to the next candidate: a rate r per week gives about 1 / (1/r + 1/2) per week
    assert rate["neither"] == pytest.approx(1 / (52 / 5 + 0.5), rel=0.12)
    assert rate["multimorbid"] / rate["neither"] == pytest.approx(1.6, rel=0.12)
    assert rate["deprived"] / rate["neither"] == pytest.approx(1.4, rel=0.12)
    assert rate["both"] / rate["neither"] == pytest.approx(1.6 * 1.4, rel=0.12)
    assert model.counters.setbacks == sum(pt.setbacks for ps in cohorts.values() for pt in ps)


def test_no_setbacks_at_zero_rate():
    model = SocialPrescribingModel(rng=2, population=20_000, setback_rate_per_year=0.0)
    model.run_for(52)
    assert model.counters.took_up_activity > 0
    assert model.counters.setbacks == 0 and model.counters.count(S.SETBACK) == 0


def test_full_belonging_with_full_protection_prevents_setbacks():
    counts = {}
    for protection in (0.0, 1.0):
        model = calm_model(seed=3, support_weeks=520, setback_rate_per_year=10.0, belonging_protection=protection)
        patients = refer_many(model, range(200))
        for pt in patients:  # as if each already belonged fully to a group, without fading
            pt.mechanisms.set_levels([0.0, 1.0, 0.0])
            pt.mechanisms.paused_at = None
        model.run_for(30)
        counts[protection] = model.counters.setbacks
    assert counts[0.0] > 200
    assert counts[1.0] == 0


# ------------------------------------------------------------------ what a setback interrupts
def test_a_setback_interrupts_attendance():
    model = calm_model()
    group = add_group(model, places=1)
    member, waiter = refer_many(model, range(2))
    model.run_for(3)
    model.run_for(2)
    assert member.state is S.ATTENDING and waiter.state is S.AWAITING_GROUP
    member.begin_setback(SetbackKind.HEALTH)
    assert member.state is S.SETBACK
    assert member not in group.members and member.row not in model.attending
    assert member.mechanisms.paused_at == model.week  # gains start to fade
    assert member.setbacks == 1 and model.counters.setbacks == 1 and model.counters.people_with_setback == 1
    assert waiter.state is S.ATTENDING and list(group.members) == [waiter]  # the place is passed on
    waiter.begin_setback(SetbackKind.MONEY)
    assert model.counters.people_with_setback == 2
    weeks_before = member.weeks_attended
    model.step()  # a setback lasts at least a week: no session this week
    assert member.weeks_attended == weeks_before


def test_a_setback_takes_people_off_a_waiting_list():
    model = calm_model()
    group = add_group(model, places=1)
    _, waiter = refer_many(model, range(2))
    model.run_for(3)
    assert list(group.waiting) == [waiter]
    waiter.begin_setback(SetbackKind.FAMILY)
    assert waiter.state is S.SETBACK and not group.waiting


def test_setbacks_last_about_the_mean_and_health_ones_longer():
    lengths = {}
    for kind in (SetbackKind.FAMILY, SetbackKind.HEALTH):
        model = calm_model(seed=4, setback_weeks_mean=4.0)
        add_group(model)
        patients = refer_many(model, range(300))
        model.run_for(3)
        for pt in patients:
            pt.begin_setback(kind)
        start = model.week
        ended = {}
        for _ in range(60):
            model.step()
            for pt in patients:
                if pt not in ended and pt.state is not S.SETBACK:
                    ended[pt] = model.week - start
        lengths[kind] = np.mean(list(ended.values()))
    # whole weeks, at least one: about the mean plus half a week
    assert lengths[SetbackKind.FAMILY] == pytest.approx(4.5, abs=0.6)
    assert lengths[SetbackKind.HEALTH] == pytest.approx(6.5, abs=0.8)


# ------------------------------------------------------------------ a setback before assessment
def test_a_setback_before_assessment_does_not_skip_it():
    model = calm_model(appropriate_share_min=0.0, appropriate_share_max=0.0, uptake_prob=0.0)
    add_group(model)
    (patient,) = refer_many(model, [0])
    model.step()  # first contact in week 1, assessment due in week 3
    assert patient.state is S.WITH_LINK_WORKER and not patient.appropriate
    patient.begin_setback(SetbackKind.FAMILY)
    patient.end_setback()  # back within the week, still on the caseload
    model.run_for(6)
    # an inappropriate referral (and nobody wanting an activity) must never lead to an activity
    assert not patient.took_up
    assert patient.state is S.NO_ACTIVITY and patient.exit_reason == "referral not appropriate"


def test_someone_who_never_started_an_activity_is_not_counted_as_dropping_out():
    """A setback before any activity, with no return, ends with no activity; "dropped out" is kept for people
    who started one (the dropout rate counts people who stopped attending, not people who never began)."""
    model = calm_model(return_prob_supported=0.0, return_prob_unsupported=0.0)
    patients = refer_many(model, range(10))
    model.step()  # with a link worker, assessment pending, no activity yet
    assert all(pt.state is S.WITH_LINK_WORKER and not pt.took_up for pt in patients)
    for pt in patients:
        pt.begin_setback(SetbackKind.FAMILY)
        pt.end_setback()
    assert all(pt.state is S.NO_ACTIVITY and pt.exit_reason == "did not come back after a setback" for pt in patients)
    assert model.counters.dropped_out == 0


def test_a_weeks_setback_lengths_are_each_ones():
    """``setback_weeks_means`` (the kinds' shares added up once for a week's setbacks) gives each draw's
    ``setback_weeks_mean(setback_kind(u))``, to the bit."""
    from spsim.model.setbacks import setback_kind, setback_weeks_mean, setback_weeks_means

    p = calm_model().p
    draws = [*np.random.default_rng(3).random(2000).tolist(), 0.0, 1.0 - 2**-53]
    assert setback_weeks_means(draws, p) == [setback_weeks_mean(setback_kind(u, p), p) for u in draws]
