"""Matching a person to a community group they want and can reach (Wildman 2019; Cooper 2024)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .states import Service

if TYPE_CHECKING:
    from .model import SocialPrescribingModel
    from .patient import Patient
    from .vcse_group import VCSEGroup


def _in_reach(patient: Patient, model: SocialPrescribingModel, activity: int) -> tuple[list[VCSEGroup], np.ndarray]:
    """Open groups of one activity within the person's reach and affordable to them, nearest first (ties:
    the older group), with their distances. Distances to every group of the activity are computed at once
    (NumPy): a whole ICB has about a thousand groups and tens of thousands of matches a year."""
    person = patient.person
    table = model.community.table(activity)
    if not table.groups:
        return [], np.empty(0)
    distance = np.hypot(table.x - person.x, table.y - person.y)
    reach = person.reach_km * (patient.model.p.advisor_reach_factor if patient.service is Service.MENTAL_HEALTH else 1)
    ok = distance <= reach
    if patient.cannot_pay:
        ok &= ~table.charges
    index = np.flatnonzero(ok)
    if len(index) > 1:
        index = index[np.lexsort((table.unique_id[index], distance[index]))]  # by distance, then by age
    groups = table.groups
    return [groups[i] for i in index.tolist()], distance[index]


def suitable_groups(patient: Patient, model: SocialPrescribingModel) -> list[tuple[int, float, VCSEGroup]]:
    """Open groups of an activity the person wants, within their reach and affordable to them, as
    (preference rank, distance, group), most wanted activity first, then nearest."""
    out = []
    for rank, activity in enumerate(patient.preferences):
        groups, distance = _in_reach(patient, model, activity)
        out += [(rank, float(d), g) for g, d in zip(groups, distance.tolist(), strict=True)]
    return out


def choose_group(patient: Patient, model: SocialPrescribingModel) -> VCSEGroup | None:
    """The group a link worker would suggest.

    A free place in any wanted activity beats a waiting list; among free places the more wanted
    activity wins, then the nearer group. With no free place anywhere, the person joins the shortest
    waiting list (more wanted, then nearer, on ties). None when nothing suitable is in reach: the
    shortage of accessible provision that Wildman 2019 and Bu 2024 report.
    """
    full: list[tuple[int, int, float, int, VCSEGroup]] = []
    for rank, activity in enumerate(patient.preferences):
        groups, distance = _in_reach(patient, model, activity)
        for group, d in zip(groups, distance.tolist(), strict=True):
            if group.free_places > 0:  # the nearest free place of the most wanted activity
                return group
            full.append((len(group.waiting), rank, d, group.unique_id, group))
    return min(full)[4] if full else None
