"""The output folder of a run: marked as spsim's, locked while a run writes into it, cleared of what spsim
left half-written, and never emptied of anything spsim did not create (issue 12: a fresh run used to
delete ``<out>/replicates/`` in any folder, and two runs on one folder mixed their tables)."""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

from .runner import SHARD_DIR, atomic_write_text

MARKER = ".spsim-output"  # says: this folder is a spsim output, spsim may replace its own files in it
LOCK = ".spsim.lock"  # the process id of the run writing into the folder
SHARD_NAME = re.compile(r".+__r\d{4}\.(json|pkl)\Z")  # this run's shards, and the pickles older versions wrote
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


def claim(out: Path) -> None:
    """Check that ``out`` can hold this run's outputs before anything is written (one line if not), then mark it."""
    try:
        if out.exists() and not out.is_dir():
            raise OutputFolderError(f"--out {out}: exists and is not a folder; name a folder")
        if out.is_dir() and any(out.iterdir()) and not is_spsim_output(out):
            raise OutputFolderError(f"--out {out}: a folder with other files in it, not a spsim output; name a new "
                                    "or empty folder (spsim never writes among files it did not make)")  # fmt: skip
        out.mkdir(parents=True, exist_ok=True)
        if not (out / MARKER).is_file():
            atomic_write_text(out / MARKER, json.dumps({"spsim_output": 1}) + "\n")
    except OSError as err:
        raise OutputFolderError(f"--out {out}: cannot write there ({err.strerror or type(err).__name__})") from None


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold the folder's lock while a run writes: a second run on the same folder is refused, not mixed in.
    A lock left by a run that was killed (its process is gone) is taken over."""
    lock = out / LOCK
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            break
        except FileExistsError:
            if _holder_alive(lock):
                raise OutputFolderError(f"--out {out}: another spsim run is writing into this folder "
                                        f"(process {lock.read_text().strip()}); wait for it, or use a new --out") from None  # fmt: skip
            lock.unlink(missing_ok=True)
    else:
        raise OutputFolderError(f"--out {out}: cannot take the folder's lock ({LOCK})")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(f"{os.getpid()}\n")
        yield
    finally:
        lock.unlink(missing_ok=True)


def _holder_alive(lock: Path) -> bool:
    try:
        pid = int(lock.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    return pid != os.getpid()


def remove_temporaries(out: Path) -> None:
    """Half-written files a killed run left behind (only spsim's own temporary-file names)."""
    for folder in (out, out / SHARD_DIR, out / "figures"):
        if folder.is_dir():
            for entry in folder.iterdir():
                if entry.is_file() and TEMPORARY.match(entry.name):
                    entry.unlink(missing_ok=True)


def clear_shards(out: Path) -> None:
    """A fresh run: remove the previous run's shards, and nothing else."""
    folder = out / SHARD_DIR
    if folder.is_dir():
        for entry in folder.iterdir():
            if entry.is_file() and SHARD_NAME.match(entry.name):
                entry.unlink()
