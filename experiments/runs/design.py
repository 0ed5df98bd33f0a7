"""Runs over a design of parameter sets: the shared engine of calibration, sensitivity analysis and PSA.

A design is a list of points, each a set of values for some uncertain parameters. Every point is run for
every scenario and replicate through the same executors as `spsim run` (a process pool or Dask), each run
written as a shard as it finishes, so an interrupted design resumes where it stopped when the same command
is run again. Replicate r has the same seed at every point and in every scenario (common random numbers):
differences between points come from the parameters, not from chance.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ...model.parameters import ParameterError
from ...model.place import Layout

from . import outdir

from . import shards
from .metrics import WTP_PER_QALY_GBP
from ..inputs.place import Place, sized
from .executors import Backend, make_backend
from .runner import Task, progress_bar, replicate_seed, run_tasks
from ..inputs.scenario import Scenario

# What a QALY is worth when the sensitivity analysis ranks policies by net monetary benefit: NICE's lower
# threshold, the value `spsim run`'s incremental analysis and `spsim psa` decide at (metrics.WTP_PER_QALY_GBP)
VALUE_PER_QALY_GBP = float(WTP_PER_QALY_GBP[0])


class DesignError(ValueError):
    """A design the user asked for that cannot be run; one line."""


MAX_RUNS = 100_000  # simulations in one design, a hundred times the default designs: more would run for months


def check_size(points: int, scenarios: int, replicates: int) -> None:
    """Refuse a design too big to run before it is built (issue 12: --samples and --replicates each within
    their bounds multiplied to hundreds of millions of runs, and the command hung making the list)."""
    runs = points * scenarios * replicates
    if runs > MAX_RUNS:
        raise DesignError(f"{points:,} points x {scenarios} scenarios x {replicates:,} replicates = {runs:,} runs; "
                          f"at most {MAX_RUNS:,} (give fewer --samples, --draws or --replicates)")  # fmt: skip


def place_fields(population: int, place: Place | None) -> dict[str, Any]:
    """The Design keywords for ``place`` run at ``population`` adults (None: the default place)."""
    site = sized(place, population)
    return {"place": dict(site.parameters), "layout": site.layout, "place_record": site.record}


@dataclass(frozen=True)
class Design:
    """Points x scenarios x replicates, with the run settings."""

    points: list[dict[str, Any]]
    scenarios: list[Scenario]
    replicates: int
    weeks: int
    warmup_weeks: int
    place: dict[str, Any]
    seed: int
    seeds_per_point: bool = False  # PSA: each point is one draw with its own seed; otherwise CRN
    layout: Layout | None = None  # a place file's areas and groups (None: the default place)
    place_record: dict[str, Any] | None = None  # the place file's name, path and hash: part of the design's identity
    people: bool = False  # also keep every run's outcome records (runs-*/people/), for summaries `records` reads

    def digest(self) -> str:
        """Names the shard folder: the same design resumes, a different one never reuses a shard."""
        text = json.dumps(
            {
                "points": self.points,
                "scenarios": [s.to_dict() for s in self.scenarios],
                "replicates": self.replicates,
                "weeks": self.weeks,
                "warmup": self.warmup_weeks,
                "place": self.place,
                "place_record": self.place_record,
                "seed": self.seed,
                "per_point": self.seeds_per_point,
                **({"people": True} if self.people else {}),  # (absent when off: earlier designs keep their folder)
            },
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def tasks(self) -> list[Task]:
        tasks = []
        seed_of = functools.cache(lambda r: replicate_seed(self.seed, r))  # with paired seeds, a few distinct ones
        for index, point in enumerate(self.points):
            for scenario in self.scenarios:
                # the scenario's own settings win over the point: a policy is not an uncertainty
                varied = dataclasses.replace(
                    scenario, name=f"{scenario.name}@p{index:05d}", parameters={**point, **scenario.parameters}
                )
                for r in range(self.replicates):
                    seed = seed_of(index * self.replicates + r if self.seeds_per_point else r)
                    tasks.append(Task(varied, r, seed, self.weeks, dict(self.place), self.warmup_weeks, self.layout,
                                      people=self.people))  # fmt: skip
        return tasks

    def check(self) -> None:
        """Every point must be a valid parameter set (one clear line if not), before anything runs."""
        from ...model.parameters import resolve

        check_size(len(self.points), len(self.scenarios), self.replicates)
        for index, point in enumerate(self.points):
            try:
                resolve({**self.place, **point})
            except ParameterError as err:
                raise DesignError(f"design point {index}: {err}") from err

    def run(self, out: Path, executor: str = "process", workers: int = 1, scheduler: str | None = None,
            label: str = "design", backend: Backend | None = None) -> pd.DataFrame:  # fmt: skip
        """Run what is not yet done; return one row per run: point, scenario, replicate and its metrics.
        ``backend``: an executor the caller keeps open across designs (and closes), instead of one made here
        (a search runs a small design per trial, and starting a pool or a cluster for each costs seconds)."""
        self.check()
        run = self.digest()  # encoding every point takes a while in a large design: once
        folder = out / f"runs-{run}"
        tasks = self.tasks()
        outdir.check(out)
        if folder.is_dir():  # a damaged or foreign shard is refused before anything is written
            shards.missing(folder, run, tasks)
        outdir.claim(out)
        with outdir.locked(out):
            outdir.remove_temporaries(folder)
            todo = shards.missing(folder, run, tasks)  # checked again, now that the folder is ours
            if self.people:  # a replicate whose people file is gone runs again (its shard is rewritten alike)
                todo += [t for t in tasks if t not in todo and not shards.people_path(folder, t).is_file()]
            if todo:
                own = backend is None
                backend = make_backend(executor, workers, scheduler) if own else backend
                try:
                    with progress_bar(len(tasks), len(tasks) - len(todo), label) as bar:
                        run_tasks(todo, backend, lambda task, result: shards.write(folder, run, task, result),
                                  progress=bar.update)  # fmt: skip
                finally:
                    if own:
                        backend.close()
            done = [shards.read(folder, run, task) for task in tasks]
        rows = []
        for task, result in zip(tasks, done, strict=True):  # a fixed order: the same table whatever finished first
            row = dict(result.row)
            name, point = row["scenario"].rsplit("@p", 1)
            rows.append({"point": int(point), **row, "scenario": name})
        return pd.DataFrame(rows)


def _named(task: Task) -> dict[str, Any]:
    name, point = task.scenario.name.rsplit("@p", 1)
    return {"point": int(point), "scenario": name, "replicate": task.replicate}


def subgroups(design: Design, out: Path) -> pd.DataFrame:
    """The results by subgroup (``subgroups.csv``'s rows, with the point) of a design already run into ``out``."""
    folder, run = out / f"runs-{design.digest()}", design.digest()
    frames = [shards.read(folder, run, task).subgroups.assign(**_named(task)) for task in design.tasks()]
    return pd.concat(frames, ignore_index=True)


def records(design: Design, out: Path, columns: list[str]) -> pd.DataFrame:
    """``columns`` of the outcome records (docs/outputs.md) of a ``people`` design already run into
    ``out``, with point, scenario and replicate; in the design's task order."""
    folder = out / f"runs-{design.digest()}"
    frames = []
    for task in design.tasks():
        try:
            frame = pd.read_parquet(shards.people_path(folder, task), columns=columns)
        except (OSError, ValueError) as err:  # pyarrow's errors are OSError or ValueError subclasses
            raise shards.ShardError(f"{shards.people_path(folder, task)}: not readable ({type(err).__name__}); "
                                    "delete it to run it again") from None  # fmt: skip
        frames.append(frame.assign(**_named(task)))
    return pd.concat(frames, ignore_index=True)
