"""A runner's starts at a group as one batch (DESIGN.md 15): ``Attendance.start_attending`` for many people, with only
what competes done at each one's turn.

What competes is the place: the next person's choice reads how many places are free, so joining the group is done at
once, in referral order; and so is the joining's place in the order of the week's members (``model.attending`` and the
member rows), which is the order attendance is decided in. The rest of a start is the starter's own (their row's
pending reviews, activity, mechanisms and took-up flag, their wait) and sums that do not depend on order (people in
each state, the moves made, the starts counted, the whole weeks waited), so it waits for ``finish``, after the
runner's loop, and is done for everyone at once. The referral tariff is not: a capped budget is spent in turn, so a
first start pays it at the turn, as before.

For people whose start does more than join (a volunteer adds places at once and admits the waiting list; someone
sustained is made due to move on; a member re-placed keeps their place in the order) ``take_place`` is
``start_attending`` itself. A caller may use a batch only where nothing moves a starter again before ``finish``
(``finish`` checks that each is still where they started).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .due_weeks import NEVER
from .moves import moved_into_groups
from .states import IN_GROUP, Event, PathwayState

if TYPE_CHECKING:
    from .model import SocialPrescribingModel
    from .patient import Patient
    from .vcse_group import VCSEGroup

ATTENDING = PathwayState.ATTENDING
REVIEW = ("review",)  # the placement stage's own pending change (``start_attending`` cancels it: ``kinds_of``)


class Starts:
    """The starts of one runner's loop (``event``: why they start), joined at each one's turn and finished at once."""

    __slots__ = ("_model", "_event", "_patients", "_groups", "_olds")

    def __init__(self, model: SocialPrescribingModel, event: Event = Event.PLACE_FREE) -> None:
        self._model, self._event = model, event
        self._patients: list[Patient] = []
        self._groups: list[VCSEGroup] = []
        self._olds: list[PathwayState] = []

    def take_place(self, patient: Patient, group: VCSEGroup) -> None:
        """``patient`` starts at ``group`` (a free place), now: the place is theirs and they are the newest member."""
        if patient.volunteer or patient.sustained or (old := patient.state) in IN_GROUP:
            patient.start_attending(group, self._event)
            return
        model = self._model
        if not patient.took_up:
            model.community.pay_tariff(group)  # (in turn: a capped budget may run out in the loop)
        patient.group = group
        group.join(patient)
        patient.state = ATTENDING
        model.attending[patient.row] = patient
        model.member_rows.joined(patient.row)
        self._patients.append(patient)
        self._groups.append(group)
        self._olds.append(old)

    def finish(self) -> None:
        """The rest of the starts taken so far, for all of them at once (in the order they started)."""
        patients = self._patients
        if not patients:
            return
        model, groups, olds = self._model, self._groups, self._olds
        if any(patient.state is not ATTENDING for patient in patients):
            raise RuntimeError("a starter moved again before their batch of starts was finished (model/starts.py)")
        register, week = model.register, model.week
        rows = np.fromiter([patient.row for patient in patients], dtype=np.int64, count=len(patients))
        due = model.due
        columns, pending = due.columns, rows[rows < due.capacity]  # (beyond: nothing was ever due for them)
        for kind in REVIEW:
            columns[kind][pending] = NEVER
        register.activity[rows] = [group.activity_index for group in groups]
        paused = (register.paused_at[rows] != math.inf).nonzero()[0]  # (few: most start for the first time)
        for i in paused.tolist():
            patients[i].mechanisms.resume(week)
        first = [i for i, patient in enumerate(patients) if not patient.took_up]
        if first:
            _took_up(model, [patients[i] for i in first], rows[first])
        moved_into_groups(model, rows, olds, ATTENDING, self._event)
        self._patients, self._groups, self._olds = [], [], []


def _took_up(model: SocialPrescribingModel, patients: list[Patient], rows: np.ndarray) -> None:
    """First starts (their tariff paid at their turn): the weeks from first being matched to starting (zero when a
    place was free at once; whole weeks, so their float sum is exact in any order), counted."""
    now = float(model.week)  # (Mesa's time, a float of the whole week, as ``matched_at`` was set from)
    counters = model.counters
    waited = 0.0
    for patient in patients:
        patient.group_wait_weeks = wait = now - (patient.matched_at or now)
        waited += wait
        patient.took_up = True
    counters.group_wait_weeks += waited
    model.register.took_up[rows] = True
    counters.took_up_activity += len(patients)
