"""The decision rule: incremental analysis by hand, net benefit, and when a scenario may be said to do best."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from spsim.experiments.analysis import intervals
from spsim.experiments.analysis import statistics as analysis

from spsim.experiments.analysis import decisions

from spsim.experiments.reporting import report
from spsim.experiments.runs.metrics import EXTRA_COLUMNS, REPLICATE_COLUMNS


def replicates(columns: dict[str, dict[str, list[float]]]) -> pd.DataFrame:
    """replicates.csv rows from {column: {scenario: [value per replicate]}}; other columns 0."""
    first = next(iter(columns.values()))
    rows = []
    for scenario, values in first.items():
        for r in range(len(values)):
            row = dict.fromkeys(REPLICATE_COLUMNS + EXTRA_COLUMNS, 0.0)
            row.update({"scenario": scenario, "replicate": r, "seed": r})
            row.update({column: per[scenario][r] for column, per in columns.items()})
            rows.append(row)
    return pd.DataFrame(rows)


def costs_and_effects(options: dict[str, tuple[float, float]], cost_noise, effect_noise) -> pd.DataFrame:
    """Each option's (mean cost, mean effect), plus noise shared by replicate r in every option (paired), in the
    columns the decision uses (net cost and QALYs gained)."""
    return replicates({
        decisions.COST: {name: [c + n for n in cost_noise] for name, (c, _) in options.items()},
        decisions.EFFECT: {name: [e + n for n in effect_noise] for name, (_, e) in options.items()},
    })  # fmt: skip


def render(reps: pd.DataFrame, order: list[str]) -> str:
    manifest = {"years": 1, "seed": 1, "scenarios": {name: {"population": 10_000} for name in order}}
    comp = analysis.comparison(reps, order)
    return report.render(comp, None, reps, order, {}, manifest, [], Path("."))


def brief(text: str, topic: str) -> str:
    """The answer-in-brief line on one topic."""
    return next(line for line in text.splitlines() if line.startswith(f"- **{topic}"))


# Seven options, by hand (cost in GBP, effect in SWEMWBS points), A the reference:
#   A (100, 10)  cheapest                                         -> frontier, no ICER
#   B (150,  8)  dearer than A and less effective                 -> dominated
#   C (200, 14)  ICER vs A = 100/4 = 25, but D vs C = 100/6 = 16.7 -> extendedly dominated
#   D (300, 20)  ICER vs A (C removed) = 200/10 = 20              -> frontier
#   G (300, 20)  exactly D's cost and effect, named after D       -> dominated (the first named is kept)
#   E (500, 25)  ICER vs D = 200/5 = 40                           -> frontier
#   F (500, 22)  as dear as E and less effective                  -> dominated
HAND = {"A": (100, 10), "B": (150, 8), "C": (200, 14), "D": (300, 20), "E": (500, 25), "F": (500, 22), "G": (300, 20)}


def test_a_hand_computed_incremental_analysis_is_reproduced():
    reps = costs_and_effects(HAND, cost_noise=[-5.0, 0.0, 5.0], effect_noise=[-1.0, 0.0, 1.0])
    table = decisions.incremental_analysis(reps, list(HAND), value_per_unit=30.0).set_index("scenario")
    assert list(table.index) == ["A", "B", "C", "D", "G", "E", "F"]  # by cost; at equal cost the better first
    assert table["status"].to_dict() == {"A": "ND", "B": "D", "C": "ED", "D": "ND", "G": "D", "E": "ND", "F": "D"}
    frontier = table[table["status"] == "ND"]
    assert pd.isna(frontier["compared_with"].iloc[0]) and frontier["compared_with"].iloc[1:].tolist() == ["A", "D"]
    assert frontier["icer"].iloc[1:].tolist() == [20.0, 40.0] and math.isnan(frontier["icer"].iloc[0])
    assert frontier["incremental_cost_gbp"].iloc[1:].tolist() == [200.0, 200.0]
    assert frontier["incremental_effect"].iloc[1:].tolist() == [10.0, 5.0]
    assert table.loc[["B", "C", "G", "F"], "icer"].isna().all()
    # the means and the paired differences from the reference (noise shared by replicate: zero-width intervals)
    assert table.loc["D", ["cost_gbp", "effect"]].tolist() == [300.0, 20.0]
    assert table.loc["D", ["cost_vs_reference_gbp", "cost_vs_reference_ci_low", "cost_vs_reference_ci_high"]].tolist() == [200.0] * 3
    # NMB at 30 GBP a point: A 200, B 90, C 220, D 300, G 300, E 250, F 160; D before G (named first)
    assert table["nmb_gbp"].to_dict() == {"A": 200.0, "B": 90.0, "C": 220.0, "D": 300.0, "G": 300.0, "E": 250.0,
                                          "F": 160.0}  # fmt: skip
    assert table["nmb_rank"].to_dict() == {"D": 1, "G": 2, "E": 3, "C": 4, "A": 5, "F": 6, "B": 7}
    assert table.loc["D", "nmb_vs_reference_gbp"] == 100.0
    assert list(table.reset_index().columns) == decisions.INCREMENTAL_COLUMNS
    # above the frontier's last ICER (40), the most effective frontier option is the decision
    assert decisions.decision(reps, list(HAND), value_per_unit=50.0).best == "E"


def test_removing_an_extendedly_dominated_option_can_expose_an_earlier_one():
    # P1's ICER (10) is below P2's (11), so P1 looks fine until P2 (ICER 11, then P3's 0.1) is removed:
    # P1 to P3 costs 12 for 11 points (1.09 a point), less than P1's own 10, so P1 is extendedly dominated too
    options = pd.Series({"P0": 0.0, "P1": 10.0, "P2": 21.0, "P3": 22.0}), pd.Series({"P0": 0, "P1": 1, "P2": 2, "P3": 12})
    table = decisions.efficiency_frontier(*options)
    assert table["status"].to_dict() == {"P0": "ND", "P1": "ED", "P2": "ED", "P3": "ND"}
    assert table.loc["P3", "icer"] == pytest.approx(22 / 12) and table.loc["P3", "compared_with"] == "P0"


def test_collinear_options_all_stay_on_the_frontier():
    table = decisions.efficiency_frontier(pd.Series({"a": 0.0, "b": 0.3, "c": 0.6}), pd.Series({"a": 0.0, "b": 0.1,
                                                                                               "c": 0.2}))  # fmt: skip
    assert table["status"].tolist() == ["ND", "ND", "ND"]  # equal ICERs (3.0, up to rounding): not extended dominance


def test_a_cheaper_and_better_scenario_is_chosen_not_dropped():
    # X costs less than the reference and gains more (a negative ratio, which the old rule dropped); Y gains
    # 0.03 QALYs more than X for 1,100 GBP more (36,667 GBP a QALY), not worth it at 20,000 a QALY
    options = {"R": (1000.0, 1.5), "X": (900.0, 1.65), "Y": (2000.0, 1.68)}
    reps = costs_and_effects(options, cost_noise=[-10.0, 0.0, 10.0, 5.0], effect_noise=[-0.015, 0.0, 0.015, 0.0075])
    reps.loc[reps["scenario"] == "Y", decisions.EFFECT] += [0.003, -0.0015, 0.0015, -0.003]  # Y's own chance
    order = list(options)
    table = decisions.incremental_analysis(reps, order).set_index("scenario")
    assert table["status"].to_dict() == {"X": "ND", "R": "D", "Y": "ND"}
    assert table.loc["Y", "icer"] == pytest.approx(1100 / 0.03) and table.loc["Y", "compared_with"] == "X"
    assert table.loc["X", "nmb_rank"] == 1 and table.loc["X", "value_per_unit_gbp"] == 20_000.0
    chosen = decisions.decision(reps, order)
    assert (chosen.best, chosen.runner_up, chosen.clear) == ("X", "Y", True)
    assert chosen.difference[0] == pytest.approx(20_000 * -0.03 + 1100)  # X minus Y: 500 GBP of net benefit
    line = brief(render(reps, order), "Value for money")
    assert "`X` does best" in line and "`Y` does best" not in line


def test_no_clear_difference_when_the_interval_of_best_minus_runner_up_includes_zero():
    ref = [1.0, 1.1, 0.9, 1.0]
    a = [r + d for r, d in zip(ref, [0.5, 0.6, 0.4, 0.5], strict=True)]
    close = [x + d for x, d in zip(a, [0.05, -0.04, 0.02, -0.01], strict=True)]  # b - a: mean 0.005, spans zero
    reps = replicates({"mean_swemwbs_change": {"ref": ref, "a": a, "b": close}})
    verdict = decisions.verdicts(reps, ["ref", "a", "b"])[0]
    assert (verdict.question, verdict.best, verdict.runner_up) == ("wellbeing", "b", "a")
    assert verdict.difference[1] < 0 < verdict.difference[2] and not verdict.clear
    assert verdict.against_reference[1] > 0  # clearly better than the reference, yet not clearly the best
    line = brief(render(reps, ["ref", "a", "b"]), "Wellbeing")
    assert "no clear difference between `b`" in line and "`a`" in line and "does best" not in line

    ahead = [x + d for x, d in zip(a, [0.05, 0.04, 0.06, 0.05], strict=True)]  # b - a: 0.05 every time, or nearly
    reps = replicates({"mean_swemwbs_change": {"ref": ref, "a": a, "b": ahead}})
    verdict = decisions.verdicts(reps, ["ref", "a", "b"])[0]
    assert verdict.clear and verdict.difference[1] > 0
    assert "`b` does best" in brief(render(reps, ["ref", "a", "b"]), "Wellbeing")


def test_one_replicate_gives_no_interval_and_so_no_winner():
    reps = replicates({"mean_swemwbs_change": {"ref": [1.0], "a": [2.0]}})
    verdict = decisions.verdicts(reps, ["ref", "a"])[0]
    assert verdict.best == "a" and not verdict.clear
    assert "no clear difference between `a`" in brief(render(reps, ["ref", "a"]), "Wellbeing")


def test_a_share_keeps_its_interval_inside_zero_to_one():
    near_one = [0.98, 1.0, 1.0, 0.99, 1.0]
    assert intervals.interval(near_one, share=False)[2] > 1.0  # what a t-interval does
    m, lo, hi = intervals.interval(near_one, share=True)
    assert 0.98 <= lo < m < hi <= 1.0
    # a verdict on a share uses the bootstrap too: the interval stays within the paired differences observed
    reps = replicates({"vcse_uptake_rate": {"ref": [0.98, 1.0, 1.0, 0.99], "a": [1.0, 1.0, 1.0, 1.0]}})
    verdict = next(v for v in decisions.verdicts(reps, ["ref", "a"]) if v.metric == "vcse_uptake_rate")
    assert verdict.best == "a" and 0.0 <= verdict.against_reference[1] <= verdict.against_reference[2] <= 0.02 + 1e-12


def test_the_report_warns_when_replicates_are_too_few():
    assert decisions.replicate_warning(decisions.MIN_STABLE_REPLICATES) is None
    assert "fewer than 10" in decisions.replicate_warning(9)
    effect = [float(10 + r) for r in range(10)]
    few = replicates({"swemwbs_points_gained": {"ref": effect[:3], "a": [e + 1 for e in effect[:3]]}})
    enough = replicates({"swemwbs_points_gained": {"ref": effect, "a": [e + 1 for e in effect]}})
    assert "**Warning:** Only 3 paired replicates per scenario" in render(few, ["ref", "a"])
    assert "**Warning:**" not in render(enough, ["ref", "a"])


def test_the_report_has_an_incremental_analysis_table():
    reps = costs_and_effects(HAND, cost_noise=[-5.0, 0.0, 5.0], effect_noise=[-1.0, 0.0, 1.0])
    text = render(reps, list(HAND))
    table = text.split("## Incremental analysis", 1)[1].split("## Tables", 1)[0]
    rows = {line.split("|")[1].strip(" *`"): [c.strip() for c in line.split("|")[2:-1]]
            for line in table.splitlines() if line.startswith("| ") and "`" in line.split("|")[1]}  # fmt: skip
    assert list(rows) == ["A", "B", "C", "D", "G", "E", "F"]
    assert rows["C"][5] == "extendedly dominated" and rows["B"][5] == "dominated" and rows["D"][5] == "frontier"
    assert rows["D"][4] == "20 vs `A`" and rows["E"][4] == "40 vs `D`" and rows["A"][4] == "cheapest on the frontier"
    assert rows["D"][2] == "+200 (+200 to +200)" and rows["A"][2] == "reference"
