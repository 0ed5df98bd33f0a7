"""The engine equivalence test (tests/reference/equivalence.py) finds what it exists to find: a metric that moved,
a clear ranking that flipped; and it does not cry wolf on samples from one distribution."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.reference.equivalence import HEADLINE, RANKED_BY, compare, mean_tests, ranking_check

CASES = ["baseline", "more_link_workers", "fund_vcse", "regression_baseline"]


def _runs(seed: int, shift: dict[tuple[str, str], float] | None = None, nmb: dict[str, float] | None = None) -> pd.DataFrame:
    g = np.random.default_rng(seed)
    rows = []
    for case in CASES:
        for r in range(20):
            row = {"scenario": case, "replicate": r}
            row.update({m: 10.0 + g.normal() + (shift or {}).get((case, m), 0.0) for m in HEADLINE})
            row["mh_discharge_rate"] = 0.0  # constant in both: must count as the same
            row[RANKED_BY] = (nmb or {}).get(case, 0.0) + g.normal() * 10
            rows.append(row)
    return pd.DataFrame(rows)


def test_samples_of_one_distribution_are_equivalent():
    for seed in range(5):
        verdict = compare(_runs(seed), _runs(seed + 100))
        assert verdict.moved.empty


def test_a_shifted_metric_is_found_and_only_it():
    shifted = _runs(2, shift={("fund_vcse", "qalys_gained"): 3.0})
    moved = mean_tests(_runs(1), shifted)
    assert moved[moved["moved"]][["case", "metric"]].values.tolist() == [["fund_vcse", "qalys_gained"]]


def test_a_constant_that_changes_is_a_move():
    candidate = _runs(2)
    candidate.loc[candidate["scenario"] == "baseline", "mh_discharge_rate"] = 0.5
    table = mean_tests(_runs(1), candidate)
    assert table[table["moved"]][["case", "metric"]].values.tolist() == [["baseline", "mh_discharge_rate"]]


def test_a_clear_order_that_flips_is_found_and_a_close_one_is_not_required():
    reference = _runs(1, nmb={"more_link_workers": 100.0, "fund_vcse": 0.0})
    flipped = _runs(2, nmb={"more_link_workers": 0.0, "fund_vcse": 100.0})
    table = ranking_check(reference, flipped)
    assert table[["ahead", "behind", "order_kept"]].values.tolist() == [["more_link_workers", "fund_vcse", False]]
    close = _runs(1, nmb={"more_link_workers": 1.0, "fund_vcse": 0.0})  # within the noise: no order to keep
    assert ranking_check(close, flipped).empty
    assert compare(reference, _runs(3, nmb={"more_link_workers": 90.0})).reordered.empty


def test_the_reference_engine_at_other_seeds_is_equivalent_to_itself():
    """On real runs: the per-person event engine at root seed 2026 against the committed reference (2025)."""
    from tests.reference.equivalence import REFERENCE, SAME_ENGINE_OTHER_SEEDS

    verdict = compare(pd.read_csv(REFERENCE), pd.read_csv(SAME_ENGINE_OTHER_SEEDS))
    assert len(verdict.tests) == 12 * len(HEADLINE) and len(verdict.ranking) >= 10
    assert verdict.equivalent


def test_the_reference_can_be_another_engines_runs(tmp_path, capsys):
    """``--reference``: the engine at b83c694 (rows and due weeks, calibrated parameters) compared with itself is
    equivalent, from the command line as from ``compare``."""
    from tests.reference.equivalence import ROWS_ENGINE, main

    assert main([str(ROWS_ENGINE), "--reference", str(ROWS_ENGINE)]) == 0
    assert capsys.readouterr().out.rstrip().endswith("equivalent")
    assert main([str(ROWS_ENGINE), "--reference"]) == 2  # a path is needed
