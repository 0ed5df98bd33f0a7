"""Matching a person to a community group they want and can reach (Wildman 2019; Cooper 2024)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from itertools import chain, pairwise, repeat
from operator import attrgetter, is_
from typing import TYPE_CHECKING

import numpy as np

from . import in_reach
from .activities import catalogue
from .states import Service

# Fewer seekers than this at once are measured one by one as they look (the same answer): a batch costs about 70 us
# (some thirty NumPy calls) and then about 5 us a person; one person alone 10-60 us, reading an activity at a time.
MEASURED_AT_ONCE = 4
# Up to this many seekers at once, each reads their rows from the first as alone (a place of 150,000 adults has about
# 30 a week): the groups with a place free are not worked out for them (a few tens of NumPy calls, about 3 us each)
FEW_SEEKERS = 64

if TYPE_CHECKING:
    from .group_table import GroupTable
    from .model import SocialPrescribingModel
    from .patient import Patient
    from .vcse_group import VCSEGroup

    # the rows of a person's groups in reach, the more wanted activity first, then nearest (``_by_activity``'s, one
    # after another), with the table they index: the first row whose group had a place free when they were measured
    # (-1: none), then all of them, ``rows[start:end]`` of an array (rows, start, end), made a list only if read (or
    # of a list, for a few seekers)
    Found = tuple[GroupTable, int, np.ndarray | list[int], int, int]


def _reach(patient: Patient, model: SocialPrescribingModel) -> float:
    return patient.person.reach_km * (model.p.advisor_reach_factor if patient.service is Service.MENTAL_HEALTH else 1)


def _still_nothing_in_reach(patient: Patient, model: SocialPrescribingModel) -> bool:
    """Whether the person, who found nothing suitable in reach when ``patient.nothing_in_reach`` was noted, still
    finds nothing: groups only close or open, so only the groups opened since can be in reach now (a
    quarter of an ICB's matches are such people's reviews, and their answer has not changed). The same test as
    ``GroupTable.nearest_first`` (the same distances, to the bit), on those few groups."""
    noted_for, opened_then = patient.nothing_in_reach
    if noted_for != seeker(patient, model):
        return False  # a different reach (the parameters changed) or person: look again
    opened, wanted = model.community.opened, wanted_activities(patient.preferences)
    new = [g for g in opened[opened_then:]
           if g.is_open and g.activity_index in wanted and not (patient.cannot_pay and g.charges)]  # fmt: skip
    person = patient.person
    if new and in_reach.any_in_reach([g.x for g in new], [g.y for g in new], person.x, person.y, noted_for[1]):
        return False
    patient.nothing_in_reach = noted_for, len(opened)
    return True


def seeker(patient: Patient, model: SocialPrescribingModel) -> tuple:
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


@cache
def wanted_activities(preferences: tuple[int, ...]) -> tuple[int, ...]:
    """``_wanted``'s activities alone."""
    return tuple(activity for _, activity in _wanted(preferences))


_SEEKER = attrgetter("person", "preferences", "cannot_pay", "service")  # a patient's, for ``by_activity_many``
# a person's x, y and reach, each read into its own array (``np.fromiter`` of 3-tuples into a (float, 3) dtype costs
# about three times as much: at an ICB, 58 against 23 us a week's batch)
_WHERE = attrgetter("x"), attrgetter("y"), attrgetter("reach_km")


def groups_in_reach_of(patients: list[Patient], model: SocialPrescribingModel) -> dict[Patient, Found]:
    """``by_activity_many`` for those of ``patients`` who did not find nothing in reach before (for them
    ``_still_nothing_in_reach`` reads only the groups opened since), if they are enough to be worth it (else
    none: each is measured when they look)."""
    seekers = [patient for patient in patients if patient.nothing_in_reach is None]
    if len(seekers) < MEASURED_AT_ONCE:
        return {}
    return dict(zip(seekers, by_activity_many(seekers, model), strict=True))


def by_activity_many(patients: list[Patient], model: SocialPrescribingModel) -> list[Found]:
    """``_by_activity``'s answer for each of ``patients`` at once, in full (the same rows, in the same order), with
    the table it was read from: who is in reach depends only on the table, not on who took which place, so a week's
    seekers (or a closing group's people) are measured in one pass (``GroupTable.nearest_first_many``) and then
    take places one by one in their order (``choose_group``). Each one's rows are where they are in one array, with
    the first whose group has a place free now (``_in_parts``)."""
    if not patients:
        return []
    table = model.community.table()
    if table.reads_every_group:
        return _by_seeker(patients, model, table)
    people, preferences, cannot_pay, services = zip(*map(_SEEKER, patients))
    wanted = list(map(wanted_activities, preferences))
    counts = np.fromiter(map(len, wanted), dtype=np.int64, count=len(patients))
    owner = np.repeat(np.arange(len(patients)), counts)  # one entry per person and activity they want
    activity = np.fromiter(chain.from_iterable(wanted), dtype=np.int64, count=len(owner))
    x, y, reach = (np.fromiter(map(trait, people), dtype=float, count=len(patients)) for trait in _WHERE)
    advisor = np.fromiter(map(is_, services, repeat(Service.MENTAL_HEALTH)), dtype=bool, count=len(patients))
    reach = reach * np.where(advisor, model.p.advisor_reach_factor, 1.0)  # ``_reach``'s product, to the bit
    cannot_pay = np.fromiter(cannot_pay, dtype=bool, count=len(patients))
    entry, rows = table.nearest_first_many(x[owner], y[owner], reach[owner], cannot_pay[owner], activity)
    # a person's entries are one after another, most wanted first: their rows in order are one slice
    return _in_parts(table, rows, owner.take(entry), len(patients), model)


def _in_parts(table: GroupTable, rows: np.ndarray, seeker: np.ndarray, seekers: int, model: SocialPrescribingModel
              ) -> list[Found]:  # fmt: skip
    """Each seeker's rows (``rows``, seeker by seeker, whose they are in ``seeker``) as where they are in ``rows``,
    and the first of them whose group has a place free now (``Community.place_free``; -1: none, or not looked for): a
    week's seekers take places, none are given back, until the last has chosen, so the groups before it will have
    none at their turn and that group is their choice if it still has one (``choose_group``); only if it was taken do
    they read their rows again (most of an ICB's 30 rows a seeker are never made Python ints). Up to
    ``FEW_SEEKERS`` at once, it is not looked for: they read their rows (as alone)."""
    bounds = np.searchsorted(seeker, np.arange(seekers + 1))
    if seekers <= FEW_SEEKERS:  # (their rows as one list: each one's read as a slice of it)
        listed, edges = rows.tolist(), bounds.tolist()
        return [(table, -1, listed, start, end) for start, end in pairwise(edges)]
    starts, ends = bounds[:-1], bounds[1:]
    first = [-1] * seekers
    if len(free_at := model.community.place_free().take(rows).nonzero()[0]):  # (past the last, the last: before)
        at = free_at.take(np.searchsorted(free_at, starts), mode="clip")
        first = np.where((at >= starts) & (at < ends), rows.take(at), -1).tolist()
    return [(table, row, rows, start, end) for row, start, end in zip(first, starts.tolist(), ends.tolist(),
                                                                        strict=True)]  # fmt: skip


@cache
def ranks_by_kind(wanted: tuple[int, ...], cannot_pay: bool) -> np.ndarray:
    """A group's place among the activities ``wanted`` (0 the most wanted) by its kind (``GroupTable.kind``: its
    activity, plus the catalogue's length if it charges a fee), -1 for an activity not wanted or a fee someone who
    ``cannot_pay`` cannot pay: once per list (a few hundred), whatever the table."""
    activities = len(catalogue())
    rank = np.full(2 * activities, -1, dtype=np.int64)
    for place, activity in enumerate(wanted):
        rank[activity] = place
        if not cannot_pay:
            rank[activity + activities] = place
    rank.flags.writeable = False  # (shared by every seeker with the list)
    return rank


def _by_seeker(patients: list[Patient], model: SocialPrescribingModel, table: GroupTable) -> list[Found]:
    """``by_activity_many`` on a grid of a few cells: every group measured against each person
    (``GroupTable.nearest_first_by_seeker``), the groups ranked by the activities they want (``ranks_by_kind``)."""
    factor, advisor = model.p.advisor_reach_factor, Service.MENTAL_HEALTH
    x, y, reach, ranks = [], [], [], []
    for patient in patients:
        person = patient.person
        x.append(person.x)
        y.append(person.y)
        reach.append(person.reach_km * factor if patient.service is advisor else person.reach_km)  # ``_reach``'s
        ranks.append(ranks_by_kind(wanted_activities(patient.preferences), patient.cannot_pay))
    seeker, rows = table.nearest_first_by_seeker(x, y, reach, ranks)
    return _in_parts(table, rows, seeker, len(patients), model)


def suitable_groups(patient: Patient, model: SocialPrescribingModel) -> list[tuple[int, float, VCSEGroup]]:
    """Open groups of an activity the person wants, within their reach and affordable to them, as
    (preference rank, distance, group), most wanted activity first, then nearest."""
    table, person, found = model.community.table(), patient.person, []
    for rank, rows in _by_activity(patient, model):
        distance = np.hypot(table.x[rows] - person.x, table.y[rows] - person.y)  # as the table measures
        found += [(rank, d, table.groups[row]) for d, row in zip(distance.tolist(), rows, strict=True)]
    return [entry for entry in found if entry[2].is_open]


def choose_group(patient: Patient, model: SocialPrescribingModel, found: Found | None = None) -> VCSEGroup | None:
    """The group a link worker would suggest.

    A free place in any wanted activity beats a waiting list; among free places the more wanted
    activity wins, then the nearer group. With no free place anywhere, the person joins the shortest
    waiting list (more wanted, then nearer, on ties). None when nothing suitable is in reach: the
    shortage of accessible provision that Wildman 2019 and Bu 2024 report. ``found``: ``by_activity_many``'s
    answer for them, if made (used while the table is the same; no place has been given back since, as none is
    while a week's people take theirs).
    """
    if patient.nothing_in_reach is not None and _still_nothing_in_reach(patient, model):
        return None
    table = model.community.table()
    if found is not None and found[0] is table:
        _, first, rows, start, end = found
        # the groups before the first with a place free when they were measured have none (places were only taken
        # since): if it still has one, it is their choice; else (or none was free) they read them all, as alone
        if first >= 0 and (group := table.groups[first]).is_open and group.free_places > 0:
            return group
        rows = rows[start:end]
        free, shortest, waiting = _read(table.groups, rows if type(rows) is list else rows.tolist(), None, 0)
    else:  # read lazily, an activity at a time: a link worker stops at the first free place
        rows = chain.from_iterable(of_activity for _, of_activity in _by_activity(patient, model))
        free, shortest, waiting = _read(table.groups, rows, None, 0)
    if free is not None:
        return free
    if shortest is None:
        patient.nothing_in_reach = seeker(patient, model), len(model.community.opened)
    return shortest


def _read(groups: list[VCSEGroup], rows: Iterable[int], shortest: VCSEGroup | None,
          waiting: int) -> tuple[VCSEGroup | None, VCSEGroup | None, int]:  # fmt: skip
    """``choose_group``'s reading of the groups of ``rows`` (the more wanted activity first, then the nearer, then
    the older), after rows whose shortest waiting list so far was ``shortest``'s, ``waiting`` long: the first open
    group with a free place (None: none), and the shortest waiting list then and its length."""
    for row in rows:
        group = groups[row]
        if not group.is_open:
            continue  # closed since the table was made (it is rebuilt when a group opens)
        if group.free_places > 0:  # the nearest free place of the most wanted activity
            return group, shortest, waiting
        if shortest is None or len(group.waiting) < waiting:  # every one full so far: the first shortest list
            shortest, waiting = group, len(group.waiting)
    return None, shortest, waiting
