"""Net monetary benefit of each scenario against the reference at every point of a design, and the best scenario
at each point: what sensitivity analysis ranks policies by."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def net_benefit(runs: pd.DataFrame, reference: str, value_per_qaly: float) -> pd.DataFrame:
    """Incremental net monetary benefit of each scenario against the reference, per point and replicate, in the
    NICE reference case as `spsim run` and `spsim psa` decide: value_per_qaly x (QALYs gained - reference's) -
    (net NHS cost - reference's), QALYs against each person's natural course and the net cost (spend less care
    saved) both discounted. Paired by replicate."""
    keys = ["point", "replicate"]
    ref = runs[runs["scenario"] == reference].set_index(keys)[["qalys_gained", "net_cost_gbp"]]
    out = runs.join(ref.add_suffix("_ref"), on=keys)
    out["extra_qalys"] = out["qalys_gained"] - out["qalys_gained_ref"]
    out["extra_cost_gbp"] = out["net_cost_gbp"] - out["net_cost_gbp_ref"]
    out["net_benefit_gbp"] = value_per_qaly * out["extra_qalys"] - out["extra_cost_gbp"]
    return out[["point", "scenario", "replicate", "extra_qalys", "extra_cost_gbp", "net_benefit_gbp"]]


def best_scenario(benefit: pd.DataFrame, order: Sequence[str]) -> pd.Series:
    """Per point: the scenario with the highest mean net benefit over replicates (ties go to the earlier
    scenario in `order`, so the answer does not depend on floating-point noise in the sort)."""
    means = benefit.groupby(["point", "scenario"])["net_benefit_gbp"].mean().unstack("scenario")[list(order)]
    return means.idxmax(axis=1)
