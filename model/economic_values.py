"""What a week of a person's life is worth in the economic account (model/health_economics.py), on arrays: the
QALYs, WELLBYs and GP + A&E cost above their natural course, discounting, a mental health team's caseload, and the
projection of the rest of a horizon once the service has stopped giving anything.

- Utility: linear in SWEMWBS through ``utility_at_population_swemwbs`` at the population mean, with slope
  ``utility_per_swemwbs_point``, bounded as ReQoL-UI utilities are (-0.195 to 1; Keetharuth 2020).
- The projection (``projected``): what the service gave fades as the model's gains fade after attendance stops
  (``gain_retained_share`` kept for good, the rest halving every person's ``half_life``; link worker support's
  own effect fading alike), on a natural course held where it was when the projection starts. For a person who
  has left the pathway this is what the model itself would go on to give them (their state no longer changes),
  but for the natural course; at the end of a run it is an assumption (as if the service stopped then).
"""

from __future__ import annotations

import math
from functools import lru_cache
from itertools import accumulate
from typing import TYPE_CHECKING

import numpy as np

from .mechanisms import FLOORS, LEVELS
from .register_columns import STATE_KEYS
from .scores_with_service import with_service
from .service_use import service_use

if TYPE_CHECKING:
    from .model import SocialPrescribingModel
    from .parameters import Params

WEEKS_A_YEAR = 52
UTILITY_RANGE = (-0.195, 1.0)  # the ReQoL-UI value set's worst and best states (Keetharuth et al. 2020)


def horizon_weeks(p: Params) -> int:
    """The weeks of an account's horizon from referral."""
    return round(p.economic_horizon_years * WEEKS_A_YEAR)


def discount(weeks_since_start: np.ndarray | float, rate: float) -> np.ndarray | float:
    return (1.0 + rate) ** (-np.asarray(weeks_since_start, dtype=float) / WEEKS_A_YEAR)


def utility(swemwbs: np.ndarray, p: Params) -> np.ndarray:
    u = p.utility_at_population_swemwbs + p.utility_per_swemwbs_point * (swemwbs - p.swemwbs_population_mean)
    return u.clip(*UTILITY_RANGE)  # (``np.clip``'s own call, without its wrappers)


def weekly_values(sw, lo, natural_sw, natural_lo, ltc, p: Params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per person, one week's QALYs, WELLBYs and GP + A&E cost above the natural course (undiscounted)."""
    return above_natural(sw, lo, natural_sw, *worth_of([(sw, lo, ltc), (natural_sw, natural_lo, ltc)], p), p)


def differing(model: SocialPrescribingModel, rows: np.ndarray, week: int,
              ltc: np.ndarray) -> tuple[np.ndarray, tuple, list]:  # fmt: skip
    """Of the accounts ``rows``, those whose scores at ``week`` differ from their natural course's (the rest, not
    supported and no group yet, add exactly nothing: an account is never -0.0, so adding 0.0 or -0.0 leaves it as it
    was), told apart on the week's reading (shared with the weekly means) so that only their values are gathered:
    their rows, (SWEMWBS, UCLA-3, natural SWEMWBS) and their two groups for ``worth_of`` (``weekly_values`` in parts).
    ``ltc``: each register row's person's long-term conditions."""
    register = model.register
    at, (read, sw, lo, natural_sw, natural_lo) = register.reading_at(week, model.course, model.p, rows)
    gains = at[((sw != natural_sw) | (lo != natural_lo))[at]]  # in the reading, in the accounts' order
    changed = read[gains]
    ltc = ltc[changed]
    sw, lo, natural_sw = sw[gains], lo[gains], natural_sw[gains]
    return changed, (sw, lo, natural_sw), [(sw, lo, ltc), (natural_sw, natural_lo[gains], ltc)]


class NaturalWorths:
    """Each open account's natural course's ``week_worth`` (utility, GP + A&E cost), kept with the scores and the
    parameters it was worked out for: a natural course holds for a spell (about a year), so most weeks most accounts'
    natural worth is the one kept (the same numbers: worked out element by element from the same scores and the row's
    person's long-term conditions), and only the rest are worked out (two powers and some twenty steps a row: at
    150,000 adults 644 accounts differ from their natural course a week, 45 of them with a natural course moved).
    Kept from the first open account's row on (rows before it are finished, never asked for again): an account is
    open for about its horizon, so the columns hold a fraction of the register's rows (an ICB's peak of memory)."""

    def __init__(self) -> None:
        self._p = None  # the parameters the kept worths are for (new ones, a policy's, start afresh)
        self._first = 0  # the register row of the columns' first element
        self._sw, self._lo, self._utility, self._cost = (np.zeros(0) for _ in range(4))

    def due(self, rows: np.ndarray, natural: tuple, p: Params, first: int, size: int) -> tuple[np.ndarray, tuple]:
        """Where, among ``rows`` (of a register of ``size`` rows, none before ``first``, which never falls), the worth
        kept is not for the scores ``natural`` (natural SWEMWBS, UCLA-3 and long-term conditions, one a row), and
        those rows' ``natural``."""
        if self._p is not p or size > self._first + len(self._sw):
            self._refit(p, first, size)
        at = rows - self._first
        stale = np.flatnonzero((self._sw[at] != natural[0]) | (self._lo[at] != natural[1]))  # (nan: none kept)
        return stale, tuple(column[stale] for column in natural)

    def _refit(self, p: Params, first: int, size: int) -> None:
        """The columns from row ``first``, with room for half as many rows again as are open, what is kept kept."""
        start = first - self._first  # (the kept rows from ``first`` on: none for other parameters)
        keep = max(0, len(self._sw) - start) if self._p is p else 0
        capacity = max(size - first, keep) * 3 // 2 + 64
        self._sw, self._lo, self._utility, self._cost = (
            np.concatenate([column[start : start + keep], np.full(capacity - keep, np.nan)])
            for column in (self._sw, self._lo, self._utility, self._cost))  # fmt: skip
        self._first, self._p = first, p

    def kept(self, rows: np.ndarray, stale: np.ndarray, natural: tuple, worth: tuple) -> tuple[np.ndarray, np.ndarray]:
        """Keep ``worth`` (``week_worth``), worked out for the ``stale`` of ``rows``; each row's worth now kept."""
        at = rows - self._first
        self._sw[at[stale]], self._lo[at[stale]] = natural[0][stale], natural[1][stale]
        self._utility[at[stale]], self._cost[at[stale]] = worth
        return self._utility[at], self._cost[at]


def worth_of(groups: list[tuple[np.ndarray, np.ndarray, np.ndarray]], p: Params) -> list[tuple]:
    """``week_worth`` of each of ``groups`` (SWEMWBS, UCLA-3 and long-term conditions: the scores, the natural
    course's, a projection's), worked out as one array (the same numbers, element by element: fewer NumPy calls, each
    with a fixed cost larger than a week's work for a few people)."""
    worth = week_worth(*(np.concatenate(column) for column in zip(*groups, strict=True)), p)
    ends = list(accumulate(len(group[0]) for group in groups))
    return [tuple(x[start:end] for x in worth) for start, end in zip([0, *ends[:-1]], ends, strict=True)]


def week_worth(sw, lo, ltc, p: Params) -> tuple[np.ndarray, np.ndarray]:
    """A week at these scores: its utility (a year's worth) and its GP + A&E cost."""
    gp, ae = service_use(sw, lo, ltc, p)  # the outcome record's formula, on arrays
    return utility(sw, p), (gp * p.gp_consultation_cost_gbp + ae * p.ae_attendance_cost_gbp) / WEEKS_A_YEAR


def above_natural(sw, lo, natural_sw, worth, natural_worth, p: Params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``weekly_values`` from the two weeks' ``week_worth``."""
    qalys = (worth[0] - natural_worth[0]) / WEEKS_A_YEAR
    wellbys = (sw - natural_sw) * p.ls_per_swemwbs_point / WEEKS_A_YEAR
    return qalys, wellbys, worth[1] - natural_worth[1]


def staying_on_caseload(weeks_after: np.ndarray, rate_per_year: float) -> np.ndarray:
    """Chance that someone still on a secondary mental health team's caseload is still on it ``weeks_after``
    (routine discharge as a Poisson rate, ``parameters.chance_within``'s convention)."""
    return np.exp(-rate_per_year * np.asarray(weeks_after, dtype=float) / WEEKS_A_YEAR)


def contacts_saved(p: Params, week: int, end: int, since_week: int) -> float:
    """The cost of a mental health team's contacts saved, discounted, by a discharge at ``week`` to the horizon's
    ``end``, for as long as routine discharge or re-referral would have kept the person on the caseload."""
    weeks = np.arange(week, max(week, end))
    saving = (p.cmht_contacts_per_year * p.cmht_contact_cost_gbp / WEEKS_A_YEAR
              * staying_on_caseload(weeks - week, p.mh_discharge_rate_per_year + p.cmht_rereferral_rate_per_year)
              * discount(weeks - since_week, p.discount_rate_per_year))  # fmt: skip
    return float(saving.sum())


def touched(model: SocialPrescribingModel, rows: np.ndarray) -> np.ndarray:
    """Which of ``rows`` the service ever gave anything (support, or a mechanism built at a group): anyone else
    adds exactly nothing in any week, so a projection may leave them out."""
    register = model.register
    out = register.support_from[rows] < math.inf
    for level in LEVELS:
        out |= register.columns[level][rows] != 0.0
    return out


def projected(model: SocialPrescribingModel, rows: np.ndarray, week: int, start: np.ndarray, end: np.ndarray,
              width: int, since_week: int, also: list = (), *,
              ltc: np.ndarray) -> tuple[np.ndarray, list[tuple]]:  # fmt: skip
    """Per row (people x 3): discounted QALYs, WELLBYs and GP + A&E cost above the natural course over weeks
    ``start`` to ``end`` (exclusive; at most ``width`` weeks), as if everything the service gave stopped at
    ``week`` (see the module's docstring). Every row is summed over a grid of the same ``width``: the same sums
    whichever rows are projected together. Also the ``worth_of`` the groups ``also`` (the week's scores, in the
    weekly account), worked out with the cells' (one pass instead of two: the same numbers). ``ltc``: the rows'
    people's long-term conditions."""
    p, register = model.p, model.register
    weeks = start[:, None] + np.arange(width)[None, :]  # people x weeks
    within = weeks < end[:, None]  # each row's weeks of its horizon: the first ones of its row
    per_cell = within.sum(axis=1)  # only these are worked out, each row's repeated for its weeks (in row order)
    # the state as it stops, repeated for each row's cells (one block: a gather and a repeat, not eleven of each)
    state = stopped(register.state_block(rows), week, p.gain_retained_share).repeat(per_cell, axis=1)
    # the natural course's, as the register keeps it for each row (``NaturalCourse.scores``: the same numbers, read
    # again only where a spell ended: the leavers were read with the week)
    natural_sw, natural_lo = register.natural(rows, week, model.course)
    natural_sw_cells = natural_sw.repeat(per_cell)
    cells = weeks[within]
    sw, lo = with_service(natural_sw_cells, natural_lo.repeat(per_cell), cells, p, **dict(zip(STATE_KEYS, state)))
    # the cells' worth and each person's natural course's (once a person, then repeated for their cells)
    worth, natural_worth, *also_worth = worth_of([(sw, lo, ltc.repeat(per_cell)), (natural_sw, natural_lo, ltc),
                                                  *also], p)  # fmt: skip
    natural_worth = tuple(x.repeat(per_cell) for x in natural_worth)
    values = above_natural(sw, lo, natural_sw_cells, worth, natural_worth, p)
    d = _discounts(cells, start, end, since_week, p.discount_rate_per_year)
    # summed over the whole grid (the three values' grids as one), the weeks after a horizon adding 0.0 (an account
    # is never -0.0: adding 0.0 or the -0.0 that a week's loss times a zero weight gave is the same); each row of
    # the grid is summed along its weeks as one contiguous row, as a grid of one value was
    grid = np.zeros((len(values), *within.shape))
    for value, values_grid in zip(values, grid, strict=True):  # (a mask of the grid's own shape: NumPy's quick path)
        values_grid[within] = value * d
    return grid.sum(axis=2).T, also_worth


def _discounts(cells: np.ndarray, start: np.ndarray, end: np.ndarray, since_week: int, rate: float) -> np.ndarray:
    """``discount`` of each cell's week (whole weeks from ``start`` to ``end``), gathered from a table of the weeks
    since ``since_week`` worked out once for the run's rate (a power a week of the run instead of one a cell, and
    instead of the span's at every projection: the same numbers, element by element)."""
    first, last = int(start.min()), int(end.max())
    if first < since_week:  # (not a projection of the model's: its accounts start within the window)
        return discount(cells - since_week, rate)
    return _discount_table(rate, 1 << max(last - since_week, 64).bit_length())[(cells - since_week).astype(np.intp)]


@lru_cache(maxsize=8)
def _discount_table(rate: float, weeks: int) -> np.ndarray:
    """``discount`` of weeks 0 to ``weeks`` - 1 since the window opened (read only: shared by every projection)."""
    table = discount(np.arange(weeks), rate)
    table.flags.writeable = False
    return table


# where each part of the state is in a state block (``WellbeingRegister.state_block``: a row per ``STATE_KEYS``)
PAUSED, SUPPORT_FROM, SUPPORT_UNTIL = (STATE_KEYS.index(key) for key in ("paused", "support_from", "support_until"))
LEVEL_ROWS = slice(STATE_KEYS.index(LEVELS[0]), STATE_KEYS.index(LEVELS[0]) + len(LEVELS))
FLOOR_ROWS = slice(STATE_KEYS.index(FLOORS[0]), STATE_KEYS.index(FLOORS[0]) + len(FLOORS))  # (in the levels' order)


def stopped(state: np.ndarray, week: int, retained_share: float) -> np.ndarray:
    """A state block (``WellbeingRegister.state_block``: a row per ``STATE_KEYS``, a column per person) as it would be
    if everything the service gave stopped at ``week``: attendance pauses (``Mechanisms.pause``: the retained share of
    each level kept for good, the rest fading) and link worker support ends. Written in place, and returned."""
    attending = state[PAUSED] == math.inf
    floors = state[FLOOR_ROWS]
    supported = (state[SUPPORT_UNTIL] == math.inf) & (state[SUPPORT_FROM] <= week)
    state[PAUSED] = np.where(attending, float(week), state[PAUSED])
    floors[:] = np.where(attending, np.maximum(floors, retained_share * state[LEVEL_ROWS]), floors)
    state[SUPPORT_UNTIL] = np.where(supported, float(week), state[SUPPORT_UNTIL])
    return state
