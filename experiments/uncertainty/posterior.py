"""The posterior of the fitted parameters, sampled on the emulators.

Likelihood: each observed target is a Gaussian around the emulated model output, with variance = the target's
observation variance (its band read as a central 95% interval) + the emulator's variance at that point + the
simulation's replicate variance (the emulator's nugget): a point is not penalised for a miss the emulator or
the model's own noise could explain (Vernon, Goldstein and Bower 2010). Prior: uniform over the plausible
ranges (the unit cube). Sampling: population Monte Carlo importance sampling (Cappe et al. 2004, J Comput Graph
Stat 13:907): a first population from the prior, then a few populations from a Gaussian fitted to the weighted
previous one (widened, and mixed with the prior so no region is shut out), and the last population resampled
to equally weighted draws. Only the emulators are evaluated: hundreds of thousands of points cost seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .emulator import Emulator

Z95 = 3.92  # a central 95% interval is this many standard deviations wide
WIDEN = 2.0  # a population's proposal covariance is this multiple of the previous population's
DEFENSIVE = 0.1  # share of each proposal drawn from the prior, so that the weights stay bounded
IDENTIFIED_BELOW = 0.8  # posterior sd / prior sd under this: the targets inform the parameter
EDGE = 0.1  # a posterior median within this share of the range of a bound: fitted to the edge
CORRELATED = 0.5  # posterior correlations at least this large are reported as trade-offs


@dataclass(frozen=True)
class Observation:
    """A target in the likelihood: the quantity it reads, its published value and its observation sd."""

    name: str
    quantity: str
    value: float
    sd: float


def observation_sd(band: Sequence[float]) -> float:
    """A target's tolerance band read as a central 95% interval."""
    low, high = band
    return (float(high) - float(low)) / Z95


class Likelihood:
    """Gaussian likelihood of the observations given the emulated outputs at points on the unit cube."""

    def __init__(self, emulators: Mapping[str, Emulator], observations: Sequence[Observation]):
        self.emulators = emulators
        self.observations = list(observations)

    def terms(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per point and observation (n x k): emulated mean, and total variance (observation + emulator +
        replicate)."""
        x = np.atleast_2d(x)
        means, variances = np.empty((len(x), len(self.observations))), np.empty((len(x), len(self.observations)))
        cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for j, o in enumerate(self.observations):
            if o.quantity not in cache:
                cache[o.quantity] = self.emulators[o.quantity].predict(x)
            mean, variance = cache[o.quantity]
            means[:, j] = mean
            variances[:, j] = variance + self.emulators[o.quantity].replicate_variance + o.sd**2
        return means, variances

    def log_likelihood(self, x: np.ndarray) -> np.ndarray:
        if not self.observations:
            return np.zeros(len(np.atleast_2d(x)))
        means, variances = self.terms(x)
        values = np.array([o.value for o in self.observations])
        return -0.5 * np.sum((means - values) ** 2 / variances + np.log(2 * np.pi * variances), axis=1)

    def implausibility(self, x: np.ndarray) -> np.ndarray:
        """|target - emulated mean| / total sd, per point and observation (history matching's measure)."""
        means, variances = self.terms(x)
        values = np.array([o.value for o in self.observations])
        return np.abs(means - values) / np.sqrt(variances)


def embed(free: Sequence[int], fixed: Mapping[int, float], dimensions: int) -> Callable[[np.ndarray], np.ndarray]:
    """Points over the free coordinates as full points, the fixed coordinates at their values."""
    free = list(free)

    def full(x: np.ndarray) -> np.ndarray:
        out = np.empty((len(x), dimensions))
        out[:, free] = x
        for index, value in fixed.items():
            out[:, index] = value
        return out

    return full


@dataclass
class PosteriorSample:
    draws: np.ndarray  # equally weighted draws on the unit cube (free coordinates only)
    log_density: np.ndarray  # unnormalised log posterior of each draw
    effective_sample_size: float  # of the last importance-sampling population


def _log_gaussian(x: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    chol = np.linalg.cholesky(cov)
    z = np.linalg.solve(chol, (x - mean).T)
    return -0.5 * np.sum(z**2, axis=0) - np.sum(np.log(np.diag(chol))) - 0.5 * len(mean) * np.log(2 * np.pi)


def _effective_size(weights: np.ndarray) -> float:
    return float(weights.sum() ** 2 / np.sum(weights**2)) if weights.sum() > 0 else 0.0


def sample(log_likelihood: Callable[[np.ndarray], np.ndarray], dimensions: int, draws: int, rng: np.random.Generator,
           population: int = 20_000, iterations: int = 4) -> PosteriorSample:  # fmt: skip
    """Equally weighted draws from prior x likelihood, the prior uniform on the unit cube of ``dimensions``."""
    x = rng.random((population, dimensions))
    log_q = np.zeros(population)
    for iteration in range(iterations + 1):
        inside = np.all((x >= 0) & (x <= 1), axis=1)
        log_w = np.full(len(x), -np.inf)
        if inside.any():
            log_w[inside] = log_likelihood(x[inside]) - log_q[inside]
        weights = np.exp(log_w - np.max(log_w))
        if iteration == iterations:
            break
        p = weights / weights.sum()
        mean = p @ x
        cov = np.atleast_2d(np.cov(x.T, aweights=p)) * WIDEN + np.eye(dimensions) * 1e-6
        size = population * (2 if iteration == iterations - 1 else 1)  # a larger last population
        from_prior = rng.random(size) < DEFENSIVE
        x = np.where(from_prior[:, None], rng.random((size, dimensions)),
                     rng.multivariate_normal(mean, cov, size))  # fmt: skip
        log_q = np.logaddexp(np.log(DEFENSIVE), np.log(1 - DEFENSIVE) + _log_gaussian(x, mean, cov))
    chosen = _systematic(weights / weights.sum(), draws, rng)
    return PosteriorSample(draws=x[chosen], log_density=(log_w + log_q)[chosen],
                           effective_sample_size=_effective_size(weights))  # fmt: skip


def _systematic(p: np.ndarray, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Systematic resampling: ``draws`` indices, each point chosen in proportion to its weight."""
    positions = (rng.random() + np.arange(draws)) / draws
    return np.minimum(np.searchsorted(np.cumsum(p), positions), len(p) - 1)


def identifiability(draws: np.ndarray) -> dict[str, np.ndarray]:
    """Per coordinate of unit-cube draws: mean, sd, 5% and 95% quantiles, the sd ratio (posterior sd / the sd of
    a uniform prior on [0, 1]), whether the targets inform it, and whether it sits at an edge of its range."""
    sd = draws.std(axis=0)
    ratio = sd / np.sqrt(1 / 12)
    median = np.median(draws, axis=0)
    edge = np.where(median < EDGE, "low", np.where(median > 1 - EDGE, "high", ""))
    return {
        "mean": draws.mean(axis=0), "sd": sd, "q05": np.quantile(draws, 0.05, axis=0),
        "q95": np.quantile(draws, 0.95, axis=0), "sd_ratio": ratio, "identified": ratio < IDENTIFIED_BELOW,
        "edge": edge,
    }  # fmt: skip


def trade_offs(draws: np.ndarray, names: Sequence[str]) -> list[tuple[str, str, float]]:
    """Pairs of parameters whose posterior draws are correlated (the targets fix a combination of them)."""
    if draws.shape[1] < 2:
        return []
    r = np.corrcoef(draws.T)
    pairs = [(names[i], names[j], float(r[i, j])) for i in range(len(names)) for j in range(i + 1, len(names))
             if abs(r[i, j]) >= CORRELATED]  # fmt: skip
    return sorted(pairs, key=lambda pair: -abs(pair[2]))


def predictive(emulator: Emulator, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One simulated output per draw: the emulated mean plus the emulator's and the replicate's noise (what a
    run of the model at that draw would show)."""
    mean, variance = emulator.predict(x)
    return mean + rng.standard_normal(len(mean)) * np.sqrt(variance + emulator.replicate_variance)
