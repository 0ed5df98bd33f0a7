"""Which activities a referred person wants, most wanted first: a weighted draw without replacement from their
cohort's preferences over the activity catalogue, from uniform draws the catchment holds for each person
(``Catchment.preferences_u``), one person at a time or a week's referrals at once, the same numbers."""

from __future__ import annotations

from bisect import bisect_right
from functools import cache

import numpy as np

from .activities import catalogue
from .states import Cohort

# fewer people than this are chosen for one by one (a speed setting only: the same numbers): the batch's array
# passes cost about 35 us whatever its size, a person's choices about 2 us
ONE_BY_ONE = 20


@cache
def _preference_weights(cohort: Cohort) -> tuple[tuple[int, float], ...]:
    """(activity, weight) of the catalogue for one cohort: read once (a referral used to look each up)."""
    return tuple((i, a.preference[cohort]) for i, a in enumerate(catalogue()))


@cache
def _choices(cohort: Cohort):
    """``still_to_choose(chosen)`` for one cohort: the activities not yet ``chosen`` (catalogue order), the running
    sums of their weights and their total, for one draw of ``preferred_activities``: a few hundred combinations,
    each summed once (keyed by ``chosen`` alone: hashing a cohort, a plain Enum, is a Python call). The total is
    the last running sum (added in order, as ``preferred_activities_many``'s cumulative sums: ``sum`` compensates
    its rounding, and differs in the last bit for about a fifth of the combinations)."""

    @cache
    def still_to_choose(chosen: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[float, ...], float]:
        remaining = {i: w for i, w in _preference_weights(cohort) if i not in chosen}
        running, acc = [], 0.0
        for w in remaining.values():
            acc += w
            running.append(acc)
        return tuple(remaining), tuple(running), acc

    return still_to_choose


def preferred_activities(cohort: Cohort, draws: tuple[float, ...]) -> tuple[int, ...]:
    """The activities (catalogue indices) a person wants, most wanted first.

    A weighted draw without replacement from the cohort's preferences, one uniform draw per choice: each picks
    the first activity whose running sum of weights passes the draw's share of the total (the last one if
    rounding leaves it past the end).
    """
    still_to_choose = _choices(cohort)
    chosen: tuple[int, ...] = ()
    for u in draws:
        activities, running, total = still_to_choose(chosen)
        chosen += (activities[min(bisect_right(running, u * total), len(activities) - 1)],)
    return chosen


@cache
def _weight_table() -> tuple[tuple[Cohort, ...], np.ndarray]:
    """The cohorts, and their catalogue weights (activities x cohorts), for ``preferred_activities_many``."""
    return tuple(Cohort), np.array([[w for _, w in _preference_weights(c)] for c in Cohort]).T


def preferred_activities_many(cohorts: list[Cohort], draws: np.ndarray) -> list[tuple[int, ...]]:
    """``preferred_activities`` for many people (columns; ``draws`` people x choices), one choice for all at a time,
    the same numbers: a chosen activity's weight becomes 0.0, which leaves the running sums of the others as they
    were (x + 0.0 is x; a cumulative sum adds in order, as the loop does); those sums do not fall, so
    ``bisect_right``'s pick is the first activity left past the draw's share of the total (else the last left). A
    small batch is chosen for one by one."""
    if len(cohorts) < ONE_BY_ONE:  # (a Python float of a 32-bit draw is its value, as the 64-bit copy below)
        return [preferred_activities(cohort, u) for cohort, u in zip(cohorts, map(tuple, draws.tolist()), strict=True)]
    order, table = _weight_table()
    weights = table[:, list(map(order.index, cohorts))]  # (found by identity: an Enum member hashes in Python)
    size, n = weights.shape
    people = np.arange(n)
    chosen = np.empty((draws.shape[1], n), dtype=np.int64)
    last = draws.shape[1] - 1
    for k, u in enumerate(draws.T.astype(np.float64)):
        running = weights.cumsum(axis=0)
        # the first activity past the draw's share is the number of sums at or below it (the sums do not fall), and
        # one still left: a chosen one's sum is the one before it (x + 0.0 is x), and the first sum is 0.0 if chosen
        pick = (running <= u * running[-1]).sum(axis=0)
        if pick.max() == size:  # no sum past someone's share (no weight left to them): the last activity left
            for person in np.flatnonzero(pick == size).tolist():
                pick[person] = max(set(range(size)).difference(chosen[:k, person].tolist()))
        chosen[k] = pick
        if k < last:
            weights[pick, people] = 0.0
    return list(map(tuple, chosen.T.tolist()))
