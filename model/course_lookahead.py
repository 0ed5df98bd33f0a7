"""How many of a natural course's spells are drawn at once when people are caught up (model/natural_course.py): a speed
setting only, the same draws whatever it says (whoever passes every spell drawn is caught up in another pass).

A pass of the catch-up has a fixed cost (its NumPy calls), and each spell drawn for each person its own (hashed, its
length worked out, summed and compared). People read every week are behind by a week at most; a referral candidate is
often unread since the run began, years of spells behind.
"""

from __future__ import annotations

import math
from functools import lru_cache

# the most spells whose lengths are drawn at once when catching a person up (a speed setting only: the same draws; see
# ``spells_ahead``). A referral candidate is often unread for years: 5 years are 5 spells of the default 50 weeks on
# average, but of an ICB's 1,400 candidates a week some pass 15
LOOKAHEAD = 32
# what a pass of the catch-up costs, in spells drawn (a speed setting only): some 40 NumPy calls, with their fixed
# cost, against some 5 ns a spell and person drawn (hashed, its length worked out, summed and compared)
PASS_COST = 20_000


def spells_ahead(behind: int, spell_weeks: float, people: int) -> int:
    """How many spells to draw at once for ``people`` whose spells ended up to ``behind`` weeks ago (a speed setting
    only: whoever passes them all is caught up in another pass, with the same draws). Renewals come with a chance
    ``1 / spell_weeks`` a week, so the spells someone passes in ``behind`` weeks are binomial: enough are drawn that
    at most one person is expected to pass them all, and beyond that as many as cost least, each spell drawn for each
    person against another pass (``PASS_COST``) by the chance that anyone needs one. (A fixed 12 left some of a
    5-year run's referral candidates, unread since the start, to a second pass: 98 in 312 weeks at 150,000 adults.)"""
    return _cheapest_ahead(behind, spell_weeks, max(people, 1).bit_length())


@lru_cache(maxsize=4096)
def _cheapest_ahead(behind: int, spell_weeks: float, size_bits: int) -> int:
    """``spells_ahead`` for up to ``2 ** size_bits`` people (a few sizes: cached)."""
    most = min(LOOKAHEAD, behind + 1)  # (each spell lasts a week at least: behind + 1 always cover the week)
    if spell_weeks <= 1.0:
        return most
    n, renewal = float(1 << size_bits), 1.0 / spell_weeks
    chance, covered = (1.0 - renewal) ** behind, 0.0  # that someone passes exactly k spells (k = 0 first); k or fewer
    best, least = most, math.inf
    for ahead in range(1, most + 1):  # (k = ahead - 1: whoever passes more needs another pass)
        covered += chance
        stragglers = n * max(0.0, 1.0 - covered)
        cost = ahead * n + PASS_COST * min(1.0, stragglers)
        if stragglers <= 1.0 and cost < least:
            best, least = ahead, cost
        chance *= (behind - ahead + 1) / ahead * renewal / (1.0 - renewal)
    return best
