"""Assessments over rows (DESIGN.md 15): a week's assessments, with only what competes done person by person.

``Assessment.complete_assessment`` does nothing for someone no longer with their link worker; for the rest, a
referral social prescribing can help with goes on to look for a group, and one it cannot is passed on to a group
(sometimes: their own draw) and leaves the pathway. Looking for a group and holding a place are what compete (a
group's last places go first come, first served), so they run one by one in referral order. Leaving does not: it
frees only a caseload place, taken at the next allocation, and the places are released in referral order. So the
draws of who is passed on are taken as arrays and the people who leave move as one batch, after the week's matching.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import matching
from .due_weeks import NEVER
from .moves import move_many
from .states import Event, PathwayState

if TYPE_CHECKING:
    from .model import SocialPrescribingModel

S = PathwayState


def run_assessments(model: SocialPrescribingModel, rows: np.ndarray, week: int) -> None:
    """The assessments due in ``week`` for ``rows`` (due then, in referral order)."""
    register, due = model.register, model.due
    due.columns["assessment"][rows] = NEVER
    # nobody's assessment moves anyone else to or from their link worker: who is with one is known at the start
    rows = rows[register.state[rows] == S.WITH_LINK_WORKER]
    if not len(rows):
        return
    patients = [due.patients[row] for row in rows.tolist()]
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
    for patient, to_group in zip(patients, passed, strict=True):
        patient.assessed = True
        if patient.appropriate:
            patient.look_for_group(found.get(patient))
        elif to_group:
            patient.hold_a_place(found.get(patient))
    if len(unsuitable):
        move_many(model, [patients[i] for i in unsuitable.tolist()], rows[unsuitable], S.WITH_LINK_WORKER,
                  S.NO_ACTIVITY, Event.NOT_APPROPRIATE)  # fmt: skip
