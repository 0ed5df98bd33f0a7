"""Net wellbeing by deprivation fifth, per run: each measured person's SWEMWBS at the end of follow-up minus their own
natural course's (``swemwbs_above_natural`` of the outcome records), summed per fifth of deprivation (IoD2019
quintile of where they live, as experiments/runs/subgroups.py counts them) and divided by the adults living there
(per 1,000). What `spsim optimise --objective equity` measures a candidate by (experiments/optimise/equity.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..runs import design as designs
from ..runs.subgroups import DEPRIVATION_LEVELS

MOST, LEAST = "net_wellbeing_most_deprived_per_1000", "net_wellbeing_least_deprived_per_1000"
RECORD_COLUMNS = ["imd_quintile", "censored", "swemwbs_above_natural"]


def by_fifth(design: designs.Design, out: Path) -> pd.DataFrame:
    """Per run (point, scenario, replicate): net SWEMWBS points gained per 1,000 adults in the most and the
    least deprived fifths."""
    keys = ["point", "scenario", "replicate"]
    people = designs.records(design, out, RECORD_COLUMNS)
    measured = people[~people["censored"].astype(bool)]
    gained = measured.groupby([*keys, "imd_quintile"])["swemwbs_above_natural"].sum()
    groups = designs.subgroups(design, out)
    adults = groups[groups["dimension"] == "deprivation"].set_index([*keys, "subgroup"])["adults"]
    runs = groups[keys].drop_duplicates().set_index(keys).index
    out_rows = {}
    for column, level in ((MOST, 1), (LEAST, len(DEPRIVATION_LEVELS))):
        points = gained.xs(level, level="imd_quintile").reindex(runs, fill_value=0.0) if len(gained) else 0.0
        people_there = adults.xs(DEPRIVATION_LEVELS[level - 1], level="subgroup").reindex(runs)
        out_rows[column] = 1000 * points / people_there.replace(0, np.nan)
    return pd.DataFrame(out_rows, index=runs).reset_index()


def gap_rows(rows: pd.DataFrame) -> pd.Series:
    """Least minus most deprived fifth's net wellbeing per 1,000 adults, per row."""
    return rows[LEAST] - rows[MOST]
