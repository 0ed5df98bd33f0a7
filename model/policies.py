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
was. Values are clipped to their registry bounds (see ``_Layers``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from .parameters import Value, registry, resolve

if TYPE_CHECKING:
    from .model import SocialPrescribingModel


@dataclass(slots=True)
class _Layer:
    """One running policy's change to one parameter."""

    policy: Policy
    before: Value  # the value in force when the policy started
    after: Value  # the value the policy named (in force just after it started)


class _Layers:
    """The running policies' changes to each parameter of one model, kept as a stack per parameter.

    Each parameter has a base (its value before the oldest running policy on it started) and a stack of
    layers in order of starting. A number's layer adds ``after - before``; a flag's layer sets the flag
    to ``after`` (the latest-started running policy decides it). Stopping a policy reverts the layers
    above its own in reverse order of starting, drops its layer and re-applies the later ones, each
    relative to the value then in force. That is done as a replay of the remaining stack on the base:
    the same values, but exact: a layer whose value beneath has not changed gives back exactly the value
    its policy named, and an empty stack gives back exactly the base, so there is no floating-point
    drift from adding and subtracting, and stopping policies in any order ends where it began.

    Clipping, not refusing: a value a policy names must lie within the registry bounds (else
    ``ParameterError``, as for any parameter), but a sum of changes can leave them (6 FTE cut to 0, then
    a second policy funding 100, then the cut ends: 106); each step of the replay is clipped to the
    bounds, so the model keeps running with the nearest allowed value rather than failing mid-run.

    A change made outside the policies (``model.update_parameters`` while a policy is running) is kept:
    a number's base moves by the same amount, a flag's base becomes the new value.
    """

    def __init__(self) -> None:
        self.base: dict[str, Value] = {}
        self.stack: dict[str, list[_Layer]] = {}
        self.applied: dict[str, Value] = {}  # what these layers last set

    @staticmethod
    def of(model: SocialPrescribingModel) -> _Layers:
        layers = model.__dict__.get("_policy_layers")
        if layers is None:
            layers = model._policy_layers = _Layers()
        return layers

    def _sync(self, name: str, in_force: Value) -> None:
        """Take in a change made outside the policies since these layers last set ``name``."""
        if not self.stack.get(name):
            self.base[name] = in_force
        elif in_force != self.applied[name]:
            if isinstance(in_force, bool):
                self.base[name] = in_force
            else:
                self.base[name] += in_force - self.applied[name]

    def _value(self, name: str) -> Value:
        value = self.base[name]
        lo, hi = registry()[name].bounds
        for layer in self.stack[name]:
            if isinstance(layer.after, bool) or value == layer.before:
                value = layer.after
            else:
                value = min(max(value + (layer.after - layer.before), lo), hi)
        self.applied[name] = value
        return value

    def push(self, policy: Policy, changes: dict[str, Value]) -> dict[str, Value]:
        """``policy`` starts: its layers go on top; returns the values now in force."""
        model = policy._model
        out = {}
        for name, after in changes.items():
            before = getattr(model.p, name)
            self._sync(name, before)
            self.stack.setdefault(name, []).append(_Layer(policy, before, after))
            out[name] = self._value(name)
        return out

    def pop(self, policy: Policy, names: list[str]) -> dict[str, Value]:
        """``policy`` stops: its layers come out; returns the values now in force."""
        model = policy._model
        out = {}
        for name in names:
            self._sync(name, getattr(model.p, name))
            self.stack[name] = [layer for layer in self.stack[name] if layer.policy is not policy]
            out[name] = self._value(name)
        return out


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
        """Start now, or at ``start_week`` (the model keeps its policies, so the weakly held
        scheduled callback stays alive)."""
        self._model = model
        self._changed: list[str] = []  # the parameters this policy's layers change (a copy starts afresh)
        if self.start_week <= model.time:
            self.start()
        else:
            model.schedule_event(self.start, at=self.start_week)
        if self.end_week is not None:
            model.schedule_event(self.stop, at=max(self.end_week, self.start_week))

    def start(self) -> None:
        """The policy starts: its changes go on top of the values in force (see the module docstring)."""
        changes = self.changes(self._model)
        checked = resolve(changes)  # the values it names: known parameters, within bounds, or ParameterError
        changes = {name: checked[name] for name in changes}
        self.started = True
        self._changed = list(changes)
        self._model.update_parameters(**_Layers.of(self._model).push(self, changes))

    def stop(self) -> None:
        """The funding ends: its own change is removed; other running policies' changes stay in force."""
        if self.started:
            self.started = False
            self._model.update_parameters(**_Layers.of(self._model).pop(self, self._changed))

    def accrue_week(self, model: SocialPrescribingModel) -> None:
        if self.started:
            model.ledger.programme_costs += self.annual_programme_cost(model) / 52


@dataclass
class LinkWorkerFunding(Policy):
    """More (or fewer) primary-care link workers."""

    fte_per_100k: float = 6.0
    kind: ClassVar[str] = "link_workers"
    label: ClassVar[str] = "link worker FTE"

    def changes(self, model):
        return {"link_workers_per_100k": self.fte_per_100k}

    @staticmethod
    def extra_fte_for_budget(gbp_per_100k_year: float, cost_per_fte_year_gbp: float) -> float:
        return gbp_per_100k_year / cost_per_fte_year_gbp


@dataclass
class VCSECapacityGrants(Policy):
    """Capacity grants to community groups, shared between open groups; they buy places."""

    gbp_per_100k_year: float = 0.0
    kind: ClassVar[str] = "vcse_grants"
    label: ClassVar[str] = "VCSE capacity grants"

    def changes(self, model):
        return {"vcse_grant_per_100k_year_gbp": self.gbp_per_100k_year}


@dataclass
class ReferralTariff(Policy):
    """Funding follows the referral: a payment to the group for each referred person who starts."""

    gbp_per_referral: float = 0.0
    kind: ClassVar[str] = "referral_tariff"
    label: ClassVar[str] = "per-referral tariff"

    def changes(self, model):
        return {"referral_tariff_gbp": self.gbp_per_referral}


@dataclass
class SupportedDischarge(Policy):
    """Link advisors alongside community mental health teams (Dayson 2020; Rotherham)."""

    advisors_per_100k: float = 1.0
    kind: ClassVar[str] = "supported_discharge"
    label: ClassVar[str] = "supported discharge pathway"

    def changes(self, model):
        return {"supported_discharge": True, "link_advisors_per_100k": self.advisors_per_100k}


@dataclass
class PeerSupportProgramme(Policy):
    """Recruiting, training and coordinating peer supporters and volunteers (Dayson 2020; CMO 2018)."""

    kind: ClassVar[str] = "peer_support"
    label: ClassVar[str] = "peer support programme"

    def changes(self, model):
        return {"peer_programme": True}

    def annual_programme_cost(self, model):
        return model.p.peer_programme_cost_per_100k_year_gbp * model.per_100k


@dataclass
class LinkWorkerTraining(Policy):
    """Training in safe use of lived experience and person-centred practice (Cooper 2024)."""

    level: float = 1.0
    kind: ClassVar[str] = "training"
    label: ClassVar[str] = "link worker training"

    def changes(self, model):
        return {"lw_training": self.level}

    def annual_programme_cost(self, model):
        return self.level * len(model.workforce.link_workers()) * model.p.training_cost_per_lw_year_gbp


@dataclass
class PublicAwareness(Policy):
    """A public awareness campaign about social prescribing (Cooper 2024)."""

    level: float = 0.6
    kind: ClassVar[str] = "awareness"
    label: ClassVar[str] = "public awareness"

    def changes(self, model):
        return {"public_awareness": self.level}

    def annual_programme_cost(self, model):
        from .parameters import registry

        rise = max(self.level - registry()["public_awareness"].value, 0.0)
        return rise * model.p.awareness_cost_per_100k_year_gbp * model.per_100k


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
        # the protected room is paid as a share of the link worker establishment
        return model.p.continuity_cover_share * len(model.workforce.link_workers()) * model.p.lw_cost_per_fte_year_gbp


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
