"""Calibration (`spsim calibrate`): distances to the published targets and the accepted points by hand, fitted
values the model then uses with their provenance, a refit that starts from the priors, and a damaged calibration
file named in one line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spsim.experiments.cli import commands as cli
from spsim.experiments.uncertainty import calibrate
from spsim.model import parameters
from tests.test_uncertainty import TINY


def test_distances_and_the_posterior_by_hand():
    goals = {"t1": {"scenario": "s", "metric": "m1", "target": 0.5, "band": [0.4, 0.6]},
             "t2": {"scenario": "s", "metric": "m2", "target": 10.0, "band": [0.0, 20.0]}}  # fmt: skip
    runs = pd.DataFrame({"point": [0, 0, 1, 1], "scenario": ["s"] * 4, "replicate": [0, 1, 0, 1],
                         "m1": [0.6, 0.6, 0.5, 0.5], "m2": [10.0, 10.0, 30.0, 30.0]})  # fmt: skip
    table = calibrate.distances(runs, goals)
    assert table.loc[0, "distance"] == pytest.approx(np.sqrt((1.0 + 0.0) / 2))  # at the edge of one band
    assert table.loc[1, "distance"] == pytest.approx(np.sqrt((0.0 + 4.0) / 2))
    samples = pd.DataFrame({"a": [1.0, 2.0]}).rename_axis("point")
    fit = calibrate.posterior(samples, table, ["a"], accept=0.5)
    assert fit.loc[0, "median"] == 1.0 and fit.loc[0, "accepted_high"] == 1.0


@pytest.mark.slow
def test_calibration_writes_values_the_model_then_uses_with_their_provenance(tmp_path, monkeypatch):
    target = tmp_path / "calibrated.toml"
    monkeypatch.setattr(parameters, "CALIBRATED_FILE", target)
    monkeypatch.setattr(calibrate, "CALIBRATED_FILE", target)
    monkeypatch.setattr(calibrate, "fit_parameters", lambda: ["uptake_prob", "assessment_weeks"])
    try:
        fit = calibrate.run(4, 1, accept=0.5, out=tmp_path / "out", write=True, **TINY)
        fitted = parameters.registry()["uptake_prob"]
        assert fitted.value == pytest.approx(round(fit.set_index("parameter").loc["uptake_prob", "fitted"], 4))
        assert fitted.calibration.startswith("calibrated to reach_link_worker")
        assert isinstance(parameters.registry()["assessment_weeks"].value, int)
        assert parameters.registry()["dropout_hazard"].calibration == ""
    finally:
        parameters.registry.cache_clear()


def test_a_refit_starts_from_the_priors_not_from_an_earlier_fit(tmp_path, monkeypatch):
    earlier = tmp_path / "calibrated.toml"
    earlier.write_text('[parameters.dropout_hazard]\nvalue = 0.09\nprovenance = "calibrated to an earlier fit"\n')
    monkeypatch.setattr(parameters, "CALIBRATED_FILE", earlier)
    monkeypatch.setattr(calibrate, "fit_parameters", lambda: ["uptake_prob"])
    seen = []

    class Stop(Exception):
        pass

    def capture(self, *args, **kwargs):
        seen.extend(self.points)
        raise Stop

    monkeypatch.setattr(calibrate.Design, "run", capture)
    parameters.registry.cache_clear()
    try:
        assert parameters.registry()["dropout_hazard"].value == 0.09
        with pytest.raises(Stop):
            calibrate.run(3, 1, out=tmp_path / "out", write=False, **TINY)
        prior = parameters.priors()["dropout_hazard"].value
        assert seen and all(point["dropout_hazard"] == prior != 0.09 for point in seen)
        assert all(0.4 <= point["uptake_prob"] <= 0.8 for point in seen)
    finally:
        parameters.registry.cache_clear()


def test_analyses_vary_a_calibrated_parameter_over_its_accepted_range_and_calibration_over_the_prior():
    known = parameters.registry()
    for name in parameters.calibrated_names():
        p = known[name]
        assert p.posterior is not None and p.low <= p.posterior[0] <= p.posterior[1] <= p.high
        assert p.uncertainty == p.posterior
        assert parameters.priors()[name].uncertainty == (float(p.low), float(p.high))
    assert known["dropout_hazard"].uncertainty == (0.02, 0.1)


@pytest.mark.parametrize("text, message", [
    ("[parameters.uptake_prob\nvalue = 1", "not valid TOML"),
    ('[parameters.uptake_prob]\nvalue = 0.5\n', "uptake_prob needs a value and a provenance"),
    ('[parameters.uptake_prob]\nvalue = 5.0\nprovenance = "x"\n', "uptake_prob = 5.0"),
    ('[parameters.nope]\nvalue = 1\nprovenance = "x"\n', "nope is not a parameter"),
])  # fmt: skip
def test_a_damaged_calibration_file_is_named_in_one_line(text, message, tmp_path, monkeypatch, capsys):
    damaged = tmp_path / "calibrated.toml"
    damaged.write_text(text)
    monkeypatch.setattr(parameters, "CALIBRATED_FILE", damaged)
    parameters.registry.cache_clear()
    try:
        assert cli.main(["show", "baseline"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and str(damaged) in err[0] and message in err[0], err
    finally:
        parameters.registry.cache_clear()
