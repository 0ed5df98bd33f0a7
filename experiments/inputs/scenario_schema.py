"""What a scenario file may hold, declared: each key with its type, bounds and unit (pydantic).

The registry's own parameters (``[parameters]``) are checked against the registry (model/parameters.py), which
already declares each one's type and bounds; a policy's size in link worker or advisor FTE, or weeks of
support, against the registry parameter it sets. One schema per policy type, tagged by ``type``: its keys are
the policy's own (tests/test_scenarios.py checks them against model/policies.py).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from ...model.parameters import ParameterError, evidence, registry, resolve

from .schema import STRICT, Fault, Flag, checked, number, registry_number

MAX_GBP = 1e9  # a ceiling on any amount of money in a scenario: far above any place's budget, far below overflow
MAX_WEEK = 52 * 100
BUDGET_KEY = "budget_gbp_per_100k_year"  # a link worker or advisor policy's size as money instead of FTE

Money = number(0, MAX_GBP, "GBP a year")
MoneyPer100k = number(0, MAX_GBP, "GBP a year per 100,000 adults")
Week = number(0, MAX_WEEK, "weeks since the policies start", whole=True)
Level = number(0, 1, "a share of the full effect")
Tariff = number(0, MAX_GBP, "GBP for each referred person who starts")


FtePer100k = registry_number("link_workers_per_100k", "FTE per 100,000 adults")
AdvisorsPer100k = registry_number("link_advisors_per_100k", "FTE per 100,000 adults")
SupportWeeks = registry_number("support_weeks", "weeks", whole=True)


class _Policy(BaseModel):
    model_config = STRICT
    start_week: Week = 0
    end_week: Week | None = None

    @model_validator(mode="after")
    def _ends_after_start(self) -> _Policy:
        if self.end_week is not None and self.end_week < self.start_week:
            raise Fault("end_week", self.end_week, f"must not be before start_week ({self.start_week})")
        for alternatives in (("fte_per_100k", BUDGET_KEY, "budget_gbp_year"), ("gbp_per_100k_year", "gbp_year"),
                             ("advisors_per_100k", BUDGET_KEY)):
            given = [name for name in alternatives if name in self.model_fields_set]
            if len(given) > 1:
                raise Fault(None, {k: getattr(self, k) for k in given},
                            f"give one of {', '.join(alternatives)}, not {' and '.join(given)}")  # fmt: skip
        return self

    def given(self) -> dict[str, Any]:
        """The keys the file gave (the policy's own defaults stand for the rest), without ``type``."""
        return {name: getattr(self, name) for name in self.model_fields_set if name != "type"}


class LinkWorkers(_Policy):
    type: Literal["link_workers"]
    fte_per_100k: FtePer100k = 6.0
    budget_gbp_per_100k_year: MoneyPer100k | None = None  # extra link workers on top of the place's own
    budget_gbp_year: Money | None = None


class VCSEGrants(_Policy):
    type: Literal["vcse_grants"]
    gbp_per_100k_year: MoneyPer100k = 0.0
    gbp_year: Money | None = None


class ReferralTariff(_Policy):
    type: Literal["referral_tariff"]
    gbp_per_referral: Tariff = 0.0
    cap_gbp_per_100k_year: MoneyPer100k | None = None  # the tariff's budget: no payment once it is spent


class SupportedDischarge(_Policy):
    type: Literal["supported_discharge"]
    advisors_per_100k: AdvisorsPer100k = 1.0
    budget_gbp_per_100k_year: MoneyPer100k | None = None  # the advisors this buys, at the cost of a post when run


class PeerSupport(_Policy):
    type: Literal["peer_support"]
    budget_gbp_per_100k_year: MoneyPer100k | None = None  # the programme's money; a dearer programme buys less of itself


class Training(_Policy):
    type: Literal["training"]
    level: Level = 1.0


class Awareness(_Policy):
    type: Literal["awareness"]
    level: Level = 0.6


class LongTermSupport(_Policy):
    type: Literal["long_term_support"]
    support_weeks: SupportWeeks = 78
    open_door: Flag = True


class Continuity(_Policy):
    type: Literal["continuity"]


POLICY_SCHEMAS = (LinkWorkers, VCSEGrants, ReferralTariff, SupportedDischarge, PeerSupport, Training, Awareness,
                  LongTermSupport, Continuity)  # fmt: skip
AnyPolicy = Annotated[
    LinkWorkers | VCSEGrants | ReferralTariff | SupportedDischarge | PeerSupport | Training | Awareness
    | LongTermSupport | Continuity,
    Field(discriminator="type"),
]


def _known_evidence(value: str) -> str:
    sources, findings = evidence()
    if value not in findings and value not in sources:
        raise Fault(None, value, "not a finding id in seeds/findings.toml or a source id")
    return value


def _parameters(values: dict[str, Any]) -> dict[str, Any]:
    """Each override a registry parameter within its bounds (the registry words what is allowed)."""
    known = registry()
    for name, value in values.items():
        if name not in known:
            raise Fault(name, value, f"unknown parameter {name!r}; see `spsim show baseline` for the list")
        try:
            known[name].check(value)
        except ParameterError as err:
            raise Fault(name, value, str(err).removeprefix(f"{name} = {value!r}: ")) from None
    try:
        resolve(values)  # what no single value shows: a set of weights that are all 0
    except ParameterError as err:
        raise Fault(None, values, str(err)) from None
    return values


EvidenceId = checked(Annotated[str, Field(strict=True)], _known_evidence, "a finding or source id (text)")
Overrides = checked(dict[str, Any], _parameters, "a table of parameter values")


class ScenarioFile(BaseModel):
    """A scenario file as written: ``parse`` in scenario.py turns it into a runnable Scenario."""

    model_config = STRICT
    description: Annotated[str, Field(strict=True, pattern=r"\S", description="a one-line text is required")]
    represents: Annotated[str, Field(strict=True, description="text: what the scenario stands for")] = ""
    tests: list[EvidenceId] = []
    parameters: Overrides = {}
    policies: list[AnyPolicy] = []
    budget_gbp_per_100k_year: MoneyPer100k | None = None  # the extra money the scenario says it spends
    budget_gbp_year: Money | None = None

    @model_validator(mode="after")
    def _one_budget(self) -> ScenarioFile:
        if self.budget_gbp_per_100k_year is not None and self.budget_gbp_year is not None:
            raise Fault("budget_gbp_year", self.budget_gbp_year, "give budget_gbp_per_100k_year or budget_gbp_year, not both")
        return self
