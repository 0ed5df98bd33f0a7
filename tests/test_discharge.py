"""The secondary mental-health pathway: link advisors, accompanied take-up and supported discharge."""

from __future__ import annotations

import pytest

from spsim.model import (
    Cohort,
    PathwayState,
    Patient,
    Service,
    SocialPrescribingModel,
    VCSEGroup,
)
from tests import builders

S = PathwayState
MH = Service.MENTAL_HEALTH
PC = Service.PRIMARY_CARE

CALM = builders.calm(
    population=100_000,  # one link advisor at 1 per 100,000
    uptake_prob=1.0,
    accompanied_uptake_prob=1.0,
    link_workers_per_100k=1.0,
    volunteer_prob=0.0,
    cost_per_attendee_week_gbp=0.0,
    move_on_weeks_mean=1000.0,
    attend_prob=1.0,
    supported_discharge=True,
    link_advisors_per_100k=1.0,
    advisor_caseload=30,
)


def calm_model(seed: int = 1, **overrides) -> SocialPrescribingModel:
    return builders.calm_model(CALM, seed, **overrides)


def add_group(model, activity: int = 0, places: int = 1_000) -> VCSEGroup:
    return builders.add_group(model, activity, places=places)


def refer(model, index: int, cohort: Cohort, activity: int = 0) -> Patient:
    return builders.refer(model, index, activity, cohort=cohort)


# ------------------------------------------------------------------ routing to link advisors
def test_mental_health_referrals_go_to_link_advisors():
    model = calm_model()
    (advisor,) = model.workforce.link_workers(MH)
    assert advisor.service is MH and advisor.caseload_limit == 30
    mh = refer(model, 0, Cohort.MENTAL_HEALTH)
    ltc = refer(model, 1, Cohort.LTC)
    assert mh.service is MH and ltc.service is PC
    assert list(model.workforce.queues[MH]) == [mh] and list(model.workforce.queues[PC]) == [ltc]
    model.step()
    assert mh.link_worker is advisor
    assert ltc.link_worker is not None and ltc.link_worker.service is PC


def test_without_the_pathway_mental_health_referrals_go_to_primary_care_link_workers():
    model = calm_model(supported_discharge=False)
    assert model.workforce.link_workers(MH) == []
    mh = refer(model, 0, Cohort.MENTAL_HEALTH)
    assert mh.service is PC
    model.step()
    assert mh.link_worker.service is PC


def test_advisors_only_take_their_own_queue():
    model = calm_model(advisor_caseload=2)
    patients = [refer(model, i, Cohort.MENTAL_HEALTH) for i in range(5)]
    model.step()
    assert sum(pt.link_worker is not None for pt in patients) == 2  # the primary-care worker has room but takes none
    assert all(pt.link_worker is None or pt.link_worker.service is MH for pt in patients)
    assert model.workforce.pressure[MH] == pytest.approx(5 / 2)
    assert model.workforce.pressure[PC] == 0.0


def test_advisor_support_lasts_advisor_support_weeks():
    model = calm_model(advisor_support_weeks=20, support_weeks=8)
    add_group(model)
    mh = refer(model, 0, Cohort.MENTAL_HEALTH)
    ltc = refer(model, 1, Cohort.LTC)
    model.run_for(1 + 8)
    assert mh.link_worker is not None and ltc.link_worker is None
    model.run_for(12)
    assert mh.link_worker is None
    assert mh.state is not S.NO_ACTIVITY  # they attend a group; only the support ended


def test_accompanied_first_session_sets_take_up_on_the_pathway():
    model = calm_model(uptake_prob=0.3, accompanied_uptake_prob=0.87, light_touch_uptake_penalty=0.3)
    mh = refer(model, 0, Cohort.MENTAL_HEALTH)
    ltc = refer(model, 1, Cohort.LTC)
    group = add_group(model)  # exercise: the reference kind of activity, whose take-up is the base
    assert mh.uptake_probability(group) == pytest.approx(0.87)
    assert ltc.uptake_probability(group) == pytest.approx(0.3)
    model.workforce.pressure[MH] = 2.0  # advisors under pressure go light-touch too
    assert mh.uptake_probability(group) == pytest.approx(0.87 * (1 - 0.3))


def test_accompanied_take_up_share():
    model = calm_model(
        seed=4, uptake_prob=0.3, accompanied_uptake_prob=0.87, link_advisors_per_100k=10.0, advisor_caseload=100,
        supported_decline_prob=0.0,
    )
    add_group(model)
    patients = [refer(model, i, Cohort.MENTAL_HEALTH) for i in range(400)]
    model.run_for(4)
    assert all(pt.assessed for pt in patients)
    share = sum(pt.took_up for pt in patients) / len(patients)
    assert share == pytest.approx(0.87, abs=0.05)


# ------------------------------------------------------------------ discharge
def _sustained_mh_patient(**overrides) -> tuple[SocialPrescribingModel, Patient]:
    params = dict(
        swemwbs_state_sd=0.0, ucla_state_sd=0.0, swemwbs_measurement_sd=0.0, link_worker_support_gain=0.0,
        mechanism_growth=0.15, sustained_weeks=8,
        swemwbs_gain_max=6.0, improvement_threshold=1.0, mh_discharge_rate_per_year=0.0, mh_discharge_prob=1.0,
    )  # fmt: skip
    params.update(overrides)
    model = calm_model(**params)
    add_group(model)
    patient = refer(model, 0, Cohort.MENTAL_HEALTH)
    model.run_for(3 + 8)
    assert patient.sustained
    assert patient.swemwbs_at(model.week) - patient.swemwbs0 >= 1.0
    return model, patient


def test_sustained_improved_pathway_patients_are_discharged():
    model, patient = _sustained_mh_patient()
    assert patient.mh_discharged
    assert model.counters.mh_discharged == 1
    model.close_open_records()
    assert model.outcomes()["mh_discharged"].tolist() == [True]


def test_no_supported_discharge_without_the_pathway():
    model, patient = _sustained_mh_patient(supported_discharge=False)
    assert patient.service is PC and not patient.mh_discharged
    model.run_for(20)
    model.close_open_records()
    assert not patient.mh_discharged and model.counters.mh_discharged == 0


def test_no_discharge_without_improvement():
    model = calm_model(
        swemwbs_state_sd=0.0, ucla_state_sd=0.0, swemwbs_measurement_sd=0.0, link_worker_support_gain=0.0,
        mechanism_growth=0.0, sustained_weeks=8,
        mh_discharge_rate_per_year=0.0, mh_discharge_prob=1.0, advisor_support_weeks=12,
    )  # fmt: skip
    add_group(model)
    patient = refer(model, 0, Cohort.MENTAL_HEALTH)
    model.run_for(20)
    assert patient.sustained and not patient.mh_discharged


def test_background_discharge_rate_applies_at_follow_up():
    model = calm_model(seed=2, supported_discharge=False, mh_discharge_rate_per_year=0.5, follow_up_weeks=52,
                       link_workers_per_100k=10.0)  # fmt: skip
    patients = [refer(model, i, Cohort.MENTAL_HEALTH) for i in range(400)]
    ltc = [refer(model, i, Cohort.LTC) for i in range(400, 500)]
    model.run_for(53)
    share = sum(pt.mh_discharged for pt in patients) / len(patients)
    assert share == pytest.approx(1 - 2.718281828 ** -0.5, abs=0.07)
    assert not any(pt.mh_discharged for pt in ltc)


def _discharge_shares(supported: bool, seed: int) -> tuple[float, int]:
    model = SocialPrescribingModel(
        rng=seed, population=60_000, prevalence_smi=0.15, cmht_referral_share_smi=0.8, link_advisors_per_100k=10.0,
        supported_discharge=supported,
    )  # fmt: skip
    model.run_for(104)
    model.close_open_records()
    df = model.outcomes()
    mh = df[df["cohort"] == "MENTAL_HEALTH"]
    engaged = mh[mh["sustained"] & mh["improved"]]
    return float(engaged["mh_discharged"].mean()), len(engaged)


def test_supported_discharge_discharges_engaged_improved_people_far_more_often():
    with_pathway, n_with = _discharge_shares(True, seed=1)
    without, n_without = _discharge_shares(False, seed=1)
    assert n_with > 30 and n_without > 30
    assert with_pathway > without + 0.3
    assert with_pathway > 3 * without


def test_the_supported_pathway_has_its_own_decline_and_screened_referrals():
    """Dayson 2020: discharge into activities is agreed with the person beforehand and the team refers only
    people it judges suitable; primary-care referrals keep the general rates."""
    model = calm_model(seed=5, supported_decline_prob=0.0, referral_decline_prob=1.0, appropriate_share_min=0.0,
                       appropriate_share_max=1.0, role_clarity=0.0, public_awareness=0.0,
                       link_advisors_per_100k=10.0, advisor_caseload=100)  # fmt: skip
    add_group(model)
    mh = [refer(model, i, Cohort.MENTAL_HEALTH) for i in range(50)]
    ltc = [refer(model, 100 + i, Cohort.LTC) for i in range(50)]
    model.run_for(4)
    assert all(pt.appropriate for pt in mh) and not any(pt.appropriate for pt in ltc)
    assert all(pt.exit_reason != "declined at first contact" for pt in mh)
    assert all(pt.exit_reason == "declined at first contact" for pt in ltc if pt.ever_supported)
