"""What one browser session runs: the place with the page's levers and the place as it is (the baseline), side
by side, with the same seed, and their week-by-week difference.

Common random numbers: both models are built from the same seed, so every named random stream (referrals,
attendance, staff leaving ...) draws the same numbers in both; with no lever moved the two runs are identical,
and a difference is the levers' doing rather than chance. The levers start when the warm-up ends (as in
`spsim run`), so the two runs share the warm-up and the difference starts at zero.

No Solara here: the page (experiments/viz/app.py) holds one PairedRun per browser session, and the tests drive it directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import levers as page_levers
from ...model.model import SocialPrescribingModel
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
    levers: tuple[tuple[str, Any], ...]  # (parameter, value) for every lever


class PairedRun:
    """Two models, one with the levers and one without, stepped together."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.parameters, layout = settings.place.at(settings.population)
        policies = page_levers.policies(dict(settings.levers), self.parameters, settings.warmup_weeks)
        common = {"rng": settings.seed, "layout": layout, "measure_from": settings.warmup_weeks, **self.parameters}
        self.levers = SocialPrescribingModel(policies=policies, **common)
        self.baseline = SocialPrescribingModel(**common)
        self.differences: list[dict[str, float]] = []  # one row per week from the end of the warm-up
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
            self._at_start = {"took_up": self._both(lambda m: m.counters.took_up_activity),
                              "spend": self._both(lambda m: m.ledger.commissioner_spend)}  # fmt: skip
            self._record()
        return True

    def step(self) -> None:
        """One week in both models."""
        self.levers.step()
        self.baseline.step()
        self._record()

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
        row: dict[str, float] = {"week": self.week - self.settings.warmup_weeks}
        for key, (with_levers, without) in self.totals().items():
            row[key] = with_levers - without  # NaN in a week no score was measured: the chart joins the others
        self.differences.append(row)

    def spend_so_far(self) -> tuple[float, float]:
        """GBP spent by the commissioner since the levers began, (with levers, baseline)."""
        return self._since_start("spend", lambda m: m.ledger.commissioner_spend)

    def tariffs_so_far(self) -> float:
        return self.levers.ledger.tariffs_paid
