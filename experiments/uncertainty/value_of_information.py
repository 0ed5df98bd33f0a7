"""Value of information that does not count chance as parameter uncertainty: regression-based (non-parametric)
EVPI and EVPPI (Strong, Oakley and Brennan 2014, Med Decis Making 34:311; the method of the R package voi and
of SAVI).

A PSA draw's net benefits mix two kinds of spread: the parameters' (what research could resolve) and chance
(the simulated people's luck, which no research removes). The Monte Carlo estimator, mean over draws of the best
net benefit minus the best mean net benefit, counts both, so with one or two replicates per draw it overstates
what perfect information is worth. Regressing each option's incremental net benefit (against the reference) on
the parameters of interest estimates its conditional expectation given them: the fitted values keep what the
parameters explain and average the rest away, chance included. EVPPI for a group of parameters is then the
same formula on the fitted values; "total" EVPI is the EVPPI of every drawn parameter.

The regressions (chosen on synthetic PSAs with a known answer: docs/methods.md, "Value of information"):
- **A group of up to five parameters**: a Gaussian process with one length scale per parameter (ARD RBF) plus
  a noise term (scikit-learn; what SAVI and voi use beyond one parameter). Its hyperparameters are fitted by
  marginal likelihood on at most ``HYPERPARAMETER_DRAWS`` draws, then conditioned on all of them (the fit's
  cost grows with the cube of the draws; against fitting on all 1,000 the EVPI moved by under 4% of the truth),
  from a smooth start (long length scales, mostly noise), with length scales of at least
  ``LENGTH_SCALE_FLOOR`` standard deviations: shorter ones let the optimiser fit chance for an option the
  parameters do not move (a known EVPPI of 6.3 came out 11.3 with 400 draws; 6.6 with the floor).
- **Every parameter** (about 136): a Gaussian process on all of them cannot be fitted from a few hundred draws
  of that many dimensions, so the parameters that matter are chosen first (gradient boosting's impurity
  importance over every option and value of a QALY, ``SCREENED`` at most, fewer with few draws) and the same
  Gaussian process is fitted on those. With 1,000 draws this recovered 93-99% of the true conditional
  expectation's variance, against 77-92% for cross-fitted (out-of-fold) gradient boosting and 60-86% for
  cross-fitted ridge regression on every parameter, and its EVPI was within 10% of the truth where the Monte
  Carlo figure was 15-100% above it.
The checks. Each fit's **leave-one-out R²**: the share of an option's net benefit variance the regression
predicts for a draw it did not see (closed form for a Gaussian process), pooled over the options. An option
whose R² is not above zero shows no pattern in these parameters: its fitted values become its mean (a
regression that predicts worse than the mean would put its own errors into the value). Chance caps R²: with
several replicates per draw their spread says how much of the variance is chance (``chance_share``), and R²
near 1 - chance_share means the regression found what there is to find. A fit that explains far more of the
draws it was fitted to than of the others (``OPTIMISM``) follows chance. The all-parameter fit is too weak to
trust when its R² is below ``TRUSTED_R2`` or below a group's (the conditional expectation on every parameter
explains at least what it does on some of them), and no figure is trusted from fewer than ``MIN_DRAWS`` draws.
The standard error comes from drawing each fitted function from its posterior (Strong et al. 2014); it does
not include the hyperparameters' own uncertainty.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.linalg import solve_triangular
from threadpoolctl import threadpool_limits

HYPERPARAMETER_DRAWS = 400  # draws the Gaussian process's hyperparameters are fitted on (all draws condition it)
SCREENED = 10  # parameters the all-parameter regression keeps at most
DRAWS_PER_SCREENED = 20  # and one per this many draws: a Gaussian process of 10 dimensions needs a few hundred
MIN_DRAWS = 200  # with 100, the regressions overstated known EVPPIs by up to 40% (docs/methods.md)
OPTIMISM = 0.25  # a fit that explains this much more of the draws it saw than of the others follows chance
TRUSTED_R2 = 0.5  # below this the all-parameter fit leaves half of the spread unexplained: not a total EVPI
LENGTH_SCALE_FLOOR = 0.5  # standard deviations of a parameter (about a seventh of a uniform range)
SEED = 2026  # the regressions' own randomness (subsample, boosting's rows): fixed, so a re-analysis is identical


@dataclass(frozen=True)
class ResearchGroup:
    """Parameters that one piece of research would measure together."""

    name: str
    research: str  # what the research would find out, in a commissioner's words
    parameters: tuple[str, ...]


# What a commissioner could find out locally (effect size and the QALYs of a point need national research). Only
# uncertain parameters: the decisions (support_weeks, public_awareness: runs.uncertain_parameters.NOT_UNCERTAIN)
# are set, not researched.
RESEARCH_GROUPS = (
    ResearchGroup("referral_volume", "how many people are referred, by whom, how many decline, and how referrals "
                  "follow the number of link workers",
                  ("referral_rate_per_1000", "self_referral_share", "referral_decline_prob",
                   "cmht_referral_share_smi", "referral_supply_elasticity")),
    ResearchGroup("group_capacity", "how many community groups there are, their places, and how they open and survive",
                  ("groups_per_100k", "group_places_mean", "new_groups_per_100k_year", "group_margin_mean",
                   "group_reserve_months_mean")),
    ResearchGroup("link_worker_throughput", "how many people a link worker sees, and how long posts stay filled",
                  ("lw_new_people_per_year", "lw_quit_rate_per_year", "lw_vacancy_weeks", "maintenance_load")),
    ResearchGroup("take_up_and_attendance", "how many referred people take up an activity and keep going",
                  ("uptake_prob", "attend_prob", "dropout_hazard")),
    ResearchGroup("effect_size_and_persistence", "how much wellbeing improves, and how long the gain lasts",
                  ("swemwbs_gain_max", "gain_retained_share", "gain_fade_half_life_weeks", "link_worker_support_gain")),
    # (five at most; the GP consultation's cost gave way to the link worker's full economic cost, issue 26: with
    # the health-adjusted loneliness ratios GP savings are small)
    ResearchGroup("unit_costs", "what link workers (cash and full economic cost), grants, the peer programme and "
                  "mental health team contacts cost",
                  ("lw_cost_per_fte_year_gbp", "lw_economic_cost_per_fte_year_gbp", "grant_cost_per_place_year_gbp",
                   "peer_programme_cost_per_100k_year_gbp", "cmht_contact_cost_gbp")),
    ResearchGroup("qalys_per_wellbeing_point", "how many QALYs a point of SWEMWBS is worth (national research)",
                  ("utility_per_swemwbs_point",)),
)  # fmt: skip


@dataclass(frozen=True)
class Estimate:
    """One value of information: its amount and standard error, the regression's check, and what to know."""

    value_gbp: float
    se_gbp: float  # from the regression's own uncertainty (draws from its posterior, as Strong et al. 2014)
    r2: float  # pooled leave-one-out R² over the options (nan: nothing to explain)
    r2_fitted: float  # the same on the draws the regression was fitted to: far above r2, it follows chance
    parameters: tuple[str, ...]  # the parameters regressed on
    notes: tuple[str, ...] = field(default=())

    @property
    def follows_chance(self) -> bool:
        return self.r2_fitted - self.r2 > OPTIMISM


def value_of_information(benefit: np.ndarray) -> float:
    """E[max_d NB_d] - max_d E[NB_d] over the rows (draws) of ``benefit`` (draws x options; a third axis: one
    value per slice). On the draws' own net benefits this is the Monte Carlo EVPI (chance included: an upper
    bound); on fitted conditional expectations it is the regression EVPPI. Never below 0 (Jensen), so a
    rounding error's -1e-10 is 0."""
    nb = np.asarray(benefit, dtype=float)
    value = nb.max(axis=1).mean(axis=0) - nb.mean(axis=0).max(axis=0)
    return np.maximum(value, 0.0) if nb.ndim == 3 else max(float(value), 0.0)


def with_reference(incremental: np.ndarray) -> np.ndarray:
    """Draws x options with the reference (incremental net benefit 0 by definition) as the first column."""
    return np.column_stack([np.zeros(len(incremental)), incremental])


def evppi(draws: pd.DataFrame, incremental: np.ndarray, parameters: Sequence[str],
          options: Sequence[str] | None = None) -> Estimate:  # fmt: skip
    """The expected value of partial perfect information on ``parameters`` (columns of ``draws``, one row per
    draw): ``incremental`` is draws x non-reference options, each option's net benefit minus the reference's
    (``options``: their names, for the notes)."""
    x = draws[list(parameters)].to_numpy(dtype=float)
    # one thread: the matrices are small (draws x draws), and a BLAS thread per core fighting the test workers or
    # a run's process pool made a 0.5 s fit take 25 s on two busy cores
    with threadpool_limits(limits=1):
        fit = conditional_expectation(x, incremental, options)
    reference = np.zeros((len(x), 1, fit.samples.shape[2]))
    spread = value_of_information(np.concatenate([reference, fit.samples], axis=1))
    value = round(value_of_information(with_reference(fit.fitted)), 2)  # to the penny: 2e-10 GBP is 0
    return Estimate(value, round(float(np.std(spread, ddof=1)), 2), fit.r2, fit.r2_fitted, tuple(parameters),
                    fit.notes)  # fmt: skip


def total_evpi(draws: pd.DataFrame, incremental: dict[float, np.ndarray],
               options: Sequence[str] | None = None) -> dict[float, Estimate]:  # fmt: skip
    """The EVPI with chance removed, at each value of a QALY (``incremental``: value -> draws x options): the
    EVPPI of the parameters that matter, screened once for every value so each figure uses the same ones."""
    with threadpool_limits(limits=1):
        chosen = screen(draws, list(incremental.values()))
    return {value: evppi(draws, inb, chosen, options) for value, inb in incremental.items()}


def screen(draws: pd.DataFrame, targets: list[np.ndarray]) -> list[str]:
    """The parameters that most explain the targets' spread (each a draws x options array): gradient boosting's
    impurity importance for every column of every target, weighted by that column's variance and summed; at
    most ``SCREENED``, and one per ``DRAWS_PER_SCREENED`` draws."""
    from sklearn.ensemble import GradientBoostingRegressor

    keep = min(SCREENED, max(1, len(draws) // DRAWS_PER_SCREENED))
    varied = [c for c in draws.columns if draws[c].nunique() > 1]
    x = draws[varied].to_numpy(dtype=float)
    importance = np.zeros(len(varied))
    for target in targets:
        for y in np.asarray(target, dtype=float).T:
            if np.var(y) == 0:
                continue
            # shallow trees on half the draws each (stochastic boosting): importance spread by chance stays small
            model = GradientBoostingRegressor(n_estimators=100, learning_rate=0.1, max_depth=3, subsample=0.5,
                                              random_state=SEED).fit(x, y)  # fmt: skip
            importance += model.feature_importances_ * np.var(y)
    order = np.argsort(-importance, kind="stable")
    return [varied[i] for i in order[:keep] if importance[i] > 0] or varied[:1]


@dataclass(frozen=True)
class Fit:
    """Each option's fitted E[incremental net benefit | parameters] at the draws, and how sure it is."""

    fitted: np.ndarray  # draws x options
    samples: np.ndarray  # draws x options x POSTERIOR_SAMPLES: the fit as the regression's posterior allows
    r2: float  # pooled over the options, leave-one-out
    r2_fitted: float  # pooled over the options, on the draws fitted
    notes: tuple[str, ...]


POSTERIOR_SAMPLES = 200  # draws of each fitted function, for the standard error


def conditional_expectation(x: np.ndarray, incremental: np.ndarray, options: Sequence[str] | None = None) -> Fit:
    """Each option's E[incremental net benefit | x] at the draws, its posterior samples, the pooled
    leave-one-out R², and notes."""
    y = np.asarray(incremental, dtype=float)
    options = list(options) if options is not None else [f"option {j + 1}" for j in range(y.shape[1])]
    fitted = np.empty_like(y)
    samples = np.empty((*y.shape, POSTERIOR_SAMPLES))
    unexplained, in_sample, total, notes = 0.0, 0.0, 0.0, []
    for j in range(y.shape[1]):
        fitted[:, j], samples[:, j, :], residuals, note = _gaussian_process(x, y[:, j])
        total += float(((y[:, j] - y[:, j].mean()) ** 2).sum())
        unexplained += float((residuals**2).sum())
        in_sample += float(((y[:, j] - fitted[:, j]) ** 2).sum())
        notes += [f"{options[j]}: {n}" for n in note]
    if total == 0:
        return Fit(fitted, samples, float("nan"), float("nan"), tuple(notes))
    return Fit(fitted, samples, 1 - unexplained / total, 1 - in_sample / total, tuple(notes))


# scikit-learn says so when a hyperparameter ends at a bound. A length scale at its upper bound (1,000 standard
# deviations) is a parameter the fit found flat, and noise at its lower bound a fit without chance: answers, not
# failures (the leave-one-out check catches a fit that follows chance).
AT_BOUND = re.compile(r"The optimal value found for dimension \d+ of parameter \S+ is close to the specified")


def _gaussian_process(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """(fitted values, posterior samples of them, leave-one-out residuals, notes) of a Gaussian process of
    ``y`` on ``x``, at the draws."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

    def constant(value: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return np.full_like(y, value), np.full((len(y), POSTERIOR_SAMPLES), value), y - value

    spread = x.std(axis=0)
    varied = spread > 0
    if np.var(y) == 0 or not varied.any():  # nothing to explain, or nothing to explain it with
        return *constant(y.mean()), []
    z = (x[:, varied] - x[:, varied].mean(axis=0)) / spread[varied]
    centre, scale = y.mean(), y.std()
    target = (y - centre) / scale  # standardised, so the kernel's bounds mean the same for every option
    kernel = (ConstantKernel(1.0, (1e-3, 1e3)) * RBF(np.full(z.shape[1], 3.0), (LENGTH_SCALE_FLOOR, 1e3))
              + WhiteKernel(0.8, (1e-6, 10.0)))  # fmt: skip
    rows = np.random.default_rng(SEED).permutation(len(y))[:HYPERPARAMETER_DRAWS]
    notes = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        tuned = GaussianProcessRegressor(kernel, random_state=SEED).fit(z[rows], target[rows])
    for w in caught:
        if not issubclass(w.category, ConvergenceWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        elif not AT_BOUND.search(str(w.message)):
            notes.append("the Gaussian process's optimiser stopped before converging")
    model = GaussianProcessRegressor(tuned.kernel_, optimizer=None).fit(z, target)
    inverse_factor = solve_triangular(model.L_, np.eye(len(y)), lower=True)  # L^-1, K + noise = L L'
    # leave-one-out residuals in closed form (Rasmussen and Williams 2006, eq. 5.12): alpha_i / [K^-1]_ii
    residuals = model.alpha_ / (inverse_factor**2).sum(axis=0) * scale
    if (residuals**2).sum() >= ((y - centre) ** 2).sum():
        return *constant(centre), notes  # no pattern it can predict: its mean
    signal = model.kernel_.k1(z)  # the smooth part's covariance, without the noise term
    mean = signal @ model.alpha_
    # the function's posterior at the draws, K - K (K + noise)^-1 K: not scikit-learn's return_cov, which adds
    # the noise (the spread of a new run, not of the conditional expectation)
    reduced = inverse_factor @ signal
    values, vectors = np.linalg.eigh(signal - reduced.T @ reduced)
    normal = np.random.default_rng(SEED).standard_normal((len(y), POSTERIOR_SAMPLES))
    draws = mean[:, None] + vectors @ (np.sqrt(np.clip(values, 0, None))[:, None] * normal)
    return centre + scale * mean, centre + scale * draws, residuals, notes


def chance_share(per_replicate: pd.DataFrame) -> float:
    """The share of the draw means' variance that is chance, pooled over the options, from replicates of one
    draw (``per_replicate``: columns point, replicate, and one column per option; nan with one replicate)."""
    options = [c for c in per_replicate.columns if c not in ("point", "replicate")]
    replicates = per_replicate.groupby("point")["replicate"].nunique()
    if replicates.min() < 2:
        return float("nan")
    by_draw = per_replicate.groupby("point")[options]
    within = (by_draw.var(ddof=1).div(replicates, axis=0)).mean()  # chance variance of each draw's mean
    between = by_draw.mean().var(ddof=1)
    return float(within.sum() / between.sum()) if between.sum() > 0 else float("nan")
