"""`spsim psa --from DIR` (issue 26 item 8): a finished PSA analysed again without running the model writes the
same analysis as the run did, and a folder that is not a finished PSA is refused in one line, exit 2, with
nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from spsim.experiments.cli import commands as cli
from spsim.experiments.inputs import scenario as scenarios
from spsim.experiments.uncertainty import psa

ANALYSIS = ["incremental.csv", "ceac.csv", "evpi.csv", "evppi.csv", "psa.md"]


def stored_psa(folder: Path, draws: int = 30, seed: int = 2) -> Path:
    """A PSA folder as `spsim psa` leaves it (marked, runs.csv, draws.csv, settings.json), without the model:
    3 scenarios x 2 replicates; the funded option's QALYs follow swemwbs_gain_max, plus chance."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"swemwbs_gain_max": rng.uniform(2.9, 4.8, draws), "lw_cost_per_fte_year_gbp":
                      rng.uniform(36_000, 45_000, draws)})  # fmt: skip
    rows = []
    for point in range(draws):
        for replicate in range(2):
            for scenario, qalys, cost in (("baseline", 10.0, 100_000.0),
                                          ("more_link_workers", 10 + 8 * (x.at[point, "swemwbs_gain_max"] - 3.8),
                                           160_000 + x.at[point, "lw_cost_per_fte_year_gbp"]),
                                          ("fund_vcse", 12.0, 150_000.0)):  # fmt: skip
                rows.append({"point": point, "scenario": scenario, "replicate": replicate, "seed": 7 + replicate,
                             "qalys_gained": qalys + rng.normal(0, 1), "net_cost_gbp": cost + rng.normal(0, 5_000),
                             "population": 50_000, "weeks": 156})  # fmt: skip
    folder.mkdir()
    (folder / ".spsim-output").write_text('{"spsim_output": 1}\n')
    x.rename_axis("draw").reset_index().to_csv(folder / "draws.csv", index=False)
    pd.DataFrame(rows).to_csv(folder / "runs.csv", index=False)
    (folder / "settings.json").write_text('{"warmup_years": 1.0, "seed": 9}\n')
    return folder


def snapshot(folder: Path) -> dict:
    if not folder.is_dir():
        return {"": folder.read_bytes()} if folder.exists() else {}
    return {p.name: "folder" if p.is_dir() else p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_psa_and_its_reanalysis_write_the_same_files(tmp_path):
    chosen = [scenarios.load("no_social_prescribing"), scenarios.load("baseline")]
    tiny = {"years": 0.5, "warmup_years": 0.25, "population": 5_000, "seed": 3}
    psa.run(chosen, 3, out=tmp_path, parameter_names=["uptake_prob", "swemwbs_gain_max"], replicates=2, **tiny)
    written = {name: (tmp_path / name).read_bytes() for name in ANALYSIS}
    for name in [*ANALYSIS, "ceac.png"]:
        (tmp_path / name).unlink()
    assert cli.main(["psa", "--from", str(tmp_path)]) == 0
    assert {name: (tmp_path / name).read_bytes() for name in ANALYSIS} == written
    assert (tmp_path / "ceac.png").stat().st_size > 1000
    assert "after a 0.25-year warm-up" in written["psa.md"].decode()


def test_a_stored_psa_is_analysed_in_place_with_the_value_of_information(tmp_path, capsys):
    folder = stored_psa(tmp_path / "psa")
    inputs = {name: (folder / name).read_bytes() for name in ("runs.csv", "draws.csv", "settings.json")}
    assert cli.main(["psa", "--from", str(folder), "baseline", "more_link_workers"]) == 0
    assert {name: (folder / name).read_bytes() for name in inputs} == inputs  # the inputs are read, not rewritten
    evpi = pd.read_csv(folder / "evpi.csv")
    assert list(evpi.columns[:2]) == ["value_per_qaly_gbp", "evpi_gbp"]  # the columns it always had, first
    assert {"evpi_monte_carlo_gbp", "r2", "chance_share", "evpi_se_gbp", "trusted"} <= set(evpi.columns)
    evppi = pd.read_csv(folder / "evppi.csv")
    assert {"group", "parameters", "value_per_qaly_gbp", "evppi_gbp", "r2"} <= set(evppi.columns)
    effect = evppi.set_index(["group", "value_per_qaly_gbp"]).loc[("effect_size_and_persistence", 20_000)]
    assert effect["evppi_gbp"] > 0 and effect["r2"] > 0.3
    text = (folder / "psa.md").read_text()
    assert "fund_vcse" not in text and "50,000 adults, 3 years after a 1-year warm-up" in text
    assert "Monte Carlo" in text and "how much wellbeing improves" in text
    assert capsys.readouterr().out.startswith("# Probabilistic sensitivity analysis")


def test_a_psa_written_before_settings_json_says_its_warm_up_was_not_recorded(tmp_path):
    folder = stored_psa(tmp_path / "psa", draws=8)
    (folder / "settings.json").unlink()
    assert cli.main(["psa", "--from", str(folder)]) == 0
    assert "after a warm-up (its length not recorded)" in (folder / "psa.md").read_text()


def _damage(folder: Path, how: str) -> str:
    """Break a stored PSA one way; return the folder to name (--from)."""
    if how == "missing_folder":
        shutil.rmtree(folder)
    elif how == "a_file":
        shutil.rmtree(folder)
        folder.write_text("not a folder")
    elif how == "foreign_folder":
        (folder / ".spsim-output").unlink()
    elif how == "no_runs":
        (folder / "runs.csv").unlink()
    elif how == "garbled_runs":
        (folder / "runs.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe garbage")
    elif how == "runs_without_qalys":
        pd.read_csv(folder / "runs.csv").drop(columns="qalys_gained").to_csv(folder / "runs.csv", index=False)
    elif how == "runs_with_text_costs":
        runs = pd.read_csv(folder / "runs.csv")
        runs["net_cost_gbp"] = runs["net_cost_gbp"].astype(str)
        runs.loc[3, "net_cost_gbp"] = "lots"
        runs.to_csv(folder / "runs.csv", index=False)
    elif how == "runs_incomplete":
        pd.read_csv(folder / "runs.csv").iloc[:-1].to_csv(folder / "runs.csv", index=False)
    elif how == "empty_draws":
        (folder / "draws.csv").write_text("")
    elif how == "other_draws":
        draws = pd.read_csv(folder / "draws.csv")
        draws["draw"] += 100
        draws.to_csv(folder / "draws.csv", index=False)
    elif how == "garbled_settings":
        (folder / "settings.json").write_text("{warmup")
    elif how == "analysis_name_taken_by_a_folder":
        (folder / "evppi.csv").mkdir()
    return str(folder)


@pytest.mark.parametrize(
    "how, extra, message",
    [
        ("missing_folder", [], "no such folder"),
        ("a_file", [], "not a folder"),
        ("foreign_folder", [], "not a spsim output"),
        ("no_runs", [], "no runs.csv there"),
        ("garbled_runs", [], "runs.csv"),
        ("runs_without_qalys", [], "runs.csv has no column qalys_gained"),
        ("runs_with_text_costs", [], "column net_cost_gbp must hold a number"),
        ("runs_incomplete", [], "runs.csv is incomplete"),
        ("empty_draws", [], "draws.csv is not a readable table"),
        ("other_draws", [], "are not the same draws"),
        ("garbled_settings", [], "settings.json is not spsim's"),
        ("analysis_name_taken_by_a_folder", [], "evppi.csv is a folder"),
        (None, ["baseline", "nonsense"], "scenario 'nonsense' is not in its runs.csv"),
        (None, ["baseline"], "name at least two scenarios"),
        (None, ["baseline", "fund_vcse", "baseline"], "a scenario is named twice"),
        (None, ["--draws", "7"], "spsim psa --from: --draws does not apply"),
        (None, ["--out", "elsewhere"], "spsim psa --from: --out does not apply"),
    ],
)
def test_what_is_not_a_finished_psa_is_refused_in_one_line_and_nothing_is_written(tmp_path, capsys, how, extra,
                                                                                   message):  # fmt: skip
    folder = stored_psa(tmp_path / "psa", draws=6)
    target = _damage(folder, how) if how else str(folder)
    before = snapshot(folder)
    assert cli.main(["psa", "--from", target, *extra]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert snapshot(folder) == before


def test_the_psa_reports_spend_against_the_budget_in_every_draw():
    """Issue 26 item 5: each policy's extra spend per draw from the ledger, and how far it strays from its budget."""
    from spsim.experiments.uncertainty import psa_analysis, psa_report

    rows = []
    for point, post in enumerate((40_000.0, 50_000.0)):  # a drawn cost of a post, as a frozen-posts PSA spent it
        for scenario, posts in (("baseline", 6.0), ("more_link_workers", 8.0)):
            rows.append({"point": point, "replicate": 0, "scenario": scenario, "weeks": 52, "population": 50_000,
                         "link_worker_cost_gbp": posts * post / 2, "advisor_cost_gbp": 0.0, "grants_gbp": 0.0,
                         "tariffs_gbp": 0.0, "programme_costs_gbp": 0.0})
    spend = psa_analysis.spend_per_draw(pd.DataFrame(rows), ["baseline", "more_link_workers"])
    assert spend["extra_spend_gbp_per_100k_year"].tolist() == [0.0, 80_000.0, 0.0, 100_000.0]
    summary = psa_analysis.spend_summary(spend, ["baseline", "more_link_workers"])
    assert summary.loc[0, "budget_gbp_per_100k_year"] == 100_000  # the shipped scenario's declared budget
    text = "\n".join(psa_report._spend(summary))
    assert "| more_link_workers | 100,000 | 80,000, 90,000, 100,000 | -20% to +0% |" in text
