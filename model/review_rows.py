"""Reviews over rows (DESIGN.md 15): a week's reviews, with only those whose answer may have changed done one by one.

A review is ``Placement.look_for_group`` again for someone still with their link worker. Most people reviewed found
nothing suitable in reach last time (Wildman 2019 and Bu 2024: the commonest barrier), and groups only close or open,
so only a group opened since can change their answer (``matching._still_nothing_in_reach``); at an ICB 99.9% still
find nothing. Who does is decided here for the week's reviews at once, against the groups opened since the earliest
of their notes: it depends on no one's place, and nobody's review opens or closes a group. They are noted again and
their next review made due as a batch (nothing of it is read by anyone else's review); the rest, who may find a group
and take a place, look one by one in referral order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import in_reach, matching
from .states import PathwayState

if TYPE_CHECKING:
    from .model import SocialPrescribingModel
    from .patient import Patient

# Fewer reviews than this in a week run one by one, each the person's own ``look_for_group`` (a speed setting only:
# the same numbers; the batch's arrays cost about what a few people's own reviews do)
FEWEST_REVIEWS = 8


def run_reviews(model: SocialPrescribingModel, rows: np.ndarray, week: int) -> None:
    """The reviews due in ``week`` for ``rows`` (due then, in referral order)."""
    register, due = model.register, model.due
    # nobody's review moves anyone else to or from their link worker: who is with one is known at the start
    rows, patients = due.take("review", rows, register.state, PathwayState.WITH_LINK_WORKER)
    if not patients:
        return
    still = still_nothing_in_reach(patients, model)
    # the rest, a few a week, look as they would alone (each measured lazily: fewer than a batch is worth)
    for patient, nothing in zip(patients, still.tolist(), strict=True):
        if not nothing:
            patient.look_for_group()
    if still.any():  # ``Placement.place`` with nothing found, for someone with a link worker and no group
        seen_all = len(model.community.opened)
        for patient in [patients[i] for i in still.nonzero()[0].tolist()]:
            patient.short_of_provision = True
            patient.nothing_in_reach = patient.nothing_in_reach[0], seen_all
        due.set_many("review", rows[still], model.week + model.p.review_weeks)


def still_nothing_in_reach(patients: list[Patient], model: SocialPrescribingModel) -> np.ndarray:
    """Whether each of ``patients`` (all with their link worker) would be reviewed to nothing suitable in reach:
    someone who wants an activity and has a link worker, whose note of finding nothing (``Patient.nothing_in_reach``)
    is for who they are now, and none of the groups opened since it is open, of an activity they want, affordable to
    them and in their reach (``matching._still_nothing_in_reach``'s test, decided as ``np.hypot`` decides)."""
    still = np.zeros(len(patients), dtype=bool)
    noted, since = [], []
    for i, patient in enumerate(patients):
        note = patient.nothing_in_reach
        if note is not None and patient.wants_activity and patient.link_worker is not None:
            if note[0] == matching.seeker(patient, model):  # else a different reach (the parameters changed): look
                noted.append(i)
                since.append(note[1])
    if not noted:
        return still
    opened = model.community.opened
    first = min(since)
    if first == len(opened):  # no group opened since anyone's note (a small place's usual week)
        still[noted] = True
        return still
    # each noted person against every open group opened since the earliest note, as a (people x groups) block: where
    # they are decides first (a week's few new groups are mostly far from most people), then, for the few pairs in
    # reach, whether the group is one they want and can afford
    new = [group for group in opened[first:] if group.is_open]
    if not new:
        still[noted] = True
        return still
    people = [patients[i] for i in noted]
    gx, gy = np.array([group.x for group in new]), np.array([group.y for group in new])
    x = np.array([patient.person.x for patient in people])
    y = np.array([patient.person.y for patient in people])
    reach = np.array([patient.nothing_in_reach[0][1] for patient in people])  # the reach noted (the same now)
    place = np.array([k for k, group in enumerate(opened[first:], first) if group.is_open])  # in ``opened``
    opened_since = place >= np.array(since)[:, None]
    pair, _ = in_reach.in_reach_many((gx - x[:, None]).ravel(), (gy - y[:, None]).ravel(), reach.repeat(len(new)),
                                     opened_since.ravel())  # fmt: skip
    finds = np.zeros(len(people), dtype=bool)
    for person, group in zip((pair // len(new)).tolist(), (pair % len(new)).tolist(), strict=True):
        patient, group = people[person], new[group]
        finds[person] |= group.activity_index in matching.wanted_activities(patient.preferences) and not (
            patient.cannot_pay and group.charges)  # fmt: skip
    still[np.array(noted)[~finds]] = True
    return still
