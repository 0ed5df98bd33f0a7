"""The browser page's policy levers: what each one is, in words and units, the policy it becomes, and what it
costs a year.

A lever moved away from the place's own value becomes a funding policy (model.policies) that starts when the
warm-up ends, exactly as `spsim run` applies a scenario's policies: so the run with the page's levers and the
run without them (the place as it is) share the warm-up and differ only by the levers. Costs are those policies
priced by experiments/analysis/spend.py, as `spsim run` prices a scenario's intended spend, with model/costing.py's
prices (which the policies charge as they run), so the page, the report and the model price a lever the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ...model.parameters import registry
from ...model.policies import (
    LinkWorkerFunding,
    LongTermSupport,
    PeerSupportProgramme,
    Policy,
    PublicAwareness,
    ReferralTariff,
    SupportedDischarge,
    VCSECapacityGrants,
)


@dataclass(frozen=True)
class Lever:
    name: str  # the model parameter it sets
    title: str  # what it is, in words
    unit: str  # what its number means ("" for on/off)
    low: float = 0.0
    high: float = 1.0
    step: float = 1.0
    fmt: str = "{:,.0f}"

    @property
    def is_switch(self) -> bool:
        return isinstance(registry()[self.name].value, bool)

    @property
    def is_whole(self) -> bool:
        return isinstance(registry()[self.name].value, int) and not self.is_switch

    def moved(self, today: Any, value: Any) -> bool:
        """Whether ``value`` differs from today's by a step of the slider: a place's own value off the slider's
        steps (6.03 link workers per 100,000) is snapped to one by the slider, which is not moving the lever."""
        return value != today if self.is_switch else abs(value - today) >= self.step / 2

    def shown(self, value: Any) -> str:
        """The value with its unit, as the page prints it next to the lever."""
        if self.is_switch:
            return "on" if value else "off"
        return f"{self.fmt.format(value)} {self.unit}".strip()


LEVERS = (
    Lever("link_workers_per_100k", "Link workers", "FTE per 100,000 adults", 0, 20, 0.5, "{:g}"),
    Lever("vcse_grant_per_100k_year_gbp", "Capacity grants to community groups", "GBP a year per 100,000 adults",
          0, 300_000, 10_000),  # fmt: skip
    Lever("referral_tariff_gbp", "Tariff paid to a group per referred person who starts", "GBP per person",
          0, 500, 10),  # fmt: skip
    Lever("support_weeks", "Length of link worker support", "weeks", 6, 78, 1),
    Lever("public_awareness", "Public awareness of social prescribing", "(index, 0 to 1)", 0, 1, 0.05, "{:.2f}"),
    Lever("supported_discharge", "Supported discharge from mental health care (link advisors)", ""),
    Lever("peer_programme", "Peer support and volunteer programme", ""),
    Lever("open_door", "Open door: people can come back after support ends", ""),
)
BY_NAME = {lever.name: lever for lever in LEVERS}
# levers whose money is all their own (posts, grants, a programme): their cost in all is worth showing
PRICED_FROM_NOTHING = ("link_workers_per_100k", "vcse_grant_per_100k_year_gbp", "supported_discharge", "peer_programme")


def place_values(place_parameters: dict[str, Any]) -> dict[str, Any]:
    """The levers as the place has them today (its own values, else the registry's)."""
    return {lever.name: place_parameters.get(lever.name, registry()[lever.name].value) for lever in LEVERS}


def policies(levers: dict[str, Any], place_parameters: dict[str, Any], start_week: int) -> list[Policy]:
    """The policies that move the place from today's lever values to ``levers``, starting at ``start_week``.
    A lever left at today's value adds no policy, so a page with no lever moved runs two identical models."""
    today = place_values(place_parameters)
    moved = {name: value for name, value in levers.items() if BY_NAME[name].moved(today[name], value)}
    out: list[Policy] = []
    if "link_workers_per_100k" in moved:
        out.append(LinkWorkerFunding(start_week=start_week, fte_per_100k=float(moved["link_workers_per_100k"])))
    if "vcse_grant_per_100k_year_gbp" in moved:
        out.append(VCSECapacityGrants(start_week=start_week, gbp_per_100k_year=float(moved["vcse_grant_per_100k_year_gbp"])))
    if "referral_tariff_gbp" in moved:
        out.append(ReferralTariff(start_week=start_week, gbp_per_referral=float(moved["referral_tariff_gbp"])))
    if moved.get("supported_discharge"):
        advisors = place_parameters.get("link_advisors_per_100k", registry()["link_advisors_per_100k"].value)
        out.append(SupportedDischarge(start_week=start_week, advisors_per_100k=advisors))
    if moved.get("peer_programme"):
        out.append(PeerSupportProgramme(start_week=start_week))
    if "public_awareness" in moved:
        out.append(PublicAwareness(start_week=start_week, level=float(moved["public_awareness"])))
    if "support_weeks" in moved or "open_door" in moved:
        out.append(LongTermSupport(start_week=start_week, support_weeks=int(levers["support_weeks"]),
                                   open_door=bool(levers["open_door"])))  # fmt: skip
    return out


def _intended(policy_list: list[Policy], parameters: dict[str, Any]) -> float:
    # imported here: the spend table pulls in pandas and the scenario reader, which the page's start does not need
    from ..analysis.spend import policies_intended_per_year

    values = policies_intended_per_year(policy_list, parameters).values()
    return math.nan if any(math.isnan(v) for v in values) else sum(values)


def yearly_cost(name: str, value: Any, place_parameters: dict[str, Any]) -> tuple[float, float]:
    """(extra GBP a year over the place today, GBP a year the lever costs in all) for one lever at ``value``.
    NaN for the tariff, which is paid per person who starts (the page shows what it has paid instead)."""
    lever = BY_NAME[name]
    levers = {**place_values(place_parameters), name: value}
    extra = _intended(policies(levers, place_parameters, 0), place_parameters)
    if name not in PRICED_FROM_NOTHING:  # awareness is priced as a rise over its default; support length is free
        return extra, extra
    # in all: the same lever priced from nothing (no posts, no grant, switched off)
    from_nothing = {**place_parameters, name: False if lever.is_switch else 0}
    return extra, _intended(policies(levers, from_nothing, 0), from_nothing)
