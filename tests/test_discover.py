"""`spsim discover` (issue 16): PRIM recovers a planted rule from a synthetic PSA, writes its box, and refuses
what is not a PSA in one line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spsim.experiments.cli import commands as cli

from spsim.experiments.uncertainty import discover
def synthetic_psa(folder, draws: int = 300, seed: int = 1) -> pd.DataFrame:
    """A PSA folder where `grants` beats `link_workers` exactly when groups_per_100k < 0.3 and
    referral_rate > 0.6 (parameters on 0-1), with 3% of draws flipped by chance."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.random((draws, 4)), columns=["groups_per_100k", "referral_rate", "uptake", "noise"])
    wins = ((x["groups_per_100k"] < 0.3) & (x["referral_rate"] > 0.6)).to_numpy() ^ (rng.random(draws) < 0.03)
    return write_psa(folder, x, np.where(wins, 12.0, 8.0))


def write_psa(folder, x: pd.DataFrame, grants_qalys) -> pd.DataFrame:
    """A PSA folder of draws ``x``: `link_workers` gains 10 QALYs and `grants` ``grants_qalys`` (per draw), both
    for 100,000 GBP, against `baseline`."""
    rows = []
    for point, qalys in enumerate(grants_qalys):
        rows += [{"point": point, "scenario": "baseline", "extra_qalys": 0.0, "extra_cost_gbp": 0.0},
                 {"point": point, "scenario": "link_workers", "extra_qalys": 10.0, "extra_cost_gbp": 100_000.0},
                 {"point": point, "scenario": "grants", "extra_qalys": float(qalys), "extra_cost_gbp": 100_000.0}]
    folder.mkdir()
    x.rename_axis("draw").reset_index().to_csv(folder / "draws.csv", index=False)
    pd.DataFrame(rows).to_csv(folder / "incremental.csv", index=False)
    return x


@pytest.mark.slow
def test_prim_recovers_a_planted_rule(tmp_path):
    synthetic_psa(tmp_path / "psa")
    box = discover.run(tmp_path / "psa", "grants", "link_workers", tmp_path / "out", labels="drawn")
    assert set(box.limits) == {"groups_per_100k", "referral_rate"}  # the noise and uptake are not restricted
    # recovered up to the noise (the box trades some precision for coverage at 80% density)
    assert box.limits["groups_per_100k"][1] == pytest.approx(0.3, abs=0.08)
    assert box.limits["referral_rate"][0] == pytest.approx(0.6, abs=0.08)
    assert box.density >= 0.8 and box.coverage >= 0.6
    text = (tmp_path / "out" / "discover.md").read_text()
    assert "`grants` beats `link_workers` when `groups_per_100k` is below 0.36 and `referral_rate` is from 0.606" in text
    assert len(pd.read_csv(tmp_path / "out" / "box.csv")) == 2
    assert (tmp_path / "out" / "discover.png").stat().st_size > 1000


def test_nothing_to_discover_and_not_a_psa_are_one_line(tmp_path, capsys):
    synthetic_psa(tmp_path / "psa")
    for argv, message in (
        (["--from", str(tmp_path)], "not a spsim psa folder"),
        (["--from", str(tmp_path / "psa"), "--policy", "grants", "--over", "nobody"], "--over 'nobody'"),
        (["--from", str(tmp_path / "psa"), "--policy", "baseline", "--over", "baseline"], "nothing to discover"),
        (["--from", str(tmp_path / "psa"), "--density", "0"], "--density"),
    ):
        code = cli.main(["discover", *argv, "--out", str(tmp_path / "out")])
        err = capsys.readouterr().err
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err
        assert not (tmp_path / "out").exists()


def noisy_psa(folder, draws: int = 400, seed: int = 2) -> pd.DataFrame:
    """A PSA folder where `grants` is expected to beat `link_workers` by 20,000 GBP of net benefit exactly when
    groups_per_100k < 0.4, and to lose by as much elsewhere, but each draw (one replicate) adds chance with twice
    that spread: a third of the draws' own differences have the wrong sign."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.random((draws, 4)), columns=["groups_per_100k", "referral_rate", "uptake", "noise"])
    expected = np.where(x["groups_per_100k"] < 0.4, 1.0, -1.0)  # QALYs at 20,000 GBP each
    return write_psa(folder, x, 10.0 + expected + rng.normal(0, 2.0, draws))


@pytest.mark.slow
def test_expected_labels_find_the_rule_that_chance_hides(tmp_path):
    """With chance twice the size of the effect, the draws' own wins hold no dense box; labelled by the expected
    difference given the parameters (regression, as the value of information does it) the rule comes back."""
    noisy_psa(tmp_path / "psa")
    drawn = discover.run(tmp_path / "psa", "grants", "link_workers", tmp_path / "drawn", labels="drawn")
    expected = discover.run(tmp_path / "psa", "grants", "link_workers", tmp_path / "expected")
    # chance: the draws' own wins give a box that covers a quarter of them and restricts parameters that do nothing
    assert drawn.coverage < 0.5 and set(drawn.limits) - {"groups_per_100k"}
    assert set(expected.limits) == {"groups_per_100k"}
    assert expected.limits["groups_per_100k"][1] == pytest.approx(0.4, abs=0.1)  # a step, smoothed by the fit
    assert expected.density >= 0.8 and expected.coverage >= 0.8
    text = (tmp_path / "expected" / "discover.md").read_text()
    assert "expected difference given its parameters" in text and "`grants` beats `link_workers` when" in text


def test_a_box_less_dense_than_asked_is_no_sharp_rule():
    box = discover.Box({"uptake": (0.0, 0.5)}, {"uptake": (0.0, 1.0)}, coverage=0.9, density=0.4, mass=0.5,
                       cases=300, draws=1000, trajectory=pd.DataFrame())
    words = discover.in_words(box, "grants", "link_workers", density=0.8)
    assert words.startswith("No sharp rule: no box reaches 80% density.") and "300 of 1000 draws (30%)" in words
    assert "most often ahead when `uptake` is below 0.5" in words
    assert discover.in_words(box, "grants", "link_workers", density=0.4).startswith("`grants` beats `link_workers` when")
