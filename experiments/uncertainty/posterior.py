"""The posterior of the fitted parameters, sampled on the emulators.

Likelihood: each observed target is a Gaussian around the emulated model output, with variance = the target's
observation variance (its band read as a central 95% interval) + the emulator's variance at that point + the
simulation's replicate variance (the emulator's nugget): a point is not penalised for a miss the emulator or
the model's own noise could explain (Vernon, Goldstein and Bower 2010). Prior: uniform over the plausible
ranges (the unit cube). Sampling: sequential Monte Carlo with adaptive tempering and
random-walk moves (``sample``), from the prior to the posterior. Leaving one target out reweights one pool of
importance-sampling points around the posterior (``pool``). Only the emulators are evaluated: hundreds of thousands of points cost seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .emulator import Emulator

Z95 = 3.92  # a central 95% interval is this many standard deviations wide
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
    effective_sample_size: float  # of the last reweighting (sample: before its moves; pool: of its weights)


def _log_gaussian(x: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    chol = np.linalg.cholesky(cov)
    z = np.linalg.solve(chol, (x - mean).T)
    return -0.5 * np.sum(z**2, axis=0) - np.sum(np.log(np.diag(chol))) - 0.5 * len(mean) * np.log(2 * np.pi)


def _effective_size(weights: np.ndarray) -> float:
    return float(weights.sum() ** 2 / np.sum(weights**2)) if weights.sum() > 0 else 0.0


def _temper(log_l: np.ndarray, log_q: np.ndarray, floor: float, target: float, base: float = 0.0) -> float:
    """The largest power ``beta`` in [floor, 1] of the likelihood whose importance weights (relative to the
    particles' current power ``base``) keep an effective sample size of at least ``target`` (bisection): each
    stage moves only as far towards the posterior as its particles can carry (adaptive tempering; Jasra et al.
    2011, Scand J Stat 38:1)."""
    finite = np.isfinite(log_l)  # a point outside the cube has no prior mass, whatever the power

    def ess(beta: float) -> float:
        log_w = np.where(finite, (beta - base) * np.where(finite, log_l, 0.0) - log_q, -np.inf)
        return _effective_size(np.exp(log_w - np.max(log_w)))

    if ess(1.0) >= target:
        return 1.0
    low, high = floor, 1.0
    for _ in range(30):
        middle = (low + high) / 2
        low, high = (middle, high) if ess(middle) >= target else (low, middle)
    return max(low, floor + 1e-6)  # always some progress


def sample(log_likelihood: Callable[[np.ndarray], np.ndarray], dimensions: int, draws: int, rng: np.random.Generator,
           population: int = 4_000, moves: int = 8) -> PosteriorSample:  # fmt: skip
    """Equally weighted draws from prior x likelihood, the prior uniform on the unit cube of ``dimensions``.

    A sequential Monte Carlo sampler (Del Moral, Doucet and Jasra 2006, JRSS B 68:411): particles start from the
    prior; at each stage the likelihood's power rises as far as keeps half the particles' weight (adaptive
    tempering), the particles are resampled, and each takes ``moves`` random-walk Metropolis steps at that power
    (step covariance from the particles, its size tuned towards a quarter of the steps accepted), until the
    power reaches 1. Importance sampling alone, with Gaussian proposals, kept an effective sample of about 60 of
    40,000 points in the 14 dimensions of the real problem; the moves keep the particles distinct."""
    size = max(population, draws)
    x = rng.random((size, dimensions))
    log_l = log_likelihood(x)
    beta, step, ess = 0.0, 2.38 / np.sqrt(dimensions), float(size)
    while beta < 1.0:
        new = _temper(log_l, np.zeros(size), beta, 0.5 * size, base=beta)
        log_w = (new - beta) * log_l
        weights = np.exp(log_w - log_w.max())
        ess = _effective_size(weights)
        chosen = _systematic(weights / weights.sum(), size, rng)
        x, log_l, beta = x[chosen], log_l[chosen], new
        cov = np.atleast_2d(np.cov(x.T)) + np.eye(dimensions) * 1e-9
        chol = np.linalg.cholesky(cov)
        for _ in range(moves):
            proposal = x + step * rng.standard_normal((size, dimensions)) @ chol.T
            inside = np.all((proposal >= 0) & (proposal <= 1), axis=1)
            log_l_new = np.full(size, -np.inf)
            if inside.any():
                log_l_new[inside] = log_likelihood(proposal[inside])
            accept = np.log(rng.random(size)) < beta * (log_l_new - log_l)
            x[accept], log_l[accept] = proposal[accept], log_l_new[accept]
            step *= np.exp(accept.mean() - 0.25)  # Robbins-Monro towards a quarter accepted
    keep = rng.permutation(size)[:draws]
    return PosteriorSample(draws=x[keep], log_density=log_l[keep], effective_sample_size=ess)


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


def central_draw(draws: np.ndarray) -> int:
    """The row of ``draws`` nearest the posterior mean in Mahalanobis distance: one coherent parameter set (a draw,
    so it lies where the trade-offs put the posterior's mass) from the middle of the posterior. The draw of highest
    emulated likelihood is not used: where the targets inform a parameter weakly its likelihood is nearly flat and
    the maximum sits wherever the emulators' noise lifts it (in the committed fit, 145 groups per 100,000 adults
    at the top of a 61-146 interval)."""
    centred = draws - draws.mean(axis=0)
    precision = np.linalg.pinv(np.atleast_2d(np.cov(draws, rowvar=False)))
    return int(np.argmin(np.einsum("ij,jk,ik->i", centred, precision, centred)))


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


POOL_WIDEN = 3.0  # the pool's Gaussian is this multiple of the posterior's covariance: a fold without one target is wider
POOL_DEFENSIVE = 0.3  # ... and this share of the pool comes from the prior


@dataclass
class Pool:
    """Importance-sampling points around a posterior with each observation's emulated mean and total variance
    kept, so that the posterior given any subset of the observations is a reweighting (no new predictions):
    what leaving one target out needs, once per target."""

    x: np.ndarray  # free coordinates on the unit cube
    log_q: np.ndarray  # the proposal's log density
    means: np.ndarray  # points x observations
    variances: np.ndarray
    values: np.ndarray  # each observation's published value

    def log_likelihood(self, columns: Sequence[int]) -> np.ndarray:
        columns = list(columns)
        m, v = self.means[:, columns], self.variances[:, columns]
        return -0.5 * np.sum((m - self.values[columns]) ** 2 / v + np.log(2 * np.pi * v), axis=1)

    def resample(self, columns: Sequence[int], draws: int, rng: np.random.Generator) -> tuple[np.ndarray, float]:
        """Indices of ``draws`` equally weighted pool points from the posterior given ``columns``, and the
        effective sample size of the weights."""
        log_w = self.log_likelihood(columns) - self.log_q
        weights = np.exp(log_w - log_w.max())
        return _systematic(weights / weights.sum(), draws, rng), _effective_size(weights)


def pool(likelihood: Likelihood, full: Callable[[np.ndarray], np.ndarray], around: np.ndarray, size: int,
         rng: np.random.Generator) -> Pool:  # fmt: skip
    """A pool of ``size`` points from a widened Gaussian fitted to the draws ``around``, mixed with the prior."""
    dimensions = around.shape[1]
    mean = around.mean(axis=0)
    cov = np.atleast_2d(np.cov(around.T)) * POOL_WIDEN + np.eye(dimensions) * 1e-6
    from_prior = rng.random(size) < POOL_DEFENSIVE
    x = np.where(from_prior[:, None], rng.random((size, dimensions)), rng.multivariate_normal(mean, cov, size))
    x = x[np.all((x >= 0) & (x <= 1), axis=1)]  # the prior is zero outside the cube
    log_q = np.logaddexp(np.log(POOL_DEFENSIVE), np.log(1 - POOL_DEFENSIVE) + _log_gaussian(x, mean, cov))
    means, variances = likelihood.terms(full(x))
    return Pool(x=x, log_q=log_q, means=means, variances=variances,
                values=np.array([o.value for o in likelihood.observations]))  # fmt: skip
