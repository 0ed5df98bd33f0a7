"""A group's waiting list and held places (model/group_waiting.py): the groups' week looks only at groups where
someone waiting may give up or a held place ends, by when each group next needs a look (the ledger's ``DUE``
columns), so those must never be later than the earliest deadline of anyone waiting or the end of a held place."""

from __future__ import annotations

import math

from spsim.model import PathwayState, SocialPrescribingModel
from tests import builders

S = PathwayState

CALM = builders.calm(link_workers_per_100k=20.0, uptake_prob=1.0, volunteer_prob=0.0, support_weeks=400)


def next_look(group) -> tuple[float, float]:
    columns = group.model.community.ledger.columns
    return float(columns["gives_up_from"][group.slot]), float(columns["frees_held_from"][group.slot])


def looks_in_time(model: SocialPrescribingModel) -> list[str]:
    """After a week: groups with someone waiting whose patience ran out by then, groups whose next look comes after
    someone on their waiting list may give up, or whose earliest held place ends at another week than the ledger
    says."""
    late = []
    for group in model.community.groups():
        if any(patient.gives_up_at <= model.week for patient in group.waiting):
            late.append(f"group {group.unique_id}: someone whose patience ran out by week {model.week} still waits")
        gives_up_from, frees_held_from = next_look(group)
        if group.waiting and gives_up_from > min(patient.gives_up_at for patient in group.waiting):
            late.append(f"group {group.unique_id}: looked at from {gives_up_from}, someone gives up before")
        if frees_held_from != min(group.held_until, default=math.inf):
            late.append(f"group {group.unique_id}: held places end from {frees_held_from}, not {group.held_until}")
    return late


def test_a_group_is_looked_at_once_someone_joins_and_then_at_the_first_deadline():
    model = builders.calm_model(CALM)
    group = builders.add_group(model, places=1)
    assert next_look(group) == (math.inf, math.inf)  # nobody waits, no place is held
    first, *waiting = builders.refer_people(model, range(3))
    model.run_for(3)  # they joined at the end of week 3, after its groups' week: the list is still to be read
    assert first.state is S.ATTENDING and list(group.waiting) == waiting and next_look(group)[0] == 0.0
    model.step()
    assert next_look(group)[0] == min(patient.gives_up_at for patient in waiting)  # read: the first deadline


def test_a_held_place_is_looked_at_in_the_week_it_ends():
    model = builders.calm_model(CALM)
    group = builders.add_group(model, places=3)
    group.hold_place(model.week + 2)
    group.hold_place(model.week + 4)
    assert next_look(group)[1] == model.week + 2
    model.run_for(3)
    assert group.held_until == [4] and next_look(group)[1] == 4


def test_no_group_is_left_unlooked_at_in_a_busy_run():
    """Few groups, so waiting lists are long, with closures and held places: after every week, each open group's
    next look comes no later than anything it has to do."""
    model = SocialPrescribingModel(rng=3, population=30_000, groups_per_100k=20.0, group_margin_mean=-0.05)
    held = waited = 0
    for _ in range(80):
        model.step()
        assert not looks_in_time(model)
        held += sum(bool(group.held_until) for group in model.community.groups())
        waited += sum(len(group.waiting) for group in model.community.groups())
    assert held and waited and model.community.groups_closed  # the run had each thing the week looks at
