"""The analysis of a PSA's runs: each policy's extra QALYs and net cost per draw, the acceptability curve, and
the value of information (total and per research group), written into the PSA's folder. It reads only what
``psa_folder`` reads back, so `spsim psa` and `spsim psa --from` on its folder write the same files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.decisions import COST, EFFECT
from ..reporting.figures import acceptability
from ..runs import outdir
from ..runs.metrics import WTP_PER_QALY_GBP
from ..runs.runner import atomic_write_csv, atomic_write_text
from . import value_of_information as voi
from .psa_folder import StoredPSA
from .psa_report import render

VALUES_PER_QALY = np.arange(0, 50_001, 1_000)  # GBP per QALY, the CEAC's horizontal axis
MISSING_SLACK = 0.05  # R² by which a group may exceed the all-parameter fit before the total is flagged


def incremental(runs: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Per draw and scenario: extra QALYs and extra net cost against the reference, paired by replicate and
    averaged over the draw's replicates."""
    return (_paired(runs, reference).groupby(["point", "scenario"], sort=False)[["extra_qalys", "extra_cost_gbp"]]
            .mean().reset_index())  # fmt: skip


def _paired(runs: pd.DataFrame, reference: str) -> pd.DataFrame:
    keys = ["point", "replicate"]
    ref = runs[runs["scenario"] == reference].set_index(keys)[[EFFECT, COST]]
    out = runs.join(ref.add_suffix("_ref"), on=keys)
    out["extra_qalys"] = out[EFFECT] - out[f"{EFFECT}_ref"]
    out["extra_cost_gbp"] = out[COST] - out[f"{COST}_ref"]
    return out


def net_benefit(extra: pd.DataFrame, order: list[str], value: float, index: list[str] | None = None) -> np.ndarray:
    """Rows (draws, or draws x replicates) x scenarios: incremental net monetary benefit at ``value`` GBP per
    QALY (the reference's column is 0)."""
    index = index or ["point"]
    qalys = extra.pivot(index=index, columns="scenario", values="extra_qalys")[order].to_numpy()
    costs = extra.pivot(index=index, columns="scenario", values="extra_cost_gbp")[order].to_numpy()
    return value * qalys - costs


def ceac(benefit_at_zero: pd.DataFrame, order: list[str], values=VALUES_PER_QALY) -> pd.DataFrame:
    """Probability that each scenario is the most cost-effective, at each value of a QALY (ties: the first
    in order, the reference first)."""
    rows = []
    for v in values:
        best = np.argmax(net_benefit(benefit_at_zero, order, float(v)), axis=1)
        shares = np.bincount(best, minlength=len(order)) / len(best)
        rows.append({"value_per_qaly_gbp": float(v), **dict(zip(order, shares, strict=True))})
    return pd.DataFrame(rows)


def monte_carlo_evpi(benefit_at_zero: pd.DataFrame, order: list[str], value: float) -> float:
    """The Monte Carlo EVPI at ``value`` GBP per QALY, E[max_d NB_d] - max_d E[NB_d] over the draws' own net
    benefits: chance between replicates counts as if research could remove it (an upper bound)."""
    return voi.value_of_information(net_benefit(benefit_at_zero, order, value))


def summary(benefit: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Each policy's mean extra QALYs and net cost, and the 2.5-97.5% of draws."""
    def low(s):
        return s.quantile(0.025)

    def high(s):
        return s.quantile(0.975)

    return (benefit.groupby("scenario", sort=False)
            .agg(qalys_mean=("extra_qalys", "mean"), qalys_lo=("extra_qalys", low), qalys_hi=("extra_qalys", high),
                 cost_mean=("extra_cost_gbp", "mean"), cost_lo=("extra_cost_gbp", low),
                 cost_hi=("extra_cost_gbp", high))
            .reindex(order).rename_axis("scenario").reset_index())  # fmt: skip


def information(psa: StoredPSA, benefit: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(evpi.csv, evppi.csv): the value of information at each of NICE's values of a QALY."""
    order, draws = psa.order, psa.draws
    inb = {float(v): net_benefit(benefit, order, float(v))[:, 1:] for v in WTP_PER_QALY_GBP}
    total = voi.total_evpi(draws, inb, order[1:])
    bound = {value: monte_carlo_evpi(benefit, order, value) for value in inb}
    groups = pd.DataFrame([_group(group, draws, inb, value, total[value], bound[value], order[1:])
                           for group in voi.RESEARCH_GROUPS for value in inb])  # fmt: skip
    paired = _paired(psa.runs, order[0])
    rows = []
    for value, estimate in total.items():
        doubts = []
        if estimate.r2 < voi.TRUSTED_R2:
            doubts.append(f"the regression explains {estimate.r2:.0%} of the spread in net benefit between draws "
                          f"(under {voi.TRUSTED_R2:.0%}): too little to tell the parameters' effect from "
                          "chance")  # fmt: skip
        explained = groups.loc[groups["value_per_qaly_gbp"] == value, "r2"].max()
        if explained > estimate.r2 + MISSING_SLACK:  # nan (no group drawn) compares False
            doubts.append("a research group's regression explains more than the all-parameter one: the total "
                          "misses parameters that matter")  # fmt: skip
        doubts += _few(len(draws)) + _overfitted(estimate)
        rows.append({"value_per_qaly_gbp": value, "evpi_gbp": estimate.value_gbp, "evpi_se_gbp": estimate.se_gbp,
                     "evpi_monte_carlo_gbp": bound[value], "r2": estimate.r2, "r2_fitted": estimate.r2_fitted,
                     "chance_share": voi.chance_share(_per_replicate(paired, order, value)),
                     "trusted": not doubts, "draws": len(draws), "parameters": ";".join(estimate.parameters),
                     "note": "; ".join(doubts + list(estimate.notes))})  # fmt: skip
    return pd.DataFrame(rows), groups


def _group(group: voi.ResearchGroup, draws: pd.DataFrame, inb: dict, value: float, total: voi.Estimate,
           bound: float, options: list[str]) -> dict:  # fmt: skip
    """One row of evppi.csv: a research group at one value of a QALY (skipped, with a note, if not drawn)."""
    drawn = [p for p in group.parameters if p in draws.columns]
    missing = [p for p in group.parameters if p not in draws.columns]
    row = {"group": group.name, "research": group.research, "parameters": ";".join(drawn),
           "value_per_qaly_gbp": value, "evppi_gbp": np.nan, "evppi_se_gbp": np.nan, "share_of_evpi": np.nan,
           "r2": np.nan, "r2_fitted": np.nan, "trusted": False}  # fmt: skip
    if not drawn:
        return {**row, "note": "skipped: none of its parameters was drawn in this PSA"}
    estimate = voi.evppi(draws, inb[value], drawn, options)
    notes = [f"not drawn in this PSA: {', '.join(missing)}"] if missing else []
    notes += list(estimate.notes)
    doubts = _few(len(draws)) + _overfitted(estimate)
    if estimate.value_gbp > bound:  # no partial information is worth more than perfect information
        doubts.append("above the Monte Carlo EVPI, which bounds it: the regression follows chance")
    row.update(evppi_gbp=estimate.value_gbp, evppi_se_gbp=estimate.se_gbp, r2=estimate.r2,
               r2_fitted=estimate.r2_fitted, trusted=not doubts,
               share_of_evpi=estimate.value_gbp / total.value_gbp if total.value_gbp > 0 else np.nan)  # fmt: skip
    return {**row, "note": "; ".join(doubts + notes)}


def _overfitted(estimate: voi.Estimate) -> list[str]:
    if not estimate.follows_chance:
        return []
    return [f"the regression follows chance: it explains {estimate.r2_fitted:.0%} of the draws it was fitted to "
            f"and {estimate.r2:.0%} of draws it did not see"]


def _few(draws: int) -> list[str]:
    return [] if draws >= voi.MIN_DRAWS else [f"{draws} draws: the regressions need about {voi.MIN_DRAWS} (with "
                                               "100 they overstated known values by up to 40%)"]  # fmt: skip


def spend_per_draw(runs: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Per draw and scenario: the levers' extra money a year per 100,000 adults against the reference, from the
    ledger (``spend.LEVERS``), averaged over the draw's replicates. Posts and programmes are priced by the draw,
    so this is where a budget that drifts with the draws shows (issue 26 item 5)."""
    from ..analysis.spend import LEVERS
    from ...model import costing

    columns = [column for column, _ in LEVERS]
    if not set(columns) <= set(runs.columns):  # a PSA from before the ledger was kept
        return pd.DataFrame(columns=["point", "scenario", "extra_spend_gbp_per_100k_year"])
    frame = runs[runs["scenario"].isin(order)]
    spent = frame[columns].sum(axis=1) / (frame["weeks"] / 52) / costing.per_100k(frame["population"])
    keys = ["point", "replicate"]
    table = frame[keys + ["scenario"]].assign(spent=spent.to_numpy())
    reference = table[table["scenario"] == order[0]].set_index(keys)["spent"]
    table["extra_spend_gbp_per_100k_year"] = table["spent"] - reference.reindex(
        pd.MultiIndex.from_frame(table[keys])).to_numpy()
    return (table.groupby(["point", "scenario"], sort=False)["extra_spend_gbp_per_100k_year"].mean()
            .reset_index())  # fmt: skip


def spend_summary(spend: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Per scenario (not the reference): the extra spend over the draws (min, mean, max) and its declared budget
    per 100,000 adults where a shipped or named scenario file declares one."""
    from ..inputs import scenario as scenarios

    rows = []
    for name in order[1:]:
        values = spend.loc[spend["scenario"] == name, "extra_spend_gbp_per_100k_year"]
        if values.empty:
            continue
        try:
            budget = scenarios.load(name).budget_gbp_per_100k_year
        except scenarios.ScenarioError:  # a scenario file no longer at hand: its budget is unknown, not an error
            budget = None
        rows.append({"scenario": name, "budget_gbp_per_100k_year": budget, "min": values.min(),
                     "mean": values.mean(), "max": values.max()})  # fmt: skip
    return pd.DataFrame(rows, columns=["scenario", "budget_gbp_per_100k_year", "min", "mean", "max"])


def _per_replicate(paired: pd.DataFrame, order: list[str], value: float) -> pd.DataFrame:
    """Columns point, replicate and each non-reference scenario's incremental net benefit in that replicate."""
    frame = paired[paired["scenario"].isin(order)]
    nb = net_benefit(frame, order, value, index=["point", "replicate"])[:, 1:]
    keys = frame[["point", "replicate"]].drop_duplicates().sort_values(["point", "replicate"])
    return pd.concat([keys.reset_index(drop=True), pd.DataFrame(nb, columns=order[1:])], axis=1)


def write(out: Path, psa: StoredPSA) -> tuple[str, pd.DataFrame]:
    """Write the analysis files into ``out`` (the PSA's folder, held locked); return psa.md's text and the
    acceptability curve."""
    order = psa.order
    benefit = incremental(psa.runs, order[0])
    curve = ceac(benefit, order)
    evpi, evppi = information(psa, benefit)
    spend = spend_per_draw(psa.runs, order)
    text = render(curve, summary(benefit, order), order, psa.settings, evpi, evppi, spend_summary(spend, order))
    with outdir.locked(out):
        atomic_write_csv(out / "spend.csv", spend)
        atomic_write_csv(out / "incremental.csv", benefit)
        atomic_write_csv(out / "ceac.csv", curve)
        atomic_write_csv(out / "evpi.csv", evpi)
        atomic_write_csv(out / "evppi.csv", evppi)
        acceptability(curve, order, out, f"{len(psa.draws)} draws of the uncertain parameters")  # out/ceac.png
        atomic_write_text(out / "psa.md", text)
    return text, curve
