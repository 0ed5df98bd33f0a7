"""A `spsim psa` folder's inputs to its analysis: the draws and the runs, written by a PSA and read back, checked,
by `spsim psa --from DIR` (and by the PSA itself, so a run and a re-analysis of it give the same files).

What the analysis needs is in ``runs.csv`` (one row per draw, scenario and replicate: the QALYs and net cost, and
the population and weeks simulated) and ``draws.csv`` (one row per draw: each drawn parameter's value). The
warm-up and the seed are in no table: ``settings.json`` keeps them; a folder written before it existed is
analysed all the same and says the warm-up was not recorded.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ...model.parameters import registry

from ..analysis.decisions import COST, EFFECT
from ..runs import outdir
from ..runs.design import DesignError
from ..runs.outdir import OutputFolderError
from ..runs.runner import atomic_write_csv, atomic_write_text

RUNS, DRAWS, SETTINGS = "runs.csv", "draws.csv", "settings.json"
KEYS = ["point", "scenario", "replicate"]


@dataclass(frozen=True)
class StoredPSA:
    runs: pd.DataFrame  # one row per draw ("point"), scenario and replicate
    draws: pd.DataFrame  # one row per draw, indexed by its number; a column per drawn parameter
    order: list[str]  # the scenarios compared, the reference first
    settings: dict  # what psa.md says about the design (psa_report.render)


def write(out: Path, draws: pd.DataFrame, runs: pd.DataFrame, warmup_years: float, seed: int,
          from_posterior: list[str] = ()) -> None:  # fmt: skip
    """A PSA's inputs to its analysis (``draws``: one row per draw, a column per parameter; ``from_posterior``: the
    parameters drawn together from the calibration's posterior)."""
    atomic_write_csv(out / DRAWS, draws.rename_axis("draw").reset_index())
    atomic_write_csv(out / RUNS, runs)
    atomic_write_text(out / SETTINGS, json.dumps({"warmup_years": warmup_years, "seed": seed,
                                                         "from_posterior": list(from_posterior)}, indent=1) + "\n")


def read(folder: Path, scenarios: list[str] | None = None) -> StoredPSA:
    """The PSA in ``folder``, checked before anything is written: a refusal names the folder, the file and
    what is wrong (DesignError). ``scenarios``: the ones to compare, the first the reference (default: all, in
    the order they ran)."""
    where = f"spsim psa: --from {folder}"
    if not folder.is_dir():
        what = "not a folder" if folder.exists() else "no such folder"
        raise DesignError(f"{where}: {what}; name a `spsim psa` output folder")
    try:
        outdir.check(folder, option="--from")  # spsim's own folder, not locked by a run, its names free
    except OutputFolderError as err:
        raise DesignError(f"spsim psa: {err}") from None
    runs = _table(folder, RUNS, where)
    draws = _table(folder, DRAWS, where)
    _check_runs(runs, where)
    draws = _check_draws(draws, runs, where)
    order = _order(runs, scenarios, where)
    runs = runs[runs["scenario"].isin(order)].reset_index(drop=True)
    return StoredPSA(runs, draws, order, settings(runs, draws, *_recorded(folder, where)))


def settings(runs: pd.DataFrame, draws: pd.DataFrame, warmup_years: float | None,
             from_posterior: list[str] = ()) -> dict:  # fmt: skip
    """What the tables (and settings.json) say about the design that made them."""
    known = registry()
    drawn = [known[name] for name in draws.columns if name in known]
    population = runs["population"].unique() if "population" in runs else []
    weeks = runs["weeks"].unique() if "weeks" in runs else []
    return {
        "draws": len(draws), "replicates": int(runs["replicate"].nunique()), "parameters": draws.shape[1],
        "distributions": sum(p.distribution != "uniform" and p.posterior is None and p.name not in from_posterior
                             for p in drawn),
        "from_posterior": [name for name in from_posterior if name in draws.columns],
        "population": int(population[0]) if len(population) == 1 else None,
        "years": float(weeks[0]) / 52 if len(weeks) == 1 else None,
        "warmup_years": warmup_years,
    }  # fmt: skip


def _table(folder: Path, name: str, where: str) -> pd.DataFrame:
    try:
        return pd.read_csv(folder / name)
    except FileNotFoundError:
        raise DesignError(f"{where}: no {name} there (a `spsim psa` folder has {RUNS} and {DRAWS})") from None
    except (OSError, ValueError, UnicodeError) as err:  # pandas' parser and empty-data errors are ValueErrors
        raise DesignError(f"{where}: {name} is not a readable table ({type(err).__name__})") from None


def _check_runs(runs: pd.DataFrame, where: str) -> None:
    missing = [c for c in [*KEYS, EFFECT, COST] if c not in runs.columns]
    if missing:
        raise DesignError(f"{where}: {RUNS} has no column {', '.join(missing)} (made by another command, or before "
                          "QALYs were reported?)")  # fmt: skip
    for column in ("point", "replicate"):
        values = pd.to_numeric(runs[column], errors="coerce")
        if values.isna().any() or (values != values.round()).any() or (values < 0).any():
            raise DesignError(f"{where}: {RUNS}: column {column} must hold whole numbers from 0")
    for column in (EFFECT, COST):
        values = pd.to_numeric(runs[column], errors="coerce")
        if not np.isfinite(values.to_numpy(dtype=float)).all():
            raise DesignError(f"{where}: {RUNS}: column {column} must hold a number in every row")
    if runs["scenario"].isna().any():
        raise DesignError(f"{where}: {RUNS}: column scenario must name the scenario in every row")
    runs[["point", "replicate"]] = runs[["point", "replicate"]].astype(int)
    runs["scenario"] = runs["scenario"].astype(str)
    runs[[EFFECT, COST]] = runs[[EFFECT, COST]].astype(float)
    if runs.duplicated(KEYS).any():
        raise DesignError(f"{where}: {RUNS} has two rows for one draw, scenario and replicate")
    grid = runs["point"].nunique() * runs["scenario"].nunique() * runs["replicate"].nunique()
    if len(runs) != grid:  # every scenario paired with the reference at every draw and replicate
        raise DesignError(f"{where}: {RUNS} is incomplete: {len(runs)} rows, not every draw x scenario x "
                          f"replicate ({grid}); finish the run (spsim psa with the same settings and --out resumes "
                          "it)")  # fmt: skip
    if runs["point"].nunique() < 2:
        raise DesignError(f"{where}: {RUNS} has {runs['point'].nunique()} draw; a PSA needs at least 2")


def _check_draws(draws: pd.DataFrame, runs: pd.DataFrame, where: str) -> pd.DataFrame:
    if "draw" not in draws.columns or draws.shape[1] < 2:
        raise DesignError(f"{where}: {DRAWS} needs a column draw and a column per drawn parameter")
    values = draws.drop(columns="draw").apply(pd.to_numeric, errors="coerce")
    bad = [c for c in values.columns if not np.isfinite(values[c].to_numpy(dtype=float)).all()]
    if bad:
        raise DesignError(f"{where}: {DRAWS}: column {bad[0]} must hold a number in every row")
    number = pd.to_numeric(draws["draw"], errors="coerce")
    if number.isna().any() or (number != number.round()).any() or number.duplicated().any():
        raise DesignError(f"{where}: {DRAWS}: column draw must number each draw once")
    values.index = pd.Index(number.astype(int), name="draw")
    if set(values.index) != set(runs["point"]):
        raise DesignError(f"{where}: {DRAWS} and {RUNS} are not the same draws ({len(values)} and "
                          f"{runs['point'].nunique()}); were they written by one PSA?")  # fmt: skip
    return values.sort_index()


def _order(runs: pd.DataFrame, scenarios: list[str] | None, where: str) -> list[str]:
    stored = list(pd.unique(runs["scenario"]))
    if not scenarios:
        order = stored
    else:
        unknown = [s for s in scenarios if s not in stored]
        if unknown:
            raise DesignError(f"{where}: scenario {unknown[0]!r} is not in its {RUNS} (it has {', '.join(stored)})")
        if len(set(scenarios)) != len(scenarios):
            raise DesignError(f"{where}: a scenario is named twice")
        order = list(scenarios)
    if len(order) < 2:
        raise DesignError(f"{where}: name at least two scenarios (the first is the reference)")
    return order


def _recorded(folder: Path, where: str) -> tuple[float | None, list[str]]:
    """The warm-up a PSA ran with (None: written before settings.json was) and the parameters it drew from the
    calibration's posterior (none recorded before that was possible)."""
    path = folder / SETTINGS
    if not path.exists():
        return None, []
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
        value = recorded["warmup_years"]
        from_posterior = recorded.get("from_posterior", [])
    except (OSError, ValueError, UnicodeError, KeyError, TypeError, AttributeError) as err:
        raise DesignError(f"{where}: {SETTINGS} is not spsim's ({type(err).__name__}); remove it") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise DesignError(f"{where}: {SETTINGS}: warmup_years {value!r} is not a number of years")
    if not isinstance(from_posterior, list) or not all(isinstance(name, str) for name in from_posterior):
        raise DesignError(f"{where}: {SETTINGS}: from_posterior must be a list of parameter names")
    return float(value), from_posterior
