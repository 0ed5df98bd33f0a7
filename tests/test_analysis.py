"""Paired differences and confidence intervals, against hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from spsim.experiments.analysis import intervals
from spsim.experiments.analysis import statistics as analysis
from spsim.experiments.runs.metrics import EXTRA_COLUMNS, REPLICATE_COLUMNS

T_975_2DF = 4.302653  # Student's t, 97.5th percentile, 2 degrees of freedom


def test_mean_ci_by_hand():
    m, lo, hi = intervals.mean_ci([1.0, 2.0, 6.0])
    sd = math.sqrt(((1 - 3) ** 2 + (2 - 3) ** 2 + (6 - 3) ** 2) / 2)  # 2.6458
    half = T_975_2DF * sd / math.sqrt(3)
    assert m == 3.0
    assert lo == pytest.approx(3 - half, rel=1e-6) and hi == pytest.approx(3 + half, rel=1e-6)


def test_mean_ci_edge_cases():
    m, lo, hi = intervals.mean_ci([5.0])  # one replicate: a mean, and no interval (not a zero-width one)
    assert m == 5.0 and math.isnan(lo) and math.isnan(hi)
    assert all(math.isnan(x) for x in intervals.mean_ci([]))
    assert intervals.mean_ci([math.nan, 2.0, 2.0]) == (2.0, 2.0, 2.0)


def frame(values: dict[str, list[float]], column: str = "mean_swemwbs_change") -> pd.DataFrame:
    rows = []
    for scenario, per_rep in values.items():
        for r, v in enumerate(per_rep):
            row = dict.fromkeys(REPLICATE_COLUMNS + EXTRA_COLUMNS, 0.0)
            row.update({"scenario": scenario, "replicate": r, "seed": r, column: v})
            rows.append(row)
    return pd.DataFrame(rows)


def test_paired_difference_by_hand():
    # differences per replicate: 1.0, 1.5, 2.5 -> mean 1.6667, sd 0.7638
    reps = frame({"ref": [10.0, 20.0, 30.0], "alt": [11.0, 21.5, 32.5]})
    comp = analysis.comparison(reps, ["ref", "alt"])
    row = comp[(comp.scenario == "alt") & (comp.metric == "mean_swemwbs_change")].iloc[0]
    d = np.array([1.0, 1.5, 2.5])
    half = T_975_2DF * d.std(ddof=1) / math.sqrt(3)
    assert row["diff_mean"] == pytest.approx(d.mean())
    assert row["diff_ci_low"] == pytest.approx(d.mean() - half) and row["diff_ci_high"] == pytest.approx(d.mean() + half)
    # unpaired, the same data would give a far wider interval: pairing is what narrows it
    assert row["ci_high"] - row["ci_low"] > 10 * (row["diff_ci_high"] - row["diff_ci_low"])
    ref = comp[(comp.scenario == "ref") & (comp.metric == "mean_swemwbs_change")].iloc[0]
    assert (ref["diff_mean"], ref["diff_ci_low"], ref["diff_ci_high"]) == (0.0, 0.0, 0.0)


def test_net_effect_is_the_paired_difference_from_the_counterfactual():
    """Every before-and-after change comes with the change net of the counterfactual (issue 13)."""
    reps = frame({"ref": [2.0, 2.5, 3.0], "none": [1.5, 1.5, 2.0], "alt": [2.2, 2.9, 3.1]})
    comp = analysis.comparison(reps, ["ref", "none", "alt"], counterfactual="none")
    row = comp[(comp.scenario == "alt") & (comp.metric == "mean_swemwbs_change")].iloc[0]
    assert row["counterfactual"] == "none"
    assert row["net_mean"] == pytest.approx(np.mean([0.7, 1.4, 1.1]))
    assert row["net_ci_low"] < row["net_mean"] < row["net_ci_high"]
    cf = comp[(comp.scenario == "none") & (comp.metric == "mean_swemwbs_change")].iloc[0]
    assert math.isnan(cf["net_mean"])  # the counterfactual against itself: nothing to say
    reach = comp[(comp.scenario == "alt") & (comp.metric == "vcse_uptake_rate")].iloc[0]
    assert math.isnan(reach["net_mean"])  # not a change since referral: no natural course in it
    without = analysis.comparison(reps, ["ref", "none", "alt"])
    assert without["net_mean"].isna().all() and (without["counterfactual"] == "").all()
    from spsim.experiments.reporting import metric_tables  # the report's table shows both, side by side

    table = "\n".join(metric_tables.metric_table(comp, ["ref", "none", "alt"], "mean_swemwbs_change"))
    assert "net of `none`" in table and "| none |" in table and "counterfactual" in table
    assert "net of" not in "\n".join(metric_tables.metric_table(comp, ["ref", "none", "alt"], "vcse_uptake_rate"))


def test_the_counterfactual_is_the_scenario_without_a_service():
    from spsim.experiments.inputs import scenario
    found = analysis.counterfactual_in([scenario.load(n) for n in ("baseline", "fund_vcse", "no_social_prescribing")])
    assert found == "no_social_prescribing"
    assert analysis.counterfactual_in([scenario.load("baseline")]) is None


def test_pairing_is_by_replicate_not_by_row_order():
    reps = frame({"ref": [10.0, 20.0, 30.0], "alt": [11.0, 21.0, 31.0]})
    shuffled = reps.sample(frac=1.0, random_state=3)
    comp = analysis.comparison(shuffled, ["ref", "alt"])
    row = comp[(comp.scenario == "alt") & (comp.metric == "mean_swemwbs_change")].iloc[0]
    assert row["diff_mean"] == pytest.approx(1.0) and row["diff_ci_high"] - row["diff_ci_low"] == pytest.approx(0.0)


def test_incremental_cost_per_point():
    assert intervals.incremental_cost_effectiveness([100.0, 300.0], [1.0, 3.0])[0] == pytest.approx(100.0)
    assert math.isnan(intervals.incremental_cost_effectiveness([100.0, 300.0], [-1.0, 0.5])[0])
    m, lo, hi = intervals.incremental_cost_effectiveness([90.0, 110.0, 100.0, 100.0], [1.0, 1.0, 1.0, 1.0])
    assert m == pytest.approx(100.0) and 90.0 <= lo <= m <= hi <= 110.0


def test_trajectories_pool_people_across_replicates():
    sums = pd.DataFrame([
        {"scenario": "s", "replicate": 0, "group": "all referred", "months_since_referral": 12, "n": 2,
         "sum_swemwbs_change": 1.0 + 3.0, "sumsq_swemwbs_change": 1.0 + 9.0, "sum_ucla_change": 0.0,
         "sumsq_ucla_change": 0.0},
        {"scenario": "s", "replicate": 1, "group": "all referred", "months_since_referral": 12, "n": 1,
         "sum_swemwbs_change": 5.0, "sumsq_swemwbs_change": 25.0, "sum_ucla_change": 0.0, "sumsq_ucla_change": 0.0},
    ])  # fmt: skip
    row = analysis.trajectories(sums, ["s"]).iloc[0]
    values = np.array([1.0, 3.0, 5.0])
    half = 1.96 * values.std(ddof=1) / math.sqrt(3)
    assert row["n"] == 3 and row["mean_swemwbs_change"] == pytest.approx(3.0)
    assert row["swemwbs_ci_low"] == pytest.approx(3.0 - half) and row["swemwbs_ci_high"] == pytest.approx(3.0 + half)


def test_a_share_near_one_keeps_its_interval_inside_zero_to_one():
    # nearly everyone reached in every replicate: a t-interval (0.993 +- 0.029) would spill above 100%
    reps = frame({"ref": [0.98, 1.0, 1.0], "alt": [1.0, 1.0, 0.98]}, column="lw_contact_rate")
    assert intervals.mean_ci([0.98, 1.0, 1.0])[2] > 1.0
    comp = analysis.comparison(reps, ["ref", "alt"])
    row = comp[(comp.scenario == "ref") & (comp.metric == "lw_contact_rate")].iloc[0]
    assert 0.98 <= row["ci_low"] <= row["mean"] <= row["ci_high"] <= 1.0
    assert row["ci_low"] < row["ci_high"]  # an interval, not the mean repeated
    diff = comp[(comp.scenario == "alt") & (comp.metric == "lw_contact_rate")].iloc[0]
    gap = 1.0 - 0.98  # the largest paired difference in the data (0.020000000000000018 in binary)
    assert -gap <= diff["diff_ci_low"] <= diff["diff_ci_high"] <= gap  # a difference of shares: within the data
    # a fixed seed: the same data give the same interval; unbounded quantities keep the t-interval
    assert analysis.comparison(reps, ["ref", "alt"]).equals(comp)
    wellbeing = frame({"ref": [1.0, 2.0, 6.0]})
    row = analysis.comparison(wellbeing, ["ref"]).query("metric == 'mean_swemwbs_change'").iloc[0]
    assert (row["mean"], row["ci_low"], row["ci_high"]) == intervals.mean_ci([1.0, 2.0, 6.0])


def test_bootstrap_interval_edge_cases():
    m, lo, hi = intervals.bootstrap_mean_ci([0.5])  # one replicate: no interval
    assert m == 0.5 and math.isnan(lo) and math.isnan(hi)
    assert intervals.bootstrap_mean_ci([1.0, 1.0, math.nan]) == (1.0, 1.0, 1.0)
    assert all(math.isnan(v) for v in intervals.bootstrap_mean_ci([]))


def test_bootstraps_of_many_samples_are_each_sample_s_own_to_the_last_bit():
    """bootstrap_mean_cis resamples samples of one length in one scipy call: each interval is the one
    scipy gives that sample alone (same seed), bit for bit, whatever else is in the call."""
    from scipy import stats

    rng = np.random.default_rng(5)
    samples = []
    for _ in range(300):
        x = rng.normal(rng.normal(), rng.exponential(), rng.integers(0, 13)) * 10.0 ** rng.integers(-4, 6)
        if len(x) and rng.random() < 0.2:
            x[rng.integers(0, len(x))] = math.nan
        samples.append(x if rng.random() > 0.05 else np.full(len(x), 0.5))
    for x, batched in zip(samples, intervals.bootstrap_mean_cis(samples), strict=True):
        kept = x[~np.isnan(x)]
        if len(kept) < 2 or np.ptp(kept) == 0:
            alone = intervals.bootstrap_mean_ci(x)
        else:
            ci = stats.bootstrap((kept,), np.mean, n_resamples=intervals.BOOTSTRAP_RESAMPLES, confidence_level=0.95,
                                 method="percentile", rng=np.random.default_rng(0)).confidence_interval  # fmt: skip
            alone = (float(kept.mean()), float(ci.low), float(ci.high))
        assert np.array_equal(batched, alone, equal_nan=True)


def test_pairing_gain_compares_paired_and_unpaired_spread():
    replicates = pd.DataFrame({
        "scenario": ["a"] * 3 + ["b"] * 3,
        "replicate": [0, 1, 2] * 2,
        "mean_swemwbs_change": [1.0, 2.0, 3.0, 1.5, 2.5, 3.5],  # b = a + 0.5 in every replicate
    })  # fmt: skip
    row = analysis.pairing_gain(replicates, ["a", "b"]).iloc[0]
    assert row["sd_paired"] == pytest.approx(0.0)
    assert row["sd_unpaired"] == pytest.approx(2**0.5)  # var 1 each
    assert row["variance_reduction"] == pytest.approx(1.0)


def test_one_replicate_reports_no_interval_anywhere(tmp_path, monkeypatch):
    """A run of one replicate has means but no intervals: the report never prints a zero-width "x to x" and says
    why, and no scenario is called clearly ahead."""
    import re

    from spsim.experiments.reporting import figures
    from tests.inprocess import spsim

    monkeypatch.setattr(figures, "all_figures", lambda *args, **kwargs: [])  # the words are under test, not plots
    out = tmp_path / "one"
    done = spsim("run", "baseline", "no_social_prescribing", "fund_vcse", "--replicates", "1", "--years", "0.5",
                 "--population", "5000", "--out", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = (out / "report.md").read_text()
    same_ends = [m.group(0) for m in re.finditer(r"\(([-+]?[\d,.]+%?(?: pts)?) to \1\)", report)]
    assert not same_ends, same_ends[:3]
    assert "nan to" not in report and "n/a to" not in report
    assert "no interval from one replicate" in report
    assert "clearly ahead" not in report and not re.search(r"`\w+` does best", report)
    assert "none can be said, as one replicate gives no interval" in report  # cost-effective against no service
    comparison = pd.read_csv(out / "comparison.csv")
    assert comparison["ci_low"].isna().all() and comparison["ci_high"].isna().all()
