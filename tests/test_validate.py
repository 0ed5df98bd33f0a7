"""`spsim validate` compares the model with every published target and says pass or fail, in sample (the
calibration targets) apart from out of sample (new figures never fitted, seeds/holdout_targets.toml)."""

from __future__ import annotations

import tomllib

import pandas as pd
import pytest

from spsim.experiments.runs.metrics import EXTRA_COLUMNS, REPLICATE_COLUMNS
from spsim.experiments.uncertainty import validate
from spsim.model.parameters import SEEDS_DIR


@pytest.mark.slow
def test_validation_reports_every_target(tmp_path):
    table = validate.run(tmp_path, replicates=2, years=1.0, population=8_000, workers=1)
    assert list(table["target"]) == [key for key, _, _ in validate.validation_targets()]
    assert list(table["target"][: len(validate.targets())]) == list(validate.targets())
    for _, row in table.iterrows():
        assert row["pass"] == (row["band_low"] <= row["model_mean"] <= row["band_high"])
    text = (tmp_path / "validation.md").read_text()
    scored = int(table["comparable"].sum())
    assert text.count("| pass |") + text.count("| FAIL |") == scored
    assert text.count("| needs: ") == len(table) - scored
    assert "Validation against published figures" in (tmp_path / "report.md").read_text()
    assert len(pd.read_csv(tmp_path / "validation.csv")) == len(table)


def test_compare_flags_a_value_outside_its_band():
    rows = []
    for _, t, _ in validate.validation_targets():
        if t["metric"]:
            rows.append({"scenario": t["scenario"], t["metric"]: t["band"][1] * 2 + 1.0, "replicate": 0})
    table = validate.compare(pd.DataFrame(rows))
    assert not table["pass"].any()


# ------------------------------------------------------------------ the new figures (issue 27)

HOLDOUT = validate.holdout_targets()
SOURCES = tomllib.loads((SEEDS_DIR / "sources.toml").read_text())
FINDINGS = tomllib.loads((SEEDS_DIR / "findings.toml").read_text())  # a seed document's finding, by its id
COLUMNS = set(REPLICATE_COLUMNS + EXTRA_COLUMNS)


def test_holdout_file_parses_with_every_field():
    assert len(HOLDOUT) >= 10
    for key, t in HOLDOUT.items():
        for field in ("description", "population", "measure", "metric", "scenario", "target", "band", "source",
                      "controlled", "role"):  # fmt: skip
            assert field in t, (key, field)
        assert t["role"] in ("fit", "holdout"), key
        assert isinstance(t["controlled"], bool), key
        assert bool(t["metric"]) != bool(t.get("needs")), f"{key}: a metric, or a `needs` line saying what is missing"
    assert sum(t["role"] == "holdout" for t in HOLDOUT.values()) >= 6
    assert sum(bool(t["metric"]) for t in HOLDOUT.values()) >= 8
    assert not set(HOLDOUT) & set(validate.targets()), "a new figure shares a key with a calibration target"


def test_every_target_cites_a_registered_source():
    for key, t in HOLDOUT.items():  # a new figure cites sources.toml
        assert t["source"], key
        for source in t["source"]:
            assert source in SOURCES, (key, source)
    for key, t in validate.targets().items():  # a calibration target may also cite a seed document's finding
        assert t["source"], key
        for source in t["source"]:
            assert source in SOURCES or source in FINDINGS, (key, source)


def test_every_metric_is_a_replicates_column_and_every_scenario_exists():
    scenario_dir = SEEDS_DIR.parent / "experiments" / "inputs" / "scenarios"
    for key, t in {**validate.targets(), **HOLDOUT}.items():
        if t["metric"]:
            assert t["metric"] in COLUMNS, (key, t["metric"])
        for name in (t["scenario"], t.get("versus")):
            if name:
                assert (scenario_dir / f"{name}.toml").exists(), (key, name)


def test_every_band_contains_its_target():
    for key, t in {**validate.targets(), **HOLDOUT}.items():
        low, high = t["band"]
        assert low < high and low <= t["target"] <= high, key


def _table(values: dict[str, float]) -> pd.DataFrame:
    """Two replicates of one scenario, every column set by hand (no simulation)."""
    return pd.DataFrame([{"scenario": "baseline", "replicate": r, **values} for r in (0, 1)])


HAND_MADE = {
    "cal_in": {"description": "fitted, in band", "metric": "lw_contact_rate", "scenario": "baseline",
               "target": 0.9, "band": [0.85, 0.95], "source": ["Q-BU24"]},
    "cal_out": {"description": "fitted, out of band", "metric": "declined_rate", "scenario": "baseline",
                "target": 0.11, "band": [0.08, 0.16], "source": ["Q-CPRD25"]},
}  # fmt: skip
NEW = {
    "hold_in": {"description": "holdout, in band", "metric": "vcse_uptake_rate", "scenario": "baseline",
                "target": 0.4, "band": [0.3, 0.5], "source": ["Q-LOFTUS17"], "role": "holdout"},
    "hold_out": {"description": "holdout, out of band", "metric": "return_per_pound", "scenario": "baseline",
                 "target": 2.4, "band": [1.2, 3.6], "source": ["Q-HAYWOOD24"], "role": "holdout"},
    "hold_none": {"description": "holdout, no output", "metric": "", "needs": "an output", "scenario": "baseline",
                  "target": 1.0, "band": [0.5, 1.5], "source": ["Q-WILDING24"], "role": "holdout"},
    "fit_in": {"description": "for the next fit, in band", "metric": "sustained_engagement_rate",
               "scenario": "baseline", "target": 0.5, "band": [0.4, 0.6], "source": ["Q-CRONE18"], "role": "fit"},
    "cal_out": {"description": "same key as a fitted target", "metric": "referrals", "scenario": "baseline",
                "target": 1.0, "band": [0.0, 2.0], "source": ["Q-BU24"], "role": "holdout"},
}  # fmt: skip


def test_summary_counts_each_role_apart(monkeypatch):
    monkeypatch.setattr(validate, "targets", lambda: HAND_MADE)
    replicates = _table({"lw_contact_rate": 0.9, "declined_rate": 0.5, "vcse_uptake_rate": 0.45,
                         "return_per_pound": 9.0, "sustained_engagement_rate": 0.55, "referrals": 1.0})  # fmt: skip
    table = validate.compare(replicates, holdout=NEW)
    roles = dict(zip(table["target"], table["role"]))
    assert roles == {"cal_in": validate.IN_SAMPLE, "cal_out": validate.IN_SAMPLE, "hold_in": validate.OUT_OF_SAMPLE,
                     "hold_out": validate.OUT_OF_SAMPLE, "hold_none": validate.OUT_OF_SAMPLE,
                     "fit_in": validate.NOT_YET_FITTED}  # fmt: skip
    assert list(table.loc[table["target"] == "hold_none", "comparable"]) == [False]
    line = validate.summary(table)
    assert "1 of 2 in-sample targets in band" in line
    assert "1 of 2 out-of-sample targets in band" in line  # the figure without an output is not scored
    assert "1 of 1 new targets not yet fitted in band" in line
    assert "1 new targets need a model output" in line
    text = validate.render(table)
    assert line in text
    assert text.count("| pass |") == 3 and text.count("| FAIL |") == 2 and text.count("| needs: an output |") == 1
    for role in validate.ROLES:  # a heading for each role present, none for one absent
        assert (role[1:] in text) == (role in set(table["role"]))


def test_a_fit_row_counts_in_sample_once_the_calibration_fits_it(monkeypatch):
    fitted = {**HAND_MADE, "fit_in": {**NEW["fit_in"]}}
    monkeypatch.setattr(validate, "targets", lambda: fitted)
    table = validate.compare(_table({"lw_contact_rate": 0.9, "declined_rate": 0.1, "sustained_engagement_rate": 0.5}),
                             holdout={"fit_in": NEW["fit_in"]})  # fmt: skip
    assert list(table["role"]) == [validate.IN_SAMPLE] * 3
    assert "3 of 3 in-sample targets in band; 0 of 0 calibration targets outside" in validate.summary(table)


def test_a_calibration_target_outside_the_likelihood_is_predicted_not_in_sample(monkeypatch):
    """Issue 27: a target in the calibration file that the likelihood leaves out is counted apart."""
    derived = {**HAND_MADE, "fit_in": {**NEW["fit_in"], "likelihood": False}}
    monkeypatch.setattr(validate, "targets", lambda: derived)
    table = validate.compare(_table({"lw_contact_rate": 0.9, "declined_rate": 0.1, "sustained_engagement_rate": 0.5}),
                             holdout={})  # fmt: skip
    assert list(table["role"]) == [validate.IN_SAMPLE, validate.IN_SAMPLE, validate.PREDICTED]
    assert "2 of 2 in-sample targets in band; 1 of 1 calibration targets outside the likelihood" in validate.summary(table)
