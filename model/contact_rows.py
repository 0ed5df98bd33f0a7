"""First contact over rows (DESIGN.md 15): the people a week's allocation takes on for the first time, settled as
a batch once the link workers' places are handed out.

What competes in ``Referral.first_contact`` is the caseload place: a person who declines at first contact gives it
back at once, and the link worker with most room takes the next person, so the allocation takes the places one by
one and reads each newcomer's decision as it goes (``Workforce.allocate``), decided for the front of the queue a
block at a time (``FirstContactDecisions``). The rest is each person's own (their
support episode begun and its end made due, their move, the wait counted) and is done here for all of them at
once, in the order they were taken: the one sum that depends on order (the weeks waited) is added in that order.
People coming back (a setback, a lost link worker) are taken on one by one: they may look for a group at once.
"""

from __future__ import annotations

from collections import deque
from itertools import islice
from typing import TYPE_CHECKING

import numpy as np

from .moves import move_many
from .states import Event, PathwayState, Service
from .streams import PURPOSES, PersonalDraws

if TYPE_CHECKING:
    from .link_worker import LinkWorker
    from .model import SocialPrescribingModel
    from .parameters import Params
    from .patient import Patient

S = PathwayState


def decline_chance(p: Params, service: Service, deprived: bool | np.ndarray) -> float | np.ndarray:
    """The chance of declining at first contact, for one person or (``deprived`` an array) many of one service: in
    the supported pathway discharge is agreed with the person beforehand (Dayson 2020); otherwise deprivation raises
    it (a product with 1.0 would be the number itself, so the one-person form needs none)."""
    if service is Service.MENTAL_HEALTH:
        return p.supported_decline_prob
    if isinstance(deprived, np.ndarray):
        return np.where(deprived, p.referral_decline_prob * p.decline_rr_deprived, p.referral_decline_prob)
    return p.referral_decline_prob * p.decline_rr_deprived if deprived else p.referral_decline_prob


class FirstContactDecisions:
    """Whether each person at the front of a link worker's queue would decline at first contact
    (``Referral.declines_first_contact``: their next draw for it against their chance), worked out for a block of
    them at a time as the allocation reaches them. A decision is the person's own (their key, their draw counter,
    their service and area), so it is the same whenever it is worked out; the draw is taken (the counter moved on)
    only for those the allocation takes on through the batch (``first_contacts``), as the one-by-one code draws it. (The
    chance is one person's formula over arrays: tests/test_pathway_rows.py runs first contacts both ways.)"""

    BLOCK = 64  # people decided at once after the first block

    def __init__(self, model: SocialPrescribingModel, service: Service, queue: deque[Patient], places: int = 0):
        """``places``: whole caseload places free now, so at least as many people are taken (if the queue has them):
        the first block covers them (a week's allocation takes a few hundred at an ICB, a few at a borough)."""
        self.model, self.service, self.queue = model, service, queue
        self._block = max(self.BLOCK, places + 8)
        self._ahead: deque[tuple[bool, bool]] = deque()  # the decisions of the people at the queue's front, in order

    def pop(self) -> tuple[bool, bool]:
        """Whether the person at the front of the queue comes back (a link worker took them on before: no decision
        at first contact) and whether they would decline (called before they are taken from the queue)."""
        if not self._ahead:
            self._ahead.extend(self._decide(list(islice(self.queue, self._block))))
            self._block = self.BLOCK
        return self._ahead.popleft()

    def _decide(self, patients: list[Patient]) -> zip:
        """(comes back, declines) of ``patients``, each person's pair."""
        returning, declines = self.front(patients)
        return zip(returning.tolist(), declines.tolist(), strict=True)

    def front(self, patients: list[Patient]) -> tuple[np.ndarray, np.ndarray]:
        """Whether each of ``patients`` (the front of the queue) comes back and whether they would decline, as two
        arrays: both their own (``ever_supported`` changes only when a link worker takes them on, that is after
        they leave the queue)."""
        model, register, p = self.model, self.model.register, self.model.p
        rows = np.array([patient.row for patient in patients], dtype=np.int64)
        u = PersonalDraws.uniforms(register.key[rows], PURPOSES["decline"], register.draws["decline"][rows])
        deprived = model.catchment.deprived[register.person[rows].astype(np.int64)]
        chance = decline_chance(p, self.service, deprived)
        return register.ever_supported[rows], u < chance


def first_contacts(model: SocialPrescribingModel, patients: list[Patient], workers: list[LinkWorker],
                   declined: list[bool]) -> None:  # fmt: skip
    """``Referral.first_contact`` for ``patients`` taken on for the first time by ``workers`` (in the order they
    were taken), whose decision at first contact is ``declined`` (their place already given back; the draw that
    decided it is taken here)."""
    if not patients:
        return
    p, week, now = model.p, model.week, model.time
    counters, register = model.counters, model.register
    rows = np.array([patient.row for patient in patients], dtype=np.int64)
    register.draws["decline"][rows] += 1
    _support_episodes_due(model, patients, rows)
    counters.reached_link_worker += len(patients)
    register.ever_supported[rows] = True
    waited = counters.link_worker_wait_weeks  # (the same sum, in the same order, kept in a local as it grows)
    for patient, worker, declines in zip(patients, workers, declined, strict=True):
        patient.caseload_weight = 1.0
        patient.lw_wait_weeks = wait = now - patient.referred_week
        waited += wait
        if not declines:
            patient.link_worker = worker
    counters.link_worker_wait_weeks = waited
    if any(declined):  # (most weeks of a small place, nobody: what follows for decliners would do nothing)
        declines = np.array(declined)
        # a decliner's episode ended as it began (``Support.end_support_episode``; their place is already free)
        ended = rows[declines]
        register.support_ends_many(ended, week)
        move_many(model, [pt for pt, no in zip(patients, declined) if no], ended, S.AWAITING_LINK_WORKER,
                  S.DECLINED, Event.DECLINED)  # fmt: skip
        patients = [pt for pt, no in zip(patients, declined) if not no]
        rows = rows[~declines]
    register.on_caseload[rows] = True
    move_many(model, patients, rows, S.AWAITING_LINK_WORKER, S.WITH_LINK_WORKER, Event.FIRST_CONTACT)
    # ``Support.support_begins`` (``WellbeingRegister.support_begins``), then the assessment made due
    register.support_from[rows] = np.minimum(register.support_from[rows], week)
    register.support_until[rows] = np.inf
    model.due.set_many("assessment", rows, week + p.assessment_weeks)


def _support_episodes_due(model: SocialPrescribingModel, patients: list[Patient], rows: np.ndarray) -> None:
    """``Support.start_support_episode``: the episode's end (and, in primary care, its lighter phase) made due,
    advisors' clients first (a week's batch is one service's queue: in practice one of the two is nobody)."""
    p, week, due = model.p, model.week, model.due
    lighter = p.support_weeks > p.lw_episode_weeks  # long-term support in primary care turns lighter
    advisor = [patient.service is Service.MENTAL_HEALTH for patient in patients]
    if all(advisor) or not any(advisor):  # one service (every batch of an allocation): nobody to choose
        due.set_many("end_support", rows, week + (p.advisor_support_weeks if advisor[0] else p.support_weeks), patients)
        if lighter and not advisor[0]:
            due.set_many("maintenance", rows, week + p.lw_episode_weeks)
        return
    for service_weeks, of_service in ((p.advisor_support_weeks, True), (p.support_weeks, False)):
        chosen = [i for i, yes in enumerate(advisor) if yes is of_service]
        due.set_many("end_support", rows[chosen], week + service_weeks, [patients[i] for i in chosen])
    if lighter:
        due.set_many("maintenance", rows[[i for i, yes in enumerate(advisor) if not yes]], week + p.lw_episode_weeks)
