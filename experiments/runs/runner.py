"""Running replicates through an executor, writing each one as it finishes.

Each (scenario, replicate) is a task run by ``run_task`` in a worker process: a local process pool by
default, or Dask distributed for a cluster. Replicate r has the same seed in every scenario (common
random numbers), so scenarios are compared paired. Each finished replicate is written at once as a
shard (atomically: a temporary file renamed into place), so an interrupted run loses nothing finished
and ``--resume`` runs only what is missing. The final tables are built from the shards in a fixed
order, so they are identical whatever the executor, the number of workers or the interruptions.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import dataclasses
import functools
import gc
import itertools
import multiprocessing
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...model.place import Layout

from .metrics import Window, referred_in, replicate_metrics, timeseries, trajectory_sums
from ..inputs.scenario import Scenario
from .subgroups import subgroup_rows

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


# ---------------------------------------------------------------------------- executors
class Backend:
    """Runs tasks on a concurrent.futures-style executor and yields (task, result) as each finishes."""

    def run(self, fn: Callable[[Any], Any], tasks: list[Any],
            then: Callable[[], Any] | None = None) -> Iterator[tuple[Task, Any]]:  # fmt: skip
        """(task, fn(task)) as each finishes; ``then``: run_tasks'."""
        raise NotImplementedError

    def lend(self) -> Callable[..., cf.Future] | None:
        """``submit(fn, *args)`` on this machine's worker processes, for other work once the tasks are taken (the
        run's figures), or None: no worker of its own that shares this machine's files and is idle by then."""
        return None

    def close(self) -> None:
        pass


class InProcess(Backend):
    """One worker: run in this process, one task at a time (no pool to start)."""

    def run(self, fn, tasks, then=None):
        for task in tasks:
            yield task, fn(task)


# A worker forks a copy of a warmed model (experiments/runs/warmup.py), which is safe only in a process with one
# thread: NumPy's OpenBLAS would start a thread per core, pyarrow's jemalloc a background thread (pandas imports
# pyarrow). Workers are spawned with the environment of the moment, so it is set here (a user's setting stays).
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "JE_ARROW_MALLOC_CONF": "background_thread:false"}  # fmt: skip


class ProcessPool(Backend):
    def __init__(self, workers: int):
        for name, value in ONE_THREAD.items():
            os.environ.setdefault(name, value)
        # "spawn": workers start clean (fork from a process with threads is unsafe and warns on 3.12)
        self.pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                           initializer=_interrupt_only_work)  # fmt: skip
        self.workers, self.started = workers, 0

    def run(self, fn, tasks, then=None):
        # One task in flight per worker, the next given as one finishes: the pool would otherwise queue one more
        # task than it has workers, which no Ctrl-C stops (``cancel_futures`` cannot take back what is queued), and
        # tasks sharing a warm-up are best handed out in order (experiments/runs/warmup.py). A worker that runs out
        # of tasks is given ``then`` instead, once every worker has been started (with fewer tasks, a worker would start for it)
        waiting, running = iter(tasks), {}
        readied = self.workers if then is None or self.started + len(tasks) < self.workers else 0

        def give() -> None:
            nonlocal readied
            for task in itertools.islice(waiting, 1):
                running[self.pool.submit(_interruptible, fn, task)] = task
                self.started += 1
                return
            if readied < self.workers:
                self.pool.submit(_interruptible, then)
                readied += 1

        for _ in range(self.workers):
            give()
        while running:
            done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for _ in done:
                give()
            for future in done:
                yield running.pop(future), future.result()

    def lend(self):
        # only workers already started: one spawned now would import for longer than it would work
        return functools.partial(self.pool.submit, _interruptible) if self.started >= self.workers else None

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=True)


_working = False  # (in a pool's worker) whether it is running a task now


def _interruptible(fn: Callable[..., Any], *args: Any) -> Any:
    global _working
    _working = True
    try:
        return fn(*args)
    finally:
        _working = False


def _interrupt_only_work() -> None:
    """Ctrl-C reaches the workers too: one at work stops its task (the main process is stopping the run), but
    one waiting for work would die with a traceback on the user's screen; it keeps waiting instead, until the
    main process shuts the pool down (a worker waits through the output stage, to draw the figures)."""

    def on_interrupt(signum, frame):
        if _working:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_interrupt)


SCHEDULER_TIMEOUT_S = 5.0  # a scheduler on a working network answers in well under a second


class SchedulerUnreachable(Exception):
    """No Dask scheduler answered at an address; the message is one line."""


def probe_scheduler(address: str, timeout: float | None = None) -> None:
    """Ask the scheduler at ``address`` who it is, within ``timeout`` seconds in all (connecting, the
    handshake and the answer): a malformed address, a closed port, a silent host or a server that is not a
    Dask scheduler is refused here, in one line, before anything is written (Dask's Client alone waits 30 s
    and then raises a multi-line OSError; some malformed addresses make it fail an assert after 10 s)."""
    import asyncio

    from distributed.comm import connect

    timeout = timeout or SCHEDULER_TIMEOUT_S

    async def identity() -> object:
        comm = await connect(address, timeout=timeout)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            await comm.close()

    try:
        answer = asyncio.run(asyncio.wait_for(identity(), timeout))
    except (TimeoutError, asyncio.TimeoutError):
        raise SchedulerUnreachable(f"no Dask scheduler answered within {timeout:g} s") from None
    except Exception as err:  # noqa: BLE001 - whatever the address or the peer did, it is not a usable scheduler
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise SchedulerUnreachable(f"no Dask scheduler there ({reason})") from None
    if not isinstance(answer, dict) or answer.get("type") != "Scheduler":
        raise SchedulerUnreachable("something answered, but not a Dask scheduler")


class DaskBackend(Backend):
    """Dask distributed: a scheduler address (a cluster), or a local cluster on 127.0.0.1."""

    def __init__(self, workers: int, scheduler: str | None):
        from distributed import Client, LocalCluster

        self.cluster = None
        if scheduler:
            self.client = Client(scheduler, timeout=SCHEDULER_TIMEOUT_S)
        else:
            self.cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            )
            self.client = Client(self.cluster)

    def run(self, fn, tasks, then=None):
        from distributed import as_completed

        futures = {self.client.submit(fn, task, pure=False): task for task in tasks}
        for future in as_completed(futures):
            yield futures[future], future.result()

    def close(self):
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_backend(executor: str, workers: int, scheduler: str | None) -> Backend:
    if executor == "dask":
        return DaskBackend(workers, scheduler)
    if workers <= 1:
        return InProcess()
    return ProcessPool(workers)


def run_tasks(tasks: list[Task], backend: Backend, save: Callable[[Task, ReplicateResult], Any],
              progress: Callable[[int], Any] | None = None, then: Callable[[], Any] | None = None) -> None:  # fmt: skip
    """Run the tasks, those that share a warm-up one after another (a worker continues them from copies of the
    warm-up it kept: experiments/runs/warmup.py), saving each result (as its shard) as soon as it arrives; ``then``:
    what a pool's workers do as they run out of tasks (get ready for the work they will be lent: ``Backend.lend``)."""
    from .warmup import in_warmup_order, run_shared

    for (task, _), result in backend.run(run_shared, in_warmup_order(tasks), then):
        save(task, result)
        if progress is not None:
            progress(1)


def progress_bar(total: int, initial: int, description: str):
    """A tqdm bar on stderr, silent when stderr is not a terminal."""
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, desc=description, unit="replicate", file=sys.stderr,
                disable=not sys.stderr.isatty())  # fmt: skip
