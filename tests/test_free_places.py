"""A group's free places (``VCSEGroup.free_places``), kept as a number as its members, held places, volunteers, grant
and own places change, rather than worked out at each reading: it must always be what working it out gives."""

from __future__ import annotations

from spsim.model import SocialPrescribingModel
from tests import builders

CALM = builders.calm(link_workers_per_100k=20.0, uptake_prob=1.0, volunteer_prob=0.0, support_weeks=40,
                     grant_cost_per_place_year_gbp=1_500.0)


def worked_out(group) -> int:
    return max(group.places - len(group.members) - len(group.held_until), 0)


def wrong_free_places(model: SocialPrescribingModel) -> list[str]:
    groups = [*model.community.groups(), *model.community.closed_groups]
    return [f"group {g.unique_id}: {g.free_places} free, worked out {worked_out(g)}" for g in groups
            if g.free_places != worked_out(g)]  # fmt: skip


def test_free_places_follow_every_change_of_a_busy_catchment():
    """Scarce places (waiting lists, giving up, held places), volunteers who come and go, grants whose share moves
    as groups open and close, a tariff, and groups that run out of money."""
    model = SocialPrescribingModel(rng=5, population=20_000, referral_rate_per_1000=40.0, groups_per_100k=40.0,
                                   group_places_mean=3.0, volunteer_prob=0.3, places_per_volunteer=1.5,
                                   vcse_grant_per_100k_year_gbp=150_000.0, grant_cost_per_place_year_gbp=2_000.0,
                                   referral_tariff_gbp=50.0, cost_per_attendee_week_gbp=40.0)  # fmt: skip
    changes = 0
    for _ in range(80):
        model.step()
        assert not wrong_free_places(model), f"week {model.week}: {wrong_free_places(model)[:3]}"
        changes += sum(g.free_places for g in model.community.groups())
    assert model.community.groups_closed > 0 and model.counters.volunteered > 0 and changes > 0
    assert any(g.waiting for g in model.community.groups())


def test_a_grant_changes_free_places_the_week_it_is_paid_and_when_it_ends():
    model = builders.calm_model(CALM)
    group = builders.add_group(model, places=1)
    builders.refer_people(model, range(2))
    model.run_for(3)
    assert group.free_places == 0 and len(group.waiting) == 1
    # 4,500 a year for the one group: 3 places at 1,500; one goes to the waiting list, two stay free
    model.update_parameters(vcse_grant_per_100k_year_gbp=90_000.0)
    model.step()
    assert group.grant_places == 3 and not group.waiting and group.free_places == 2 == worked_out(group)
    model.update_parameters(vcse_grant_per_100k_year_gbp=0.0)
    model.step()
    assert group.grant_places == 0 and group.free_places == 0 == worked_out(group) and len(group.waiting) == 1


def test_own_places_changed_by_hand_are_counted():
    model = builders.calm_model(CALM)
    group = builders.add_group(model, places=1)
    builders.refer_people(model, range(1))
    model.run_for(3)
    assert len(group.members) == 1 and group.free_places == 0
    group.base_places = 4
    assert group.free_places == 3


def test_parameters_changed_mid_run_count_free_places_again():
    """A volunteer's places and a grant's are worked out from the parameters: a change (a policy starting) is seen
    at once, before the next week."""
    model = builders.calm_model(CALM, volunteer_prob=1.0, places_per_volunteer=1.0, sustained_weeks=3,
                                move_on_weeks_mean=1000.0, attend_prob=1.0, vcse_grant_per_100k_year_gbp=90_000.0)  # fmt: skip
    group = builders.add_group(model, places=1)
    builders.refer_people(model, range(1))
    model.run_for(8)
    assert len(group.volunteers) == 1 and group.grant_places == 3
    assert group.free_places == 1 + 1 + 3 - 1 == worked_out(group)
    model.update_parameters(places_per_volunteer=3.0)
    assert group.free_places == 1 + 3 + 3 - 1 == worked_out(group)
    model.update_parameters(places_per_volunteer=3.0, grant_cost_per_place_year_gbp=4_500.0)
    assert group.free_places == 1 + 3 + 1 - 1 == worked_out(group)
