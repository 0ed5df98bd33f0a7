"""The benchmark script runs and writes its files (its numbers are reported, never asserted)."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd


def test_quick_benchmark_writes_its_tables(tmp_path):
    result = subprocess.run([sys.executable, "-m", "experiments", "bench", "--quick", "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(tmp_path / "benchmark.csv")
    assert list(table["population"]) == [10_000, 40_000]
    assert (table["patient_weeks"] > 0).all() and (table["peak_mb"] > 0).all()
    assert {"ratio_to_mesa_trivial", "person_ratio_to_mesa_trivial"} <= set(table.columns)
    assert (tmp_path / "scaling.png").exists() and (tmp_path / "parallel.json").exists()
