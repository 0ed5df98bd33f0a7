"""Runs are identical across executors and worker counts, and survive being killed."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from spsim.experiments.cli import commands as cli
from spsim.experiments.comparison.experiment import Experiment
from spsim.experiments.inputs import scenario as scenarios
from spsim.experiments.reporting import figures
from spsim.experiments.runs.executors import ProcessPool
from spsim.experiments.runs.runner import SHARD_DIR, atomic_write_text, current_umask, replicate_seed

DATA_FILES = ("replicates.csv", "timeseries.csv", "trajectories.csv", "comparison.csv", "incremental.csv",
              "subgroups.csv", "subgroup_comparison.csv", "equity.csv")
SMALL = {"population": 4_000}


def experiment(out: Path, replicates: int = 3) -> Experiment:
    return Experiment(
        scenarios=[scenarios.load("baseline"), scenarios.load("fund_vcse")],
        replicates=replicates,
        years=1.0,
        seed=99,
        place=SMALL,
        out=out,
        warmup_years=0.5,
    )


def read(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in DATA_FILES}


@pytest.fixture
def no_figures(monkeypatch):
    """For tests that compare only the data files: the figures are drawn from them (and are most of a small
    run's time), and other tests check that they are drawn."""
    monkeypatch.setattr(figures, "all_figures", lambda *args, **kwargs: [])
    monkeypatch.setattr(ProcessPool, "lend", lambda self: None)  # a pool's workers would draw them (figure_jobs)


def test_replicate_seeds_are_paired_and_distinct():
    seeds = [replicate_seed(7, r) for r in range(50)]
    assert len(set(seeds)) == 50
    assert replicate_seed(7, 3) == replicate_seed(7, 3) != replicate_seed(8, 3)


@pytest.mark.slow
def test_same_results_in_process_with_a_pool_and_on_dask(tmp_path, no_figures):
    runs = {}
    for label, kwargs in {
        "in-process": {"executor": "process", "workers": 1},
        "2 processes": {"executor": "process", "workers": 2},
        "dask local cluster": {"executor": "dask", "workers": 2},
    }.items():
        exp = experiment(tmp_path / label.replace(" ", "_"))
        exp.run(**kwargs)
        runs[label] = read(exp.out)
    reference = runs.pop("in-process")
    for label, files in runs.items():
        for name in DATA_FILES:
            assert files[name] == reference[name], f"{name} differs with {label}"


@pytest.mark.slow
def test_dask_with_a_scheduler_address(tmp_path, no_figures):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=None) as cluster:
        exp = experiment(tmp_path / "remote", replicates=2)
        exp.run(executor="dask", workers=1, scheduler=cluster.scheduler_address)
    local = experiment(tmp_path / "local", replicates=2)
    local.run()
    assert read(exp.out) == read(local.out)


def spsim(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "spsim.experiments", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)  # fmt: skip


@pytest.mark.slow
def test_a_killed_run_resumes_to_identical_files(tmp_path, capsys):
    args = ["run", "baseline", "no_social_prescribing", "--replicates", "6", "--years", "1",
            "--population", "6000", "--seed", "5"]  # fmt: skip
    killed = tmp_path / "killed"
    proc = spsim(*args, "--out", str(killed))  # a real process, killed as a user's machine might kill it
    shards = killed / SHARD_DIR
    deadline = time.time() + 120
    while time.time() < deadline and len(list(shards.glob("*.json"))) < 3:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = {p.name: p.stat().st_mtime_ns for p in shards.glob("*.json")}
    assert 3 <= len(finished) < 12, "the kill should land mid-run"
    assert not list(shards.glob(".*.tmp")) or True  # a half-written temporary may remain; it is ignored
    assert not (killed / "replicates.csv").exists()

    # the resume and the clean run need no process of their own: in-process saves two start-ups
    assert cli.main([*args, "--out", str(killed), "--resume"]) == 0, capsys.readouterr().err
    for name, mtime in finished.items():  # finished replicates were not run again
        assert (shards / name).stat().st_mtime_ns == mtime

    clean = tmp_path / "clean"
    assert cli.main([*args, "--out", str(clean)]) == 0, capsys.readouterr().err
    assert read(killed) == read(clean)
    assert (killed / "report.md").read_text() == (clean / "report.md").read_text()


def test_resume_with_other_settings_is_refused(tmp_path, capsys, no_figures):
    out = tmp_path / "run"
    assert cli.main(["run", "baseline", "--replicates", "1", "--years", "0.5", "--population", "3000",
                     "--out", str(out)]) == 0  # fmt: skip
    capsys.readouterr()
    assert cli.main(["run", "baseline", "--replicates", "1", "--years", "1", "--population", "3000", "--out", str(out),
                     "--resume"]) == 2  # fmt: skip
    assert "other settings" in capsys.readouterr().err


@pytest.mark.slow
def test_outputs_exist_with_the_contract_columns(tmp_path):
    import json

    import pandas as pd

    from spsim.experiments.analysis.decisions import INCREMENTAL_COLUMNS
    from spsim.experiments.runs.metrics import REPLICATE_COLUMNS

    exp = experiment(tmp_path / "o", replicates=2)
    exp.run()
    for name in ("manifest.json", "report.md", "report.html", *DATA_FILES):
        assert (exp.out / name).exists(), name
    assert list((exp.out / "figures").glob("*.png"))
    reps = pd.read_csv(exp.out / "replicates.csv")
    assert list(reps.columns[: len(REPLICATE_COLUMNS)]) == REPLICATE_COLUMNS
    assert len(reps) == 4
    incremental = pd.read_csv(exp.out / "incremental.csv")
    assert list(incremental.columns) == INCREMENTAL_COLUMNS and set(incremental["scenario"]) == {"baseline", "fund_vcse"}
    assert "## Incremental analysis" in (exp.out / "report.md").read_text()
    assert list(reps["seed"][reps.scenario == "baseline"]) == list(reps["seed"][reps.scenario == "fund_vcse"])
    manifest = json.loads((exp.out / "manifest.json").read_text())
    assert manifest["seeds"] == [replicate_seed(99, r) for r in range(2)]
    assert manifest["finished"] and manifest["package_versions"]["mesa"].startswith("3.")
    assert manifest["scenarios"]["fund_vcse"]["resolved_parameters"]["population"] == 4_000
    # tables, report and manifest open for colleagues exactly as the figures do (not mkstemp's private 0600)
    modes = {p.relative_to(exp.out).as_posix(): stat.S_IMODE(p.stat().st_mode)
             for p in exp.out.rglob("*") if p.is_file()}  # fmt: skip
    assert set(modes.values()) == {0o666 & ~current_umask()}, modes


def test_an_output_gets_the_users_umask_not_a_private_mode(tmp_path):
    old = os.umask(0o027)
    try:
        assert current_umask() == 0o027
        atomic_write_text(tmp_path / "group.md", "x")
        os.umask(0o002)
        atomic_write_text(tmp_path / "shared.md", "x")
    finally:
        os.umask(old)
    assert current_umask() == old
    assert stat.S_IMODE((tmp_path / "group.md").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "shared.md").stat().st_mode) == 0o664


@pytest.mark.slow
def test_the_manifest_and_report_record_the_population_each_scenario_ran_with(tmp_path):
    import json

    import pandas as pd

    own = tmp_path / "small_place.toml"
    own.write_text('description = "The current system on a smaller place"\n[parameters]\npopulation = 3000\n')
    exp = Experiment(scenarios=[scenarios.load("baseline"), scenarios.load(str(own))], replicates=1, years=0.25,
                     seed=4, place={"population": 4_000}, out=tmp_path / "o", warmup_years=0.0)  # fmt: skip
    exp.run()
    manifest = json.loads((exp.out / "manifest.json").read_text())
    assert manifest["scenarios"]["baseline"]["population"] == 4_000
    assert manifest["scenarios"]["small_place"]["population"] == 3_000  # the file's, not the command line's
    ran = pd.read_csv(exp.out / "replicates.csv").set_index("scenario")["population"]
    assert ran.to_dict() == {"baseline": 4_000, "small_place": 3_000}
    assert "`baseline` 4,000, `small_place` 3,000" in (exp.out / "report.md").read_text()


def test_trajectories_follow_only_people_referred_after_the_warm_up():
    """Month 0 of the trajectories counts exactly the people referred in the measurement window."""
    from spsim.experiments.runs.runner import Task, run_task

    task = Task(scenarios.load("baseline"), 0, replicate_seed(1, 0), weeks=30, place={"population": 20_000},
                warmup_weeks=26)  # fmt: skip
    result = run_task(task)
    sums = result.trajectory_sums
    month0 = sums[(sums["group"] == "all referred") & (sums["months_since_referral"] == 0)]
    assert int(month0["n"].iloc[0]) == result.row["referrals"] > 0
