"""Who benefits: subgroups compared across scenarios, and the gap between the most and least deprived.

``subgroup_comparison`` is the twin of ``comparison.csv`` for ``subgroups.csv``: per scenario x subgroup x
metric the mean with its 95% interval, the paired difference from the reference and, for the changes since
referral, the paired difference from the counterfactual (the effect net of the natural course).

``equity_table`` measures inequality along deprivation, ordered from the most to the least deprived, in two
ways (both per replicate, then a mean and interval across replicates): the *gap* (least deprived level minus
most deprived level) and the *slope index of inequality* (SII: a line fitted to the levels' means against
their mid-point rank in the population, weighted by their adults, read from one end of the population to the
other; it uses every level and their sizes, as the Marmot and OHID inequality indicators do). A policy
*narrows* the gap when its paired difference in the gap from the reference has an interval below zero.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from .intervals import interval, intervals, span
from .statistics import CHANGE_METRICS, SHARE_UNITS

# (column of subgroups.csv, label, unit)
SUBGROUP_METRICS = [
    ("referrals_per_1000_year", "people referred", "per 1,000 adults a year"),
    ("lw_contact_rate", "reached a link worker", "share of referred"),
    ("vcse_uptake_rate", "took up a community activity", "share of referred"),
    ("mean_swemwbs_change", "wellbeing change (SWEMWBS)", "points per person"),
    ("mean_ucla_change", "loneliness change (UCLA-3)", "points per person"),
]
KEYS = ["dimension", "subgroup"]


def _by_replicate(subgroups: pd.DataFrame, scenario: str, column: str) -> pd.DataFrame:
    """One column as a table: replicate x (dimension, subgroup)."""
    return _tables(subgroups, scenario, [column])[column]


def _tables(subgroups: pd.DataFrame, scenario: str, columns: list[str]) -> pd.DataFrame:
    """Columns as tables, replicate x (column, dimension, subgroup): one pivot for them all (a pivot a column
    took 6 ms, 70 of them for the comparison; each column's table is the one its own pivot gives)."""
    rows = subgroups[subgroups["scenario"] == scenario]
    return rows.pivot_table(index="replicate", columns=KEYS, values=columns, aggfunc="first", dropna=False, sort=False)


def _pivots(subgroups: pd.DataFrame, columns: list[str]) -> Callable[[str, str], pd.DataFrame]:
    """``(scenario, column)`` -> that column as a table (``_by_replicate``), each scenario pivoted once."""
    tables = functools.cache(lambda scenario: _tables(subgroups, scenario, columns))
    return lambda scenario, column: tables(scenario)[column]


def _columns(table: pd.DataFrame, keys: list) -> list[np.ndarray]:
    """The columns ``keys`` of a replicate x subgroup table, as arrays (the frame's arithmetic pairs the
    replicates and the subgroups, as a column's own would; a column as an array is read without pandas' cost)."""
    return list(table.reindex(columns=keys).to_numpy(dtype=float).T)


def subgroup_comparison(subgroups: pd.DataFrame, order: list[str], counterfactual: str | None) -> pd.DataFrame:
    """subgroup_comparison.csv (columns as comparison.csv, with dimension and subgroup)."""
    reference = order[0]
    by_replicate = _pivots(subgroups, [column for column, _, _ in SUBGROUP_METRICS])
    rows = []
    for column, label, unit in SUBGROUP_METRICS:
        share = unit in SHARE_UNITS
        ref = by_replicate(reference, column)
        base = by_replicate(counterfactual, column) if counterfactual else None
        for scenario in order:
            own = by_replicate(scenario, column)
            keys, shares = list(own.columns), [share] * len(own.columns)
            means = intervals(_columns(own, keys), shares)
            diffs = intervals(_columns(own - ref, keys), shares)
            nets = [(math.nan,) * 3] * len(keys)
            if base is not None and scenario != counterfactual and column in CHANGE_METRICS:
                nets = intervals(_columns(own - base, keys), shares)
            measured = own.notna().sum().to_numpy()
            for key, n, m, d, net in zip(keys, measured, means, diffs, nets, strict=True):
                rows.append({
                    "scenario": scenario, "dimension": key[0], "subgroup": key[1], "metric": column, "label": label,
                    "unit": unit, "n_replicates": int(n), "mean": m[0], "ci_low": m[1],
                    "ci_high": m[2], "reference": reference, "diff_mean": d[0], "diff_ci_low": d[1],
                    "diff_ci_high": d[2], "counterfactual": counterfactual or "", "net_mean": net[0],
                    "net_ci_low": net[1], "net_ci_high": net[2],
                })  # fmt: skip
    return pd.DataFrame(rows)


def slope_index(means: np.ndarray, weights: np.ndarray) -> float:
    """The SII of levels ordered from the most to the least deprived: the weighted least-squares slope of
    their means on the mid-point of each level's cumulative share of the population (0 = the most deprived
    person, 1 = the least), so the value is the fitted difference from one end of the population to the
    other. NaN with fewer than two levels that have people and a mean."""
    means, weights = np.asarray(means, dtype=float), np.asarray(weights, dtype=float)
    ok = ~np.isnan(means) & (weights > 0)
    if ok.sum() < 2:
        return math.nan
    share = weights / weights.sum()  # rank positions use every level's people, also those without a mean
    rank = np.cumsum(share) - share / 2
    x, y, w = rank[ok], means[ok], share[ok]
    xm = np.average(x, weights=w)
    return float(np.sum(w * (x - xm) * (y - np.average(y, weights=w))) / np.sum(w * (x - xm) ** 2))


def _inequality(deprivation: Callable[[str, str], pd.DataFrame], scenario: str, column: str,
                baseline: str | None) -> pd.DataFrame:  # fmt: skip
    """Per replicate: the gap and SII along deprivation of ``column`` (net of ``baseline`` when given);
    ``deprivation(scenario, column)``: that column as a table, replicate x deprivation level."""
    own = deprivation(scenario, column)
    if baseline is not None:
        own = own - deprivation(baseline, column)
    adults = deprivation(scenario, "adults")
    gap = own.iloc[:, -1] - own.iloc[:, 0]
    sii = [slope_index(own.loc[r].to_numpy(), adults.loc[r].to_numpy()) for r in own.index]
    return pd.DataFrame({"gap": gap.to_numpy(), "sii": sii}, index=own.index)


def equity_table(subgroups: pd.DataFrame, order: list[str], counterfactual: str | None) -> pd.DataFrame:
    """Per scenario x outcome: the most and least deprived levels' means, the gap and SII with intervals, and
    the paired difference in the gap from the reference (negative: the policy narrows it). Wellbeing is net
    of the counterfactual where the run has one (the natural course differs by deprivation too)."""
    if subgroups.empty or "deprivation" not in set(subgroups["dimension"]):
        return pd.DataFrame()
    reference = order[0]
    levels = subgroups[subgroups["dimension"] == "deprivation"]
    # each table is asked for by several measures, so each scenario's are made once, together
    deprivation = _pivots(levels, [column for column, _, _ in SUBGROUP_METRICS[2:4]] + ["adults"])
    rows = []
    for column, label, unit in SUBGROUP_METRICS[2:4]:  # take-up, and wellbeing change
        net = counterfactual if column in CHANGE_METRICS else None
        share = unit in SHARE_UNITS and net is None
        scenarios = [s for s in order if s != counterfactual]  # without a service it has nothing to share out
        ref = _inequality(deprivation, reference, column, net) if reference in scenarios else None
        for scenario in scenarios:
            ineq = _inequality(deprivation, scenario, column, net)
            dep = deprivation(scenario, column)
            if net:
                dep = dep - deprivation(net, column)
            most, least = interval(dep.iloc[:, 0], share), interval(dep.iloc[:, -1], share)
            gap, sii = interval(ineq["gap"], False), interval(ineq["sii"], False)
            d = interval(ineq["gap"] - ref["gap"], False) if ref is not None else (math.nan,) * 3
            rows.append({
                "scenario": scenario, "metric": column, "label": label, "unit": unit,
                "net_of": net or "", "most_deprived": dep.columns[0][1], "least_deprived": dep.columns[-1][1],
                "most_deprived_mean": most[0], "least_deprived_mean": least[0],
                "gap_mean": gap[0], "gap_ci_low": gap[1], "gap_ci_high": gap[2],
                "sii_mean": sii[0], "sii_ci_low": sii[1], "sii_ci_high": sii[2], "reference": reference,
                "gap_diff_mean": d[0], "gap_diff_ci_low": d[1], "gap_diff_ci_high": d[2],
            })  # fmt: skip
    return pd.DataFrame(rows)


def _number(value: float, unit: str) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    return f"{100 * value:+.1f} pts" if unit in SHARE_UNITS else f"{value:+.2f}"


def _with_interval(row: pd.Series, key: str, unit: str) -> str:
    """A mean with its interval in brackets; n/a alone where nothing was measured."""
    mean = row[f"{key}_mean"]
    if math.isnan(mean):
        return "n/a"
    return f"{_number(mean, unit)} ({span(row[f'{key}_ci_low'], row[f'{key}_ci_high'], lambda v: _number(v, unit))})"


def verdict(row: pd.Series) -> str:
    lo, hi = row["gap_diff_ci_low"], row["gap_diff_ci_high"]
    if row["scenario"] == row["reference"]:
        return "reference"
    if math.isnan(lo) or math.isnan(hi) or lo <= 0 <= hi:
        return "no clear difference"
    return "narrows the gap" if hi < 0 else "widens the gap"


def report_section(table: pd.DataFrame, figure: str | None) -> list[str]:
    """The report's equity section: who benefits along deprivation, and which policy narrows the gap."""
    if table.empty:
        return []
    lines = [
        "## Who benefits: the most and the least deprived",
        "",
        "Take-up and wellbeing change among the people referred from the most deprived areas and from the least, "
        "per scenario (wellbeing net of the natural course where the run has a counterfactual). *Gap* = least "
        "deprived minus most deprived: above zero, the less deprived gain more. *SII* (slope index of inequality) "
        "= the fitted difference from the most to the least deprived end of the population, using every level "
        "and its size. A policy *narrows the gap* when the 95% interval of its paired difference in the gap from "
        "the reference is below zero. Every subgroup (deprivation, age band, long-term conditions, cohort) is in "
        "`subgroups.csv` and `subgroup_comparison.csv`.",
        "",
    ]
    for metric, rows in table.groupby("metric", sort=False):
        first = rows.iloc[0]
        unit = first["unit"]
        net = f", net of `{first['net_of']}`" if first["net_of"] else ""
        lines += [f"**{first['label']}** ({'percentage points' if unit in SHARE_UNITS else unit}{net})", "",
                  f"| scenario | {first['most_deprived']} | {first['least_deprived']} | gap (95% CI) | SII (95% CI) "
                  f"| gap vs `{first['reference']}` (95% CI) | |",
                  "|---|---|---|---|---|---|---|"]  # fmt: skip
        for _, r in rows.iterrows():
            share = unit in SHARE_UNITS and not r["net_of"]
            fmt = (lambda v: f"{100 * v:.1f}%") if share else (lambda v: f"{v:+.2f}")
            ci = {k: _with_interval(r, k, unit) for k in ("gap", "sii", "gap_diff")}
            lines.append(f"| `{r['scenario']}` | {fmt(r['most_deprived_mean'])} | {fmt(r['least_deprived_mean'])} "
                         f"| {ci['gap']} | {ci['sii']} | {ci['gap_diff']} | {verdict(r)} |")  # fmt: skip
        lines.append("")
    if figure:
        lines += [f"![who benefits](figures/{figure})", ""]
    return lines
