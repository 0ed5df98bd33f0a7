"""A replicate's warm-up, run once and shared by the scenarios that share it.

Replicate r has the same seed in every scenario, and most scenarios differ only by their policies, which start at
the warm-up's end: their warm-ups are one and the same run. A worker builds and warms the model once for such a
group of tasks, then continues each scenario from a copy of the warmed model (the last one from the model itself),
its policies added then (``SocialPrescribingModel.add_policies``: every number as if the constructor had been given
them). The warm-up's last week runs in each scenario's own copy: a policy starting at the warm-up's end starts
after that week's step, so it must be on the agenda before that week runs.

The copy is a fork where that is safe (a process with one thread, as the pool's workers are started: a copy-on-write
copy costs almost nothing, where ``copy.deepcopy`` costs about as much as the warm-up); the child sends its pickled
result (or the exception it raised) through a pipe and leaves with ``os._exit``. Elsewhere (Dask's workers have
threads; a system without fork) the copy is ``copy.deepcopy``. The numbers are the same either way, and the same as
``run_task``'s for each task alone.
"""

from __future__ import annotations

import copy
import gc
import json
import os
import pickle
import signal
from collections.abc import Callable
from typing import Any

from .runner import ReplicateResult, Task, few_garbage_collections, measure, model_parameters, run_task
from .runner import shifted_policies


def warmup_key(task: Task) -> tuple | None:
    """What makes a task's warm-up what it is (None: no warm-up to share)."""
    if task.warmup_weeks <= 0:
        return None
    parameters = json.dumps(model_parameters(task), sort_keys=True, default=repr)
    return task.seed, task.warmup_weeks, task.weeks, parameters, task.layout


def groups(tasks: list[Task], workers: int) -> list[list[Task]]:
    """The tasks in groups that share a warm-up, longest first. No group is longer than an even share of the tasks
    among the workers (one replicate of ten scenarios on two workers: 5 + 4 + 1, not 9 + 1, at the cost of one more
    warm-up), so that every worker has work."""
    shared: dict[Any, list[Task]] = {}
    alone: list[list[Task]] = []
    for task in tasks:
        key = warmup_key(task)
        if key is None:
            alone.append([task])
        else:
            shared.setdefault(key, []).append(task)
    most = max(1, -(-len(tasks) // max(1, workers)))
    out = []
    for group in shared.values():
        parts = -(-len(group) // most)
        size, extra = divmod(len(group), parts)
        start = 0
        for part in range(parts):
            end = start + size + (part < extra)
            out.append(group[start:end])
            start = end
    return sorted(out + alone, key=len, reverse=True)


def run_group(tasks: list[Task]) -> list[ReplicateResult]:
    """The results of ``tasks`` (which share a warm-up: ``groups``), in their order (runs in a worker process)."""
    if len(tasks) == 1:
        return [run_task(tasks[0])]
    from ...model import SocialPrescribingModel  # (here, in the worker: the main process never imports Mesa)

    first = tasks[0]
    with few_garbage_collections():
        model = SocialPrescribingModel(rng=first.seed, measure_from=first.warmup_weeks, layout=first.layout,
                                       **model_parameters(first))  # fmt: skip
        if first.warmup_weeks > 1:
            model.run_for(first.warmup_weeks - 1)
        results = [in_a_copy(model, lambda copied, task=task: _continue(copied, task)) for task in tasks[:-1]]
        results.append(_continue(model, tasks[-1]))
    return results


def _continue(model, task: Task) -> ReplicateResult:
    """The scenario's policies on the warmed ``model``, the warm-up's last week, then its measured weeks."""
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
    """``run(copy of model)``: the model itself is left as it was."""
    if not can_fork():
        return run(copy.deepcopy(model))
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
