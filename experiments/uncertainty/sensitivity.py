"""`spsim sensitivity --method morris|sobol`: which assumptions drive each outcome, and whether the ranking of
the funding policies changes across the plausible ranges.

SALib samples the uncertain parameters over their plausible ranges (seeds/parameters.toml); every sample
point runs every scenario (paired seeds) through the usual executors; SALib's Morris elementary effects
(mu*, a screening of many parameters) or Sobol indices (first-order S1 and total ST, for a few) are computed
for the reference scenario's outcomes and for each policy's incremental net benefit against the reference.
At every point the policies are ranked by net monetary benefit at --value-per-qaly GBP per QALY (QALYs against
each person's natural course, less the net NHS cost, both discounted: the decision `spsim run` and `spsim psa` make).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from ..runs import outdir
from ..analysis.net_benefit import best_scenario, net_benefit
from ..runs.design import VALUE_PER_QALY_GBP, Design, DesignError, check_size, place_fields
from ..runs.uncertain_parameters import as_points, salib_problem, uncertain_parameters
from ..inputs.place import Place
from ..runs.runner import atomic_write_csv, atomic_write_text
from ..inputs.scenario import Scenario
from .screening import read_screening

OUTCOMES = {  # reference-scenario outcomes whose drivers are reported, with plain names
    "mean_swemwbs_change": "wellbeing change (SWEMWBS)",
    "mean_ucla_change": "loneliness change (UCLA-3)",
    "vcse_uptake_rate": "share taking up an activity",
    "ae_attendances_change": "A&E attendances change",
    "total_cost_gbp": "commissioner cost",
}
MORRIS_LEVELS = 4


def leading_parameters(indices_csv: Path, k: int) -> list[str]:
    """The k parameters a Morris screening found to swing the policies' net benefits most (the ranking is the
    question): each parameter's largest importance relative to the leading parameter of the same outcome,
    over the net-benefit outcomes. So a Sobol analysis of a few can follow a Morris screening of all."""
    table = read_screening(indices_csv)  # checked: a malformed file is refused in one line
    relative = table["importance"] / table.groupby("outcome")["importance"].transform("max")
    ranked = relative.groupby(table["parameter"]).max().sort_values(ascending=False, kind="stable")
    return list(ranked.index[:k])


def sample(method: str, problem: dict, n: int, seed: int) -> np.ndarray:
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, n, num_levels=MORRIS_LEVELS, seed=seed)
    if method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, n, calc_second_order=False, seed=seed)
    raise DesignError(f"--method {method!r}: must be morris or sobol")


def indices(method: str, problem: dict, x: np.ndarray, y: np.ndarray, seed: int) -> pd.DataFrame:
    """One row per parameter: its importance for the outcome y (one value per sample point), and
    ``points_filled``: how many points had no value and were given the mean of the others."""
    names = problem["names"]
    if np.isnan(y).all():  # nobody measured at any point (a run too short): no index can be computed
        columns = ["mu_star", "mu_star_conf", "sigma"] if method == "morris" else ["S1", "S1_conf", "ST", "ST_conf"]
        return pd.DataFrame({"parameter": names, **dict.fromkeys(columns, np.nan), "importance": np.nan,
                             "points_filled": 0})  # fmt: skip
    # a point with no measured people: its NaN would poison every index, so it gets the mean of the others;
    # that flattens the effect of whatever emptied the point, so the count is reported with the indices
    filled = int(np.isnan(y).sum())
    if filled:
        y = np.where(np.isnan(y), np.nanmean(y), y)
    if method == "morris":
        from SALib.analyze import morris

        res = morris.analyze(problem, x, y, num_levels=MORRIS_LEVELS, seed=seed)
        return pd.DataFrame({"parameter": names, "mu_star": res["mu_star"], "mu_star_conf": res["mu_star_conf"],
                             "sigma": res["sigma"], "importance": res["mu_star"], "points_filled": filled})  # fmt: skip
    from SALib.analyze import sobol

    res = sobol.analyze(problem, y, calc_second_order=False, seed=seed)
    return pd.DataFrame({"parameter": names, "S1": res["S1"], "S1_conf": res["S1_conf"], "ST": res["ST"],
                         "ST_conf": res["ST_conf"], "importance": res["ST"], "points_filled": filled})  # fmt: skip


def filled_points(table: pd.DataFrame) -> dict[str, int]:
    """Per outcome, the sample points that had no value and were filled with the mean of the others."""
    counts = table.groupby("outcome", sort=False)["points_filled"].first()
    return {outcome: int(k) for outcome, k in counts.items() if k}


def analyse(method: str, problem: dict, x: np.ndarray, runs: pd.DataFrame, scenarios: list[Scenario],
            value_per_qaly: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:  # fmt: skip
    """Indices for every outcome, the net benefit per point, and the best policy per point."""
    reference = scenarios[0].name
    order = [s.name for s in scenarios]
    per_point = runs.groupby(["scenario", "point"]).mean(numeric_only=True)
    tables = []
    for column, label in OUTCOMES.items():
        y = per_point.loc[reference, column].sort_index().to_numpy(dtype=float)
        tables.append(indices(method, problem, x, y, seed).assign(outcome=label))
    benefit = net_benefit(runs, reference, value_per_qaly)
    nb = benefit.groupby(["scenario", "point"])["net_benefit_gbp"].mean()
    for name in order[1:]:
        y = nb.loc[name].sort_index().to_numpy(dtype=float)
        tables.append(indices(method, problem, x, y, seed).assign(outcome=f"net benefit of {name} vs {reference}"))
    table = pd.concat(tables, ignore_index=True)
    table = table[["outcome", *[c for c in table.columns if c != "outcome"]]]
    for outcome, k in filled_points(table).items():
        print(f"spsim sensitivity: {outcome}: {k} of {len(x)} sample points had no value (nobody measured) and "
              "were filled with the mean of the others", file=sys.stderr)  # fmt: skip
    return table, benefit, best_scenario(benefit, order)


def design_caveat(method: str, settings: dict) -> str:
    """What the shares above are shares of: a sensitivity design's points are not draws from the parameters'
    distribution, so they must not be read as probabilities (that is what `spsim psa` gives)."""
    if method == "morris":
        n, k = settings["samples"], settings["parameters"]
        design = (f"{n} Morris trajectories, each moving one parameter at a time from its start, so a trajectory's "
                  f"{k + 1} points are neighbours: the shares describe {n} neighbourhoods of the parameter space, "
                  "not a distribution over it")
    else:
        design = ("Saltelli's design over the parameters named, the others at their central values, each spread "
                  "evenly over its plausible range")
    one = settings["replicates"] == 1
    chance = ", and with one replicate a point each share carries chance between runs" if one else ""
    return f"*What the shares are of:* {design}{chance}. The probability that each policy is best is the PSA's (`spsim psa`)."


def render(method: str, table: pd.DataFrame, best: pd.Series, best_funded: pd.Series, order: list[str],
           value_per_qaly: float, settings: dict, top: int = 5) -> str:  # fmt: skip
    measure = "mu* (Morris elementary effects)" if method == "morris" else "ST (Sobol total-order index)"
    shares = best.value_counts(normalize=True).reindex(order, fill_value=0.0)
    funded = best_funded.value_counts(normalize=True).reindex(order[1:], fill_value=0.0)
    changes = (shares > 0).sum() > 1 or (funded > 0).sum() > 1
    lines = [
        f"# Sensitivity analysis ({method})",
        "",
        f"{settings['points']} sample points of {settings['parameters']} uncertain parameters over their plausible "
        f"ranges; each point runs {', '.join(order)} ({settings['replicates']} replicate(s), paired seeds, "
        f"{settings['population']:,} adults, {settings['years']:g} years after a {settings['warmup_years']:g}-year "
        f"warm-up). Importance: {measure}.",
        "",
        f"## Does the ranking of the policies change? {'Yes' if changes else 'No'}",
        "",
        f"The policy with the highest net monetary benefit against {order[0]} (at {value_per_qaly:,.0f} GBP per QALY: "
        "QALYs against each person's natural course, less the net NHS cost), share of sample points:",
        "",
        "| policy | best at this share of points | best of the funded policies (leaving out the reference) |",
        "|---|---|---|",
        *[f"| {name} | {share:.0%} | {f'{funded[name]:.0%}' if name in funded else '-'} |" for name, share in shares.items()],
        "",
        f"Against the reference, {shares.idxmax()} is best at {shares.max():.0%} of the points; among the funded "
        f"policies, {funded.idxmax()} is best at {funded.max():.0%}. Which parameters swing each policy's net benefit "
        "is in the list below (`net benefit of ...`).",
        "",
        design_caveat(method, settings),
        "",
        "## What drives each outcome",
        "",
        f"The {top} most influential parameters for each outcome (highest {measure.split(' ')[0]} first).",
        "",
    ]
    for outcome, group in table.groupby("outcome", sort=False):
        ranked = group.sort_values("importance", ascending=False).head(top)
        lines.append(f"- **{outcome}**: " + ", ".join(f"{r.parameter} ({r.importance:.3g})" for r in ranked.itertuples()))
    filled = filled_points(table)
    lines += ["", "## Missing values", ""]
    if filled:
        lines.append("Sample points where nobody was measured have no value; each was given the mean of the other "
                     "points, which understates the effect of whatever emptied it (column `points_filled` of "
                     "indices.csv):")  # fmt: skip
        lines += [f"- {outcome}: {k} of {settings['points']} points filled" for outcome, k in filled.items()]
    else:
        lines.append("None: every outcome had a value at every sample point.")
    return "\n".join(lines) + "\n"


def figure(table: pd.DataFrame, method: str, path: Path, top: int = 8) -> None:
    from ..reporting.figures import plt, save

    outcomes = list(dict.fromkeys(table["outcome"]))
    cols = 2
    rows = -(-len(outcomes) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(12, 2.6 * rows), squeeze=False)
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        ranked = table[table["outcome"] == outcome].sort_values("importance", ascending=False).head(top)[::-1]
        ax.barh(ranked["parameter"], ranked["importance"], color="#1f77b4")
        ax.set_title(outcome, fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    fig.suptitle(f"Most influential parameters ({'mu*' if method == 'morris' else 'Sobol ST'})", fontsize=11)
    fig.tight_layout()
    save(fig, path)


def run(method: str, scenarios: list[Scenario], parameter_names: list[str] | None, n: int, replicates: int,
        years: float, warmup_years: float, population: int, seed: int, out: Path, executor: str = "process",
        workers: int = 1, scheduler: str | None = None, value_per_qaly: float = VALUE_PER_QALY_GBP,
        place: Place | None = None) -> dict:  # fmt: skip
    parameters = uncertain_parameters(parameter_names)
    if len(scenarios) < 2:
        raise DesignError("spsim sensitivity: name at least two scenarios (the first is the reference)")
    # Morris: n trajectories of k + 1 points; Sobol (first order): n x (k + 2) points
    check_size(n * (len(parameters) + (1 if method == "morris" else 2)), len(scenarios), replicates)
    problem = salib_problem(parameters)
    x = sample(method, problem, n, seed)
    design = Design(
        points=as_points(parameters, x), scenarios=scenarios, replicates=replicates, weeks=round(years * 52),
        warmup_weeks=round(warmup_years * 52), **place_fields(population, place), seed=seed,
    )  # fmt: skip
    outdir.check(out)  # refused before the design runs; the design checks its points, then marks and fills the folder
    runs = design.run(out, executor, workers, scheduler, label=f"sensitivity ({method})")
    table, benefit, best = analyse(method, problem, x, runs, scenarios, value_per_qaly, seed)
    order = [s.name for s in scenarios]
    settings = {"points": len(x), "parameters": len(parameters), "replicates": replicates, "population": population,
                "years": years, "warmup_years": warmup_years, "samples": n}  # fmt: skip
    samples = pd.DataFrame(x, columns=problem["names"]).rename_axis("point").reset_index()
    samples["best_policy"] = best.reindex(samples["point"]).to_numpy()
    atomic_write_csv(out / "runs.csv", runs)
    atomic_write_csv(out / "net_benefit.csv", benefit)
    atomic_write_csv(out / "indices.csv", table)
    figure(table, method, out / "sensitivity.png")
    best_funded = best_scenario(benefit, order[1:]) if len(order) > 2 else best
    samples["best_funded_policy"] = best_funded.reindex(samples["point"]).to_numpy()
    text = render(method, table, best, best_funded, order, value_per_qaly, settings)
    atomic_write_csv(out / "samples.csv", samples)
    atomic_write_text(out / "sensitivity.md", text)
    print(text)
    return {"indices": table, "best": best, "runs": runs}
