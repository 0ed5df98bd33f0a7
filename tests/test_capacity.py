"""Group capacity: full groups keep a waiting list, never hold more members than places, and admit in order."""

from __future__ import annotations

import pytest

from spsim.model import (
    PathwayState,
    Patient,
    SocialPrescribingModel,
    VCSEGroup,
)
from spsim.model.states import SetbackKind
from tests import builders

S = PathwayState

CALM = builders.calm(link_workers_per_100k=20.0, uptake_prob=1.0, volunteer_prob=0.0, support_weeks=40,
                     return_prob_supported=1.0)


def calm_model(seed: int = 1, **overrides) -> SocialPrescribingModel:
    return builders.calm_model(CALM, seed, **overrides)


def add_group(model, activity: int = 0, places: int = 2) -> VCSEGroup:
    return builders.add_group(model, activity, places=places)


def refer_many(model, n: int, activity: int = 0) -> list[Patient]:
    return builders.refer_people(model, range(n), activity)


def test_a_full_group_puts_people_on_its_waiting_list_in_order():
    model = calm_model()
    group = add_group(model, places=2)
    patients = refer_many(model, 5)
    model.run_for(3)  # everyone assessed and matched in week 3
    assert [pt.state for pt in patients] == [S.ATTENDING] * 2 + [S.AWAITING_GROUP] * 3
    assert list(group.members) == patients[:2]
    assert list(group.waiting) == patients[2:]
    assert all(pt.group is group for pt in patients)
    assert model.community.waiting() == 3
    assert model.counters.count(S.AWAITING_GROUP) == 3
    assert group.free_places == 0


def test_members_never_exceed_places():
    model = SocialPrescribingModel(
        rng=5, population=20_000, referral_rate_per_1000=60.0, group_places_mean=1.0, groups_per_100k=30.0,
        link_workers_per_100k=30.0, volunteer_prob=0.5, places_per_volunteer=0.5,
    )  # fmt: skip
    saw_waiting = False
    for _ in range(60):
        model.step()
        for g in model.community.groups():
            assert len(g.members) <= g.places
            assert all(pt.state is S.AWAITING_GROUP and pt.group is g for pt in g.waiting)
        saw_waiting |= model.community.waiting() > 0
    assert saw_waiting


def test_a_leaving_member_is_replaced_by_the_next_on_the_waiting_list():
    model = calm_model()
    group = add_group(model, places=2)
    patients = refer_many(model, 5)
    model.run_for(3)
    leaver = patients[0]
    leaver.begin_setback(SetbackKind.FAMILY)
    assert leaver.state is S.SETBACK and leaver not in group.members
    assert patients[2].state is S.ATTENDING and patients[2] in group.members
    assert list(group.waiting) == patients[3:]
    assert len(group.members) == 2
    builders.stop_attending(patients[1])
    assert patients[1].state is S.DROPPED_OUT
    assert list(group.members) == [patients[2], patients[3]]
    assert list(group.waiting) == [patients[4]]


def test_time_on_a_waiting_list_is_counted():
    model = calm_model()
    group = add_group(model, places=1)
    first, second = refer_many(model, 2)
    model.run_for(3)
    assert second.state is S.AWAITING_GROUP
    model.run_for(4)
    builders.stop_attending(first)
    assert second.state is S.ATTENDING and second in group.members
    assert model.counters.group_wait_weeks == 4  # matched in week 3, started in week 7
    assert model.counters.took_up_activity == 2


def test_people_give_up_waiting_for_a_group_and_their_link_worker_looks_again():
    model = calm_model()
    group = add_group(model, places=1)
    patients = refer_many(model, 6)
    model.run_for(3)
    waiting = patients[1:]
    assert all(pt.state is S.AWAITING_GROUP for pt in waiting)
    model.update_parameters(lw_wait_patience_weeks=0.5)  # from now on, people lose patience fast
    for pt in waiting:
        pt.set_group_deadline()
    model.run_for(8)
    assert not group.waiting
    # their link worker is still supporting them: back with the link worker, looking again
    assert all(pt.state in (S.WITH_LINK_WORKER, S.AWAITING_GROUP) for pt in waiting)
    assert all(pt.link_worker is not None for pt in waiting if pt.state is S.WITH_LINK_WORKER)
    assert model.counters.exits["gave up waiting for a group"] == 0


def test_people_without_a_link_worker_leave_when_they_give_up_waiting_for_a_group():
    model = calm_model(support_weeks=3)  # support ends in week 4, while they wait
    group = add_group(model, places=1)
    patients = refer_many(model, 4)
    model.run_for(5)
    waiting = patients[1:]
    assert all(pt.state is S.AWAITING_GROUP and pt.link_worker is None for pt in waiting)
    model.update_parameters(lw_wait_patience_weeks=0.5)
    for pt in waiting:
        pt.set_group_deadline()
    model.run_for(10)
    assert not group.waiting
    for pt in waiting:
        assert pt.state is S.NO_ACTIVITY and pt.exit_reason == "gave up waiting for a group"
    assert model.counters.exits["gave up waiting for a group"] == 3
    assert patients[0].state in {S.ATTENDING, S.SUSTAINED} and patients[0] in group.members  # still there


def test_group_waiting_patience_is_drawn_with_the_mean():
    model = calm_model(lw_wait_patience_weeks=5.0, light_touch_uptake_penalty=0.0, lw_new_people_per_year=225.0)
    group = add_group(model, places=0)
    patients = refer_many(model, 300)
    model.run_for(3)  # one link worker with 52 places takes the first 52; all matched in week 3
    waiting = [pt for pt in patients if pt.state is S.AWAITING_GROUP]
    assert len(waiting) == 52 and len(group.waiting) == 52
    deadlines = [pt.gives_up_at - model.time for pt in waiting]
    assert 2.5 < sum(deadlines) / len(deadlines) < 8.0


def test_taking_someone_off_a_waiting_list_they_are_not_on_is_an_error_not_ignored():
    model = calm_model()
    group = add_group(model, places=1)
    first, second = refer_many(model, 2)
    model.run_for(3)
    assert first in group.members and second in group.waiting
    with pytest.raises(ValueError):
        group.remove_from_waiting_list(first)  # a member, not on the list: a bug in the caller
