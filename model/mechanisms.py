"""Mechanisms of action and the outcomes they move (Aughterson 2024; Dayson 2020).

Attending a group builds three mechanisms, each a level in [0, 1]: psychological (confidence,
purpose, achievement, pleasure), social (support, friendship, belonging, less loneliness) and
behavioural (independence, healthier habits, work-seeking, routine). Wellbeing (SWEMWBS, 7-35) and
loneliness (UCLA-3, 3-9) follow from them, on top of the natural course a person would have had
without social prescribing. When attendance stops, part of each level fades (Wildman 2019).

The levels change only when a person attends, and fade by a closed formula otherwise, so a person
who is not attending costs nothing per week: their outcomes are evaluated when they are needed.

The formulas below work on one person's numbers and on numpy arrays of many people's alike (model/arrays.py):
``Patient.outcomes_at`` and the outcome record call them with one person's, the wellbeing register
(model/wellbeing.py) and the economics account (model/health_economics.py) with arrays. There is one copy of each.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .activities import Activity
from .arrays import clip, is_array, worked_out_where
from .session_shares import session_shares

if TYPE_CHECKING:
    from .wellbeing import WellbeingRegister

LEVELS = ("level_psych", "level_social", "level_behav")  # the register's columns (model/wellbeing.py)
FLOORS = ("floor_psych", "floor_social", "floor_behav")
LEVEL_FLOORS = tuple(zip(LEVELS, FLOORS, strict=True))
FEWEST_PAUSED = 16  # fewer people are paused one by one (``Mechanisms.pause_many``): a speed setting only

SWEMWBS_RANGE = (7.0, 35.0)
UCLA_RANGE = (3.0, 9.0)


class Mechanisms:
    """A person's psychological, social and behavioural mechanism levels, with fading when paused: a view onto
    their row of the wellbeing register (model/wellbeing.py), where the levels live as columns so that a week's
    sessions are built for every group member at once (``build_sessions``).

    When attendance stops, a share of each level is kept for good (a floor that only rises) and the
    rest fades with a half-life; a second break does not erode what was kept after the first.
    """

    __slots__ = ("_retain", "_register", "_row")

    def __init__(self, retained_share: float, half_life_weeks: float, register: WellbeingRegister | None = None,
                 row: int | None = None):  # fmt: skip
        if register is None:  # a person of their own (tests, the docs' examples): a one-row register
            from .wellbeing import WellbeingRegister

            register = WellbeingRegister(capacity=1)
            row = register.enrol(0, 0, 0.0, 0.0, half_life_weeks)
        self._retain, self._register, self._row = retained_share, register, row

    def _get(self, names: tuple[str, ...]) -> list[float]:
        cols, row = self._register.columns, self._row
        return [cols[name].item(row) for name in names]

    def _set(self, names: tuple[str, ...], values) -> None:
        cols, row = self._register.columns, self._row
        for name, value in zip(names, values, strict=True):
            cols[name][row] = value

    @property
    def levels(self) -> list[float]:
        """The three levels (a copy: ``set_levels`` changes them)."""
        return self._get(LEVELS)

    def set_levels(self, levels) -> None:
        self._set(LEVELS, levels)

    @property
    def floor(self) -> list[float]:
        return self._get(FLOORS)

    @property
    def paused_at(self) -> float | None:
        """When attendance last stopped; None while attending (or before ever attending)."""
        week = float(self._register.paused_at[self._row])
        return None if week == math.inf else week

    @paused_at.setter
    def paused_at(self, week: float | None) -> None:
        self._register.paused_at[self._row] = math.inf if week is None else week

    @property
    def psychological(self) -> float:
        return float(self._register.level_psych[self._row])

    @property
    def social(self) -> float:
        return float(self._register.level_social[self._row])

    @property
    def behavioural(self) -> float:
        return float(self._register.level_behav[self._row])

    def build(self, activity: Activity, growth: float) -> None:
        """One session attended (``build_sessions`` for one person)."""
        build_sessions(self._register, np.array([self._row]), np.array(session_shares(
            activity.psychological, activity.social, activity.behavioural, growth))[:, None])

    def pause(self, week: float) -> None:
        """Attendance stops: the retained share of each level becomes a floor; the rest starts to fade."""
        register, row = self._register, self._row
        if (paused_at := register.paused_at).item(row) == math.inf:  # attending until now (``paused_at`` is None)
            paused_at[row] = week
            cols, retain = register.columns, self._retain
            for level, floor in LEVEL_FLOORS:  # (no list made: a person's pause is very common)
                kept, column = retain * cols[level].item(row), cols[floor]
                if kept > column.item(row):  # ``max``: the floor only rises (left as it is, not written again)
                    column[row] = kept

    @staticmethod
    def pause_many(people: list[Mechanisms], week: float) -> None:
        """``pause`` for many people at once (different people, of one register: a week's drop-outs or those moving
        on, once each has left their group), with each person's own retained share; the same numbers. A few are paused
        one by one: the arrays cost about 16 people's own pauses (a place of 150,000 adults: about six a week)."""
        if len(people) < FEWEST_PAUSED:
            for mechanisms in people:
                mechanisms.pause(week)
            return
        register = people[0]._register
        rows = np.array([mechanisms._row for mechanisms in people], dtype=np.int64)
        retain = np.array([mechanisms._retain for mechanisms in people])
        attending = register.paused_at[rows] == math.inf  # (the rest paused already: as they are)
        rows, retain = rows[attending], retain[attending]
        register.paused_at[rows] = week
        cols = register.columns
        for level, floor in LEVEL_FLOORS:
            kept, column = retain * cols[level][rows], cols[floor]
            now = column[rows]
            column[rows] = np.where(kept > now, kept, now)  # the floor only rises (``pause``'s test, not ``max``)

    def resume(self, week: float) -> None:
        """Attendance restarts from the faded levels (not paused, or paused this week: as they are)."""
        register, row = self._register, self._row
        if (since := register.paused_at.item(row)) != math.inf:
            if week > since and (levels := self._faded(self.levels, week, since)) is not None:
                self._set(LEVELS, levels)
            register.paused_at[row] = math.inf

    def at(self, week: float) -> tuple[float, float, float]:
        lv = self.levels
        if lv[0] == lv[1] == lv[2] == 0.0:
            return (0.0, 0.0, 0.0)  # never attended: most people, most of the time
        return self._faded(lv, week, self._register.paused_at.item(self._row)) or (lv[0], lv[1], lv[2])

    def _faded(self, lv: list[float], week: float, since: float) -> tuple[float, float, float] | None:
        """The levels ``lv`` faded since ``since`` (``fading``'s arithmetic for one person), or None if they have
        not changed: never attended (all three 0.0), or nothing faded (a share of 1.0 left)."""
        if lv[0] == lv[1] == lv[2] == 0.0:
            return None
        r = fading(week, since, self._register.half_life.item(self._row))
        if r == 1.0:
            return None
        fl = self.floor
        return (faded(lv[0], fl[0], r), faded(lv[1], fl[1], r), faded(lv[2], fl[2], r))


def build_sessions(register: WellbeingRegister, rows: np.ndarray, shares: np.ndarray) -> None:
    """One session attended by each of ``rows`` (different people): each level grows towards 1, closing ``shares``
    (3 x people: a row per mechanism, from ``session_shares`` of their group's activity) of its remaining room: the
    more so the larger the activity's weight.

    A mechanism of weight ``w`` closes ``1 - (1 - growth) ** (3 * w)`` of its remaining room: as if
    ``3 * w`` sessions of an activity building all three mechanisms equally. Weights of an activity
    sum to 1, so an activity that builds all three equally (w = 1/3) grows each at ``growth`` per
    session. The share closed lies in [0, 1] for every growth and weight in [0, 1], so each level
    stays in [0, 1] and never falls while attending (``growth * 3 * w`` exceeded 1, overshooting 1
    and then oscillating, for a weight above 1 / (3 * growth): 0.6 at growth 0.9).
    """
    if not len(rows):
        return
    for name, share in zip(LEVELS, shares, strict=True):
        column = register.columns[name]
        level = column[rows]  # (read once: ``rows`` are different people, so ``+=`` would read them again)
        column[rows] = level + share * (1 - level)
    register.weeks_attended[rows] += 1


def fading(week, since, half_life):
    """Share of a gain still there at ``week``: all of it up to ``since`` (infinite: not fading), then halving
    every ``half_life`` weeks."""
    after = week > since
    if not is_array(after):
        return _halved(week, since, half_life) if after else 1.0  # one person: only worked out when needed
    # many people (the weekly reading), or people x weeks (a projection): only the fading ones are worked out, the
    # same numbers one by one (0.5 ** -inf, for everyone not fading, costs several times a finite power)
    ones = np.empty(after.shape)  # (``np.ones`` is its Python wrapper round these two)
    ones.fill(1.0)
    return worked_out_where(ones, after, _halved, week, since, half_life)


def _halved(week, since, half_life):
    # each gap's own power: a table of whole-week gaps' powers, gathered, cost more than it saved at the model's
    # sizes (the fourteenth round: 9.8 against 4.6 us at a projection's ~700 cells; 12.8 against 7.2 ms over all of
    # a 150,000-adult replicate's calls), and NumPy's power is the same element by element either way
    return 0.5 ** ((week - since) / half_life)


def faded(level, floor, remaining):
    """A mechanism level (or a sum of levels) fading towards what is kept for good, ``floor``."""
    return floor + (level - floor) * remaining


def support_left(week, support_from, support_until, half_life):
    """How much of link worker support's own effect someone has at ``week``: none before support began, all of
    it while it lasts, fading with the gains' half-life after it ends."""
    before = week < support_from
    if not is_array(before):
        return 0.0 if before else fading(week, support_until, half_life)
    # many people: as ``fading``, worked out only for those whose support has ended (not for those yet to begin it)
    fade = (week > support_until) & ~before
    return worked_out_where(np.where(fade | before, 0.0, 1.0), fade, _halved, week, support_until, half_life)


def swemwbs(natural, mechanisms, gain_max, support=0.0):
    """SWEMWBS score: the person's natural course, plus link worker support, plus the mean mechanism level
    times the full gain. ``mechanisms``: the three levels (numbers, or arrays of many people's).

    Equal weights for the three mechanism kinds: Aughterson 2024 finds all three shared across groups
    and Dayson 2020 reports emotional, psychological and social wellbeing alike (assumption).
    """
    psychological, social, behavioural = mechanisms  # (added as ``sum`` does, less its first 0 + a copy)
    return clip(natural + support + gain_max * (psychological + social + behavioural) / 3, SWEMWBS_RANGE)


def ucla(natural, social, reduction_max, support=0.0):
    """UCLA-3 loneliness score: the natural course, lowered by link worker support and by the social
    mechanism (friendship, belonging)."""
    return clip(natural - support - reduction_max * social, UCLA_RANGE)
