"""`spsim psa`: probabilistic sensitivity analysis of the policy comparison, in the NICE reference case's
currency.

Each draw takes every uncertain parameter at a quantile of a Latin hypercube: uniform over its plausible range
(or over the range a calibration accepted), or, where the registry names one, from a distribution centred on its
value with the range as its central 95% (beta for utilities and shares, gamma for costs and counts, log-normal
for ratios, normal for the mapping's slope; ``uncertain_parameters.from_unit_interval``). Every scenario runs with that draw
and the draw's own seeds (--replicates of them, the same in every scenario, so the comparison is paired;
averaged per draw, which takes most of the chance out of the spread between draws).

Outputs: each policy's extra QALYs and net cost against the reference (discounted, to the economic horizon;
model/health_economics.py); the cost-effectiveness acceptability curve over the value of a QALY; and the
expected value of perfect information (EVPI) at 20,000 and 30,000 GBP per QALY: what resolving every
parameter's uncertainty before choosing would be worth for this place's decision, mean over draws of the best
net benefit minus the best mean net benefit (the standard Monte Carlo estimator; R package voi's ``evpi``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..runs import outdir
from ..analysis.decisions import COST, EFFECT
from ..reporting.figures import acceptability
from ..runs.design import Design, DesignError, place_fields
from ..runs.uncertain_parameters import as_points, latin_draws, uncertain_parameters
from ..runs.metrics import WTP_PER_QALY_GBP
from ..inputs.place import Place
from ..runs.runner import atomic_write_csv, atomic_write_text
from ..inputs.scenario import Scenario

VALUES_PER_QALY = np.arange(0, 50_001, 1_000)  # GBP per QALY, the CEAC's horizontal axis


def incremental(runs: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Per draw and scenario: extra QALYs and extra net cost against the reference, paired by replicate and
    averaged over the draw's replicates."""
    keys = ["point", "replicate"]
    ref = runs[runs["scenario"] == reference].set_index(keys)[[EFFECT, COST]]
    out = runs.join(ref.add_suffix("_ref"), on=keys)
    out["extra_qalys"] = out[EFFECT] - out[f"{EFFECT}_ref"]
    out["extra_cost_gbp"] = out[COST] - out[f"{COST}_ref"]
    return (out.groupby(["point", "scenario"], sort=False)[["extra_qalys", "extra_cost_gbp"]].mean()
            .reset_index())  # fmt: skip


def _benefit(benefit_at_zero: pd.DataFrame, order: list[str], value: float) -> np.ndarray:
    """Draws x scenarios: incremental net monetary benefit at ``value`` GBP per QALY."""
    qalys = benefit_at_zero.pivot(index="point", columns="scenario", values="extra_qalys")[order].to_numpy()
    costs = benefit_at_zero.pivot(index="point", columns="scenario", values="extra_cost_gbp")[order].to_numpy()
    return value * qalys - costs


def ceac(benefit_at_zero: pd.DataFrame, order: list[str], values=VALUES_PER_QALY) -> pd.DataFrame:
    """Probability that each scenario is the most cost-effective, at each value of a QALY (ties: the first
    in order, the reference first)."""
    rows = []
    for v in values:
        best = np.argmax(_benefit(benefit_at_zero, order, float(v)), axis=1)
        shares = np.bincount(best, minlength=len(order)) / len(best)
        rows.append({"value_per_qaly_gbp": float(v), **dict(zip(order, shares, strict=True))})
    return pd.DataFrame(rows)


def evpi(benefit_at_zero: pd.DataFrame, order: list[str], value: float) -> float:
    """Expected value of perfect information at ``value`` GBP per QALY: E[max_d NB_d] - max_d E[NB_d]."""
    nb = _benefit(benefit_at_zero, order, value)
    return float(nb.max(axis=1).mean() - nb.mean(axis=0).max())


def render(curve: pd.DataFrame, summary: pd.DataFrame, order: list[str], settings: dict,
           information: dict[int, float]) -> str:  # fmt: skip
    marks = [v for v in (0, 5_000, 10_000, 20_000, 30_000, 50_000) if v in set(curve["value_per_qaly_gbp"])]
    at = curve.set_index("value_per_qaly_gbp").loc[marks]
    lines = [
        "# Probabilistic sensitivity analysis",
        "",
        f"{settings['draws']} draws of {settings['parameters']} uncertain parameters (a Latin hypercube of quantiles: "
        f"uniform over each plausible range or the range a calibration accepted, or the distribution the registry "
        f"names, {settings['distributions']} of them); each draw runs {', '.join(order)} with the same "
        f"{settings['replicates']} seed(s), averaged ({settings['population']:,} adults, {settings['years']:g} years "
        f"after a {settings['warmup_years']:g}-year warm-up). Reference: {order[0]}. QALYs and costs are the NICE "
        "reference case's (docs/methods.md, \"Economics\"): discounted, everyone referred, to the economic horizon.",
        "",
        "## Extra QALYs and net cost against the reference (mean, and 2.5-97.5% of draws)",
        "",
        "| policy | extra QALYs | extra net cost (GBP) |",
        "|---|---|---|",
        *[
            f"| {r.scenario} | {r.qalys_mean:,.1f} ({r.qalys_lo:,.1f} to {r.qalys_hi:,.1f}) | "
            f"{r.cost_mean:,.0f} ({r.cost_lo:,.0f} to {r.cost_hi:,.0f}) |"
            for r in summary.itertuples()
        ],
        "",
        "## Probability of being the most cost-effective (the CEAC, `ceac.png`)",
        "",
        "| value of a QALY (GBP) | " + " | ".join(order) + " |",
        "|---|" + "---|" * len(order),
        *[f"| {v:,.0f} | " + " | ".join(f"{at.loc[v, n]:.0%}" for n in order) + " |" for v in marks],
        "",
        "## Expected value of perfect information",
        "",
        *[f"- At {v:,} GBP per QALY: {information[v]:,.0f} GBP for this place's decision over the simulated years "
          "(what knowing every parameter before choosing would be worth; an upper bound on what further research "
          "on them could be worth here)." for v in WTP_PER_QALY_GBP],
    ]
    return "\n".join(lines) + "\n"


def run(scenarios: list[Scenario], draws: int, years: float, warmup_years: float, population: int, seed: int,
        out: Path, executor: str = "process", workers: int = 1, scheduler: str | None = None,
        parameter_names: list[str] | None = None, replicates: int = 1, place: Place | None = None) -> pd.DataFrame:  # fmt: skip
    if len(scenarios) < 2:
        raise DesignError("spsim psa: name at least two scenarios (the first is the reference)")
    if draws < 2:
        raise DesignError("spsim psa: --draws must be at least 2")
    parameters = uncertain_parameters(parameter_names)
    x = latin_draws(parameters, draws, seed)
    design = Design(
        points=as_points(parameters, x), scenarios=scenarios, replicates=replicates, weeks=round(years * 52),
        warmup_weeks=round(warmup_years * 52), **place_fields(population, place), seed=seed, seeds_per_point=True,
    )  # fmt: skip
    outdir.check(out)  # refused before the design runs; the design checks its points, then marks and fills the folder
    runs = design.run(out, executor, workers, scheduler, label="psa")
    order = [s.name for s in scenarios]
    benefit = incremental(runs, order[0])
    curve = ceac(benefit, order)
    information = {v: evpi(benefit, order, float(v)) for v in WTP_PER_QALY_GBP}
    summary = (
        benefit.groupby("scenario", sort=False)
        .agg(qalys_mean=("extra_qalys", "mean"), qalys_lo=("extra_qalys", lambda s: s.quantile(0.025)),
             qalys_hi=("extra_qalys", lambda s: s.quantile(0.975)), cost_mean=("extra_cost_gbp", "mean"),
             cost_lo=("extra_cost_gbp", lambda s: s.quantile(0.025)),
             cost_hi=("extra_cost_gbp", lambda s: s.quantile(0.975)))  # fmt: skip
        .reindex(order)
        .rename_axis("scenario")
        .reset_index()
    )
    settings = {"draws": draws, "replicates": replicates, "parameters": len(parameters), "population": population,
                "years": years, "warmup_years": warmup_years,
                "distributions": sum(p.distribution != "uniform" and p.posterior is None for p in parameters)}  # fmt: skip
    samples = pd.DataFrame(x, columns=[p.name for p in parameters]).rename_axis("draw").reset_index()
    atomic_write_csv(out / "draws.csv", samples)
    atomic_write_csv(out / "runs.csv", runs)
    atomic_write_csv(out / "incremental.csv", benefit)
    atomic_write_csv(out / "ceac.csv", curve)
    atomic_write_csv(out / "evpi.csv", pd.DataFrame({"value_per_qaly_gbp": list(information),
                                                     "evpi_gbp": list(information.values())}))  # fmt: skip
    acceptability(curve, order, out, f"{draws} draws of the uncertain parameters")  # out/ceac.png
    text = render(curve, summary, order, settings, information)
    atomic_write_text(out / "psa.md", text)
    print(text)
    return curve
