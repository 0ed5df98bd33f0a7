"""The output folder and its shards (issue 12): shards are data that cannot run code and carry the identity
of their run; a resume refuses anything it did not write; a run writes only into spsim's own folders, holds
a lock while it writes, and removes only what it created."""

from __future__ import annotations

import contextlib
import io
import json
import pickle
import shutil
import subprocess
from pathlib import Path

from spsim.experiments.cli import commands as cli
QUICK = ["--replicates", "1", "--years", "0.1", "--warmup-years", "0", "--population", "5000"]


def spsim(*args: str) -> subprocess.CompletedProcess:
    """The command, run in this process (a fresh interpreter for each would spend most of the test importing);
    its exit code and output as a finished process would give them."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(list(args))
        except SystemExit as exit_:
            code = exit_.code
    return subprocess.CompletedProcess(["spsim", *args], code, out.getvalue(), err.getvalue())


class Planted:
    """A pickle that would create a file if anything unpickled it."""

    def __init__(self, target: str):
        self.target = target

    def __reduce__(self):
        return (Path.touch, (Path(self.target),))


def test_a_planted_pickle_never_runs(tmp_path):
    out = tmp_path / "run"
    assert spsim("run", "baseline", *QUICK, "--out", str(out)).returncode == 0
    proof = tmp_path / "code_ran"
    (out / "replicates" / "baseline__r0000.pkl").write_bytes(pickle.dumps(Planted(str(proof))))
    result = spsim("run", "baseline", *QUICK, "--out", str(out), "--resume")
    assert result.returncode == 0, result.stderr
    assert not proof.exists()
    shard = json.loads((out / "replicates" / "baseline__r0000.json").read_text())
    assert shard["identity"]["scenario"] == "baseline" and shard["identity"]["replicate"] == 0


def test_a_resume_refuses_shards_of_another_run(tmp_path):
    seven, eight = tmp_path / "seven", tmp_path / "eight"
    assert spsim("run", "baseline", "fund_vcse", *QUICK, "--seed", "7", "--out", str(seven)).returncode == 0
    assert spsim("run", "baseline", "fund_vcse", *QUICK, "--seed", "8", "--out", str(eight)).returncode == 0
    # another run's shard under this run's manifest
    shutil.copy(eight / "replicates" / "baseline__r0000.json", seven / "replicates" / "baseline__r0000.json")
    result = spsim("run", "baseline", "fund_vcse", *QUICK, "--seed", "7", "--out", str(seven), "--resume")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "belongs to another run" in result.stderr
    # another scenario's shard under this scenario's name
    shutil.copy(eight / "replicates" / "fund_vcse__r0000.json", eight / "replicates" / "baseline__r0000.json")
    result = spsim("run", "baseline", "fund_vcse", *QUICK, "--seed", "8", "--out", str(eight), "--resume")
    assert result.returncode == 2 and "scenario is 'fund_vcse'" in result.stderr


def test_a_folder_that_is_not_spsims_is_left_alone(tmp_path):
    folder = tmp_path / "thesis"
    (folder / "replicates").mkdir(parents=True)
    (folder / "replicates" / "thesis.docx").write_text("years of work")
    result = spsim("run", "baseline", *QUICK, "--out", str(folder))
    assert result.returncode == 2 and "not a spsim output" in result.stderr
    assert sorted(p.name for p in folder.rglob("*")) == ["replicates", "thesis.docx"]


def test_a_fresh_run_removes_only_its_own_shards_and_temporaries(tmp_path):
    out = tmp_path / "run"
    assert spsim("run", "baseline", *QUICK, "--out", str(out)).returncode == 0
    first_seed = json.loads((out / "replicates" / "baseline__r0000.json").read_text())["identity"]["seed"]
    (out / "replicates" / "notes.txt").write_text("mine")
    (out / ".report.md.abc123.tmp").write_text("half written")
    assert spsim("run", "baseline", *QUICK, "--seed", "3", "--out", str(out)).returncode == 0
    assert (out / "replicates" / "notes.txt").read_text() == "mine"
    assert not (out / ".report.md.abc123.tmp").exists()
    assert json.loads((out / "replicates" / "baseline__r0000.json").read_text())["identity"]["seed"] != first_seed


def test_two_runs_on_one_folder_are_not_mixed(tmp_path):
    from filelock import FileLock

    out = tmp_path / "run"
    assert spsim("run", "baseline", *QUICK, "--out", str(out)).returncode == 0
    before = sorted((p.name, p.read_bytes()) for p in out.rglob("*") if p.is_file())
    with FileLock(out / ".spsim.lock", timeout=0):  # another run holds the folder
        result = spsim("run", "baseline", *QUICK, "--seed", "9", "--out", str(out))
        assert result.returncode == 2 and "another spsim run is writing" in result.stderr
        assert len(result.stderr.splitlines()) == 1
    assert sorted((p.name, p.read_bytes()) for p in out.rglob("*") if p.is_file() and p.name != ".spsim.lock") == before
    (out / ".spsim.lock").write_text("999999999\n")  # a lock file a run of an older spsim left: not a held lock
    assert spsim("run", "baseline", *QUICK, "--seed", "9", "--out", str(out)).returncode == 0
    assert not (out / ".spsim.lock").exists()


HOLDER = """
import sys, time
from filelock import FileLock
lock = FileLock(sys.argv[1], timeout=0)
lock.acquire()
print("held", flush=True)
time.sleep(600)
"""


def test_a_run_killed_while_it_holds_the_lock_does_not_block_the_next(tmp_path):
    """The lock is the operating system's: held while the other process lives, gone the moment it is killed
    (SIGKILL: no clean-up of its own runs), whatever it left on disk."""
    import signal
    import sys

    out = tmp_path / "run"
    assert spsim("run", "baseline", *QUICK, "--out", str(out)).returncode == 0
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(out / ".spsim.lock")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = spsim("run", "baseline", *QUICK, "--out", str(out), "--resume")
        assert result.returncode == 2 and "another spsim run is writing" in result.stderr
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        holder.stdout.close()
    assert (out / ".spsim.lock").exists()  # what the killed process left behind
    assert spsim("run", "baseline", *QUICK, "--seed", "9", "--out", str(out)).returncode == 0
    assert not (out / ".spsim.lock").exists()


def test_people_files_hold_every_referral_and_come_back_on_resume(tmp_path):
    """--people: one Parquet file of outcome records per replicate, data only, restored by --resume."""
    import pandas as pd

    from spsim.model.outcomes import OUTCOME_COLUMNS

    out = tmp_path / "run"
    args = ("run", "baseline", "fund_vcse", "--replicates", "1", "--years", "0.5", "--warmup-years", "0",
            "--population", "5000", "--out", str(out), "--people")  # fmt: skip
    assert spsim(*args).returncode == 0
    replicates = pd.read_csv(out / "replicates.csv").set_index("scenario")
    files = sorted((out / "people").iterdir())
    assert [f.name for f in files] == ["baseline__r0000.parquet", "fund_vcse__r0000.parquet"]
    people = pd.read_parquet(files[0])
    assert list(people.columns) == ["scenario", "replicate", *OUTCOME_COLUMNS]
    assert len(people) == replicates.loc["baseline", "referrals"] > 0
    before = files[0].read_bytes()
    files[0].unlink()
    assert spsim(*args, "--resume").returncode == 0
    assert files[0].read_bytes() == before
