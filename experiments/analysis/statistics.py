"""Summaries of an experiment: the headline measures, and their means and paired differences by scenario (the
intervals themselves: ``intervals``).

Replicate r of every scenario shares a seed (common random numbers), so a scenario is compared with the
reference replicate by replicate: the confidence interval of the mean paired difference is far
narrower than the spread of either scenario alone.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .intervals import incremental_cost_effectiveness, intervals

# (column, label in plain words, unit, True if higher is better / False if lower / None if neither)
METRICS: list[tuple[str, str, str, bool | None]] = [
    ("referrals", "people referred", "people", None),
    ("lw_contact_rate", "reached a link worker", "share of referred", True),
    ("vcse_uptake_rate", "took up a community activity", "share of referred", True),
    ("sustained_engagement_rate", "sustained engagement", "share of referred", True),
    ("dropout_rate", "dropped out", "share of referred", False),
    ("setback_rate", "had a setback", "share of referred", False),
    ("reengagement_rate", "came back after a setback", "share of setbacks", True),
    ("improved_rate", "wellbeing improved by 1+ SWEMWBS point", "share of measured", True),
    ("mean_swemwbs_change", "wellbeing change (SWEMWBS)", "points per person", True),
    ("mean_ucla_change", "loneliness change (UCLA-3)", "points per person", False),
    ("volunteer_rate", "became peer supporters or volunteers", "share of referred", True),
    ("mh_discharge_rate", "discharged from secondary mental health care", "share of MH cohort", True),
    ("employment_rate", "found work", "share of working-age out of work", True),
    ("mean_wait_lw_weeks", "wait for a link worker", "weeks", False),
    ("mean_wait_vcse_weeks", "wait for a group place", "weeks", False),
    ("vcse_groups_closed", "community groups closed", "groups", False),
    ("lw_quit_rate", "link workers leaving", "per FTE-year", False),
    ("gp_consultations_change", "GP consultations change", "per person-year", False),
    ("ae_attendances_change", "A&E attendances change", "per person-year", False),
    ("total_cost_gbp", "total cost", "GBP", None),
    ("cost_per_swemwbs_point", "cost per SWEMWBS point (before-after)", "GBP per point", False),
    ("swemwbs_points_gained", "SWEMWBS points gained", "points", True),
    ("health_service_cost_change_gbp", "change in GP and A&E costs", "GBP per year", False),
    # economics (docs/methods.md, "Economics"): already net of the natural course, discounted, to the economic horizon
    ("qalys_gained", "QALYs gained", "QALYs", True),
    ("wellbys_gained", "WELLBYs gained", "WELLBYs", True),
    ("commissioner_cost_discounted_gbp", "commissioner spend, discounted", "GBP", None),
    ("care_cost_change_gbp", "change in NHS care costs (GP, A&E, mental health teams)", "GBP", False),
    ("net_cost_gbp", "net cost to the NHS", "GBP", False),
    ("nmb_20k_gbp", "net monetary benefit at 20,000 GBP per QALY", "GBP", True),
    ("nmb_30k_gbp", "net monetary benefit at 30,000 GBP per QALY", "GBP", True),
    ("return_per_pound", "WELLBY value and NHS savings per pound spent", "per pound spent", True),
    ("deadweight_share", "share of the before-after wellbeing change that is the natural course", "ratio", None),
]
# Kept as a row of comparison.csv (a contract), but it decides nothing: a ratio against the reference has no
# meaning for a cheaper-and-better scenario and ignores the other options; decisions.py chooses instead.
INCREMENTAL = ("incremental_cost_per_swemwbs_point", "extra cost per extra SWEMWBS point", "GBP per point", False)
# Units of rates in [0, 1]: their intervals come from a bootstrap, which cannot leave [0, 1] (see interval)
SHARE_UNITS = {"share of referred", "share of measured", "share of setbacks", "share of MH cohort",
               "share of working-age out of work"}  # fmt: skip
UNITS = {column: unit for column, _, unit, _ in METRICS}
# Changes since referral: a before-and-after figure, which includes the natural course (regression to the
# mean); against the counterfactual they become the effect of the service (comparison's net_* columns).
CHANGE_METRICS = {"improved_rate", "mean_swemwbs_change", "mean_ucla_change", "gp_consultations_change",
                  "ae_attendances_change", "swemwbs_points_gained", "health_service_cost_change_gbp"}  # fmt: skip


def _scenario_rows(replicates: pd.DataFrame, scenario: str) -> pd.DataFrame:
    """A scenario's rows of replicates.csv, by replicate (so that scenarios pair replicate by replicate)."""
    return replicates[replicates["scenario"] == scenario].set_index("replicate")


def _by_replicate(replicates: pd.DataFrame, scenario: str, column: str) -> pd.Series:
    return _scenario_rows(replicates, scenario)[column].astype(float)


def counterfactual_in(scenarios) -> str | None:
    """The run's counterfactual: the first scenario without a social prescribing service (the same people,
    their natural course only), or None."""
    return next((s.name for s in scenarios if s.parameters.get("social_prescribing", True) is False), None)


def comparison(replicates: pd.DataFrame, order: list[str], counterfactual: str | None = None) -> pd.DataFrame:
    """comparison.csv: per scenario x metric, the mean with 95% CI and the paired difference from the
    reference (the first scenario) with its 95% CI (for shares, percentile-bootstrap intervals); with a
    counterfactual in the run, also the paired difference from it (``net_*``) for the changes since referral
    (CHANGE_METRICS): the effect net of the natural course, which a before-and-after figure includes."""
    reference = order[0]
    scenario_rows = {name: _scenario_rows(replicates, name) for name in [*order, counterfactual] if name is not None}
    ref = scenario_rows[reference]
    shares = [unit in SHARE_UNITS for _, _, unit, _ in METRICS]
    rows = []
    for scenario in order:
        own = scenario_rows[scenario]
        values = [own[column].astype(float) for column, *_ in METRICS]
        means = intervals(values, shares)
        diffs = intervals([v - ref[column].astype(float) for v, (column, *_) in zip(values, METRICS)], shares)
        netted = [counterfactual is not None and scenario != counterfactual and column in CHANGE_METRICS
                  for column, *_ in METRICS]  # fmt: skip
        nets = iter(intervals([v - scenario_rows[counterfactual][column].astype(float)
                               for v, (column, *_), net in zip(values, METRICS, netted) if net],
                              [share for share, net in zip(shares, netted) if net]))  # fmt: skip
        for (column, label, unit, _), v, m, d, net in zip(METRICS, values, means, diffs, netted):
            row = _row(scenario, column, label, unit, v, m, d, reference)
            n = next(nets) if net else (math.nan,) * 3
            row.update(counterfactual=counterfactual or "", net_mean=n[0], net_ci_low=n[1], net_ci_high=n[2])
            rows.append(row)
        cost = own["total_cost_gbp"].astype(float) - ref["total_cost_gbp"].astype(float)
        points = own["swemwbs_points_gained"].astype(float) - ref["swemwbs_points_gained"].astype(float)
        m, lo, hi = incremental_cost_effectiveness(cost, points) if scenario != reference else (math.nan,) * 3
        rows.append({
            "scenario": scenario, "metric": INCREMENTAL[0], "label": INCREMENTAL[1], "unit": INCREMENTAL[2],
            "n_replicates": int(points.notna().sum()), "mean": m, "ci_low": lo, "ci_high": hi,
            "reference": reference, "diff_mean": math.nan, "diff_ci_low": math.nan, "diff_ci_high": math.nan,
            "counterfactual": counterfactual or "", "net_mean": math.nan, "net_ci_low": math.nan,
            "net_ci_high": math.nan,
        })  # fmt: skip
    return pd.DataFrame(rows)


def _row(scenario, column, label, unit, values, mean, diff, reference) -> dict:
    """A row of comparison.csv: ``mean`` and ``diff`` are the intervals of ``values`` and of their paired
    difference from the reference."""
    return {
        "scenario": scenario,
        "metric": column,
        "label": label,
        "unit": unit,
        "n_replicates": int(values.notna().sum()),
        "mean": mean[0],
        "ci_low": mean[1],
        "ci_high": mean[2],
        "reference": reference,
        "diff_mean": diff[0],
        "diff_ci_low": diff[1],
        "diff_ci_high": diff[2],
    }


def trajectories(trajectory_sums: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """trajectories.csv: people pooled across replicates; normal-approximation 95% CI of the mean."""
    keys = ["scenario", "group", "months_since_referral"]
    sums = trajectory_sums.groupby(keys, sort=False)[
        ["n", "sum_swemwbs_change", "sumsq_swemwbs_change", "sum_ucla_change", "sumsq_ucla_change"]
    ].sum()
    out = []
    for (scenario, group, month), s in sums.iterrows():
        row = {"scenario": scenario, "group": group, "months_since_referral": int(month), "n": int(s["n"])}
        for scale, name in (("swemwbs", "swemwbs"), ("ucla", "ucla")):
            mean, lo, hi = _pooled(s["n"], s[f"sum_{scale}_change"], s[f"sumsq_{scale}_change"])
            row[f"mean_{name}_change"] = mean
            row[f"{name}_ci_low"] = lo
            row[f"{name}_ci_high"] = hi
        out.append(row)
    frame = pd.DataFrame(out)
    if frame.empty:
        return frame
    frame["_order"] = frame["scenario"].map({s: i for i, s in enumerate(order)})
    return frame.sort_values(["_order", "group", "months_since_referral"], kind="stable").drop(columns="_order")


def _pooled(n: float, total: float, total_sq: float) -> tuple[float, float, float]:
    if n < 1:
        return (math.nan, math.nan, math.nan)
    mean = total / n
    if n < 2:
        return (mean, math.nan, math.nan)
    var = max((total_sq - n * mean * mean) / (n - 1), 0.0)
    half = 1.96 * math.sqrt(var / n)
    return (mean, mean - half, mean + half)


def timeseries_bands(timeseries: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Per scenario x week: mean and 2.5%/97.5% quantiles across replicates."""
    grouped = timeseries.groupby(["scenario", "week"], sort=False)[columns]
    mean = grouped.mean().add_suffix("_mean")
    low = grouped.quantile(0.025).add_suffix("_low")
    high = grouped.quantile(0.975).add_suffix("_high")
    return pd.concat([mean, low, high], axis=1).reset_index()


def pairing_gain(replicates: pd.DataFrame, order: list[str], column: str = "mean_swemwbs_change") -> pd.DataFrame:
    """How much common random numbers narrowed the comparison: per scenario, the SD across replicates of
    its paired difference from the reference, against the SD the difference would have had with
    independent runs (sqrt(var_a + var_b)), and the variance reduction 1 - paired² / unpaired²."""
    reference = order[0]
    ref = _by_replicate(replicates, reference, column)
    rows = []
    for scenario in order[1:]:
        own = _by_replicate(replicates, scenario, column)
        paired = float((own - ref).std(ddof=1)) if len(own) > 1 else math.nan
        unpaired = math.sqrt(float(own.var(ddof=1)) + float(ref.var(ddof=1))) if len(own) > 1 else math.nan
        reduction = 1 - (paired / unpaired) ** 2 if unpaired and unpaired > 0 else math.nan
        rows.append({"scenario": scenario, "metric": column, "sd_paired": paired, "sd_unpaired": unpaired,
                     "variance_reduction": reduction})  # fmt: skip
    return pd.DataFrame(rows)
