"""The health-economic account of one run (issue 15): QALYs, WELLBYs and NHS costs of the people referred,
each counted against that person's own natural course, discounted, over a stated horizon.

Perspective: the NHS and personal social services (NICE's reference case, PMG36): the service's cost (link
worker and advisor posts at their full economic cost, ``Ledger.economic_spend``; budgets buy posts at the
commissioner's cash cost), plus the GP consultations, A&E attendances and contacts with secondary mental health teams that
the service adds or saves. Whom: everyone referred in the measurement window (after the warm-up), whether or
not their follow-up finished before the run ended, so that costs and effects count the same people over the
same time. How long: ``economic_horizon_years`` from each referral. Discounting: ``discount_rate_per_year`` for
costs and effects alike, week ``w`` after the window opens weighing ``(1 + rate) ** (-w / 52)``.

- While a record is open the account reads, every week, each person's true scores and their natural course
  (the wellbeing register, on arrays) and adds the week's utility, life satisfaction and service use
  *differences*: a person who gains nothing adds exactly nothing, and the counterfactual scenario adds zero.
- When a record closes (follow-up, or the end of the run) the rest of the horizon is added when the week ends,
  for all the records closed that week in one array sum, as if the service stopped then: the natural course is held where it was, and what the service gave fades as the
  model's gains fade after attendance stops (``gain_retained_share`` kept for good, the rest halving every
  person's ``half_life``; link worker support's own effect fading alike). A projection, said so in docs/methods.md.
- Discharge from secondary mental health care by the supported pathway saves that person's team contacts
  from the week of discharge to the horizon, for as long as they would otherwise have stayed on the team's
  caseload (routine discharge at ``mh_discharge_rate_per_year``) and have not been referred back to it
  (``cmht_rereferral_rate_per_year``): with both as Poisson rates the expected saving a week falls as
  ``exp(-(discharge + re-referral) x years since)`` (a two-state chain: on and off the caseload).
- Utility: linear in SWEMWBS through ``utility_at_population_swemwbs`` at the population mean, with slope
  ``utility_per_swemwbs_point``, bounded as ReQoL-UI utilities are (-0.195 to 1; Keetharuth 2020).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .mechanisms import service_use
from .wellbeing import FLOORS, LEVELS, with_service

if TYPE_CHECKING:
    from .model import SocialPrescribingModel
    from .parameters import Params

WEEKS_A_YEAR = 52
UTILITY_RANGE = (-0.195, 1.0)  # the ReQoL-UI value set's worst and best states (Keetharuth et al. 2020)


def discount(weeks_since_start: np.ndarray | float, rate: float) -> np.ndarray | float:
    return (1.0 + rate) ** (-np.asarray(weeks_since_start, dtype=float) / WEEKS_A_YEAR)


def utility(swemwbs: np.ndarray, p: Params) -> np.ndarray:
    u = p.utility_at_population_swemwbs + p.utility_per_swemwbs_point * (swemwbs - p.swemwbs_population_mean)
    return np.clip(u, *UTILITY_RANGE)


def weekly_values(sw, lo, natural_sw, natural_lo, ltc, p: Params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per person, one week's QALYs, WELLBYs and GP + A&E cost above the natural course (undiscounted)."""
    qalys = (utility(sw, p) - utility(natural_sw, p)) / WEEKS_A_YEAR
    wellbys = (sw - natural_sw) * p.ls_per_swemwbs_point / WEEKS_A_YEAR

    def cost(s, lo_):
        gp, ae = service_use(s, lo_, ltc, p)  # the outcome record's formula, on arrays
        return (gp * p.gp_consultation_cost_gbp + ae * p.ae_attendance_cost_gbp) / WEEKS_A_YEAR

    return qalys, wellbys, cost(sw, lo) - cost(natural_sw, natural_lo)


def staying_on_caseload(weeks_after: np.ndarray, rate_per_year: float) -> np.ndarray:
    """Chance that someone still on a secondary mental health team's caseload is still on it ``weeks_after``
    (routine discharge as a Poisson rate, ``parameters.chance_within``'s convention)."""
    return np.exp(-rate_per_year * np.asarray(weeks_after, dtype=float) / WEEKS_A_YEAR)


SETTLE_ROWS = 2_000  # records settled together at most (memory: see settle)


class HealthEconomics:
    """The discounted account of one run, per register row and in total (see the module's docstring)."""

    def __init__(self, model: SocialPrescribingModel, since_week: int = 0):
        self.model = model
        self.since_week = since_week
        self.spend_gbp = 0.0  # the service's economic cost in the window, discounted
        self._spend_seen = 0.0
        # per register row: QALYs, WELLBYs and care cost so far (discounted), and the first week not yet counted
        self._accounts = np.zeros((0, 4))
        # records closed since the last settling, a batch at a time: (week, rows, record indices, their state then)
        self._pending: list[tuple[int, np.ndarray, np.ndarray, dict[str, np.ndarray]]] = []

    def _account(self, rows: np.ndarray | int) -> np.ndarray:
        """The accounts array, grown to the register's rows (a new row starts at zero: nothing counted)."""
        size = self.model.register.size
        if len(self._accounts) < size:
            grown = np.zeros((max(size, 2 * len(self._accounts)), 4))
            grown[: len(self._accounts)] = self._accounts
            self._accounts = grown
        return self._accounts

    # ------------------------------------------------------------------ weekly
    def accrue_week(self) -> None:
        """The end of a week: settle the records closed during it, then add the week of everyone still open."""
        self.settle()
        model, p = self.model, self.model.p
        week = model.week
        spend = model.ledger.economic_spend  # posts at their full economic cost, not the commissioner's cash
        if week < self.since_week:
            self._spend_seen = spend
            return
        d = float(discount(week - self.since_week, p.discount_rate_per_year))
        self.spend_gbp += (spend - self._spend_seen) * d
        self._spend_seen = spend
        register = model.register
        rows, sw, lo, natural_sw, natural_lo = register.open_reading(week, model.course, p)
        counted = (register.referred_week[rows] >= self.since_week) & (week - register.referred_week[rows] < self.horizon_weeks(p))
        if not counted.any():
            return
        rows, sw, lo, natural_sw, natural_lo = (x[counted] for x in (rows, sw, lo, natural_sw, natural_lo))
        ltc = model.catchment.ltc_count[register.person[rows].astype(np.int64)]
        qalys, wellbys, cost = weekly_values(sw, lo, natural_sw, natural_lo, ltc, p)
        accounts = self._account(rows)
        accounts[rows, 0] += qalys * d
        accounts[rows, 1] += wellbys * d
        accounts[rows, 2] += cost * d
        accounts[rows, 3] = week + 1

    @staticmethod
    def horizon_weeks(p: Params) -> int:
        return round(p.economic_horizon_years * WEEKS_A_YEAR)

    # ------------------------------------------------------------------ events
    def discharged_by_service(self, row: int, week: int) -> None:
        """The supported pathway discharged this person: their team contacts stop from this week to the
        horizon, for as long as routine discharge would have kept them on the caseload."""
        p, register = self.model.p, self.model.register
        referred = int(register.referred_week[row])
        if referred < self.since_week:
            return
        end = referred + self.horizon_weeks(p)
        weeks = np.arange(week, max(week, end))
        saving = (p.cmht_contacts_per_year * p.cmht_contact_cost_gbp / WEEKS_A_YEAR
                  * staying_on_caseload(weeks - week, p.mh_discharge_rate_per_year + p.cmht_rereferral_rate_per_year)
                  * discount(weeks - self.since_week, p.discount_rate_per_year))  # fmt: skip
        self._account(row)[row, 2] -= float(saving.sum())

    def closed(self, row: int, week: int, record_index: int) -> None:
        """Row ``row``'s record (``observers.records[record_index]``) closed at ``week`` (``closed_many``)."""
        self.closed_many(np.array([row]), week, np.array([record_index]))

    def closed_many(self, rows: np.ndarray, week: int, record_indices: np.ndarray) -> None:
        """These rows' records (``observers.records[record_indices]``) closed at ``week``: what the service had
        given them then is kept (their state is copied: they may go on in the pathway), and the rest of their
        horizon is counted when the week ends, for everyone whose record closed that week at once (``settle``)."""
        counted = self.model.register.referred_week[rows] >= self.since_week
        if counted.any():
            rows, record_indices = rows[counted], np.asarray(record_indices)[counted]
            self._pending.append((week, rows, record_indices, self.model.register.state_copy(rows)))

    def settle(self) -> None:
        """Add the rest of the horizon for the records closed since the last call, as if the service stopped
        then (what it gave fading as the model's gains fade, on a natural course held where it was), and
        write each person's account into their record."""
        pending, self._pending = self._pending, []
        for week in sorted({w for w, *_ in pending}):
            batches = [entry for entry in pending if entry[0] == week]
            rows = np.concatenate([rows for _, rows, _, _ in batches])
            indices = np.concatenate([indices for _, _, indices, _ in batches])
            state = {key: np.concatenate([s[key] for *_, s in batches]) for key in batches[0][3]}
            start, end = self._rest_of_horizon(rows)
            width = max(int((end - start).max()), 0)  # the same grid for the whole week: the same sums
            # at most SETTLE_ROWS people at a time: at the end of an ICB's run 20,000 records close at once,
            # and their people x weeks grids took 270 MB
            for first in range(0, len(rows), SETTLE_ROWS):
                chunk = slice(first, first + SETTLE_ROWS)
                self._settle(week, rows[chunk], indices[chunk].tolist(),
                             {key: column[chunk] for key, column in state.items()}, width)  # fmt: skip

    def _rest_of_horizon(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The first week of each row's horizon not yet counted, and the week after its horizon ends."""
        register, accounts = self.model.register, self._account(rows)
        start = np.where(accounts[rows, 3] > 0, accounts[rows, 3], register.referred_week[rows])
        return start, register.referred_week[rows] + self.horizon_weeks(self.model.p)

    def _settle(self, week: int, rows: np.ndarray, record_indices: list[int], states: dict[str, np.ndarray],
                width: int) -> None:  # fmt: skip
        model, p, register = self.model, self.model.p, self.model.register
        state = {key: column[:, None] for key, column in states.items()}  # people x 1
        natural_sw, natural_lo = (x[:, None] for x in model.course.scores(register.person[rows].astype(np.int64), week))
        now_sw, _ = with_service(natural_sw, natural_lo, week, p, **state)
        accounts = self._account(rows)
        start, end = (x[:, None] for x in self._rest_of_horizon(rows))
        weeks = start + np.arange(width)[None, :]  # people x weeks
        if weeks.shape[1]:
            sw, lo = with_service(natural_sw, natural_lo, weeks, p, **stopped(state, week, p.gain_retained_share))
            ltc = model.catchment.ltc_count[register.person[rows].astype(np.int64)][:, None]
            qalys, wellbys, cost = weekly_values(sw, lo, natural_sw, natural_lo, ltc, p)
            d = np.where(weeks < end, discount(weeks - self.since_week, p.discount_rate_per_year), 0.0)
            accounts[rows, 0] += (qalys * d).sum(axis=1)
            accounts[rows, 1] += (wellbys * d).sum(axis=1)
            accounts[rows, 2] += (cost * d).sum(axis=1)
        records = model.observers.records
        above = (now_sw[:, 0] - natural_sw[:, 0]).tolist()
        for row, index, above_natural in zip(rows.tolist(), record_indices, above, strict=True):
            qalys, wellbys, care = accounts[row, :3].tolist()
            records.set(index, qalys_gained=qalys, wellbys_gained=wellbys, care_cost_change_gbp=care,
                        swemwbs_above_natural=above_natural)  # fmt: skip


def stopped(state: dict[str, np.ndarray], week: int, retained_share: float) -> dict[str, np.ndarray]:
    """A register state (people x 1 arrays) as it would be if everything the service gave stopped at ``week``:
    attendance pauses (``Mechanisms.pause``: the retained share of each level kept for good, the rest fading)
    and link worker support ends."""
    attending = state["paused"] == math.inf
    out = dict(state)
    out["paused"] = np.where(attending, float(week), state["paused"])
    for level, floor in zip(LEVELS, FLOORS, strict=True):
        out[floor] = np.where(attending, np.maximum(state[floor], retained_share * state[level]), state[floor])
    supported = (state["support_until"] == math.inf) & (state["support_from"] <= week)
    out["support_until"] = np.where(supported, float(week), state["support_until"])
    return out
