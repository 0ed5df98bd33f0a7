"""First contact over rows (DESIGN.md 15): the people a week's allocation takes on for the first time, settled as
a batch once the link workers' places are handed out.

What competes in ``Referral.first_contact`` is the caseload place: a person who declines at first contact gives it
back at once, and the link worker with most room takes the next person, so the allocation takes the places one by
one and draws each newcomer's decision as it goes (``Workforce.allocate``). The rest is each person's own (their
support episode begun and its end made due, their move, the wait counted) and is done here for all of them at
once, in the order they were taken: the one sum that depends on order (the weeks waited) is added in that order.
People coming back (a setback, a lost link worker) are taken on one by one: they may look for a group at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .moves import move_many
from .states import Event, PathwayState, Service

if TYPE_CHECKING:
    from .link_worker import LinkWorker
    from .model import SocialPrescribingModel
    from .patient import Patient

S = PathwayState


def first_contacts(model: SocialPrescribingModel, patients: list[Patient], workers: list[LinkWorker],
                   declined: list[bool]) -> None:  # fmt: skip
    """``Referral.first_contact`` for ``patients`` taken on for the first time by ``workers`` (in the order they
    were taken), whose decision at first contact is ``declined`` (their place already given back)."""
    if not patients:
        return
    p, week, now = model.p, model.week, model.time
    counters, register, due = model.counters, model.register, model.due
    rows = np.array([patient.row for patient in patients], dtype=np.int64)
    # ``Support.start_support_episode``: the episode's end (and its lighter phase) made due
    advisor = [patient.service is Service.MENTAL_HEALTH for patient in patients]
    for service_weeks, chosen in ((p.advisor_support_weeks, advisor), (p.support_weeks, [not a for a in advisor])):
        due.set_many("end_support", rows[chosen], week + service_weeks,
                     [patient for patient, yes in zip(patients, chosen) if yes])  # fmt: skip
    if p.support_weeks > p.lw_episode_weeks:  # long-term support in primary care turns lighter
        primary = rows[~np.array(advisor)]
        due.set_many("maintenance", primary, week + p.lw_episode_weeks)
    counters.reached_link_worker += len(patients)
    register.ever_supported[rows] = True
    for patient, worker, declines in zip(patients, workers, declined, strict=True):
        patient.caseload_weight = 1.0
        patient.lw_wait_weeks = now - patient.referred_week
        counters.link_worker_wait_weeks += patient.lw_wait_weeks
        if not declines:
            patient.link_worker = worker
    declines = np.array(declined)
    # a decliner's episode ended as it began (``Support.end_support_episode``; their place is already free)
    ended = rows[declines]
    register.support_ends_many(ended, week)
    move_many(model, [pt for pt, no in zip(patients, declined) if no], ended, S.AWAITING_LINK_WORKER, S.DECLINED,
              Event.DECLINED)  # fmt: skip
    staying = [pt for pt, no in zip(patients, declined) if not no]
    rows = rows[~declines]
    register.on_caseload[rows] = True
    move_many(model, staying, rows, S.AWAITING_LINK_WORKER, S.WITH_LINK_WORKER, Event.FIRST_CONTACT)
    # ``Support.support_begins`` (``WellbeingRegister.support_begins``), then the assessment made due
    register.support_from[rows] = np.minimum(register.support_from[rows], week)
    register.support_until[rows] = np.inf
    due.set_many("assessment", rows, week + p.assessment_weeks)
