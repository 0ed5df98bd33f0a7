"""Issue 13: who is referred and who benefits -- the anxiety-or-depression cohort, gains that differ by person,
link worker support's own effect, what stops people starting, and the supported pathway's volunteering."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from spsim.model import Cohort, Patient, ReferralSource, SocialPrescribingModel
from spsim.model.patient import gain_scale
from spsim.model.referral import cohort_of, refer

from .test_outcomes import QUIET, add_group, calm_model


def _referred(seed: int = 3, weeks: int = 60, **overrides) -> pd.DataFrame:
    model = SocialPrescribingModel(rng=seed, population=60_000, **overrides)
    model.run_for(weeks)
    model.close_open_records()
    return model.outcomes()


def test_anxiety_or_depression_is_a_large_cohort_that_starts_low():
    df = _referred()
    shares = df["cohort"].value_counts(normalize=True)
    assert 0.25 < shares["COMMON_MENTAL"] < 0.55  # the commonest reason for referral (Bu 2024)
    start = df.groupby("cohort")["swemwbs_start"].mean()
    assert start["COMMON_MENTAL"] < start["LTC"] - 2.0
    none = _referred(referral_or_cmd=1.0, prevalence_cmd=0.0)
    assert (none["cohort"] == "COMMON_MENTAL").sum() == 0


def test_the_cohort_follows_the_person_and_the_referrer():
    model = calm_model()
    person = model.catchment.person(0)
    with_cmd, without = person._replace(cmd=True), person._replace(cmd=False)
    assert cohort_of(with_cmd, ReferralSource.GP) is Cohort.COMMON_MENTAL
    assert cohort_of(with_cmd, ReferralSource.SELF) is Cohort.COMMON_MENTAL
    assert cohort_of(with_cmd, ReferralSource.CMHT) is Cohort.MENTAL_HEALTH
    assert cohort_of(without, ReferralSource.GP) is Cohort.LTC


def test_gains_are_larger_for_people_whose_own_wellbeing_is_low():
    model = calm_model(gain_rise_per_swemwbs_point_below_mean=0.05, gain_ratio_deprived=1.2)
    course, p = model.course, model.p
    low = int(np.argmin(course.mean_wellbeing))
    high = int(np.argmax(course.mean_wellbeing))
    scale_low, scale_high = gain_scale(model, model.catchment.person(low)), gain_scale(model, model.catchment.person(high))
    assert scale_low > 1.0 > scale_high >= 0.0
    person = model.catchment.person(low)
    expected = 1 + 0.05 * (p.swemwbs_population_mean - float(course.mean_wellbeing[low]))
    assert scale_low == pytest.approx(max(expected, 0.0) * (1.2 if person.deprived else 1.0))
    flat = calm_model(gain_rise_per_swemwbs_point_below_mean=0.0, gain_ratio_deprived=1.0)
    assert gain_scale(flat, flat.catchment.person(low)) == 1.0


def test_link_worker_support_alone_moves_wellbeing_while_it_lasts_then_fades():
    quiet = {**QUIET, "link_worker_support_gain": 0.5, "gain_fade_half_life_weeks": 10.0, "uptake_prob": 0.0,
             "support_weeks": 12}  # fmt: skip
    model = calm_model(**quiet)
    add_group(model)
    patient = refer(model, model.catchment.person(0), ReferralSource.GP, Cohort.LTC)
    start = patient.swemwbs0
    model.run_for(6)
    assert patient.ever_supported and not patient.took_up
    assert patient.swemwbs_at(model.week) == pytest.approx(start + 0.5)  # no activity, yet a little better
    model.run_for(30)
    ended = model.register.support_until[patient.row]
    assert np.isfinite(ended)
    assert patient.swemwbs_at(int(ended) + 10) == pytest.approx(start + 0.25)  # half faded after a half-life
    # nothing from support for someone who declined at first contact
    declined = calm_model(**{**quiet, "referral_decline_prob": 1.0})
    who = refer(declined, declined.catchment.person(0), ReferralSource.GP, Cohort.LTC)
    declined.run_for(6)
    assert who.swemwbs_at(declined.week) == pytest.approx(who.swemwbs0)


def test_fewer_groups_make_provision_the_reason_people_do_not_start():
    plenty = _referred(seed=4, weeks=80, groups_per_100k=150.0)
    scarce = _referred(seed=4, weeks=80, groups_per_100k=15.0)

    def gap(df):
        stuck = df[df["reached_link_worker"] & ~df["took_up"]]
        return stuck["short_of_provision"].mean()

    assert gap(scarce) > gap(plenty) + 0.2


def test_the_supported_pathway_builds_volunteering():
    shares = []
    for chance in (0.0, 0.6):
        model = SocialPrescribingModel(rng=5, population=60_000, prevalence_smi=0.15, cmht_referral_share_smi=0.8,
                                       supported_discharge=True, link_advisors_per_100k=10.0,
                                       supported_volunteer_prob=chance)  # fmt: skip
        model.run_for(80)
        patients = [pt for pt in model.agents_by_type[Patient] if pt.cohort is Cohort.MENTAL_HEALTH]
        df = model.outcomes()
        mh = df[df["cohort"] == "MENTAL_HEALTH"]
        shares.append((mh["volunteer"].sum() + sum(pt.volunteer for pt in patients)) / (len(mh) + len(patients)))
    assert shares[0] == 0.0 and shares[1] > 0.05
