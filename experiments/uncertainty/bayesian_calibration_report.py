"""What `spsim calibrate` (the Bayesian method) writes in words: seeds/calibrated.toml's text (the central values,
their posterior intervals and provenance) and calibration.md (parameters, trade-offs, emulator checks and the
out-of-sample table). Kept apart from bayesian_calibration.py, which runs the design and the fit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import cross_validation, posterior

if TYPE_CHECKING:
    from .bayesian_calibration import Settings


def render_calibrated(result: dict, goals: dict, settings: Settings) -> str:
    """seeds/calibrated.toml: the fitted parameters only (an unidentified one returns to its prior)."""
    fitted_to = ", ".join(o.name for o in result["observations"])
    dropped = [result["names"][i] for i in range(len(result["names"])) if i not in result["free"]]
    lines = [
        "# Written by `spsim calibrate`; read by model/parameters.py in place of the prior defaults.",
        "# Method: Bayesian calibration on Gaussian-process emulators (experiments/uncertainty/bayesian_calibration.py):",
        f"# {settings.samples} Latin-hypercube points, {settings.waves} wave(s) (later ones half as many points, from the "
        f"region not ruled out), {settings.replicates} replicate(s) each, "
        f"{settings.population:,} adults, {settings.years:g} years after a {settings.warmup_years:g}-year warm-up, "
        f"seed {settings.seed}; likelihood: {fitted_to}.",
        "# value: the posterior draw nearest the posterior mean in Mahalanobis distance (one coherent parameter set, "
        "not per-parameter medians); accepted_range: the posterior's central 95% interval (the PSA's range until it reads the draws in "
        "seeds/calibration_posterior.csv).",
        "# Not fitted (the targets do not inform them; they keep their prior value and range): "
        + (", ".join(dropped) if dropped else "none") + ". Delete this file to return to the priors.",
        "",
    ]
    for i in result["free"]:
        p = result["parameters"][i]
        value = result["central"][i]
        value = int(round(value)) if isinstance(p.value, int) else round(float(value), 4)
        low, high = (round(v, 4) for v in result["interval"][p.name])
        lines += [
            f"[parameters.{p.name}]",
            f"value = {value}",
            f"accepted_range = [{low}, {high}]",
            f"prior_range = [{p.low}, {p.high}]",
            f'provenance = "posterior draw nearest the posterior mean, Bayesian calibration on emulators to '
            f'{fitted_to} (posterior 95% {low}-{high} of prior {p.low}-{p.high})"',
            "",
        ]
    return "\n".join(lines)


def render_report(result: dict, settings: Settings, points: int, runs: int, simulation_seconds: float,
                  analysis_seconds: float) -> str:  # fmt: skip
    diagnostics, cv = result["diagnostics"], result["cross_validation"]
    parameters = diagnostics[diagnostics["kind"] == "parameter"]
    lines = [
        "# Calibration: Bayesian, on Gaussian-process emulators",
        "",
        f"{runs} simulation runs ({points} points in {settings.waves} wave(s), {settings.replicates} replicate(s) "
        f"each, in each scenario the targets read; {settings.population:,} adults, {settings.years:g} "
        f"years after a {settings.warmup_years:g}-year warm-up): {simulation_seconds / 60:.1f} minutes of simulation "
        f"(less where runs were already stored); emulators, posterior and cross-validation {analysis_seconds / 60:.1f} "
        "minutes.",
        "",
        "Likelihood (observed targets only): " + ", ".join(o.name for o in result["observations"]) + ".",
        f"Posterior: {settings.draws:,} equally weighted draws; effective sample size of the importance weights "
        f"{result['ess']:.0f} (first pass, every parameter free: {result['first_ess']:.0f}).",
        "",
        f"**{cross_validation.headline(cv)}.**",
        "",
        "## Parameters",
        "",
        "| parameter | prior range | posterior 90% interval | sd ratio | fitted | central value | edge |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in parameters.itertuples():
        lines.append(f"| {r.name} | {r.prior_low:g} - {r.prior_high:g} | {r.q05:.4g} - {r.q95:.4g} | "
                     f"{r.sd_ratio:.2f} | {'yes' if r.fitted else 'no: not identified, prior value ' + format(r.prior_central, 'g')} | "
                     f"{r.central_value:.4g} | {r.at_edge} |")  # fmt: skip
    lines += ["", "sd ratio: posterior sd / prior sd with every parameter free; under "
              f"{posterior.IDENTIFIED_BELOW} the targets inform the parameter. Edge: the posterior median within "
              f"{posterior.EDGE:.0%} of a bound of the plausible range.", ""]
    pairs = diagnostics[diagnostics["kind"] == "trade-off"]
    if len(pairs):
        lines += ["## Trade-offs (posterior correlations)", ""]
        lines += [f"- {r.name}: {r.correlation:+.2f}" for r in pairs.itertuples()]
        lines.append("")
    em = diagnostics[diagnostics["kind"] == "emulator"]
    lines += ["## Emulators (leave one run out)", "", "| quantity | R^2 | rms standardized error | replicate sd | active parameters |",
              "|---|---|---|---|---|"]  # fmt: skip
    lines += [f"| {r.name} | {r.loo_r2:.2f} | {r.loo_rms_standardized_error:.2f} | {r.replicate_sd:.3g} | {r.active} |"
              for r in em.itertuples()]  # fmt: skip
    lines += ["", "## Out of sample", "", "| target | kind | how | band | predicted mean (90% interval) | in band |",
              "|---|---|---|---|---|---|"]  # fmt: skip
    lines += [f"| {r.target} | {r.kind} | {r.how} | {r.band_low:g} - {r.band_high:g} | {r.predicted_mean:.3g} "
              f"({r.predicted_low:.3g} - {r.predicted_high:.3g}) | {r.in_band} |" for r in cv.itertuples()]  # fmt: skip
    return "\n".join(lines) + "\n"
