"""`spsim decision-map` (issue 27, item 6): which option is best where, on a grid of two parameters."""

import math

import numpy as np
import pandas as pd
import pytest

from spsim.experiments.cli.commands import main
from spsim.experiments.runs.design import DesignError
from spsim.experiments.uncertainty import decision_map


def test_an_axis_is_a_parameter_over_its_plausible_range_or_the_range_given():
    a = decision_map.axis("referral_rate_per_1000", 3)
    assert (a.low, a.high) == (8.0, 30.0) and a.values() == [8.0, 19.0, 30.0]
    b = decision_map.axis("groups_per_100k=40:80", 5)
    assert b.values() == [40, 50, 60, 70, 80]


@pytest.mark.parametrize("text, steps, says", [
    ("not_a_parameter", 3, "not a numeric parameter"),
    ("social_prescribing", 3, "not a numeric parameter"),  # an on/off switch
    ("groups_per_100k=80:40", 3, "LOW must be below HIGH"),
    ("groups_per_100k=a:b", 3, "two numbers"),
    ("groups_per_100k=-5:40", 3, "within"),
    ("groups_per_100k", 1, "--steps"),
    ("groups_per_100k", 13, "--steps"),
])  # fmt: skip
def test_a_bad_axis_is_one_line(text, steps, says):
    with pytest.raises(DesignError, match=says) as err:
        decision_map.axis(text, steps)
    assert "\n" not in str(err.value)


def _runs(x, y, replicates: int, effects: dict, noise: float = 1.0) -> pd.DataFrame:
    """Synthetic runs: option o at cell (i, j) gains effects[o](vx, vy), plus paired noise."""
    rng = np.random.default_rng(0)
    rows = []
    for point, cell in enumerate(decision_map.cells(x, y)):
        for r in range(replicates):
            shared = rng.normal(0, 100)  # the replicate's chance, common to every option (paired seeds)
            for option, effect in effects.items():
                value = shared + effect(cell[x.parameter], cell[y.parameter]) + rng.normal(0, noise)
                rows.append({"point": point, "replicate": r, "scenario": option, "nmb": value})
    return pd.DataFrame(rows)


def test_each_cell_names_its_best_option_and_says_when_it_is_not_clear():
    x, y = decision_map.axis("referral_rate_per_1000=10:30", 3), decision_map.axis("groups_per_100k=20:100", 2)
    effects = {"baseline": lambda vx, vy: 0.0,
               "more_link_workers": lambda vx, vy: 50.0 * (vx - 20),  # pays where referrals are many
               "fund_vcse": lambda vx, vy: 1000.0 if vy < 50 else 0.5}  # pays where groups are few  # fmt: skip
    table = decision_map.best_options(_runs(x, y, 5, effects), list(effects), x, y, "nmb")
    cells = table.drop_duplicates("point").set_index(["referral_rate_per_1000", "groups_per_100k"])
    assert cells.loc[(10.0, 20), "best"] == "fund_vcse" and cells.loc[(10.0, 20), "best_clear"]
    assert cells.loc[(30.0, 100), "best"] == "more_link_workers" and cells.loc[(30.0, 100), "best_clear"]
    # at 20 referrals per 1,000 and many groups, fund_vcse is 0.5 ahead of baseline: within the noise
    assert cells.loc[(20.0, 100), "best"] in ("fund_vcse", "baseline") and not cells.loc[(20.0, 100), "best_clear"]
    ref = table[table["option"] == "baseline"]
    assert (ref["nmb_vs_reference"] == 0).all()


def test_one_replicate_gives_no_interval_and_no_clear_cell():
    x, y = decision_map.axis("referral_rate_per_1000=10:30", 2), decision_map.axis("groups_per_100k=20:100", 2)
    effects = {"baseline": lambda vx, vy: 0.0, "fund_vcse": lambda vx, vy: 1000.0}
    table = decision_map.best_options(_runs(x, y, 1, effects), list(effects), x, y, "nmb")
    assert table["best_clear"].isna().all() and table["ci_low"].isna().any()
    assert math.isnan(table[table["option"] == "fund_vcse"]["ci_low"].iloc[0])


def test_the_command_writes_the_map(tmp_path, capsys):
    out = tmp_path / "map"
    code = main(["decision-map", "baseline", "fund_vcse", "--steps", "2", "--replicates", "2", "--years", "0.25",
                 "--warmup-years", "0.1", "--population", "10000", "--out", str(out)])  # fmt: skip
    assert code == 0
    table = pd.read_csv(out / "map.csv")
    assert len(table) == 2 * 2 * 2 and set(table["option"]) == {"baseline", "fund_vcse"}
    assert (out / "decision_map.png").stat().st_size > 0
    text = (out / "decision_map.md").read_text()
    assert "Clearly best in" in text and "referral\\_rate\\_per\\_1000" in text


def test_the_same_parameter_on_both_axes_is_refused(tmp_path, capsys):
    code = main(["decision-map", "--x", "groups_per_100k", "--y", "groups_per_100k", "--out", str(tmp_path / "m")])
    assert code == 2 and not (tmp_path / "m").exists()
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
