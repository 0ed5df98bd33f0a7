"""Matching a person to a community group they want and can reach (Wildman 2019; Cooper 2024)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .states import Service

if TYPE_CHECKING:
    from .model import SocialPrescribingModel
    from .patient import Patient
    from .vcse_group import VCSEGroup

NOT_WANTED = np.iinfo(np.int64).max


def _in_reach(patient: Patient, model: SocialPrescribingModel) -> tuple[list[VCSEGroup], np.ndarray, np.ndarray]:
    """Open groups of an activity the person wants, within their reach and affordable to them, most wanted
    activity first, then nearest (ties: the older group), with their preference ranks and distances. One
    array pass over every open group (a whole ICB has about a thousand and tens of thousands of matches a year)."""
    person = patient.person
    table = model.community.table()
    if not table.groups:
        return [], np.empty(0, dtype=np.int64), np.empty(0)
    rank_of = np.full(int(table.activity.max()) + 1, NOT_WANTED, dtype=np.int64)
    wanted = [a for a in patient.preferences if a < len(rank_of)]
    rank_of[wanted] = [patient.preferences.index(a) for a in wanted]
    rank = rank_of[table.activity]
    distance = np.hypot(table.x - person.x, table.y - person.y)
    reach = person.reach_km * (model.p.advisor_reach_factor if patient.service is Service.MENTAL_HEALTH else 1)
    ok = (rank != NOT_WANTED) & (distance <= reach)
    if patient.cannot_pay:
        ok &= ~table.charges
    index = np.flatnonzero(ok)
    if len(index) > 1:
        index = index[np.lexsort((table.unique_id[index], distance[index], rank[index]))]
    groups = table.groups
    return [groups[i] for i in index.tolist()], rank[index], distance[index]


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
