"""Where the model runs, when a place file gives it: small areas with their adults, deprivation and location,
and optionally the community groups that exist there (read and checked by ``experiments.place``).

Without a layout the catchment is the default place: a uniform square whose people are deprived at random
(``population.Catchment``), kept so that the default numbers never change. With one, a person lives in a
small area, is placed within it, and takes the area's deprivation: so distance to groups, reach and
deprivation are correlated as they are in real places. Only plain numbers and tuples here (it crosses to
worker processes and into the manifest); the arrays are built once per use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

# The model's yes/no ``deprived`` is "lives in an area of the most deprived national quintile" (IoD2019
# quintile 1): the group the ELSA odds ratios and the cost-barrier and gain findings describe (the lowest
# fifth), and what ``prevalence_deprived`` means in the default place (0.2 = one national fifth).
DEPRIVED_QUINTILES = (1,)


@dataclass(frozen=True, slots=True)
class Area:
    """One small area (a neighbourhood): a disc of ``radius_km`` around (x_km, y_km)."""

    adults: float  # a weight: a place run at another size keeps each area's share
    imd_quintile: int  # English Indices of Deprivation 2019, 1 = most deprived fifth of England
    x_km: float
    y_km: float
    radius_km: float


@dataclass(frozen=True, slots=True)
class GroupSpec:
    """A community group the place file lists (its activity as an index in the activity catalogue)."""

    activity: int
    x_km: float
    y_km: float
    places: int
    income_gbp_year: float
    reserves_gbp: float
    charges: bool


@dataclass(frozen=True)  # not slots: the arrays below are computed once per layout and kept
class Layout:
    areas: tuple[Area, ...]
    groups: tuple[GroupSpec, ...] = ()  # empty: groups are drawn from groups_per_100k, placed where people live
    activity_weights: tuple[float, ...] | None = None  # the mix of new groups' activities (None: the catalogue's)

    @property
    def side_km(self) -> float:
        """The side of the square (from 0, 0) that holds every area: the extent maps are drawn on."""
        return max(max(a.x_km + a.radius_km, a.y_km + a.radius_km) for a in self.areas)

    @cached_property
    def _columns(self) -> tuple[np.ndarray, ...]:
        """(adults, x, y, radius, cumulative adults) of the areas, as arrays."""
        a = self.areas
        adults = np.array([x.adults for x in a], dtype=float)
        return (adults, np.array([x.x_km for x in a]), np.array([x.y_km for x in a]),
                np.array([x.radius_km for x in a]), np.cumsum(adults))  # fmt: skip

    def people(self, n: int, generator: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(area index, x, y) of ``n`` adults: each area gets its share of ``n`` (largest remainder, so a run
        at the place's own size gives every area exactly its adults), people spread evenly over its disc."""
        adults, cx, cy, radius, _ = self._columns
        exact = n * adults / adults.sum()
        counts = np.floor(exact).astype(np.int64)
        counts[np.argsort(-(exact - counts), kind="stable")[: n - counts.sum()]] += 1
        area = generator.permutation(np.repeat(np.arange(len(adults)), counts))
        x, y = _in_discs(cx[area], cy[area], radius[area], generator)
        return area, x, y

    def quintiles(self) -> np.ndarray:
        return np.array([a.imd_quintile for a in self.areas], dtype=np.int8)

    def group_location(self, uniform) -> tuple[float, float]:
        """Where a new group opens, from three uniform draws (``uniform()``): in an area chosen in proportion to
        its adults (groups are where people are), evenly over its disc."""
        adults, cx, cy, radius, cumulative = self._columns
        i = min(int(np.searchsorted(cumulative, uniform() * cumulative[-1], side="right")), len(adults) - 1)
        r, angle = radius[i] * math.sqrt(uniform()), 2 * math.pi * uniform()
        return max(float(cx[i] + r * math.cos(angle)), 0.0), max(float(cy[i] + r * math.sin(angle)), 0.0)


def _in_discs(cx: np.ndarray, cy: np.ndarray, radius: np.ndarray, g: np.random.Generator):
    """Points spread evenly over discs (the square root makes the density even, not bunched at the centre);
    clipped at 0 so every point lies in the place's quadrant."""
    r = radius * np.sqrt(g.random(len(cx)))
    angle = 2 * np.pi * g.random(len(cx))
    x = np.maximum(cx + r * np.cos(angle), 0.0).astype(np.float32)
    y = np.maximum(cy + r * np.sin(angle), 0.0).astype(np.float32)
    return x, y


ENVIRONMENT = "SPSIM_PLACE"  # how `spsim viz --place` hands the checked place to the page's process


def to_json(parameters: dict, layout: Layout) -> str:
    """A checked place as compact JSON data (no code): for the browser page, which runs in its own process."""
    import json

    return json.dumps({"parameters": parameters, "areas": [list(_fields(a)) for a in layout.areas],
                       "groups": [list(_fields(g)) for g in layout.groups],
                       "activity_weights": layout.activity_weights}, separators=(",", ":"))  # fmt: skip


def from_json(text: str) -> tuple[dict, Layout]:
    """``to_json`` read back (the text comes from `spsim viz`, which checked the place file it was made from)."""
    import json

    data = json.loads(text)
    weights = data["activity_weights"]
    return data["parameters"], Layout(areas=tuple(Area(*a) for a in data["areas"]),
                                      groups=tuple(GroupSpec(*g) for g in data["groups"]),
                                      activity_weights=tuple(weights) if weights else None)  # fmt: skip


def _fields(item: Area | GroupSpec) -> tuple:
    return tuple(getattr(item, name) for name in item.__slots__)
