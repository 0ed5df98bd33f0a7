"""Out-of-sample checks of a calibration: leave one target out, fit the posterior to the rest, and ask whether
the model then predicts the target left out (predictive mean and 90% interval from the posterior draws through
the emulator, with the emulator's and the replicate's noise). A target outside the likelihood (a derived figure,
an assumption, a before-and-after figure, a holdout) is predicted from the full posterior: it was never fitted.

A prediction is "in band" when its mean lies in the target's published band; the interval says how sure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .emulator import Emulator
from .posterior import Likelihood, Observation, Pool, predictive, sample

LEAVE_ONE_OUT = "leave-one-target-out"
NOT_IN_LIKELIHOOD = "not in the likelihood"
HOLDOUT = "holdout"


@dataclass(frozen=True)
class Target:
    """A published figure to predict: the quantity it reads, its value and band."""

    name: str
    quantity: str
    published: float
    band: tuple[float, float]


def prediction(emulator: Emulator, x: np.ndarray, target: Target, how: str, rng: np.random.Generator) -> dict:
    """One row of cross_validation.csv: the target's band against the model's predictive distribution at ``x``."""
    simulated = predictive(emulator, x, rng)
    mean = float(np.mean(simulated))
    low, high = target.band
    return {
        "target": target.name, "how": how, "quantity": target.quantity, "published": target.published,
        "band_low": low, "band_high": high, "predicted_mean": mean,
        "predicted_low": float(np.quantile(simulated, 0.05)), "predicted_high": float(np.quantile(simulated, 0.95)),
        "in_band": "yes" if low <= mean <= high else "no",
    }  # fmt: skip


def leave_one_target_out(emulators: Mapping[str, Emulator], observations: Sequence[Observation],
                         targets: Mapping[str, Target], full: Callable[[np.ndarray], np.ndarray], dimensions: int,
                         draws: int, rng: np.random.Generator, population: int = 20_000) -> list[dict]:  # fmt: skip
    """For each observation: the posterior without it (over ``dimensions`` free coordinates, made whole by
    ``full``), and the prediction of it from that posterior."""
    rows = []
    for left_out in observations:
        rest = Likelihood(emulators, [o for o in observations if o.name != left_out.name])
        fold = sample(lambda x, rest=rest: rest.log_likelihood(full(x)), dimensions, draws, rng, population)
        row = prediction(emulators[left_out.quantity], full(fold.draws), targets[left_out.name], LEAVE_ONE_OUT, rng)
        rows.append({**row, "effective_sample_size": fold.effective_sample_size})
    return rows


def predict_from_posterior(emulators: Mapping[str, Emulator], targets: Sequence[Target], x: np.ndarray, how: str,
                           rng: np.random.Generator) -> list[dict]:  # fmt: skip
    """Targets the posterior was not fitted to, predicted at its draws ``x`` (full unit-cube points)."""
    return [prediction(emulators[t.quantity], x, t, how, rng) for t in targets]


def headline(table: pd.DataFrame) -> str:
    """'k of n targets predicted out of sample', and by how each was held out."""
    parts = []
    for how in (LEAVE_ONE_OUT, NOT_IN_LIKELIHOOD, HOLDOUT):
        rows = table[table["how"] == how]
        if len(rows):
            parts.append(f"{int((rows['in_band'] == 'yes').sum())} of {len(rows)} {how}")
    total = int((table["in_band"] == "yes").sum())
    return f"{total} of {len(table)} targets predicted out of sample ({'; '.join(parts)})"


def leave_one_target_out_by_reweighting(pool: Pool, emulators: Mapping[str, Emulator],
                                        observations: Sequence[Observation], targets: Mapping[str, Target],
                                        full: Callable[[np.ndarray], np.ndarray], draws: int,
                                        rng: np.random.Generator) -> list[dict]:  # fmt: skip
    """As ``leave_one_target_out``, each fold's posterior a reweighting of one pool (``posterior.pool``) instead
    of a new sampler run: the emulators are evaluated once, not once per target."""
    rows = []
    for k, left_out in enumerate(observations):
        chosen, ess = pool.resample([j for j in range(len(observations)) if j != k], draws, rng)
        row = prediction(emulators[left_out.quantity], full(pool.x[chosen]), targets[left_out.name], LEAVE_ONE_OUT, rng)
        rows.append({**row, "effective_sample_size": ess})
    return rows
