"""Matching a person to a community group they want and can reach (Wildman 2019; Cooper 2024)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from . import in_reach
from .activities import catalogue
from .states import Service

if TYPE_CHECKING:
    from .model import SocialPrescribingModel
    from .patient import Patient
    from .vcse_group import VCSEGroup


def _reach(patient: Patient, model: SocialPrescribingModel) -> float:
    return patient.person.reach_km * (model.p.advisor_reach_factor if patient.service is Service.MENTAL_HEALTH else 1)


def _still_nothing_in_reach(patient: Patient, model: SocialPrescribingModel) -> bool:
    """Whether the person, who found nothing suitable in reach when ``patient.nothing_in_reach`` was noted, still
    finds nothing: groups only close or open, so only the groups opened since can be in reach now (a
    quarter of an ICB's matches are such people's reviews, and their answer has not changed). The same test as
    ``GroupTable.nearest_first`` (the same distances, to the bit), on those few groups."""
    noted_for, opened_then = patient.nothing_in_reach
    if noted_for != _seeker(patient, model):
        return False  # a different reach (the parameters changed) or person: look again
    opened, wanted = model.community.opened, {activity for _, activity in _wanted(patient.preferences)}
    new = [g for g in opened[opened_then:]
           if g.is_open and g.activity_index in wanted and not (patient.cannot_pay and g.charges)]  # fmt: skip
    person = patient.person
    if new and in_reach.any_in_reach([g.x for g in new], [g.y for g in new], person.x, person.y, noted_for[1]):
        return False
    patient.nothing_in_reach = noted_for, len(opened)
    return True


def _seeker(patient: Patient, model: SocialPrescribingModel) -> tuple:
    """All that decides which groups are in reach of ``patient`` and suitable, besides the groups."""
    return patient.person, _reach(patient, model), patient.preferences, patient.cannot_pay


@cache
def _wanted(preferences: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    """(rank, activity) for each catalogue activity in ``preferences``, most wanted first (its rank: its first place
    in them, 0 the most wanted): once per list of preferences (there are a few hundred)."""
    rank_of: dict[int, int] = {}
    for rank, activity in enumerate(preferences):
        if 0 <= activity < len(catalogue()):
            rank_of.setdefault(activity, rank)
    return tuple((rank, activity) for activity, rank in rank_of.items())


def _by_activity(patient: Patient, model: SocialPrescribingModel) -> Iterator[tuple[int, list[int]]]:
    """For each activity the person wants, most wanted first: its rank and the rows of the group table of its
    groups within their reach and affordable to them, nearest first, then the older (the table's rows are in the
    order groups were made; some may have closed since it was made). Read lazily: a link worker stops at the first
    free place."""
    person, table = patient.person, model.community.table()
    reach = _reach(patient, model)
    block = table.block(person.x, person.y, reach)
    if block is None:
        return
    for rank, activity in _wanted(patient.preferences):
        rows = table.nearest_first(activity, block, person.x, person.y, reach, patient.cannot_pay)
        if rows:
            yield rank, rows


def suitable_groups(patient: Patient, model: SocialPrescribingModel) -> list[tuple[int, float, VCSEGroup]]:
    """Open groups of an activity the person wants, within their reach and affordable to them, as
    (preference rank, distance, group), most wanted activity first, then nearest."""
    table, person, found = model.community.table(), patient.person, []
    for rank, rows in _by_activity(patient, model):
        distance = np.hypot(table.x[rows] - person.x, table.y[rows] - person.y)  # as the table measures
        found += [(rank, d, table.groups[row]) for d, row in zip(distance.tolist(), rows, strict=True)]
    return [entry for entry in found if entry[2].is_open]


def choose_group(patient: Patient, model: SocialPrescribingModel) -> VCSEGroup | None:
    """The group a link worker would suggest.

    A free place in any wanted activity beats a waiting list; among free places the more wanted
    activity wins, then the nearer group. With no free place anywhere, the person joins the shortest
    waiting list (more wanted, then nearer, on ties). None when nothing suitable is in reach: the
    shortage of accessible provision that Wildman 2019 and Bu 2024 report.
    """
    if patient.nothing_in_reach is not None and _still_nothing_in_reach(patient, model):
        return None
    groups, full = model.community.table().groups, []
    for rank, rows in _by_activity(patient, model):
        for nearness, row in enumerate(rows):
            group = groups[row]
            if not group.is_open:
                continue  # closed since the table was made (it is rebuilt when a group opens)
            if group.free_places > 0:  # the nearest free place of the most wanted activity
                return group
            full.append((len(group.waiting), rank, nearness, group))
    if not full:
        patient.nothing_in_reach = _seeker(patient, model), len(model.community.opened)
        return None
    # every one full: the shortest list (the more wanted, the nearer, the older on ties: ``nearness`` orders both)
    return min(full, key=lambda entry: entry[:3])[3]
