"""Referral: how many people are referred, who they are, by which route, and what happens first."""

from __future__ import annotations

import math

import numpy as np
import pytest

from spsim.model import Cohort, PathwayState, Patient, ReferralSource, SocialPrescribingModel
from spsim.model.policies import LinkWorkerFunding, VCSECapacityGrants
from spsim.model.population import Proposals
from spsim.model.who_is_referred import referred_this_week

S = PathwayState
WEEKS = 52


def counterfactual(**overrides) -> SocialPrescribingModel:
    """No service: people are referred and go straight to usual care, so a run is cheap. A short
    follow-up retires people quickly, so almost nobody is skipped for being in the pathway already."""
    params = dict(social_prescribing=False, follow_up_weeks=4)
    params.update(overrides)
    return SocialPrescribingModel(**params)


def referral_sources(model: SocialPrescribingModel) -> dict[str, int]:
    model.close_open_records()
    return model.outcomes()["source"].value_counts().to_dict()


# ------------------------------------------------------------------ volume
@pytest.mark.parametrize(
    ("population", "rate"),
    [(50_000, 20.0), (100_000, 10.0), (50_000, 40.0), (20_000, 25.0)],
)
def test_referral_volume_is_poisson_with_mean_rate_times_population(population, rate):
    model = counterfactual(rng=11, population=population, referral_rate_per_1000=rate)
    model.run_for(WEEKS)
    expected = rate / 1000 * population  # a year at baseline awareness (self-referral share x 1)
    # Poisson: 4 standard deviations, plus 1% for the few draws of people already in the pathway
    tolerance = 4 * math.sqrt(expected) + 0.01 * expected
    assert abs(model.counters.referred - expected) < tolerance, (model.counters.referred, expected)


def test_referral_volume_scales_linearly():
    counts = {}
    for population, rate in ((20_000, 20.0), (80_000, 20.0), (20_000, 80.0)):
        model = counterfactual(rng=5, population=population, referral_rate_per_1000=rate)
        model.run_for(WEEKS)
        counts[(population, rate)] = model.counters.referred
    base = counts[(20_000, 20.0)]  # expected 400
    assert 3.4 < counts[(80_000, 20.0)] / base < 4.7
    assert 3.4 < counts[(20_000, 80.0)] / base < 4.7


def test_no_referrals_at_zero_rate():
    model = counterfactual(rng=1, population=20_000, referral_rate_per_1000=0.0)
    model.run_for(WEEKS)
    assert model.counters.referred == 0
    assert len(model.agents_by_type.get(Patient, ())) == 0


# ------------------------------------------------------------------ who is referred
def _rate_ratio(referred_count: np.ndarray, trait: np.ndarray) -> float:
    with_trait = referred_count[trait].sum() / trait.sum()
    without = referred_count[~trait].sum() / (~trait).sum()
    return with_trait / without


def test_need_weighted_draw_gives_the_odds_ratios_as_rate_ratios():
    """Traits are independent in the catchment, so per-capita referral rates of people with and
    without a trait differ by exactly the trait's weight (odds ratio), in expectation."""
    params = dict(
        rng=3,
        population=50_000,
        prevalence_smi=0.05,
        referral_or_lonely=2.2,
        referral_or_multimorbidity=2.02,
        referral_or_deprived=1.59,
        referral_or_smi=3.0,
    )
    model = counterfactual(**params)
    c = model.catchment
    hits = np.bincount(c.by_need(np.random.default_rng(0).random(60_000)), minlength=c.size)
    assert _rate_ratio(hits, c.lonely) == pytest.approx(2.2, rel=0.1)
    assert _rate_ratio(hits, c.ltc_count >= 2) == pytest.approx(2.02, rel=0.1)
    assert _rate_ratio(hits, c.deprived) == pytest.approx(1.59, rel=0.1)
    assert _rate_ratio(hits, c.smi) == pytest.approx(3.0, rel=0.15)


def test_odds_ratios_of_one_give_an_unweighted_draw():
    model = counterfactual(
        rng=3, population=50_000, referral_or_lonely=1.0, referral_or_multimorbidity=1.0,
        referral_or_deprived=1.0, referral_or_smi=1.0,
    )  # fmt: skip
    c = model.catchment
    hits = np.bincount(c.by_need(np.random.default_rng(1).random(40_000)), minlength=c.size)
    assert _rate_ratio(hits, c.lonely) == pytest.approx(1.0, abs=0.08)
    assert _rate_ratio(hits, c.ltc_count >= 2) == pytest.approx(1.0, abs=0.08)


def test_people_already_in_the_pathway_are_not_drawn_again():
    model = counterfactual(rng=3, population=5_000)
    c = model.catchment
    c.in_pathway[500:] = True  # only the first 500 people are free to be referred
    chosen = referred_this_week(model, Proposals(np.random.default_rng(2), 40))
    assert len(chosen) == 40 == len(set(chosen))  # the week's referrals are found, each person once
    assert all(i < 500 for i in chosen)


def test_how_many_proposals_are_read_at_first_is_a_speed_setting_only(monkeypatch):
    """The week's proposals are read a part at a time until its referrals are found: one per referral still wanted at
    a time, or many, the same people referred."""
    from spsim.model import population

    def referred(read_first: float, margin: float = 0.0) -> np.ndarray:
        monkeypatch.setattr(population, "READ_FIRST", read_first)
        monkeypatch.setattr(population, "READ_MARGIN", margin)
        model = SocialPrescribingModel(rng=4, population=20_000)
        model.run_for(20)
        return model.catchment.episodes.copy()

    chosen = referred(population.READ_FIRST, population.READ_MARGIN)
    assert chosen.sum() > 100
    assert all(np.array_equal(chosen, referred(read_first)) for read_first in (1, 8))


def test_lonely_multimorbid_deprived_and_smi_are_over_represented_among_referred():
    model = SocialPrescribingModel(
        rng=8, population=50_000, social_prescribing=False, referral_rate_per_1000=30.0, prevalence_smi=0.05
    )
    model.run_for(40)
    people = [pt.person for pt in model.agents_by_type[Patient]]
    assert len(people) > 1000
    c = model.catchment
    for trait, column in (
        ("lonely", c.lonely),
        ("deprived", c.deprived),
        ("smi", c.smi),
    ):
        referred_share = np.mean([getattr(person, trait) for person in people])
        assert referred_share > 1.3 * column.mean(), trait
    multimorbid_share = np.mean([person.ltc_count >= 2 for person in people])
    assert multimorbid_share > 1.3 * np.mean(c.ltc_count >= 2)


# ------------------------------------------------------------------ routes
@pytest.mark.parametrize("awareness", [0.2, 0.4, 0.8])
def test_self_referrals_scale_with_public_awareness(awareness):
    model = counterfactual(rng=21, population=50_000, referral_rate_per_1000=20.0, public_awareness=awareness)
    model.run_for(WEEKS)
    sources = referral_sources(model)
    total = 20.0 / 1000 * 50_000
    expected_self = total * 0.18 * awareness / 0.4
    expected_medical = total * (1 - 0.18)
    assert abs(sources.get("SELF", 0) - expected_self) < 4 * math.sqrt(expected_self) + 0.01 * expected_self
    medical = sources.get("GP", 0) + sources.get("CMHT", 0)
    # awareness does not change the medical routes
    assert abs(medical - expected_medical) < 4 * math.sqrt(expected_medical) + 0.01 * expected_medical


def test_no_self_referrals_without_awareness_and_more_with_it():
    counts = {}
    for awareness in (0.0, 0.2, 0.8):
        model = counterfactual(rng=4, population=50_000, public_awareness=awareness)
        model.run_for(WEEKS)
        counts[awareness] = referral_sources(model).get("SELF", 0)
    assert counts[0.0] == 0
    assert 2.8 < counts[0.8] / counts[0.2] < 5.5  # expected 4


def test_cmht_referrals_form_the_mental_health_cohort_and_need_smi():
    model = SocialPrescribingModel(
        rng=6, population=20_000, social_prescribing=False, referral_rate_per_1000=30.0,
        prevalence_smi=0.2, cmht_referral_share_smi=0.6,
    )  # fmt: skip
    model.run_for(40)
    patients = list(model.agents_by_type[Patient])
    cmht = [pt for pt in patients if pt.source is ReferralSource.CMHT]
    assert len(cmht) > 50
    for pt in patients:
        assert (pt.cohort is Cohort.MENTAL_HEALTH) == (pt.source is ReferralSource.CMHT)
    assert all(pt.person.smi for pt in cmht)
    smi_medical = [pt for pt in patients if pt.person.smi and pt.source is not ReferralSource.SELF]
    share = len(cmht) / len(smi_medical)
    assert share == pytest.approx(0.6, abs=0.12)


@pytest.mark.parametrize(("share", "expect_cmht"), [(0.0, False), (1.0, True)])
def test_cmht_share_extremes(share, expect_cmht):
    model = SocialPrescribingModel(
        rng=6, population=20_000, social_prescribing=False, referral_rate_per_1000=30.0,
        prevalence_smi=0.2, cmht_referral_share_smi=share,
    )  # fmt: skip
    model.run_for(30)
    patients = list(model.agents_by_type[Patient])
    smi_medical = [pt for pt in patients if pt.person.smi and pt.source is not ReferralSource.SELF]
    assert smi_medical
    assert all((pt.source is ReferralSource.CMHT) == expect_cmht for pt in smi_medical)
    assert all(pt.source is not ReferralSource.CMHT for pt in patients if not pt.person.smi)


# ------------------------------------------------------------------ demand follows supply
def _referred(elasticity: float, policies=(), seed: int = 3, **overrides) -> SocialPrescribingModel:
    model = SocialPrescribingModel(rng=seed, population=20_000, referral_supply_elasticity=elasticity,
                                   policies=policies, **overrides)  # fmt: skip
    model.run_for(WEEKS)
    return model


def test_the_supply_factor_is_posts_over_the_places_own_to_the_elasticity():
    model = SocialPrescribingModel(rng=1, population=20_000, referral_supply_elasticity=0.5,
                                   policies=[LinkWorkerFunding(fte_per_100k=12.0, start_week=2, end_week=4)])  # fmt: skip
    assert model.workforce.referral_supply_factor() == 1.0  # before the policy: exactly 1, no power taken
    model.run_for(3)
    assert model.workforce.referral_supply_factor() == pytest.approx(2**0.5)  # twice the place's own posts
    model.run_for(2)
    assert model.workforce.referral_supply_factor() == 1.0  # the posts gone again: exactly 1


@pytest.mark.parametrize("overrides", [{"social_prescribing": False}, {"link_workers_per_100k": 0.0}])
def test_no_scaling_without_posts_of_the_places_own(overrides):
    """No service, or a place with no posts of its own: nothing to scale from, so referrals are as at baseline."""
    model = SocialPrescribingModel(rng=1, population=20_000, referral_supply_elasticity=0.5,
                                   policies=[LinkWorkerFunding(fte_per_100k=12.0)], **overrides)  # fmt: skip
    assert model.workforce.referral_supply_factor() == 1.0


def test_more_posts_bring_more_referrals_when_demand_follows_supply():
    """Paired seeds: twice the posts at elasticity 0.5 scale the medical routes' referrals by 2 ** 0.5 (1.41), about
    1.34 x in all with self-referrals unchanged; at elasticity 0 the posts shorten waits but bring no referrals."""
    more = [LinkWorkerFunding(fte_per_100k=12.0)]
    ratios, inelastic = [], []
    for seed in (3, 4, 5):
        base = _referred(0.5, seed=seed).counters.referred
        ratios.append(_referred(0.5, more, seed=seed).counters.referred / base)
        inelastic.append(_referred(0.0, more, seed=seed).counters.referred / _referred(0.0, seed=seed).counters.referred)
    assert 1.2 < np.mean(ratios) < 1.5, ratios
    assert all(0.95 < r < 1.05 for r in inelastic), inelastic


def test_the_elasticity_changes_nothing_without_extra_posts():
    """Baseline, and a scenario that changes no posts (capacity grants): every number the same at any elasticity."""
    for policies in ((), (VCSECapacityGrants(gbp_per_100k_year=80_000.0),)):
        runs = [_referred(e, policies) for e in (0.0, 0.3, 0.9)]
        for model in runs:
            model.close_open_records()
        first = runs[0].outcomes()
        for model in runs[1:]:
            assert model.counters.referred == runs[0].counters.referred
            assert model.outcomes().equals(first)


# ------------------------------------------------------------------ first contact and appropriateness
def test_everyone_reached_declines_when_decline_probability_is_one():
    model = SocialPrescribingModel(rng=2, population=20_000, referral_decline_prob=1.0)
    model.run_for(30)
    reached = model.counters.reached_link_worker
    assert reached > 100
    assert model.counters.exits["declined at first contact"] == reached
    assert model.counters.took_up_activity == 0
    assert model.counters.count(S.WITH_LINK_WORKER) == 0
    assert len(model.attending) == 0
    for pt in model.agents_by_type[Patient]:
        if pt.ever_supported:
            assert pt.state is S.DECLINED and pt.exit_reason == "declined at first contact"


def test_nobody_declines_at_first_contact_when_probability_is_zero():
    model = SocialPrescribingModel(rng=2, population=20_000, referral_decline_prob=0.0)
    model.run_for(30)
    assert model.counters.reached_link_worker > 100
    assert model.counters.exits["declined at first contact"] == 0


def _appropriateness(role_clarity: float, seed: int = 9) -> tuple[float, float, int]:
    model = SocialPrescribingModel(
        rng=seed, population=60_000, role_clarity=role_clarity, public_awareness=0.4,
        referral_decline_prob=0.0, setback_rate_per_year=0.0, appropriate_share_min=0.65, appropriate_share_max=0.95,
    )  # fmt: skip
    model.run_for(30)
    patients = list(model.agents_by_type[Patient])
    share_appropriate = float(np.mean([pt.appropriate for pt in patients]))
    assessed = sum(pt.assessed for pt in patients)
    not_appropriate = model.counters.exits["referral not appropriate"]
    return share_appropriate, not_appropriate / assessed, assessed


def test_appropriateness_rises_with_role_clarity():
    low_share, low_exit, n_low = _appropriateness(0.0)
    high_share, high_exit, n_high = _appropriateness(1.0)
    assert n_low > 250 and n_high > 250
    # share appropriate = min + (max - min) * (awareness + clarity) / 2
    assert low_share == pytest.approx(0.65 + 0.30 * 0.2, abs=0.05)
    assert high_share == pytest.approx(0.65 + 0.30 * 0.7, abs=0.05)
    # so more people leave at assessment as "referral not appropriate" when the role is unclear
    assert low_exit == pytest.approx(1 - (0.65 + 0.30 * 0.2), abs=0.06)
    assert high_exit == pytest.approx(1 - (0.65 + 0.30 * 0.7), abs=0.06)
    assert low_exit > high_exit + 0.08


def test_all_referrals_appropriate_gives_no_inappropriate_exits():
    model = SocialPrescribingModel(rng=9, population=20_000, appropriate_share_min=1.0, appropriate_share_max=1.0,
                                   referral_rate_per_1000=20.0, lw_new_people_per_year=225.0)  # fmt: skip
    model.run_for(30)
    assert model.counters.reached_link_worker > 100
    assert model.counters.exits["referral not appropriate"] == 0


def test_a_few_referrals_worked_out_one_by_one_are_a_batchs_numbers():
    """``at_referral`` works out fewer than FEW_AT_REFERRAL people one by one in Python floats: each person's gain
    scale (to the bit) and traits are those of a batch they are read in."""
    from spsim.model.patient import FEW_AT_REFERRAL, at_referral

    model = SocialPrescribingModel(rng=6, population=20_000)
    rng = np.random.default_rng(6)
    people, *draws = model.catchment.referred(rng.choice(20_000, 60, replace=False).tolist())
    cohorts = [list(Cohort)[i] for i in rng.integers(0, len(Cohort), len(people))]
    assert len(people) >= FEW_AT_REFERRAL
    scales, traits = at_referral(model, people, cohorts, tuple(draws))
    for k, person in enumerate(people):
        alone = at_referral(model, [person], cohorts[k : k + 1], tuple(column[k : k + 1] for column in draws))
        assert alone[0].tobytes() == scales[k : k + 1].tobytes() and alone[1] == traits[k : k + 1]
    assert at_referral(model, people[:3], cohorts[:3])[1] == traits[:3]  # (the draws read from the catchment)


def test_a_patient_reads_its_scores_at_referral_from_its_row():
    """A Patient is made without copying what the wellbeing register holds for its row: its true scores at referral
    are read from the row (the scores then are the course's: tests/test_common_random_numbers.py), stay as they were
    while the register grows and the weeks go on, and cannot be written; its week at referral is a whole week."""
    model = SocialPrescribingModel(rng=5, population=20_000)
    model.run_for(3)
    before, week = model.agents_by_type[Patient], model.week
    seen = set(before)
    model.step()
    made = [patient for patient in model.agents_by_type[Patient] if patient not in seen]
    assert made
    at_referral = [(patient.swemwbs0, patient.ucla0, patient.referred_week) for patient in made]
    capacity = len(model.register.open)
    while len(model.register.open) == capacity:  # until the register's columns are copied into larger ones
        model.step()
    assert [(patient.swemwbs0, patient.ucla0, patient.referred_week) for patient in made] == at_referral
    assert all(type(week_then) is int and week_then == week + 1 for *_, week_then in at_referral)
    assert len({(sw, lo) for sw, lo, _ in at_referral}) > 1  # (each their own)
    with pytest.raises(AttributeError):
        made[0].swemwbs0 = 20.0


def test_a_patients_mechanisms_keep_the_share_retained_at_referral():
    """The parameters are read once for a week's referrals, and a person's mechanisms are made only when first needed,
    but each person keeps the share of a gain retained that was in force when they were referred: a policy changing it
    later leaves earlier referrals' floors as they were."""
    model = SocialPrescribingModel(rng=7, population=20_000, gain_retained_share=0.2)
    model.run_for(2)
    before = set(model.agents_by_type[Patient])
    model.update_parameters(gain_retained_share=0.6)
    model.step()
    after = [patient for patient in model.agents_by_type[Patient] if patient not in before]
    for patients, share in ((before, 0.2), (after, 0.6)):
        patient = next(pt for pt in patients if pt.mechanisms.levels == [0.0, 0.0, 0.0])  # never attended
        mechanisms = patient.mechanisms
        assert patient.mechanisms is mechanisms  # (made when first needed, then kept)
        mechanisms.set_levels([0.5, 0.5, 0.5])
        mechanisms.paused_at = None  # attending until now
        mechanisms.pause(model.week)
        assert mechanisms.floor == pytest.approx([0.5 * share] * 3)
