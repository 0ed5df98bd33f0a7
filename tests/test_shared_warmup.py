"""A replicate's warm-up run once by a worker and shared by the scenarios that share it (experiments/runs/warmup.py):
policies added after the warm-up give every number the constructor would have, and each task continued from a copy
of the kept warm-up gives its own results."""

from __future__ import annotations

import dataclasses
import json
import os

import pandas as pd
import pytest

from spsim.experiments.inputs import scenario as scenarios
from spsim.experiments.runs import warmup
from spsim.experiments.runs.executors import ProcessPool
from spsim.experiments.runs.runner import Task, replicate_seed, run_task
from spsim.model import SocialPrescribingModel, VCSEGroup
from spsim.model.agenda import Agenda
from spsim.model.policy import Policy
from tests.fingerprint import _hashes

WARMUP = 12
SMALL = {"population": 4000}


def test_an_entry_added_as_built_runs_where_construction_would_have_put_it():
    agenda, ran = Agenda(), []
    agenda.add(3, lambda: ran.append("built"))
    agenda.mark_built()
    agenda.add(3, lambda: ran.append("added while running"))
    with agenda.as_built():
        agenda.add(3, lambda: ran.append("late 1"))
        agenda.add(3, lambda: ran.append("late 2"))
        agenda.add(4, lambda: ran.append("late, a week with none built"))
    agenda.add(4, lambda: ran.append("added after"))
    agenda.run_through(4)
    assert ran == ["built", "late 1", "late 2", "added while running", "late, a week with none built", "added after"]


def _shifted(policies, start: int = 0, length: int | None = None):
    end = None if length is None else WARMUP + start + length
    return [dataclasses.replace(p, start_week=p.start_week + WARMUP + start, end_week=end) for p in policies]


def _numbers(model) -> dict:
    model.close_open_records()
    return {**_hashes(model), "ledger": repr(vars(model.ledger)), "counters": repr(vars(model.counters))}


@pytest.mark.parametrize("name", ["more_link_workers", "fund_vcse", "balanced_budget", "vcse_tariff", "continuity"])
@pytest.mark.parametrize("start, length", [(0, None), (5, 10)])
def test_policies_added_after_a_warm_up_give_the_constructors_numbers(name, start, length):
    scenario = scenarios.load(name)
    policies = _shifted(scenario.policies, start, length)
    given = SocialPrescribingModel(rng=9, policies=policies, measure_from=WARMUP, **SMALL, **scenario.parameters)
    given.run_for(WARMUP + 30)
    later = SocialPrescribingModel(rng=9, measure_from=WARMUP, **SMALL, **scenario.parameters)
    later.run_for(WARMUP - 1)
    later.add_policies(policies)
    later.run_for(31)
    assert _numbers(later) == _numbers(given)


@dataclasses.dataclass
class Looks(Policy):
    """A policy that notes, as it starts, what the week's earlier entries have done (groups founded so far)."""

    seen: list = dataclasses.field(default_factory=list)  # shared by the model's copy of the policy

    def changes(self, model):
        self.seen.append(len(model.agents_by_type.get(VCSEGroup, ())))
        return {}


def test_a_late_policy_starts_before_what_the_warm_up_put_in_the_same_week():
    # seed 2, 150,000 adults: a group founded in week 52 was put on the agenda during the warm-up; a policy given to
    # the constructor starts before it (and sees 151 groups), so a policy added after the warm-up must too
    given, later = Looks(start_week=52), Looks(start_week=52)
    SocialPrescribingModel(rng=2, policies=[given], population=150_000).run_for(52)
    model = SocialPrescribingModel(rng=2, population=150_000)
    model.run_for(51)
    model.add_policies([later])
    model.run_for(1)
    assert later.seen == given.seen == [151]


def test_a_policy_added_late_must_start_in_a_later_week():
    model = SocialPrescribingModel(rng=1, **SMALL)
    model.run_for(3)
    with pytest.raises(ValueError, match="later week"):
        model.add_policies(_shifted(scenarios.load("more_link_workers").policies, start=3 - WARMUP))


def _tasks(names: list[str], replicates: int, warmup_weeks: int = WARMUP, weeks: int = 20) -> list[Task]:
    return [Task(scenarios.load(name), r, replicate_seed(3, r), weeks, dict(SMALL), warmup_weeks)
            for name in names for r in range(replicates)]  # fmt: skip


DEFAULT = ["baseline", "no_social_prescribing", "more_link_workers", "fund_vcse", "supported_discharge",
           "balanced_budget", "peer_support", "vcse_tariff", "long_term_support", "continuity"]  # fmt: skip


def in_warmup_order(tasks: list[Task]) -> list[tuple[Task, bool]]:
    """The tasks as one worker is handed them (``warmup.ByWarmup``): those that share a warm-up one after another."""
    queue = warmup.ByWarmup(tasks)
    return [queue.take() for _ in range(len(queue))]


def _names(tasks: list[Task]) -> list[tuple[str, int]]:
    return [(task.scenario.name, task.replicate) for task in tasks]


def test_tasks_that_share_a_warm_up_are_handed_out_one_after_another():
    tasks = _tasks(DEFAULT, replicates=2)  # scenario by scenario, as a comparison lists them
    handed = in_warmup_order(tasks)
    ordered = [task for task, _ in handed]
    assert sorted(_names(ordered)) == sorted(_names(tasks))
    keys = [warmup.warmup_key(task) for task in ordered]
    runs = [key for i, key in enumerate(keys) if i == 0 or key != keys[i - 1]]
    assert len(runs) == len(set(runs)) == 4  # each replicate's nine, and no_social_prescribing's two (other parameters)
    assert _names(ordered)[:2] == [("baseline", 0), ("more_link_workers", 0)]
    # the last to share each warm-up: the ninth of each replicate, and each no_social_prescribing task (it shares none)
    assert [i for i, (_, last) in enumerate(handed) if last] == [8, 17, 18, 19]
    alone = _tasks(DEFAULT[:3], 2, warmup_weeks=0)  # nothing to share: the order given, each the last of its own
    assert in_warmup_order(alone) == [(task, True) for task in alone]


def test_two_workers_are_each_handed_the_tasks_of_the_warm_up_they_keep():
    tasks = _tasks(DEFAULT, replicates=4)
    queue = warmup.ByWarmup(tasks)
    assert len(queue) == len(tasks)
    current = {"a": queue.take(None, [])}
    current["b"] = queue.take(None, [current["a"]])  # the other worker starts on another warm-up
    handed = {"a": [current["a"]], "b": [current["b"]]}
    turn = 0
    while current:  # the workers finish in turn; the one just freed is given the next
        worker = sorted(current)[turn % len(current)]
        turn += 1
        others = [item for name, item in current.items() if name != worker]
        if not queue:
            del current[worker]
            continue
        current[worker] = queue.take(current[worker], others)
        handed[worker].append(current[worker])
    every = handed["a"] + handed["b"]
    assert sorted(_names([task for task, _ in every])) == sorted(_names(tasks)) and len(queue) == 0
    key = warmup.warmup_key
    assert key(handed["a"][0][0]) != key(handed["b"][0][0])
    # each replicate's nine sharing tasks go to one worker (at most one warm-up is shared out at the end) ...
    sharing = {(worker, key(task)) for worker in handed for task, _ in handed[worker]
               if task.scenario.name != "no_social_prescribing"}  # fmt: skip
    assert len(sharing) <= 4 + 1
    # ... and each warm-up has exactly one last task: the last handed out
    for k in {key(task) for task, _ in every}:
        lasts = [last for task, last in every if key(task) == k]
        assert lasts.count(True) == 1
    assert [last for task, last in every if task.scenario.name == "no_social_prescribing"] == [True] * 4


def _same(results, expected) -> None:
    for got, want in zip(results, expected, strict=True):
        assert json.dumps(got.row, default=str) == json.dumps(want.row, default=str)
        for field in ("timeseries", "trajectory_sums", "subgroups"):
            pd.testing.assert_frame_equal(getattr(got, field), getattr(want, field), check_exact=True)


SHARING = ["baseline", "more_link_workers", "vcse_tariff"]


def _shared(handed: list[tuple[Task, bool]]) -> tuple[bool, list, list]:
    """(whether this worker can fork, each task's result as the runner's worker gives it, whether it kept a warm-up
    after each)."""
    results, kept = [], []
    for item in handed:
        results.append(warmup.run_shared(item))
        kept.append(warmup._kept is not None)
    return warmup.can_fork(), results, kept


@pytest.mark.slow
def test_a_pool_worker_has_one_thread_and_its_copies_of_a_kept_warm_up_give_each_tasks_own_results():
    handed = in_warmup_order(_tasks(SHARING + ["no_social_prescribing"], replicates=1))
    pool = ProcessPool(1)
    try:
        [(_, (could_fork, results, kept))] = list(pool.run(_shared, [handed]))
    finally:
        pool.close()
    assert could_fork  # OpenBLAS's and jemalloc's threads kept out of the worker
    # the sharing scenarios' warm-up built once, kept for the copies and let go with the last; the other task alone
    assert kept == [True, True, False, False]
    _same(results, [run_task(task) for task, _ in handed])


def test_where_a_process_cannot_fork_each_task_runs_alone(monkeypatch):
    monkeypatch.setattr(warmup, "can_fork", lambda: False)  # as on Dask's workers, or --workers 1
    monkeypatch.setattr(warmup, "_kept", None)
    handed = in_warmup_order(_tasks(SHARING[:2], replicates=1))
    _same([warmup.run_shared(item) for item in handed], [run_task(task) for task, _ in handed])
    assert warmup._kept is None


def _in_forked_copies(_) -> tuple[int, list[int], str]:
    model = SocialPrescribingModel(rng=2, population=2000)
    big = warmup.in_a_copy(model, lambda copied: bytes(5_000_000))  # far more than a pipe holds
    weeks = []
    for _ in range(2):
        weeks.append(warmup.in_a_copy(model, lambda copied: (copied.run_for(3), copied.week)[1]))
    try:
        warmup.in_a_copy(model, lambda copied: 1 / 0)
        failed = "no error"
    except ZeroDivisionError as err:
        failed = str(err)
    assert model.week == 0
    with pytest.raises(ChildProcessError):  # every child was waited for: none left, not even a zombie
        os.waitpid(-1, os.WNOHANG)
    return len(big), weeks, failed


@pytest.mark.slow
def test_a_forked_copy_sends_big_results_and_errors_and_leaves_the_model_as_it_was():
    pool = ProcessPool(1)
    try:
        [(_, answer)] = list(pool.run(_in_forked_copies, [None]))
    finally:
        pool.close()
    assert answer == (5_000_000, [3, 3], "division by zero")
