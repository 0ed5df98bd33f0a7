"""Wellbeing and loneliness over time since referral: every three months, up to two years.

Each referred person is observed 13, 26, ... 104 weeks after referral (and at referral). People referred
in the same week are consecutive rows of the wellbeing register, so each observation is one array read of
that week's cohort and nobody is scanned in between. When a cohort's last observation is taken (or the run
ends) its values are added to running sums by whether each person took up an activity, so that effects
over time, and their fading after support ends, can be seen (Wildman 2019 asks for longitudinal
evaluation).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .model import SocialPrescribingModel
    from .wellbeing import WellbeingRegister

INTERVAL_WEEKS = 13
OBSERVATIONS = 9  # at referral, then every three months to 24 months
GROUPS = ("all referred", "took up an activity", "no activity")
EVERYONE = slice(None)  # the members of the first group


class Trajectories:
    def __init__(self, since_week: int = 0) -> None:
        self.since_week = since_week  # people referred before this (a warm-up) are not followed
        self._cohorts: dict[int, slice] = {}  # referral week -> its rows of the register
        self._row_arrays: dict[int, np.ndarray] = {}  # referral week -> its rows as an array, once observed
        # referral week -> (observations taken, changes in SWEMWBS, changes in UCLA-3: people x observations)
        self._points: dict[int, tuple[int, np.ndarray, np.ndarray]] = {}
        # (group, observation) -> [n, sum dSWEMWBS, sum dSWEMWBS^2, sum dUCLA, sum dUCLA^2]
        self._sums: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0.0] * 5)
        self._register = None

    def add_many(self, register: WellbeingRegister, week: int, rows: np.ndarray) -> None:
        """Follow ``week``'s referrals, ``rows`` of the ``register`` (consecutive: a week's referrals are)."""
        if week < self.since_week or not len(rows):
            return
        cohort = self._cohorts.get(week)
        start = int(rows[0]) if cohort is None else cohort.start
        self._cohorts[week] = slice(start, int(rows[-1]) + 1)
        self._register = register

    def observe(self, model: SocialPrescribingModel) -> None:
        week = model.week
        due = [(k, week - k * INTERVAL_WEEKS) for k in range(OBSERVATIONS)]
        due = [(k, cohort, self._cohorts[cohort]) for k, cohort in due if cohort in self._cohorts]
        if not due:
            return
        # the week's cohorts are read as one array (one read instead of up to nine: each read has a fixed cost), oldest
        # first (sorted rows), with the rest of the week's reading (``week_reading``: the economics account takes it up)
        due.reverse()
        rows = np.concatenate([self._rows_of(cohort) for _, cohort, _ in due])
        at, (_, sw_read, lo_read, _, _) = model.register.reading_at(week, model.course, model.p, rows)
        dsw_all, dlo_all = sw_read[at] - model.register.swemwbs0[rows], lo_read[at] - model.register.ucla0[rows]
        start = 0
        for k, cohort, r in due:
            n = r.stop - r.start
            taken, dsw, dlo = self._points.get(cohort) or (0, np.empty((n, OBSERVATIONS)), np.empty((n, OBSERVATIONS)))
            dsw[:, taken] = dsw_all[start : start + n]
            dlo[:, taken] = dlo_all[start : start + n]
            start += n
            self._points[cohort] = (taken + 1, dsw, dlo)
            if k == OBSERVATIONS - 1:
                self._finish(cohort)

    def _rows_of(self, cohort: int) -> np.ndarray:
        """A cohort's rows as an array, made once (again only if the cohort grew since: a week's referrals all come
        before its first observation, at the end of the week)."""
        rows, kept = self._cohorts[cohort], self._row_arrays.get(cohort)
        if kept is None or len(kept) != rows.stop - rows.start:
            kept = self._row_arrays[cohort] = np.arange(rows.start, rows.stop)
        return kept

    def _finish(self, cohort: int) -> None:
        rows = self._cohorts.pop(cohort)
        self._row_arrays.pop(cohort, None)
        taken, dsw, dlo = self._points.pop(cohort, (0, None, None))
        if not taken:  # (followed from a referral week whose first observation was not taken yet)
            return
        took_up = self._register.took_up[rows]
        for group, members in ((GROUPS[0], EVERYONE), (GROUPS[1], took_up), (GROUPS[2], ~took_up)):
            sw, lo = dsw[members, :taken], dlo[members, :taken]  # people x observations (a group's: a copy)
            if not len(sw):
                continue
            # each observation's changes as one contiguous row, all summed at once: the same pairwise sums as each
            # column summed alone
            sw_rows, lo_rows = sw.T.copy(), lo.T.copy()
            # the sums of squares by BLAS's dot of each column as before, the whole cohort's read in place
            # (strided), a group's from its own copy (contiguous): BLAS adds the two in different orders. ``vecdot``
            # calls that BLAS dot once for each observation's row, as the row's own ``dot`` did, in one call
            # (tests/test_trajectory_sums.py compares them to the bit)
            sw_dot, lo_dot = (sw.T, lo.T) if members is EVERYONE else (sw_rows, lo_rows)
            sums = zip(sw_rows.sum(axis=1).tolist(), np.vecdot(sw_dot, sw_dot).tolist(),
                       lo_rows.sum(axis=1).tolist(), np.vecdot(lo_dot, lo_dot).tolist(), strict=True)  # fmt: skip
            for k, (sum_sw, squares_sw, sum_lo, squares_lo) in enumerate(sums):
                s = self._sums[(group, k)]
                s[0] += len(sw)
                s[1] += sum_sw
                s[2] += squares_sw
                s[3] += sum_lo
                s[4] += squares_lo

    def close(self) -> None:
        """End of run: people still within two years contribute the observations they have."""
        for cohort in sorted(self._cohorts):
            self._finish(cohort)

    def rows(self) -> list[dict]:
        """Sums by group and months since referral, to be pooled across replicates."""
        return [
            {
                "group": group,
                "months_since_referral": k * 3,
                "n": s[0],
                "sum_swemwbs_change": s[1],
                "sumsq_swemwbs_change": s[2],
                "sum_ucla_change": s[3],
                "sumsq_ucla_change": s[4],
            }
            for (group, k), s in sorted(self._sums.items(), key=lambda item: (GROUPS.index(item[0][0]), item[0][1]))
        ]
