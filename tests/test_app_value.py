"""The page's answers are the command line's: levers moved mid-run, the value-for-money panel and the exported
scenario file, checked against `spsim run` for the same seed, levers and weeks (no browser)."""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import shlex

import numpy as np
import pytest

from spsim.experiments.viz import export as page_export
from spsim.experiments.viz import levers as page_levers
from spsim.experiments.viz import places as page_places
from spsim.experiments.viz import run as page_run
from spsim.experiments.viz import value_for_money as page_value
from spsim.model import SocialPrescribingModel

from .inprocess import spsim

DEFAULT = page_places.places()[page_places.DEFAULT]
TODAY = page_levers.place_values(DEFAULT.parameters)


def _run(warmup: int = 8, population: int = 20_000, seed: int = 5, replicate: int = 0, **first) -> page_run.PairedRun:
    settings = page_run.Settings(DEFAULT, population, seed, warmup, tuple({**TODAY, **first}.items()), replicate)
    run = page_run.PairedRun(settings)
    assert run.warm_up()
    return run


def _steps(run: page_run.PairedRun, moves: dict[int, dict], weeks: int) -> None:
    """Step to ``weeks`` since the levers began, moving levers at the weeks ``moves`` names (as the page does)."""
    levers = run.levers_now()
    while run.shown_week < weeks:
        if run.shown_week in moves:
            levers = {**levers, **moves[run.shown_week]}
            run.move_levers(levers)
        run.step()


MOVES = {3: {"peer_programme": True, "referral_tariff_gbp": 100.0}, 6: {"link_workers_per_100k": 9.0}}


def test_a_lever_moved_mid_run_acts_from_the_next_week_without_a_rebuild():
    run = _run()
    _steps(run, {}, 4)
    assert run.differences[-1]["spend"] == 0  # nothing moved: the same run
    week = run.move_levers({**TODAY, "link_workers_per_100k": 20.0})
    assert week == 5
    _steps(run, {}, 8)
    spend = {row["week"]: row["spend"] for row in run.differences}
    assert spend[5] == 0 and spend[6] > 0 and spend[8] > spend[6]  # starts at the end of week 5, as `spsim run` would
    assert [p.start_week for p in run.scenario_policies()] == [5]


def test_the_page_with_levers_moved_mid_run_is_the_model_spsim_run_builds_from_the_exported_policies():
    run = _run(link_workers_per_100k=12.0)
    _steps(run, {**MOVES, 9: {"link_workers_per_100k": 6.0, "open_door": True}}, 14)
    policies = [dataclasses.replace(p, start_week=p.start_week + 8, end_week=None if p.end_week is None else p.end_week + 8)
                for p in run.scenario_policies()]  # fmt: skip
    assert [(p.kind, p.start_week, p.end_week) for p in policies] == [
        ("link_workers", 8, 15), ("referral_tariff", 12, None), ("peer_support", 12, None), ("link_workers", 15, 18),
        ("long_term_support", 18, None)]  # fmt: skip
    model = SocialPrescribingModel(rng=run.settings.model_seed, policies=policies, measure_from=8, **run.parameters)
    model.run_for(8 + 14)
    ours, theirs = run.levers.datacollector.model_vars, model.datacollector.model_vars
    assert ours.keys() == theirs.keys()
    for name in ours:  # every weekly series the same, week by week (NaN where no score was measured)
        np.testing.assert_array_equal(np.asarray(ours[name], float), np.asarray(theirs[name], float), err_msg=name)
    assert model.ledger.commissioner_spend == run.levers.ledger.commissioner_spend


def test_the_value_for_money_and_the_exported_scenario_are_what_spsim_run_gives(tmp_path):
    run = _run(link_workers_per_100k=12.0)
    _steps(run, MOVES, 10)
    account = page_value.account([run])
    assert account.replicates == 1 and all(math.isnan(low) for _, low, _ in account.values.values())
    assert run.shown_week == 10 and run.levers.week == 18  # the page's run is untouched by the account
    name = page_export.scenario_name(run)
    scenario = tmp_path / f"{name}.toml"
    scenario.write_text(page_export.scenario_toml(run))
    command = shlex.split(page_export.rerun_command(run, str(scenario)))
    assert command[:2] == ["spsim", "run"]
    result = spsim(*command[1:], "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    with (tmp_path / "out" / "replicates.csv").open() as fh:
        rows = {r["scenario"]: r for r in csv.DictReader(fh)}
    with (tmp_path / "out" / "economics.csv").open() as fh:
        economics = next(r for r in csv.DictReader(fh) if r["scenario"] == name)
    for column, (mean, _, _) in account.values.items():
        ours, theirs = float(rows[name][column]), float(rows["baseline"][column])  # written to 6 figures
        assert ours - theirs == pytest.approx(mean, abs=1e-5 * (abs(ours) + abs(theirs))), column
        assert float(economics[f"{column}_vs_reference"]) == pytest.approx(mean, abs=0.051), column  # 1 decimal there
    words = page_value.in_words(account)
    assert "QALYs" in words and ("more to the NHS" in words or "less to the NHS" in words)
    # the weekly series and the table as CSV: a row a week, and a row a measure
    weekly = list(csv.DictReader(io.StringIO(page_export.weekly_csv(run))))
    assert [int(r["week"]) for r in weekly] == list(range(11))
    assert float(weekly[-1]["spend_difference"]) == pytest.approx(run.differences[-1]["spend"])
    table = list(csv.DictReader(io.StringIO(page_export.value_for_money_csv(account))))
    assert [r["measure"] for r in table] == list(page_value.MEASURES)
