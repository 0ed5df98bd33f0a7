"""Emulator-based calibration (`spsim calibrate`, issue 27) on toy simulators whose answer is known: the emulator
learns a noisy function and its noise, the posterior recovers the parameters that made the targets, a parameter
no target reads is found not identifiable, a trade-off between two parameters shows as a correlation, and
leaving a target out still predicts it."""

from __future__ import annotations

import numpy as np
import pytest

from spsim.experiments.uncertainty import cross_validation, emulator, posterior
from spsim.experiments.uncertainty.posterior import Likelihood, Observation

NOISE = 0.02  # the toy simulator's replicate sd


def toy(theta: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Three outputs of three parameters on the unit cube; the third parameter changes nothing."""
    a, b = theta[:, 0], theta[:, 1]
    noise = rng.normal(0, NOISE, (3, len(theta)))
    return {"sum": a + 0.5 * b + noise[0], "square": a**2 + noise[1], "b": b + noise[2]}


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(1)
    from spsim.experiments.uncertainty.calibration_design import latin_hypercube

    x = latin_hypercube(3, 80, seed=3)
    runs = toy(x, rng)
    return {name: emulator.fit(x, y, seed=0) for name, y in runs.items()}


TRUTH = np.array([[0.3, 0.6, 0.5]])


def observations(sd: float = 0.02) -> list[Observation]:
    exact = toy(TRUTH, np.random.default_rng(0))
    return [Observation(name, name, float(exact[name][0]), sd) for name in ("sum", "square", "b")]


def test_the_emulator_learns_the_function_and_its_replicate_noise(fitted):
    x = np.random.default_rng(5).random((200, 3))
    mean, variance = fitted["sum"].predict(x)
    assert np.sqrt(np.mean((mean - (x[:, 0] + 0.5 * x[:, 1])) ** 2)) < 0.01
    assert np.all(variance >= 0) and np.sqrt(variance.mean()) < NOISE  # surer than one run
    assert fitted["sum"].replicate_variance == pytest.approx(NOISE**2, rel=0.5)
    summary = fitted["sum"].loo_summary()
    assert summary["loo_r2"] > 0.99 and 0.7 < summary["loo_rms_standardized_error"] < 1.4
    # the parameter no output reads is left out of the process (or flat in it) in every emulator
    assert all(e.length_scales[2] > 2 for e in fitted.values())
    assert list(fitted["sum"].active) == [0, 1]


def test_the_posterior_recovers_the_parameters_and_finds_the_one_no_target_reads(fitted):
    likelihood = Likelihood(fitted, observations())
    rng = np.random.default_rng(2)
    result = posterior.sample(likelihood.log_likelihood, 3, 2000, rng, population=5000)
    assert result.draws.shape == (2000, 3) and result.effective_sample_size > 500
    summary = posterior.identifiability(result.draws)
    assert summary["mean"][:2] == pytest.approx([0.3, 0.6], abs=0.05)
    assert list(summary["identified"]) == [True, True, False]
    assert summary["sd_ratio"][2] > 0.9
    assert list(summary["edge"]) == ["", "", ""]


def test_a_parameter_pushed_to_its_bound_is_at_the_edge_and_a_trade_off_is_a_correlation(fitted):
    # only the sum is observed: a and b trade off along a + b/2 = 0.6; b's own target asks for b near 1
    rng = np.random.default_rng(4)
    only_sum = Likelihood(fitted, [Observation("sum", "sum", 0.6, 0.02)])
    draws = posterior.sample(only_sum.log_likelihood, 3, 2000, rng, population=5000).draws
    pairs = posterior.trade_offs(draws, ["a", "b", "c"])
    assert pairs and pairs[0][:2] == ("a", "b") and pairs[0][2] < -0.5
    at_top = Likelihood(fitted, [Observation("b", "b", 1.0, 0.02)])
    summary = posterior.identifiability(posterior.sample(at_top.log_likelihood, 3, 1000, rng, population=5000).draws)
    assert summary["edge"][1] == "high"


def test_leaving_a_target_out_still_predicts_it(fitted):
    obs = observations()
    targets = {o.name: cross_validation.Target(o.name, o.quantity, o.value, (o.value - 0.05, o.value + 0.05))
               for o in obs}  # fmt: skip
    rng = np.random.default_rng(6)
    rows = cross_validation.leave_one_target_out(fitted, obs, targets, lambda x: x, 3, 1000, rng, population=5000)
    assert [r["target"] for r in rows] == ["sum", "square", "b"]
    assert all(r["predicted_low"] < r["published"] < r["predicted_high"] for r in rows)
    assert rows[0]["in_band"] == rows[1]["in_band"] == "yes"
    # without its own target, b is known only through the sum and the square (b = 2 (sum - a)): the noise of
    # both is doubled, and its interval is wider than its band
    assert rows[2]["predicted_high"] - rows[2]["predicted_low"] > 0.1
    wrong = cross_validation.Target("sum", "sum", 1.2, (1.1, 1.3))
    (miss,) = cross_validation.predict_from_posterior(fitted, [wrong], np.tile(TRUTH, (500, 1)), "holdout", rng)
    assert miss["in_band"] == "no" and miss["predicted_mean"] == pytest.approx(0.6, abs=0.02)


def test_fixed_coordinates_stay_where_they_are_put():
    full = posterior.embed([0, 2], {1: 0.25}, 3)
    assert full(np.array([[0.1, 0.9]])).tolist() == [[0.1, 0.25, 0.9]]


def test_a_band_is_read_as_a_central_95_percent_interval():
    assert posterior.observation_sd([-0.5, 1.0]) == pytest.approx(1.5 / 3.92)


def test_leaving_a_target_out_by_reweighting_one_pool_agrees_with_refitting(fitted):
    obs = observations()
    targets = {o.name: cross_validation.Target(o.name, o.quantity, o.value, (o.value - 0.05, o.value + 0.05))
               for o in obs}  # fmt: skip
    rng = np.random.default_rng(7)
    likelihood = Likelihood(fitted, obs)
    around = posterior.sample(likelihood.log_likelihood, 3, 1000, rng, population=4000).draws
    pool = posterior.pool(likelihood, lambda x: x, around, 20_000, rng)
    by_pool = cross_validation.leave_one_target_out_by_reweighting(pool, fitted, obs, targets, lambda x: x, 1000, rng)
    refit = cross_validation.leave_one_target_out(fitted, obs, targets, lambda x: x, 3, 1000, rng, population=4000)
    for a, b in zip(by_pool, refit, strict=True):
        assert a["predicted_mean"] == pytest.approx(b["predicted_mean"], abs=0.03)
        assert a["effective_sample_size"] > 300


@pytest.mark.slow
def test_spsim_calibrate_writes_its_outputs_and_the_central_draw_the_model_then_uses(tmp_path, monkeypatch):
    from spsim.experiments.uncertainty import bayesian_calibration
    from spsim.model import parameters
    from tests.test_uncertainty import TINY

    target, draws_file = tmp_path / "calibrated.toml", tmp_path / "calibration_posterior.csv"
    monkeypatch.setattr(parameters, "CALIBRATED_FILE", target)
    monkeypatch.setattr(bayesian_calibration, "CALIBRATED_FILE", target)
    monkeypatch.setattr(bayesian_calibration, "POSTERIOR_FILE", draws_file)
    monkeypatch.setattr(bayesian_calibration, "fit_parameters", lambda: ["uptake_prob", "assessment_weeks"])
    monkeypatch.setattr(bayesian_calibration, "POPULATION", 1_000)
    monkeypatch.setattr(bayesian_calibration, "POOL", 2_000)
    out = tmp_path / "out"
    parameters.registry.cache_clear()
    try:
        bayesian_calibration.run(6, 1, out=out, draws=1000, write=True, **TINY)
        import pandas as pd

        draws = pd.read_csv(out / "posterior_draws.csv")
        assert len(draws) == 1000 and pd.read_csv(draws_file).equals(draws)
        assert set(draws.columns) <= {"uptake_prob", "assessment_weeks"}
        diagnostics = pd.read_csv(out / "diagnostics.csv")
        assert set(diagnostics[diagnostics["kind"] == "parameter"]["name"]) == {"uptake_prob", "assessment_weeks"}
        cv = pd.read_csv(out / "cross_validation.csv")
        assert {"target", "band_low", "band_high", "predicted_mean", "predicted_low", "predicted_high", "in_band"} <= set(cv)
        assert set(cv["in_band"]) <= {"yes", "no"} and "leave-one-target-out" in set(cv["how"])
        assert (out / "design.csv").is_file() and "targets predicted out of sample" in (out / "calibration.md").read_text()
        for name in draws.columns:  # the central values are one draw, with their provenance
            fitted = parameters.registry()[name]
            assert fitted.calibration.startswith("posterior draw nearest the posterior mean")
        central = [parameters.registry()[n].value for n in draws.columns]
        assert (draws.round(4) == [round(v, 4) for v in central]).all(axis=1).any()
    finally:
        parameters.registry.cache_clear()


def test_central_draw_is_the_draw_nearest_the_mean_along_the_trade_off():
    """The calibrated values are the draw nearest the posterior mean counted in posterior sds along the trade-offs:
    of two draws equally far from the mean, the one on the ridge of correlated draws wins over the one across it."""
    rng = np.random.default_rng(3)
    ridge = rng.normal(size=(4000, 1))
    cloud = np.hstack([ridge, ridge + 0.1 * rng.normal(size=(4000, 1))]) + 0.5
    mean = cloud.mean(axis=0)
    along, across = mean + [0.05, 0.05], mean + [0.05, -0.05]
    draws = np.vstack([cloud[np.linalg.norm(cloud - mean, axis=1) > 0.2], across, along])
    assert posterior.central_draw(draws) == len(draws) - 1
