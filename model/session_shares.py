"""What one session of an activity builds: the share of its remaining room each mechanism's level closes
(``Mechanisms.build`` and ``build_sessions`` in model/mechanisms.py apply it), from the activity's weights of the three
mechanisms and the growth a session gives."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .activities import catalogue


def catalogue_shares(growth: float) -> np.ndarray:
    """``session_shares`` of every activity of the catalogue (3 x activities: a row per mechanism, as
    ``build_sessions`` reads them), indexed by an activity's place."""
    shares = [session_shares(a.psychological, a.social, a.behavioural, growth) for a in catalogue()]
    return np.array(shares).T.copy()


@lru_cache(maxsize=256)
def session_shares(psychological: float, social: float, behavioural: float, growth: float) -> tuple[float, float, float]:
    """The share of its remaining room that one session closes, per mechanism, for an activity of these
    weights (see ``Mechanisms.build``): a few values used every week, so computed once each."""
    keep = 1.0 - growth  # the room a session at weight 1/3 leaves
    return 1.0 - keep ** (3 * psychological), 1.0 - keep ** (3 * social), 1.0 - keep ** (3 * behavioural)
