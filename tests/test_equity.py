"""Who benefits: results by subgroup add up to the whole, and the gap and slope index of inequality are
computed as defined (docs/outputs.md, subgroups.csv and equity.csv)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from spsim.experiments.analysis import equity
from spsim.experiments.inputs import scenario as scenarios
from spsim.experiments.runs.runner import Task, replicate_seed, run_task
from spsim.experiments.runs.subgroups import DIMENSIONS


def test_slope_index_of_inequality_by_hand():
    # two halves, means 0 and 1: mid-point ranks 0.25 and 0.75, so the line rises 1 over 0.5
    assert equity.slope_index(np.array([0.0, 1.0]), np.array([50, 50])) == pytest.approx(2.0)
    # five equal fifths with means 1..5 at ranks 0.1..0.9: 1 per 0.2 of the population
    assert equity.slope_index(np.arange(1.0, 6.0), np.full(5, 20)) == pytest.approx(5.0)
    # a small most-deprived fifth: ranks 0.1 and 0.6, means 2 and 3
    assert equity.slope_index(np.array([2.0, 3.0]), np.array([20, 80])) == pytest.approx(2.0)
    assert math.isnan(equity.slope_index(np.array([1.0, math.nan]), np.array([1, 1])))


@pytest.fixture(scope="module")
def one_replicate():
    baseline = scenarios.load("baseline")
    return run_task(Task(baseline, 0, replicate_seed(3, 0), weeks=78, place={"population": 20_000}, warmup_weeks=26))


def test_every_dimension_adds_up_to_the_replicate(one_replicate):
    row, groups = one_replicate.row, one_replicate.subgroups
    assert set(groups["dimension"]) == set(DIMENSIONS)
    for dimension, levels in DIMENSIONS.items():
        part = groups[groups["dimension"] == dimension]
        assert list(part["subgroup"]) == list(levels)  # every level, in order, even when empty
        assert part["referrals"].sum() == row["referrals"]
        assert part["people_measured"].sum() == row["people_measured"]
        assert part["swemwbs_points_gained"].sum() == pytest.approx(row["swemwbs_points_gained"])
        took_up = (part["vcse_uptake_rate"].fillna(0) * part["referrals"]).sum()
        assert took_up / row["referrals"] == pytest.approx(row["vcse_uptake_rate"])
        if dimension != "cohort":
            assert part["adults"].sum() == row["population"]


def test_equity_table_says_which_policy_narrows_the_gap():
    """Synthetic replicates: `fair` raises the most deprived fifth's take-up by 10 points, `same` changes nothing."""
    rows = []
    for r in range(5):
        for scenario, lift in (("base", 0.0), ("fair", 0.10), ("same", 0.0)):
            noise = 0.01 * r
            levels = (("quintile 1 (most deprived)", 200, 0.30 + lift), ("quintile 5 (least deprived)", 800, 0.40))
            for subgroup, adults, rate in levels:
                rows.append({"scenario": scenario, "replicate": r, "dimension": "deprivation", "subgroup": subgroup,
                             "adults": adults, "vcse_uptake_rate": rate + noise, "mean_swemwbs_change": 1.0})  # fmt: skip
    table = equity.equity_table(pd.DataFrame(rows), ["base", "fair", "same"], None)
    take_up = table[table["metric"] == "vcse_uptake_rate"].set_index("scenario")
    assert take_up.loc["base", "gap_mean"] == pytest.approx(0.10)
    assert take_up.loc["fair", "gap_mean"] == pytest.approx(0.0, abs=1e-12)
    assert take_up.loc["fair", "gap_diff_mean"] == pytest.approx(-0.10)
    verdicts = {r["scenario"]: equity.verdict(r) for _, r in take_up.reset_index().iterrows()}
    assert verdicts == {"base": "reference", "fair": "narrows the gap", "same": "no clear difference"}
    # ranks 0.1 and 0.6: the 10-point gap is 20 points over the whole population
    assert take_up.loc["base", "sii_mean"] == pytest.approx(0.20)
