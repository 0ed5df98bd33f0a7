"""Funding policies: objects applied to a running model from a start week.

Following Starsim's interventions, a policy is a small object that changes capacities, funding flows
or pathway rules when it starts, and carries its own running cost. Link worker, advisor, grant and
tariff money is counted by the model as it is spent (staff in post, grants paid, tariffs paid); a
policy's ``annual_programme_cost`` is what it costs beyond that (a coordinator, training, a campaign,
cover for continuity), accrued week by week once it has started.

A policy that funds posts can be sized by money (``budget_gbp_per_100k_year``), so that scenarios can split one
fixed budget (model/funding_policies.py).

Policies compose. A policy's change is relative to the value in force when it starts: for a number, the
difference between the value the policy names and the value then in force (a ``LinkWorkerFunding`` of
9 FTE starting over 6 adds 3); for an on/off flag, setting or unsetting it. Stopping a policy removes
only its own change, so two policies on one parameter add up while both run, whichever stops first
leaves the other's change in force, and once all have stopped the parameter is back exactly where it
was. Values are clipped to their registry bounds (see ``PolicyLayers``).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from .parameters import registry, resolve

if TYPE_CHECKING:
    from .model import SocialPrescribingModel


def within_bounds(name: str, value: float) -> float:
    """``value`` held within parameter ``name``'s registry bounds: a budget bought at a drawn cost may ask for more
    posts than the registry allows (the spend then falls short of the budget, and the spend table shows it)."""
    return registry()[name].within_bounds(value)


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


def add_late(model: SocialPrescribingModel, policies: Sequence[Policy]) -> None:
    """``policies`` on a model already built (and run a while), as if its constructor had been given them after its
    own: copied, their start and stop entries put on the agenda where construction would have put them. A policy
    starting now or earlier would have started already: refused."""
    if any(policy.start_week <= model.time for policy in policies):
        raise ValueError(f"a policy added in week {model.week} must start in a later week")
    late = [copy.copy(policy) for policy in policies]  # a policy's state is per run, as in the constructor
    model.policies += late
    with model.agenda.as_built():
        for policy in late:
            policy.initialize(model)
