"""Place files: where the model runs, read and checked at the boundary (issue 14).

A place file (``seeds/places/*.toml``, format in the README's "Places" section) describes a place apart from
any policy: its adults by age band, its small areas (listed, or generated from a few summary figures), its
link worker FTE, its community groups (a count or a CSV list beside the file) and its existing funding. It
becomes registry parameter values (population, age shares, FTE and groups per 100,000, ...) and a
``model.place.Layout``. Everything is checked before anything is created or written; a fault is one line,
``spsim: <file>: <key>: <value>: <what is allowed>``. Only TOML and CSV are read: nothing in a place runs.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from spsim.model.activities import catalogue
from spsim.model.parameters import SEEDS_DIR, ParameterError, registry
from spsim.model.place import Area, GroupSpec, Layout

from spsim.experiments.inputs.toml_file import UnreadableFile, read_toml

PLACES_DIR = SEEDS_DIR / "places"
MAX_FILE_BYTES = 5_000_000  # a place with every LSOA of an ICB listed is well under 1 MB
MAX_AREAS = 20_000  # more small areas than an ICB has LSOAs (a large one has about 1,000)
MAX_GROUPS = 100_000
SHARE_TOLERANCE = 0.01  # published shares are rounded (e.g. to 0.1%): within this they are normalised
# adults per km2 for a density class when the area is not given (assumption: an inner-city borough has
# 4,000-12,000 residents per km2, England as a whole 434, a rural district 25-150; ONS mid-2022 estimates)
DENSITY = {"urban": 4000.0, "mixed": 800.0, "rural": 100.0}
AGE_KEYS = ("age_18_39", "age_40_64", "age_65_74", "age_75_plus")
AGE_PARAMETERS = ("age_share_18_39", "age_share_40_64", "age_share_65_74", "age_share_75_plus")

TOP_KEYS = {"name", "description", "population", "areas", "layout", "workforce", "groups", "funding", "sources"}
POPULATION_KEYS = {"adults", *AGE_KEYS}
AREA_KEYS = {"name", "adults", "imd_quintile", "x_km", "y_km", "radius_km"}
LAYOUT_KEYS = {"area_km2", "density", "neighbourhoods", "quintile_shares", "deprived_at"}
WORKFORCE_KEYS = {"link_worker_fte", "link_advisor_fte"}
GROUP_KEYS = {"per_100k", "total", "file", "activity_mix"}
FUNDING_KEYS = {"vcse_grants_gbp_year"}
CSV_COLUMNS = ("activity", "x_km", "y_km", "places", "income_gbp_year", "reserves_gbp", "charges")


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


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _Checker:
    """Reads one place file's values, each refused in one line naming the file and key."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, key: str, value: Any, allowed: str) -> PlaceError:
        return PlaceError(f"spsim: {self.path}: {key}: {_show(value)}: {allowed}")

    def table(self, data: dict, key: str, allowed_keys: set[str], required: bool = False) -> dict:
        value = data.get(key, None if required else {})
        if not isinstance(value, dict):
            raise self.fail(key, value, f"a table with keys {', '.join(sorted(allowed_keys))}")
        self.known(value, key, allowed_keys)
        return value

    def known(self, table: dict, where: str, allowed_keys: set[str]) -> None:
        unknown = sorted(set(table) - allowed_keys, key=str)
        if unknown:
            raise self.fail(f"{where}.{unknown[0]}" if where else str(unknown[0]), table[unknown[0]],
                            f"unknown key; allowed: {', '.join(sorted(allowed_keys))}")  # fmt: skip

    def number(self, value: Any, key: str, low: float = 0.0, high: float = 1e12, *, whole: bool = False,
               positive: bool = False) -> float:  # fmt: skip
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        ok = ok and low <= value <= high and (not whole or float(value).is_integer()) and (not positive or value > 0)
        if not ok:
            kind = "a whole number" if whole else "a number"
            above = "above" if positive else "from"
            raise self.fail(key, value, f"{kind} {above} {low:g} to {high:g}")
        return int(value) if whole else float(value)

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip() or len(value) > 2000:
            raise self.fail(key, value, "a non-empty text of at most 2,000 characters")
        return " ".join(value.split())

    def shares(self, values: list[float], key: str) -> list[float]:
        total = sum(values)
        if abs(total - 1) > SHARE_TOLERANCE:
            raise self.fail(key, round(total, 6), f"shares must sum to 1 (within {SHARE_TOLERANCE:g}; then normalised)")
        return [v / total for v in values]


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
    c = _Checker(path)
    c.known(data, "", TOP_KEYS)
    name = c.text(data.get("name"), "name")
    c.text(data.get("description"), "description")
    sources = data.get("sources", {})  # what each number rests on: a source, or "assumption: why"
    if not isinstance(sources, dict):
        raise c.fail("sources", sources, "a table of texts: what each value rests on")
    for key, value in sources.items():
        c.text(value, f"sources.{key}")

    population = c.table(data, "population", POPULATION_KEYS, required=True)
    lo, hi = registry()["population"].bounds
    adults = c.number(population.get("adults"), "population.adults", lo, hi, whole=True)
    values: dict[str, Any] = {"population": adults}
    if any(k in population for k in AGE_KEYS):
        ages = [c.number(population.get(k), f"population.{k}", 0, 1) for k in AGE_KEYS]
        values.update(zip(AGE_PARAMETERS, c.shares(ages, "population.age_18_39 ... age_75_plus"), strict=True))

    layout_areas, density = _areas(c, data, adults)
    values["adults_per_km2"] = density
    quintile_adults = [sum(a.adults for a in layout_areas if a.imd_quintile == q) for q in range(1, 6)]
    values["prevalence_deprived"] = quintile_adults[0] / sum(quintile_adults)

    per_100k = adults / 100_000
    workforce = c.table(data, "workforce", WORKFORCE_KEYS)
    for key, parameter in (("link_worker_fte", "link_workers_per_100k"), ("link_advisor_fte", "link_advisors_per_100k")):
        if key in workforce:
            fte = c.number(workforce[key], f"workforce.{key}", 0, registry()[parameter].bounds[1] * per_100k)
            values[parameter] = fte * 100_000 / adults
    funding = c.table(data, "funding", FUNDING_KEYS)
    if "vcse_grants_gbp_year" in funding:
        values["vcse_grant_per_100k_year_gbp"] = c.number(funding["vcse_grants_gbp_year"], "funding.vcse_grants_gbp_year",
                                                          0, 1e9) * 100_000 / adults  # fmt: skip
    groups, mix, csv_sha = _groups(c, data, path, per_100k, values)

    for parameter, value in values.items():  # every value the place sets must be one the model can run
        try:
            values[parameter] = registry()[parameter].check(value)
        except ParameterError as err:
            raise c.fail(parameter, value, f"gives a value the model cannot run ({err})") from None
    layout = Layout(areas=layout_areas, groups=groups, activity_weights=mix)
    record = {"name": name, "path": str(path), "sha256": sha256, "groups_file_sha256": csv_sha,
              "parameters": dict(values), "areas": len(layout_areas), "side_km": round(layout.side_km, 3),
              "adults_by_imd_quintile": [round(q, 1) for q in quintile_adults],
              "listed_groups": len(groups)}  # fmt: skip
    return Place(name=name, parameters=values, layout=layout, record=record)


def _areas(c: _Checker, data: dict, adults: int) -> tuple[tuple[Area, ...], float]:
    """The small areas, listed ([[areas]]) or generated ([layout]); and the density in adults per km2."""
    if ("areas" in data) == ("layout" in data):
        raise c.fail("areas" if "areas" in data else "layout", "both" if "areas" in data else "neither",
                     "give either [[areas]] (listed small areas) or [layout] (generated from summary figures)")  # fmt: skip
    if "layout" in data:
        return _generated(c, c.table(data, "layout", LAYOUT_KEYS), adults)
    listed = data["areas"]
    if not isinstance(listed, list) or not 1 <= len(listed) <= MAX_AREAS:
        raise c.fail("areas", listed, f"an array of 1 to {MAX_AREAS:,} tables ([[areas]])")
    default_density = registry()["adults_per_km2"].value
    areas = []
    for i, entry in enumerate(listed):
        key = f"areas[{i}]"
        if not isinstance(entry, dict):
            raise c.fail(key, entry, "a table with adults, imd_quintile, x_km, y_km (radius_km optional)")
        c.known(entry, key, AREA_KEYS)
        if "name" in entry:
            c.text(entry["name"], f"{key}.name")
        n = c.number(entry.get("adults"), f"{key}.adults", 1, 5e6, whole=True)
        # without a radius, the area's disc holds its adults at the default density (an assumption)
        radius = (c.number(entry["radius_km"], f"{key}.radius_km", 0, 1000, positive=True) if "radius_km" in entry
                  else math.sqrt(n / default_density / math.pi))  # fmt: skip
        areas.append(Area(adults=n, imd_quintile=c.number(entry.get("imd_quintile"), f"{key}.imd_quintile", 1, 5, whole=True),
                          x_km=c.number(entry.get("x_km"), f"{key}.x_km", 0, 10_000),
                          y_km=c.number(entry.get("y_km"), f"{key}.y_km", 0, 10_000), radius_km=radius))  # fmt: skip
    total = sum(a.adults for a in areas)
    if total != adults:
        raise c.fail("areas", total, f"the areas' adults must add up to population.adults ({adults:,})")
    return tuple(areas), total / sum(math.pi * a.radius_km**2 for a in areas)


def _generated(c: _Checker, layout: dict, adults: int) -> tuple[tuple[Area, ...], float]:
    """A grid of equal neighbourhoods over a square of the place's area; the most deprived quintile nearest the
    centre (an inner-city core) or nearest the edge (a coastal strip), then each next quintile in turn, so that
    deprivation is clustered in space as it is in English places (assumption: the IoD2019 maps)."""
    if ("area_km2" in layout) == ("density" in layout):
        raise c.fail("layout.area_km2", layout.get("area_km2", "neither"), "give area_km2 or density, one of them")
    if "density" in layout:
        if layout["density"] not in DENSITY:
            raise c.fail("layout.density", layout["density"], f"one of {', '.join(DENSITY)}")
        area_km2 = adults / DENSITY[layout["density"]]
    else:
        area_km2 = c.number(layout["area_km2"], "layout.area_km2", 0, 200_000, positive=True)
    k = c.number(layout.get("neighbourhoods"), "layout.neighbourhoods", 1, MAX_AREAS, whole=True)
    shares = layout.get("quintile_shares")
    if not isinstance(shares, list) or len(shares) != 5:
        raise c.fail("layout.quintile_shares", shares, "five shares of adults, quintile 1 (most deprived) to 5")
    shares = c.shares([c.number(s, f"layout.quintile_shares[{i}]", 0, 1) for i, s in enumerate(shares)],
                      "layout.quintile_shares")  # fmt: skip
    at = layout.get("deprived_at", "centre")
    if at not in ("centre", "edge"):
        raise c.fail("layout.deprived_at", at, "centre or edge")
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


def _groups(c: _Checker, data: dict, path: Path, per_100k: float,
            values: dict) -> tuple[tuple[GroupSpec, ...], tuple | None, str | None]:  # fmt: skip
    """(listed groups, activity mix, sha256 of the groups CSV); sets groups_per_100k in ``values``."""
    groups = c.table(data, "groups", GROUP_KEYS)
    given = [k for k in ("per_100k", "total", "file") if k in groups]
    if len(given) > 1:
        raise c.fail(f"groups.{given[1]}", groups[given[1]], f"give one of per_100k, total or file, not {' and '.join(given)}")
    names = [a.key for a in catalogue()]
    mix = None
    if "activity_mix" in groups:
        table = groups["activity_mix"]
        if not isinstance(table, dict) or not table:
            raise c.fail("groups.activity_mix", table, f"a table of weights by activity: {', '.join(names)}")
        c.known(table, "groups.activity_mix", set(names))
        weights = {n: c.number(w, f"groups.activity_mix.{n}", 0, 1e6) for n, w in table.items()}
        if not sum(weights.values()) > 0:
            raise c.fail("groups.activity_mix", table, "at least one weight above 0")
        mix = tuple(weights.get(n, 0.0) for n in names)
    hi = registry()["groups_per_100k"].bounds[1]
    if "per_100k" in groups:
        values["groups_per_100k"] = c.number(groups["per_100k"], "groups.per_100k", 0, hi)
    elif "total" in groups:
        values["groups_per_100k"] = c.number(groups["total"], "groups.total", 0, hi * per_100k, whole=True) / per_100k
    if "file" not in groups:
        return (), mix, None
    if mix is not None:
        raise c.fail("groups.activity_mix", groups["activity_mix"], "not with groups.file (the list names each activity)")
    listed, sha = _group_file(c, groups["file"], path, names)
    values["groups_per_100k"] = len(listed) / per_100k  # what the list amounts to, for the record
    return listed, None, sha


def _group_file(c: _Checker, name: Any, path: Path, names: list[str]) -> tuple[tuple[GroupSpec, ...], str]:
    if not isinstance(name, str) or not name.endswith(".csv") or "/" in name or "\\" in name or name.startswith("."):
        raise c.fail("groups.file", name, "the name of a .csv file beside the place file (no folders)")
    file = path.parent / name
    try:
        if not file.is_file():
            raise c.fail("groups.file", name, "no such file beside the place file")
        if file.stat().st_size > MAX_FILE_BYTES:
            raise c.fail("groups.file", name, f"at most {MAX_FILE_BYTES:,} bytes")
        raw = file.read_bytes()
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    except UnicodeDecodeError:
        raise c.fail("groups.file", name, "not UTF-8 text") from None
    except (OSError, csv.Error) as err:
        raise c.fail("groups.file", name, f"cannot be read ({getattr(err, 'strerror', None) or err})") from None
    if not rows or [h.strip() for h in rows[0]] != list(CSV_COLUMNS):
        raise c.fail("groups.file", name, f"a header row: {','.join(CSV_COLUMNS)}")
    if not 1 <= len(rows) - 1 <= MAX_GROUPS:
        raise c.fail("groups.file", name, f"1 to {MAX_GROUPS:,} groups")
    specs = []
    for line, row in enumerate(rows[1:], start=2):
        key = f"groups.file {name} line {line}"
        if len(row) != len(CSV_COLUMNS):
            raise c.fail(key, ",".join(row), f"{len(CSV_COLUMNS)} columns: {','.join(CSV_COLUMNS)}")
        activity, *numbers, charges = (v.strip() for v in row)
        if activity not in names:
            raise c.fail(f"{key} activity", activity, f"one of {', '.join(names)}")
        parsed = []
        for column, text in zip(CSV_COLUMNS[1:6], numbers, strict=True):
            try:
                value = float(text)
            except ValueError:
                raise c.fail(f"{key} {column}", text, "a number") from None
            parsed.append(c.number(value, f"{key} {column}", 0, 10_000 if column in ("x_km", "y_km", "places") else 1e9,
                                   whole=column == "places"))  # fmt: skip
        if charges.lower() not in ("true", "false", "yes", "no", "1", "0"):
            raise c.fail(f"{key} charges", charges, "true or false")
        x, y, places, income, reserves = parsed
        specs.append(GroupSpec(activity=names.index(activity), x_km=x, y_km=y, places=int(places),
                               income_gbp_year=income, reserves_gbp=reserves,
                               charges=charges.lower() in ("true", "yes", "1")))  # fmt: skip
    return tuple(specs), hashlib.sha256(raw).hexdigest()
