"""What `spsim optimise` searches over and how it judges a candidate: the objectives, a split made into a scenario,
and the ``Search`` (its settings, and the paired evaluation of candidates against the reference on the same
replicate seeds, at the central parameter values or across parameter draws). The search loop itself is
experiments/optimise/search.py."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..analysis.intervals import interval
from ..inputs.place import Place, sized
from ..inputs.scenario import Scenario, ScenarioError, parse
from .fifths import by_fifth
from .levers import LEDGER, Split, policies_for
from ..runs.design import Design, DesignError, place_fields
from ...model import costing

OBJECTIVES = {  # name -> (replicates.csv column, in words, unit)
    "nmb": ("nmb_20k_gbp", "net monetary benefit at 20,000 GBP per QALY", "GBP"),
    "qaly": ("qalys_gained", "QALYs gained", "QALYs"),
    "wellbeing": ("swemwbs_points_gained", "SWEMWBS points gained by the people measured", "points"),
    "equity": ("nmb_20k_gbp", "net monetary benefit at 20,000 GBP per QALY against the deprivation gap in net "
                              "wellbeing", "GBP"),  # fmt: skip
}
KEYS = ["point", "replicate"]


def candidate(name: str, split: Split, budget_per_100k: float, place: dict, starts: float | None = None) -> Scenario:
    """The split as a scenario (``starts``: people starting an activity a year per 100,000 adults in the reference,
    what a tariff budget is divided by)."""
    from ...model.parameters import resolve

    parameters = resolve(place)
    try:
        data = {"description": f"A split of {budget_per_100k:,.0f} GBP per 100,000 adults a year: {split.words()}",
                "budget_gbp_per_100k_year": budget_per_100k, "policies": policies_for(split, parameters, starts)}  # fmt: skip
        return parse(data, Path(f"{name}.toml"), place)
    except (ScenarioError, ValueError) as err:  # a split the policies refuse (out of bounds): one line, as any bad input
        raise DesignError(f"spsim optimise: {err}") from err


def _by_run(frame: pd.DataFrame, value) -> pd.Series:
    """``value`` (a column, or a function of the rows) per (point, replicate): the pairing key."""
    frame = frame if "point" in frame.columns else frame.assign(point=0)
    values = frame[value] if isinstance(value, str) else value(frame)
    return pd.Series(values.to_numpy(dtype=float), index=pd.MultiIndex.from_frame(frame[KEYS]))


def _extra_spend(frame: pd.DataFrame) -> pd.Series:
    """The levers' money a year per 100,000 adults, from the ledger."""
    return frame[list(LEDGER)].sum(axis=1) / (frame["weeks"] / 52) / costing.per_100k(frame["population"])


class OneBackend:
    """The search's executor, started when a design first has something to run and kept for every later one
    (closed by ``run``). Made through ``design.make_backend``, the one place every design starts real work."""

    def __init__(self, search: "Search") -> None:
        self.search, self.backend = search, None

    def started(self):
        if self.backend is None:
            from ..runs import design
            self.backend = design.make_backend(self.search.executor, self.search.workers, self.search.scheduler)
        return self.backend

    def run(self, fn, tasks, then=None):
        return self.started().run(fn, tasks, then)

    def close(self) -> None:
        if self.backend is not None:
            self.backend.close()
            self.backend = None


@dataclass
class Search:
    """The settings of one search and the paired evaluation of candidates against the reference."""

    reference: Scenario
    named: list[Scenario]
    levers: tuple[str, ...]
    budget_gbp_year: float
    objective: str
    replicates: int
    weeks: int
    warmup_weeks: int
    population: int
    seed: int
    out: Path
    place: Place | None = None
    executor: str = "process"
    workers: int = 1
    scheduler: str | None = None
    robust: int = 0  # parameter draws every candidate runs at (0: the parameters' central values)
    draws: list[dict] | None = None  # the draws themselves (None: drawn from the seed when the search starts)

    def __post_init__(self) -> None:
        self.fields = place_fields(self.population, self.place)
        self.per_100k = costing.rate_per_100k(self.budget_gbp_year, self.population)
        self.starts_per_100k_year: float | None = None  # from the reference's runs, for a tariff
        self.backend = OneBackend(self)
        from ...model.parameters import resolve

        self.parameters = resolve(self.fields["place"])

    def design(self, scenarios: list[Scenario]) -> Design:
        return Design(points=self.draws or [{}], scenarios=scenarios, replicates=self.replicates, weeks=self.weeks,
                      warmup_weeks=self.warmup_weeks, **self.fields, seed=self.seed, seeds_per_point=bool(self.robust),
                      people=self.objective == "equity")  # fmt: skip

    def evaluate(self, scenarios: list[Scenario], label: str) -> pd.DataFrame:
        """replicates.csv rows of ``scenarios`` at every draw, each replicate seeded as every other evaluation's
        (paired); with the equity objective, each run's net wellbeing in the most and least deprived fifths."""
        design = self.design(scenarios)
        # the simulations' shards have their own folder (and lock) inside the search's
        rows = design.run(self.out / "evaluations", label=label, backend=self.backend)
        if self.objective == "equity":
            rows = rows.merge(by_fifth(design, self.out / "evaluations"), on=["point", "scenario", "replicate"])
        return rows

    def paired(self, rows: pd.DataFrame, reference_rows: pd.DataFrame, value=None) -> tuple[float, float, float, list[float]]:
        """Mean paired difference from the reference with its 95% CI, and its mean at each draw. Across draws the
        interval is over the draws' means (how well the draws pin down the expectation); at the central values,
        over the replicates."""
        value = value or OBJECTIVES[self.objective][0]
        diff = _by_run(rows, value) - _by_run(reference_rows, value)
        per_draw = diff.groupby(level="point").mean()
        mean, low, high = interval(per_draw if len(per_draw) > 1 else diff, share=False)
        return mean, low, high, [float(v) for v in per_draw]

    def settings(self) -> dict:
        """What makes two searches the same search (a resumed one must match). The place is in it by its
        content: without it the simulations of another place went to other shard folders, but the journal kept
        the first place's trials and the search went on among them (issue 26)."""
        return {"levers": list(self.levers), "budget_gbp_year": self.budget_gbp_year, "objective": self.objective,
                "replicates": self.replicates, "weeks": self.weeks, "warmup_weeks": self.warmup_weeks,
                "population": self.population, "seed": self.seed, "robust": self.robust,
                "reference": self.reference.name, "place": sized(self.place, self.population).content_hash}  # fmt: skip
