"""Outcomes: the wellbeing and loneliness scales, gains that fade, the weekly mean and the outcome table (the
natural course is in test_natural_course.py, service use and work in test_service_use_and_work.py)."""

from __future__ import annotations

import numpy as np
import pytest

from spsim.model import (
    PathwayState,
    Patient,
    SocialPrescribingModel,
    VCSEGroup,
)
from spsim.model.activities import catalogue
from spsim.model.mechanisms import Mechanisms, swemwbs, ucla
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


def test_a_records_state_and_referral_week_are_the_persons():
    """A week's records read the state and the referral week from the wellbeing register's columns: each record holds
    its person's, whatever state they are in when it closes."""
    model = SocialPrescribingModel(rng=3, population=20_000)
    model.run_for(30)
    closing = list(model.open_records)
    model.close_open_records()
    records = model.outcomes().set_index("patient").loc[[patient.unique_id for patient in closing]]
    assert records["state"].tolist() == [patient.state.name for patient in closing]
    assert records["referred_week"].tolist() == [patient.referred_week for patient in closing]
    assert len(set(records["state"])) >= 4 and len(set(records["referred_week"])) >= 20


def _measured(keys, scores, scale, occasion, p):
    """One questionnaire reading worked out alone: the score plus its scale's measurement error (the keyed draw for
    that scale and occasion, as a standard normal), held within the scale's range."""
    from scipy.special import ndtri

    from spsim.model.mechanisms import SWEMWBS_RANGE, UCLA_RANGE
    from spsim.model.course_draws import TINY
    from spsim.model.streams import PURPOSES, PersonalDraws

    z = ndtri(np.maximum(PersonalDraws.uniforms(keys, PURPOSES[f"measure_{scale}"], occasion), TINY))
    if scale == "wellbeing":
        return np.clip(scores + p.swemwbs_measurement_sd * z, *SWEMWBS_RANGE)
    return np.clip(scores + p.ucla_measurement_sd * z, *UCLA_RANGE)


def test_a_records_four_questionnaires_read_at_once_are_each_readings_bytes():
    """``follow_up.questionnaires`` (the four readings as one block) gives each reading worked out alone byte for
    byte, limits included."""
    from spsim.model.follow_up import READINGS, questionnaires
    from spsim.model.parameters import Params, resolve

    p = Params(resolve({"swemwbs_measurement_sd": 3.1, "ucla_measurement_sd": 1.7}))
    rng = np.random.default_rng(5)
    for n in (1, 2, 7, 300):
        keys = rng.integers(0, 2**63, n, dtype=np.uint64) * np.uint64(2)
        scores = [rng.uniform(5.0, 37.0, n), rng.uniform(5.0, 37.0, n), rng.uniform(2.0, 10.0, n),
                  rng.uniform(2.0, 10.0, n)]  # fmt: skip
        together = questionnaires(keys, *scores, p)
        for block, score, (scale, occasion) in zip(together, scores, READINGS, strict=True):
            assert block.tobytes() == _measured(keys, score, scale, occasion, p).tobytes()
