"""Mechanisms of action and the outcomes they move (Aughterson 2024; Dayson 2020).

Attending a group builds three mechanisms, each a level in [0, 1]: psychological (confidence,
purpose, achievement, pleasure), social (support, friendship, belonging, less loneliness) and
behavioural (independence, healthier habits, work-seeking, routine). Wellbeing (SWEMWBS, 7-35) and
loneliness (UCLA-3, 3-9) follow from them, on top of the natural course a person would have had
without social prescribing. When attendance stops, part of each level fades (Wildman 2019).

The levels change only when a person attends, and fade by a closed formula otherwise, so a person
who is not attending costs nothing per week: their outcomes are evaluated when they are needed.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING

from .activities import Activity

if TYPE_CHECKING:
    from .wellbeing import WellbeingRegister

SWEMWBS_RANGE = (7.0, 35.0)
UCLA_RANGE = (3.0, 9.0)


def clip_score(x: float, lo_hi: tuple[float, float]) -> float:
    return min(max(x, lo_hi[0]), lo_hi[1])


@lru_cache(maxsize=256)
def session_shares(psychological: float, social: float, behavioural: float, growth: float) -> tuple[float, float, float]:
    """The share of its remaining room that one session closes, per mechanism, for an activity of these
    weights (see ``Mechanisms.build``): a few values used every week, so computed once each."""
    keep = 1.0 - growth  # the room a session at weight 1/3 leaves
    return 1.0 - keep ** (3 * psychological), 1.0 - keep ** (3 * social), 1.0 - keep ** (3 * behavioural)


class Mechanisms:
    """A person's psychological, social and behavioural mechanism levels, with fading when paused.

    When attendance stops, a share of each level is kept for good (a floor that only rises) and the
    rest fades with a half-life; a second break does not erode what was kept after the first.
    """

    __slots__ = ("levels", "floor", "paused_at", "_retain", "_half_life", "_register", "_row")

    def __init__(self, retained_share: float, half_life_weeks: float, register: WellbeingRegister | None = None,
                 row: int = 0):  # fmt: skip
        self.levels = [0.0, 0.0, 0.0]  # psychological, social, behavioural
        self.floor = [0.0, 0.0, 0.0]  # what is kept for good
        self.paused_at: float | None = None  # None while attending (or before ever attending)
        self._retain = retained_share
        self._half_life = half_life_weeks
        self._register = register  # the wellbeing register's row, kept in step with these levels
        self._row = row

    @property
    def psychological(self) -> float:
        return self.levels[0]

    @property
    def social(self) -> float:
        return self.levels[1]

    @property
    def behavioural(self) -> float:
        return self.levels[2]

    def build(self, activity: Activity, growth: float) -> None:
        """One session attended: each level grows towards 1, the more so the larger the activity's weight.

        A mechanism of weight ``w`` closes ``1 - (1 - growth) ** (3 * w)`` of its remaining room: as if
        ``3 * w`` sessions of an activity building all three mechanisms equally. Weights of an activity
        sum to 1, so an activity that builds all three equally (w = 1/3) grows each at ``growth`` per
        session. The share closed lies in [0, 1] for every growth and weight in [0, 1], so each level
        stays in [0, 1] and never falls while attending (``growth * 3 * w`` exceeded 1, overshooting 1
        and then oscillating, for a weight above 1 / (3 * growth): 0.6 at growth 0.9).
        """
        lv = self.levels
        psychological, social, behavioural = session_shares(
            activity.psychological, activity.social, activity.behavioural, growth)
        lv[0] += psychological * (1 - lv[0])
        lv[1] += social * (1 - lv[1])
        lv[2] += behavioural * (1 - lv[2])
        if self._register is not None:
            self._register.level_sum[self._row] = lv[0] + lv[1] + lv[2]
            self._register.level_social[self._row] = lv[1]

    def _remaining(self, week: float) -> float:
        """Share of the part above the floor still there at ``week``."""
        if self.paused_at is None or week <= self.paused_at:
            return 1.0
        return 0.5 ** ((week - self.paused_at) / self._half_life)

    def pause(self, week: float) -> None:
        """Attendance stops: the retained share of each level becomes a floor; the rest starts to fade."""
        if self.paused_at is None:
            self.paused_at = week
            self.floor = fl = [max(f, self._retain * v) for f, v in zip(self.floor, self.levels, strict=True)]
            if self._register is not None:
                self._register.floor_sum[self._row] = fl[0] + fl[1] + fl[2]
                self._register.floor_social[self._row] = fl[1]
                self._register.paused_at[self._row] = week

    def resume(self, week: float) -> None:
        """Attendance restarts from the faded levels."""
        self.levels = lv = list(self.at(week))
        self.paused_at = None
        if self._register is not None:
            self._register.level_sum[self._row] = lv[0] + lv[1] + lv[2]
            self._register.level_social[self._row] = lv[1]
            self._register.paused_at[self._row] = math.inf

    def at(self, week: float) -> tuple[float, float, float]:
        lv = self.levels
        if lv[0] == lv[1] == lv[2] == 0.0:
            return (0.0, 0.0, 0.0)  # never attended: most people, most of the time
        r = self._remaining(week)
        if r == 1.0:
            return (lv[0], lv[1], lv[2])
        fl = self.floor
        return (fl[0] + (lv[0] - fl[0]) * r, fl[1] + (lv[1] - fl[1]) * r, fl[2] + (lv[2] - fl[2]) * r)


def swemwbs(natural: float, mechanisms: tuple[float, float, float], gain_max: float, support: float = 0.0) -> float:
    """SWEMWBS score: the person's natural course, plus link worker support, plus the mean mechanism level
    times the full gain.

    Equal weights for the three mechanism kinds: Aughterson 2024 finds all three shared across groups
    and Dayson 2020 reports emotional, psychological and social wellbeing alike (assumption).
    """
    return clip_score(natural + support + gain_max * sum(mechanisms) / 3, SWEMWBS_RANGE)


def ucla(natural: float, social: float, reduction_max: float, support: float = 0.0) -> float:
    """UCLA-3 loneliness score: the natural course, lowered by link worker support and by the social
    mechanism (friendship, belonging)."""
    return clip_score(natural - support - reduction_max * social, UCLA_RANGE)


def loneliness_weight(ucla_score: float) -> float:
    """How far a UCLA-3 score is from 'not lonely' (3) to 'chronically lonely' (7 and over), in [0, 1]."""
    return clip_score((ucla_score - 3.0) / 4.0, (0.0, 1.0))


def service_use_rate(base: float, per_ltc: float, ltc_count: int, ucla_score: float, lonely_ratio: float) -> float:
    """Yearly GP consultations or A&E attendances: need sets the base, loneliness multiplies it."""
    return (base + per_ltc * ltc_count) * (1 + (lonely_ratio - 1) * loneliness_weight(ucla_score))
