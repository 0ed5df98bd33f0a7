"""Which parameters are uncertain, and how a design draws them: over their ranges for sensitivity analysis and
calibration (SALib), or through each one's distribution for the PSA and a robust search (a Latin hypercube of
quantiles)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...model.parameters import Parameter, registry

from .design import DesignError

# Parameters that are decisions or definitions, not uncertain facts about the world: the policy levers a
# commissioner sets (or a scenario changes), the size and density of the place, and how outcomes are measured.
NOT_UNCERTAIN = {
    "population": "the place, chosen by the user",
    "adults_per_km2": "the place, chosen by the user",
    "link_workers_per_100k": "a funding decision",
    "support_weeks": "a service design decision",
    "referral_tariff_gbp": "a funding decision",
    "vcse_grant_per_100k_year_gbp": "a funding decision",
    "lw_training": "a service design decision",
    "public_awareness": "a commissioning decision (awareness campaigns)",
    "follow_up_weeks": "how outcomes are measured",
    "improvement_threshold": "how outcomes are measured",
    "discount_rate_per_year": "a reference-case choice (NICE: 3.5%; other rates are scenarios)",
    "economic_horizon_years": "how long outcomes are counted, a choice stated with the results",
}


def uncertain_parameters(names: Sequence[str] | None = None) -> list[Parameter]:
    """The numeric parameters with a plausible range (seeds/parameters.toml), minus decisions and definitions;
    or the named ones, checked. Each is varied over its `uncertainty`: the range a calibration accepted, or
    else its plausible range."""
    known = registry()
    if names:
        out = []
        for name in names:
            p = known.get(name)
            if p is None:
                raise DesignError(f"--parameters: unknown parameter {name!r}; see `spsim show baseline`")
            if isinstance(p.value, bool) or p.low == p.high:
                raise DesignError(f"--parameters: {name} has no range to vary (range [{p.low}, {p.high}])")
            out.append(p)
        return out
    return [
        p
        for p in known.values()
        if not isinstance(p.value, bool) and p.low != p.high and p.name not in NOT_UNCERTAIN
    ]


def salib_problem(parameters: Sequence[Parameter]) -> dict:
    return {
        "num_vars": len(parameters),
        "names": [p.name for p in parameters],
        "bounds": [list(p.uncertainty) for p in parameters],
    }


Z95 = 3.92  # a central 95% interval is this many standard deviations wide (2 x 1.96)


def from_unit_interval(parameter: Parameter, u: np.ndarray) -> np.ndarray:
    """Values of ``parameter`` at quantiles ``u`` in (0, 1): the PSA's draws (a Latin hypercube of quantiles
    keeps its stratification through any distribution).

    A calibrated parameter, or one with no stated distribution, is uniform over its uncertainty range. Otherwise
    the distribution is centred on the value with the plausible range as its central 95% (seeds/
    EVIDENCE-economics.md section 6; Briggs, Claxton and Sculpher 2006): beta by moments for shares and
    utilities, gamma by moments for costs and counts, log-normal with its median at the value for ratios, normal
    for regression coefficients; draws are kept within the parameter's bounds."""
    from scipy import stats

    u = np.asarray(u, dtype=float)
    low, high = parameter.uncertainty
    kind = parameter.distribution if parameter.posterior is None else "uniform"
    m, s = float(parameter.value), (float(parameter.high) - float(parameter.low)) / Z95
    if kind == "beta" and 0 < m < 1 and s * s < m * (1 - m):
        common = m * (1 - m) / (s * s) - 1
        values = stats.beta.ppf(u, m * common, (1 - m) * common)
    elif kind == "gamma" and m > 0 and s > 0:
        values = stats.gamma.ppf(u, (m / s) ** 2, scale=s * s / m)
    elif kind == "lognormal" and m > 0 and float(parameter.low) > 0:
        values = stats.lognorm.ppf(u, (math.log(float(parameter.high)) - math.log(float(parameter.low))) / Z95,
                                   scale=m)  # fmt: skip
    elif kind == "normal" and s > 0:
        values = stats.norm.ppf(u, m, s)
    else:  # uniform, or a distribution its range cannot define (said in docs/methods.md)
        values = low + u * (high - low)
    return np.clip(values, *parameter.bounds)


def latin_draws(parameters: Sequence[Parameter], draws: int, seed: int) -> np.ndarray:
    """``draws`` x parameters: a Latin hypercube of quantiles (SALib) mapped through each parameter's distribution
    (``from_unit_interval``): how `spsim psa` and `spsim optimise --robust` draw the uncertain parameters."""
    from SALib.sample import latin

    quantiles = latin.sample({"num_vars": len(parameters), "names": [p.name for p in parameters],
                              "bounds": [[0.0, 1.0]] * len(parameters)}, draws, seed=seed)  # fmt: skip
    return np.column_stack([from_unit_interval(p, quantiles[:, i]) for i, p in enumerate(parameters)])


def design_draws(parameters: Sequence[Parameter], draws: int, seed: int) -> tuple[np.ndarray, list[str]]:
    """``latin_draws``, with the fitted parameters taken together from the calibration's posterior draws when
    `spsim calibrate` wrote them (experiments/runs/posterior_draws.py); and the names so drawn."""
    from . import posterior_draws

    return posterior_draws.joint(parameters, latin_draws(parameters, draws, seed), seed, posterior_draws.load())


def as_points(parameters: Sequence[Parameter], matrix: np.ndarray) -> list[dict[str, Any]]:
    """Rows of a sample matrix as parameter overrides (whole numbers rounded for integer parameters)."""
    points = []
    for row in matrix:
        point = {}
        for p, value in zip(parameters, row, strict=True):
            point[p.name] = int(round(value)) if isinstance(p.value, int) else float(value)
        points.append(point)
    return points
