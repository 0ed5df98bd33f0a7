"""The simulations an emulator-based calibration learns from: design points over the prior box, each run in the
scenarios the targets are measured in, and one row per point of every target quantity.

Points live on the unit cube (each parameter's plausible range scaled to [0, 1]): the emulators, the history
matching and the posterior sampler all work there, and only the runs see real values. Each point gets its own
seed (``seeds_per_point``): the Gaussian-process nugget models replicate noise as independent between points,
which common random numbers across points would break (a shared seed's luck would look like signal).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ...model.parameters import Parameter

from ..inputs.place import Place
from ..inputs.scenario import Scenario
from ..runs.design import Design, place_fields
from ..runs.uncertain_parameters import as_points
from .validate import target_values

WAVE_SEED_STEP = 1_000  # a later wave's runs use seeds no earlier wave used


def latin_hypercube(dimensions: int, samples: int, seed: int) -> np.ndarray:
    """``samples`` x ``dimensions`` space-filling points on the unit cube (SALib's Latin hypercube)."""
    from SALib.sample import latin

    problem = {"num_vars": dimensions, "names": [f"x{i}" for i in range(dimensions)], "bounds": [[0.0, 1.0]] * dimensions}
    return latin.sample(problem, samples, seed=seed)


def to_values(parameters: Sequence[Parameter], unit: np.ndarray) -> np.ndarray:
    """Unit-cube coordinates as parameter values over the plausible (prior) ranges."""
    low = np.array([float(p.low) for p in parameters])
    high = np.array([float(p.high) for p in parameters])
    return low + np.asarray(unit, dtype=float) * (high - low)


def to_unit(parameters: Sequence[Parameter], values: np.ndarray) -> np.ndarray:
    low = np.array([float(p.low) for p in parameters])
    high = np.array([float(p.high) for p in parameters])
    return (np.asarray(values, dtype=float) - low) / (high - low)


def wave_design(parameters: Sequence[Parameter], unit: np.ndarray, fixed: dict, scenarios: list[Scenario],
                replicates: int, years: float, warmup_years: float, population: int, seed: int, wave: int,
                place: Place | None = None) -> Design:  # fmt: skip
    """One wave's runs: every point (``fixed`` values added) in every scenario, each point with its own seeds."""
    points = [{**fixed, **point} for point in as_points(parameters, to_values(parameters, unit))]
    return Design(
        points=points, scenarios=scenarios, replicates=replicates, weeks=round(years * 52),
        warmup_weeks=round(warmup_years * 52), **place_fields(population, place),
        seed=seed + WAVE_SEED_STEP * (wave - 1), seeds_per_point=True,
    )  # fmt: skip


def quantity_key(t: dict) -> str:
    """The model quantity a target reads: its metric in its scenario (or the paired difference from ``versus``).
    Targets that read the same quantity share one emulator."""
    return f"{t['metric']}@{t['scenario']}" + (f"-{t['versus']}" if "versus" in t else "")


def quantities(runs: pd.DataFrame, goals: dict[str, dict]) -> pd.DataFrame:
    """One row per point and replicate: each target quantity (a ``versus`` target is the difference within the
    replicate, paired: the same seed in both scenarios)."""
    columns = {}
    for t in goals.values():
        key = quantity_key(t)
        if key in columns or not t["metric"]:
            continue
        per_point = []
        for point, rows in runs.groupby("point"):
            values = target_values(rows, t)
            per_point.append(pd.DataFrame({"point": point, "replicate": values.index, key: values.to_numpy()}))
        columns[key] = pd.concat(per_point).set_index(["point", "replicate"])[key]
    return pd.DataFrame(columns).sort_index()
