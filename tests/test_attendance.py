"""Attendance: mechanisms build with sessions, engagement becomes sustained, belonging protects."""

from __future__ import annotations

import pytest

from spsim.model import (
    PathwayState,
    Patient,
    SocialPrescribingModel,
    VCSEGroup,
)
from spsim.model.activities import catalogue
from spsim.model.mechanisms import Mechanisms
from tests import builders

S = PathwayState

CALM = builders.calm(**builders.NOBODY_WAITS, uptake_prob=1.0, volunteer_prob=0.0, support_weeks=40,
                     cost_per_attendee_week_gbp=0.0, move_on_weeks_mean=1000.0)


def calm_model(seed: int = 1, **overrides) -> SocialPrescribingModel:
    return builders.calm_model(CALM, seed, **overrides)


def add_group(model, activity: int = 0, places: int = 1_000) -> VCSEGroup:
    return builders.add_group(model, activity, places=places)


def refer_many(model, n: int, activity: int = 0) -> list[Patient]:
    """Refer ``n`` people who all want ``activity`` and live by its (roomy) group."""
    if not model.community.by_activity[activity]:
        add_group(model, activity)
    return builders.refer_people(model, range(n), activity)


# ------------------------------------------------------------------ mechanisms of action
@pytest.mark.parametrize("activity", catalogue(), ids=lambda a: a.key)
def test_mechanisms_build_with_sessions_and_saturate_below_one(activity):
    m = Mechanisms(0.5, 26.0)
    growth = 0.08
    history = []
    for n in range(1, 61):
        m.build(activity, growth)
        history.append((m.psychological, m.social, m.behavioural))
        weights = (activity.psychological, activity.social, activity.behavioural)
        for level, weight in zip(history[-1], weights, strict=True):
            assert level == pytest.approx(1 - (1 - growth) ** (3 * weight * n))  # geometric approach to 1
    for k in range(3):
        series = [h[k] for h in history]
        assert all(b > a for a, b in zip(series, series[1:], strict=False))
        assert 0 < series[-1] < 1
    # the mechanism an activity weights most builds fastest
    weights = (activity.psychological, activity.social, activity.behavioural)
    assert history[5][weights.index(max(weights))] == max(history[5])


def test_attending_builds_mechanisms_week_by_week():
    model = calm_model(attend_prob=1.0, sustained_weeks=100)
    (patient,) = refer_many(model, 1, activity=6)  # peer support: mostly social
    model.run_for(3)
    assert patient.state is S.ATTENDING
    levels = []
    for _ in range(10):
        model.step()
        levels.append(patient.mechanisms.at(model.week))
    assert patient.weeks_attended == 10
    socials = [lv[1] for lv in levels]
    assert all(b > a for a, b in zip(socials, socials[1:], strict=False))
    peer = catalogue()[6]
    assert socials[-1] == pytest.approx(1 - (1 - 0.08) ** (3 * peer.social * 10))
    assert levels[-1][1] > levels[-1][2]  # peer support builds belonging more than habits


def test_missed_sessions_build_nothing():
    model = calm_model(attend_prob=0.0, sustained_weeks=100)
    (patient,) = refer_many(model, 1)
    model.run_for(13)
    assert patient.state is S.ATTENDING
    assert patient.weeks_attended == 0
    assert patient.mechanisms.at(model.week) == (0.0, 0.0, 0.0)


def test_attendance_rate_follows_attend_prob():
    model = calm_model(attend_prob=0.6, sustained_weeks=260)
    patients = refer_many(model, 200)
    model.run_for(3)
    model.run_for(20)
    attended = sum(pt.weeks_attended for pt in patients) / (20 * len(patients))
    assert attended == pytest.approx(0.6, abs=0.03)


# ------------------------------------------------------------------ sustained engagement
@pytest.mark.parametrize("sustained_weeks", [4, 12])
def test_full_attendance_and_no_drop_out_reach_sustained_after_sustained_weeks(sustained_weeks):
    model = calm_model(attend_prob=1.0, sustained_weeks=sustained_weeks)
    patients = refer_many(model, 20)
    model.run_for(3)  # joined in week 3
    model.run_for(sustained_weeks - 1)
    assert all(pt.state is S.ATTENDING for pt in patients)
    model.step()
    assert all(pt.state is S.SUSTAINED and pt.sustained for pt in patients)
    assert all(pt.weeks_attended == sustained_weeks for pt in patients)
    assert model.counters.sustained == 20 and model.counters.count(S.SUSTAINED) == 20


def test_high_attendance_reaches_sustained_a_little_later():
    model = calm_model(attend_prob=0.9, sustained_weeks=8)
    patients = refer_many(model, 100)
    model.run_for(3 + 8)
    early = sum(pt.sustained for pt in patients)
    model.run_for(12)
    assert early < 100  # someone missed a session
    assert all(pt.state is S.SUSTAINED for pt in patients)  # no drop-out: everybody gets there


def test_sustained_people_eventually_move_on():
    model = calm_model(attend_prob=1.0, sustained_weeks=2, move_on_weeks_mean=4.0)
    patients = refer_many(model, 50)
    model.run_for(3 + 2 + 60)
    assert all(pt.state is S.MOVED_ON for pt in patients)
    assert all(pt.exit_reason == "moved on after sustained engagement" for pt in patients)
    assert not model.attending


# ------------------------------------------------------------------ drop-out and belonging
def test_drop_out_follows_the_weekly_hazard():
    model = calm_model(attend_prob=0.0, dropout_hazard=0.1, belonging_protection=0.0, sustained_weeks=100)
    patients = refer_many(model, 400)
    model.run_for(3 + 5)
    still = sum(pt.state is S.ATTENDING for pt in patients) / len(patients)
    assert still == pytest.approx(0.9**5, abs=0.06)
    out = [pt for pt in patients if pt.state is S.DROPPED_OUT]
    assert all(pt.exit_reason == "stopped attending" for pt in out)
    assert model.counters.dropped_out == len(out)


def _dropouts(protection: float, seed: int) -> float:
    model = calm_model(seed=seed, attend_prob=1.0, dropout_hazard=0.08, belonging_protection=protection,
                       sustained_weeks=30)  # fmt: skip
    patients = refer_many(model, 300, activity=6)  # peer support builds belonging quickly
    model.run_for(3 + 25)
    return sum(pt.state is S.DROPPED_OUT for pt in patients) / len(patients)


def test_belonging_protects_against_drop_out():
    without = _dropouts(0.0, seed=2)
    with_belonging = _dropouts(0.9, seed=2)
    assert without == pytest.approx(1 - 0.92**25, abs=0.06)
    assert with_belonging < without - 0.2


def test_belonging_protects_in_a_full_run():
    rates = {}
    for protection in (0.0, 0.9):
        model = SocialPrescribingModel(rng=4, population=50_000, belonging_protection=protection, dropout_hazard=0.1)
        model.run_for(52)
        rates[protection] = model.counters.exits["stopped attending"] / model.counters.took_up_activity
    # paired runs (same seed): about 0.62 of starters stop attending without belonging, 0.52 with it
    assert rates[0.9] < rates[0.0] - 0.05


# ------------------------------------------------------------------ no service
def test_without_social_prescribing_nobody_attends_and_everyone_is_in_usual_care():
    model = SocialPrescribingModel(rng=3, population=20_000, social_prescribing=False)
    for _ in range(30):
        model.step()
        assert not model.attending
    patients = list(model.agents_by_type[Patient])
    assert len(patients) == model.counters.referred > 100
    assert all(pt.state is S.USUAL_CARE and pt.exit_reason == "no social prescribing service" for pt in patients)
    assert model.counters.count(S.USUAL_CARE) == model.counters.referred
    assert model.workforce.link_workers() == []
    assert all(not g.members and not g.waiting for g in model.community.groups())
    assert model.counters.took_up_activity == 0 and model.counters.reached_link_worker == 0
    model.close_open_records()
    df = model.outcomes()
    assert (df["weeks_attended"] == 0).all() and not df["took_up"].any()
    assert set(df["state"]) == {"USUAL_CARE"}
