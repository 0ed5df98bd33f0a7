"""Running replicates through an executor, writing each one as it finishes.

Each (scenario, replicate) is a task run by ``run_task`` in a worker process: a local process pool by
default, or Dask distributed for a cluster (executors.py). Replicate r has the same seed in every scenario (common
random numbers), so scenarios are compared paired. Each finished replicate is written at once as a
shard (atomically: a temporary file renamed into place), so an interrupted run loses nothing finished
and ``--resume`` runs only what is missing. The final tables are built from the shards in a fixed
order, so they are identical whatever the executor, the number of workers or the interruptions.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ...model.place import Layout

from .metrics import Window, referred_in, replicate_metrics, timeseries, trajectory_sums
from ..inputs.scenario import Scenario
from .subgroups import subgroup_rows

if TYPE_CHECKING:
    from .executors import Backend

SHARD_DIR = "replicates"
PEOPLE_DIR = "people"  # with --people: each replicate's per-person outcome records, as Parquet


@dataclass(frozen=True)
class Task:
    scenario: Scenario
    replicate: int
    seed: int
    weeks: int
    place: dict[str, Any]
    warmup_weeks: int = 0
    layout: Layout | None = None  # a place file's small areas and groups (None: the default place)
    people: bool = False  # also return the per-person outcome records (spsim run --people)


@dataclass
class ReplicateResult:
    row: dict
    timeseries: pd.DataFrame
    trajectory_sums: pd.DataFrame
    subgroups: pd.DataFrame
    people: pd.DataFrame | None = None


def replicate_seed(root_seed: int, replicate: int) -> int:
    """The seed of replicate r: the same in every scenario (paired), independent across replicates."""
    state = np.random.SeedSequence([root_seed, replicate]).generate_state(2, dtype=np.uint32)
    return int(state[0]) << 31 | int(state[1]) >> 1


@contextlib.contextmanager
def few_garbage_collections():
    """A run holds hundreds of thousands of live objects; Python's default cycle collector would
    rescan them all every few hundred allocations (a quarter of the run time). Collect rarely."""
    old = gc.get_threshold()
    gc.set_threshold(200_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*old)


def run_task(task: Task) -> ReplicateResult:
    """One replicate of one scenario (runs in a worker process).

    The place first runs as it is today (the scenario's own parameters, no policies) for the warm-up,
    so that caseloads, waiting lists and groups are settled, as in a real system that has been running
    for years; then the scenario's policies start (their weeks count from there) and measurement begins.
    (Scenarios that share a warm-up share its run: experiments/runs/warmup.py.)
    """
    from ...model import SocialPrescribingModel  # (here, in the worker: the main process never imports Mesa)

    with few_garbage_collections():
        model = SocialPrescribingModel(rng=task.seed, policies=shifted_policies(task), measure_from=task.warmup_weeks,
                                       layout=task.layout, **model_parameters(task))  # fmt: skip
        if task.warmup_weeks:
            model.run_for(task.warmup_weeks)
        return measure(model, task)


def model_parameters(task: Task) -> dict[str, Any]:
    """The model's keywords: the place's, and the scenario's own over them."""
    return {**task.place, **task.scenario.parameters}


def shifted_policies(task: Task) -> list:
    """The scenario's policies, their weeks counted from the warm-up's end."""
    return [
        dataclasses.replace(
            policy,
            start_week=policy.start_week + task.warmup_weeks,
            end_week=None if policy.end_week is None else policy.end_week + task.warmup_weeks,
        )
        for policy in task.scenario.policies
    ]


def measure(model, task: Task) -> ReplicateResult:
    """Run ``model``, warmed up, for the task's weeks and read its results."""
    window = Window.start_now(model)
    model.run_for(task.weeks)
    model.close_open_records()
    name = task.scenario.name
    referred = referred_in(model, window)  # read once: the measures, the subgroups and the people all use it
    return ReplicateResult(
        row=replicate_metrics(model, name, task.replicate, task.seed, window, referred),
        timeseries=timeseries(model, name, task.replicate, since_week=task.warmup_weeks),
        trajectory_sums=trajectory_sums(model, name, task.replicate),
        subgroups=subgroup_rows(model, name, task.replicate, window, referred),
        people=_people(referred, name, task.replicate) if task.people else None,
    )


def _people(referred: pd.DataFrame, scenario: str, replicate: int) -> pd.DataFrame:
    """The outcome records of the people referred in the measurement window (docs/outputs.md)."""
    out = referred.reset_index(drop=True)
    out.insert(0, "replicate", replicate)
    out.insert(0, "scenario", scenario)
    return out


def current_umask() -> int:
    """The process's umask, read without changing it.

    ``os.umask`` can only be read by setting it (``old = os.umask(0); os.umask(old)``), and in between any
    other thread (Dask's, a progress bar's) would create files with no mask at all. Linux states the mask in
    /proc/self/status (since 4.7); elsewhere fall back to the set-and-restore, racy but brief."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    old = os.umask(0o022)
    os.umask(old)
    return old


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file 0600 (private to the writer); an output must open for colleagues like any file
        # the user creates (0666 less the umask, as matplotlib's figures do), or a shared drive hides the report
        os.fchmod(fd, 0o666 & ~current_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_csv(path: Path, frame: pd.DataFrame) -> None:
    """A table as CSV, written atomically, with the project's number format (stable across runs)."""
    atomic_write_text(path, frame.to_csv(index=False, float_format="%.6g", lineterminator="\n"))


def run_tasks(tasks: list[Task], backend: Backend, save: Callable[[Task, ReplicateResult], Any],
              progress: Callable[[int], Any] | None = None, then: Callable[[], Any] | None = None) -> None:  # fmt: skip
    """Run the tasks, those that share a warm-up handed to the worker that keeps it (it continues them from copies
    of the warm-up: experiments/runs/warmup.py), saving each result (as its shard) as soon as it arrives; ``then``:
    what a pool's workers do as they run out of tasks (get ready for the work they will be lent: ``Backend.lend``)."""
    from .warmup import ByWarmup, run_shared

    for (task, _), result in backend.run(run_shared, ByWarmup(tasks), then):
        save(task, result)
        if progress is not None:
            progress(1)


def progress_bar(total: int, initial: int, description: str):
    """A tqdm bar on stderr, silent when stderr is not a terminal."""
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, desc=description, unit="replicate", file=sys.stderr,
                disable=not sys.stderr.isatty())  # fmt: skip
