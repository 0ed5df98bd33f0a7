"""True scores on top of a natural course, on arrays: link worker support and the mechanisms built at groups, fading
(``Patient.outcomes_at``'s formulas, model/mechanisms.py, for many people at once: the wellbeing register's reading,
a projection's cells)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .mechanisms import faded, fading, support_left, swemwbs, ucla

if TYPE_CHECKING:
    from .parameters import Params


def with_service(natural_sw: np.ndarray, natural_lo: np.ndarray, week: np.ndarray | int, p: Params, *,
                 paused: np.ndarray, half_life: np.ndarray, support_from: np.ndarray, support_until: np.ndarray,
                 level_psych: np.ndarray, level_social: np.ndarray, level_behav: np.ndarray,
                 floor_psych: np.ndarray, floor_social: np.ndarray, floor_behav: np.ndarray,
                 scale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """True (SWEMWBS, UCLA-3) on top of a natural course: link worker support while it lasts, then fading,
    and the mechanisms built at groups, above their floor fading after a pause (``Patient.outcomes_at``'s
    formulas on arrays; ``week`` may be one week for many people, or a people x weeks grid with the state as
    people x 1 columns)."""
    remaining = fading(week, paused, half_life)
    support = support_left(week, support_from, support_until, half_life)
    social = faded(level_social, floor_social, remaining)
    levels = (faded(level_psych, floor_psych, remaining), social, faded(level_behav, floor_behav, remaining))
    sw = swemwbs(natural_sw, levels, p.swemwbs_gain_max * scale, p.link_worker_support_gain * support)
    lo = ucla(natural_lo, social, p.ucla_reduction_max * scale, p.link_worker_support_ucla_reduction * support)
    return sw, lo
