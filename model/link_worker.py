"""Link workers (primary care) and link advisors (the secondary mental-health pathway)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import mesa

from .parameters import chance_within
from .states import Service

if TYPE_CHECKING:
    from .model import SocialPrescribingModel
    from .parameters import Params
    from .patient import Patient


class LinkWorker(mesa.Agent):
    """A whole-time-equivalent link worker with a caseload limit.

    The limit comes from published throughput: a link worker sees 200-250 new people a year on
    12-week episodes, so holds about throughput x 12 / 52 people at once (NHS England role
    description). Longer support keeps people on the caseload longer, at a lighter load after the
    first 12 weeks (``maintenance_load``), and so lowers throughput.
    Demand beyond the limit waits, makes support lighter-touch and raises the chance the link worker
    leaves (BJGP 2023; Tierney 2025).
    """

    model: SocialPrescribingModel

    def __init__(self, model: SocialPrescribingModel, service: Service, caseload_limit: float, fte: float = 1.0):
        super().__init__(model)
        self.service = service
        self.fte = fte  # a part-time post holds and costs its share of a whole-time one
        self.caseload_limit = caseload_limit
        # person -> the share of a caseload place they take: 1 during an active episode, less in the
        # lighter maintenance phase of long-term support (ordered, for deterministic hand-over)
        self.caseload: dict[Patient, float] = {}
        self.load = 0.0  # sum of the caseload's shares, kept as people come and go

    def set_fte(self, fte: float, whole_time_limit: float) -> None:
        """The post's share of a whole-time one changed: so does the caseload it holds (a smaller caseload
        than it has means it takes nobody new until people leave it)."""
        self.fte = fte
        self.caseload_limit = whole_time_limit * fte

    @property
    def free_room(self) -> float:
        return self.caseload_limit - self.load

    def _set(self, patient: Patient, share: float) -> None:
        self.load += share - self.caseload.get(patient, 0.0)
        self.caseload[patient] = share

    def take_on(self, patient: Patient) -> None:
        self.take(patient)
        patient.first_contact(self)

    def take(self, patient: Patient) -> None:
        """A whole caseload place for ``patient`` (their first contact follows: ``take_on``, or a batch of them):
        ``_set`` written out, as the allocation takes a place for every person it takes."""
        self.load += 1.0 - self.caseload.get(patient, 0.0)
        self.caseload[patient] = 1.0

    def hand_over(self, patient: Patient) -> None:
        """Take over a colleague's client (no first contact: the support episode carries on)."""
        self._set(patient, patient.caseload_weight)

    def lighten(self, patient: Patient) -> None:
        """The person moved to the maintenance phase of long-term support."""
        self._set(patient, patient.caseload_weight)

    def release(self, patient: Patient) -> None:
        share = self.caseload.pop(patient, None)
        if share is not None:
            self.load -= share
            if not self.caseload:
                self.load = 0.0  # no drift from repeated float sums

    def hand_back_all(self) -> list[Patient]:
        """Leaving: the whole caseload, emptied."""
        people = list(self.caseload)
        self.caseload.clear()
        self.load = 0.0
        return people

    def step(self) -> None:
        """Each week a link worker may leave; more likely under pressure, less likely when trained."""
        model = self.model
        workforce = model.workforce
        if workforce.leaving_draws.chance(quit_chance(model.p, workforce.pressure[self.service])):
            workforce.link_worker_leaves(self)


@lru_cache(maxsize=16)
def quit_chance(p: Params, pressure: float) -> float:
    """A link worker's chance of leaving this week under ``pressure`` (every link worker of a service has the same
    each week: worked out once, not once each)."""
    pressure_excess = min(max(pressure - 1.0, 0.0), 1.0)
    rate = (
        p.lw_quit_rate_per_year
        * (1 + (p.lw_quit_pressure_multiplier - 1) * pressure_excess)
        * (1 - p.training_quit_reduction * p.lw_training)
    )
    return chance_within(rate)
