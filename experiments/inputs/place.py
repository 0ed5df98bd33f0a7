"""Place files: where the model runs, read and checked at the boundary (issue 14).

A place file (``seeds/places/*.toml``, format in docs/inputs.md) describes a place apart from
any policy: its adults by age band, its small areas (listed, or generated from a few summary figures), its
link worker FTE, its community groups (a count or a CSV list beside the file) and its existing funding. It
becomes registry parameter values (population, age shares, FTE and groups per 100,000, ...) and a
``model.place.Layout``. What a file may hold is declared in place_schema.py (pydantic) and place_groups.py
(the groups CSV). Everything is checked before anything is created or written; a fault is one line,
``spsim: <file>: <key>: <value>: <what is allowed>``. Only TOML and CSV are read: nothing in a place runs.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ...model.activities import catalogue
from ...model.parameters import SEEDS_DIR, ParameterError, registry
from ...model.place import Area, Layout

from .place_groups import GroupFileError, read_groups
from .place_schema import MAX_AREAS, Groups, PlaceFile
from .place_schema import Area as AreaEntry
from .place_schema import Layout as LayoutEntry
from .schema import first_fault, show
from .toml_file import UnreadableFile, read_toml

PLACES_DIR = SEEDS_DIR / "places"
MAX_FILE_BYTES = 5_000_000  # a place with every LSOA of an ICB listed is well under 1 MB
# adults per km2 for a density class when the area is not given (assumption: an inner-city borough has
# 4,000-12,000 residents per km2, England as a whole 434, a rural district 25-150; ONS mid-2022 estimates)
DENSITY = {"urban": 4000.0, "mixed": 800.0, "rural": 100.0}
AGE_PARAMETERS = ("age_share_18_39", "age_share_40_64", "age_share_65_74", "age_share_75_plus")
__all__ = ["MAX_AREAS", "MAX_FILE_BYTES", "PLACES_DIR", "Place", "PlaceError", "default", "load", "parse", "sized"]


class PlaceError(ValueError):
    """A place file that cannot be used; the message is one line for the user."""


@dataclass(frozen=True)
class Place:
    """A place as the model runs it: registry values and (for a place file) a layout; ``record`` goes into
    the manifest and into the run's identity (so --resume refuses another place)."""

    name: str
    parameters: dict[str, Any]
    layout: Layout | None = None
    record: dict[str, Any] = field(default_factory=dict)

    @property
    def adults(self) -> int:
        return int(self.parameters["population"])

    @property
    def content_hash(self) -> str:
        """The place as something resumed must find it again (a search's identity, issue 26): ``default`` for
        the embedded place, else the sha256 of the place file and, when it lists its groups, of the groups CSV.
        The content and not the path, so a place file moved or copied is the same place and one edited is
        another; the size it runs at is not in it (whoever records this records --population beside it)."""
        if self.layout is None:
            return "default"
        sha, groups = self.record.get("sha256"), self.record.get("groups_file_sha256")
        if not sha:  # parsed from a table rather than read from a file: the place as parsed stands for its file
            record = {k: v for k, v in self.record.items() if k not in ("path", "population_run")}
            sha = hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()
        return f"sha256:{sha}" + (f"+{groups}" if groups else "")

    def at_population(self, population: int | None) -> Place:
        """The place run with ``population`` adults (None: its own). Every area keeps its share and every rate
        per 100,000 stays; distances shrink by the square root, so the density (and so the distance to the
        nearest group) is the place's own. A place that lists its groups runs only at its own size."""
        if population is None or population == self.adults:
            return self
        if self.layout is None:
            return replace(self, parameters={**self.parameters, "population": population},
                           record={**self.record, "population_run": population})  # fmt: skip
        if self.layout.groups:
            raise PlaceError(f"spsim: {self.record.get('path')}: groups.file: {len(self.layout.groups)} groups: "
                             f"a place that lists its groups runs at its own {self.adults:,} adults (leave out "
                             "--population)")  # fmt: skip
        f, k = population / self.adults, math.sqrt(population / self.adults)
        areas = tuple(replace(a, adults=a.adults * f, x_km=a.x_km * k, y_km=a.y_km * k, radius_km=a.radius_km * k)
                      for a in self.layout.areas)  # fmt: skip
        return replace(self, parameters={**self.parameters, "population": population},
                       layout=replace(self.layout, areas=areas), record={**self.record, "population_run": population})  # fmt: skip


def default(population: int) -> Place:
    """The embedded default place: the registry's values on a uniform square (``population.Catchment``)."""
    return Place(name="default", parameters={"population": population},
                 record={"name": "default", "path": None, "sha256": None, "parameters": {"population": population}})  # fmt: skip


def sized(place: Place | None, population: int) -> Place:
    """``place`` run with ``population`` adults; None is the default place."""
    return place.at_population(population) if place is not None else default(population)


def _fault(path: Path, key: str, value: Any, allowed: str) -> PlaceError:
    return PlaceError(f"spsim: {path}: {key}: {show(value)}: {allowed}")


def read(path: Path) -> tuple[dict[str, Any], bytes]:
    """The file's TOML and its bytes; a missing, unreadable, huge or non-TOML file is refused in one line."""
    try:
        return read_toml(path, MAX_FILE_BYTES, "place")
    except UnreadableFile as err:
        raise PlaceError(f"spsim: {path}: file: {err.problem}: {err.remedy or 'a UTF-8 TOML file as in seeds/places/'}") from None


def load(name_or_path: str | Path) -> Place:
    """A place from a file (or the name of one in seeds/places/), checked in full."""
    path = Path(name_or_path)
    try:
        if path.suffix != ".toml" and (PLACES_DIR / f"{name_or_path}.toml").is_file():
            path = PLACES_DIR / f"{name_or_path}.toml"
    except (OSError, ValueError):  # a name too long or with a NUL: refused as the path it is, below
        pass
    data, raw = read(path)
    return parse(data, path, hashlib.sha256(raw).hexdigest())


def parse(data: dict[str, Any], path: Path, sha256: str = "") -> Place:
    """The file's data checked against its schema (place_schema.py), then turned into registry values and a
    layout; a fault is one line naming the file, the key, the value and what is allowed."""
    registry(), catalogue()  # read first: a fault in the project's own files is not this file's (nor caught below)
    try:
        file = PlaceFile.model_validate(data)
    except ValidationError as err:
        fault = first_fault(err, PlaceFile)
        raise _fault(path, fault.key, fault.value, fault.allowed) from None
    adults = file.population.adults
    values: dict[str, Any] = {"population": adults}
    ages = file.population.age_shares()
    if ages is not None:
        values.update(zip(AGE_PARAMETERS, ages, strict=True))
    layout_areas, density = _listed(file.areas) if file.areas is not None else _generated(file.layout, adults)
    values["adults_per_km2"] = density
    quintile_adults = [sum(a.adults for a in layout_areas if a.imd_quintile == q) for q in range(1, 6)]
    values["prevalence_deprived"] = quintile_adults[0] / sum(quintile_adults)

    for key, parameter in (("link_worker_fte", "link_workers_per_100k"), ("link_advisor_fte", "link_advisors_per_100k")):
        if getattr(file.workforce, key) is not None:
            values[parameter] = getattr(file.workforce, key) * 100_000 / adults
    if file.funding.vcse_grants_gbp_year is not None:
        values["vcse_grant_per_100k_year_gbp"] = file.funding.vcse_grants_gbp_year * 100_000 / adults
    try:
        groups, mix, csv_sha = _groups(file.groups, path, adults / 100_000, values)
    except GroupFileError as err:
        raise _fault(path, err.key, err.value, err.allowed) from None

    for parameter, value in values.items():  # every value the place sets must be one the model can run
        try:
            values[parameter] = registry()[parameter].check(value)
        except ParameterError as err:
            raise _fault(path, parameter, value, f"gives a value the model cannot run ({err})") from None
    layout = Layout(areas=layout_areas, groups=groups, activity_weights=mix)
    record = {"name": " ".join(file.name.split()), "path": str(path), "sha256": sha256, "groups_file_sha256": csv_sha,
              "parameters": dict(values), "areas": len(layout_areas), "side_km": round(layout.side_km, 3),
              "adults_by_imd_quintile": [round(q, 1) for q in quintile_adults],
              "listed_groups": len(groups)}  # fmt: skip
    return Place(name=record["name"], parameters=values, layout=layout, record=record)


def _listed(entries: list[AreaEntry]) -> tuple[tuple[Area, ...], float]:
    """The listed small areas; and the density in adults per km2."""
    default_density = registry()["adults_per_km2"].value
    areas = tuple(Area(adults=e.adults, imd_quintile=e.imd_quintile, x_km=e.x_km, y_km=e.y_km,
                       # without a radius, the area's disc holds its adults at the default density (an assumption)
                       radius_km=e.radius_km if e.radius_km is not None else math.sqrt(e.adults / default_density / math.pi))
                  for e in entries)  # fmt: skip
    return areas, sum(a.adults for a in areas) / sum(math.pi * a.radius_km**2 for a in areas)


def _generated(layout: LayoutEntry, adults: int) -> tuple[tuple[Area, ...], float]:
    """A grid of equal neighbourhoods over a square of the place's area; the most deprived quintile nearest the
    centre (an inner-city core) or nearest the edge (a coastal strip), then each next quintile in turn, so that
    deprivation is clustered in space as it is in English places (assumption: the IoD2019 maps)."""
    area_km2 = adults / DENSITY[layout.density] if layout.density is not None else layout.area_km2
    k = layout.neighbourhoods
    total = sum(layout.quintile_shares)
    shares = [s / total for s in layout.quintile_shares]
    at = layout.deprived_at
    exact = [k * s for s in shares]  # neighbourhoods per quintile, by largest remainder
    counts = [math.floor(e) for e in exact]
    for q in sorted(range(5), key=lambda q: -(exact[q] - counts[q]))[: k - sum(counts)]:
        counts[q] += 1
    columns = math.ceil(math.sqrt(k))
    side = math.sqrt(area_km2 / k)  # each neighbourhood's square
    cells = [((i % columns + 0.5) * side, (i // columns + 0.5) * side) for i in range(k)]
    middle = (max(x for x, _ in cells) + side / 2) / 2, (max(y for _, y in cells) + side / 2) / 2
    order = sorted(cells, key=lambda xy: math.dist(xy, middle), reverse=at == "edge")
    quintiles = [q + 1 for q in range(5) for _ in range(counts[q])]
    areas = tuple(Area(adults=adults / k, imd_quintile=q, x_km=x, y_km=y, radius_km=side / math.sqrt(math.pi))
                  for (x, y), q in zip(order, quintiles, strict=True))  # fmt: skip
    return areas, adults / area_km2


def _groups(groups: Groups, path: Path, per_100k: float, values: dict) -> tuple[tuple, tuple | None, str | None]:
    """(listed groups, activity mix, sha256 of the groups CSV); sets groups_per_100k in ``values``."""
    names = [a.key for a in catalogue()]
    mix = None if groups.activity_mix is None else tuple(groups.activity_mix.get(n, 0.0) for n in names)
    if groups.per_100k is not None:
        values["groups_per_100k"] = groups.per_100k
    elif groups.total is not None:
        values["groups_per_100k"] = groups.total / per_100k
    if groups.file is None:
        return (), mix, None
    listed, sha = read_groups(groups.file, path, names)
    values["groups_per_100k"] = len(listed) / per_100k  # what the list amounts to, for the record
    return listed, None, sha
