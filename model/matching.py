"""Matching a person to a community group they want and can reach (Wildman 2019; Cooper 2024)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from .activities import catalogue
from .states import Service

if TYPE_CHECKING:
    from .group_table import GroupTable
    from .model import SocialPrescribingModel
    from .patient import Patient
    from .vcse_group import VCSEGroup

NOT_WANTED = np.iinfo(np.int64).max


def _in_reach(patient: Patient, model: SocialPrescribingModel) -> tuple[GroupTable, np.ndarray, np.ndarray, np.ndarray]:
    """Open groups of an activity the person wants, within their reach and affordable to them, as rows of the
    group table (in no particular order), with their preference ranks and distances. Only the groups of wanted
    activities in the cells around the person are read (``GroupTable.near``)."""
    person = patient.person
    table = model.community.table()
    reach = _reach(patient, model)
    activities, rank_of = _wanted(patient.preferences)
    index = table.near(person.x, person.y, reach, activities)
    if not len(index):
        return table, index, index, np.empty(0)
    distance = np.hypot(table.x[index] - person.x, table.y[index] - person.y)
    ok = distance <= reach
    if patient.cannot_pay:
        ok &= table.free_to_attend[index]
    index, distance = index[ok], distance[ok]
    return table, index, rank_of[table.activity[index]], distance


def _reach(patient: Patient, model: SocialPrescribingModel) -> float:
    return patient.person.reach_km * (model.p.advisor_reach_factor if patient.service is Service.MENTAL_HEALTH else 1)


def _still_nothing_in_reach(patient: Patient, model: SocialPrescribingModel) -> bool:
    """Whether the person, who found nothing suitable in reach when ``patient.nothing_in_reach`` was noted, still
    finds nothing: groups only close or open, so only the groups opened since can be in reach now (a
    quarter of an ICB's matches are such people's reviews, and their answer has not changed). The same test as
    ``_in_reach`` (the same distances, to the bit), on those few groups."""
    noted_for, opened_then = patient.nothing_in_reach
    if noted_for != _seeker(patient, model):
        return False  # a different reach (the parameters changed) or person: look again
    opened, wanted = model.community.opened, _wanted(patient.preferences)[0]
    new = [g for g in opened[opened_then:]
           if g.is_open and g.activity_index in wanted and not (patient.cannot_pay and g.charges)]  # fmt: skip
    if new:
        person = patient.person
        x, y = np.array([g.x for g in new], dtype=float), np.array([g.y for g in new], dtype=float)
        if (np.hypot(x - person.x, y - person.y) <= noted_for[1]).any():  # as GroupTable's columns
            return False
    patient.nothing_in_reach = noted_for, len(opened)
    return True


def _seeker(patient: Patient, model: SocialPrescribingModel) -> tuple:
    """All that decides which groups are in reach of ``patient`` and suitable, besides the groups."""
    return patient.person, _reach(patient, model), patient.preferences, patient.cannot_pay


def _in_order(index: np.ndarray, rank: np.ndarray, distance: np.ndarray) -> np.ndarray:
    """The order a link worker reads groups in: most wanted activity first, then nearest, then the older group
    (the table's rows are in the order groups were made, so a row's number stands for its age)."""
    return np.lexsort((index, distance, rank)) if len(index) > 1 else np.arange(len(index))


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
    table, index, rank, distance = _in_reach(patient, model)
    order = _in_order(index, rank, distance)
    groups = [table.groups[i] for i in index[order].tolist()]
    return list(zip(rank[order].tolist(), distance[order].tolist(), groups, strict=True))


def choose_group(patient: Patient, model: SocialPrescribingModel) -> VCSEGroup | None:
    """The group a link worker would suggest.

    A free place in any wanted activity beats a waiting list; among free places the more wanted
    activity wins, then the nearer group. With no free place anywhere, the person joins the shortest
    waiting list (more wanted, then nearer, on ties). None when nothing suitable is in reach: the
    shortage of accessible provision that Wildman 2019 and Bu 2024 report.
    """
    if patient.nothing_in_reach is not None and _still_nothing_in_reach(patient, model):
        return None
    table, index, rank, distance = _in_reach(patient, model)
    if not len(index):
        patient.nothing_in_reach = _seeker(patient, model), len(model.community.opened)
        return None
    groups = table.groups
    for i in index[_in_order(index, rank, distance)].tolist():
        if groups[i].free_places > 0:  # the nearest free place of the most wanted activity
            return groups[i]
    # every one full: the shortest list (the more wanted, the nearer, the older on ties: rows are in age order)
    full = [(len(groups[i].waiting), r, d, i) for i, r, d in zip(index.tolist(), rank.tolist(), distance.tolist(),
                                                                 strict=True)]  # fmt: skip
    return groups[min(full)[3]]
