"""Assessments over rows (DESIGN.md 15): a week's assessments, with only what competes done person by person.

``Assessment.complete_assessment`` does nothing for someone no longer with their link worker; for the rest, a
referral social prescribing can help with goes on to look for a group, and one it cannot is passed on to a group
(sometimes: their own draw) and leaves the pathway. Looking for a group and holding a place are what compete (a
group's last places go first come, first served), so they run one by one in referral order. Leaving does not: it
frees only a caseload place, taken at the next allocation, and the places are released in referral order. So the
draws of who is passed on are taken as arrays and the people who leave move as one batch, after the week's matching.
Whether someone wants the group first suggested to them is their own next draw against a chance set by the group's
activity and their service, so everyone's draw is read at once (and taken by those offered one); who finds nothing
in reach has only their own next review made due, so theirs are made due as a batch after the matching.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import matching
from .moves import move_many
from .starts import Starts
from .states import Event, PathwayState, Service
from .streams import PURPOSES, PersonalDraws

if TYPE_CHECKING:
    from .model import SocialPrescribingModel

S = PathwayState
UPTAKE = PURPOSES["uptake"]


def run_assessments(model: SocialPrescribingModel, rows: np.ndarray, week: int) -> None:
    """The assessments due in ``week`` for ``rows`` (due then, in referral order)."""
    register, due, community = model.register, model.due, model.community
    # nobody's assessment moves anyone else to or from their link worker: who is with one is known at the start
    rows, patients = due.take("assessment", rows, register.state, S.WITH_LINK_WORKER)
    if not patients:
        return
    unsuitable = np.flatnonzero([not patient.appropriate for patient in patients])
    passed_on = np.zeros(len(rows), dtype=bool)  # ``Assessment.pass_on_unsuitable``'s draw
    if len(unsuitable):  # (no draws for no one: most weeks)
        passed_on[unsuitable] = register.next_draws(rows[unsuitable], "passed_on") < model.p.inappropriate_passed_on_share
    # who is in reach does not change with who took which place before them: measured for all of them at once (those
    # who look for a group, and those passed on to the group a link worker would suggest)
    passed = passed_on.tolist()
    seekers = [patient for patient, to_group in zip(patients, passed, strict=True)
               if patient.appropriate and patient.wants_activity or to_group]  # fmt: skip
    found = matching.groups_in_reach_of(seekers, model)
    # each one's next uptake draw, taken (its counter moved on) only by those offered a group
    uptake = PersonalDraws.uniforms(register.key[rows], UPTAKE, register.draws["uptake"][rows]).tolist()
    # ``uptake_probability`` by service (whether the link advisors') and activity: the same all week (a key of a bool,
    # not the ``Service``, whose hash is a Python call)
    chances: dict[tuple[bool, int], float] = {}
    advisor = Service.MENTAL_HEALTH
    # the table they were measured with: no group opens while the week's assessments run (only places are taken)
    table = community.table()
    offered, nothing = [], []
    starts = Starts(model, Event.PLACE_FREE)  # who takes a free place: the place at their turn, the rest after the loop
    for i, (patient, to_group) in enumerate(zip(patients, passed, strict=True)):
        patient.assessed = True
        if not patient.appropriate:
            if to_group:
                patient.hold_a_place(found.get(patient))
            continue
        if not patient.wants_activity or patient.offered:  # (not at a first assessment) as ``look_for_group`` does
            patient.look_for_group(found.get(patient))
            continue
        # ``look_for_group``, its first offer (``Placement.declines_offer``) read from the draws above; most take the
        # first group found with a place free when they were all measured, if it still has one (``choose_group``'s
        # first step, here for the most common case)
        of_one = found.get(patient)
        if (of_one is not None and (first := of_one[1]) >= 0 and of_one[0] is table
                and (group := table.groups[first]).is_open and group.free_places > 0):  # fmt: skip
            free = True
        else:
            group = matching.choose_group(patient, model, of_one)
            free = group is not None and group.free_places > 0
        if group is None:
            if patient.link_worker is None:
                patient.place(None)  # leaves the pathway at their turn (their caseload place is given back then)
            else:
                nothing.append(i)  # only their own next review: made due with the others' after the week's matching
            continue
        patient.offered = True
        patient.offered_activity = activity = group.activity_index
        if (chance := chances.get(kind := (patient.service is advisor, activity))) is None:
            chance = chances[kind] = patient.uptake_probability(group)
        offered.append(i)
        if (wants := uptake[i] < chance) and free:
            starts.take_place(patient, group)
        elif wants:
            patient.wait_for(group)
        else:
            patient.wants_activity = False  # the link worker supports them in other ways until the episode ends
    starts.finish()
    register.draws["uptake"][rows[offered]] += 1
    if nothing:  # ``Placement.place`` with nothing suitable in reach, for someone with their link worker
        for i in nothing:
            patients[i].short_of_provision = True
        due.set_many("review", rows[nothing], model.week + model.p.review_weeks)
    if len(unsuitable):
        move_many(model, [patients[i] for i in unsuitable.tolist()], rows[unsuitable], S.WITH_LINK_WORKER,
                  S.NO_ACTIVITY, Event.NOT_APPROPRIATE)  # fmt: skip
