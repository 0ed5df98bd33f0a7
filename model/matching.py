"""Matching a person to a community group they want and can reach (Wildman 2019; Cooper 2024)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .model import SocialPrescribingModel
    from .patient import Patient
    from .vcse_group import VCSEGroup


def suitable_groups(patient: Patient, model: SocialPrescribingModel) -> list[tuple[int, float, VCSEGroup]]:
    """Open groups of an activity the person wants, within their reach and affordable to them,
    as (preference rank, distance, group). Distances to every group are computed at once (NumPy):
    a whole ICB has about a thousand groups and tens of thousands of matches a year."""
    person = patient.person
    table = model.community.table()
    if not table.groups:
        return []
    distance = np.hypot(table.x - person.x, table.y - person.y)
    ok = distance <= person.reach_km
    ok &= np.isin(table.activity, patient.preferences)
    if patient.cannot_pay:
        ok &= ~table.charges
    rank = {activity: r for r, activity in enumerate(patient.preferences)}
    return [
        (rank[int(table.activity[i])], float(distance[i]), table.groups[i]) for i in np.flatnonzero(ok).tolist()
    ]


def choose_group(patient: Patient, model: SocialPrescribingModel) -> VCSEGroup | None:
    """The group a link worker would suggest.

    A free place in any wanted activity beats a waiting list; among free places the more wanted
    activity wins, then the nearer group. With no free place anywhere, the person joins the shortest
    waiting list (more wanted, then nearer, on ties). None when nothing suitable is in reach: the
    shortage of accessible provision that Wildman 2019 and Bu 2024 report.
    """
    options = suitable_groups(patient, model)
    if not options:
        return None
    free = [o for o in options if o[2].free_places > 0]
    if free:
        return min(free, key=lambda o: (o[0], o[1], o[2].unique_id))[2]
    return min(options, key=lambda o: (len(o[2].waiting), o[0], o[1], o[2].unique_id))[2]
