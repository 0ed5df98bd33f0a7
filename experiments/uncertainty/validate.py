"""`spsim validate`: the model against published figures, pass or fail, in sample and out of sample.

The calibration targets (seeds/calibration_targets.toml) are what `spsim calibrate` fits: in sample; those its
likelihood leaves out (``likelihood = false``: derived figures, assumptions) are predicted, counted apart. The new
figures in seeds/holdout_targets.toml (issue 27) are reported apart: "holdout" rows are never fitted (the
out-of-sample check); "fit" rows are meant for the next fit and count as in sample only once the calibration
targets include them (until then: new, not yet fitted). A figure the model has no output for (``metric = ""``)
is listed with what it ``needs``, unscored.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pandas as pd

from ...model.parameters import SEEDS_DIR

from ..inputs import scenario as scenarios
from ..analysis.intervals import mean_ci, span
from ..comparison.experiment import Experiment
from ..inputs.place import Place, sized
from ..runs.runner import atomic_write_csv, atomic_write_text

TARGETS_FILE = SEEDS_DIR / "calibration_targets.toml"
HOLDOUT_FILE = SEEDS_DIR / "holdout_targets.toml"

IN_SAMPLE = "in sample (fitted)"
PREDICTED = "in the calibration file, predicted (not in its likelihood)"
OUT_OF_SAMPLE = "out of sample (never fitted)"
NOT_YET_FITTED = "new, not yet fitted"
ROLES = (IN_SAMPLE, PREDICTED, OUT_OF_SAMPLE, NOT_YET_FITTED)


def targets() -> dict[str, dict]:
    """The calibration targets: what `spsim calibrate` fits."""
    with TARGETS_FILE.open("rb") as fh:
        return tomllib.load(fh)


def holdout_targets(path: Path = HOLDOUT_FILE) -> dict[str, dict]:
    """The new published figures (issue 27), each with a role: "holdout" (never fitted) or "fit"."""
    with path.open("rb") as fh:
        return tomllib.load(fh)


def role_of(key: str, t: dict, fitted: set[str]) -> str:
    """Where a target stands: fitted (a calibration target), never fitted (holdout), or new and not yet fitted."""
    if key in fitted:
        return IN_SAMPLE
    return OUT_OF_SAMPLE if t.get("role") == "holdout" else NOT_YET_FITTED


def validation_targets(holdout: dict[str, dict] | None = None) -> list[tuple[str, dict, str]]:
    """Every target validate reports, with its role: the calibration targets first, then the new figures
    (a new figure under the same key as a calibration target is the calibration target)."""
    calibration = targets()
    fitted = set(calibration)
    new = holdout_targets() if holdout is None else holdout
    # a target the likelihood leaves out (a derived figure, an assumption, a before-and-after share) is predicted by
    # the fit, not fitted: counting it in sample would flatter the fit
    rows = [(key, t, IN_SAMPLE if t.get("likelihood", True) else PREDICTED) for key, t in calibration.items()]
    return rows + [(key, t, role_of(key, t, fitted)) for key, t in new.items() if key not in fitted]


def target_values(replicates: pd.DataFrame, t: dict) -> pd.Series:
    """A target's metric per replicate: in its scenario, or (``versus``) the paired difference from another
    scenario -- how controlled studies measure an effect, net of the natural course."""
    def of(name: str) -> pd.Series:
        rows = replicates[replicates["scenario"] == name]
        if t["metric"] not in rows:  # a table without this column measures nothing here
            return pd.Series(dtype=float)
        return rows.set_index("replicate")[t["metric"]].astype(float)

    return of(t["scenario"]) - of(t["versus"]) if "versus" in t else of(t["scenario"])


def _scenarios_of(ts) -> list[str]:
    names = [name for t in ts if t["metric"] for name in (t["scenario"], t.get("versus")) if name]
    return list(dict.fromkeys(names))


def target_scenarios() -> list[str]:
    """Every scenario a calibration target is measured in (or against), in file order."""
    return _scenarios_of(targets().values())


def validation_scenarios() -> list[str]:
    """Every scenario any reported target with a model output is measured in (or against)."""
    return _scenarios_of(t for _, t, _ in validation_targets())


def compare(replicates: pd.DataFrame, holdout: dict[str, dict] | None = None) -> pd.DataFrame:
    """One row per target: role, model mean and 95% CI across replicates, target, band, pass or fail.
    A target with no model output (``metric = ""``) has no model value and does not pass; ``comparable``
    says which rows are scored."""
    rows = []
    for key, t, role in validation_targets(holdout):
        comparable = bool(t["metric"])
        mean, lo, hi = mean_ci(target_values(replicates, t)) if comparable else (math.nan,) * 3
        low, high = t["band"]
        rows.append({
            "target": key, "role": role, "description": t["description"],
            "scenario": t["scenario"] + (f" minus {t['versus']}" if "versus" in t else ""), "metric": t["metric"],
            "model_mean": mean, "model_ci_low": lo, "model_ci_high": hi, "published": t["target"],
            "band_low": low, "band_high": high, "pass": bool(low <= mean <= high), "comparable": comparable,
            "controlled": t.get("controlled", ""), "needs": t.get("needs", ""), "source": ", ".join(t["source"]),
        })  # fmt: skip
    return pd.DataFrame(rows)


def summary(table: pd.DataFrame) -> str:
    """The headline: how many targets of each role fall in their band (only rows with a model output count)."""
    scored = table[table["comparable"]]

    def count(role: str) -> tuple[int, int]:
        rows = scored[scored["role"] == role]
        return int(rows["pass"].sum()), len(rows)

    (k, n), (p, q) = count(IN_SAMPLE), count(PREDICTED)
    (j, m), (i, ell) = count(OUT_OF_SAMPLE), count(NOT_YET_FITTED)
    unscored = int((~table["comparable"]).sum())
    return (f"{k} of {n} in-sample targets in band; {p} of {q} calibration targets outside the likelihood in band; "
            f"{j} of {m} out-of-sample targets in band; "
            f"{i} of {ell} new targets not yet fitted in band; {unscored} new targets need a model output "
            "not yet produced (listed, unscored).")  # fmt: skip


def render(table: pd.DataFrame) -> str:
    lines = [
        "## Validation against published figures",
        "",
        summary(table),
        "",
        "In sample: the calibration targets (`seeds/calibration_targets.toml`), which the calibration was fitted "
        "to (the observed ones the likelihood uses); predicted: the calibration file's targets its likelihood leaves "
        "out (derived figures, assumptions, before-and-after shares). Out of sample: new published figures never fitted (`seeds/holdout_targets.toml`, role holdout); "
        "new, not yet fitted: figures in that file meant for the next fit. Sources: `seeds/sources.toml`.",
    ]
    for role in ROLES:
        rows = table[table["role"] == role]
        if not len(rows):
            continue
        lines += ["", f"### {role[0].upper()}{role[1:]}", "",
                  "| target | role | scenario | model (95% CI) | published | band | result | source |",
                  "|---|---|---|---|---|---|---|---|"]  # fmt: skip
        for _, r in rows.iterrows():
            if r["comparable"]:
                model = f"{r['model_mean']:.3g} ({span(r['model_ci_low'], r['model_ci_high'], '{:.3g}'.format)})"
                result = "pass" if r["pass"] else "FAIL"
            else:
                model, result = "no output", f"needs: {r['needs']}"
            lines.append(f"| {r['description']} | {r['role']} | {r['scenario']} | {model} | {r['published']:g} | "
                         f"{r['band_low']:g} - {r['band_high']:g} | {result} | {r['source']} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def run(out: Path, replicates: int, years: float, population: int, workers: int, seed: int = 2026,
        place: Place | None = None) -> pd.DataFrame:  # fmt: skip
    """The validation run, in ``place`` (None: the default place at ``population`` adults)."""
    names = validation_scenarios()
    site = sized(place, population)
    experiment = Experiment(
        scenarios=[scenarios.load(n, site.parameters) for n in names], replicates=replicates, years=years, seed=seed,
        place=site, out=out,
    )  # fmt: skip
    experiment.run(workers=workers)
    table = compare(pd.read_csv(out / "replicates.csv"))
    text = render(table)
    atomic_write_text(out / "validation.md", text)
    atomic_write_csv(out / "validation.csv", table)
    with (out / "report.md").open("a") as fh:  # the run's report carries the validation too
        fh.write("\n" + text)
    print(text)
    return table
