"""Continuity of link worker support: leavers' caseloads, vacancies, guaranteed continuity, quitting."""

from __future__ import annotations


import pytest

from spsim.model.parameters import chance_within

from spsim.model import (
    Cohort,
    LinkWorker,
    PathwayState,
    Patient,
    ReferralSource,
    Service,
    SocialPrescribingModel,
)
from spsim.model.referral import refer
from tests import builders

S = PathwayState
PC = Service.PRIMARY_CARE

CALM = builders.calm(support_weeks=40)


def calm_model(seed: int = 1, **overrides) -> SocialPrescribingModel:
    return builders.calm_model(CALM, seed, **overrides)


def refer_many(model: SocialPrescribingModel, n: int, start: int = 0) -> list[Patient]:
    return [refer(model, model.catchment.person(i), ReferralSource.GP, Cohort.LTC) for i in range(start, start + n)]


def three_workers_with_room(**overrides) -> tuple[SocialPrescribingModel, list[Patient]]:
    # 60 per 100k x 5,000 = 3 link workers; limit round(45 x 12 / 52) = 10 each
    model = calm_model(link_workers_per_100k=60.0, lw_new_people_per_year=45.0, **overrides)
    patients = refer_many(model, 6)
    model.step()
    assert all(pt.state is S.WITH_LINK_WORKER for pt in patients)
    assert sorted(len(w.caseload) for w in model.workforce.link_workers()) == [2, 2, 2]
    return model, patients


# ------------------------------------------------------------------ a leaver's caseload
def test_leavers_caseload_goes_to_colleagues_with_room_and_continuity_is_broken():
    model, patients = three_workers_with_room()
    leaver = model.workforce.link_workers(PC)[0]
    clients = list(leaver.caseload)
    others = [pt for pt in patients if pt not in clients]
    colleagues = [w for w in model.workforce.link_workers(PC) if w is not leaver]
    load_before = sum(w.load for w in colleagues)

    model.workforce.link_worker_leaves(leaver)

    assert leaver not in model.workforce.link_workers()
    assert model.workforce.link_workers_left == 1
    assert len(model.workforce.vacancies) == 1
    assert model.counters.continuity_breaks == len(clients) == 2
    for pt in clients:
        assert pt.link_worker in colleagues
        assert pt in pt.link_worker.caseload
        assert pt.continuity_broken
        assert pt.state is S.WITH_LINK_WORKER
    assert not any(pt.continuity_broken for pt in others)
    assert sum(w.load for w in colleagues) == pytest.approx(load_before + 2)
    assert leaver.caseload == {} and leaver.load == 0.0


def test_each_client_goes_to_the_colleague_with_most_room_then_ties_to_the_longest_in_post():
    model, _ = three_workers_with_room()
    leaver, first, second = model.workforce.link_workers(PC)  # (in order of joining: the longest in post first)
    clients = list(leaver.caseload)
    second.caseload_limit += 1  # 9 places free against the first's 8
    model.workforce.link_worker_leaves(leaver)
    # the first client to the most room (the second: 9), then 8 and 8: the second client to the longest in post
    assert [pt.link_worker for pt in clients] == [second, first]


def test_a_colleague_with_just_a_clients_share_of_room_takes_them_and_then_has_none():
    model, _ = three_workers_with_room()
    leaver, first, second = model.workforce.link_workers(PC)
    clients = list(leaver.caseload)
    first.caseload_limit = first.load + 1.0  # room for exactly one whole place
    second.caseload_limit = second.load + 0.5  # less than a place
    model.workforce.link_worker_leaves(leaver)
    # the first client fills the first's last place; then nobody has a whole place: the second waits again
    assert [pt.link_worker for pt in clients] == [first, None]
    assert clients[1].state is S.AWAITING_LINK_WORKER


def test_no_room_sends_people_back_to_the_front_of_the_queue():
    # two link workers with 2 places each, all full, and two people already waiting
    model = calm_model(link_workers_per_100k=40.0, lw_new_people_per_year=10.0)
    patients = refer_many(model, 6)
    model.step()
    waiting = [pt for pt in patients if pt.state is S.AWAITING_LINK_WORKER]
    assert len(waiting) == 2
    leaver = model.workforce.link_workers(PC)[0]
    clients = list(leaver.caseload)

    model.workforce.link_worker_leaves(leaver)

    for pt in clients:
        assert pt.state is S.AWAITING_LINK_WORKER
        assert pt.link_worker is None and pt.continuity_broken
    assert model.counters.continuity_breaks == 2
    # displaced people go before those who were already waiting
    assert set(list(model.workforce.queues[PC])[:2]) == set(clients)
    assert list(model.workforce.queues[PC])[2:] == waiting
    assert model.counters.count(S.AWAITING_LINK_WORKER) == 4


def test_people_in_or_waiting_for_a_group_keep_their_place_when_their_link_worker_leaves():
    model = calm_model(link_workers_per_100k=20.0, lw_new_people_per_year=10.0, uptake_prob=1.0)
    side = model.catchment.side_km
    group = model.community.add_group(
        0, x=side / 2, y=side / 2, base_places=1, charges=False, income_per_year=10_000.0, margin=0.0, reserves=1e6
    )
    patients = refer_many(model, 2)
    for pt in patients:
        pt.preferences = (0,)
        pt.cannot_pay = False
        pt.person = pt.person._replace(x=side / 2, y=side / 2)
    model.run_for(3)  # first contact in week 1, assessment and matching in week 3
    member, waiter = patients
    assert member.state is S.ATTENDING and waiter.state is S.AWAITING_GROUP
    model.workforce.link_worker_leaves(model.workforce.link_workers()[0])
    assert member.state is S.ATTENDING and waiter.state is S.AWAITING_GROUP
    assert member.link_worker is None and waiter.link_worker is None
    assert member.continuity_broken and waiter.continuity_broken
    assert list(group.members) == [member] and list(group.waiting) == [waiter]
    assert model.counters.count(S.AWAITING_LINK_WORKER) == 0


# ------------------------------------------------------------------ vacancies
@pytest.mark.parametrize("vacancy_weeks", [1, 5, 12])
def test_vacancy_is_refilled_after_the_vacancy_weeks(vacancy_weeks):
    model = calm_model(link_workers_per_100k=60.0, lw_vacancy_weeks=vacancy_weeks)
    model.run_for(3)
    before = {w.unique_id for w in model.workforce.link_workers()}
    assert len(before) == 3
    model.workforce.link_worker_leaves(model.workforce.link_workers()[0])
    counts = []
    for _ in range(vacancy_weeks + 2):
        counts.append(len(model.workforce.link_workers()))
        model.step()
    counts.append(len(model.workforce.link_workers()))
    assert counts[:vacancy_weeks] == [2] * vacancy_weeks
    assert counts[vacancy_weeks:] == [3] * (len(counts) - vacancy_weeks)
    newcomer = {w.unique_id for w in model.workforce.link_workers()} - before
    assert len(newcomer) == 1
    assert not model.workforce.vacancies


def test_zero_vacancy_weeks_refills_before_the_next_week():
    model = calm_model(link_workers_per_100k=60.0, lw_vacancy_weeks=0)
    model.workforce.link_worker_leaves(model.workforce.link_workers()[0])
    model.step()
    assert len(model.workforce.link_workers()) == 3


def test_replacement_takes_the_waiting_list():
    model = calm_model(link_workers_per_100k=20.0, lw_new_people_per_year=10.0, lw_vacancy_weeks=2)
    patients = refer_many(model, 2)
    model.step()
    model.workforce.link_worker_leaves(model.workforce.link_workers()[0])
    assert all(pt.state is S.AWAITING_LINK_WORKER for pt in patients)
    model.step()
    assert all(pt.state is S.AWAITING_LINK_WORKER for pt in patients)  # nobody in post
    model.run_for(2)
    (new_worker,) = model.workforce.link_workers()
    assert all(pt.link_worker is new_worker and pt.state is S.WITH_LINK_WORKER for pt in patients)
    assert model.counters.reached_link_worker == 2  # returning people are not counted twice


# ------------------------------------------------------------------ guaranteed continuity
def test_guaranteed_continuity_hands_the_whole_caseload_to_one_successor():
    model, patients = three_workers_with_room(guaranteed_continuity=True)
    leaver = model.workforce.link_workers(PC)[0]
    clients = list(leaver.caseload)
    before = {w.unique_id for w in model.workforce.link_workers()}

    model.workforce.link_worker_leaves(leaver)

    assert len(model.workforce.link_workers()) == 3
    assert not model.workforce.vacancies
    (successor,) = [w for w in model.workforce.link_workers() if w.unique_id not in before]
    assert list(successor.caseload) == clients
    assert successor.load == pytest.approx(len(clients))
    for pt in clients:
        assert pt.link_worker is successor and not pt.continuity_broken
        assert pt.state is S.WITH_LINK_WORKER
    assert model.counters.continuity_breaks == 0
    assert model.workforce.link_workers_left == 1


def test_guaranteed_continuity_holds_even_when_colleagues_are_full():
    model = calm_model(link_workers_per_100k=40.0, lw_new_people_per_year=10.0, guaranteed_continuity=True)
    patients = refer_many(model, 4)
    model.step()
    leaver = model.workforce.link_workers(PC)[0]
    clients = list(leaver.caseload)
    model.workforce.link_worker_leaves(leaver)
    assert all(pt.state is S.WITH_LINK_WORKER and not pt.continuity_broken for pt in clients)
    assert len({pt.link_worker for pt in clients}) == 1
    assert model.counters.count(S.AWAITING_LINK_WORKER) == 0
    assert len(patients) == 4


def test_without_guarantee_a_long_run_breaks_continuity_and_with_it_never():
    breaks = {}
    for guaranteed in (False, True):
        model = SocialPrescribingModel(
            rng=4, population=30_000, lw_quit_rate_per_year=2.0, guaranteed_continuity=guaranteed
        )
        model.run_for(52)
        assert model.workforce.link_workers_left > 0
        breaks[guaranteed] = model.counters.continuity_breaks
    assert breaks[False] > 0
    assert breaks[True] == 0


# ------------------------------------------------------------------ quitting
def _quits(pressure: float, training: float = 0.0, weeks: int = 4_000, monkeypatch=None) -> float:
    model = calm_model(
        seed=17, link_workers_per_100k=20.0, lw_quit_rate_per_year=5.2, lw_quit_pressure_multiplier=2.5,
        training_quit_reduction=0.3, lw_training=training,
    )  # fmt: skip
    (worker,) = model.workforce.link_workers()
    left: list[LinkWorker] = []
    monkeypatch.setattr(model.workforce, "link_worker_leaves", lambda w, replace=True: left.append(w))
    model.workforce.pressure[PC] = pressure
    for _ in range(weeks):
        worker.step()
    assert all(w is worker for w in left)
    return len(left) / weeks


def test_quitting_rises_with_pressure(monkeypatch):
    base = _quits(1.0, monkeypatch=monkeypatch)  # 5.2 a year: 1 - exp(-0.1) a week
    assert base == pytest.approx(chance_within(5.2), abs=0.015)
    assert _quits(0.5, monkeypatch=monkeypatch) == pytest.approx(chance_within(5.2), abs=0.015)  # no bonus below capacity
    assert _quits(1.5, monkeypatch=monkeypatch) == pytest.approx(chance_within(5.2 * 1.75), abs=0.02)
    double = _quits(2.0, monkeypatch=monkeypatch)
    assert double == pytest.approx(chance_within(5.2 * 2.5), abs=0.025)
    assert _quits(4.0, monkeypatch=monkeypatch) == pytest.approx(chance_within(5.2 * 2.5), abs=0.025)  # capped
    assert double > 2 * base


def test_training_lowers_quitting(monkeypatch):
    assert _quits(1.0, training=1.0, monkeypatch=monkeypatch) == pytest.approx(chance_within(5.2 * 0.7), abs=0.012)


def test_heavy_demand_drives_more_link_workers_out():
    """Over a year, with many link workers, a service at several times its capacity loses more staff."""
    left = {}
    for rate in (2.0, 60.0):
        model = SocialPrescribingModel(
            rng=0, population=50_000, referral_rate_per_1000=rate, link_workers_per_100k=60.0,
            lw_new_people_per_year=40.0, lw_quit_rate_per_year=1.0, lw_quit_pressure_multiplier=4.0,
            lw_training=0.0, lw_vacancy_weeks=1,
        )  # fmt: skip
        model.run_for(52)
        left[rate] = model.workforce.link_workers_left
    # 30 workers at 1 a year: about 30 leavers at low pressure, up to four times that at double pressure
    assert 15 < left[2.0] < 45
    assert left[60.0] > 2 * left[2.0]
