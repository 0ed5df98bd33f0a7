"""`spsim calibrate`: fit the parameters no source pins down to the published targets.

Method: approximate Bayesian computation (Beaumont 2010, Annu Rev Ecol Evol Syst 41:379), by rejection in
--rounds rounds. Prior: uniform over each parameter's plausible range (a Latin hypercube of --samples points,
SALib). Each point runs the scenarios the targets are measured in (paired seeds, the usual executors).
Distance: the root mean square over targets of (model - target) / half the width of the target's tolerance
band, so a point at the edge of every band has distance 1. The --accept share of points closest to the
targets is accepted; each further round samples the box those points span (a simple population Monte
Carlo step that concentrates the points where the fit is good). The last round's accepted points are the
approximate posterior, whose range is reported; the fitted values are the accepted point that stays closest
to the targets when re-run with fresh seeds (a coherent parameter set: the posterior medians need not fit
together, as reach depends jointly on the referral rate, patience and capacity). The fitted values, with the
provenance "calibrated to <targets>", go to seeds/calibrated.toml, which the model reads in place of the
prior defaults; `spsim validate` then shows what the fit achieved.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

from ...model.parameters import (
    CALIBRATED_FILE,
    SEEDS_DIR,
    calibrated_names,
    priors,
    registry,
)

from ..runs import outdir
from ..inputs import scenario as scenarios
from ..runs.design import Design, DesignError, check_size, place_fields
from ..runs.uncertain_parameters import as_points, salib_problem, uncertain_parameters
from ..inputs.place import Place
from ..reporting.project_documents import refusal
from ..runs.runner import atomic_write_csv, atomic_write_text
from .validate import target_scenarios, targets

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
        if "versus" in t:  # an effect net of another scenario (the counterfactual): a difference of means
            model = model - means.xs(t["versus"], level="scenario")[t["metric"]].reindex(out.index)
        low, high = t["band"]
        out[key] = model
        squares.append(((model - t["target"]) / ((high - low) / 2)) ** 2)
    out["distance"] = np.sqrt(pd.concat(squares, axis=1).mean(axis=1))
    return out.rename_axis("point")


def accepted_points(samples: pd.DataFrame, table: pd.DataFrame, accept: float) -> pd.DataFrame:
    """The points closest to the targets: the --accept share of them (at least one)."""
    k = max(1, int(round(accept * len(table))))
    return samples.loc[table.nsmallest(k, "distance").index]


def posterior(samples: pd.DataFrame, table: pd.DataFrame, names: list[str], accept: float) -> pd.DataFrame:
    """Per parameter: median and range of the accepted points."""
    accepted = accepted_points(samples, table, accept)[names]
    return pd.DataFrame({
        "parameter": names,
        "median": [float(accepted[n].median()) for n in names],
        "accepted_low": [float(accepted[n].min()) for n in names],
        "accepted_high": [float(accepted[n].max()) for n in names],
    })  # fmt: skip


def render_calibrated(fit: pd.DataFrame, goals: dict, settings: dict) -> str:
    known = registry()
    lines = [
        "# Written by `spsim calibrate`; read by model/parameters.py in place of the prior defaults.",
        f"# Method: ABC, {settings['rounds']} round(s) of {settings['samples']} Latin-hypercube points, the first over "
        f"the plausible ranges, each next one over the box the previous round accepted; {settings['replicates']} "
        f"replicate(s) per point; the closest {settings['accept']:.0%} accepted; fitted values: the accepted point "
        f"closest to the targets when re-run with {settings['confirm_replicates']} fresh replicates of "
        f"{settings['confirm_population']:,} adults.",
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
            f'provenance = "calibrated to {names} (ABC; accepted {low}-{high} of prior {p.low}-{p.high})"',
            "",
        ]
    return "\n".join(lines)


def _confirm(accepted: pd.DataFrame, stale: dict, needed: list, goals: dict, years: float, warmup_years: float,
             population: int, replicates: int, seed: int, out: Path, executor: str, workers: int,
             scheduler: str | None, place: Place | None = None) -> tuple[pd.Series, float]:  # fmt: skip
    """The accepted point that stays closest to the targets when re-run with fresh seeds.

    The medians of a broad posterior need not fit together (reach depends on the referral rate, patience and
    capacity jointly), so the fitted values are one coherent parameter set rather than per-parameter medians."""
    confirm = Design(
        points=[{**stale, **point} for point in accepted.to_dict("records")], scenarios=needed,
        replicates=replicates, weeks=round(years * 52), warmup_weeks=round(warmup_years * 52),
        **place_fields(population, place), seed=seed + 1_000,
    )  # fmt: skip
    rerun = distances(confirm.run(out, executor, workers, scheduler, label="calibrate (confirming)"), goals)
    atomic_write_csv(out / "confirmation.csv", accepted.reset_index(drop=True).join(rerun.reset_index(drop=True)))
    best = int(rerun["distance"].to_numpy().argmin())
    return accepted.iloc[best], float(rerun["distance"].iloc[best])


def run(samples: int, replicates: int, years: float, warmup_years: float, population: int, seed: int, out: Path,
        accept: float = 0.1, rounds: int = 2, confirm_replicates: int = 3, confirm_population: int | None = None,
        executor: str = "process", workers: int = 1, scheduler: str | None = None,
        write: bool = True, place: Place | None = None) -> pd.DataFrame:  # fmt: skip
    if not 0 < accept <= 1:
        raise DesignError(f"spsim calibrate: --accept {accept}: must be above 0 and at most 1")
    if samples < 2 or rounds < 1:
        raise DesignError("spsim calibrate: --samples must be at least 2 and --rounds at least 1")
    refused = write and refusal("calibrate", "the project's calibration (seeds/calibrated.toml)")
    if refused:  # before minutes of runs, not after them
        raise DesignError(f"{refused}; give --no-write to fit without changing it")
    from SALib.sample import latin

    goals = targets()
    names = fit_parameters()
    uncertain_parameters(names)  # checks the names
    parameters = [priors()[n] for n in names]  # the prior: the plausible ranges, whatever a previous fit accepted
    # a parameter fitted before but not in this fit goes back to its prior, so no earlier fit leaks in
    stale = {n: priors()[n].value for n in calibrated_names() if n not in names}
    needed = [scenarios.load(n, place.parameters if place is not None else None) for n in target_scenarios()]
    problem = salib_problem(parameters)
    check_size(samples, len(needed), replicates)  # each round, then the accepted points re-run
    check_size(max(1, round(samples * accept)), len(needed), confirm_replicates)
    frames = []
    outdir.check(out)  # refused before the design runs; the design marks and fills the folder
    for stage in range(1, rounds + 1):
        x = latin.sample(problem, samples, seed=seed + stage - 1)
        points = [{**stale, **point} for point in as_points(parameters, x)]
        design = Design(
            points=points, scenarios=needed, replicates=replicates, weeks=round(years * 52),
            warmup_weeks=round(warmup_years * 52), **place_fields(population, place), seed=seed,
        )  # fmt: skip
        runs = design.run(out, executor, workers, scheduler, label=f"calibrate (round {stage} of {rounds})")
        table = distances(runs, goals)
        sample_frame = pd.DataFrame(points)[names].rename_axis("point")
        fit = posterior(sample_frame, table, names, accept)
        frames.append(sample_frame.join(table).reset_index().assign(round=stage))
        best = table.nsmallest(1, "distance").iloc[0]
        print(f"spsim calibrate: round {stage}: {samples} points, closest distance {best['distance']:.2f} "
              "(1 = at the edge of every band)")  # fmt: skip
        # the next round samples only the box the accepted points span (a population Monte Carlo step)
        problem = {**problem, "bounds": [[r.accepted_low, max(r.accepted_high, r.accepted_low + 1e-9)]
                                         for r in fit.itertuples()]}  # fmt: skip
    chosen, closest = _confirm(accepted_points(sample_frame, table, accept), stale, needed, goals, years,
                               warmup_years, confirm_population or population, confirm_replicates, seed, out,
                               executor, workers, scheduler, place)  # fmt: skip
    fit["fitted"] = [float(chosen[n]) for n in names]
    print(f"spsim calibrate: the accepted points re-run with {confirm_replicates} new replicates of "
          f"{confirm_population or population:,} adults: the closest is at distance {closest:.2f}")  # fmt: skip
    settings = {
        "samples": samples, "rounds": rounds, "replicates": replicates, "accept": accept, "population": population,
        "years": years, "warmup_years": warmup_years, "seed": seed, "confirm_replicates": confirm_replicates,
        "confirm_population": confirm_population or population,
    }  # fmt: skip
    atomic_write_csv(out / "samples.csv", pd.concat(frames, ignore_index=True))
    atomic_write_csv(out / "fit.csv", fit)
    text = render_calibrated(fit, goals, settings)
    atomic_write_text(out / "calibrated.toml", text)
    for r in fit.itertuples():
        print(f"  {r.parameter:28s} {r.fitted:10.4g}   accepted {r.accepted_low:.4g} - {r.accepted_high:.4g}")
    if write:
        atomic_write_text(CALIBRATED_FILE, text)
        registry.cache_clear()
        print(f"spsim calibrate: fitted values written to {CALIBRATED_FILE} (run `spsim validate` to check them)")
    return fit
