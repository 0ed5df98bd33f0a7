"""What a place file may hold, declared: each key with its type, bounds and unit (pydantic).

A place is described apart from any policy: its adults (and their ages), its small areas, listed ([[areas]])
or generated from a few summary figures ([layout]), its link workers, its community groups and its existing
funding. Bounds that depend on the place's size (FTE, groups) are checked once the adults are known, in
``PlaceFile``'s last validator. The format is documented in docs/inputs.md.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from ...model.activities import catalogue
from ...model.parameters import registry

from .schema import MISSING, STRICT, Fault, Text, checked, number, registry_number

MAX_AREAS = 20_000  # more small areas than an ICB has LSOAs (a large one has about 1,000)
SHARE_TOLERANCE = 0.01  # published shares are rounded (e.g. to 0.1%): within this they are normalised
AGE_KEYS = ("age_18_39", "age_40_64", "age_65_74", "age_75_plus")

Share = number(0, 1, "a share")
Adults = registry_number("population", "adults", whole=True)
Km = number(0, 10_000, "km from the place's south-west corner")
AreaAdults = number(1, 5e6, "adults", whole=True)
Quintile = number(1, 5, "deprivation quintile, 1 the most deprived", whole=True)
Radius = number(0, 1000, "km", above=True)
AreaKm2 = number(0, 200_000, "km2", above=True)
Neighbourhoods = number(1, MAX_AREAS, "small areas", whole=True)
Fte = number(0, 1e12, "FTE")
GroupsPer100k = number(0, 1e12, "groups per 100,000 adults")
GroupCount = number(0, 1e12, "groups", whole=True)
Gbp = number(0, 1e9, "GBP a year")


def shares_sum_to_one(values: list[float], key: str) -> list[float]:
    """Shares as given, normalised; refused unless they sum to 1 (within SHARE_TOLERANCE)."""
    total = sum(values)
    if abs(total - 1) > SHARE_TOLERANCE:
        raise Fault(key, round(total, 6), f"shares must sum to 1 (within {SHARE_TOLERANCE:g}; then normalised)")
    return [v / total for v in values]


class Population(BaseModel):
    model_config = STRICT
    adults: Adults
    age_18_39: Share | None = None  # the four age shares: all or none
    age_40_64: Share | None = None
    age_65_74: Share | None = None
    age_75_plus: Share | None = None

    @model_validator(mode="after")
    def _ages(self) -> Population:
        given = [getattr(self, k) for k in AGE_KEYS]
        if any(v is not None for v in given):
            for key, value in zip(AGE_KEYS, given, strict=True):
                if value is None:
                    raise Fault(key, MISSING, "allowed range is [0, 1] (a share; give all four age shares or none)")
            shares_sum_to_one(given, " ... ".join((AGE_KEYS[0], AGE_KEYS[-1])))
        return self

    def age_shares(self) -> list[float] | None:
        given = [getattr(self, k) for k in AGE_KEYS]
        return None if given[0] is None else shares_sum_to_one(given, "")


class Area(BaseModel):
    """A small area (an LSOA, say): its adults live on a disc around its centre."""

    model_config = STRICT
    name: Text | None = None
    adults: AreaAdults
    imd_quintile: Quintile
    x_km: Km
    y_km: Km
    radius_km: Radius | None = None  # default: the area holds its adults at the default density


class Layout(BaseModel):
    """Small areas generated from summary figures (see place.py's ``_generated``)."""

    model_config = STRICT
    area_km2: AreaKm2 | None = None  # or a density class
    density: Annotated[Literal["urban", "mixed", "rural"], Field(description="one of urban, mixed, rural")] | None = None
    neighbourhoods: Neighbourhoods
    quintile_shares: Annotated[list[Share], Field(min_length=5, max_length=5,
                               description="five shares of adults, quintile 1 (most deprived) to 5")]  # fmt: skip
    deprived_at: Annotated[Literal["centre", "edge"], Field(description="centre or edge")] = "centre"

    @model_validator(mode="after")
    def _one_size(self) -> Layout:
        if (self.area_km2 is None) == (self.density is None):
            raise Fault("area_km2", self.area_km2 if self.area_km2 is not None else "neither",
                        "give area_km2 or density, one of them")  # fmt: skip
        shares_sum_to_one(self.quintile_shares, "quintile_shares")
        return self


class Workforce(BaseModel):
    model_config = STRICT
    link_worker_fte: Fte | None = None
    link_advisor_fte: Fte | None = None


def _activities(mix: dict[str, float]) -> dict[str, float]:
    names = [a.key for a in catalogue()]
    for name, weight in mix.items():
        if name not in names:
            raise Fault(name, weight, f"unknown key; allowed: {', '.join(sorted(names))}")
    if not sum(mix.values()) > 0:
        raise Fault(None, mix, "at least one weight above 0")
    return mix


ActivityMix = checked(Annotated[dict[str, number(0, 1e6, "a weight")], Field(min_length=1)], _activities,
                      "a table of weights by activity")  # fmt: skip


class Groups(BaseModel):
    model_config = STRICT
    per_100k: GroupsPer100k | None = None
    total: GroupCount | None = None
    file: Annotated[str, Field(strict=True, pattern=r"^[^./\\][^/\\]*\.csv$",
                               description="the name of a .csv file beside the place file (no folders)")] | None = None  # fmt: skip
    activity_mix: ActivityMix | None = None

    @model_validator(mode="after")
    def _one_size(self) -> Groups:
        given = [k for k in ("per_100k", "total", "file") if getattr(self, k) is not None]
        if len(given) > 1:
            raise Fault(given[1], getattr(self, given[1]), f"give one of per_100k, total or file, not {' and '.join(given)}")
        if self.file is not None and self.activity_mix is not None:
            raise Fault("activity_mix", self.activity_mix, "not with groups.file (the list names each activity)")
        return self


class Funding(BaseModel):
    model_config = STRICT
    vcse_grants_gbp_year: Gbp | None = None


class PlaceFile(BaseModel):
    """A place file as written; place.py turns it into registry values and a layout."""

    model_config = STRICT
    name: Text
    description: Text
    population: Population
    areas: Annotated[list[Area], Field(min_length=1, max_length=MAX_AREAS,
                                       description=f"an array of 1 to {MAX_AREAS:,} tables ([[areas]])")] | None = None  # fmt: skip
    layout: Layout | None = None
    workforce: Workforce = Workforce()
    groups: Groups = Groups()
    funding: Funding = Funding()
    sources: Annotated[dict[str, Text], Field(description="a table of texts: what each value rests on")] = {}

    @model_validator(mode="after")
    def _fits_the_place(self) -> PlaceFile:
        if (self.areas is None) == (self.layout is None):
            raise Fault("areas" if self.areas is not None else "layout", "both" if self.areas is not None else "neither",
                        "give either [[areas]] (listed small areas) or [layout] (generated from summary figures)")  # fmt: skip
        adults = self.population.adults
        if self.areas is not None and (total := sum(a.adults for a in self.areas)) != adults:
            raise Fault("areas", total, f"the areas' adults must add up to population.adults ({adults:,})")
        per_100k = adults / 100_000
        for key, parameter in (("link_worker_fte", "link_workers_per_100k"), ("link_advisor_fte", "link_advisors_per_100k")):
            fte, hi = getattr(self.workforce, key), registry()[parameter].bounds[1] * per_100k
            if fte is not None and fte > hi:
                raise Fault(f"workforce.{key}", fte, f"allowed range is [0, {hi:g}] (FTE for {adults:,} adults)")
        hi = registry()["groups_per_100k"].bounds[1]
        if self.groups.per_100k is not None and self.groups.per_100k > hi:
            raise Fault("groups.per_100k", self.groups.per_100k, f"allowed range is [0, {hi:g}] (groups per 100,000 adults)")
        if self.groups.total is not None and self.groups.total > hi * per_100k:
            raise Fault("groups.total", self.groups.total, f"allowed range is [0, {hi * per_100k:g}] (groups)")
        return self

    def given(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)
