"""One experiment: scenarios x replicates, its manifest, its shards, and the outputs built from them."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import platform
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from ...model.place import Layout

from ..runs.metrics import EXTRA_COLUMNS, REPLICATE_COLUMNS, WTP_PER_QALY_GBP
from ..runs import outdir
from ..runs import shards
from ..runs.code_version import git_commit
from ..runs.executors import Backend, make_backend
from ..runs.runner import Task, atomic_write_csv, atomic_write_text, progress_bar, replicate_seed
from ..runs.runner import run_tasks as run_all
from ..reporting import economics_workbook, figure_jobs
from ..inputs.place import Place
from ..inputs.scenario import Scenario


class ResumeMismatch(ValueError):
    """--resume on a folder made with other settings."""


@dataclass
class Experiment:
    scenarios: list[Scenario]
    replicates: int
    years: float
    seed: int
    place: dict[str, Any]  # the place's parameter values; a ``Place`` is split into these, layout and record
    out: Path
    warmup_years: float = 1.0
    started: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    layout: Layout | None = None
    place_record: dict[str, Any] | None = None
    people: bool = False  # also write each replicate's per-person outcome records (people/*.parquet)

    def __post_init__(self) -> None:
        if isinstance(self.place, Place):
            self.layout, self.place_record, self.place = self.place.layout, self.place.record, dict(self.place.parameters)
        if self.place_record is None:
            self.place_record = {"name": "default", "path": None, "sha256": None, "parameters": dict(self.place)}

    @property
    def weeks(self) -> int:
        return round(self.years * 52)

    @property
    def warmup_weeks(self) -> int:
        return round(self.warmup_years * 52)

    @property
    def order(self) -> list[str]:
        return [s.name for s in self.scenarios]

    def tasks(self) -> list[Task]:
        # replicate-major order, so an interrupted run has complete pairs for the earliest replicates
        return [
            Task(scenario=s, replicate=r, seed=replicate_seed(self.seed, r), weeks=self.weeks, place=self.place,
                 warmup_weeks=self.warmup_weeks, layout=self.layout, people=self.people)  # fmt: skip
            for r in range(self.replicates)
            for s in self.scenarios
        ]

    def settings(self) -> dict[str, Any]:
        """What determines the numbers: the same settings give the same files.

        ``place`` is the place file (name, path, sha256 of its content, the values it sets) or the default
        place; a scenario file's own parameters win over it (as in ``run_task``), so each scenario also records
        the ``population`` it actually ran with, and ``population`` is that number (one per scenario when they
        differ: the place's own figure is not what ran when a scenario sets another)."""
        scenarios = {}
        for s in self.scenarios:
            resolved = s.resolved_parameters(**self.place)
            scenarios[s.name] = {**s.to_dict(), "population": resolved["population"], "resolved_parameters": resolved}
        ran = {name: entry["population"] for name, entry in scenarios.items()}
        return {
            "population": next(iter(ran.values())) if len(set(ran.values())) == 1 else ran,
            "scenarios": scenarios,
            "order": self.order,
            "replicates": self.replicates,
            "years": self.years,
            "weeks": self.weeks,
            "warmup_years": self.warmup_years,
            "seed": self.seed,
            "seeds": [replicate_seed(self.seed, r) for r in range(self.replicates)],
            "place": self.place_record,
            **({"people": True} if self.people else {}),  # (absent when off: earlier runs keep their identity)
        }

    @functools.cached_property
    def run_id(self) -> str:
        """The identity every shard of this run carries: a hash of the settings that determine the numbers.
        Computed once: it is asked for at every shard written and read, and with 10,000 replicates the
        settings take 0.2 s to encode."""
        text = json.dumps(self.settings(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def manifest(self, finished: str | None) -> dict[str, Any]:
        return {
            **self.settings(),
            "package_versions": _versions(),
            "python": platform.python_version(),
            "git_commit": git_commit(),
            "started": self.started,
            "finished": finished,
        }

    def check_resumable(self, resume: bool) -> None:
        """With --resume, the folder's manifest must have been made with the same settings."""
        if not resume:
            return
        outdir.check_path(self.out)  # a name the system refuses is one line here (fuzzing found a too-long one)
        path = self.out / "manifest.json"
        try:
            if not path.exists():
                return
        except OSError as err:  # e.g. the folder's name plus /manifest.json is longer than the system allows
            raise ResumeMismatch(f"{path}: cannot be read ({err.strerror or type(err).__name__}); use a new --out") from None
        try:
            previous = json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError, OSError):
            raise ResumeMismatch(f"{path}: not a readable manifest; use a new --out") from None
        if not isinstance(previous, dict):
            raise ResumeMismatch(f"{path}: not a spsim manifest; use a new --out")
        mine = json.loads(json.dumps(self.settings()))  # same JSON normal form as the file
        if {k: previous.get(k) for k in mine} != mine:
            raise ResumeMismatch(
                f"{path}: this folder holds a run with other settings; use the same command, or a new --out"
            )
        self.started = previous.get("started", self.started)

    def run(self, executor: str = "process", workers: int = 1, scheduler: str | None = None, resume: bool = False):
        tasks = self.tasks()
        outdir.check(self.out)
        if resume and self.out.is_dir():  # a damaged or foreign shard is refused before anything is written
            shards.missing(self.out, self.run_id, tasks)
        outdir.claim(self.out)
        with outdir.locked(self.out):
            outdir.remove_temporaries(self.out)
            if not resume:
                outdir.clear_shards(self.out)  # a fresh run: the previous run's replicates must not mix in
            todo = shards.missing(self.out, self.run_id, tasks)  # checked again, now that the folder is ours
            if self.people:  # a replicate whose people file is gone runs again (its shard is rewritten alike)
                todo += [t for t in tasks if t not in todo and not shards.people_path(self.out, t).is_file()]
            atomic_write_text(self.out / "manifest.json", json.dumps(self.manifest(finished=None), indent=2) + "\n")
            # the pool is kept until the outputs are written: its idle workers draw the figures (figure_jobs)
            backend = make_backend(executor, workers, scheduler) if todo else None
            try:
                if todo:
                    with progress_bar(len(tasks), len(tasks) - len(todo), "replicates") as bar:
                        running = len(todo)

                        def finished(n: int) -> None:
                            nonlocal running
                            bar.update(n)
                            running -= n
                            if running == workers - 1:  # a worker is idle for good: the tables' imports meanwhile
                                _load_analysis()

                        run_all(todo, backend, lambda task, result: shards.write(self.out, self.run_id, task, result),
                                progress=finished, then=figure_jobs.get_ready)  # fmt: skip
                self.write_outputs(backend)
            finally:
                if backend is not None:
                    backend.close()

    def results(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """All shards, in scenario order then replicate: identical however they were produced."""
        rows, timeseries, trajectory_sums, subgroups = shards.read_all(self.out, self.run_id,
                                                                       sorted(self.tasks(), key=self._sort_key))
        replicates = pd.DataFrame(rows, columns=REPLICATE_COLUMNS + EXTRA_COLUMNS)
        return replicates, timeseries, trajectory_sums, subgroups

    def _sort_key(self, task: Task) -> tuple[int, int]:
        return self.order.index(task.scenario.name), task.replicate

    def write_outputs(self, backend: Backend | None = None) -> None:
        """The tables, figures and report. With ``backend``'s workers lent (the run's process pool), the figures
        are drawn there while this process makes the tables, each started as soon as its tables are made."""
        analysis, brief_checks, cost_effectiveness, decisions, equity, report, spend = _load_analysis()
        drawing = figure_jobs.Drawing(backend.lend() if backend is not None else None)
        replicates, timeseries, trajectory_sums, subgroups = self.results()
        figure_dir = self.out / "figures"
        figure_dir.mkdir(exist_ok=True)
        drawing.start_pathway(timeseries, self.order, figure_dir)
        counterfactual = analysis.counterfactual_in(self.scenarios)
        comparison = analysis.comparison(replicates, self.order, counterfactual)
        trajectories = analysis.trajectories(trajectory_sums, self.order)
        acceptability = cost_effectiveness.ceac(replicates, self.order)
        drawing.start(replicates, timeseries, comparison, trajectories, self.order, figure_dir, acceptability)
        subgroup_comparison = equity.subgroup_comparison(subgroups, self.order, counterfactual)
        drawing.start_equity(subgroup_comparison, self.order, figure_dir)
        equity_table = equity.equity_table(subgroups, self.order, counterfactual)
        incremental = decisions.incremental_analysis(replicates, self.order)
        economics = cost_effectiveness.economics_table(replicates, self.order)
        spending = spend.spend_table(replicates, self.scenarios, self.place)
        for warning in spend.warnings(spending):
            print(f"spsim run: warning: {warning}", file=sys.stderr)
        for name, frame in (
            ("replicates.csv", replicates),
            ("timeseries.csv", timeseries),
            ("trajectories.csv", trajectories),
            ("comparison.csv", comparison),
            ("incremental.csv", incremental),
            ("spend.csv", spending),
            ("subgroups.csv", subgroups),
            ("subgroup_comparison.csv", subgroup_comparison),
            ("equity.csv", equity_table),
            ("economics.csv", economics),
            ("ceac.csv", acceptability),
        ):
            atomic_write_csv(self.out / name, frame)
        reference = self.scenarios[0].resolved_parameters(**self.place)
        economic_settings = {"years": self.years, "horizon_years": reference["economic_horizon_years"],
                             "discount_rate": reference["discount_rate_per_year"]}  # fmt: skip
        economics_workbook.write(self.out / "economics.xlsx", {
            "Economics": economics, "Incremental 20k": incremental,
            "Incremental 30k": decisions.incremental_analysis(replicates, self.order, value_per_unit=WTP_PER_QALY_GBP[1]),
            "CEAC": acceptability, "Spend": spending}, {
            "scenarios": ", ".join(self.order), "replicates": self.replicates, "simulated years": self.years,
            "economic horizon (years from referral)": economic_settings["horizon_years"],
            "discount rate a year": economic_settings["discount_rate"]})  # fmt: skip
        economics_section = cost_effectiveness.report_section(economics, incremental, replicates, self.order,
                                                              economic_settings, counterfactual)  # fmt: skip
        checks = brief_checks.run_lines(replicates, self.order[0], counterfactual, economic_settings["horizon_years"])
        economics_section += [*checks, ""] if checks else []
        paths, equity_figure = drawing.paths()
        manifest = self.manifest(finished=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
        descriptions = {s.name: s.description for s in self.scenarios}
        report.write_report(self.out, comparison, trajectories, replicates, self.order, descriptions, manifest, paths,
                            incremental, spending,
                            equity.report_section(equity_table, equity_figure and equity_figure.name),
                            economics_section)  # fmt: skip
        atomic_write_text(self.out / "manifest.json", json.dumps(manifest, indent=2) + "\n")


def _load_analysis() -> tuple:
    """The modules the outputs are made with (scipy.stats among them: half a second to import), imported where
    ``write_outputs`` needs them or earlier, while the last replicates run (the main process never needs them
    before: a run that stops early does not pay for them)."""
    from ..analysis import brief_checks, cost_effectiveness, decisions, equity, spend
    from ..analysis import statistics as analysis
    from ..reporting import report

    return analysis, brief_checks, cost_effectiveness, decisions, equity, report, spend


def _versions() -> dict[str, str]:
    out = {}
    for package in ("spsim", "mesa", "numpy", "pandas", "scipy", "matplotlib"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "not installed"
    return out


