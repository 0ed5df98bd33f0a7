"""Group finance: unfunded load drains reserves, groups close when they run out, tariffs and grants."""

from __future__ import annotations

import math

import pytest

from spsim.model import (
    PathwayState,
    Patient,
    SocialPrescribingModel,
    VCSEGroup,
)
from tests import builders

S = PathwayState

CALM = builders.calm(link_workers_per_100k=20.0, uptake_prob=1.0, volunteer_prob=0.0, support_weeks=40,
                     cost_per_attendee_week_gbp=4.0)


def calm_model(seed: int = 1, **overrides) -> SocialPrescribingModel:
    return builders.calm_model(CALM, seed, **overrides)


def add_group(model, activity: int = 0, x: float = 0.0, places: int = 5, reserves: float = 1e6,
              margin: float = 0.0, income: float = 10_400.0) -> VCSEGroup:  # fmt: skip
    return builders.add_group(model, activity, x=x, places=places, income=income, margin=margin, reserves=reserves)


def refer_many(model, n: int, activity: int = 0, start: int = 0) -> list[Patient]:
    return builders.refer_people(model, range(start, start + n), activity)


def balances(model) -> None:
    for g in [*model.community.groups(), *model.community.closed_groups]:
        assert g.reserves == pytest.approx(g.opening_reserves + g.received - g.spent, rel=1e-9, abs=1e-6)
    paid = model.ledger.tariffs_paid + model.ledger.grants_paid
    received = sum(g.commissioner_funding for g in [*model.community.groups(), *model.community.closed_groups])
    assert paid == pytest.approx(received, rel=1e-9, abs=1e-6)


# ------------------------------------------------------------------ unfunded load
def test_each_referred_attendee_costs_the_group_every_week():
    model = calm_model()
    busy = add_group(model, activity=0)
    idle = add_group(model, activity=1)
    refer_many(model, 3, activity=0)
    model.run_for(3)
    assert len(busy.members) == 3 and not idle.members
    busy_before, idle_before = busy.reserves, idle.reserves
    model.run_for(5)
    # margin 0: income equals running costs, so only the referral load moves reserves
    assert idle.reserves == pytest.approx(idle_before)
    assert busy.reserves == pytest.approx(busy_before - 5 * 3 * 4.0)
    # same running costs; members joined after the groups' accounts of week 3, so only weeks 4-8 count
    assert busy.spent - idle.spent == pytest.approx(5 * 3 * 4.0)


def test_margin_sets_the_yearly_surplus_before_referrals():
    model = calm_model()
    surplus = add_group(model, margin=0.1, income=52_000.0)
    deficit = add_group(model, activity=1, margin=-0.1, income=52_000.0)
    model.run_for(4)
    assert surplus.reserves - surplus.opening_reserves == pytest.approx(4 * 100.0)
    assert deficit.reserves - deficit.opening_reserves == pytest.approx(-4 * 100.0)


def test_unfunded_load_closes_more_groups_over_time():
    closed = {}
    for cost in (0.0, 40.0):
        model = SocialPrescribingModel(
            rng=3, population=30_000, cost_per_attendee_week_gbp=cost, group_margin_sd=0.0, group_margin_mean=0.0,
            new_groups_per_100k_year=0.0,
        )  # fmt: skip
        model.run_for(52)
        closed[cost] = model.community.groups_closed
    assert closed[0.0] == 0  # balanced books and no referral load: nobody closes
    assert closed[40.0] > 0


# ------------------------------------------------------------------ closure
def test_a_group_that_runs_out_closes_and_its_members_move_to_another_group():
    model = calm_model()
    fragile = add_group(model, activity=0, x=0.0, reserves=30.0)
    refer_many(model, 3)
    model.run_for(3)  # joined in week 3
    members = list(fragile.members)
    assert len(members) == 3
    backup = add_group(model, activity=0, x=0.5, places=5)  # further away, so not chosen at first
    model.run_for(2)  # weeks 4 and 5: 30 - 12 - 12 = 6 left
    assert fragile.is_open and fragile.reserves == pytest.approx(6.0)
    model.step()  # week 6: 6 - 12 < 0 -> closes
    assert not fragile.is_open
    assert fragile not in model.community.groups() and fragile in model.community.closed_groups
    assert model.community.groups_closed == 1
    assert fragile.reserves < 0 and not fragile.members and not fragile.waiting
    for pt in members:
        assert pt.state is S.ATTENDING and pt.group is backup and pt in backup.members
    assert model.counters.took_up_activity == 3  # moving groups is not a second take-up
    balances(model)


def test_members_with_no_alternative_and_no_link_worker_leave_with_the_closure_reason():
    model = calm_model(support_weeks=3)
    fragile = add_group(model, reserves=36.0)
    patients = refer_many(model, 3)
    model.run_for(4)  # support ended in week 4; they attend on their own
    assert all(pt.state is S.ATTENDING and pt.link_worker is None for pt in patients)
    model.run_for(3)
    assert not fragile.is_open
    for pt in patients:
        assert pt.state is S.DROPPED_OUT
        assert pt.exit_reason == "group closed and nothing suitable in reach"
    assert model.counters.exits["group closed and nothing suitable in reach"] == 3
    assert not model.attending


def test_members_with_a_link_worker_go_back_to_them_when_their_group_closes():
    model = calm_model()
    fragile = add_group(model, reserves=30.0)
    patients = refer_many(model, 3)
    model.run_for(6)
    assert not fragile.is_open
    assert all(pt.state is S.WITH_LINK_WORKER and pt.group is None for pt in patients)
    assert all(pt.link_worker is not None for pt in patients)


def test_waiting_list_of_a_closing_group_is_rematched():
    model = calm_model()
    fragile = add_group(model, places=1, reserves=10.0)
    first, second = refer_many(model, 2)
    model.run_for(3)
    assert second.state is S.AWAITING_GROUP and list(fragile.waiting) == [second]
    backup = add_group(model, x=0.6, places=3)
    model.run_for(3)
    assert not fragile.is_open
    assert first.group is backup and second.group is backup
    assert first.state is S.ATTENDING and second.state is S.ATTENDING


# ------------------------------------------------------------------ tariff
def test_tariff_is_paid_once_per_person_who_starts_to_the_receiving_group():
    model = calm_model(referral_tariff_gbp=150.0, return_prob_supported=1.0)
    group = add_group(model)
    patients = refer_many(model, 3)
    model.run_for(3)
    assert model.counters.took_up_activity == 3
    assert model.ledger.tariffs_paid == pytest.approx(450.0)
    assert group.commissioner_funding == pytest.approx(450.0)
    # a setback and a return to the group does not pay the tariff again
    from spsim.model.states import SetbackKind

    patients[0].begin_setback(SetbackKind.MONEY)
    patients[0].end_setback()
    assert patients[0].state is S.ATTENDING
    assert model.ledger.tariffs_paid == pytest.approx(450.0)
    balances(model)


def test_tariff_total_matches_take_up_in_a_full_run():
    model = SocialPrescribingModel(rng=6, population=20_000, referral_tariff_gbp=100.0)
    model.run_for(52)
    assert model.counters.took_up_activity > 20
    assert model.ledger.tariffs_paid == pytest.approx(100.0 * model.counters.took_up_activity)
    balances(model)


def test_no_tariff_means_no_commissioner_money_for_groups():
    model = SocialPrescribingModel(rng=6, population=20_000)
    model.run_for(30)
    assert model.ledger.tariffs_paid == 0 and model.ledger.grants_paid == 0
    assert all(g.commissioner_funding == 0 for g in model.community.groups())


# ------------------------------------------------------------------ capacity grants
def test_grants_are_shared_equally_and_buy_places():
    # pot: 90,000 per 100k x 0.05 = 4,500 a year, shared by 2 groups = 2,250 each = 1 place at 1,500
    model = calm_model(vcse_grant_per_100k_year_gbp=90_000.0, grant_cost_per_place_year_gbp=1_500.0)
    a = add_group(model, places=2)
    b = add_group(model, activity=1, places=4)
    model.step()
    share = 90_000.0 * 0.05 / 52 / 2
    assert a.grant_per_week == pytest.approx(share) and b.grant_per_week == pytest.approx(share)
    assert a.grant_places == b.grant_places == math.floor(2_250 / 1_500) == 1
    assert a.places == 3 and b.places == 5
    assert model.ledger.grants_paid == pytest.approx(2 * share)
    model.run_for(9)
    assert model.ledger.grants_paid == pytest.approx(20 * share)
    assert a.commissioner_funding == pytest.approx(10 * share)
    balances(model)


def test_grant_places_take_referrals_without_unfunded_cost():
    # one group, a grant buying 3 places; 3 members sit on grant places and cost the group nothing extra
    model = calm_model(vcse_grant_per_100k_year_gbp=90_000.0, grant_cost_per_place_year_gbp=1_500.0)
    group = add_group(model, places=0)
    refer_many(model, 3)
    model.run_for(3)
    assert group.grant_places == 3 and len(group.members) == 3
    before = group.reserves
    model.run_for(4)
    # per week: grant 4,500/52 received, 3 places x 1,500/52 spent on them; no attendee cost
    assert group.reserves == pytest.approx(before)


def test_a_shrinking_grant_moves_the_newest_members_back_to_the_waiting_list():
    model = calm_model(vcse_grant_per_100k_year_gbp=90_000.0, grant_cost_per_place_year_gbp=1_500.0)
    group = add_group(model, places=1)
    patients = refer_many(model, 4)
    model.run_for(3)
    assert group.places == 4 and list(group.members) == patients
    model.update_parameters(vcse_grant_per_100k_year_gbp=0.0)
    model.step()
    assert group.places == 1
    assert list(group.members) == patients[:1]
    assert list(group.waiting) == patients[1:]
    assert all(pt.state is S.AWAITING_GROUP for pt in patients[1:])


def test_money_balances_in_a_run_with_grants_tariffs_and_closures():
    model = SocialPrescribingModel(
        rng=8, population=20_000, referral_rate_per_1000=40.0, vcse_grant_per_100k_year_gbp=100_000.0,
        referral_tariff_gbp=50.0, cost_per_attendee_week_gbp=30.0, group_reserve_months_mean=2.0,
    )  # fmt: skip
    for _ in range(52):
        model.step()
        balances(model)
    assert model.community.groups_closed > 0
    assert model.ledger.grants_paid > 0 and model.ledger.tariffs_paid > 0
    ledger = model.ledger
    assert ledger.commissioner_spend == pytest.approx(
        ledger.link_worker_cost + ledger.tariffs_paid + ledger.grants_paid + ledger.programme_costs
    )
