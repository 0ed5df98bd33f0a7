"""Health economics in a commissioner's currency (issue 15): discounting, QALYs and WELLBYs from SWEMWBS.

The building blocks, kept free of the model so that a hand-computed case can check them exactly:

- money and health are counted week by week, each week ``w`` after the start discounted by
  ``(1 + rate) ** (-w / 52)`` (NICE's reference case: 3.5% a year for both, PMG36);
- a week at SWEMWBS ``s`` is worth ``utility(s)`` / 52 QALYs, with utility linear in SWEMWBS (an interim
  slope: the SWEMWBS to ReQoL-UI mapping of Keetharuth et al. 2024 is the source to use once its
  coefficients are copied; seeds/EVIDENCE-economics.md section 1);
- a SWEMWBS point held for a year is worth ``ls_per_swemwbs_point`` points of life satisfaction, that is
  as many WELLBYs (HM Treasury Green Book wellbeing guidance 2021; Mukuria et al. 2016 for the exchange
  rate);
- after the last observed week a gain fades as the model's own gains do: a retained share stays, the rest
  halves every ``half_life_weeks``.
"""

from __future__ import annotations

import numpy as np

WEEKS_A_YEAR = 52


def discount_factors(weeks: int, rate: float, start_week: int = 0) -> np.ndarray:
    """The factor of each of ``weeks`` weeks from ``start_week`` (week 0 is undiscounted)."""
    w = np.arange(start_week, start_week + weeks, dtype=float)
    return (1.0 + rate) ** (-w / WEEKS_A_YEAR)


def utility(swemwbs: np.ndarray | float, slope: float, anchor_utility: float, anchor_swemwbs: float):
    """Health-state utility at a SWEMWBS score: linear through (anchor_swemwbs, anchor_utility)."""
    return anchor_utility + slope * (np.asarray(swemwbs, dtype=float) - anchor_swemwbs)


def discounted_sum_per_week(values_per_week: np.ndarray, rate: float, start_week: int = 0) -> float:
    """Sum of weekly values, each discounted to week 0 (e.g. weekly costs, or weekly utilities / 52)."""
    v = np.asarray(values_per_week, dtype=float)
    return float(np.dot(v, discount_factors(len(v), rate, start_week)))


def qalys(swemwbs_by_week: np.ndarray, rate: float, slope: float, anchor_utility: float,
          anchor_swemwbs: float) -> float:  # fmt: skip
    """Discounted QALYs of one weekly SWEMWBS path (week 0 = referral)."""
    return discounted_sum_per_week(utility(swemwbs_by_week, slope, anchor_utility, anchor_swemwbs) / WEEKS_A_YEAR, rate)


def wellbys(swemwbs_gain_by_week: np.ndarray, rate: float, ls_per_swemwbs_point: float) -> float:
    """Discounted WELLBYs of a weekly path of SWEMWBS *gains* (a WELLBY is one point of life satisfaction
    for a year, so only a difference has a value)."""
    return discounted_sum_per_week(np.asarray(swemwbs_gain_by_week, dtype=float) * ls_per_swemwbs_point / WEEKS_A_YEAR,
                                   rate)  # fmt: skip


def fading(weeks_after: np.ndarray, retained_share: float, half_life_weeks: float) -> np.ndarray:
    """The share of a gain left ``weeks_after`` its last observation: the retained share for good, the rest
    halving every ``half_life_weeks`` (the model's fading of gains after attendance stops)."""
    w = np.asarray(weeks_after, dtype=float)
    return retained_share + (1.0 - retained_share) * 0.5 ** (w / half_life_weeks)


def extend_with_fading(path: np.ndarray, horizon_weeks: int, retained_share: float,
                       half_life_weeks: float) -> np.ndarray:  # fmt: skip
    """A weekly path of gains carried to ``horizon_weeks``: observed weeks as they are (cut at the horizon),
    later ones the last observed gain, faded."""
    path = np.asarray(path, dtype=float)[:horizon_weeks]
    extra = horizon_weeks - len(path)
    if extra <= 0 or len(path) == 0:
        return path
    tail = path[-1] * fading(np.arange(1, extra + 1), retained_share, half_life_weeks)
    return np.concatenate([path, tail])
