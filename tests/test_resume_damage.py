"""Damaged output folders on --resume (issue 12): generated damage to a finished run's folder.

A resume either finishes with exit 0 and data files byte-identical to the undamaged run's (the damage was
recoverable: a deleted shard is run again, a stray file is left alone or a half-written one removed), or
refuses in one line with exit 2 and the folder exactly as it was. Never exit 0 with other numbers, never a
traceback, never a hang.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from spsim.experiments.cli import commands as cli

from spsim.experiments.reporting import figures
from tests.cli_fuzzing import Hang, time_limit

pytestmark = pytest.mark.slow

SCENARIOS = ["baseline", "fund_vcse"]
REPLICATES = 2
COMMAND = ["run", *SCENARIOS, "--replicates", str(REPLICATES), "--years", "0.2", "--warmup-years", "0",
           "--population", "1000", "--seed", "11"]  # fmt: skip
DATA_FILES = ("replicates.csv", "timeseries.csv", "trajectories.csv", "comparison.csv", "incremental.csv",
              "spend.csv", "subgroups.csv", "equity.csv")
SHARDS = [f"replicates/{s}__r{r:04d}.json" for r in range(REPLICATES) for s in SCENARIOS]
EXAMPLE_SECONDS = 60




@contextlib.contextmanager
def quick_and_bounded(seconds: float = EXAMPLE_SECONDS):
    """No figures (matplotlib is most of a small run's time, and the figures are drawn from the data files
    compared here), and an alarm that turns a hang into a failure."""

    with pytest.MonkeyPatch.context() as mp, time_limit(seconds):
        mp.setattr(figures, "all_figures", lambda *args, **kwargs: [])
        mp.delenv("SPSIM_DEBUG", raising=False)
        yield


def spsim(*argv: str) -> tuple[int | str, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            with quick_and_bounded():
                code: int | str = cli.main(list(argv))
        except Hang:
            code = "hang"
    return code, err.getvalue()


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("finished") / "run"
    code, err = spsim(*COMMAND, "--out", str(out))
    assert code == 0, err
    return out


def data(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in DATA_FILES}


def snapshot(out: Path) -> list:
    return sorted((str(p.relative_to(out)), p.is_dir() or p.read_bytes()) for p in out.rglob("*"))


# ------------------------------------------------------------------------------------------ the damage
def _garble(file: Path, at: int, xor: int) -> None:
    content = bytearray(file.read_bytes())
    if content:
        content[at % len(content)] ^= xor
        file.write_bytes(bytes(content))


def _truncate(file: Path, at: int, xor: int) -> None:
    content = file.read_bytes()
    file.write_bytes(content[: at % max(len(content), 1)])


def _to_folder(file: Path, at: int, xor: int) -> None:
    file.unlink()
    file.mkdir()
    (file / "inside").write_text("x")


def _replace(text: str):
    def replace(file: Path, at: int, xor: int) -> None:
        file.write_text(text)

    return replace


def _delete(file: Path, at: int, xor: int) -> None:
    file.unlink()


def _identity(key: str, value):
    def change(file: Path, at: int, xor: int) -> None:
        shard = json.loads(file.read_text())
        shard["identity"][key] = value
        file.write_text(json.dumps(shard))

    return change


def _number(file: Path, at: int, xor: int) -> None:
    """A plausible edit: one number of the replicate's row changed, the file still valid JSON."""
    shard = json.loads(file.read_text())
    numbers = [k for k, v in shard["row"].items() if isinstance(v, int | float) and not isinstance(v, bool)]
    key = numbers[at % len(numbers)]
    shard["row"][key] = shard["row"][key] + 1
    file.write_text(json.dumps(shard))


def _manifest_setting(file: Path, at: int, xor: int) -> None:
    manifest = json.loads(file.read_text())
    manifest["seed"] += 1
    file.write_text(json.dumps(manifest))


FILE_DAMAGE = {
    "garble": _garble, "truncate": _truncate, "folder": _to_folder, "delete": _delete,
    "empty": _replace(""), "list": _replace("[]"), "nested": _replace("[" * 100_000 + "]" * 100_000),
    "not utf-8": lambda file, at, xor: file.write_bytes(b"\xff\xfe{\x00"),
}  # fmt: skip
SHARD_DAMAGE = {
    **FILE_DAMAGE, "number": _number, "seed": _identity("seed", 1), "scenario": _identity("scenario", "fund_vcse"),
    "replicate": _identity("replicate", 1), "run": _identity("run", "0" * 16), "code": _identity("code", "0.0.0"),
}  # fmt: skip
MANIFEST_DAMAGE = {**FILE_DAMAGE, "setting": _manifest_setting}


def _swap(out: Path, first: int, second: int) -> None:
    a, b = out / SHARDS[first % len(SHARDS)], out / SHARDS[second % len(SHARDS)]
    if a != b:
        held = a.read_bytes()
        a.write_bytes(b.read_bytes())
        b.write_bytes(held)


def _lock(content: str):
    def lock(out: Path, at: int, xor: int) -> None:
        (out / ".spsim.lock").write_text(content)

    return lock


HELD: list = []  # locks a "live lock" damage holds for the rest of the example (another run writing)


def _live_lock(out: Path, at: int, xor: int) -> None:
    """Another run writing into the folder: its lock held (an OS lock, as a running spsim holds it)."""
    from filelock import FileLock

    lock = FileLock(out / ".spsim.lock", timeout=0)
    lock.acquire()
    HELD.append(lock)


def _stray(out: Path, at: int, xor: int) -> None:
    """What a killed run leaves: half-written temporaries (removed by the resume) beside the real files."""
    for folder in ("", "replicates", "figures"):
        (out / folder).mkdir(exist_ok=True)
        (out / folder / f".report.md.{at:x}.tmp").write_text("half written")


FOLDER_DAMAGE = {
    "foreign file": lambda out, at, xor: (out / "notes.txt").write_text("mine"),
    "foreign shard-like file": lambda out, at, xor: (out / "replicates" / "other__r0000.json").write_text("{}"),
    "no marker": lambda out, at, xor: (out / ".spsim-output").unlink(),
    "dead lock": _lock("999999999\n"),
    "live lock": _live_lock,
    "garbage lock": _lock("not a pid\n"),
    "lock folder": lambda out, at, xor: (out / ".spsim.lock").mkdir(),
    "stray temporaries": _stray,
    "shards folder a file": lambda out, at, xor: (shutil.rmtree(out / "replicates"), (out / "replicates").write_text("")),
    "output deleted": lambda out, at, xor: (out / DATA_FILES[at % len(DATA_FILES)]).unlink(),
    "output garbled": lambda out, at, xor: _garble(out / DATA_FILES[at % len(DATA_FILES)], at, xor),
}  # fmt: skip

positions = st.integers(0, 10_000)
xors = st.integers(1, 255)
one_damage = st.one_of(
    st.tuples(st.just("manifest"), st.sampled_from(sorted(MANIFEST_DAMAGE)), positions, xors),
    st.tuples(st.just("shard"), st.sampled_from(sorted(SHARD_DAMAGE)), positions, xors),
    st.tuples(st.just("swap"), st.just("swap"), positions, positions),
    st.tuples(st.just("folder"), st.sampled_from(sorted(FOLDER_DAMAGE)), positions, xors),
)


def damage(out: Path, where: str, kind: str, at: int, xor: int) -> None:
    """One damage; one that an earlier damage made impossible (editing a manifest already garbled, or a shard
    already nested too deep for json to read back) is skipped."""
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError, RecursionError):
        _damage(out, where, kind, at, xor)


def _damage(out: Path, where: str, kind: str, at: int, xor: int) -> None:
    if where == "manifest":
        MANIFEST_DAMAGE[kind](out / "manifest.json", at, xor)
    elif where == "shard":
        file = out / SHARDS[at % len(SHARDS)]
        if file.is_file():
            SHARD_DAMAGE[kind](file, at // len(SHARDS), xor)
    elif where == "swap":
        if all((out / s).is_file() for s in SHARDS):
            _swap(out, at, xor)
    else:
        FOLDER_DAMAGE[kind](out, at, xor)


@settings(max_examples=20, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])  # fmt: skip
@given(damages=st.lists(one_damage, min_size=1, max_size=3))
def test_a_damaged_folder_resumes_to_the_same_numbers_or_is_refused_unchanged(finished, tmp_path_factory, damages):
    out = tmp_path_factory.mktemp("damaged") / "run"
    shutil.copytree(finished, out)
    for where, kind, at, xor in damages:
        damage(out, where, kind, at, xor)
    before = snapshot(out)
    try:
        code, err = spsim(*COMMAND, "--out", str(out), "--resume")
    finally:
        while HELD:
            HELD.pop().release()
    shown = f"{damages} -> {code}: {err!r}"
    event(f"exit {code}")
    assert code in (0, 2), shown
    assert "Traceback" not in err, shown
    if code == 0:
        assert data(out) == data(finished), f"{shown}: exit 0 with other numbers"
        assert not (out / ".spsim.lock").exists() and not list(out.rglob("*.tmp")), shown
    else:
        assert err.count("\n") == 1 and err.endswith("\n"), shown
        assert snapshot(out) == before, f"{shown}: the folder changed on a refused resume"


def test_a_deleted_shard_is_run_again_to_the_same_numbers(finished, tmp_path):
    out = tmp_path / "run"
    shutil.copytree(finished, out)
    (out / SHARDS[-1]).unlink()
    assert spsim(*COMMAND, "--out", str(out), "--resume")[0] == 0
    assert data(out) == data(finished) and (out / SHARDS[-1]).read_bytes() == (finished / SHARDS[-1]).read_bytes()


def test_a_shard_whose_numbers_were_edited_is_refused(finished, tmp_path):
    out = tmp_path / "run"
    shutil.copytree(finished, out)
    _number(out / SHARDS[0], 3, 0)
    code, err = spsim(*COMMAND, "--out", str(out), "--resume")
    assert code == 2 and "does not match its sha256" in err and SHARDS[0] in err
