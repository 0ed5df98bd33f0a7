"""Matching a person to a community group they want and can reach (Wildman 2019; Cooper 2024)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import SocialPrescribingModel
    from .patient import Patient
    from .vcse_group import VCSEGroup


def suitable_groups(patient: Patient, model: SocialPrescribingModel) -> list[tuple[int, float, VCSEGroup]]:
    """Open groups of an activity the person wants, within their reach and affordable to them,
    as (preference rank, distance, group)."""
    person = patient.person
    out = []
    for rank, activity in enumerate(patient.preferences):
        for group in model.groups_by_activity[activity]:
            if not group.is_open or (group.charges and patient.cannot_pay):
                continue
            d = group.distance_to(person.x, person.y)
            if d <= person.reach_km:
                out.append((rank, d, group))
    return out


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
