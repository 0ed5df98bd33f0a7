"""The keyed draws of the natural course (model/natural_course.py): what each draw is for, a spell's states as normal
draws, and its length in whole weeks. A person's course draws from its own purposes, never sharing draws with their
referral episodes, so the same person has the same course whatever else a run draws (common random numbers).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.special import ndtri

from .streams import PersonalDraws, purpose_constant

# what the course's keyed draws are for (their own purposes: a person's course never shares draws with
# their referral episodes)
LEVEL = purpose_constant("course_level")  # the wellbeing state of a spell
LONELY = purpose_constant("course_lonely")  # the loneliness state of a spell (correlated with wellbeing)
GAP = purpose_constant("course_gap")  # how long a spell lasts
STATE_PURPOSES = np.array([[LEVEL], [LONELY]], dtype=np.uint64)  # a spell's two states, drawn together
SPELL_PURPOSES = np.array([[[GAP]], [[LEVEL]], [[LONELY]]], dtype=np.uint64)  # a spell's length and two states
TINY = 2.0**-54  # keeps the inverse normal of a uniform draw finite


def normals(keys: np.ndarray, purposes: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Standard normal draws for (key, purpose, n) by the inverse CDF of the keyed uniform draw: one row per purpose
    (``purposes``: a uint64 column)."""
    return normal_of(PersonalDraws.uniforms_by_purpose(keys, purposes, n))


def normal_of(u: np.ndarray) -> np.ndarray:
    """The standard normal draw of each keyed uniform draw ``u`` (``normals``)."""
    return ndtri(np.maximum(u, TINY))


def geometric_weeks(u: np.ndarray, mean: float) -> np.ndarray:
    """Whole weeks (at least one) until a renewal with chance ``1 / mean`` a week (``streams.weeks_until``
    for arrays). Overwrites ``u``."""
    if mean <= 1.0:
        return np.ones(len(u), dtype=np.int64)
    # worked out in ``u``'s own memory (the callers' fresh draws, read no more): the same steps, no temporary each
    weeks = np.log1p(np.negative(u, out=u), out=u)
    weeks /= _log_of_a_quiet_week(mean)
    np.ceil(weeks, out=weeks)
    return np.maximum(weeks, 1, out=weeks).astype(np.int64)


@lru_cache(maxsize=8)
def _log_of_a_quiet_week(mean: float) -> np.float64:
    """The log of the chance that a week passes without a renewal (NumPy's, as it was worked out at every read)."""
    return np.log1p(-1.0 / mean)
