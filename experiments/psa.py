"""`spsim psa`: probabilistic sensitivity analysis of the policy comparison.

Each draw takes every uncertain parameter from its plausible range (a Latin hypercube over the ranges in
seeds/parameters.toml, uniform within each range: the sources give ranges, not distributions; a calibrated
parameter over the range its calibration accepted) and runs every scenario with that draw and the draw's own
seeds (--replicates of them, the same in every scenario, so the comparison is paired; averaged per draw).
The result is, for each value of a SWEMWBS point, the probability that each policy has the highest net
benefit against the reference: the cost-effectiveness acceptability curve (CEAC).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import outdir
from .design import (
    Design,
    DesignError,
    as_points,
    net_benefit,
    place_fields,
    salib_problem,
    uncertain_parameters,
)
from .place import Place
from .runner import atomic_write_csv, atomic_write_text
from .scenario import Scenario

VALUES_PER_POINT = np.arange(0, 2001, 50)  # GBP per SWEMWBS point gained, the CEAC's horizontal axis


def ceac(benefit_at_zero: pd.DataFrame, order: list[str], values=VALUES_PER_POINT) -> pd.DataFrame:
    """Probability that each scenario is the most cost-effective, at each value of a SWEMWBS point.

    benefit_at_zero has extra_points and extra_cost_gbp per (point, scenario) against the reference; at value v
    the net benefit is v * extra_points - extra_cost; the draw's best is the scenario with the highest."""
    points = benefit_at_zero.pivot(index="point", columns="scenario", values="extra_points")[order].to_numpy()
    costs = benefit_at_zero.pivot(index="point", columns="scenario", values="extra_cost_gbp")[order].to_numpy()
    rows = []
    for v in values:
        best = np.argmax(v * points - costs, axis=1)  # ties: the first in order (the reference first)
        shares = np.bincount(best, minlength=len(order)) / len(best)
        rows.append({"value_per_point_gbp": float(v), **dict(zip(order, shares, strict=True))})
    return pd.DataFrame(rows)


def figure(curve: pd.DataFrame, order: list[str], path: Path, draws: int) -> None:
    from .figures import plt, save

    fig, ax = plt.subplots(figsize=(8, 5))
    for name in order:
        ax.plot(curve["value_per_point_gbp"], curve[name], label=name)
    ax.set_xlabel("value of one SWEMWBS point gained (GBP)")
    ax.set_ylabel("probability of being the most cost-effective")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(f"Cost-effectiveness acceptability curves ({draws} draws of the uncertain parameters)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    save(fig, path)


def render(curve: pd.DataFrame, summary: pd.DataFrame, order: list[str], settings: dict) -> str:
    marks = [v for v in (0, 100, 300, 500, 1000, 2000) if v in set(curve["value_per_point_gbp"])]
    at = curve.set_index("value_per_point_gbp").loc[marks]
    lines = [
        "# Probabilistic sensitivity analysis",
        "",
        f"{settings['draws']} draws of {settings['parameters']} uncertain parameters (Latin hypercube, uniform over "
        f"each plausible range, or over the range a calibration accepted); each draw runs {', '.join(order)} "
        f"with the same {settings['replicates']} seed(s), averaged ({settings['population']:,} adults, "
        f"{settings['years']:g} years after a {settings['warmup_years']:g}-year warm-up). Reference: {order[0]}.",
        "",
        "## Incremental effect and cost against the reference (mean, and 2.5-97.5% of draws)",
        "",
        "| policy | extra SWEMWBS points | extra cost (GBP) |",
        "|---|---|---|",
        *[
            f"| {r.scenario} | {r.points_mean:,.0f} ({r.points_lo:,.0f} to {r.points_hi:,.0f}) | "
            f"{r.cost_mean:,.0f} ({r.cost_lo:,.0f} to {r.cost_hi:,.0f}) |"
            for r in summary.itertuples()
        ],
        "",
        "## Probability of being the most cost-effective (the CEAC, `ceac.png`)",
        "",
        "| value of a SWEMWBS point (GBP) | " + " | ".join(order) + " |",
        "|---|" + "---|" * len(order),
        *[f"| {v:,.0f} | " + " | ".join(f"{at.loc[v, n]:.0%}" for n in order) + " |" for v in marks],
    ]
    return "\n".join(lines) + "\n"


def run(scenarios: list[Scenario], draws: int, years: float, warmup_years: float, population: int, seed: int,
        out: Path, executor: str = "process", workers: int = 1, scheduler: str | None = None,
        parameter_names: list[str] | None = None, replicates: int = 1, place: Place | None = None) -> pd.DataFrame:  # fmt: skip
    if len(scenarios) < 2:
        raise DesignError("spsim psa: name at least two scenarios (the first is the reference)")
    if draws < 2:
        raise DesignError("spsim psa: --draws must be at least 2")
    from SALib.sample import latin

    parameters = uncertain_parameters(parameter_names)
    problem = salib_problem(parameters)
    x = latin.sample(problem, draws, seed=seed)
    design = Design(
        points=as_points(parameters, x), scenarios=scenarios, replicates=replicates, weeks=round(years * 52),
        warmup_weeks=round(warmup_years * 52), **place_fields(population, place), seed=seed, seeds_per_point=True,
    )  # fmt: skip
    outdir.check(out)  # refused before the design runs; the design checks its points, then marks and fills the folder
    runs = design.run(out, executor, workers, scheduler, label="psa")
    order = [s.name for s in scenarios]
    # a draw's replicates (own seeds, shared across scenarios) average out chance within the draw, so the
    # spread between draws is mostly the parameters'
    benefit = (
        net_benefit(runs, order[0], value_per_point=0.0)
        .groupby(["point", "scenario"], sort=False)[["extra_points", "extra_cost_gbp"]]
        .mean()
        .reset_index()
    )
    curve = ceac(benefit, order)
    summary = (
        benefit.groupby("scenario", sort=False)
        .agg(points_mean=("extra_points", "mean"), points_lo=("extra_points", lambda s: s.quantile(0.025)),
             points_hi=("extra_points", lambda s: s.quantile(0.975)), cost_mean=("extra_cost_gbp", "mean"),
             cost_lo=("extra_cost_gbp", lambda s: s.quantile(0.025)),
             cost_hi=("extra_cost_gbp", lambda s: s.quantile(0.975)))  # fmt: skip
        .reindex(order)
        .rename_axis("scenario")
        .reset_index()
    )
    settings = {"draws": draws, "replicates": replicates, "parameters": len(parameters), "population": population, "years": years,
                "warmup_years": warmup_years}  # fmt: skip
    samples = pd.DataFrame(x, columns=problem["names"]).rename_axis("draw").reset_index()
    atomic_write_csv(out / "draws.csv", samples)
    atomic_write_csv(out / "runs.csv", runs)
    atomic_write_csv(out / "incremental.csv", benefit)
    atomic_write_csv(out / "ceac.csv", curve)
    figure(curve, order, out / "ceac.png", draws)
    text = render(curve, summary, order, settings)
    atomic_write_text(out / "psa.md", text)
    print(text)
    return curve
