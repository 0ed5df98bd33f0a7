"""Means and their intervals across replicates: a t-interval, a percentile bootstrap for shares (which cannot leave
[0, 1]), the ratio of two paired differences, and an interval in words. ``statistics`` and the commands' own
summaries use them; one replicate measures no spread, so it gives a mean and no interval, never a zero-width one."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

BOOTSTRAP_RESAMPLES = 2000


def _trivial(x: np.ndarray) -> tuple[float, float, float] | None:
    """The answer for a sample (NaNs dropped) too small to have an interval: none (nothing), a mean alone (one)."""
    if len(x) == 0:
        return (math.nan, math.nan, math.nan)
    if len(x) == 1:  # one replicate measures no spread: no interval, not a zero-width one
        return (float(x[0]), math.nan, math.nan)
    return None


def mean_ci(values, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and t-interval across replicates (NaNs dropped)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if (answer := _trivial(x)) is not None:
        return answer
    m = float(x.mean())
    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return (m, m - half, m + half)


def bootstrap_mean_ci(values, level: float = 0.95, seed: int = 0) -> tuple[float, float, float]:
    """Mean and percentile-bootstrap interval across replicates (NaNs dropped; a fixed seed, so the same
    data give the same interval). Every resampled mean lies between the smallest and largest value, so the
    interval of a share stays in [0, 1] (and of a difference of shares in [-1, 1]), where a t-interval
    around a share near 0 or 1 spills over."""
    return bootstrap_mean_cis([values], level, seed)[0]


def _resample_means(resamples: np.ndarray, axis: int) -> np.ndarray:
    """The mean of every resample of every sample (samples x resamples x replicates), a sample at a time:
    numpy sums a many-sample block in another order, which moves the last bit of some means (and of an
    interval's ends) from what one sample's own bootstrap gives."""
    return np.stack([np.mean(sample, axis=axis) for sample in resamples])


def bootstrap_mean_cis(samples, level: float = 0.95, seed: int = 0) -> list[tuple[float, float, float]]:
    """``bootstrap_mean_ci`` of each sample, the same numbers: samples of one length are resampled in one
    call to scipy (each call draws its resamples' indices from the same fixed seed, so one call for many
    samples resamples each of them as its own call would), which takes a millisecond a call, whatever its size."""
    out: list[tuple[float, float, float]] = []
    by_length: dict[int, list[tuple[int, np.ndarray]]] = {}
    for index, values in enumerate(samples):
        x = np.asarray(values, dtype=float)
        x = x[~np.isnan(x)]
        if (answer := _trivial(x)) is not None:
            out.append(answer)
            continue
        m = float(x.mean())
        if np.ptp(x) == 0:  # replicates that agree exactly: every resample has their mean
            out.append((m, m, m))
        else:
            out.append((m, math.nan, math.nan))  # its interval is filled in below
            by_length.setdefault(len(x), []).append((index, x))
    for group in by_length.values():
        res = stats.bootstrap((np.stack([x for _, x in group]),), _resample_means, axis=-1,
                              n_resamples=BOOTSTRAP_RESAMPLES, confidence_level=level, method="percentile",
                              rng=np.random.default_rng(seed))  # fmt: skip
        low, high = np.atleast_1d(res.confidence_interval.low), np.atleast_1d(res.confidence_interval.high)
        for k, (index, _) in enumerate(group):
            out[index] = (out[index][0], float(low[k]), float(high[k]))
    return out


def span(low: float, high: float, show=str) -> str:
    """An interval in words, "low to high" with each end written by ``show``; "no interval" when there is none
    (one replicate measures no spread: ``mean_ci`` gives NaN ends, never a zero-width interval)."""
    if math.isnan(low) or math.isnan(high):
        return "no interval"
    return f"{show(low)} to {show(high)}"


def ci_words(low: float, high: float, show=str) -> str:
    """"95% CI low to high" in a sentence, or "no interval from one replicate"."""
    bounds = span(low, high, show)
    return f"95% CI {bounds}" if bounds != "no interval" else "no interval from one replicate"


def interval(values, share: bool, level: float = 0.95) -> tuple[float, float, float]:
    """Mean with the interval that respects what is possible: a bootstrap for shares, else a t-interval."""
    return intervals([values], [share], level)[0]


def intervals(samples, shares: list[bool], level: float = 0.95) -> list[tuple[float, float, float]]:
    """``interval`` of each sample, ``shares`` saying which are shares (their bootstraps in few calls to scipy:
    see ``bootstrap_mean_cis``)."""
    out = [mean_ci(values, level) if not share else None for values, share in zip(samples, shares, strict=True)]
    shared = [index for index, share in enumerate(shares) if share]
    for index, ci in zip(shared, bootstrap_mean_cis([samples[index] for index in shared], level), strict=True):
        out[index] = ci
    return out


def incremental_cost_effectiveness(cost_diff, points_diff, level: float = 0.95) -> tuple[float, float, float]:
    """Extra cost per extra SWEMWBS point: the ratio of the mean paired differences, with a percentile
    bootstrap interval over replicates (fixed seed, so the same data give the same interval). NaN when
    the scenario gains no points over the reference on average."""
    cost = np.asarray(cost_diff, dtype=float)
    points = np.asarray(points_diff, dtype=float)
    if len(points) == 0 or points.mean() <= 0:
        return (math.nan, math.nan, math.nan)
    ratio = cost.mean() / points.mean()
    if len(points) < 2:
        return (ratio, math.nan, math.nan)
    rng = np.random.default_rng(0)
    idx = rng.integers(0, len(points), size=(BOOTSTRAP_RESAMPLES, len(points)))
    c, p = cost[idx].mean(axis=1), points[idx].mean(axis=1)
    ratios = np.where(p > 0, c / np.where(p > 0, p, 1.0), np.inf)  # no gain: infinitely costly
    # no interpolation: an upper end of +inf (some resamples gain nothing) stays +inf, not NaN
    lo, hi = np.quantile(ratios, [0.5 - level / 2, 0.5 + level / 2], method="inverted_cdf")
    return (float(ratio), float(lo), float(hi))
