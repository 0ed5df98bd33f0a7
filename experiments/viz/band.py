"""A range, not one run: more paired replicates of the page's run, kept at the week it shows, so the difference
chart can draw the mean difference with its 95% interval and the value-for-money panel can give one.

Replicate r is `spsim run --seed S`'s replicate r (``replicate_seed(S, r)``); the page's own run is replicate 0, so
the band adds replicates 1 to N - 1. Each follows the page's lever changes at the same weeks (they are put into
its calendar before the week is run, as on the page's run). They are built and stepped in a background task; one
that is behind the page simply has fewer weeks, and the band covers the weeks all of them have run.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable

from ..analysis.intervals import mean_ci
from .run import DIFFERENCES, PairedRun

DEFAULT_REPLICATES = 5
MAX_REPLICATES = 20


class Band:
    """Replicates 1 to n - 1 of a page's run (``shown``), stepped to its week by ``catch_up``."""

    def __init__(self, shown: PairedRun, n: int):
        self.shown, self.n = shown, n
        self.runs: list[PairedRun] = []
        self.lock = threading.Lock()  # one catch-up at a time: a newer one waits for the last to stop

    def catch_up(self, going_on: Callable[[], bool] = lambda: True) -> bool:
        """Build the replicates (first time) and step each to the page's week; stops early (False) when
        ``going_on()`` turns False (a newer catch-up, the page reset or closed)."""
        with self.lock:
            while len(self.runs) < self.n - 1:
                run = PairedRun(dataclasses.replace(self.shown.settings, replicate=len(self.runs) + 1))
                if not run.warm_up(lambda share: going_on()):
                    return False
                self.runs.append(run)
            for run in self.runs:
                while run.week < self.shown.week:
                    with self.shown.lock:  # the page adds a change for the week after its own, never before
                        run.changes = dict(self.shown.changes)
                    run.step()
                    if not going_on():
                        return False
        return True

    def ready(self) -> list[PairedRun]:
        """The page's run and the replicates, when every one is at the page's week (else only the page's run)."""
        runs = [self.shown, *self.runs]
        return runs if len(runs) == self.n and all(r.week == self.shown.week for r in runs) else [self.shown]

    def rows(self) -> list[dict[str, float]]:
        """Per week every replicate has run: each measure's mean difference and its 95% interval."""
        runs = [self.shown, *self.runs]
        if len(runs) < 2:
            return []
        weeks = min(len(run.differences) for run in runs)
        out = []
        for i in range(weeks):
            row: dict[str, float] = {"week": self.shown.differences[i]["week"]}
            for key in DIFFERENCES:
                mean, low, high = mean_ci([run.differences[i][key] for run in runs])
                row |= {f"{key}_mean": mean, f"{key}_low": low, f"{key}_high": high}
            out.append(row)
        return out
