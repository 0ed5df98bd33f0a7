"""`spsim calibrate`: fit the parameters no source pins down to the published targets.

Method: approximate Bayesian computation by rejection (Beaumont 2010, Annu Rev Ecol Evol Syst 41:379).
Prior: uniform over each parameter's plausible range (a Latin hypercube of --samples points, SALib). Each
point runs the scenarios the targets are measured in (paired seeds, the usual executors). Distance: the root
mean square over targets of (model - target) / half the width of the target's tolerance band, so a point at
the edge of every band has distance 1. The --accept share of points closest to the targets is the
approximate posterior; its median is the fitted value and its range is reported. The fitted values, with the
provenance "calibrated to <targets>", go to seeds/calibrated.toml, which the model reads in place of the
prior defaults; `spsim validate` then shows what the fit achieved.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

from model.parameters import CALIBRATED_FILE, SEEDS_DIR, registry

from . import scenario as scenarios
from .design import Design, DesignError, as_points, salib_problem, uncertain_parameters
from .runner import atomic_write_text
from .sensitivity import write_csv
from .validate import targets

SETTINGS_FILE = SEEDS_DIR / "calibration.toml"


def fit_parameters() -> list[str]:
    with SETTINGS_FILE.open("rb") as fh:
        return list(tomllib.load(fh)["fit"])


def distances(runs: pd.DataFrame, goals: dict[str, dict]) -> pd.DataFrame:
    """Per point: each target's model mean (over replicates) and the distance to all targets."""
    means = runs.groupby(["point", "scenario"]).mean(numeric_only=True)
    out = pd.DataFrame(index=sorted(runs["point"].unique()))
    squares = []
    for key, t in goals.items():
        model = means.xs(t["scenario"], level="scenario")[t["metric"]].reindex(out.index)
        low, high = t["band"]
        out[key] = model
        squares.append(((model - t["target"]) / ((high - low) / 2)) ** 2)
    out["distance"] = np.sqrt(pd.concat(squares, axis=1).mean(axis=1))
    return out.rename_axis("point")


def posterior(samples: pd.DataFrame, table: pd.DataFrame, names: list[str], accept: float) -> pd.DataFrame:
    """The accepted points (the closest share) and, per parameter, median and range."""
    k = max(1, int(round(accept * len(table))))
    chosen = table.nsmallest(k, "distance").index
    accepted = samples.loc[chosen, names]
    return pd.DataFrame({
        "parameter": names,
        "fitted": [float(accepted[n].median()) for n in names],
        "accepted_low": [float(accepted[n].min()) for n in names],
        "accepted_high": [float(accepted[n].max()) for n in names],
    })  # fmt: skip


def render_calibrated(fit: pd.DataFrame, goals: dict, settings: dict) -> str:
    known = registry()
    lines = [
        "# Written by `spsim calibrate`; read by model/parameters.py in place of the prior defaults.",
        f"# Method: ABC rejection; {settings['samples']} Latin-hypercube points over the plausible ranges, "
        f"{settings['replicates']} replicate(s) each, the closest {settings['accept']:.0%} accepted.",
        f"# Settings: {settings['population']:,} adults, {settings['years']:g} years after a "
        f"{settings['warmup_years']:g}-year warm-up, seed {settings['seed']}. Delete this file to return to the priors.",
        "",
    ]
    names = ", ".join(goals)
    for r in fit.itertuples():
        p = known[r.parameter]
        value = int(round(r.fitted)) if isinstance(p.value, int) else round(r.fitted, 4)
        low = round(r.accepted_low, 4)
        high = round(r.accepted_high, 4)
        lines += [
            f"[parameters.{r.parameter}]",
            f"value = {value}",
            f"accepted_range = [{low}, {high}]",
            f"prior_range = [{p.low}, {p.high}]",
            f'provenance = "calibrated to {names} (ABC rejection; accepted {low}-{high} of prior {p.low}-{p.high})"',
            "",
        ]
    return "\n".join(lines)


def run(samples: int, replicates: int, years: float, warmup_years: float, population: int, seed: int, out: Path,
        accept: float = 0.1, executor: str = "process", workers: int = 1, scheduler: str | None = None,
        write: bool = True) -> pd.DataFrame:  # fmt: skip
    if not 0 < accept <= 1:
        raise DesignError(f"spsim calibrate: --accept {accept}: must be above 0 and at most 1")
    if samples < 2:
        raise DesignError("spsim calibrate: --samples must be at least 2")
    from SALib.sample import latin

    goals = targets()
    names = fit_parameters()
    parameters = uncertain_parameters(names)  # the prior: the plausible ranges, whatever a previous fit chose
    problem = salib_problem(parameters)
    x = latin.sample(problem, samples, seed=seed)
    points = as_points(parameters, x)
    needed = [scenarios.load(n) for n in dict.fromkeys(t["scenario"] for t in goals.values())]
    design = Design(
        points=points, scenarios=needed, replicates=replicates, weeks=round(years * 52),
        warmup_weeks=round(warmup_years * 52), place={"population": population}, seed=seed,
    )  # fmt: skip
    design.check()
    out.mkdir(parents=True, exist_ok=True)
    runs = design.run(out, executor, workers, scheduler, label="calibrate")
    table = distances(runs, goals)
    sample_frame = pd.DataFrame(points).rename_axis("point")
    fit = posterior(sample_frame, table, names, accept)
    settings = {"samples": samples, "replicates": replicates, "accept": accept, "population": population,
                "years": years, "warmup_years": warmup_years, "seed": seed}  # fmt: skip
    write_csv(out / "samples.csv", sample_frame.join(table).reset_index())
    write_csv(out / "fit.csv", fit)
    text = render_calibrated(fit, goals, settings)
    atomic_write_text(out / "calibrated.toml", text)
    best = table.nsmallest(1, "distance").iloc[0]
    print(f"spsim calibrate: {samples} points; closest distance {best['distance']:.2f} (1 = at the edge of every band)")
    for r in fit.itertuples():
        print(f"  {r.parameter:28s} {r.fitted:10.4g}   accepted {r.accepted_low:.4g} - {r.accepted_high:.4g}")
    if write:
        atomic_write_text(CALIBRATED_FILE, text)
        registry.cache_clear()
        print(f"spsim calibrate: fitted values written to {CALIBRATED_FILE} (run `spsim validate` to check them)")
    return fit
