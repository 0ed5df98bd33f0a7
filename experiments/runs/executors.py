"""Where a run's tasks execute: in this process, on a local process pool, or on Dask distributed.

A backend runs a function over tasks and yields (task, result) as each finishes; the runner (runner.py) saves each
result as it arrives, so the executor never decides the numbers, only where and when they are worked out. A local
pool keeps one task in flight per worker (Ctrl-C then stops a run within a second) and can lend its workers, once
the tasks are all handed out, for the run's figures (experiments/reporting/figure_jobs.py).
"""

from __future__ import annotations

import concurrent.futures as cf
import functools
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .runner import Task


class Handing(Protocol):
    """What a backend's tasks are handed out from: ``take`` the next for a worker that has just finished ``after``
    (None: a worker starting, or no worker in particular) while ``running`` are in flight; asked only while its length
    is not 0 (experiments/runs/warmup.py hands out tasks sharing a warm-up to the worker that keeps it)."""

    def __len__(self) -> int: ...

    def take(self, after: Any = None, running: Sequence[Any] = ()) -> Any: ...


class InOrder:
    """Tasks handed out in the order given."""

    def __init__(self, tasks: Sequence[Any]):
        self._waiting = deque(tasks)

    def __len__(self) -> int:
        return len(self._waiting)

    def take(self, after: Any = None, running: Sequence[Any] = ()) -> Any:
        return self._waiting.popleft()


def handing(tasks: Sequence[Any] | Handing) -> Handing:
    return tasks if hasattr(tasks, "take") else InOrder(tasks)


class Backend:
    """Runs tasks on a concurrent.futures-style executor and yields (task, result) as each finishes."""

    def run(self, fn: Callable[[Any], Any], tasks: Sequence[Any] | Handing,
            then: Callable[[], Any] | None = None) -> Iterator[tuple[Task, Any]]:  # fmt: skip
        """(task, fn(task)) as each finishes, the tasks a list (in its order) or a ``Handing``; ``then``: run_tasks'."""
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
        queue, task = handing(tasks), None
        while queue:
            task = queue.take(task)
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
        # of tasks is given ``then`` instead, once every worker has been started (with fewer tasks, a worker would start
        # for it). With one task in flight per worker, the task given as one finishes goes to the worker just freed.
        queue, running = handing(tasks), {}
        readied = self.workers if then is None or self.started + len(queue) < self.workers else 0

        def give(after: Any = None) -> None:
            nonlocal readied
            if queue:
                task = queue.take(after, list(running.values()))
                running[self.pool.submit(_interruptible, fn, task)] = task
                self.started += 1
            elif readied < self.workers:
                self.pool.submit(_interruptible, then)
                readied += 1

        for _ in range(self.workers):
            give()
        while running:
            done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            finished = [(future, running.pop(future)) for future in done]
            for _, task in finished:
                give(task)
            for future, task in finished:
                yield task, future.result()

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

        queue = handing(tasks)
        futures = {self.client.submit(fn, task, pure=False): task for task in [queue.take() for _ in range(len(queue))]}
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
