"""Sensitivity analysis and PSA: the design engine, the arithmetic by hand, and tiny runs (calibration is in
test_calibration.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spsim.experiments.analysis.net_benefit import best_scenario, net_benefit
from spsim.experiments.cli import commands as cli
from spsim.experiments.inputs import scenario as scenarios
from spsim.experiments.runs.design import Design, DesignError
from spsim.experiments.runs.uncertain_parameters import uncertain_parameters
from spsim.experiments.uncertainty import psa, psa_analysis, sensitivity

TINY = {"years": 0.5, "warmup_years": 0.25, "population": 5_000, "seed": 3}


def test_uncertain_parameters_leave_out_decisions_switches_and_fixed_values():
    names = {p.name for p in uncertain_parameters()}
    assert "uptake_prob" in names and "swemwbs_gain_max" in names
    assert not names & {"link_workers_per_100k", "population", "follow_up_weeks", "social_prescribing", "open_door"}
    with pytest.raises(DesignError, match="unknown parameter 'nope'"):
        uncertain_parameters(["nope"])
    with pytest.raises(DesignError, match="open_door has no range"):
        uncertain_parameters(["open_door"])


def _design(points, **kw):
    base = {"scenarios": [scenarios.load("baseline"), scenarios.load("no_social_prescribing")], "replicates": 2,
            "weeks": 26, "warmup_weeks": 13, "place": {"population": 5_000}, "seed": 9}  # fmt: skip
    return Design(points=points, **{**base, **kw})


def test_common_random_numbers_across_points_and_own_seeds_per_draw():
    points = [{"uptake_prob": 0.5}, {"uptake_prob": 0.7}]
    crn = _design(points).tasks()
    seeds = {(t.scenario.name, t.replicate): t.seed for t in crn}
    assert seeds[("baseline@p00000", 1)] == seeds[("baseline@p00001", 1)] == seeds[("no_social_prescribing@p00001", 1)]
    per_draw = _design(points, seeds_per_point=True).tasks()
    by_point = {t.scenario.name: t.seed for t in per_draw if t.replicate == 0}
    assert by_point["baseline@p00000"] != by_point["baseline@p00001"]
    assert by_point["baseline@p00001"] == by_point["no_social_prescribing@p00001"]  # still paired across scenarios


def test_the_scenario_wins_over_a_point_and_a_bad_point_is_refused_before_running():
    tasks = _design([{"social_prescribing": True}]).tasks()
    off = [t for t in tasks if t.scenario.name.startswith("no_social")][0]
    assert off.scenario.parameters["social_prescribing"] is False
    with pytest.raises(DesignError, match="design point 0: .*uptake_prob"):
        _design([{"uptake_prob": 1.5}]).check()


@pytest.mark.slow
def test_a_design_gives_the_same_table_on_any_number_of_workers_and_resumes(tmp_path):
    design = _design([{"uptake_prob": 0.45}, {"uptake_prob": 0.8}])
    one = design.run(tmp_path / "a", workers=1)
    two = design.run(tmp_path / "b", workers=2)
    pd.testing.assert_frame_equal(one, two)
    assert len(one) == 2 * 2 * 2 and list(one["point"].unique()) == [0, 1]
    shards = sorted((tmp_path / "a").glob("runs-*/replicates/*"))
    mtimes = [s.stat().st_mtime_ns for s in shards]
    again = design.run(tmp_path / "a", workers=1)  # everything is there: nothing runs again
    pd.testing.assert_frame_equal(one, again)
    assert [s.stat().st_mtime_ns for s in shards] == mtimes


def test_net_benefit_and_the_best_policy_by_hand():
    runs = pd.DataFrame({
        "point": [0, 0, 0, 1, 1, 1], "replicate": [0] * 6, "scenario": ["ref", "a", "b"] * 2,
        "qalys_gained": [1.0, 1.5, 3.0, 1.0, 1.1, 1.2], "net_cost_gbp": [1000, 2000, 70_000, 1000, 1500, 1100],
    })  # fmt: skip
    nb = net_benefit(runs, "ref", value_per_qaly=20_000.0).set_index(["point", "scenario"])["net_benefit_gbp"]
    assert nb[(0, "a")] == pytest.approx(20_000 * 0.5 - 1000) and nb[(0, "ref")] == 0
    assert nb[(0, "b")] == pytest.approx(20_000 * 2.0 - 69_000) and nb[(1, "b")] == pytest.approx(20_000 * 0.2 - 100)
    best = best_scenario(net_benefit(runs, "ref", 20_000.0), ["ref", "a", "b"])
    assert list(best) == ["a", "b"]


# two draws, extra QALYs and net cost against the reference
INCREMENTAL = pd.DataFrame({
    "point": [0, 0, 0, 1, 1, 1], "scenario": ["ref", "a", "b"] * 2,
    "extra_qalys": [0, 0.1, 0.4, 0, 0.1, 0.05], "extra_cost_gbp": [0, 1000, 10_000, 0, 500, 100],
})  # fmt: skip


def test_the_ceac_by_hand():
    curve = psa_analysis.ceac(INCREMENTAL, ["ref", "a", "b"], values=[0, 10_000, 40_000]).set_index("value_per_qaly_gbp")
    assert curve.loc[0].tolist() == [1.0, 0.0, 0.0]  # a QALY gained is worth nothing: spend nothing
    # at 10,000: draw 0 has a tied with ref at 0 (the reference wins a tie) and b at -6000; draw 1: a 500, b 400
    assert curve.loc[10_000].tolist() == [0.5, 0.5, 0.0]
    assert curve.loc[40_000].tolist() == [0.0, 0.5, 0.5]  # draw 0: b 6000 > a 3000; draw 1: a 3500 > b 1900
    assert np.allclose(curve.sum(axis=1), 1.0)


def test_the_monte_carlo_expected_value_of_perfect_information_by_hand():
    # at 40,000: net benefits (ref, a, b) are (0, 3000, 6000) and (0, 3500, 1900); the best on average is b
    # (3,950 against a's 3,250), and knowing the draw first would give (6000 + 3500) / 2 = 4,750
    assert psa_analysis.monte_carlo_evpi(INCREMENTAL, ["ref", "a", "b"], 40_000) == pytest.approx(4_750 - 3_950)
    # at 0 the reference always wins: nothing to learn
    assert psa_analysis.monte_carlo_evpi(INCREMENTAL, ["ref", "a", "b"], 0) == 0


def test_psa_draws_follow_the_registrys_distributions():
    from spsim.experiments.runs.uncertain_parameters import from_unit_interval
    from spsim.model.parameters import registry

    u = np.array([0.025, 0.5, 0.975])
    cost = registry()["cmht_contact_cost_gbp"]  # gamma, mean 286, range 150-400 as its central 95%
    draws = from_unit_interval(cost, np.random.default_rng(1).random(20_000))
    assert draws.mean() == pytest.approx(cost.value, rel=0.02) and draws.min() > 0
    ratio = registry()["ls_per_swemwbs_point"]  # log-normal, median 0.26, 0.15-0.45 as its central 95%
    low, median, high = from_unit_interval(ratio, u)
    # the range's ratio is 3, so the central 95% spans 3 around the median: 0.26 / sqrt(3) to 0.26 x sqrt(3)
    assert median == pytest.approx(0.26) and low == pytest.approx(0.26 / 3**0.5, rel=1e-4)  # z 1.95996, not 1.96
    assert high / median == pytest.approx(median / low)
    share = registry()["utility_at_population_swemwbs"]  # beta: stays a utility
    assert ((lambda v: (v > 0) & (v < 1))(from_unit_interval(share, np.linspace(0.001, 0.999, 50)))).all()
    uniform = registry()["wellby_value_gbp"]
    assert from_unit_interval(uniform, u).tolist() == pytest.approx([10_150, 13_000, 15_850])


def test_morris_and_sobol_rank_a_parameter_that_matters_above_one_that_does_not():
    problem = {"num_vars": 3, "names": ["strong", "weak", "none"], "bounds": [[0, 1]] * 3}
    for method, n in (("morris", 20), ("sobol", 256)):
        x = sensitivity.sample(method, problem, n, seed=1)
        y = 10 * x[:, 0] + x[:, 1]
        table = sensitivity.indices(method, problem, x, y, seed=1).set_index("parameter")["importance"]
        assert table["strong"] > table["weak"] > table["none"] - 0.02, (method, table.to_dict())


def test_sensitivity_end_to_end_on_a_tiny_design(tmp_path):
    chosen = [scenarios.load("baseline"), scenarios.load("no_social_prescribing")]
    result = sensitivity.run("morris", chosen, ["uptake_prob", "dropout_hazard"], 2, 1, out=tmp_path, **TINY)
    table = result["indices"]
    assert len(table) == 2 * (len(sensitivity.OUTCOMES) + 1)
    assert set(result["best"]) <= {"baseline", "no_social_prescribing"}
    for name in ("samples.csv", "runs.csv", "net_benefit.csv", "indices.csv", "sensitivity.png", "sensitivity.md"):
        assert (tmp_path / name).stat().st_size > 0
    text = " ".join((tmp_path / "sensitivity.md").read_text().split())
    assert "Does the ranking of the policies change?" in text
    # two trajectories of three points each: the shares are of two neighbourhoods, not probabilities
    assert "2 Morris trajectories" in text and "3 points are neighbours" in text and "carries chance" in text


def test_psa_end_to_end_on_a_tiny_design(tmp_path):
    chosen = [scenarios.load("no_social_prescribing"), scenarios.load("baseline")]
    curve = psa.run(chosen, 3, out=tmp_path, parameter_names=["uptake_prob", "swemwbs_gain_max"], replicates=2, **TINY)
    incremental = pd.read_csv(tmp_path / "incremental.csv")
    assert len(incremental) == 3 * 2  # a draw's replicates are averaged: one row per draw and scenario
    assert len(pd.read_csv(tmp_path / "runs.csv")) == 3 * 2 * 2
    assert np.allclose(curve[["no_social_prescribing", "baseline"]].sum(axis=1), 1.0)
    assert curve.loc[curve["value_per_qaly_gbp"] == 0, "no_social_prescribing"].item() == 1.0  # costs nothing
    assert set(pd.read_csv(tmp_path / "evpi.csv")["value_per_qaly_gbp"]) == {20_000, 30_000}
    draws = pd.read_csv(tmp_path / "draws.csv")
    assert len(draws) == 3 and draws["uptake_prob"].between(0.4, 0.8).all()
    assert (tmp_path / "ceac.png").stat().st_size > 1000


@pytest.mark.parametrize(
    "argv, message",
    [
        (["calibrate", "--accept", "2"], "spsim calibrate: --accept 2.0: must be above 0 and at most 1"),
        (["sensitivity", "baseline"], "spsim sensitivity: name at least two scenarios"),
        (["sensitivity", "baseline", "fund_vcse", "--parameters", "nope"], "spsim sensitivity: --parameters: unknown"),
        (["psa", "baseline", "fund_vcse", "--draws", "1"], "spsim psa: --draws 1: must be from 2 to 10,000"),
        (["sensitivity", "--top", "3", "--parameters", "uptake_prob"], "spsim sensitivity: give --parameters or --top"),
        (["sensitivity", "--top", "3", "--from", "/nonexistent"], "spsim sensitivity: --from /nonexistent: no indices"),
        (["calibrate", "--confirm-population", "10"], "spsim calibrate: --confirm-population 10: must be from 1000"),
        (["psa", "--population", "10"], "spsim psa: --population 10: must be at least 1000"),
    ],
)
def test_bad_design_input_is_one_line_and_exit_code_2(argv, message, capsys, tmp_path):
    assert cli.main([*argv, "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(message), err
    assert not (tmp_path / "x").exists()


def test_sobol_can_follow_morris_on_the_parameters_that_swing_net_benefit(tmp_path):
    pd.DataFrame({
        "outcome": ["net benefit of a vs ref"] * 3 + ["net benefit of b vs ref"] * 3 + ["commissioner cost"] * 3,
        "parameter": ["p", "q", "r"] * 3,
        "mu_star": [10.0, 1.0, 0.0, 0.0, 2.0, 1.0, 0.0, 0.0, 99.0],
        "importance": [10.0, 1.0, 0.0, 0.0, 2.0, 1.0, 0.0, 0.0, 99.0],
    }).to_csv(tmp_path / "indices.csv", index=False)  # fmt: skip
    # p leads outcome a (1.0), q leads outcome b (1.0); r is 0.5 of b's leader; cost-only influence is ignored
    assert sensitivity.leading_parameters(tmp_path / "indices.csv", 2) == ["p", "q"]
    assert sensitivity.leading_parameters(tmp_path / "indices.csv", 3) == ["p", "q", "r"]
    with pytest.raises(DesignError, match="no indices.csv there"):
        sensitivity.leading_parameters(tmp_path / "nowhere" / "indices.csv", 2)


def test_sensitivity_says_how_many_missing_values_it_filled(capsys):
    problem = {"num_vars": 2, "names": ["uptake_prob", "dropout_hazard"], "bounds": [[0.4, 0.8], [0.02, 0.1]]}
    x = sensitivity.sample("morris", problem, 2, seed=1)
    rows = []
    for point in range(len(x)):
        for name, cost in (("baseline", 100.0), ("fund_vcse", 200.0)):
            rows.append({"point": point, "scenario": name, "replicate": 0, "qalys_gained": 0.1 + point / 100,
                         "net_cost_gbp": cost, **{column: float(point) for column in sensitivity.OUTCOMES}})  # fmt: skip
    runs = pd.DataFrame(rows)
    empty = (runs["scenario"] == "baseline") & runs["point"].isin([2, 4])  # nobody measured at two points
    runs.loc[empty, "mean_swemwbs_change"] = np.nan
    chosen = [scenarios.load("baseline"), scenarios.load("fund_vcse")]
    table, _, best = sensitivity.analyse("morris", problem, x, runs, chosen, 20_000.0, seed=1)
    assert sensitivity.filled_points(table) == {"wellbeing change (SWEMWBS)": 2}
    err = capsys.readouterr().err
    assert f"wellbeing change (SWEMWBS): 2 of {len(x)} sample points had no value" in err
    assert err.count("spsim sensitivity:") == 1
    settings = {"points": len(x), "parameters": 2, "replicates": 1, "population": 5_000, "years": 1, "warmup_years": 0,
                "samples": 2}
    text = sensitivity.render("morris", table, best, best, ["baseline", "fund_vcse"], 20_000.0, settings)
    assert f"- wellbeing change (SWEMWBS): 2 of {len(x)} points filled" in text
