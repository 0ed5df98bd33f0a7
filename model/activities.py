"""Activity types of community groups, the mechanisms of action each builds (Aughterson 2024), and how take-up and
persistence differ by kind of activity (seeds/EVIDENCE-activity-kinds.md)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

import numpy as np

from .parameters import SEEDS_DIR, ParameterError, Params
from .states import Cohort

ACTIVITIES_FILE = SEEDS_DIR / "activities.toml"
MECHANISMS = ("psychological", "social", "behavioural")
#: kinds of activity the take-up and persistence evidence is reported by; "exercise" is the reference the base take-up
#: and drop-out hazard come from (exercise referral schemes), "social" has no figure of its own (the base values)
KINDS = ("exercise", "green", "arts", "social")
#: the registry parameter that moves each kind away from the reference, where a source gives one (else 1)
UPTAKE_ODDS_RATIO = {"green": "green_uptake_odds_ratio"}
DROPOUT_RATIO = {"green": "green_dropout_ratio", "arts": "arts_dropout_ratio"}


@dataclass(frozen=True, slots=True)
class Activity:
    key: str
    kind: str
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
        if entry.get("kind") not in KINDS:
            raise ParameterError(f"{ACTIVITIES_FILE}: {key}.kind must be one of {', '.join(KINDS)}")
        source = entry["source"]
        out.append(
            Activity(
                key=key,
                kind=entry["kind"],
                label=entry["label"],
                **{m: float(weights[m]) for m in MECHANISMS},
                preference={Cohort.LTC: entry["preference"]["ltc"], Cohort.MENTAL_HEALTH: entry["preference"]["mh"],
                            Cohort.COMMON_MENTAL: entry["preference"]["cmd"]},
                supply=float(entry["supply"]),
                source=tuple(source) if isinstance(source, list) else source,
            )
        )
    return tuple(out)


def _by_kind(p: Params, kind: str, parameters: dict[str, str]) -> float:
    return float(getattr(p, parameters[kind])) if kind in parameters else 1.0


def uptake_odds_ratio(p: Params, activity_index: int) -> float:
    """The odds ratio of taking up an offered group of this activity (its kind's, against exercise referral)."""
    return _by_kind(p, catalogue()[activity_index].kind, UPTAKE_ODDS_RATIO)


def dropout_ratio(p: Params, activity_index: int) -> float:
    """The multiple of the weekly drop-out hazard for a member of a group of this activity."""
    return _by_kind(p, catalogue()[activity_index].kind, DROPOUT_RATIO)


def dropout_ratios(p: Params) -> np.ndarray:
    """``dropout_ratio`` of every activity, in catalogue order (indexed by the register's activity column)."""
    return np.array([_by_kind(p, a.kind, DROPOUT_RATIO) for a in catalogue()])
