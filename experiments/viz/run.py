"""What one browser session runs: the place with the page's levers and the place as it is (the baseline), side
by side, with the same seed, and their week-by-week difference.

Common random numbers: both models are built from the same seed, so every named random stream (referrals,
attendance, staff leaving ...) draws the same numbers in both; with no lever moved the two runs are identical,
and a difference is the levers' doing rather than chance. The levers as first set start when the warm-up ends (as
in `spsim run`), so the two runs share the warm-up and the difference starts at zero; a lever moved later starts
the week after the one shown (experiments/viz/lever_schedule.py). The page's seed S is `spsim run --seed S`'s:
replicate r runs with ``replicate_seed(S, r)``, so the page's run is that command's first replicate.

No Solara here: the page (experiments/viz/app.py) holds one PairedRun per browser session, and the tests drive it directly.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import lever_schedule
from ...model.model import SocialPrescribingModel
from ..runs.metrics import Window
from ..runs.runner import replicate_seed
from .places import PagePlace

MAX_SEED = 2**32 - 1
# the paired differences the page charts: key -> (title, unit)
DIFFERENCES = {
    "swemwbs": ("Wellbeing (SWEMWBS)", "points"),
    "ucla": ("Loneliness (UCLA-3, lower is better)", "points"),
    "took_up": ("People who took up an activity", "people, since levers began"),
    "waiting": ("People waiting (link worker or group)", "people"),
    "spend": ("Commissioner spend", "GBP, since levers began"),
}


class InputProblem(ValueError):
    """An input the page cannot run, said in one line for the person who typed it."""


def parse_seed(text: Any) -> int:
    """The random seed as typed: a whole number from 0 to 4,294,967,295, or a one-line reason."""
    typed = str(text).strip()
    try:
        seed = int(typed)
    except ValueError:
        shown = typed if len(typed) <= 20 else typed[:20] + "..."
        raise InputProblem(f"Random seed: '{shown}' is not a whole number; type one such as 1 or 42") from None
    if not 0 <= seed <= MAX_SEED:
        raise InputProblem(f"Random seed: {seed:,} is out of range; type a whole number from 0 to {MAX_SEED:,}")
    return seed


@dataclass(frozen=True)
class Settings:
    """Everything a paired run is built from (the page's inputs when Reset is pressed)."""

    place: PagePlace
    population: int
    seed: int
    warmup_weeks: int
    levers: tuple[tuple[str, Any], ...]  # (parameter, value) for every lever, as first set
    replicate: int = 0  # which of `spsim run --seed S`'s replicates (the page shows the first)

    @property
    def model_seed(self) -> int:
        return replicate_seed(self.seed, self.replicate)


class PairedRun:
    """Two models, one with the levers and one without, stepped together."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.parameters, layout = settings.place.at(settings.population)
        warmup = settings.warmup_weeks
        # scenario week -> every lever's value from then (0: as first set); a week is applied before it is run
        self.changes: dict[int, dict[str, Any]] = {0: dict(settings.levers)}
        policies = [dataclasses.replace(p, start_week=p.start_week + warmup)
                    for p in lever_schedule.scenario_policies(self.changes, self.parameters)]  # fmt: skip
        common = {"rng": settings.model_seed, "layout": layout, "measure_from": warmup, **self.parameters}
        self.levers = SocialPrescribingModel(policies=policies, **common)
        self.baseline = SocialPrescribingModel(**common)
        self.live = lever_schedule.LiveLevers(self.levers, warmup, self.parameters)
        self.windows: tuple[Window, Window] | None = None  # the running totals when the levers began
        # the page steps in one thread and reads a snapshot (value for money, export) in another
        self.lock = threading.RLock()
        self.differences: list[dict[str, float]] = []  # one row per week from the end of the warm-up
        self.series: list[dict[str, float]] = []  # the same weeks: each measure with the levers, without, difference
        self._at_start: dict[str, tuple[float, float]] = {}

    @property
    def week(self) -> int:
        return self.levers.week

    @property
    def warmed_up(self) -> bool:
        return self.week >= self.settings.warmup_weeks

    def warm_up(self, progress: Callable[[float], bool] = lambda share: True, chunk: int = 4) -> bool:
        """Run both models through the warm-up, a few weeks at a time; ``progress(share done)`` returning False
        stops early (the page was reset again or closed). True when warmed up."""
        total = self.settings.warmup_weeks
        while self.week < total:
            weeks = min(chunk, total - self.week)
            self.levers.run_for(weeks)
            self.baseline.run_for(weeks)
            if not progress(self.week / total):
                return False
        if not self.differences:
            self.windows = (Window.start_now(self.levers), Window.start_now(self.baseline))
            self._at_start = {"took_up": self._both(lambda m: m.counters.took_up_activity),
                              "spend": self._both(lambda m: m.ledger.commissioner_spend)}  # fmt: skip
            self._record()
        return True

    @property
    def shown_week(self) -> int:
        """Weeks since the levers began (the warm-up's end)."""
        return self.week - self.settings.warmup_weeks

    def move_levers(self, levers: dict[str, Any]) -> int:
        """The levers from the next week on (see the module docstring); returns that week. Moved again before a
        step, the last values count."""
        week = self.shown_week + 1
        self.changes[week] = dict(levers)
        return week

    def levers_now(self) -> dict[str, Any]:
        """Every lever's value as last set (in force now, or from the next week)."""
        return dict(self.changes[max(self.changes)])

    def scenario_policies(self) -> list:
        """The levers so far as a scenario's policies (weeks since the levers began)."""
        return lever_schedule.scenario_policies(self.changes, self.parameters)

    def change_weeks(self) -> list[int]:
        """The weeks since the levers began (up to the week shown) in which a lever change began."""
        weeks = {w for p in self.scenario_policies() for w in (p.start_week, p.end_week) if w}
        return sorted(w for w in weeks if w <= self.shown_week)

    def step(self) -> None:
        """One week in both models (a lever change due at the end of it goes into the calendar first)."""
        with self.lock:
            week = self.shown_week + 1
            if week in self.changes and week > 0:
                self.live.apply(self.changes[week], week)
            self.levers.step()
            self.baseline.step()
            self._record()

    def snapshot(self) -> tuple[SocialPrescribingModel, SocialPrescribingModel]:
        """Copies of both models as they are now, to finish and measure without touching the running ones."""
        with self.lock:
            return copy.deepcopy(self.levers), copy.deepcopy(self.baseline)

    def _both(self, read: Callable[[SocialPrescribingModel], float]) -> tuple[float, float]:
        return float(read(self.levers)), float(read(self.baseline))

    def _since_start(self, key: str, read: Callable[[SocialPrescribingModel], float]) -> tuple[float, float]:
        now, start = self._both(read), self._at_start[key]
        return now[0] - start[0], now[1] - start[1]

    def totals(self) -> dict[str, tuple[float, float]]:
        """This week's value of every measure, (with levers, baseline)."""

        def last(name: str) -> Callable[[SocialPrescribingModel], float]:
            return lambda m: m.datacollector.model_vars[name][-1]

        return {
            "swemwbs": self._both(last("mean_swemwbs")),
            "ucla": self._both(last("mean_ucla")),
            "took_up": self._since_start("took_up", lambda m: m.counters.took_up_activity),
            "waiting": self._both(lambda m: m.datacollector.model_vars["lw_waiting"][-1]
                                  + m.datacollector.model_vars["group_waiting"][-1]),  # fmt: skip
            "spend": self._since_start("spend", lambda m: m.ledger.commissioner_spend),
        }

    def _record(self) -> None:
        row: dict[str, float] = {"week": self.shown_week}
        weekly: dict[str, float] = {"week": self.shown_week}
        for key, (with_levers, without) in self.totals().items():
            row[key] = with_levers - without  # NaN in a week no score was measured: the chart joins the others
            weekly |= {f"{key}_with_levers": with_levers, f"{key}_place_as_it_is": without, f"{key}_difference": row[key]}
        self.differences.append(row)
        self.series.append(weekly)

    def spend_so_far(self) -> tuple[float, float]:
        """GBP spent by the commissioner since the levers began, (with levers, baseline)."""
        return self._since_start("spend", lambda m: m.ledger.commissioner_spend)

    def tariffs_so_far(self) -> float:
        return self.levers.ledger.tariffs_paid
