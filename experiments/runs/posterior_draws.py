"""The calibration's joint posterior in the PSA and the robust search.

`spsim calibrate` writes its posterior as equally weighted draws of the fitted parameters
(``seeds/calibration_posterior.csv``: one column per fitted parameter, one row per draw). When it is there, a PSA
or robust-search draw takes the fitted parameters together, from one row of it, so the trade-offs the fit found
(a higher referral rate with less patience, say) stay in every draw; drawn one by one over their ranges they would
make combinations the targets ruled out. Parameters the fit did not touch keep their own distributions.

The rows are picked by a stratified permutation from the design's seed (every row used once before any is used
twice), so a design is reproducible and as evenly spread over the posterior as its number of draws allows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ...model.parameters import SEEDS_DIR, Parameter, registry

from .design import DesignError

POSTERIOR_FILE = SEEDS_DIR / "calibration_posterior.csv"
ROW_STREAM = 7_919  # added to the design's seed for the choice of rows, so it is not the Latin hypercube's stream


def load(path: Path = POSTERIOR_FILE) -> pd.DataFrame | None:
    """The posterior draws (None when there is no file), checked: every column a parameter of the registry, every
    value a finite number within that parameter's bounds, at least two rows. A bad file is one line (DesignError)."""
    if not path.exists():
        return None
    try:
        table = pd.read_csv(path)
    except (OSError, ValueError, UnicodeError) as err:  # pandas' parser and empty-data errors are ValueErrors
        raise DesignError(f"{path}: not a readable table ({type(err).__name__}); re-run `spsim calibrate`") from None
    known = registry()
    if len(table) < 2:
        raise DesignError(f"{path}: {len(table)} draw(s); a posterior needs at least 2 (re-run `spsim calibrate`)")
    for name in table.columns:
        if name not in known:
            raise DesignError(f"{path}: column {name!r} is not a parameter (re-run `spsim calibrate`)")
        values = pd.to_numeric(table[name], errors="coerce")
        low, high = known[name].bounds
        bad = values[~np.isfinite(values) | (values < low) | (values > high)]
        if len(bad):
            raise DesignError(f"{path}: {name} = {table[name][bad.index[0]]!r}: must be a number within "
                              f"[{low}, {high}]")  # fmt: skip
        table[name] = values.astype(float)
    return table


def rows_for(draws: int, available: int, seed: int) -> np.ndarray:
    """``draws`` row numbers out of ``available``: each row once before any twice, in a seeded random order."""
    rng = np.random.default_rng(seed + ROW_STREAM)
    rounds = math.ceil(draws / available)
    return np.concatenate([rng.permutation(available) for _ in range(rounds)])[:draws]


def joint(parameters: Sequence[Parameter], matrix: np.ndarray, seed: int,
          posterior: pd.DataFrame | None) -> tuple[np.ndarray, list[str]]:  # fmt: skip
    """``matrix`` (draws x ``parameters``) with the columns of the parameters the posterior holds replaced by its
    rows, and the names replaced. Without a posterior, or if it holds none of ``parameters``, unchanged."""
    names = [p.name for p in parameters]
    shared = [name for name in posterior.columns if name in names] if posterior is not None else []
    if not shared:
        return matrix, []
    out = np.array(matrix, dtype=float, copy=True)
    picked = posterior.iloc[rows_for(len(out), len(posterior), seed)]
    for name in shared:
        out[:, names.index(name)] = picked[name].to_numpy(dtype=float)
    return out, shared
