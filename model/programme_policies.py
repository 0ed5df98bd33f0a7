"""Policies that run a programme or change how the service works: peer support, training, awareness, long-term
support and guaranteed continuity; each carries its own running cost (``annual_programme_cost``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from . import costing
from .policy import Policy, within_bounds
from .states import Service


@dataclass
class PeerSupportProgramme(Policy):
    """Recruiting, training and coordinating peer supporters and volunteers (Dayson 2020; CMO 2018).

    Without a budget the programme is bought whole at its price (``peer_programme_cost_per_100k_year_gbp``), so a
    drawn price moves its spend. With ``budget_gbp_per_100k_year`` it spends that money and no other: a dearer
    programme buys less of itself (issue 26: equal budgets stay equal money in every draw). What the money buys
    is the programme's share ``budget / price``, and its lift on volunteering scales with it:
    1 + (multiplier - 1) x share (an assumption: recruits in proportion to coordination bought, for want of a
    dose-response figure), held within the multiplier's registry bounds."""

    budget_gbp_per_100k_year: float | None = None
    kind: ClassVar[str] = "peer_support"
    label: ClassVar[str] = "peer support programme"

    def changes(self, model):
        share = self.share_bought(model.p)
        if share == 1.0:  # the budget is the price (the central case): the programme as its sources describe it
            return {"peer_programme": True}
        gain = model.p.peer_programme_multiplier - 1.0
        lift = 1.0 + gain * share if gain > 0 else 1.0  # (a free programme: share is infinite, the bound holds it)
        return {"peer_programme": True,
                "peer_programme_multiplier": within_bounds("peer_programme_multiplier", lift)}  # fmt: skip

    def share_bought(self, p) -> float:
        """How much of the programme the budget buys at the price in force (1: all of it, or no budget given)."""
        if self.budget_gbp_per_100k_year is None:
            return 1.0
        price = p.peer_programme_cost_per_100k_year_gbp
        return self.budget_gbp_per_100k_year / price if price > 0 else math.inf

    def annual_programme_cost(self, model):
        price = (model.p.peer_programme_cost_per_100k_year_gbp if self.budget_gbp_per_100k_year is None
                 else self.budget_gbp_per_100k_year)  # fmt: skip
        return costing.peer_programme_cost_year(price, model.p.population)


@dataclass
class LinkWorkerTraining(Policy):
    """Training in safe use of lived experience and person-centred practice (Cooper 2024)."""

    level: float = 1.0
    kind: ClassVar[str] = "training"
    label: ClassVar[str] = "link worker training"

    def changes(self, model):
        return {"lw_training": self.level}

    def annual_programme_cost(self, model):
        # the posts funded now, for the whole place (so the default population of costing's functions)
        fte = model.workforce.funded_fte(Service.PRIMARY_CARE)
        return costing.training_cost_year(self.level, fte, model.p.training_cost_per_lw_year_gbp)


@dataclass
class PublicAwareness(Policy):
    """A public awareness campaign about social prescribing (Cooper 2024)."""

    level: float = 0.6
    kind: ClassVar[str] = "awareness"
    label: ClassVar[str] = "public awareness"

    def changes(self, model):
        return {"public_awareness": self.level}

    def annual_programme_cost(self, model):
        return costing.awareness_cost_year(self.level, model.p.awareness_cost_per_100k_year_gbp, model.p.population)


@dataclass
class LongTermSupport(Policy):
    """Longer link worker support and/or an open door after it ends (Ways to Wellness; Wildman 2019)."""

    support_weeks: int = 78
    open_door: bool = True
    kind: ClassVar[str] = "long_term_support"
    label: ClassVar[str] = "long-term, open-door support"

    def changes(self, model):
        return {"support_weeks": self.support_weeks, "open_door": self.open_door}


@dataclass
class GuaranteedContinuity(Policy):
    """A named colleague with protected room takes over when a link worker leaves (Wildman 2019)."""

    kind: ClassVar[str] = "continuity"
    label: ClassVar[str] = "guaranteed link worker continuity"

    def changes(self, model):
        return {"guaranteed_continuity": True}

    def annual_programme_cost(self, model):
        # the protected room is paid as a share of the link worker establishment (whole place, as for training)
        fte = model.workforce.funded_fte(Service.PRIMARY_CARE)
        return costing.continuity_cost_year(model.p.continuity_cover_share, fte, model.p.lw_cost_per_fte_year_gbp)
