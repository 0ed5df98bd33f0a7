"""The end of support over rows (DESIGN.md 15): a week's ends of support as arrays and batches.

``Support.end_support`` ends a person's episode (their pending changes of the support and placement stages
cancelled, their caseload place released, the end of support written in the register), considers discharge from
secondary care, and sends whoever is still only with their link worker out of the pathway. Nothing in it competes:
a released place is taken only at the next allocation, and each person's changes are their own row's, their own
account's and order-free sums (model/moves.py). So the cancelling and the register are written as arrays, the
places released one by one in referral order (a link worker's load is a float sum: the same order, the same sum),
and the people who leave move as two batches (those who had started an activity drop out, the rest end with none).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .due_weeks import NEVER
from .moves import leave_unengaged_many
from .patient import kinds_of
from .states import Event, PathwayState, Service

if TYPE_CHECKING:
    from .model import SocialPrescribingModel

S = PathwayState
_ENDED = kinds_of(("support", "placement"))  # what ``end_support_episode`` cancels


def run_ends_of_support(model: SocialPrescribingModel, rows: np.ndarray, week: int) -> None:
    """The ends of support due in ``week`` for ``rows`` (due then, in referral order)."""
    if not len(rows):
        return
    due, register = model.due, model.register
    for kind in _ENDED:  # the end of support's own column among them: each row runs once
        due.columns[kind][rows] = NEVER
    patients = [due.patients[row] for row in rows.tolist()]
    on_caseload = np.zeros(len(rows), dtype=bool)
    for i, patient in enumerate(patients):
        if (worker := patient.link_worker) is not None:
            worker.release(patient)
            patient.link_worker = None
            on_caseload[i] = True
    register.on_caseload[rows] = False
    register.support_ends_many(rows[on_caseload], week)
    for patient in patients:  # reads the end of support just written
        if patient.service is Service.MENTAL_HEALTH:
            patient.consider_mh_discharge()
    leaving = register.state[rows] == S.WITH_LINK_WORKER
    leave_unengaged_many(model, patients, rows, leaving, S.WITH_LINK_WORKER, Event.SUPPORT_ENDED)
