"""The output stage of a run (issue 25): figures drawn by the run's own workers, Ctrl-C reaching those workers,
and the shards read together."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from spsim.experiments.comparison.experiment import Experiment
from spsim.experiments.inputs import scenario as scenarios
from spsim.experiments.reporting import figure_jobs
from spsim.experiments.runs import shards


@pytest.mark.slow
def test_figures_drawn_by_the_pools_workers_are_the_files_drawn_here(tmp_path, monkeypatch):
    lent = []
    drawing = figure_jobs.Drawing.__init__

    def spy(self, pool):
        lent.append(pool is not None)
        drawing(self, pool)

    monkeypatch.setattr(figure_jobs.Drawing, "__init__", spy)
    drawn = {}
    for workers in (1, 2):
        exp = Experiment(scenarios=[scenarios.load("baseline"), scenarios.load("no_social_prescribing")],
                         replicates=2, years=0.5, seed=3, place={"population": 3_000}, out=tmp_path / f"w{workers}",
                         warmup_years=0.25)  # fmt: skip
        exp.run(workers=workers)
        drawn[workers] = {p.name: p.read_bytes() for p in (exp.out / "figures").iterdir()}
        drawn[workers]["report.md"] = (exp.out / "report.md").read_bytes()
    assert lent == [False, True], "one worker draws here; a pool of two lends its workers"
    assert len(drawn[1]) == 8  # seven figures and the report that shows them
    assert drawn[2] == drawn[1]


# in a process of its own: as a terminal's (the test process's SIGINT disposition, which a worker would inherit,
# is the test runner's)
CTRL_C = """
import os, signal, sys, time
from spsim.experiments.runs.executors import ProcessPool

pool = ProcessPool(1)
assert list(pool.run(time.sleep, [0])) == [(0, None)]  # the worker has started, and waits for work
[pid] = list(pool.pool._processes)
time.sleep(1)  # until it is surely back to waiting (a signal while it hands a result back is absorbed there)
os.kill(pid, signal.SIGINT)
time.sleep(0.5)
assert list(pool.run(time.sleep, [0])) == [(0, None)], "the waiting worker kept waiting"
busy = pool.lend()(time.sleep, 60)
deadline = time.time() + 20
while not busy.done() and time.time() < deadline:  # one sent before the task starts is ignored, as while waiting
    os.kill(pid, signal.SIGINT)
    time.sleep(0.2)
try:
    busy.result(timeout=1)
except KeyboardInterrupt:
    print("task stopped")
pool.close()
"""


def test_ctrl_c_stops_a_workers_task_and_leaves_a_waiting_worker_quiet():
    done = subprocess.run([sys.executable, "-c", CTRL_C], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "task stopped\n"
    assert "Traceback" not in done.stderr


def _tables(frames: list[pd.DataFrame]) -> list[dict]:
    return [json.loads(json.dumps(shards._table(f), default=shards._plain)) for f in frames]  # as a shard holds it


def test_the_shards_read_together_are_the_shards_read_one_by_one_and_concatenated():
    a = pd.DataFrame({"scenario": pd.array(["x", "x"], dtype="str"), "week": [1, 2], "value": [0.5, np.nan]})
    b = a.assign(week=[3, 4], value=[1.25, -2.0])
    for frames in ([a, b], [a, a.iloc[:0], b], [a, b.assign(week=[3.5, 4.5])]):  # same dtypes; one empty; others
        tables = _tables(frames)
        together = shards._joined(tables)
        one_by_one = pd.concat([shards._frame(t) for t in tables], ignore_index=True)
        pd.testing.assert_frame_equal(together, one_by_one, check_exact=True)
    assert list(shards._joined(_tables([a, b]))["week"]) == [1, 2, 3, 4]
