"""Matching a person to a community group they want and can reach (Wildman 2019; Cooper 2024)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from .activities import catalogue
from .states import Service

if TYPE_CHECKING:
    from .model import SocialPrescribingModel
    from .patient import Patient
    from .vcse_group import VCSEGroup

NOT_WANTED = np.iinfo(np.int64).max


def _in_reach(patient: Patient, model: SocialPrescribingModel) -> tuple[list[VCSEGroup], np.ndarray, np.ndarray]:
    """Open groups of an activity the person wants, within their reach and affordable to them, most wanted
    activity first, then nearest (ties: the older group), with their preference ranks and distances. Only the
    groups of wanted activities in the cells around the person are read (``GroupTable.near``), in any order: the
    sort decides."""
    person = patient.person
    table = model.community.table()
    reach = person.reach_km * (model.p.advisor_reach_factor if patient.service is Service.MENTAL_HEALTH else 1)
    activities, rank_of = _wanted(patient.preferences)
    index = table.near(person.x, person.y, reach, activities)
    if not len(index):
        return [], np.empty(0, dtype=np.int64), np.empty(0)
    distance = np.hypot(table.x[index] - person.x, table.y[index] - person.y)
    ok = distance <= reach
    if patient.cannot_pay:
        ok &= ~table.charges[index]
    index, distance = index[ok], distance[ok]
    rank = rank_of[table.activity[index]]
    if len(index) > 1:
        order = np.lexsort((table.unique_id[index], distance, rank))
        index, distance, rank = index[order], distance[order], rank[order]
    groups = table.groups
    return [groups[i] for i in index.tolist()], rank, distance


@cache
def _wanted(preferences: tuple[int, ...]) -> tuple[tuple[int, ...], np.ndarray]:
    """The catalogue activities in ``preferences`` (each once), and each activity's place in them (0: most wanted;
    NOT_WANTED if absent): once per list of preferences (there are a few hundred)."""
    rank_of = np.full(len(catalogue()), NOT_WANTED, dtype=np.int64)
    for rank, activity in enumerate(preferences):
        if 0 <= activity < len(rank_of) and rank_of[activity] == NOT_WANTED:
            rank_of[activity] = rank
    rank_of.flags.writeable = False  # shared by every match with these preferences
    return tuple(np.flatnonzero(rank_of != NOT_WANTED).tolist()), rank_of


def suitable_groups(patient: Patient, model: SocialPrescribingModel) -> list[tuple[int, float, VCSEGroup]]:
    """Open groups of an activity the person wants, within their reach and affordable to them, as
    (preference rank, distance, group), most wanted activity first, then nearest."""
    groups, rank, distance = _in_reach(patient, model)
    return list(zip(rank.tolist(), distance.tolist(), groups, strict=True))


def choose_group(patient: Patient, model: SocialPrescribingModel) -> VCSEGroup | None:
    """The group a link worker would suggest.

    A free place in any wanted activity beats a waiting list; among free places the more wanted
    activity wins, then the nearer group. With no free place anywhere, the person joins the shortest
    waiting list (more wanted, then nearer, on ties). None when nothing suitable is in reach: the
    shortage of accessible provision that Wildman 2019 and Bu 2024 report.
    """
    groups, rank, distance = _in_reach(patient, model)
    for group in groups:
        if group.free_places > 0:  # the nearest free place of the most wanted activity
            return group
    if not groups:
        return None
    full = [(len(g.waiting), r, d, g.unique_id, g) for g, r, d in zip(groups, rank.tolist(), distance.tolist(),
                                                                     strict=True)]  # fmt: skip
    return min(full)[4]
