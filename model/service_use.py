"""How often someone uses the NHS's services (GP consultations, A&E attendances a year): need (long-term
conditions) sets the base, loneliness and low wellbeing multiply it. Read at referral and follow-up (the outcome
records) and for every week of the economics account."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from .arrays import clip

if TYPE_CHECKING:
    from .parameters import Params


def loneliness_weight(ucla_score):
    """How far a UCLA-3 score is from 'not lonely' (3) to 'chronically lonely' (7 and over), in [0, 1]."""
    return clip((ucla_score - 3.0) / 4.0, (0.0, 1.0))


def service_use_rate(base, per_ltc, ltc_count, ucla_score, lonely_ratio):
    """Yearly GP consultations or A&E attendances: need sets the base, loneliness multiplies it."""
    return _rate_at_weight(base, per_ltc, ltc_count, loneliness_weight(ucla_score), lonely_ratio)


def _rate_at_weight(base, per_ltc, ltc_count, weight, lonely_ratio):
    """``service_use_rate`` at a ``loneliness_weight`` already worked out."""
    return (base + per_ltc * ltc_count) * (1 + (lonely_ratio - 1) * weight)


def low_wellbeing_ratio(score, p: Params):
    """How much more often someone uses services for each SWEMWBS point their wellbeing lies below the
    population mean (a low point brings more consultations, which then regress with it)."""
    return p.service_use_rr_per_swemwbs_point ** (p.swemwbs_population_mean - score)


def service_use(swemwbs_score, ucla_score, ltc_count, p: Params):
    """(GP consultations, A&E attendances) a year at these scores and long-term conditions: need, loneliness
    and low wellbeing together."""
    wellbeing = low_wellbeing_ratio(swemwbs_score, p)
    lonely = loneliness_weight(ucla_score)  # (once for both rates)
    gp = _rate_at_weight(p.gp_consultations_base, p.gp_consultations_per_ltc, ltc_count, lonely,
                         p.lonely_gp_rate_ratio) * wellbeing  # fmt: skip
    ae = _rate_at_weight(p.ae_attendances_base, p.ae_attendances_per_ltc, ltc_count, lonely,
                         p.lonely_ae_rate_ratio) * wellbeing  # fmt: skip
    return gp, ae


def service_use_change(swemwbs, ucla, ltc_count, p: Params) -> np.ndarray:
    """(GP consultations, A&E attendances) a year at the second of two readings less at the first (``swemwbs``, ``ucla``:
    2 x n blocks, a row a reading; ``ltc_count``: n people's), as the rows of a 2 x n block: ``service_use``'s
    arithmetic, element by element in the same order, for both services at once (one 2 x 2 x n block: a few array
    passes, not two services' dozen, for a week's few records)."""
    wellbeing = low_wellbeing_ratio(swemwbs, p)
    lonely = loneliness_weight(ucla)
    base, per_ltc, lonely_ratio_less_one = _services(p.gp_consultations_base, p.gp_consultations_per_ltc,
                                                     p.lonely_gp_rate_ratio, p.ae_attendances_base,
                                                     p.ae_attendances_per_ltc, p.lonely_ae_rate_ratio)  # fmt: skip
    use = (base + per_ltc * ltc_count) * (1 + lonely_ratio_less_one * lonely) * wellbeing  # services x readings x n
    return use[:, 1] - use[:, 0]


@lru_cache(maxsize=8)
def _services(gp_base: float, gp_per_ltc: float, gp_lonely_ratio: float, ae_base: float, ae_per_ltc: float,
              ae_lonely_ratio: float) -> tuple[np.ndarray, ...]:  # fmt: skip
    """Each service's base rate, rate per long-term condition and loneliness ratio less one (``_rate_at_weight``'s
    numbers, the last worked out in Python as there), as 2 x 1 x 1 columns (GP, A&E): made once for a run's parameters
    (read only: the cache hands the same arrays to every caller)."""
    columns = tuple(np.array([[[gp]], [[ae]]]) for gp, ae in ((gp_base, ae_base), (gp_per_ltc, ae_per_ltc),
                                                             (gp_lonely_ratio - 1, ae_lonely_ratio - 1)))  # fmt: skip
    for column in columns:
        column.flags.writeable = False
    return columns
