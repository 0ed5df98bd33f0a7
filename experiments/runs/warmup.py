"""A replicate's warm-up, run once by a worker and shared by the scenarios that share it.

Replicate r has the same seed in every scenario, and most scenarios differ only by their policies, which start at
the warm-up's end: their warm-ups are one and the same run. The runner hands the tasks out so that those sharing a
warm-up go, one after another, to the worker that keeps it (``ByWarmup``); a worker keeps the last warm-up it built
and continues each such task from a copy of it, the scenario's policies added then
(``SocialPrescribingModel.add_policies``: every number as if the constructor had been given them). The warm-up's last week runs in each scenario's own copy: a
policy starting at the warm-up's end starts after that week's step, so it must be on the agenda before that week
runs. Each task is still a task of its own, so its shard is written as soon as it finishes (an interruption loses
only the tasks in flight); two workers work on different replicates, and build one warm-up twice only when the
last tasks are shared out at the end.

The copy is a fork where that is safe (a process with one thread, as the pool's workers are started: a copy-on-write
copy costs almost nothing); the child sends its pickled result (or the exception it raised) through a pipe and
leaves with ``os._exit``. Elsewhere (Dask's workers have threads; the main process of ``--workers 1`` has
pyarrow's; a system without fork) each task runs alone, as ``run_task``: ``copy.deepcopy`` costs about as much as
the warm-up it would save. The numbers are the same either way.
"""

from __future__ import annotations

import gc
import json
import os
import pickle
import signal
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from .runner import ReplicateResult, Task, few_garbage_collections, measure, model_parameters, run_task
from .runner import shifted_policies


def warmup_key(task: Task) -> tuple | None:
    """What makes a task's warm-up what it is (None: no warm-up to share)."""
    if task.warmup_weeks <= 0:
        return None
    parameters = json.dumps(model_parameters(task), sort_keys=True, default=repr)
    return task.seed, task.warmup_weeks, task.weeks, parameters, task.layout


class ByWarmup:
    """Hands the tasks out so that tasks sharing a warm-up go one after another to the worker that keeps it: a worker
    that has just finished a task is given the next task sharing its warm-up while there is one, else the first task
    of a warm-up no other worker is running (else the first waiting). Each is handed out as (task, whether it is the
    last to share its warm-up): the last can run on the kept model itself, and a task sharing with none runs alone."""

    def __init__(self, tasks: list[Task]):
        self._key: dict[int, Any] = {}
        self._groups: dict[Any, deque[Task]] = {}  # waiting, by warm-up, in the order each warm-up first appears
        for i, task in enumerate(tasks):
            key = warmup_key(task)
            self._key[id(task)] = key = ("alone", i) if key is None else key
            self._groups.setdefault(key, deque()).append(task)

    def __len__(self) -> int:
        return sum(map(len, self._groups.values()))

    def take(self, after: tuple[Task, bool] | None = None, running: Sequence[tuple[Task, bool]] = ()):
        key = None if after is None else self._key[id(after[0])]
        if key not in self._groups:
            busy = {self._key[id(task)] for task, _ in running}
            key = next((k for k in self._groups if k not in busy), next(iter(self._groups)))
        group = self._groups[key]
        task = group.popleft()
        if not group:
            del self._groups[key]
        return task, not group


_kept: tuple[tuple, Any] | None = None  # (in a worker) the last warm-up built, and its model, kept to be copied


def run_shared(handed: tuple[Task, bool]) -> ReplicateResult:
    """``run_task(task)``'s result, continued from the warm-up this worker kept when it is the task's own: from a
    copy of it, or from the model itself for the last task to share it (runs in a worker process)."""
    global _kept
    task, last = handed
    key = warmup_key(task)
    if key is None or not can_fork():
        return run_task(task)
    if _kept is None or _kept[0] != key:
        _kept = None  # the last one let go before the next is built
        if last:  # nothing to share it with
            return run_task(task)
        from ...model import SocialPrescribingModel  # (here, in the worker: the main process never imports Mesa)

        with few_garbage_collections():
            model = SocialPrescribingModel(rng=task.seed, measure_from=task.warmup_weeks, layout=task.layout,
                                           **model_parameters(task))  # fmt: skip
            model.run_for(task.warmup_weeks - 1)
        _kept = (key, model)
    if last:
        model, _kept = _kept[1], None
        return _continue(model, task)
    return in_a_copy(_kept[1], lambda copied: _continue(copied, task))


def _continue(model, task: Task) -> ReplicateResult:
    """The scenario's policies on the warmed ``model``, the warm-up's last week, then its measured weeks."""
    with few_garbage_collections():
        model.add_policies(shifted_policies(task))
        model.run_for(1)
        return measure(model, task)


def can_fork() -> bool:
    """Whether this process can fork safely: a system with fork, and one thread only (a child of a process with
    threads may inherit a lock some other thread held, and Python 3.12 warns)."""
    if not hasattr(os, "fork"):
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:  # not Linux: threads cannot be counted here
        return False


def in_a_copy(model, run: Callable[[Any], ReplicateResult]) -> ReplicateResult:
    """``run(copy of model)`` in a forked child (only where ``can_fork``): the model itself is left as it was."""
    gc.freeze()  # the child's collections would otherwise write to every old object's page (copying it)
    try:
        return _in_a_child(model, run)
    finally:
        gc.unfreeze()


def _in_a_child(model, run: Callable[[Any], ReplicateResult]) -> ReplicateResult:
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, send, and leave without running the parent's exit handlers or flushing its files
        status = 1
        try:
            os.close(reading)
            try:
                payload = pickle.dumps((True, run(model)), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException as err:  # noqa: BLE001 - the parent raises it (Ctrl-C included)
                payload = _pickled_error(err)
            with os.fdopen(writing, "wb") as pipe:
                pipe.write(payload)
            status = 0
        finally:
            os._exit(status)
    os.close(writing)
    try:
        with os.fdopen(reading, "rb") as pipe:
            payload = pipe.read()  # to its end before waiting: a result bigger than the pipe's buffer blocks the child
    except BaseException:  # e.g. Ctrl-C: the child must not outlive its parent
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    _, status = os.waitpid(pid, 0)
    if not payload:
        raise ChildProcessError(f"a scenario's run in a forked copy ended with no result (wait status {status})")
    ok, value = pickle.loads(payload)
    if not ok:
        raise value
    return value


def _pickled_error(err: BaseException) -> bytes:
    try:
        return pickle.dumps((False, err), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - an exception that cannot be pickled: its type and message
        return pickle.dumps((False, RuntimeError(f"{type(err).__name__}: {err}")), protocol=pickle.HIGHEST_PROTOCOL)
