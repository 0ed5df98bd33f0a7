"""`spsim validate` compares the model with every published target and says pass or fail."""

from __future__ import annotations

import pandas as pd
import pytest

from spsim.experiments.uncertainty import validate


@pytest.mark.slow
def test_validation_reports_every_target(tmp_path):
    table = validate.run(tmp_path, replicates=2, years=1.0, population=8_000, workers=1)
    assert list(table["target"]) == list(validate.targets())
    for _, row in table.iterrows():
        assert row["pass"] == (row["band_low"] <= row["model_mean"] <= row["band_high"])
    text = (tmp_path / "validation.md").read_text()
    assert text.count("| pass |") + text.count("| FAIL |") == len(table)
    assert "Validation against published figures" in (tmp_path / "report.md").read_text()
    assert len(pd.read_csv(tmp_path / "validation.csv")) == len(table)


def test_compare_flags_a_value_outside_its_band():
    targets = validate.targets()
    rows = []
    for t in targets.values():
        rows.append({"scenario": t["scenario"], t["metric"]: t["band"][1] * 2 + 1.0, "replicate": 0})
    table = validate.compare(pd.DataFrame(rows))
    assert not table["pass"].any()
