"""The health-economic account of one run (issue 15): QALYs, WELLBYs and NHS costs of the people referred,
each counted against that person's own natural course, discounted, over a stated horizon.

Perspective: the NHS and personal social services (NICE's reference case, PMG36): the service's cost (link
worker and advisor posts at their full economic cost, ``Ledger.economic_spend``; budgets buy posts at the
commissioner's cash cost), plus the GP consultations, A&E attendances and contacts with secondary mental health teams that
the service adds or saves. Whom: everyone referred in the measurement window (after the warm-up), whether or
not their follow-up finished before the run ended, so that costs and effects count the same people over the
same time. How long: ``economic_horizon_years`` from each referral. Discounting: ``discount_rate_per_year`` for
costs and effects alike, week ``w`` after the window opens weighing ``(1 + rate) ** (-w / 52)``.

- Each person's account follows what the model simulates for them (issue 26): while they are in the pathway
  and within their horizon, whether or not their outcome record has been measured, the account reads every week
  their true scores and their natural course (the wellbeing register, on arrays, read together with the weekly
  means) and adds the week's utility, life satisfaction and service use *differences*: a person who gains
  nothing adds exactly nothing, and the counterfactual scenario adds zero.
- The account is finished when the person leaves the pathway (a terminal state; at the end of that week, for
  everyone who left in it at once), when their horizon ends, or when the run ends (``finish_all``). Then the
  rest of the horizon is projected (model/economic_values.py ``projected``): for someone who left, what the
  model gives them from then on (their state no longer changes) on a natural course held where it was; at the
  end of the run, as if the service stopped then. A projection, said so in docs/methods.md.
- The outcome record is measured at follow-up (its scores are what an evaluation would see, and
  ``swemwbs_above_natural`` is the net effect then), but its economic columns are written when the account is
  finished, which may be later: a discharge or a benefit after follow-up is in them.
- Discharge from secondary mental health care by the supported pathway saves that person's team contacts
  from the week of discharge to the horizon, for as long as they would otherwise have stayed on the team's
  caseload (routine discharge at ``mh_discharge_rate_per_year``) and have not been referred back to it
  (``cmht_rereferral_rate_per_year``): with both as Poisson rates the expected saving a week falls as
  ``exp(-(discharge + re-referral) x years since)`` (a two-state chain: on and off the caseload); the record says
  whether it came after follow-up (``mh_discharged_after_follow_up``: its ``mh_discharged`` is the follow-up
  measurement).
- Utility: linear in SWEMWBS through ``utility_at_population_swemwbs`` at the population mean, with slope
  ``utility_per_swemwbs_point``, bounded as ReQoL-UI utilities are (-0.195 to 1; Keetharuth 2020).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .arrays import grown
from .economic_records import AccountRecords
from .economic_values import (NaturalWorths, above_natural, differing, discount, horizon_weeks, projected, touched,
                              worth_of)

if TYPE_CHECKING:
    from .model import SocialPrescribingModel

SETTLE_ROWS = 1_000  # accounts finished together at most (memory: see settle)
NEXT_WEEK = 3  # the accounts' column holding the first week not yet counted
NO_ROWS = np.zeros(0, dtype=np.int64)


class HealthEconomics(AccountRecords):
    """The discounted account of one run, per register row and in total (see the module's docstring); what it writes
    into the outcome records, and when, is ``AccountRecords``'."""

    def __init__(self, model: SocialPrescribingModel, since_week: int = 0):
        self.model = model
        self.since_week = since_week
        self.spend_gbp = 0.0  # the service's economic cost in the window, discounted
        self._spend_seen = 0.0
        # per register row: QALYs, WELLBYs and care cost so far (discounted), and the first week not yet counted
        self._accounts = np.zeros((0, 4))
        self._finished = np.zeros(0, dtype=bool)  # the account is finished (or never counted: the warm-up's)
        self._record = np.zeros(0, dtype=np.int64)  # the row's outcome record (-1: not written yet)
        self._late_discharge = np.zeros(0, dtype=bool)  # discharged by the service after their follow-up
        # the row's person's long-term conditions, read once (gathered each week through the person: ~100 us at an ICB)
        self._ltc = np.zeros(0, dtype=np.int8)
        self._known = 0  # rows of the register seen so far
        self._first_open = 0  # every row before this one is finished
        self._leaving: list[int] = []  # rows whose person left the pathway since the last settling
        self._measured: tuple | None = None  # (week, rows, SWEMWBS above natural) of the records being written
        self._natural_worths = NaturalWorths()  # the week's worth of each row's natural course, kept for its spell

    def _account(self, rows: np.ndarray | int) -> np.ndarray:
        """The accounts array, grown to the register's rows (a new row starts at zero: nothing counted; a row
        referred in the warm-up is finished at once: it is never counted)."""
        size = self.model.register.size
        if len(self._accounts) < size:
            capacity = max(size, 2 * len(self._accounts))
            self._accounts = grown(self._accounts, capacity, 0.0)
            self._finished = grown(self._finished, capacity, False)
            self._record = grown(self._record, capacity, -1)
            self._late_discharge = grown(self._late_discharge, capacity, False)
            self._ltc = grown(self._ltc, capacity, 0)
        if self._known < size:
            register, new = self.model.register, slice(self._known, size)
            self._finished[new] = register.referred_week[new] < self.since_week
            self._ltc[new] = self.model.catchment.ltc_count[register.person[new].astype(np.int64)]
            self._known = size
        return self._accounts

    def open_accounts(self) -> np.ndarray:
        """Rows whose account is still followed week by week: counted, in the pathway and within the horizon."""
        self._account(0)
        if self._first_open < self._known and self._finished[self._first_open]:
            # found at once (a week's horizons end together: one step at a time took a microsecond a row each week)
            after = self._finished[self._first_open : self._known]
            first = int(after.argmin())  # (the first unfinished one, or 0 if none is)
            self._first_open += len(after) if after[first] else first
        # (the unfinished rows found from the mask, not picked out of all the rows: the same rows, sorted)
        return self._first_open + np.flatnonzero(~self._finished[self._first_open : self._known])

    # ------------------------------------------------------------------ weekly
    def accrue_week(self) -> None:
        """The end of a week: finish the accounts of people who left the pathway, then add the week of everyone
        still followed; an account whose horizon ends with the week is finished."""
        leaving, model, p = self._leavers(), self.model, self.model.p
        week, spend = model.week, model.ledger.economic_spend  # posts at their full economic cost, not the cash
        d = float(discount(week - self.since_week, p.discount_rate_per_year))
        if week >= self.since_week:  # (the warm-up's is not counted)
            self.spend_gbp += (spend - self._spend_seen) * d
        self._spend_seen = spend
        self._finished[leaving] = True  # (their accounts are finished below, with the week's values worked out)
        rows = self.open_accounts()  # (none in the warm-up: its accounts are never counted)
        if not len(rows):
            self._finish(leaving, week)
            return
        changed, scores, (now, natural) = differing(model, rows, week, self._ltc)
        stale, natural_stale = self._natural_worths.due(changed, natural, p, self._first_open, model.register.size)
        # (worked out with the leavers' projection's, if any: one pass)
        worth, natural_worth = self._finish(leaving, week, also=[now, natural_stale])
        natural_worth = self._natural_worths.kept(changed, stale, natural, natural_worth)
        accounts = self._account(rows)  # written column by column (a column's view scatters faster than a pair index)
        for column, value in enumerate(above_natural(*scores, worth, natural_worth, p)):
            accounts[:, column][changed] += value * d
        accounts[:, NEXT_WEEK][rows] = week + 1
        ended = rows[model.register.referred_week[rows] + horizon_weeks(p) <= week + 1]
        if len(ended):
            self._finish(ended, week)  # nothing left to project

    # ------------------------------------------------------------------ events
    def left_pathway(self, row: int) -> None:
        """Row ``row``'s person reached a terminal state: nothing the service gives them changes any more, so
        their account is finished when the week ends (``settle``). Only noted: called person by person (about 80
        a week at an ICB), and whose account is finished already is told apart at once then (``_leavers``)."""
        self._leaving.append(row)

    def left_pathway_many(self, rows: np.ndarray) -> None:
        """``left_pathway`` for many rows at once."""
        self._leaving.extend(rows.tolist())

    def settle(self) -> None:
        """Finish the accounts of the people who left the pathway since the last call (``_finish``)."""
        self._finish(self._leavers(), self.model.week)

    def _leavers(self) -> np.ndarray:
        """The rows whose people left the pathway since the last call and whose accounts are not finished."""
        if not self._leaving:  # most weeks at a small place
            return NO_ROWS
        # sorted, each once (``np.unique``'s rows, from a short list of plain numbers at a fraction of its cost)
        leaving, self._leaving = np.array(sorted(set(self._leaving)), dtype=np.int64), []
        self._account(leaving)  # (grown to the register's rows: a leaver may be this week's referral)
        return leaving[~self._finished[leaving]]

    def finish_all(self) -> None:
        """The end of the run: finish every account still open, as if the service stopped now."""
        self.settle()
        rows = self.open_accounts()
        if len(rows):
            self._finish(rows, self.model.week)

    def _finish(self, rows: np.ndarray, week: int, also: list = ()) -> list[tuple]:
        """Add the rest of each row's horizon as if the service stopped at ``week`` (for a person who left the
        pathway it had: their state no longer changes), what it gave fading as the model's gains fade on a
        natural course held where it was; then write each account into its record, if it is written. Returns the
        ``worth_of`` the groups ``also``, worked out with a projection's if there is one."""
        if not len(rows):
            return worth_of(also, self.model.p) if also else []
        start, end = self._rest_of_horizon(rows)
        width = max(int((end - start).max()), 0)  # the same grid for the whole batch: the same sums
        # at most SETTLE_ROWS people at a time: at the end of an ICB's run 20,000 accounts finish at once,
        # and their people x weeks grids took 270 MB (none when nothing is left: the horizons that end now)
        worth = None  # ``also``'s, once worked out with a projection's
        for first in range(0, len(rows) if width else 0, SETTLE_ROWS):
            chunk = slice(first, first + SETTLE_ROWS)
            projected_worth = self._project(week, rows[chunk], start[chunk], end[chunk], width,
                                            also if worth is None else ())  # fmt: skip
            worth = projected_worth if worth is None else worth
        self._accounts[rows, NEXT_WEEK] = end
        self._finished[rows] = True
        self._write(rows[self._record[rows] >= 0])
        return worth if worth is not None else worth_of(also, self.model.p) if also else []

    def _rest_of_horizon(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The first week of each row's horizon not yet counted, and the week after its horizon ends."""
        counted, referred = self._account(rows)[rows, NEXT_WEEK], self.model.register.referred_week[rows]
        return np.where(counted > 0, counted, referred), referred + horizon_weeks(self.model.p)

    def _project(self, week: int, rows: np.ndarray, start: np.ndarray, end: np.ndarray, width: int,
                 also: list) -> list[tuple] | None:  # fmt: skip
        """Add the projection of ``rows`` (``_finish``); returns the ``worth_of`` ``also``, worked out with the
        projection's, or None if nothing was projected."""
        kept = touched(self.model, rows)  # the rest add exactly nothing (the counterfactual, most decliners)
        if not kept.any():
            return None
        rows = rows[kept]
        values, worth = projected(self.model, rows, week, start[kept], end[kept], width, self.since_week, also,
                                  ltc=self._ltc[rows])  # fmt: skip
        self._accounts[rows, :3] += values
        return worth
