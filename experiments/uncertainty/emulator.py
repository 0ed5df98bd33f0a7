"""A Gaussian-process emulator of one model output over the unit cube of the fitted parameters.

A simulation costs seconds; a posterior needs its outputs at hundreds of thousands of parameter sets. The
emulator is a linear trend plus a Gaussian process on what the trend leaves (Kennedy and O'Hagan 2001, JRSS B
63:425; Vernon, Goldstein and Bower 2010, Bayesian Anal 5:619), fitted with scikit-learn: a Matern 5/2 kernel with
one length scale per parameter (a length scale at its upper bound says the output ignores that parameter), and a
white-noise term, the nugget, that absorbs the replicate-to-replicate noise of the simulation. The process runs
over the output's active parameters only (Vernon, Goldstein and Bower 2010): the few with the largest effects in a
quadratic regression; the others act through the linear trend, and what they leave joins the nugget (so the
emulator is, if anything, less sure of itself). Fitting and predicting over a handful of inputs instead of 14 is
what makes the emulators affordable on two shared cores. The emulator then says, at any point, the mean output (the noise filtered out), the variance of that mean (the emulator's own
uncertainty, large away from the runs) and the replicate variance (the nugget).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel
from threadpoolctl import threadpool_limits

# Bounds on the hyperparameters, on standardized outputs over the unit cube. The longest length scale (10 times
# the range) is a flat direction; the shortest (a twentieth of the range) is finer than a few hundred runs in
# 14 dimensions can resolve. The nugget may be anything from negligible to all of the variance. The optimiser
# stopping at a bound is then a statement about the output (a flat direction, no noise), not a failure: its
# ConvergenceWarning is expected and filtered where the fit happens.
LENGTH_SCALE_BOUNDS = (0.05, 10.0)
SIGNAL_BOUNDS = (1e-3, 1e2)
NUGGET_BOUNDS = (1e-8, 1.0)
MAX_ACTIVE = 6  # parameters the Gaussian process runs over, at most
ACTIVE_SHARE = 0.01  # ... each explaining at least this share of the quadratic regression's explained variance
RESTARTS = 1  # restarts of the hyperparameter optimiser from a random start: one local optimum is often poor
# Linear algebra on one thread: the matrices are a few hundred rows, and BLAS threads fighting the simulations'
# worker processes for two cores made a fit 25 times slower (measured: 298 s against 12 s)
THREADS = 1


@dataclass
class Emulator:
    """One output's emulator. Inputs are points on the unit cube; outputs are in the model's own units."""

    gp: GaussianProcessRegressor
    active: np.ndarray  # the inputs the Gaussian process runs over (indices)
    trend: np.ndarray  # intercept and one slope per input, on standardized outputs
    centre: float
    scale: float
    inputs: np.ndarray  # the training points, all inputs

    def _design_matrix(self, x: np.ndarray) -> np.ndarray:
        return np.column_stack([np.ones(len(x)), x])

    def predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean output at ``x`` (n x d) and the emulator's variance of that mean (the nugget excluded)."""
        x = np.atleast_2d(np.asarray(x, dtype=float))
        with threadpool_limits(THREADS):
            mean, sd = self.gp.predict(x[:, self.active], return_std=True)
        # sklearn's predictive sd includes the white-noise term; the emulator's own uncertainty does not
        variance = np.maximum(sd**2 - self.nugget_standardized, 0.0)
        mean = self._design_matrix(x) @ self.trend + mean
        return self.centre + self.scale * mean, variance * self.scale**2

    @property
    def nugget_standardized(self) -> float:
        return float(self.gp.kernel_.k2.noise_level)

    @property
    def replicate_variance(self) -> float:
        """The variance of one simulation about the emulated mean: the fitted nugget, in the output's units."""
        return self.nugget_standardized * self.scale**2

    @property
    def length_scales(self) -> np.ndarray:
        """Per input: the fitted length scale, infinite for an input outside the active set."""
        scales = np.full(len(self.trend) - 1, np.inf)
        scales[self.active] = np.atleast_1d(self.gp.kernel_.k1.k2.length_scale)
        return scales

    def leave_one_out(self) -> tuple[np.ndarray, np.ndarray]:
        """Leave-one-run-out predictions of the training runs (mean, variance including the nugget), in closed
        form for the fitted hyperparameters (Rasmussen and Williams 2006, section 5.4.2). The trend is kept."""
        gp = self.gp
        k = gp.kernel_(gp.X_train_)
        inverse = np.linalg.inv(k + np.eye(len(k)) * gp.alpha)
        y = gp.y_train_  # the residual from the trend, standardized (normalize_y is off)
        alpha = inverse @ y
        diagonal = np.diag(inverse)
        residual = alpha / diagonal
        variance = 1.0 / diagonal
        observed = self._design_matrix(self.inputs) @ self.trend + y
        mean = observed - residual
        return self.centre + self.scale * mean, variance * self.scale**2

    def loo_summary(self) -> dict[str, float]:
        """How well the emulator predicts runs it was not given: R^2 over the runs, and the root mean square of
        the standardized errors (about 1 when its stated uncertainty is honest)."""
        observed = self.centre + self.scale * (self._design_matrix(self.inputs) @ self.trend + self.gp.y_train_)
        mean, variance = self.leave_one_out()
        error = observed - mean
        spread = float(np.sum((observed - observed.mean()) ** 2))
        return {
            "loo_r2": 1.0 - float(np.sum(error**2)) / spread if spread > 0 else float("nan"),
            "loo_rms_standardized_error": float(np.sqrt(np.mean(error**2 / variance))),
        }


def fit(x: np.ndarray, y: np.ndarray, seed: int = 0) -> Emulator:
    """Fit an emulator to runs at unit-cube points ``x`` (n x d) with outputs ``y`` (n; replicates as repeated
    rows). Runs whose output is not a number (a rate with no denominator) are left out."""
    x = np.atleast_2d(np.asarray(x, dtype=float))
    y = np.asarray(y, dtype=float)
    keep = np.isfinite(y)
    x, y = x[keep], y[keep]
    if len(y) < x.shape[1] + 2:
        raise ValueError(f"an emulator needs at least {x.shape[1] + 2} runs with a value, got {len(y)}")
    centre = float(np.mean(y))
    scale = float(np.std(y)) or 1.0
    z = (y - centre) / scale
    design = np.column_stack([np.ones(len(x)), x])
    trend, *_ = np.linalg.lstsq(design, z, rcond=None)
    residual = z - design @ trend
    active = active_inputs(x, z)
    kernel = (ConstantKernel(0.5, SIGNAL_BOUNDS) * Matern(np.full(len(active), 0.5), LENGTH_SCALE_BOUNDS, nu=2.5)
              + WhiteKernel(0.1, NUGGET_BOUNDS))  # fmt: skip
    gp = GaussianProcessRegressor(kernel, alpha=1e-8, normalize_y=False, n_restarts_optimizer=RESTARTS,
                                  random_state=seed)  # fmt: skip
    with warnings.catch_warnings(), threadpool_limits(THREADS):
        warnings.filterwarnings("ignore", category=ConvergenceWarning)  # a hyperparameter at a bound: see above
        gp.fit(x[:, active], residual)
    return Emulator(gp=gp, active=active, trend=trend, centre=centre, scale=scale, inputs=x)


def active_inputs(x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """The inputs with the largest effects on ``z``: a regression on each input and its square, each input's
    share the variance of its two terms; the largest ``MAX_ACTIVE`` above ``ACTIVE_SHARE`` of the total (at
    least one)."""
    d = x.shape[1]
    features = np.column_stack([np.ones(len(x)), x, x**2])
    coefficients, *_ = np.linalg.lstsq(features, z, rcond=None)
    effects = np.array([np.var(coefficients[1 + i] * x[:, i] + coefficients[1 + d + i] * x[:, i] ** 2)
                        for i in range(d)])  # fmt: skip
    order = np.argsort(-effects)[:MAX_ACTIVE]
    keep = order[effects[order] >= ACTIVE_SHARE * effects.sum()]
    return np.sort(keep if len(keep) else order[:1])
