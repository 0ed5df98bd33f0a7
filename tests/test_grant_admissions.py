"""Capacity grants paid to every open group at once (``Community.distribute_grants``): the places a grant buys are
taken from each group's waiting list the week it is paid, and a grant that shrinks sends the newest members back,
in every group, though the week visits only the groups where that can happen."""

from __future__ import annotations

import pytest

from spsim.model import PathwayState
from tests import builders

S = PathwayState

CALM = builders.calm(link_workers_per_100k=20.0, uptake_prob=1.0, volunteer_prob=0.0, support_weeks=40,
                     grant_cost_per_place_year_gbp=1_500.0)


def test_a_grant_admits_every_groups_waiting_list_the_week_it_is_paid():
    model = builders.calm_model(CALM)
    groups = [builders.add_group(model, activity=activity, places=1) for activity in (0, 1)]
    people = [builders.refer_people(model, range(3 * activity, 3 * activity + 3), activity) for activity in (0, 1)]
    model.run_for(3)
    for group, (first, *waiting) in zip(groups, people, strict=True):
        assert list(group.members) == [first] and list(group.waiting) == waiting
    # 180,000 per 100,000 adults of a 5,000-adult place: 9,000 a year, 4,500 for each group, 3 places at 1,500
    model.update_parameters(vcse_grant_per_100k_year_gbp=180_000.0)
    model.step()
    for group, mine in zip(groups, people, strict=True):
        assert group.grant_places == 3 and list(group.members) == mine and not group.waiting
        assert all(patient.state is S.ATTENDING for patient in mine)
        assert group.commissioner_funding == pytest.approx(4_500.0 / 52)
    assert model.ledger.grants_paid == pytest.approx(2 * 4_500.0 / 52)
    model.update_parameters(vcse_grant_per_100k_year_gbp=0.0)
    model.step()
    for group, (first, *others) in zip(groups, people, strict=True):
        assert group.grant_per_week == 0.0 and list(group.members) == [first] and list(group.waiting) == others
    assert not model.community.ledger.granted
