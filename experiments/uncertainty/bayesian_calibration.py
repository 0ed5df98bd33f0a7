"""`spsim calibrate` (the default method, issue 27): Bayesian calibration on Gaussian-process emulators.

1. Design: a Latin hypercube of --samples points over the plausible ranges of the parameters in
   seeds/calibration.toml, each run --replicates times (its own seeds) in the scenarios the targets read.
   Further --waves (history matching): half as many points each, drawn from the region not yet ruled out
   (every observed target's implausibility below 3), each wave refitting the emulators on all runs so far.
2. Emulators: one per target quantity (experiments/uncertainty/emulator.py).
3. Likelihood: only the targets that are observations and measure what the model's parameters mean (each
   target's ``likelihood`` key in seeds/calibration_targets.toml): not derived figures, not sized assumptions,
   not before-and-after shares, which include regression to the mean (those are predicted and reported).
4. Posterior: sampled on the emulators (experiments/uncertainty/posterior.py), first with every parameter free.
   A parameter the targets do not inform (posterior sd over 0.8 of its prior sd) is then not fitted: it is
   fixed at its prior central value and the posterior sampled again without it; its prior range stays its
   uncertainty in the PSA.
5. Out of sample: each observed target left out in turn and predicted from the rest; the other targets, and the
   new figures of seeds/holdout_targets.toml that have a model output, predicted from the full posterior.

Why not ABC-SMC (pyabc): it needs 10^4 or more simulations at seconds each; the emulators need a few hundred.
Outputs (--out): design.csv, posterior_draws.csv, diagnostics.csv, cross_validation.csv, calibration.md; and,
unless --no-write, seeds/calibrated.toml (the draw nearest the posterior mean: one coherent parameter
set, not per-parameter medians) and seeds/calibration_posterior.csv (the draws, for the PSA and robust search).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ...model.parameters import CALIBRATED_FILE, Parameter, calibrated_names, priors, registry

from ..inputs import scenario as scenarios
from ..inputs.place import Place
from ..reporting.project_documents import refusal
from ..runs import outdir
from ..runs.design import DesignError, check_size
from ..runs.posterior_draws import POSTERIOR_FILE  # where the PSA and robust search read the draws
from ..runs.runner import atomic_write_csv, atomic_write_text
from ..runs.uncertain_parameters import uncertain_parameters
from . import cross_validation, emulator, posterior
from .calibrate import fit_parameters
from .bayesian_calibration_report import render_calibrated, render_report
from .calibration_design import latin_hypercube, quantities, quantity_key, to_unit, to_values, wave_design
from .posterior import Likelihood, Observation
from .validate import holdout_targets, targets, validation_scenarios

MIN_DRAWS = 1_000  # the posterior's draws, at least (the PSA and the robust search read them)
MAX_WAVES = 5
IMPLAUSIBLE = 3.0  # Pukelsheim's three-sigma rule: a point whose target misses by more is ruled out
CANDIDATES = 5_000  # prior points screened for the next wave
POPULATION = 5_000  # particles of the sequential Monte Carlo sampler (at least --draws)
POOL = 20_000  # points in the pool that the final posterior and the leave-one-out folds reweight


@dataclass
class Settings:
    samples: int
    replicates: int
    years: float
    warmup_years: float
    population: int
    seed: int
    draws: int
    waves: int


def observations(goals: dict[str, dict]) -> list[Observation]:
    """The targets in the likelihood, each with the quantity it reads and its observation sd."""
    return [Observation(key, quantity_key(t), float(t["target"]), posterior.observation_sd(t["band"]))
            for key, t in goals.items() if t.get("likelihood", True)]  # fmt: skip


def _targets(goals: dict[str, dict]) -> dict[str, cross_validation.Target]:
    return {key: cross_validation.Target(key, quantity_key(t), float(t["target"]), (float(t["band"][0]), float(t["band"][1])))
            for key, t in goals.items() if t["metric"]}  # fmt: skip


def _runs(design, out, executor, workers, scheduler, label) -> pd.DataFrame:
    return design.run(out, executor, workers, scheduler, label=label)


def next_wave(emulators: dict, likelihood: Likelihood, samples: int, rng: np.random.Generator) -> np.ndarray:
    """Points for the next wave: prior candidates not ruled out (every observed target's implausibility below
    3); if fewer than ``samples`` survive, the least implausible candidates."""
    candidates = rng.random((CANDIDATES, len(next(iter(emulators.values())).trend) - 1))
    worst = likelihood.implausibility(candidates).max(axis=1)
    kept = np.flatnonzero(worst < IMPLAUSIBLE)
    if len(kept) < samples:
        kept = np.argsort(worst)[:samples]
    return candidates[rng.choice(kept, samples, replace=False)]


def fit_emulators(x: np.ndarray, table: pd.DataFrame, seed: int) -> dict[str, emulator.Emulator]:
    """One emulator per quantity that enough runs measured (a rate among a cohort a small run may not have is
    not a number there); a quantity without one leaves its targets unfitted and unpredicted, said in the report."""
    fitted = {}
    for key in table.columns:
        y = table[key].to_numpy(dtype=float)
        if np.isfinite(y).sum() >= x.shape[1] + 2:
            fitted[key] = emulator.fit(x, y, seed=seed)
    return fitted


def run(samples: int, replicates: int, years: float, warmup_years: float, population: int, seed: int, out: Path,
        draws: int = 2_000, waves: int = 1, executor: str = "process", workers: int = 1, scheduler: str | None = None,
        write: bool = True, place: Place | None = None) -> pd.DataFrame:  # fmt: skip
    refused = write and refusal("calibrate", "the project's calibration (seeds/calibrated.toml)")
    if refused:
        raise DesignError(f"{refused}; give --no-write to fit without changing it")
    if not MIN_DRAWS <= draws <= 1_000_000:
        raise DesignError(f"spsim calibrate: --draws {draws}: must be from {MIN_DRAWS:,} to 1,000,000")
    if not 1 <= waves <= MAX_WAVES:
        raise DesignError(f"spsim calibrate: --waves {waves}: must be from 1 to {MAX_WAVES}")
    names = fit_parameters()
    if samples < len(names) + 2:
        raise DesignError(f"spsim calibrate: --samples {samples}: the emulators need at least {len(names) + 2} "
                          f"points for {len(names)} parameters")  # fmt: skip
    settings = Settings(samples, replicates, years, warmup_years, population, seed, draws, waves)
    uncertain_parameters(names)  # checks the names
    parameters = [priors()[n] for n in names]  # the prior: the plausible ranges, whatever a previous fit found
    stale = {n: priors()[n].value for n in calibrated_names() if n not in names}  # an earlier fit does not leak in
    goals, holdouts = targets(), holdout_targets()
    needed = [scenarios.load(n, place.parameters if place is not None else None) for n in validation_scenarios()]
    check_size(samples * waves, len(needed), replicates)  # at most (later waves have fewer points)
    outdir.check(out)
    rng = np.random.default_rng(seed)
    obs = observations(goals)
    every = {**_targets(goals), **_targets(holdouts)}
    quantity_goals = {**goals, **{k: t for k, t in holdouts.items() if t["metric"]}}
    started = time.monotonic()
    unit, tables = latin_hypercube(len(parameters), samples, seed=seed), []
    points = []
    for wave in range(1, waves + 1):
        design = wave_design(parameters, unit, stale, needed, replicates, years, warmup_years, population, seed, wave,
                             place)  # fmt: skip
        table = quantities(_runs(design, out, executor, workers, scheduler, f"calibrate (wave {wave} of {waves})"),
                           quantity_goals)  # fmt: skip
        ran = to_unit(parameters, np.array([[point[n] for n in names] for point in design.points]))
        offset = len(points)
        points += [dict(zip(names, row)) for row in to_values(parameters, ran)]
        tables.append(table.rename(index=lambda p, offset=offset: p + offset, level="point").assign(wave=wave))
        if wave < waves:
            x, runs = _stacked(points, parameters, tables)
            em = fit_emulators(x, runs, seed)
            # a later wave has half the points: it covers a smaller region
            later = max(len(names) + 2, samples // 2)
            unit = next_wave(em, Likelihood(em, [o for o in obs if o.quantity in em]), later, rng)
            print(f"spsim calibrate: wave {wave}: {len(runs)} runs; next wave from the region not ruled out")
    simulation_seconds = time.monotonic() - started
    x, runs = _stacked(points, parameters, tables)
    emulators = fit_emulators(x, runs, seed)
    unmeasured = sorted({o.name for o in obs if o.quantity not in emulators}
                        | {k for k, t in every.items() if t.quantity not in emulators})  # fmt: skip
    if unmeasured:
        print(f"spsim calibrate: too few runs measured {', '.join(unmeasured)}: left out (a larger --population "
              "or --samples measures them)")  # fmt: skip
    obs = [o for o in obs if o.quantity in emulators]
    every = {k: t for k, t in every.items() if t.quantity in emulators}
    result = _analyse(parameters, emulators, obs, every, goals, holdouts, settings, rng)
    design_table = pd.DataFrame(points).rename_axis("point").reset_index().merge(pd.concat(tables).reset_index(),
                                                                                 on="point")  # fmt: skip
    atomic_write_csv(out / "design.csv", design_table)
    atomic_write_csv(out / "posterior_draws.csv", result["draws"])
    atomic_write_csv(out / "diagnostics.csv", result["diagnostics"])
    atomic_write_csv(out / "cross_validation.csv", result["cross_validation"])
    fitted_text = render_calibrated(result, goals, settings)
    atomic_write_text(out / "calibrated.toml", fitted_text)
    atomic_write_text(out / "calibration.md", render_report(result, settings, len(points), len(runs) * len(needed), simulation_seconds,
                                                            time.monotonic() - started - simulation_seconds))  # fmt: skip
    print(cross_validation.headline(result["cross_validation"]))
    if write:
        atomic_write_text(CALIBRATED_FILE, fitted_text)
        atomic_write_csv(POSTERIOR_FILE, result["draws"])
        registry.cache_clear()
        print(f"spsim calibrate: central values written to {CALIBRATED_FILE}, draws to {POSTERIOR_FILE} "
              "(run `spsim validate` to check them)")  # fmt: skip
    return result["diagnostics"]


def _stacked(points: list[dict], parameters: list[Parameter], tables: list[pd.DataFrame]):
    """Unit-cube inputs and quantities, one row per run (replicates as repeated rows)."""
    table = pd.concat(tables)
    values = np.array([[points[p][q.name] for q in parameters] for p in table.index.get_level_values("point")])
    return to_unit(parameters, values), table.drop(columns="wave")


def _analyse(parameters, emulators, obs, every, goals, holdouts, settings: Settings, rng) -> dict:
    names = [p.name for p in parameters]
    d = len(names)
    likelihood = Likelihood(emulators, obs)
    # pass 1: every parameter free; which do the targets inform?
    first = posterior.sample(likelihood.log_likelihood, d, settings.draws, rng, population=POPULATION)
    informed = posterior.identifiability(first.draws)
    free = [i for i in range(d) if informed["identified"][i]]
    central = {i: float(to_unit([parameters[i]], np.array([[float(parameters[i].value)]]))[0, 0])
               for i in range(d) if i not in free}  # fmt: skip
    full = posterior.embed(free, central, d)
    # pass 2: the unidentified at their prior central values; a pool around the posterior for the folds
    second = posterior.sample(lambda u: likelihood.log_likelihood(full(u)), len(free), settings.draws, rng,
                              population=POPULATION)  # fmt: skip
    pool = posterior.pool(likelihood, full, second.draws, POOL, rng)
    chosen, ess = pool.resample(range(len(obs)), settings.draws, rng)
    unit_draws = full(pool.x[chosen])
    values = to_values(parameters, unit_draws)
    draws = pd.DataFrame(values[:, free], columns=[names[i] for i in free])
    for i in free:
        if isinstance(parameters[i].value, int):
            draws[names[i]] = draws[names[i]].round().astype(int)
    best = posterior.central_draw(unit_draws[:, free]) if free else 0
    final = posterior.identifiability(unit_draws[:, free])
    rows = []
    for i, p in enumerate(parameters):
        span = float(p.high) - float(p.low)
        fitted = i in free
        stats = {k: v[free.index(i)] for k, v in final.items()} if fitted else {k: v[i] for k, v in informed.items()}
        rows.append({
            "kind": "parameter", "name": p.name, "prior_low": float(p.low), "prior_high": float(p.high),
            "prior_central": float(p.value), "posterior_mean": float(p.low) + span * stats["mean"],
            "posterior_sd": span * stats["sd"], "q05": float(p.low) + span * stats["q05"],
            "q95": float(p.low) + span * stats["q95"], "sd_ratio": float(informed["sd_ratio"][i]),
            "identified": bool(informed["identified"][i]), "fitted": fitted,
            "central_value": float(values[best, i]), "at_edge": str(informed["edge"][i]) or "",
        })  # fmt: skip
    for a, b, r in posterior.trade_offs(first.draws, names):
        rows.append({"kind": "trade-off", "name": f"{a} ~ {b}", "correlation": r})
    for key, e in emulators.items():
        rows.append({"kind": "emulator", "name": key, **e.loo_summary(), "replicate_sd": e.replicate_variance ** 0.5,
                     "active": " ".join(names[i] for i in e.active)})  # fmt: skip
    diagnostics = pd.DataFrame(rows)
    quantile = {n: (float(np.quantile(values[:, i], 0.025)), float(np.quantile(values[:, i], 0.975)))
                for i, n in enumerate(names)}  # fmt: skip
    cv = cross_validation.leave_one_target_out_by_reweighting(pool, emulators, obs, every, full, settings.draws, rng)
    in_likelihood = {o.name for o in obs}
    not_fitted = [every[k] for k in goals if k in every and k not in in_likelihood]
    cv += cross_validation.predict_from_posterior(emulators, not_fitted, unit_draws,
                                                  cross_validation.NOT_IN_LIKELIHOOD, rng)  # fmt: skip
    cv += cross_validation.predict_from_posterior(emulators, [every[k] for k in holdouts if k in every], unit_draws,
                                                  cross_validation.HOLDOUT, rng)  # fmt: skip
    kinds = {**{k: t.get("kind", "") for k, t in goals.items()}, **{k: "holdout" for k in holdouts}}
    table = pd.DataFrame(cv)
    table.insert(1, "kind", table["target"].map(kinds))
    return {
        "draws": draws, "diagnostics": diagnostics, "cross_validation": table, "names": names, "free": free,
        "central": values[best], "interval": quantile, "ess": ess, "first_ess": first.effective_sample_size,
        "observations": obs, "parameters": parameters,
    }  # fmt: skip
