"""The wellbeing register: for every referral, what is needed to read SWEMWBS and UCLA-3 at any week, as
NumPy columns, so that the weekly mean over everyone within follow-up and the trajectories since referral
are read for thousands of people at once instead of person by person.

Row i is the i-th referral of the run (``Patient.slot``); rows of one referral week are consecutive.
A person's ``Mechanisms`` write their levels through to the register when they change (a session attended,
a pause, a restart), so the columns always give the same scores as ``Patient.outcomes_at``: the same
formulas, evaluated on arrays.
"""

from __future__ import annotations

import math

import numpy as np

from .mechanisms import SWEMWBS_RANGE, UCLA_RANGE

COLUMNS = ("referred_week", "swemwbs0", "ucla0", "natural_change", "half_life", "level_sum", "level_social",
           "floor_sum", "floor_social", "paused_at")  # fmt: skip


class WellbeingRegister:
    def __init__(self, capacity: int = 1024):
        self.size = 0
        self._cols = {name: np.zeros(capacity) for name in COLUMNS}
        self._cols["paused_at"][:] = math.inf  # not paused: nothing fades
        self.open = np.zeros(capacity, dtype=bool)  # record not yet closed
        self.took_up = np.zeros(capacity, dtype=bool)
        self._first_open = 0
        for name, column in self._cols.items():
            setattr(self, name, column)

    def enrol(self, referred_week: int, swemwbs0: float, ucla0: float, natural_change: float, half_life: float) -> int:
        """A new referral's row."""
        if self.size == len(self.open):
            self._grow()
        i = self.size
        self.size += 1
        self.referred_week[i] = referred_week
        self.swemwbs0[i] = swemwbs0
        self.ucla0[i] = ucla0
        self.natural_change[i] = natural_change
        self.half_life[i] = half_life
        self.open[i] = True
        return i

    def _grow(self) -> None:
        capacity = 2 * len(self.open)
        for name, column in self._cols.items():
            grown = np.full(capacity, math.inf) if name == "paused_at" else np.zeros(capacity)
            grown[: len(column)] = column
            self._cols[name] = grown
            setattr(self, name, grown)
        self.open = np.concatenate([self.open, np.zeros(capacity - len(self.open), dtype=bool)])
        self.took_up = np.concatenate([self.took_up, np.zeros(capacity - len(self.took_up), dtype=bool)])

    def close(self, i: int) -> None:
        self.open[i] = False

    def open_rows(self) -> np.ndarray:
        """Rows whose record is open (within follow-up); records close roughly in referral order."""
        while self._first_open < self.size and not self.open[self._first_open]:
            self._first_open += 1
        rows = np.arange(self._first_open, self.size)
        return rows[self.open[self._first_open : self.size]]

    def scores(self, rows: np.ndarray | slice, week: float, natural_weeks: float, gain_max: float,
               reduction_max: float) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """(SWEMWBS, UCLA-3) of ``rows`` at ``week``: mechanisms.swemwbs and mechanisms.ucla on arrays."""
        paused = self.paused_at[rows]
        with np.errstate(invalid="ignore"):  # inf - inf where not paused: masked out below
            remaining = np.where(week > paused, 0.5 ** ((week - paused) / self.half_life[rows]), 1.0)
        floor_sum = self.floor_sum[rows]
        mechanism_sum = floor_sum + (self.level_sum[rows] - floor_sum) * remaining
        floor_social = self.floor_social[rows]
        social = floor_social + (self.level_social[rows] - floor_social) * remaining
        since = np.maximum(week - self.referred_week[rows], 0.0)
        natural = self.natural_change[rows] * (1 - np.exp(-since / natural_weeks))
        sw = np.clip(self.swemwbs0[rows] + natural + gain_max * mechanism_sum / 3, *SWEMWBS_RANGE)
        lo = np.clip(self.ucla0[rows] - reduction_max * social, *UCLA_RANGE)
        return sw, lo
