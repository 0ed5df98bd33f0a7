"""Finished replicates on disk: data that cannot run code, each carrying the identity of the run it belongs to.

A shard is one JSON file per (scenario, replicate): the ``replicates.csv`` row, and the weekly series,
trajectory sums and results by subgroup as columns, dtypes and values (Python's JSON writes floats exactly, so a table rebuilt from
shards is byte-identical to one built in memory). Its ``identity`` names the run (a hash of the settings that
determine the numbers), the scenario, the replicate, the seed and the code version; a shard whose identity is
not the one expected is refused, never silently mixed in (issue 12: pickled shards could run code, and
resume accepted any shard). Its ``sha256`` covers the content, so a shard damaged on disk is refused too.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .code_version import code_version
from .runner import PEOPLE_DIR, SHARD_DIR, ReplicateResult, Task, atomic_write_bytes, atomic_write_text

FORMAT = "spsim shard 3"  # 2: with the sha256 of its content; 3: with the results by subgroup


class ShardError(ValueError):
    """A shard that is damaged or belongs to another run; the message is one line naming the file."""


def identity(run: str, task: Task) -> dict[str, Any]:
    return {"run": run, "scenario": task.scenario.name, "replicate": task.replicate, "seed": task.seed,
            "code": code_version()}  # fmt: skip


def path(folder: Path, task: Task) -> Path:
    return folder / SHARD_DIR / f"{task.scenario.name}__r{task.replicate:04d}.json"


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON data: {type(value).__name__}")


def _table(frame: pd.DataFrame) -> dict[str, Any]:
    return {"columns": list(frame.columns), "dtypes": [str(t) for t in frame.dtypes],
            "data": frame.to_numpy(dtype=object).tolist()}  # fmt: skip


def _frame(table: dict[str, Any]) -> pd.DataFrame:
    """The table ``_table`` wrote, with its dtypes: built a column at a time, each made at once with its dtype
    (rows into a frame and then each column cast took three times as long, the same frame)."""
    if not table["data"]:
        return pd.DataFrame(table["data"], columns=table["columns"])
    columns = zip(*table["data"], strict=True)
    return pd.DataFrame({name: pd.array(values, dtype=dtype)
                         for name, values, dtype in zip(table["columns"], columns, table["dtypes"], strict=True)})  # fmt: skip


CONTENT = ("row", "timeseries", "trajectory_sums", "subgroups")


def _digest(content: dict[str, Any]) -> str:
    """The sha256 of the content as JSON. Python's JSON reads back exactly what it wrote (floats, NaN, key
    order), so the digest of the content as read equals the digest written unless a byte of it changed."""
    text = json.dumps({key: content[key] for key in CONTENT}, default=_plain, allow_nan=True)
    return hashlib.sha256(text.encode()).hexdigest()


def people_path(folder: Path, task: Task) -> Path:
    return folder / PEOPLE_DIR / f"{task.scenario.name}__r{task.replicate:04d}.parquet"


def write(folder: Path, run: str, task: Task, result: ReplicateResult) -> None:
    if result.people is not None:  # first, so that a replicate with a shard always has its people file
        atomic_write_bytes(people_path(folder, task), result.people.to_parquet(index=False))
    content = {"row": result.row, "timeseries": _table(result.timeseries),
               "trajectory_sums": _table(result.trajectory_sums), "subgroups": _table(result.subgroups)}  # fmt: skip
    shard = {"format": FORMAT, "identity": identity(run, task), "sha256": _digest(content), **content}
    atomic_write_text(path(folder, task), json.dumps(shard, default=_plain, allow_nan=True))


def _load(file: Path) -> dict[str, Any]:
    try:
        shard = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise ShardError(f"{file}: not a readable spsim shard ({type(err).__name__}); delete it or use a new --out") from None
    if not isinstance(shard, dict) or shard.get("format") != FORMAT or not isinstance(shard.get("identity"), dict):
        raise ShardError(f"{file}: not a spsim shard; delete it or use a new --out")
    return shard


def check(folder: Path, run: str, task: Task) -> dict[str, Any]:
    """The shard, refused if it belongs to another run, scenario, replicate, seed or code version."""
    shard = _load(path(folder, task))
    found, expected = shard["identity"], identity(run, task)
    wrong = [key for key in expected if found.get(key) != expected[key]]
    if wrong:
        raise ShardError(f"{path(folder, task)}: belongs to another run ({wrong[0]} is {found.get(wrong[0])!r}, "
                         f"expected {expected[wrong[0]]!r}); delete it, or use a new --out")  # fmt: skip
    # a shard whose numbers changed on disk (a bad sector, a hand edit) would give exit 0 and wrong tables
    try:
        intact = shard.get("sha256") == _digest(shard)
    except (KeyError, TypeError, ValueError, RecursionError):
        intact = False
    if not intact:
        raise ShardError(f"{path(folder, task)}: its content does not match its sha256 (damaged); delete it to run "
                         "it again")  # fmt: skip
    return shard


def _row(shard: dict[str, Any]) -> dict[str, Any]:
    return {k: (math.nan if v is None else v) for k, v in shard["row"].items()}


def read(folder: Path, run: str, task: Task) -> ReplicateResult:
    shard = check(folder, run, task)
    try:
        return ReplicateResult(row=_row(shard), timeseries=_frame(shard["timeseries"]),
                               trajectory_sums=_frame(shard["trajectory_sums"]),
                               subgroups=_frame(shard["subgroups"]))  # fmt: skip
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise ShardError(f"{path(folder, task)}: a damaged spsim shard ({type(err).__name__}); delete it") from None


def _joined(tables: list[dict[str, Any]]) -> pd.DataFrame:
    """The tables one under the other, as ``pd.concat`` of their frames gives them: made at once from all their
    rows when they share columns and dtypes and none is empty (an empty one can change the dtypes concat
    gives), else a frame each, concatenated (which took twice as long for the 100 shards of `make run`)."""
    first = tables[0]
    if all(t["data"] and t["columns"] == first["columns"] and t["dtypes"] == first["dtypes"] for t in tables):
        return _frame({**first, "data": [row for t in tables for row in t["data"]]})
    return pd.concat([_frame(t) for t in tables], ignore_index=True)


def read_all(folder: Path, run: str, tasks: list[Task]) -> tuple[list[dict[str, Any]], pd.DataFrame, pd.DataFrame,
                                                                  pd.DataFrame]:  # fmt: skip
    """The shards of ``tasks``, in their order: each one's row, and its weekly series, trajectory sums and
    results by subgroup, each of them for all the shards as one frame (as ``read`` and a concatenation)."""
    checked = [check(folder, run, task) for task in tasks]
    try:
        return ([_row(shard) for shard in checked],
                *(_joined([shard[key] for shard in checked]) for key in CONTENT[1:]))  # fmt: skip
    except (KeyError, TypeError, ValueError, AttributeError):
        for task in tasks:  # the shard that cannot be read, named
            read(folder, run, task)
        raise ShardError(f"{folder / SHARD_DIR}: its shards cannot be read together; use a new --out") from None


def missing(folder: Path, run: str, tasks: list[Task]) -> list[Task]:
    """The tasks without a shard; every shard present is checked first (nothing runs beside a foreign one)."""
    try:  # one listing, not a stat per task: a design can have hundreds of thousands of tasks
        present = set(os.listdir(folder / SHARD_DIR))
    except (FileNotFoundError, NotADirectoryError):
        present = set()
    except OSError as err:
        raise ShardError(f"{folder / SHARD_DIR}: cannot be listed ({err.strerror}); use a new --out") from None
    todo = []
    for task in tasks:
        if path(folder, task).name in present:
            check(folder, run, task)
        else:
            todo.append(task)
    return todo
