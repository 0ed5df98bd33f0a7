"""The PSA and the robust search draw the fitted parameters together from the calibration's posterior
(experiments/runs/posterior_draws.py), keeping the trade-offs the fit found; without a posterior, nothing changes."""

import json

import numpy as np
import pandas as pd
import pytest

from spsim.experiments.runs import posterior_draws
from spsim.experiments.runs.design import DesignError
from spsim.experiments.runs.uncertain_parameters import latin_draws, uncertain_parameters
from spsim.experiments.uncertainty import psa_folder, psa_report

FITTED = ["uptake_prob", "reach_km_mean"]


def _posterior(rows: int = 50) -> pd.DataFrame:
    # two perfectly traded-off parameters: independent draws over their ranges could never keep the line
    u = np.linspace(0.0, 1.0, rows)
    return pd.DataFrame({"uptake_prob": 0.55 + 0.2 * u, "reach_km_mean": 7.0 - 4.0 * u})


def test_without_a_posterior_the_draws_are_the_latin_hypercube(tmp_path):
    assert posterior_draws.load(tmp_path / "none.csv") is None
    parameters = uncertain_parameters(FITTED + ["referral_rate_per_1000"])
    matrix = latin_draws(parameters, 20, seed=3)
    out, names = posterior_draws.joint(parameters, matrix, 3, None)
    assert names == [] and np.array_equal(out, matrix)


def test_fitted_parameters_come_together_from_one_row_and_the_rest_keep_their_draws():
    parameters = uncertain_parameters(FITTED + ["referral_rate_per_1000"])
    matrix = latin_draws(parameters, 120, seed=3)
    posterior = _posterior()
    out, names = posterior_draws.joint(parameters, matrix, 3, posterior)
    assert names == FITTED
    rows = {tuple(r) for r in posterior[FITTED].to_numpy()}
    assert all(tuple(r) in rows for r in out[:, :2])  # every draw is one posterior row, pairs intact
    assert np.corrcoef(out[:, 0], out[:, 1])[0, 1] < -0.99  # the trade-off is kept
    assert np.array_equal(out[:, 2], matrix[:, 2])  # a parameter the fit did not touch keeps its own draws
    again, _ = posterior_draws.joint(parameters, matrix, 3, posterior)
    assert np.array_equal(out, again)  # reproducible from the seed


def test_every_row_is_used_once_before_any_twice():
    picked = posterior_draws.rows_for(120, 50, seed=1)
    assert sorted(picked[:50]) == list(range(50)) and sorted(picked[50:100]) == list(range(50))
    assert len(set(picked[100:])) == 20
    assert not np.array_equal(picked, posterior_draws.rows_for(120, 50, seed=2))


@pytest.mark.parametrize("table, says", [
    ("uptake_prob,not_a_parameter\n0.6,1\n0.7,2\n", "not_a_parameter"),
    ("uptake_prob\n0.6\n1.7\n", "within"),
    ("uptake_prob\n0.6\nabc\n", "within"),
    ("uptake_prob\n0.6\n", "at least 2"),
])  # fmt: skip
def test_a_bad_posterior_file_is_one_line(tmp_path, table, says):
    path = tmp_path / "calibration_posterior.csv"
    path.write_text(table)
    with pytest.raises(DesignError, match=says) as err:
        posterior_draws.load(path)
    assert "\n" not in str(err.value) and str(path) in str(err.value)


def test_the_psa_folder_records_and_reports_the_parameters_drawn_from_the_posterior(tmp_path):
    draws = pd.DataFrame({"uptake_prob": [0.6, 0.7], "reach_km_mean": [4.0, 5.0], "referral_rate_per_1000": [14, 15]})
    runs = pd.DataFrame({"point": [0, 0, 1, 1], "scenario": ["a", "b"] * 2, "replicate": 0, "population": 50_000,
                         "weeks": 156, "qalys_gained": 1.0, "total_cost_gbp": 2.0})  # fmt: skip
    psa_folder.write(tmp_path, draws, runs, 1.0, 5, FITTED)
    assert json.loads((tmp_path / psa_folder.SETTINGS).read_text())["from_posterior"] == FITTED
    settings = psa_folder.settings(runs, draws, *psa_folder._recorded(tmp_path, "here"))
    assert settings["from_posterior"] == FITTED
    assert "the 2 fitted parameters (uptake_prob, reach_km_mean) drawn together" in psa_report._posterior(settings)
    assert psa_report._posterior({"from_posterior": []}) == ""
