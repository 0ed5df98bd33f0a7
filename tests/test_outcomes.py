"""Outcomes: wellbeing and loneliness scales, fading gains, the natural course, service use and work."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from spsim.model import (
    PathwayState,
    Patient,
    SocialPrescribingModel,
    VCSEGroup,
)
from spsim.model.activities import catalogue
from spsim.model.mechanisms import (
    Mechanisms,
    loneliness_weight,
    service_use_rate,
    swemwbs,
    ucla,
)
from spsim.model.natural_course import NaturalCourse
from tests import builders

S = PathwayState

CALM = builders.calm(**builders.NOBODY_WAITS, uptake_prob=1.0, volunteer_prob=0.0, cost_per_attendee_week_gbp=0.0,
                     move_on_weeks_mean=1000.0, attend_prob=1.0)
# No natural course, no measurement error, no effect of support alone: only the mechanisms move outcomes.
QUIET = dict(
    swemwbs_state_sd=0.0,
    ucla_state_sd=0.0,
    swemwbs_measurement_sd=0.0,
    ucla_measurement_sd=0.0,
    link_worker_support_gain=0.0,
    link_worker_support_ucla_reduction=0.0,
    service_use_rr_per_swemwbs_point=1.0,
)
CALM.update(QUIET)


def calm_model(seed: int = 1, **overrides) -> SocialPrescribingModel:
    return builders.calm_model(CALM, seed, **overrides)


def add_group(model, activity: int = 0, places: int = 1_000) -> VCSEGroup:
    return builders.add_group(model, activity, places=places)


def refer_many(model, indices, activity: int = 0) -> list[Patient]:
    return builders.refer_people(model, indices, activity)


# ------------------------------------------------------------------ scales
def test_scale_functions_clip_to_their_ranges():
    assert swemwbs(35.0, (1.0, 1.0, 1.0), 9.0) == 35.0
    assert swemwbs(3.0, (0.0, 0.0, 0.0), 6.0) == 7.0
    assert swemwbs(21.0, (0.5, 0.5, 0.5), 6.0) == pytest.approx(24.0)
    assert swemwbs(21.0, (0.5, 0.5, 0.5), 6.0, support=0.5) == pytest.approx(24.5)
    assert ucla(3.0, 1.0, 2.0) == 3.0
    assert ucla(9.0, 0.5, 2.0) == pytest.approx(8.0)
    assert ucla(9.0, 0.5, 2.0, support=0.5) == pytest.approx(7.5)
    assert ucla(9.0, 0.0, 2.0) == 9.0


def test_swemwbs_stays_in_7_to_35_and_ucla_in_3_to_9_even_at_extremes():
    model = SocialPrescribingModel(
        rng=3, population=30_000, referral_rate_per_1000=30.0, swemwbs_population_mean=28.0, swemwbs_trait_sd=9.0,
        swemwbs_gain_max=9.0, swemwbs_state_sd=6.0, ucla_state_sd=3.0, ucla_reduction_max=3.0,
        swemwbs_measurement_sd=5.0, mechanism_growth=0.15, follow_up_weeks=26,
    )  # fmt: skip
    for _ in range(40):
        model.step()
        for pt in model.open_records:
            sw, lo = pt.outcomes_at(model.week)
            assert 7.0 <= sw <= 35.0 and 3.0 <= lo <= 9.0
    model.close_open_records()
    df = model.outcomes()
    for column, (lo, hi) in (("swemwbs_start", (7, 35)), ("swemwbs_end", (7, 35)), ("ucla_start", (3, 9)),
                             ("ucla_end", (3, 9))):  # fmt: skip
        assert df[column].between(lo, hi).all(), column
    assert df["swemwbs_end"].max() == 35.0 and df["swemwbs_start"].min() >= 7.0  # the clip is reached
    assert (df["swemwbs_start"] == 7.0).any() or df["swemwbs_start"].min() < 10


def test_own_mean_loneliness_follows_the_ons_cut_off():
    model = SocialPrescribingModel(rng=2, population=20_000, social_prescribing=False)
    c = model.catchment
    lonely, others = set(c.ucla_mean[c.lonely].tolist()), set(c.ucla_mean[~c.lonely].tolist())
    assert lonely == {6.0, 7.0, 8.0, 9.0} and others == {3.0, 4.0, 5.0}
    model.run_for(30)
    patients = list(model.agents_by_type[Patient])
    assert all(3.0 <= pt.ucla0 <= 9.0 for pt in patients)  # at referral: the own mean, moved by the state
    lonely = np.mean([pt.ucla0 for pt in patients if pt.person.lonely])
    assert lonely > np.mean([pt.ucla0 for pt in patients if not pt.person.lonely]) + 2.0


def test_own_mean_wellbeing_is_lower_with_each_kind_of_need():
    model = calm_model(swemwbs_offset_smi=-5.0, swemwbs_offset_deprived=-0.8, swemwbs_offset_per_ltc=-1.0,
                       swemwbs_offset_lonely=-2.5, swemwbs_offset_cmd=-4.5, swemwbs_trait_sd=2.0)  # fmt: skip
    c, p = model.catchment, model.p
    expected = (p.swemwbs_population_mean - 5.0 * c.smi - 0.8 * c.deprived - 1.0 * np.minimum(c.ltc_count, 2)
                - 2.5 * c.lonely - 4.5 * c.cmd + 2.0 * c.wellbeing_z)  # fmt: skip
    assert model.course.mean_wellbeing == pytest.approx(expected.astype(np.float32), abs=1e-5)
    assert model.course.mean_wellbeing[c.smi].mean() < model.course.mean_wellbeing[~c.smi].mean() - 3.0


# ------------------------------------------------------------------ fading
def _built(weeks: int = 20) -> Mechanisms:
    m = Mechanisms(retained_share=0.4, half_life_weeks=10.0)
    m.resume(0)  # attending from week 0 (as Patient.start_attending does)
    for _ in range(weeks):
        m.build(catalogue()[0], 0.08)
    return m


def test_gains_fade_towards_the_retained_share_with_the_half_life():
    m = _built()
    levels = (m.psychological, m.social, m.behavioural)
    m.pause(30)
    assert m.at(30) == pytest.approx(levels)
    at_half_life = m.at(40)
    for now, before in zip(at_half_life, levels, strict=True):
        assert now == pytest.approx(before * (0.4 + 0.6 * 0.5))  # half of the fading part is gone
    for now, before in zip(m.at(50), levels, strict=True):
        assert now == pytest.approx(before * (0.4 + 0.6 * 0.25))
    for now, before in zip(m.at(30 + 1_000), levels, strict=True):
        assert now == pytest.approx(before * 0.4, rel=1e-6)  # only the retained share is left
    # pausing again does not restart the clock
    m.pause(45)
    assert m.at(50)[0] == pytest.approx(levels[0] * (0.4 + 0.6 * 0.25))


def test_resuming_keeps_the_faded_level_as_the_new_start():
    m = _built()
    level = m.social
    m.pause(30)
    m.resume(40)
    assert m.social == pytest.approx(level * 0.7)
    assert m.at(100) == pytest.approx((m.psychological, m.social, m.behavioural))  # attending: no fade


@pytest.mark.parametrize("retained", [0.0, 1.0])
def test_retained_share_extremes(retained):
    m = Mechanisms(retained, 10.0)
    m.resume(0)
    m.build(catalogue()[0], 0.5)
    start = m.at(0)
    m.pause(0)
    late = m.at(10_000)
    if retained == 1.0:
        assert late == pytest.approx(start)
    else:
        assert late == pytest.approx((0.0, 0.0, 0.0), abs=1e-12)


def test_a_persons_wellbeing_gain_partly_fades_after_they_stop_attending():
    model = calm_model(sustained_weeks=8, move_on_weeks_mean=1.0, gain_retained_share=0.5,
                       gain_fade_half_life_weeks=10.0, support_weeks=12)  # fmt: skip
    add_group(model)
    (patient,) = refer_many(model, [0])
    while patient.state is not S.MOVED_ON:
        model.step()
        assert model.week < 30
    left = model.week
    gain = patient.swemwbs_at(left) - patient.swemwbs0
    assert gain > 1.0
    assert patient.swemwbs_at(left + 10) - patient.swemwbs0 == pytest.approx(gain * 0.75, rel=1e-6)
    assert patient.swemwbs_at(left + 500) - patient.swemwbs0 == pytest.approx(gain * 0.5, rel=1e-3)
    ucla_drop = patient.ucla0 - patient.ucla_at(left)
    if patient.ucla0 - 2.0 * patient.mechanisms.social >= 3.0:  # not clipped at the floor
        assert patient.ucla0 - patient.ucla_at(left + 10) == pytest.approx(ucla_drop * 0.75, rel=1e-6)


# ------------------------------------------------------------------ natural course
def _course(seed: int = 1, n: int = 20_000, **overrides) -> NaturalCourse:
    model = SocialPrescribingModel(rng=seed, population=n, referral_rate_per_1000=0.0, **overrides)
    return model.course


def test_the_natural_course_is_the_same_however_often_it_is_read():
    """A person's course is a function of (person, week): read every week or only once, the same value."""
    often, once = _course(), _course()
    people = np.arange(0, 20_000, 7)
    for week in range(0, 121):
        often.scores(people, week)
    assert all(np.array_equal(a, b) for a, b in zip(often.scores(people, 120), once.scores(people, 120), strict=True))
    assert not np.array_equal(once.scores(people, 0)[0], once.scores(people, 120)[0])  # it does move
    assert np.array_equal(once.scores(people, 0)[0], _course().scores(people, 0)[0])
    assert once.score(7, 0) == (once.scores(people, 0)[0][1], once.scores(people, 0)[1][1])  # one or many: same  # and can be read back


def test_the_state_keeps_its_deviation_as_an_autoregressive_process_would():
    spell = 50.0
    course = _course(n=60_000, natural_spell_weeks=spell, swemwbs_state_sd=2.6)
    everyone = np.arange(60_000)
    start = course.dip(everyone, 0).copy()
    assert start.std() == pytest.approx(2.6, rel=0.03)
    for weeks in (13, 52):
        later = course.dip(everyone, weeks)
        assert np.corrcoef(start, later)[0, 1] == pytest.approx((1 - 1 / spell) ** weeks, abs=0.03)
        assert later.std() == pytest.approx(2.6, rel=0.03)  # stationary


def test_wellbeing_and_loneliness_states_are_correlated():
    course = _course(n=40_000, wellbeing_loneliness_state_correlation=-0.5)
    everyone = np.arange(40_000)
    course.advance(everyone, 0)
    r = np.corrcoef(course.wellbeing_state, course.loneliness_state)[0, 1]
    assert r == pytest.approx(-0.5, abs=0.03)


def _counterfactual(seed: int = 5, **overrides) -> pd.DataFrame:
    model = SocialPrescribingModel(rng=seed, population=60_000, social_prescribing=False, measure_from=52,
                                   **overrides)  # fmt: skip
    model.run_for(52 + 52 + 30)
    model.close_open_records()
    df = model.outcomes()
    return df[~df["censored"] & (df["referred_week"] >= 52)]


def test_without_social_prescribing_people_referred_lowest_improve_most():
    """Regression to the mean emerges from referral at a low point (issue 13): no service, yet the lowest third
    at referral rises most; loneliness and GP and A&E use fall too."""
    df = _counterfactual()
    assert len(df) > 400
    change = df["swemwbs_end"] - df["swemwbs_start"]
    by_third = change.groupby(pd.qcut(df["swemwbs_start"], 3, labels=False)).mean()
    assert by_third[0] > by_third[1] > by_third[2]
    assert by_third[0] - by_third[2] > 1.0
    assert 0.5 < change.mean() < 3.0  # a partial recovery on average (about 1.5 points)
    assert (df["ucla_end"] - df["ucla_start"]).mean() < -0.05
    assert df["gp_change_per_year"].mean() < 0 and df["ae_change_per_year"].mean() < 0
    assert (df["ucla_end"] != df["ucla_start"]).mean() > 0.5  # loneliness moves without any service


def test_referral_happens_at_a_low_point():
    df = _counterfactual(swemwbs_measurement_sd=0.0)
    assert 16.5 < df["swemwbs_start"].mean() < 20.5  # against a population mean of 23.5
    flat = _counterfactual(swemwbs_measurement_sd=0.0, referral_low_point_slope=0.0)
    assert df["swemwbs_start"].mean() < flat["swemwbs_start"].mean() - 1.0
    flat_change = (flat["swemwbs_end"] - flat["swemwbs_start"]).mean()
    assert abs(flat_change) < 0.4  # referred at no particular point: nothing to regress from


def test_measurement_error_is_the_same_for_a_person_in_every_scenario():
    with_sp = SocialPrescribingModel(rng=9, population=20_000, measure_from=0)
    without = SocialPrescribingModel(rng=9, population=20_000, measure_from=0, social_prescribing=False)
    for model in (with_sp, without):
        model.run_for(3)
        model.close_open_records()
    a, b = with_sp.outcomes(), without.outcomes()
    assert len(a) == len(b) and (a["swemwbs_start"].to_numpy() == b["swemwbs_start"].to_numpy()).all()
    truth = [pt.swemwbs0 for pt in sorted(with_sp.agents_by_type[Patient], key=lambda pt: pt.unique_id)]
    assert len(truth) and not np.allclose(truth, a.sort_values("patient")["swemwbs_start"].to_numpy()[: len(truth)])


# ------------------------------------------------------------------ service use
def test_loneliness_multiplies_service_use():
    assert loneliness_weight(3.0) == 0.0 and loneliness_weight(7.0) == 1.0 and loneliness_weight(9.0) == 1.0
    assert loneliness_weight(5.0) == pytest.approx(0.5)
    for ltc in (0, 1, 2):
        not_lonely = service_use_rate(4.0, 2.0, ltc, 3.0, 1.9)
        lonely = service_use_rate(4.0, 2.0, ltc, 8.0, 1.9)
        assert not_lonely == pytest.approx(4.0 + 2.0 * ltc)
        assert lonely == pytest.approx(1.9 * not_lonely)
    rates = [service_use_rate(0.3, 0.15, 1, score, 1.6) for score in (9.0, 7.0, 6.0, 5.0, 4.0, 3.0)]
    assert all(b <= a for a, b in zip(rates, rates[1:], strict=False))
    assert rates[2] < rates[1]


def test_lower_loneliness_lowers_expected_gp_and_ae_use():
    model = SocialPrescribingModel(rng=4, population=30_000, referral_rate_per_1000=30.0, ucla_reduction_max=3.0,
                                   **QUIET)  # fmt: skip
    model.run_for(60)
    model.close_open_records()
    df = model.outcomes()
    fell = df[(df["ucla_end"] < df["ucla_start"]) & (df["ucla_end"] < 7) & (df["ucla_start"] > 3)]
    same = df[df["ucla_end"] == df["ucla_start"]]
    assert len(fell) > 10 and len(same) > 100
    assert (fell["gp_change_per_year"] < 0).all() and (fell["ae_change_per_year"] < 0).all()
    assert (same["gp_change_per_year"] == 0).all() and (same["ae_change_per_year"] == 0).all()
    assert (df["gp_change_per_year"] <= 1e-12).all()  # attending never raises service use


def test_service_use_change_matches_the_rate_formula():
    quiet = {**QUIET, "service_use_rr_per_swemwbs_point": 1.05}  # only measurement and the course held still
    model = SocialPrescribingModel(rng=4, population=30_000, referral_rate_per_1000=30.0, **quiet)
    model.run_for(60)
    model.close_open_records()
    row = model.outcomes().query("ucla_end < ucla_start").iloc[0]
    p = model.p

    def gp(sw, lo):
        return service_use_rate(p.gp_consultations_base, p.gp_consultations_per_ltc, int(row["ltc_count"]), lo,
                                p.lonely_gp_rate_ratio) * 1.05 ** (p.swemwbs_population_mean - sw)  # fmt: skip

    expected = gp(row["swemwbs_end"], row["ucla_end"]) - gp(row["swemwbs_start"], row["ucla_start"])
    assert row["gp_change_per_year"] == pytest.approx(expected)


# ------------------------------------------------------------------ work
def test_work_seeking_builds_only_above_a_ratio_of_one():
    for ratio, expect_zero in ((1.0, True), (4.0, False)):
        model = calm_model(work_seeking_rate_ratio=ratio, sustained_weeks=50)
        add_group(model, activity=7)  # learning and employment skills: mostly behavioural
        (patient,) = refer_many(model, [0], activity=7)
        model.run_for(15)
        assert patient.weeks_attended == 12
        assert (patient.work_seeking_weeks == 0.0) == expect_zero
        if not expect_zero:
            assert 0 < patient.work_seeking_weeks < 3.0 * 12


def _found_work_share(ratio: float) -> tuple[float, int]:
    frames = []
    for seed in (6, 7, 8):  # pooled: about 80 attenders out of work per run
        model = SocialPrescribingModel(
            rng=seed, population=50_000, referral_rate_per_1000=30.0, work_seeking_rate_ratio=ratio,
            job_finding_rate_per_year=0.08, link_workers_per_100k=12.0,
        )  # fmt: skip
        model.run_for(52 + 26)
        frames.append(model.outcomes())
    df = pd.concat(frames)
    df = df[~df["censored"] & df["working_age_not_employed"] & df["took_up"] & (df["weeks_attended"] >= 8)]
    return float(df["found_work"].mean()), len(df)


def test_behavioural_mechanism_raises_job_finding_among_attenders():
    base, n_base = _found_work_share(1.0)
    boosted, n_boosted = _found_work_share(20.0)
    assert n_base > 150 and n_boosted > 150
    assert base == pytest.approx(1 - math.exp(-0.08), abs=0.05)  # about 2.5 standard errors  # a year's exposure, no boost
    assert boosted > base + 0.15


def test_nobody_employed_at_referral_or_over_pension_age_finds_work():
    model = SocialPrescribingModel(rng=6, population=30_000, job_finding_rate_per_year=5.0)
    model.run_for(60)
    model.close_open_records()
    df = model.outcomes()
    assert not df.loc[~df["working_age_not_employed"], "found_work"].any()
    assert not df.loc[df["age"] >= 66, "working_age_not_employed"].any()
    looking = df[df["working_age_not_employed"] & ~df["censored"]]
    assert looking["found_work"].mean() > 0.9  # 5 a year: almost everyone within a year
    assert np.isfinite(df["gp_change_per_year"]).all()


def test_the_weekly_mean_wellbeing_is_read_every_week():
    """Read each week for everyone within follow-up: no gap after the first referrals, never a stale value."""
    model = SocialPrescribingModel(rng=3, population=30_000)
    model.run_for(12)
    series = model.datacollector.get_model_vars_dataframe()["mean_swemwbs"].iloc[1:]
    assert series.notna().all()
    assert (series.diff().iloc[1:] != 0).all()


def test_the_outcome_table_keeps_every_column_with_its_type():
    """Records are kept as typed columns (memory); what goes in comes back, and the frame has the types."""
    import dataclasses

    from spsim.model.outcome_table import OutcomeTable
    from spsim.model.outcomes import OUTCOME_COLUMNS, OutcomeRecord

    kinds = {f.name: f.type for f in dataclasses.fields(OutcomeRecord)}
    examples = {"float": 2.5, "int": 300, "bool": True, "str": "LTC"}
    record = OutcomeRecord(**{name: examples[kind] for name, kind in kinds.items()})
    table = OutcomeTable()
    assert table.append(record) == 0 and table.append(record) == 1
    table.set(1, qalys_gained=0.125)
    assert table[0] == record and table[1] == dataclasses.replace(record, qalys_gained=0.125)
    frame = table.frame()
    assert list(frame.columns) == OUTCOME_COLUMNS and len(frame) == 2
    expected = {"float": "float64", "int": "int64", "bool": "bool"}
    for name, kind in kinds.items():
        if kind in expected:
            assert str(frame[name].dtype) == expected[kind], name
    assert frame["cohort"].tolist() == ["LTC", "LTC"] and frame["qalys_gained"].tolist() == [2.5, 0.125]
