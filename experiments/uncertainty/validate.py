"""`spsim validate`: the model against published figures (seeds/calibration_targets.toml), pass or fail."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd

from ...model.parameters import SEEDS_DIR

from ..inputs import scenario as scenarios
from ..analysis.statistics import mean_ci, span
from ..comparison.experiment import Experiment
from ..inputs.place import Place, sized
from ..runs.runner import atomic_write_csv, atomic_write_text

TARGETS_FILE = SEEDS_DIR / "calibration_targets.toml"


def targets() -> dict[str, dict]:
    with TARGETS_FILE.open("rb") as fh:
        return tomllib.load(fh)


def target_values(replicates: pd.DataFrame, t: dict) -> pd.Series:
    """A target's metric per replicate: in its scenario, or (``versus``) the paired difference from another
    scenario -- how controlled studies measure an effect, net of the natural course."""
    def of(name: str) -> pd.Series:
        rows = replicates[replicates["scenario"] == name]
        return rows.set_index("replicate")[t["metric"]].astype(float)

    return of(t["scenario"]) - of(t["versus"]) if "versus" in t else of(t["scenario"])


def target_scenarios() -> list[str]:
    """Every scenario a target is measured in (or against), in file order."""
    names = [name for t in targets().values() for name in (t["scenario"], t.get("versus")) if name]
    return list(dict.fromkeys(names))


def compare(replicates: pd.DataFrame) -> pd.DataFrame:
    """One row per target: model mean and 95% CI across replicates, target, band, pass or fail."""
    rows = []
    for key, t in targets().items():
        values = target_values(replicates, t)
        mean, lo, hi = mean_ci(values)
        low, high = t["band"]
        rows.append({
            "target": key, "description": t["description"],
            "scenario": t["scenario"] + (f" minus {t['versus']}" if "versus" in t else ""), "metric": t["metric"],
            "model_mean": mean, "model_ci_low": lo, "model_ci_high": hi, "published": t["target"],
            "band_low": low, "band_high": high, "pass": bool(low <= mean <= high),
            "source": ", ".join(t["source"]),
        })  # fmt: skip
    return pd.DataFrame(rows)


def render(table: pd.DataFrame) -> str:
    lines = [
        "## Validation against published figures",
        "",
        f"{int(table['pass'].sum())} of {len(table)} targets within their band "
        "(targets and sources: `seeds/calibration_targets.toml`).",
        "",
        "| target | scenario | model (95% CI) | published | band | result | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for _, r in table.iterrows():
        lines.append(
            f"| {r['description']} | {r['scenario']} | {r['model_mean']:.3g} "
            f"({span(r['model_ci_low'], r['model_ci_high'], '{:.3g}'.format)}) | {r['published']:g} | {r['band_low']:g} - {r['band_high']:g} | "
            f"{'pass' if r['pass'] else 'FAIL'} | {r['source']} |"
        )
    return "\n".join(lines) + "\n"


def run(out: Path, replicates: int, years: float, population: int, workers: int, seed: int = 2026,
        place: Place | None = None) -> pd.DataFrame:  # fmt: skip
    """The validation run, in ``place`` (None: the default place at ``population`` adults)."""
    names = target_scenarios()
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
