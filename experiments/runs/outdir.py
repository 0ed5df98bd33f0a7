"""The output folder of a run: marked as spsim's, locked while a run writes into it, cleared of what spsim
left half-written, and never emptied of anything spsim did not create (issue 12: a fresh run used to
delete ``<out>/replicates/`` in any folder, and two runs on one folder mixed their tables).

The lock is an operating-system lock (``filelock``: flock on Unix) on ``<out>/.spsim.lock``: the system
releases it when the run's process ends, however it ends, so a run that was killed never blocks the next one.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from .runner import PEOPLE_DIR, SHARD_DIR, atomic_write_text

MARKER = ".spsim-output"  # says: this folder is a spsim output, spsim may replace its own files in it
LOCK = ".spsim.lock"  # held locked by the run writing into the folder
SHARD_NAME = re.compile(r".+__r\d{4}\.(json|pkl|parquet)\Z")  # shards, people files, pickles of old versions
TEMPORARY = re.compile(r"\..+\.[^.]+\.tmp\Z")  # what runner.atomic_write_bytes leaves when a run is killed


class OutputFolderError(ValueError):
    """An --out folder spsim must not write into; the message is one line."""


def is_spsim_output(out: Path) -> bool:
    """Marked, or (written before folders were marked) holding a manifest that spsim wrote."""
    if (out / MARKER).is_file():
        return True
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and {"scenarios", "replicates", "seeds"} <= manifest.keys()


def check(out: Path, option: str = "--out") -> None:
    """Refuse, in one line and without writing anything, an ``out`` that cannot hold this run's outputs: a file,
    a folder of other files, a folder another live run is writing into, or a path that cannot be created.
    ``option``: the command-line option that named the folder, for the message (`spsim psa --from` writes into
    the folder it reads)."""
    check_path(out, option)
    try:
        if out.is_dir() and any(out.iterdir()) and not is_spsim_output(out):
            raise OutputFolderError(f"{option} {out}: a folder with other files in it, not a spsim output; name a new "
                                    "or empty folder (spsim never writes among files it did not make)")  # fmt: skip
        if (out / LOCK).is_file() and _held(out / LOCK):
            raise OutputFolderError(_busy(out, option))
        if out.is_dir():
            _check_own_entries(out, option)
    except OSError as err:
        raise OutputFolderError(f"{option} {out}: cannot write there ({err.strerror or type(err).__name__})") from None


OWN_FOLDERS = re.compile(rf"({SHARD_DIR}|{PEOPLE_DIR}|figures|runs-[0-9a-f]+)\Z")  # what spsim writes into as folders
OWN_FILES = re.compile(r"[^.].*\.(csv|md|html|json|png|toml)\Z")  # and as files (tables, reports, manifest)


def _check_own_entries(out: Path, option: str = "--out") -> None:
    """A name spsim writes a file under must not be a folder, nor a folder it writes into a file: found only
    after the simulations otherwise (a file called replicates/ failed the first shard, after the first run)."""
    for entry in out.iterdir():
        if OWN_FOLDERS.match(entry.name) and not entry.is_dir():
            raise OutputFolderError(f"{option} {out}: {entry.name} is not a folder, but spsim writes a folder there; "
                                    f"remove it, or use a new {option}")  # fmt: skip
        if OWN_FILES.match(entry.name) and entry.is_dir():
            raise OutputFolderError(f"{option} {out}: {entry.name} is a folder, but spsim writes a file there; "
                                    f"remove it, or use a new {option}")  # fmt: skip


def check_path(out: Path, option: str = "--out") -> None:
    """``out`` is a folder, or can be made one: it is not a file, the nearest existing folder above it can be
    written in, and the name is one the system accepts (too long a name fails here, not after the work)."""
    try:
        if out.exists() and not out.is_dir():
            raise OutputFolderError(f"{option} {out}: exists and is not a folder; name a folder")
        existing = next(p for p in (out, *out.absolute().parents) if p.exists())
        if not existing.is_dir():
            raise OutputFolderError(f"{option} {out}: {existing} is not a folder; name a folder")
        if not os.access(existing, os.W_OK | os.X_OK):
            raise OutputFolderError(f"{option} {out}: cannot write in {existing} (permission denied)")
    except OSError as err:
        raise OutputFolderError(f"{option} {out}: cannot write there ({err.strerror or type(err).__name__})") from None


def claim(out: Path) -> None:
    """Check that ``out`` can hold this run's outputs before anything is written (one line if not), then mark it."""
    check(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        if not (out / MARKER).is_file():
            atomic_write_text(out / MARKER, json.dumps({"spsim_output": 1}) + "\n")
    except OSError as err:
        raise OutputFolderError(f"--out {out}: cannot write there ({err.strerror or type(err).__name__})") from None


def _busy(out: Path, option: str = "--out") -> str:
    return f"{option} {out}: another spsim run is writing into this folder; wait for it, or use a new {option}"


@contextlib.contextmanager
def locked(out: Path, option: str = "--out") -> Iterator[None]:
    """Hold the folder's lock while a run writes: a second run on the same folder is refused at once, not mixed
    in (timeout 0: never waits). The lock file is removed while still held, so a finished run leaves the folder
    as it found it; filelock checks that the file it locked is still the one named (it refuses a removed one)."""
    lock = FileLock(out / LOCK, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise OutputFolderError(_busy(out, option)) from None
    except OSError as err:  # e.g. a folder of that name: not a lock spsim left
        raise OutputFolderError(f"{option} {out}: cannot take the folder's lock {LOCK} "
                                f"({err.strerror or type(err).__name__}); "
                                "remove it") from None  # fmt: skip
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            (out / LOCK).unlink()
        lock.release()


def _held(path: Path) -> bool:
    """Whether another run holds the lock now (a lock file a killed run left behind is not held)."""
    probe = FileLock(path, timeout=0)
    try:
        probe.acquire()
    except Timeout:
        return True
    except OSError:  # cannot even be opened: `locked` says so, in words
        return False
    probe.release()
    return False


def remove_temporaries(out: Path) -> None:
    """Half-written files a killed run left behind (only spsim's own temporary-file names)."""
    for folder in (out, out / SHARD_DIR, out / PEOPLE_DIR, out / "figures"):
        if folder.is_dir():
            for entry in folder.iterdir():
                if entry.is_file() and TEMPORARY.match(entry.name):
                    entry.unlink(missing_ok=True)


def clear_shards(out: Path) -> None:
    """A fresh run: remove the previous run's shards and people files, and nothing else."""
    for folder in (out / SHARD_DIR, out / PEOPLE_DIR):
        if folder.is_dir():
            for entry in folder.iterdir():
                if entry.is_file() and SHARD_NAME.match(entry.name):
                    entry.unlink()
