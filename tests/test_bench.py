"""The benchmark script runs and writes its files (its measured numbers are reported, never asserted; how it scales
them is)."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from spsim.experiments.cli import commands as cli


@pytest.mark.slow
def test_quick_benchmark_writes_its_tables(tmp_path, capsys):
    assert cli.main(["bench", "--quick", "--out", str(tmp_path)]) == 0, capsys.readouterr().err  # in-process
    table = pd.read_csv(tmp_path / "benchmark.csv")
    assert list(table["population"]) == [10_000, 40_000]
    assert (table["patient_weeks"] > 0).all() and (table["peak_mb"] > 0).all()
    assert {"ratio_to_mesa_trivial", "person_ratio_to_mesa_trivial", "attendance_weeks_ratio_to_mesa_trivial",
            "agenda_entries_ratio_to_mesa_trivial"} <= set(table.columns)  # fmt: skip
    assert (table["attendance_weeks"] > 0).all() and (table["agenda_entries"] > table["referrals"]).all()
    assert (table["mesa_floor_s"] > 0).all() and (table["share_of_wall_in_mesa_floor"] > 0).all()
    assert (tmp_path / "scaling.png").exists() and (tmp_path / "parallel.json").exists()


def test_each_replicate_is_scaled_by_mesas_loop_just_before_and_after_it(tmp_path, monkeypatch, capsys):
    """The machine's speed drifts within a run: a replicate's ratios are to the mean of the trivial loops measured
    just before and just after it (the first loop of a process is a warm-up, not counted)."""
    from spsim.experiments.runs import bench

    loops = iter([99.0, 10.0, 20.0, 40.0])  # the warm-up, then before the first replicate and after each
    monkeypatch.setattr(bench, "mesa_trivial_loop", lambda: next(loops))
    fake = {"wall_s": 2.0, "peak_mb": 1.0, "patient_weeks": 60, "attendance_weeks": 6, "agenda_entries": 9,
            "referrals": 3}  # fmt: skip
    monkeypatch.setattr(bench, "measure_replicate", lambda population, weeks: {
        "population": population, **fake, "patient_weeks_per_s": 30.0})  # fmt: skip
    monkeypatch.setattr(bench, "mesa_floor", lambda agents, weeks: 0.5)
    monkeypatch.setattr(bench, "parallel_speedup", lambda **kwargs: {"replicates": 2, "speedup": 1.0})
    assert bench.main(["--quick", "--out", str(tmp_path)]) == 0
    table = pd.read_csv(tmp_path / "benchmark.csv")
    assert list(table["mesa_trivial_agent_steps_per_s"]) == [15.0, 30.0]
    assert list(table["ratio_to_mesa_trivial"]) == [2.0, 1.0]
    assert "10, 20, 40 agent-steps/s" in capsys.readouterr().err


def test_mesa_floor_replays_the_replicates_agents():
    from spsim.experiments.runs.bench import mesa_workload

    workload = mesa_workload(agents=1_000, weeks=104)
    workload.run_for(104)
    assert workload.arrived == 1_000
    # agents stay a year: those who arrived in the last 52 weeks are still there
    assert len(workload.agents) == 1_000 - round(1_000 * 52 / 104)


def _killed(population, weeks, seed, results):
    """A measuring child that dies without sending anything (as the kernel's OOM killer would do)."""
    import os
    import signal

    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.slow
def test_a_child_that_dies_is_reported_in_one_line_not_waited_for_forever(tmp_path):
    # in a subprocess with a deadline, so that a bench that waits for ever fails this test instead of hanging it
    code = ("import sys\nfrom spsim.experiments.runs import bench\ntry:\n    bench.measure_replicate(-5, weeks=1)\n"
            "except bench.ChildDied as err:\n    print(err)\n    sys.exit(7)\n")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 7, result.stderr
    assert result.stdout.strip() == "spsim bench: the replicate of -5 adults ended without a result (exit code 1)"


@pytest.mark.slow
def test_the_bench_command_fails_with_one_line_when_a_replicate_dies(tmp_path, monkeypatch, capsys):
    import functools

    from spsim.experiments.runs import bench
    monkeypatch.setattr(bench, "mesa_trivial_loop", lambda: 1.0)
    monkeypatch.setattr(bench, "measure_replicate", functools.partial(bench.measure_replicate, target=_killed))
    assert bench.main(["--quick", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == "spsim bench: the replicate of 10,000 adults ended without a result (exit code -9)"
    assert "Traceback" not in "\n".join(err)
