"""Policies that fund capacity with money: link worker posts, capacity grants to groups, a per-start tariff and
the supported discharge pathway's link advisors. Money given as a budget becomes posts when the policy starts, at
the cost of a post in force then, so equal budgets stay equal money under drawn prices (issue 26)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from . import costing
from .policy import Policy, within_bounds


@dataclass
class LinkWorkerFunding(Policy):
    """More (or fewer) primary-care link workers."""

    fte_per_100k: float = 6.0
    budget_gbp_year: float | None = None  # or: extra money a year for the whole place, on top of the FTE in force
    budget_gbp_per_100k_year: float | None = None  # or: the same per 100,000 adults
    kind: ClassVar[str] = "link_workers"
    label: ClassVar[str] = "link worker FTE"

    def changes(self, model):
        # money becomes posts when the policy starts, at the cost in force then: in a PSA draw or a robust
        # search the drawn cost, so equal budgets stay equal money (issue 26)
        cost = model.p.lw_cost_per_fte_year_gbp
        if self.budget_gbp_year is not None:
            extra = costing.posts_for(self.budget_gbp_year, cost, model.p.population)
        elif self.budget_gbp_per_100k_year is not None:
            extra = costing.posts_for(self.budget_gbp_per_100k_year, cost)
        else:
            return {"link_workers_per_100k": self.fte_per_100k}
        return {"link_workers_per_100k": within_bounds("link_workers_per_100k", model.p.link_workers_per_100k + extra)}

    @staticmethod
    def extra_fte_for_budget(gbp_per_100k_year: float, cost_per_fte_year_gbp: float) -> float:
        """FTE per 100,000 adults that a budget per 100,000 adults buys (``costing.posts_for``)."""
        return costing.posts_for(gbp_per_100k_year, cost_per_fte_year_gbp)


@dataclass
class VCSECapacityGrants(Policy):
    """Capacity grants to community groups, shared between open groups; they buy places."""

    gbp_per_100k_year: float = 0.0
    gbp_year: float | None = None  # or: the pot a year for the whole place
    kind: ClassVar[str] = "vcse_grants"
    label: ClassVar[str] = "VCSE capacity grants"

    def changes(self, model):
        if self.gbp_year is not None:
            return {"vcse_grant_per_100k_year_gbp": costing.rate_per_100k(self.gbp_year, model.p.population)}
        return {"vcse_grant_per_100k_year_gbp": self.gbp_per_100k_year}


@dataclass
class ReferralTariff(Policy):
    """Funding follows the referral: a payment to the group for each referred person who starts."""

    gbp_per_referral: float = 0.0
    cap_gbp_per_100k_year: float | None = None  # the tariff's budget: payments stop when it is spent
    kind: ClassVar[str] = "referral_tariff"
    label: ClassVar[str] = "per-referral tariff"

    def changes(self, model):
        return {"referral_tariff_gbp": self.gbp_per_referral}

    # A capped tariff's budget accrues week by week from its start (a week's share at the start of each week), and
    # what is not paid carries over: the money paid never exceeds the budget for the weeks run (issue 26 item 6).
    def _weekly_cap(self, model) -> float:
        return costing.whole_place(self.cap_gbp_per_100k_year, model.p.population) / 52

    def start(self) -> None:
        super().start()
        if self.cap_gbp_per_100k_year is not None:
            self._model.community.tariff_allowance = self._weekly_cap(self._model)

    def stop(self) -> None:
        if self.started and self.cap_gbp_per_100k_year is not None:
            self._model.community.tariff_allowance = math.inf
        super().stop()

    def accrue_week(self, model) -> None:
        super().accrue_week(model)
        if self.started and self.cap_gbp_per_100k_year is not None:
            model.community.tariff_allowance += self._weekly_cap(model)  # next week's share


@dataclass
class SupportedDischarge(Policy):
    """Link advisors alongside community mental health teams (Dayson 2020; Rotherham)."""

    advisors_per_100k: float = 1.0
    budget_gbp_per_100k_year: float | None = None  # or: the advisors this money buys, at the cost in force
    kind: ClassVar[str] = "supported_discharge"
    label: ClassVar[str] = "supported discharge pathway"

    def changes(self, model):
        advisors = self.advisors_per_100k
        if self.budget_gbp_per_100k_year is not None:  # an advisor costs a link worker post (costing.posts_cost_year)
            advisors = within_bounds("link_advisors_per_100k",
                                     costing.posts_for(self.budget_gbp_per_100k_year, model.p.lw_cost_per_fte_year_gbp))
        return {"supported_discharge": True, "link_advisors_per_100k": advisors}
