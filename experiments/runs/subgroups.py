"""Results by group: one replicate's referral, reach, take-up and outcomes for each subgroup of people
(``subgroups.csv``; column definitions in docs/outputs.md). Who benefits is a commissioner's second question,
after what it does on average (issue 14).

A person belongs to one level of each dimension: deprivation (where they live), age band, long-term
conditions, and cohort (why they were referred). Shares are of the people referred in the subgroup;
changes are measured on those whose follow-up was complete, as in ``replicates.csv``, so that summing a
dimension's levels (weighted by people) gives the replicate's own figures.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ...model.population import AGE_BAND_STARTS

from .metrics import Window, referred_in

if TYPE_CHECKING:  # (the model, and Mesa with it, is imported where a model is made: a worker)
    from ...model import SocialPrescribingModel

# (dimension, its levels in order from the most to the least disadvantaged where that order exists)
DEPRIVATION_LEVELS = ("quintile 1 (most deprived)", "quintile 2", "quintile 3", "quintile 4",
                      "quintile 5 (least deprived)")  # of England's small areas (IoD2019), where people live
AGE_LEVELS = tuple(f"{a}-{b - 1}" for a, b in zip(AGE_BAND_STARTS, AGE_BAND_STARTS[1:])) + (f"{AGE_BAND_STARTS[-1]}+",)
LTC_LEVELS = ("2 or more", "1", "none")
COHORT_LEVELS = ("MENTAL_HEALTH", "COMMON_MENTAL", "LTC")
DIMENSIONS = {"deprivation": DEPRIVATION_LEVELS, "age_band": AGE_LEVELS, "long_term_conditions": LTC_LEVELS,
              "cohort": COHORT_LEVELS}  # fmt: skip
# the columns of subgroups.csv after scenario, replicate, dimension and subgroup
COLUMNS = ["adults", "referrals", "referrals_per_1000_year", "lw_contact_rate", "vcse_uptake_rate",
           "people_measured", "mean_swemwbs_change", "mean_ucla_change", "swemwbs_points_gained"]  # fmt: skip


def _age_band(age: np.ndarray) -> np.ndarray:
    """Index into AGE_LEVELS."""
    band = np.searchsorted(np.array(AGE_BAND_STARTS), np.asarray(age), side="right") - 1
    return np.clip(band, 0, len(AGE_LEVELS) - 1)


def _ltc(count: np.ndarray) -> np.ndarray:
    """Index into LTC_LEVELS (2 or more first)."""
    return 2 - np.clip(np.asarray(count), 0, 2)


def _deprivation(quintile: np.ndarray) -> np.ndarray:
    """Index into DEPRIVATION_LEVELS (most deprived first)."""
    return np.clip(np.asarray(quintile, dtype=int) - 1, 0, len(DEPRIVATION_LEVELS) - 1)


def _levels(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each referred person's level (an index into the dimension's levels) in every dimension."""
    cohort = {name: i for i, name in enumerate(COHORT_LEVELS)}
    return {"deprivation": _deprivation(frame["imd_quintile"]), "age_band": _age_band(frame["age"]),
            "long_term_conditions": _ltc(frame["ltc_count"]),
            "cohort": frame["cohort"].map(cohort).to_numpy(dtype=int)}  # fmt: skip


def _adults(model: SocialPrescribingModel) -> dict[str, np.ndarray]:
    """Adults of the catchment in each level (cohort is why a person was referred, so it has no count);
    counted on integer codes: an ICB has 1.5 million adults."""
    c = model.catchment
    return {
        "deprivation": np.bincount(_deprivation(c.imd_quintile), minlength=len(DEPRIVATION_LEVELS)),
        "age_band": np.bincount(_age_band(c.age), minlength=len(AGE_LEVELS)),
        "long_term_conditions": np.bincount(_ltc(c.ltc_count), minlength=len(LTC_LEVELS)),
    }


def subgroup_rows(model: SocialPrescribingModel, scenario: str, replicate: int, window: Window,
                  referred: pd.DataFrame | None = None) -> pd.DataFrame:  # fmt: skip
    """The rows of ``subgroups.csv`` for one replicate: every level of every dimension, even an empty one, so
    that replicates pair row by row. ``referred``: ``referred_in(model, window)``, when the caller has it."""
    out = referred_in(model, window) if referred is None else referred
    weeks = model.week - window.since_week
    levels = _levels(out) if len(out) else {d: np.empty(0, dtype=int) for d in DIMENSIONS}
    adults = _adults(model)
    measured = ~out["censored"].to_numpy(dtype=bool) if len(out) else np.empty(0, dtype=bool)
    sw_change = (out["swemwbs_end"] - out["swemwbs_start"]).to_numpy(dtype=float) if len(out) else np.empty(0)
    ucla_change = (out["ucla_end"] - out["ucla_start"]).to_numpy(dtype=float) if len(out) else np.empty(0)
    reached = out["reached_link_worker"].to_numpy(dtype=bool) if len(out) else np.empty(0, dtype=bool)
    took_up = out["took_up"].to_numpy(dtype=bool) if len(out) else np.empty(0, dtype=bool)
    rows = []
    for dimension, names in DIMENSIONS.items():
        for code, name in enumerate(names):
            here = levels[dimension] == code
            n, m = int(here.sum()), here & measured
            people = float(adults[dimension][code]) if dimension in adults else math.nan
            rows.append({
                "scenario": scenario, "replicate": replicate, "dimension": dimension, "subgroup": name,
                "adults": people, "referrals": n,
                "referrals_per_1000_year": n * 1000 * 52 / (people * weeks) if people and weeks else math.nan,
                "lw_contact_rate": float(reached[here].mean()) if n else math.nan,
                "vcse_uptake_rate": float(took_up[here].mean()) if n else math.nan,
                "people_measured": int(m.sum()),
                "mean_swemwbs_change": float(sw_change[m].mean()) if m.any() else math.nan,
                "mean_ucla_change": float(ucla_change[m].mean()) if m.any() else math.nan,
                "swemwbs_points_gained": float(sw_change[m].sum()),
            })  # fmt: skip
    return pd.DataFrame(rows, columns=["scenario", "replicate", "dimension", "subgroup", *COLUMNS])
