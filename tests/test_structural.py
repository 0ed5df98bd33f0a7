"""Structural uncertainty of the economics (issue 26, item 11): the alternatives file, the paired comparisons under
each setting, the tornado's order, the brief's two checks on hand-made cases, and the command end to end."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from spsim.experiments.runs.design import DesignError
from spsim.experiments.uncertainty import structural
from tests.inprocess import spsim

ORDER = ["baseline", "no_social_prescribing", "fund_vcse"]


def replicate_rows(values: dict[str, list[tuple[float, float, float, float]]]) -> pd.DataFrame:
    """replicates.csv rows: {run: [(QALYs, net cost, spend, care) per replicate]}, 1,000 people referred each."""
    rows = []
    for run, reps in values.items():
        for r, (q, cost, spend, care) in enumerate(reps):
            rows.append({"scenario": run, "replicate": r, "qalys_gained": q, "net_cost_gbp": cost, "referrals": 1000,
                         "commissioner_cost_discounted_gbp": spend, "care_cost_change_gbp": care})  # fmt: skip
    return pd.DataFrame(rows)


def test_the_shipped_alternatives_load_and_share_runs_where_their_overrides_agree():
    alternatives = structural.load()
    assert {"utility_slope", "horizon", "retained_share", "effect_size", "link_worker_cost", "nhs_unit_costs",
            "savings", "discount_rate"} <= set(alternatives.tornado)  # fmt: skip
    assert {"no_gp_ae_savings", "retained_0", "retained_50", "trial_centre_effect", "old_base_case"} <= set(
        alternatives.scenarios)
    sets = alternatives.override_sets()
    assert sets[0] == {}  # the base case first
    # no_gp_ae_savings is the savings tornado's low end: one run serves both
    named = len(alternatives.scenarios) + sum(len(ends) for _, ends in alternatives.tornado.values()) + 1
    assert len(sets) < named and len({str(sorted(s.items())) for s in sets}) == len(sets)


@pytest.mark.parametrize("text, words", [
    ('[tornado.x]\nlabel = "x"\nends = { a = { no_such_parameter = 1.0 } }\n', "unknown parameter"),
    ('[tornado.x]\nlabel = "x"\nends = { a = { gain_retained_share = 1.5 } }\n', "gain_retained_share = 1.5"),
    ('[alternative.x]\nparameters = { discount_rate_per_year = 0.0 }\n', "a line of text is required"),
    ('[checks]\nfar_below_share = -1\n', "checks.far_below_share"),
    ('[elsewhere]\nx = 1\n', "unknown table"),
])  # fmt: skip
def test_a_bad_alternatives_file_is_refused_in_one_line(tmp_path, text, words):
    path = tmp_path / "alt.toml"
    path.write_text(text)
    with pytest.raises(DesignError, match=words) as caught:
        structural.load(path)
    assert "\n" not in str(caught.value)


def test_comparisons_are_each_option_against_the_reference_and_the_reference_against_no_service():
    assert structural.comparisons(ORDER, "no_social_prescribing") == [
        ("baseline", "no_social_prescribing"), ("fund_vcse", "baseline")]
    assert structural.comparisons(["baseline", "fund_vcse"], None) == [("fund_vcse", "baseline")]


def test_paired_comparison_by_hand():
    reps = replicate_rows({"baseline.s00": [(30, 500_000, 600_000, -100_000), (34, 540_000, 620_000, -80_000)],
                           "no_social_prescribing.s00": [(0, 0, 0, 0), (0, 0, 0, 0)]})  # fmt: skip
    result = structural.compare(reps, "baseline.s00", "no_social_prescribing.s00")
    assert result["extra_qalys"] == pytest.approx(32) and result["extra_net_cost_gbp"] == pytest.approx(520_000)
    assert result["icer_gbp_per_qaly"] == pytest.approx(520_000 / 32)
    assert result["incremental_nmb_20k_gbp"] == pytest.approx(20_000 * 32 - 520_000)
    assert result["nmb_ci_low"] < result["incremental_nmb_20k_gbp"] < result["nmb_ci_high"]
    assert result["qalys_per_referral"] == pytest.approx(0.032)
    assert result["savings_share_of_spend"] == pytest.approx(90_000 / 610_000)


def table_for(per_setting: dict[str, tuple[dict, list]], alternatives) -> pd.DataFrame:
    """structural_table over hand-made runs: {key: (overrides, [(option, comparator, QALYs, cost)])}."""
    settings = [structural.Setting(key, overrides) for key, (overrides, _) in per_setting.items()]
    values = {}
    for key, (_, rows) in per_setting.items():
        for option, comparator, q, cost in rows:
            values[f"{comparator}.{key}"] = [(0.0, 0.0, 0.0, 0.0)] * 2
            values[f"{option}.{key}"] = [(q - 1, cost - 1000, cost, 0.0), (q + 1, cost + 1000, cost, 0.0)]
    return structural.structural_table(replicate_rows(values), ["baseline", "no_social_prescribing"],
                                       "no_social_prescribing", settings, alternatives)  # fmt: skip


def test_the_tornado_puts_the_widest_swing_first_and_counts_a_one_sided_input_from_the_base():
    alternatives = structural.Alternatives(
        checks={"qalys_per_referral_12_months_max": 0.02, "icer_threshold_gbp": 20_000.0, "far_below_share": 0.25},
        tornado={"narrow": ("a narrow input", {"lo": {"utility_per_swemwbs_point": 0.029},
                                                "hi": {"utility_per_swemwbs_point": 0.031}}),
                 "one_sided": ("a one-sided input", {"3 years": {"economic_horizon_years": 3.0}}),
                 "wide": ("a wide input", {"lo": {"utility_per_swemwbs_point": 0.02},
                                            "hi": {"utility_per_swemwbs_point": 0.04}})},
        scenarios={})  # fmt: skip
    pair = ("baseline", "no_social_prescribing")
    table = table_for({"s00": ({}, [(*pair, 20.0, 300_000.0)]),
                       "s01": ({"utility_per_swemwbs_point": 0.029}, [(*pair, 19.0, 300_000.0)]),
                       "s02": ({"utility_per_swemwbs_point": 0.031}, [(*pair, 21.0, 300_000.0)]),
                       "s03": ({"economic_horizon_years": 3.0}, [(*pair, 45.0, 300_000.0)]),
                       "s04": ({"utility_per_swemwbs_point": 0.02}, [(*pair, 13.0, 300_000.0)]),
                       "s05": ({"utility_per_swemwbs_point": 0.04}, [(*pair, 27.0, 300_000.0)])}, alternatives)
    tornado = structural.tornado_table(table)
    assert list(dict.fromkeys(tornado["input"])) == ["one_sided", "wide", "narrow"]
    swing = tornado.drop_duplicates("input").set_index("input")["swing_gbp"]
    assert swing["one_sided"] == pytest.approx(20_000 * 25)  # from the base (20 QALYs) to 45
    assert swing["wide"] == pytest.approx(20_000 * 14) and swing["narrow"] == pytest.approx(20_000 * 2)


def checks_on(qalys: float, cost: float, horizon: float = 1.0, year_qalys: float | None = None) -> pd.DataFrame:
    alternatives = structural.Alternatives(
        checks={"qalys_per_referral_12_months_max": 0.02, "icer_threshold_gbp": 20_000.0, "far_below_share": 0.25},
        tornado={}, scenarios={} if horizon == 1.0 else {"year": ("1 year", "", {"economic_horizon_years": 1.0})})
    pair = ("baseline", "no_social_prescribing")
    runs = {"s00": ({}, [(*pair, qalys, cost)])}
    if horizon != 1.0:
        runs["s01"] = ({"economic_horizon_years": 1.0}, [(*pair, year_qalys, cost)])
    table = table_for(runs, alternatives)
    if horizon != 1.0:  # a registry whose base case counts `horizon` years (the old base case's 3, say)
        table.loc[table["entry"] == "base", "horizon_years"] = horizon
    return structural.checks_table(table, alternatives.checks, "no_social_prescribing").set_index("check")


def test_the_brief_checks_pass_a_modest_service_and_flag_a_generous_one():
    modest = checks_on(qalys=15.0, cost=240_000.0)  # 0.015 a referral; 16,000 GBP per QALY
    assert modest.loc["QALYs per person referred at 12 months", "passes"]
    assert modest.loc["ICER against the threshold", "passes"]
    assert "not far below" in modest.loc["ICER against the threshold", "explanation"]
    generous = checks_on(qalys=30.0, cost=60_000.0)  # 0.03 a referral; 2,000 GBP per QALY
    qalys = generous.loc["QALYs per person referred at 12 months"]
    assert not qalys["passes"] and qalys["value"] == pytest.approx(0.03) and "1.5 times" in qalys["explanation"]
    icer = generous.loc["ICER against the threshold"]
    assert not icer["passes"] and icer["value"] == pytest.approx(2_000)
    assert icer["explanation"].startswith("far below 20,000")
    assert "0.0300 QALYs per person referred" in icer["explanation"]


def test_far_below_over_a_long_horizon_says_how_much_comes_after_the_first_year():
    # 3-year horizon, 40 QALYs of which 10 in the first year: 75% beyond any observed follow-up
    checks = checks_on(qalys=40.0, cost=100_000.0, horizon=3.0, year_qalys=10.0)
    assert "75% of the QALYs come after the first year" in checks.loc["ICER against the threshold", "explanation"]
    assert checks.loc["QALYs per person referred at 12 months", "value"] == pytest.approx(0.01)  # from the 1-year run


def test_a_ratio_that_cannot_be_formed_is_named_not_compared():
    checks = checks_on(qalys=-5.0, cost=10_000.0)
    icer = checks.loc["ICER against the threshold"]
    assert math.isnan(icer["value"]) and icer["passes"] and "dominated" in icer["explanation"]


def test_spsim_structural_writes_its_tables_figure_and_report(tmp_path):
    alternatives = tmp_path / "alt.toml"
    alternatives.write_text('[tornado.slope]\nlabel = "utility slope"\n'
                            'ends = { "0.02" = { utility_per_swemwbs_point = 0.02 } }\n'
                            '[alternative.no_savings]\nlabel = "no savings"\nwhy = "a test"\n'
                            '[alternative.no_savings.parameters]\n'
                            'gp_consultation_cost_gbp = 0.0\nae_attendance_cost_gbp = 0.0\n')  # fmt: skip
    out = tmp_path / "out"
    done = spsim("structural", "baseline", "no_social_prescribing", "--replicates", "2", "--years", "0.25",
                 "--population", "3000", "--alternatives", str(alternatives), "--out", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    for name in ("structural.csv", "tornado.csv", "checks.csv", "report.md", "figures/tornado.png"):
        assert (out / name).is_file(), name
    table = pd.read_csv(out / "structural.csv")
    assert set(table["entry"]) == {"base", "tornado.slope", "alternative.no_savings"}
    report = (out / "report.md").read_text()
    assert "The brief's two checks" in report and "QALYs per person referred at 12 months" in report
    assert "| NHS perspective | NHS and VCSE groups |" in report and table["incremental_nmb_20k_wider_gbp"].notna().all()
    # a lower utility slope can only lower the QALYs, common random numbers giving the same people
    slope = table.set_index("entry")
    assert slope.loc["tornado.slope", "extra_qalys"] < slope.loc["base", "extra_qalys"]


def test_spsim_structural_refuses_one_replicate_and_a_bad_file_in_one_line(tmp_path):
    done = spsim("structural", "--replicates", "1", "--out", str(tmp_path / "o"))
    assert done.returncode == 2 and "at least 2" in done.stderr and not (tmp_path / "o").exists()
    bad = tmp_path / "bad.toml"
    bad.write_text("[tornado.x]\nlabel = 'x'\nends = { a = { nope = 1 } }\n")
    done = spsim("structural", "--alternatives", str(bad), "--out", str(tmp_path / "p"))
    assert done.returncode == 2 and "unknown parameter" in done.stderr and not (tmp_path / "p").exists()


def test_a_run_report_prints_the_brief_checks_and_explains_a_far_low_icer():
    from spsim.experiments.analysis import brief_checks

    # 30 QALYs for 1,000 referred at 12 months, 60,000 GBP: 0.03 a referral, 2,000 GBP per QALY
    reps = replicate_rows({"baseline": [(29, 59_000, 70_000, -10_000), (31, 61_000, 70_000, -10_000)],
                           "no_social_prescribing": [(0, 0, 0, 0), (0, 0, 0, 0)]})  # fmt: skip
    lines = "\n".join(brief_checks.run_lines(reps, "baseline", "no_social_prescribing", 1.0))
    assert "at 12 months" in lines and "0.0300, **above** the brief's (1.5 times)" in lines
    assert "2,000 GBP per QALY, is far below 20,000" in lines and "offset 14% of the service's cost" in lines
    assert brief_checks.run_lines(reps, "baseline", None, 1.0) == []  # no counterfactual: nothing to check against
    modest = replicate_rows({"baseline": [(14, 239_000, 240_000, 0), (16, 241_000, 240_000, 0)],
                             "no_social_prescribing": [(0, 0, 0, 0), (0, 0, 0, 0)]})  # fmt: skip
    text = "\n".join(brief_checks.run_lines(modest, "baseline", "no_social_prescribing", 3.0))
    assert "over the 3-year horizon" in text and "within the brief's" in text and "far below" not in text
