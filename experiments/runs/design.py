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
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from spsim.model.parameters import Parameter, ParameterError, registry
from spsim.model.place import Layout

from spsim.experiments.runs import outdir

from spsim.experiments.runs import shards
from spsim.experiments.runs.metrics import WTP_PER_QALY_GBP
from spsim.experiments.inputs.place import Place, sized
from spsim.experiments.runs.runner import Backend, Task, make_backend, progress_bar, replicate_seed, run_tasks
from spsim.experiments.inputs.scenario import Scenario

# Parameters that are decisions or definitions, not uncertain facts about the world: the policy levers a
# commissioner sets (or a scenario changes), the size and density of the place, and how outcomes are measured.
NOT_UNCERTAIN = {
    "population": "the place, chosen by the user",
    "adults_per_km2": "the place, chosen by the user",
    "link_workers_per_100k": "a funding decision",
    "support_weeks": "a service design decision",
    "referral_tariff_gbp": "a funding decision",
    "vcse_grant_per_100k_year_gbp": "a funding decision",
    "lw_training": "a service design decision",
    "public_awareness": "a commissioning decision (awareness campaigns)",
    "follow_up_weeks": "how outcomes are measured",
    "improvement_threshold": "how outcomes are measured",
    "discount_rate_per_year": "a reference-case choice (NICE: 3.5%; other rates are scenarios)",
    "economic_horizon_years": "how long outcomes are counted, a choice stated with the results",
}


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


def uncertain_parameters(names: Sequence[str] | None = None) -> list[Parameter]:
    """The numeric parameters with a plausible range (seeds/parameters.toml), minus decisions and definitions;
    or the named ones, checked. Each is varied over its `uncertainty`: the range a calibration accepted, or
    else its plausible range."""
    known = registry()
    if names:
        out = []
        for name in names:
            p = known.get(name)
            if p is None:
                raise DesignError(f"--parameters: unknown parameter {name!r}; see `spsim show baseline`")
            if isinstance(p.value, bool) or p.low == p.high:
                raise DesignError(f"--parameters: {name} has no range to vary (range [{p.low}, {p.high}])")
            out.append(p)
        return out
    return [
        p
        for p in known.values()
        if not isinstance(p.value, bool) and p.low != p.high and p.name not in NOT_UNCERTAIN
    ]


def salib_problem(parameters: Sequence[Parameter]) -> dict:
    return {
        "num_vars": len(parameters),
        "names": [p.name for p in parameters],
        "bounds": [list(p.uncertainty) for p in parameters],
    }


Z95 = 3.92  # a central 95% interval is this many standard deviations wide (2 x 1.96)


def from_unit_interval(parameter: Parameter, u: np.ndarray) -> np.ndarray:
    """Values of ``parameter`` at quantiles ``u`` in (0, 1): the PSA's draws (a Latin hypercube of quantiles
    keeps its stratification through any distribution).

    A calibrated parameter, or one with no stated distribution, is uniform over its uncertainty range. Otherwise
    the distribution is centred on the value with the plausible range as its central 95% (seeds/
    EVIDENCE-economics.md section 6; Briggs, Claxton and Sculpher 2006): beta by moments for shares and
    utilities, gamma by moments for costs and counts, log-normal with its median at the value for ratios, normal
    for regression coefficients; draws are kept within the parameter's bounds."""
    from scipy import stats

    u = np.asarray(u, dtype=float)
    low, high = parameter.uncertainty
    kind = parameter.distribution if parameter.posterior is None else "uniform"
    m, s = float(parameter.value), (float(parameter.high) - float(parameter.low)) / Z95
    if kind == "beta" and 0 < m < 1 and s * s < m * (1 - m):
        common = m * (1 - m) / (s * s) - 1
        values = stats.beta.ppf(u, m * common, (1 - m) * common)
    elif kind == "gamma" and m > 0 and s > 0:
        values = stats.gamma.ppf(u, (m / s) ** 2, scale=s * s / m)
    elif kind == "lognormal" and m > 0 and float(parameter.low) > 0:
        values = stats.lognorm.ppf(u, (math.log(float(parameter.high)) - math.log(float(parameter.low))) / Z95,
                                   scale=m)  # fmt: skip
    elif kind == "normal" and s > 0:
        values = stats.norm.ppf(u, m, s)
    else:  # uniform, or a distribution its range cannot define (said in docs/methods.md)
        values = low + u * (high - low)
    return np.clip(values, *parameter.bounds)


def latin_draws(parameters: Sequence[Parameter], draws: int, seed: int) -> np.ndarray:
    """``draws`` x parameters: a Latin hypercube of quantiles (SALib) mapped through each parameter's distribution
    (``from_unit_interval``): how `spsim psa` and `spsim optimise --robust` draw the uncertain parameters."""
    from SALib.sample import latin

    quantiles = latin.sample({"num_vars": len(parameters), "names": [p.name for p in parameters],
                              "bounds": [[0.0, 1.0]] * len(parameters)}, draws, seed=seed)  # fmt: skip
    return np.column_stack([from_unit_interval(p, quantiles[:, i]) for i, p in enumerate(parameters)])


def as_points(parameters: Sequence[Parameter], matrix: np.ndarray) -> list[dict[str, Any]]:
    """Rows of a sample matrix as parameter overrides (whole numbers rounded for integer parameters)."""
    points = []
    for row in matrix:
        point = {}
        for p, value in zip(parameters, row, strict=True):
            point[p.name] = int(round(value)) if isinstance(p.value, int) else float(value)
        points.append(point)
    return points


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
        from spsim.model.parameters import resolve

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


def net_benefit(runs: pd.DataFrame, reference: str, value_per_qaly: float) -> pd.DataFrame:
    """Incremental net monetary benefit of each scenario against the reference, per point and replicate, in the
    NICE reference case as `spsim run` and `spsim psa` decide: value_per_qaly x (QALYs gained - reference's) -
    (net NHS cost - reference's), QALYs against each person's natural course and the net cost (spend less care
    saved) both discounted. Paired by replicate."""
    keys = ["point", "replicate"]
    ref = runs[runs["scenario"] == reference].set_index(keys)[["qalys_gained", "net_cost_gbp"]]
    out = runs.join(ref.add_suffix("_ref"), on=keys)
    out["extra_qalys"] = out["qalys_gained"] - out["qalys_gained_ref"]
    out["extra_cost_gbp"] = out["net_cost_gbp"] - out["net_cost_gbp_ref"]
    out["net_benefit_gbp"] = value_per_qaly * out["extra_qalys"] - out["extra_cost_gbp"]
    return out[["point", "scenario", "replicate", "extra_qalys", "extra_cost_gbp", "net_benefit_gbp"]]


def best_scenario(benefit: pd.DataFrame, order: Sequence[str]) -> pd.Series:
    """Per point: the scenario with the highest mean net benefit over replicates (ties go to the earlier
    scenario in `order`, so the answer does not depend on floating-point noise in the sort)."""
    means = benefit.groupby(["point", "scenario"])["net_benefit_gbp"].mean().unstack("scenario")[list(order)]
    return means.idxmax(axis=1)
