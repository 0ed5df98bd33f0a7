"""The report's tables of key metrics (each scenario's mean, its paired difference from the reference and its
effect net of the counterfactual) and what pairing the replicates bought."""

from __future__ import annotations

import pandas as pd

from ..analysis import statistics as analysis
from .amounts import ci, fmt

KEY_METRICS = [
    "mean_swemwbs_change", "improved_rate", "mean_ucla_change", "vcse_uptake_rate", "lw_contact_rate",
    "sustained_engagement_rate", "volunteer_rate", "mh_discharge_rate", "mean_wait_lw_weeks",
    "vcse_groups_closed", "gp_consultations_change", "total_cost_gbp", "health_service_cost_change_gbp",
]  # fmt: skip (cost per extra point is left out: the incremental analysis answers that question properly)


def metric_table(comp: pd.DataFrame, order: list[str], metric: str) -> list[str]:
    """One metric: each scenario's mean, its paired difference from the reference and, when the run has a
    counterfactual, from it (the before-and-after figure beside the effect net of the natural course)."""
    rows = comp[comp.metric == metric].set_index("scenario").reindex(order)
    label, unit = rows["label"].iloc[0], rows["unit"].iloc[0]
    counterfactual = counterfactual_of(comp) if metric in analysis.CHANGE_METRICS else ""
    header = f"| scenario | mean (95% CI) | difference from `{order[0]}` (95% CI) |"
    if counterfactual:
        header += f" net of `{counterfactual}` (95% CI) |"
    lines = [f"**{label}** ({unit})", "", header, "|---|---|---|" + ("---|" if counterfactual else "")]
    for scenario, row in rows.iterrows():
        diff = "reference" if scenario == order[0] else f"{fmt(row['diff_mean'], unit)}{ci(row, 'diff_')}"
        line = f"| {scenario} | {fmt(row['mean'], unit)}{ci(row)} | {diff} |"
        if counterfactual:
            net = "counterfactual" if scenario == counterfactual else f"{fmt(row['net_mean'], unit)}{ci(row, 'net_')}"
            line += f" {net} |"
        lines.append(line)
    return [*lines, ""]


def counterfactual_of(comp: pd.DataFrame) -> str:
    """The run's counterfactual scenario named in comparison.csv, or '' (also for tables written before)."""
    if "counterfactual" not in comp.columns:
        return ""
    names = [name for name in comp["counterfactual"].fillna("").astype(str).unique() if name]
    return names[0] if names else ""


def pairing_section(replicates: pd.DataFrame, order: list[str]) -> list[str]:
    """What pairing bought: replicate r of every scenario shares the seed and each person's own draws."""
    gain = analysis.pairing_gain(replicates, order)
    if gain.empty or gain["sd_paired"].isna().all():
        return []
    lines = ["## How much pairing helped", "",
             "Replicate *r* of every scenario has the same seed, and each person's random numbers are keyed by who "
             "they are and what the draw is for, so a lever changes only what it causes. The spread across "
             "replicates of the difference in SWEMWBS change per person, paired and as if the runs were "
             "independent:", "",
             "| scenario | SD of paired differences | SD if unpaired | variance reduction |", "|---|---|---|---|"]  # fmt: skip
    for row in gain.itertuples():
        lines.append(f"| `{row.scenario}` | {row.sd_paired:.3f} | {row.sd_unpaired:.3f} | {row.variance_reduction:.0%} |")
    return lines + [""]
