"""Policies that run a programme or change how the service works: peer support, training, awareness, long-term
support and guaranteed continuity; each carries its own running cost (``annual_programme_cost``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from . import costing
from .policy import Policy
from .states import Service


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
