"""Funding policies: objects applied to a running model from a start week.

Following Starsim's interventions, a policy is a small object that changes capacities, funding flows
or pathway rules when it starts, and carries its own running cost. Link worker, advisor, grant and
tariff money is counted by the model as it is spent (staff in post, grants paid, tariffs paid); a
policy's ``annual_programme_cost`` is what it costs beyond that (a coordinator, training, a campaign,
cover for continuity), accrued week by week once it has started.

Each policy can be sized by money (``from_budget``), so that scenarios can split one fixed budget.

Policies compose. A policy's change is relative to the value in force when it starts: for a number, the
difference between the value the policy names and the value then in force (a ``LinkWorkerFunding`` of
9 FTE starting over 6 adds 3); for an on/off flag, setting or unsetting it. Stopping a policy removes
only its own change, so two policies on one parameter add up while both run, whichever stops first
leaves the other's change in force, and once all have stopped the parameter is back exactly where it
was. Values are clipped to their registry bounds (see ``PolicyLayers``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from . import costing
from .parameters import registry, resolve
from .states import Service

if TYPE_CHECKING:
    from .model import SocialPrescribingModel


def within_bounds(name: str, value: float) -> float:
    """``value`` held within parameter ``name``'s registry bounds: a budget bought at a drawn cost may ask for more
    posts than the registry allows (the spend then falls short of the budget, and the spend table shows it)."""
    low, high = registry()[name].bounds
    return min(max(value, low), high)


@dataclass
class Policy:
    """A change to the model from ``start_week``; subclasses say what changes and what it costs."""

    start_week: int = 0
    end_week: int | None = None  # None: runs to the end
    started: bool = field(default=False, init=False)
    kind: ClassVar[str] = "policy"
    label: ClassVar[str] = "policy"

    def changes(self, model: SocialPrescribingModel) -> dict[str, Any]:
        raise NotImplementedError

    def annual_programme_cost(self, model: SocialPrescribingModel) -> float:
        """GBP a year beyond staff, grants and tariffs (which the model counts as it pays them)."""
        return 0.0

    def initialize(self, model: SocialPrescribingModel) -> None:
        """Start now, or at ``start_week`` (an entry on the model's agenda)."""
        self._model = model
        self._changed: list[str] = []  # the parameters this policy's layers change (a copy starts afresh)
        if self.start_week <= model.time:
            self.start()
        else:
            model.due_at(self.start_week, self.start)
        if self.end_week is not None:
            model.due_at(max(self.end_week, self.start_week), self.stop)

    def start(self) -> None:
        """The policy starts: its changes go on top of the values in force (see the module docstring)."""
        changes = self.changes(self._model)
        checked = resolve(changes)  # the values it names: known parameters, within bounds, or ParameterError
        changes = {name: checked[name] for name in changes}
        self.started = True
        self._changed = list(changes)
        self._model.update_parameters(**self._model.policy_layers.push(self, changes))

    def stop(self) -> None:
        """The funding ends: its own change is removed; other running policies' changes stay in force."""
        if self.started:
            self.started = False
            self._model.update_parameters(**self._model.policy_layers.pop(self, self._changed))

    def accrue_week(self, model: SocialPrescribingModel) -> None:
        if self.started:
            model.ledger.programme_costs += self.annual_programme_cost(model) / 52


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


@dataclass
class PeerSupportProgramme(Policy):
    """Recruiting, training and coordinating peer supporters and volunteers (Dayson 2020; CMO 2018)."""

    kind: ClassVar[str] = "peer_support"
    label: ClassVar[str] = "peer support programme"

    def changes(self, model):
        return {"peer_programme": True}

    def annual_programme_cost(self, model):
        return costing.peer_programme_cost_year(model.p.peer_programme_cost_per_100k_year_gbp, model.p.population)


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


POLICY_TYPES: dict[str, type[Policy]] = {
    cls.kind: cls
    for cls in (
        LinkWorkerFunding,
        VCSECapacityGrants,
        ReferralTariff,
        SupportedDischarge,
        PeerSupportProgramme,
        LinkWorkerTraining,
        PublicAwareness,
        LongTermSupport,
        GuaranteedContinuity,
    )
}
