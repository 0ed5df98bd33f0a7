"""Peer support and volunteering: sustained attendees become volunteers, add places and keep newcomers."""

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

CALM = builders.calm(**builders.NOBODY_WAITS, uptake_prob=1.0, support_weeks=40, cost_per_attendee_week_gbp=0.0,
                     move_on_weeks_mean=1000.0, attend_prob=1.0, sustained_weeks=3, belonging_protection=0.0,
                     return_prob_supported=1.0)


def calm_model(seed: int = 1, **overrides) -> SocialPrescribingModel:
    return builders.calm_model(CALM, seed, **overrides)


def add_group(model, activity: int = 0, x: float = 0.0, places: int = 2) -> VCSEGroup:
    return builders.add_group(model, activity, x=x, places=places)


def refer_many(model, indices, activity: int = 0, x: float = 0.0) -> list[Patient]:
    return builders.refer_people(model, indices, activity, x=x, reach_km=0.2)


def test_sustained_people_volunteer_and_add_places():
    model = calm_model(volunteer_prob=1.0, places_per_volunteer=1.0)
    group = add_group(model, places=2)
    patients = refer_many(model, range(5))
    model.run_for(3)
    members, waiting = patients[:2], patients[2:]
    assert list(group.waiting) == waiting
    model.run_for(3)  # three sessions: sustained, and with volunteer_prob 1 a volunteer
    for pt in members:
        assert pt.state is S.VOLUNTEERING and pt.volunteer and pt.sustained
        assert pt in group.volunteers
    assert model.counters.volunteered == 2 and model.counters.sustained == 2
    assert group.places == 2 + 2
    # the two new places went to the first two on the waiting list
    assert [pt.state for pt in waiting] == [S.ATTENDING, S.ATTENDING, S.AWAITING_GROUP]
    assert list(group.waiting) == waiting[2:]
    assert len(group.members) == group.places == 4


@pytest.mark.parametrize(("per_volunteer", "extra"), [(0.5, 1), (2.0, 4), (0.0, 0)])
def test_places_added_per_volunteer(per_volunteer, extra):
    model = calm_model(volunteer_prob=1.0, places_per_volunteer=per_volunteer)
    group = add_group(model, places=2)
    refer_many(model, range(2))
    model.run_for(6)
    assert len(group.volunteers) == 2
    assert group.places == 2 + extra


def test_no_volunteers_without_volunteer_prob():
    model = calm_model(volunteer_prob=0.0)
    group = add_group(model, places=2)
    patients = refer_many(model, range(2))
    model.run_for(6)
    assert all(pt.state is S.SUSTAINED and not pt.volunteer for pt in patients)
    assert group.places == 2 and not group.volunteers


def test_a_leaving_volunteer_takes_their_places_with_them():
    model = calm_model(volunteer_prob=1.0, places_per_volunteer=1.0)
    group = add_group(model, places=1)
    volunteer, newcomer = refer_many(model, range(2))
    model.run_for(6)
    assert volunteer.state is S.VOLUNTEERING and newcomer.state is S.ATTENDING
    assert group.places == 2
    volunteer.begin_setback(SetbackKind.HEALTH)
    assert group.places == 1 and not group.volunteers
    assert newcomer.state is S.ATTENDING  # one place left, one member: nobody bumped
    # back from the setback the volunteer waits for a place; the volunteer role resumes with it
    volunteer.end_setback()
    assert volunteer.state is S.AWAITING_GROUP and list(group.waiting) == [volunteer]


def test_places_shrinking_bumps_the_newest_member_back_to_the_waiting_list():
    model = calm_model(volunteer_prob=1.0, places_per_volunteer=2.0, sustained_weeks=2)
    group = add_group(model, places=1)
    volunteer, *rest = refer_many(model, range(3))
    model.run_for(5)  # the first volunteers after 2 sessions, adding 2 places
    assert volunteer.state is S.VOLUNTEERING
    model.update_parameters(volunteer_prob=0.0)
    assert group.places == 3 and len(group.members) == 3
    newest = list(group.members)[-1]
    volunteer.move_on()
    assert group.places == 1
    assert list(group.members)[0] is not newest
    assert newest.state is S.AWAITING_GROUP and group.waiting[0] is newest
    assert len(group.members) == 1


def _newcomers_after_one_week(peer_effect: float, with_volunteer: bool) -> list[Patient]:
    model = calm_model(volunteer_prob=1.0, sustained_weeks=1, peer_retention_effect=peer_effect)
    group = add_group(model, places=100)
    if with_volunteer:
        (volunteer,) = refer_many(model, [0])
        model.run_for(4)  # joined in week 3, one session: a volunteer
        assert volunteer.state is S.VOLUNTEERING and group.volunteers
    # from now on every newcomer who is not protected stops attending in their first week
    model.update_parameters(volunteer_prob=0.0, dropout_hazard=1.0, sustained_weeks=50)
    newcomers = refer_many(model, range(1, 101))
    model.run_for(3)
    assert all(pt.state is S.ATTENDING for pt in newcomers)
    model.step()
    return newcomers


def test_a_volunteer_in_the_group_lowers_newcomers_drop_out():
    without = _newcomers_after_one_week(1.0, with_volunteer=False)
    assert all(pt.state is S.DROPPED_OUT for pt in without)
    protected = _newcomers_after_one_week(1.0, with_volunteer=True)
    assert all(pt.state is S.ATTENDING for pt in protected)
    halved = _newcomers_after_one_week(0.5, with_volunteer=True)
    share_out = sum(pt.state is S.DROPPED_OUT for pt in halved) / len(halved)
    assert share_out == pytest.approx(0.5, abs=0.15)


def _volunteer_share(peer_programme: bool, seed: int = 3) -> float:
    model = calm_model(seed=seed, volunteer_prob=0.1, peer_programme=peer_programme, peer_programme_multiplier=2.5)
    add_group(model, places=1_000)
    patients = refer_many(model, range(600))
    model.run_for(3 + 3)
    assert all(pt.sustained for pt in patients)
    return sum(pt.volunteer for pt in patients) / len(patients)


def test_peer_programme_raises_the_volunteering_rate():
    plain = _volunteer_share(False)
    programme = _volunteer_share(True)
    assert plain == pytest.approx(0.1, abs=0.035)
    assert programme == pytest.approx(0.25, abs=0.05)
    assert programme > plain + 0.08


def test_volunteering_chance_is_capped_at_one():
    model = calm_model(volunteer_prob=0.5, peer_programme=True, peer_programme_multiplier=3.0)
    add_group(model, places=100)
    patients = refer_many(model, range(30))
    model.run_for(6)
    assert all(pt.volunteer for pt in patients)


def test_volunteers_stay_longer():
    stays = {}
    for prob in (0.0, 1.0):
        model = calm_model(seed=5, volunteer_prob=prob, move_on_weeks_mean=5.0, volunteer_move_on_factor=4.0)
        add_group(model, places=1_000)
        patients = refer_many(model, range(200))
        model.run_for(3 + 3 + 10)
        stays[prob] = sum(pt.state is S.MOVED_ON for pt in patients) / len(patients)
    # ten weeks after sustaining: 1 - exp(-10/5) have moved on, but only 1 - exp(-10/20) of volunteers
    assert stays[0.0] == pytest.approx(0.86, abs=0.08)
    assert stays[1.0] == pytest.approx(0.39, abs=0.1)
