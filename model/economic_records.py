"""The economic account's outcome records (model/health_economics.py): the net effect measured at follow-up goes into a
person's record when it is written, and their QALYs, WELLBYs and care costs when their account is finished, which may
be later (a discharge by the service after follow-up is in them: ``mh_discharged_after_follow_up``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .economic_values import contacts_saved, horizon_weeks

if TYPE_CHECKING:
    from collections.abc import Callable

    from .model import SocialPrescribingModel


class AccountRecords:
    """What ``HealthEconomics`` writes into the outcome records; the state it reads is ``HealthEconomics``' own (set up
    in its ``__init__``)."""

    model: SocialPrescribingModel
    since_week: int
    _accounts: np.ndarray
    _finished: np.ndarray
    _record: np.ndarray  # each row's outcome record (-1: not written yet)
    _late_discharge: np.ndarray
    _measured: tuple | None
    _account: Callable[[np.ndarray | int], np.ndarray]  # (``HealthEconomics._account``: grown to the register's rows)

    def discharged_by_service(self, row: int, week: int) -> None:
        """The supported pathway discharged this person: their team contacts stop from this week to the
        horizon, for as long as routine discharge would have kept them on the caseload."""
        p, register = self.model.p, self.model.register
        referred = int(register.referred_week[row])
        if referred < self.since_week:
            return
        self._account(row)[row, 2] -= contacts_saved(p, week, referred + horizon_weeks(p), self.since_week)
        self._late_discharge[row] = self._record[row] >= 0  # their record was measured before
        if self._finished[row]:  # past the horizon (the saving is nil): the record still says so
            self._write(np.array([row]))

    def closed(self, row: int, week: int, record_index: int) -> None:
        """Row ``row``'s record (``observers.records[record_index]``) was written at ``week`` (``closed_many``)."""
        self.closed_many(np.array([row]), week, np.array([record_index]))

    def closed_many(self, rows: np.ndarray, week: int, record_indices: np.ndarray) -> None:
        """These rows' records (``observers.records[record_indices]``) were written at ``week`` (follow-up, or
        the end of the run): the net effect measured then goes in now; the account goes in when it is finished
        (now, for whoever's account already is)."""
        model = self.model
        self._account(rows)
        measured, self._measured = self._measured, None
        if measured is not None:  # follow-up read them just now (``measured_at_close``), or it was for other rows
            measured = measured[2] if measured[0] == week and measured[1] is rows else None
        counted = model.register.referred_week[rows] >= self.since_week
        rows, record_indices = rows[counted], np.asarray(record_indices)[counted]
        if not len(rows):
            return
        self._record[rows] = record_indices
        if measured is not None:
            above_natural = measured[counted]
        else:
            sw, _, natural_sw, _ = model.register.scores_and_natural(rows, week, model.course, model.p)
            above_natural = sw - natural_sw
        model.observers.records.set_many(record_indices, swemwbs_above_natural=above_natural)
        if self._finished[rows].any():
            self._write(rows[self._finished[rows]])

    def measured_at_close(self, rows: np.ndarray, week: int, above_natural: np.ndarray) -> None:
        """Follow-up (model/follow_up.py) read ``rows``' SWEMWBS above their natural course at ``week``, just before
        their records are written (``closed_many`` with the same ``rows``): kept, not read twice."""
        self._measured = (week, rows, above_natural)

    def _write(self, rows: np.ndarray) -> None:
        """Write finished accounts into their records (once per person, not per week)."""
        if not len(rows):  # (most finishings: people who left the pathway before their follow-up have no record yet)
            return
        accounts = self._accounts[rows]  # (one gather, then its columns)
        self.model.observers.records.set_many(
            self._record[rows], qalys_gained=accounts[:, 0], wellbys_gained=accounts[:, 1],
            care_cost_change_gbp=accounts[:, 2], mh_discharged_after_follow_up=self._late_discharge[rows])
