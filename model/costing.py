"""What a lever costs a year, and what money buys: the one place lever prices are written.

The policies (model/funding_policies.py, model/programme_policies.py) charge these as they run; the spend table (experiments/analysis/spend.py) uses
them for what a scenario means to spend, the optimiser (experiments/optimise/levers.py) for its budget solve, and
the page (experiments/viz/levers.py, through the spend table) for its lever prices.

Every price comes from the parameter registry (seeds/parameters.toml, group "costs"); the only number here is
the unit the registry states place sizes in, 100,000 adults. Every function takes numbers or numpy arrays (a
parameter's uncertainty draws, say) and works elementwise. ``population`` defaults to 100,000 adults, so a
function called without it works per 100,000 adults; a whole place's FTE passed as ``fte_per_100k`` with the
default population is priced as it stands (a place of 100,000 adults is its own unit).

The order of the multiplications is the one each caller used before these were shared, so that results are
unchanged to the last bit: keep it.
"""

from __future__ import annotations

import math

from .arrays import clip
from .parameters import registry

PER_100K = 100_000  # the registry's unit of place size: rates are "per 100,000 adults"


def per_100k(population):
    """How many 100,000s of adults a place of ``population`` adults is."""
    return population / PER_100K


def whole_place(rate_per_100k, population=PER_100K):
    """A rate per 100,000 adults (FTE, GBP a year) for a whole place of ``population`` adults."""
    return rate_per_100k * per_100k(population)


def rate_per_100k(whole_place_amount, population=PER_100K):
    """The inverse of ``whole_place``: a whole place's amount per 100,000 adults."""
    return whole_place_amount / per_100k(population)


# ------------------------------------------------------------------ posts
def posts_for(budget_gbp_year, cost_per_fte_year_gbp, population=PER_100K):
    """The one money-to-posts conversion: FTE per 100,000 adults that ``budget_gbp_year`` (for the whole place of
    ``population`` adults) keeps funded for a year, at ``cost_per_fte_year_gbp`` a whole-time post.

    Posts are part-time (money buys hours, not whole posts), so nothing is rounded and the posts bought cost the
    budget exactly: ``posts_cost_year(posts_for(b, c, n), c, n) == b`` up to rounding. A post is paid whether
    filled or vacant (a block contract), so this is posts funded, not people in post. With the default
    population a budget per 100,000 adults buys FTE per 100,000 adults."""
    return budget_gbp_year / (cost_per_fte_year_gbp * per_100k(population))


def posts_cost_year(fte_per_100k, cost_per_fte_year_gbp, population=PER_100K):
    """GBP a year of ``fte_per_100k`` funded posts in a place of ``population`` adults: primary-care link workers,
    or link advisors of the supported discharge pathway (an advisor costs a link worker post,
    ``lw_cost_per_fte_year_gbp``)."""
    return whole_place(fte_per_100k, population) * cost_per_fte_year_gbp


def training_cost_year(level, fte_per_100k, training_cost_per_lw_year_gbp, population=PER_100K):
    """GBP a year of training link workers at ``level`` (1: full training), per link worker post funded.
    Per post: ``training_cost_year(level, 1.0, price)``."""
    return level * fte_per_100k * per_100k(population) * training_cost_per_lw_year_gbp


def continuity_cost_year(cover_share, fte_per_100k, lw_cost_per_fte_year_gbp, population=PER_100K):
    """GBP a year of guaranteed continuity: protected room paid as ``cover_share`` of the link worker
    establishment. Per post: ``continuity_cost_year(share, 1.0, price)``."""
    return cover_share * fte_per_100k * per_100k(population) * lw_cost_per_fte_year_gbp


# ------------------------------------------------------------------ money per place
def grants_cost_year(gbp_per_100k_year, population=PER_100K):
    """GBP a year of capacity grants to groups at ``gbp_per_100k_year`` (the pot, shared between open groups)."""
    return whole_place(gbp_per_100k_year, population)


def peer_programme_cost_year(peer_programme_cost_per_100k_year_gbp, population=PER_100K):
    """GBP a year of the peer-support and volunteer programme."""
    return whole_place(peer_programme_cost_per_100k_year_gbp, population)


def awareness_cost_year(level, awareness_cost_per_100k_year_gbp, population=PER_100K):
    """GBP a year of a campaign holding public awareness at ``level``: priced per unit of the index above its
    registry value (what a place has without a campaign, as the source's figure is), whatever the place's own
    value; a level at or below it costs nothing."""
    rise = clip(level - registry()["public_awareness"].value, (0.0, math.inf))
    return rise * awareness_cost_per_100k_year_gbp * per_100k(population)
