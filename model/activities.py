"""Activity types of community groups and the mechanisms of action each builds (Aughterson 2024)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from .parameters import SEEDS_DIR, ParameterError
from .states import Cohort

ACTIVITIES_FILE = SEEDS_DIR / "activities.toml"
MECHANISMS = ("psychological", "social", "behavioural")


@dataclass(frozen=True, slots=True)
class Activity:
    key: str
    label: str
    psychological: float
    social: float
    behavioural: float
    preference: dict[Cohort, float]
    supply: float
    source: tuple[str, ...] | str


@cache
def catalogue() -> tuple[Activity, ...]:
    """All activity types, in file order."""
    with ACTIVITIES_FILE.open("rb") as fh:
        table = tomllib.load(fh)
    out = []
    for key, entry in table.items():
        weights = entry["mechanisms"]
        if abs(sum(weights[m] for m in MECHANISMS) - 1.0) > 1e-9:
            raise ParameterError(f"{ACTIVITIES_FILE}: {key}.mechanisms must sum to 1")
        source = entry["source"]
        out.append(
            Activity(
                key=key,
                label=entry["label"],
                **{m: float(weights[m]) for m in MECHANISMS},
                preference={Cohort.LTC: entry["preference"]["ltc"], Cohort.MENTAL_HEALTH: entry["preference"]["mh"],
                            Cohort.COMMON_MENTAL: entry["preference"]["cmd"]},
                supply=float(entry["supply"]),
                source=tuple(source) if isinstance(source, list) else source,
            )
        )
    return tuple(out)
