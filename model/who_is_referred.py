"""Who is referred this week: proposed in proportion to need over the catchment, each accepted with the chance that
someone in their current state is referred now (at a low point in their own course); model/referral.py makes the
week's referrals from them."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from itertools import accumulate, pairwise
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .model import SocialPrescribingModel
    from .population import Proposals


def referral_chance_at(dip: np.ndarray, p) -> np.ndarray:
    """How likely a person is referred now rather than at another time, from how far their wellbeing is
    below their own mean (``dip``, SWEMWBS points): people seek help, and are referred, at a low point.
    A logistic curve: one half at ``referral_low_point_centre_sd`` state SDs from the mean."""
    centre = p.referral_low_point_centre_sd * p.swemwbs_state_sd
    return 1.0 / (1.0 + np.exp(p.referral_low_point_slope * (dip - centre)))


def referred_this_week(model: SocialPrescribingModel, proposals: Proposals, first: Sequence[int] = ()) -> list[int]:
    """``proposals.count`` different people, not already in the pathway, referred this week: proposed in proportion
    to need (``Catchment.by_need``), each accepted with the chance that someone in their current state is referred
    now (``referral_chance_at``). Selecting on the current state is what makes regression to the mean appear after
    referral, with or without a service. ``first``: who the first part accepted, if it was read already."""
    proposals.take(first)
    while (part := proposals.next_part()) is not None:
        proposals.take(accepted_in_parts(model, [part])[0])
    return proposals.chosen


def accepted_in_parts(model: SocialPrescribingModel, parts: list[tuple[np.ndarray, np.ndarray] | None]) -> list:
    """Who each part's proposals (its need and acceptance draws, or None) pick and accept, in order, read in one pass
    for all parts: each proposal is read in order until the week's referrals are found (about 45% of them at an
    ICB), so the courses of the rest, and of people already in the pathway, are not read, nor who the rest are."""
    sizes = [0 if part is None else len(part[0]) for part in parts]
    if not any(sizes):
        return [[] for _ in parts]
    read = [part for part in parts if part is not None]
    needs, u = read[0] if len(read) == 1 else (np.concatenate([part[k] for part in read]) for k in (0, 1))
    proposed = model.catchment.by_need(needs)
    free = (~model.catchment.in_pathway[proposed]).nonzero()[0]
    accept = free[u[free] < referral_chance_at(model.course.dip(proposed[free], model.week), model.p)]
    people, accept = proposed[accept].tolist(), accept.tolist()
    cuts = [0, *(bisect_left(accept, end) for end in accumulate(sizes))]  # each part's end among those accepted
    return [people[start:stop] for start, stop in pairwise(cuts)]
