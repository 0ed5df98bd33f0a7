"""Link workers: caseload limits, the waiting list, giving up, and light-touch support under pressure."""

from __future__ import annotations

import math

import pytest

from spsim.model import (
    Cohort,
    LinkWorker,
    PathwayState,
    Patient,
    ReferralSource,
    Service,
    SocialPrescribingModel,
)
from spsim.model.referral import refer as refer_to_pathway
from tests import builders

S = PathwayState
PC = Service.PRIMARY_CARE

# The calm catchment (builders.CALM) with one link worker: 20 per 100k x 5,000 adults.
CALM = builders.calm(link_workers_per_100k=20.0)


def calm_model(seed: int = 1, **overrides) -> SocialPrescribingModel:
    return builders.calm_model(CALM, seed, **overrides)


def refer(model: SocialPrescribingModel, index: int) -> Patient:
    return refer_to_pathway(model, model.catchment.person(index), ReferralSource.GP, Cohort.LTC)


# ------------------------------------------------------------------ caseload limits
@pytest.mark.parametrize(("throughput", "limit"), [(225.0, 52), (100.0, 23), (250.0, 58), (1.0, 1)])
def test_caseload_limit_is_throughput_times_twelve_weeks(throughput, limit):
    assert limit == max(1, round(throughput * 12 / 52))
    model = SocialPrescribingModel(rng=1, population=50_000, lw_new_people_per_year=throughput)
    workers = model.workforce.link_workers(PC)
    assert len(workers) == 3  # 6 per 100k x 50,000
    assert model.workforce.caseload_limit(PC) == limit
    assert all(w.caseload_limit == limit for w in workers)
    assert model.workforce.caseload_capacity() == 3 * limit


def test_link_advisors_have_their_own_caseload_limit():
    model = SocialPrescribingModel(
        rng=1, population=200_000, supported_discharge=True, link_advisors_per_100k=1.5, advisor_caseload=17,
        lw_new_people_per_year=225.0,  # 52 people at once for 12-week episodes
    )
    advisors = model.workforce.link_workers(Service.MENTAL_HEALTH)
    assert len(advisors) == 3
    assert all(a.caseload_limit == 17 for a in advisors)
    assert all(w.caseload_limit == 52 for w in model.workforce.link_workers(PC))


def test_caseloads_never_exceed_the_limit_under_heavy_demand():
    model = SocialPrescribingModel(rng=4, population=20_000, referral_rate_per_1000=80.0, lw_new_people_per_year=100.0)
    waited = False
    for _ in range(40):
        model.step()
        for worker in model.workforce.link_workers():
            assert worker.load <= worker.caseload_limit + 1e-9
            assert len(worker.caseload) <= worker.caseload_limit  # all on 12-week episodes
        waited |= model.counters.count(S.AWAITING_LINK_WORKER) > 0
    assert waited
    assert model.workforce.pressure[PC] > 1.0


# ------------------------------------------------------------------ the waiting list
def test_full_caseloads_make_new_referrals_wait_and_they_are_taken_in_arrival_order():
    # one link worker, caseload limit round(10 x 12 / 52) = 2; with no groups, support ends after 3 weeks
    model = calm_model(lw_new_people_per_year=10.0, support_weeks=3)
    (worker,) = model.workforce.link_workers(PC)
    assert worker.caseload_limit == 2
    patients = [refer(model, i) for i in range(8)]
    for pt in patients:  # nobody gives up: this test is about the order of the queue
        pt.gives_up_at = float("inf")
    model.step()
    assert [pt.state for pt in patients[:2]] == [S.WITH_LINK_WORKER] * 2
    assert all(pt.state is S.AWAITING_LINK_WORKER and pt.link_worker is None for pt in patients[2:])
    assert list(model.workforce.queues[PC]) == patients[2:]
    assert model.counters.count(S.AWAITING_LINK_WORKER) == 6
    assert model.workforce.pressure[PC] == pytest.approx(8 / 2)

    first_contact: dict[Patient, int] = {}
    for _ in range(30):
        for pt in patients:
            if pt.ever_supported and pt not in first_contact:
                first_contact[pt] = model.week
        assert worker.load <= 2
        model.step()
    assert len(first_contact) == len(patients)
    order = sorted(patients, key=lambda pt: (first_contact[pt], pt.unique_id))
    assert order == patients  # first come, first served
    weeks = [first_contact[pt] for pt in patients]
    assert weeks[2] > weeks[1]  # the third person waited until a place freed
    assert all(pt.exit_reason == "support ended without an activity" for pt in patients[:6])
    assert model.counters.link_worker_wait_weeks > 0


def test_more_link_workers_take_everyone_at_once():
    model = calm_model(link_workers_per_100k=100.0, lw_new_people_per_year=10.0)  # 5 workers x 2 places
    patients = [refer(model, i) for i in range(10)]
    model.step()
    assert all(pt.state is S.WITH_LINK_WORKER for pt in patients)
    assert sorted(len(w.caseload) for w in model.workforce.link_workers()) == [2] * 5
    assert model.counters.link_worker_wait_weeks == pytest.approx(10 * 1.0)  # all seen in week 1


@pytest.mark.parametrize("patience", [0.5, 1.0])
def test_people_give_up_waiting_for_a_link_worker(patience):
    model = calm_model(seed=3, lw_new_people_per_year=10.0, lw_wait_patience_weeks=patience)
    patients = [refer(model, i) for i in range(40)]
    model.run_for(15)
    gave_up = [pt for pt in patients if pt.exit_reason == "gave up waiting for a link worker"]
    assert len(gave_up) >= 30
    assert all(pt.state is S.DECLINED and not pt.ever_supported for pt in gave_up)
    assert model.counters.exits["gave up waiting for a link worker"] == len(gave_up)
    assert not model.workforce.queues[PC] or all(pt.state is S.AWAITING_LINK_WORKER for pt in model.workforce.queues[PC])


def test_patient_people_do_not_give_up():
    model = calm_model(seed=3, lw_new_people_per_year=10.0, lw_wait_patience_weeks=520.0)
    patients = [refer(model, i) for i in range(40)]
    model.run_for(15)
    # exponential patience with a mean of ten years: about 3% give up within 15 weeks
    assert model.counters.exits["gave up waiting for a link worker"] <= 4
    assert sum(pt.state is S.AWAITING_LINK_WORKER for pt in patients) >= 26


def test_giving_up_is_judged_against_the_mean_patience():
    """Exponential patience: the share still waiting after t weeks is about exp(-t / mean)."""
    model = calm_model(seed=5, link_workers_per_100k=0.0, lw_wait_patience_weeks=4.0)
    patients = [refer(model, i) for i in range(400)]
    model.run_for(4)
    still_waiting = sum(pt.state is S.AWAITING_LINK_WORKER for pt in patients) / len(patients)
    assert still_waiting == pytest.approx(math.exp(-1), abs=0.07)


# ------------------------------------------------------------------ pressure and take-up
def test_pressure_lowers_uptake_and_training_raises_it():
    model = calm_model(uptake_prob=0.6, light_touch_uptake_penalty=0.3, training_uptake_boost=0.2)
    patient = refer(model, 0)
    group = builders.add_group(model, 0)  # exercise: the reference kind, whose take-up is the base
    chance = {}
    for pressure in (0.5, 1.0, 1.5, 2.0, 3.0):
        model.workforce.pressure[PC] = pressure
        chance[pressure] = patient.uptake_probability(group)
    assert chance[0.5] == chance[1.0] == pytest.approx(0.6)
    assert chance[1.5] == pytest.approx(0.6 * (1 - 0.3 * 0.5))
    assert chance[2.0] == pytest.approx(0.6 * (1 - 0.3))
    assert chance[3.0] == chance[2.0]  # the penalty saturates at double pressure

    model.workforce.pressure[PC] = 1.0
    model.update_parameters(lw_training=1.0)
    assert patient.uptake_probability(group) == pytest.approx(0.6 * 1.2)
    model.update_parameters(lw_training=0.5)
    assert patient.uptake_probability(group) == pytest.approx(0.6 * 1.1)
    model.update_parameters(lw_training=1.0, uptake_prob=0.95)
    assert patient.uptake_probability(group) == 1.0  # capped


def test_pressure_is_demand_over_capacity():
    model = calm_model(link_workers_per_100k=40.0, lw_new_people_per_year=20.0)  # 2 workers x 5 places
    for i in range(25):
        refer(model, i)
    model.step()
    assert model.workforce.caseload_capacity() == 10
    assert model.workforce.pressure[PC] == pytest.approx(25 / 10)
    assert model.counters.count(S.AWAITING_LINK_WORKER) == 15


def test_light_touch_support_lowers_take_up_in_a_stretched_service():
    """Same seed, same referrals: a stretched service (tiny caseload limit) sees fewer assessed people
    choose an activity than a well-staffed one."""
    shares = {}
    for throughput in (20.0, 1000.0):
        model = SocialPrescribingModel(
            rng=12, population=50_000, referral_rate_per_1000=30.0, lw_new_people_per_year=throughput,
            light_touch_uptake_penalty=1.0, appropriate_share_min=1.0, appropriate_share_max=1.0,
            referral_decline_prob=0.0, setback_rate_per_year=0.0, lw_training=0.0, uptake_prob=0.8,
        )  # fmt: skip
        model.run_for(40)
        offered = [pt for pt in model.agents_by_type[Patient] if pt.offered]  # asked at the first suggestion
        shares[throughput] = sum(pt.wants_activity for pt in offered) / len(offered)
        if throughput == 20.0:
            assert model.workforce.pressure[PC] >= 2.0
    assert shares[1000.0] == pytest.approx(0.8, abs=0.06)
    assert shares[20.0] < 0.2  # full penalty at double pressure: nobody wants an activity


# ------------------------------------------------------------------ no link workers
def test_no_link_workers_means_nobody_is_reached():
    model = SocialPrescribingModel(rng=2, population=20_000, link_workers_per_100k=0.0, lw_wait_patience_weeks=3.0)
    model.run_for(40)
    assert model.workforce.link_workers() == []
    assert model.counters.referred > 100
    assert model.counters.reached_link_worker == 0
    assert model.counters.took_up_activity == 0
    assert set(model.counters.exits) == {"gave up waiting for a link worker"}
    assert model.workforce.pressure[PC] == math.inf
    assert all(pt.state in (S.AWAITING_LINK_WORKER, S.DECLINED) for pt in model.agents_by_type[Patient])
    assert LinkWorker not in model.agents_by_type or len(model.agents_by_type[LinkWorker]) == 0
