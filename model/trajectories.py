"""Wellbeing and loneliness over time since referral: every three months, up to two years.

Each referred person is observed 13, 26, ... 104 weeks after referral (and at referral). People referred
in the same week are consecutive rows of the wellbeing register, so each observation is one array read of
that week's cohort and nobody is scanned in between. When a cohort's last observation is taken (or the run
ends) its values are added to running sums by whether each person took up an activity, so that effects
over time, and their fading after support ends, can be seen (Wildman 2019 asks for longitudinal
evaluation).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .model import SocialPrescribingModel
    from .wellbeing import WellbeingRegister

INTERVAL_WEEKS = 13
OBSERVATIONS = 9  # at referral, then every three months to 24 months
GROUPS = ("all referred", "took up an activity", "no activity")
EVERYONE = slice(None)  # the members of the first group
NO_ROWS = np.zeros(0, dtype=np.int64)


class Trajectories:
    def __init__(self, since_week: int = 0) -> None:
        self.since_week = since_week  # people referred before this (a warm-up) are not followed
        self._cohorts: dict[int, slice] = {}  # referral week -> its rows of the register
        self._row_arrays: dict[int, np.ndarray] = {}  # referral week -> its rows as an array, once observed
        # referral week -> (observations taken, changes in SWEMWBS and UCLA-3: 2 x people x observations)
        self._points: dict[int, tuple[int, np.ndarray]] = {}
        # by group and observation: people counted, and [sum dSWEMWBS, sum dUCLA] x [sum, sum of squares], added as
        # arrays (each element the same float addition as one number at a time)
        self._counts = np.zeros((len(GROUPS), OBSERVATIONS))
        self._sums = np.zeros((len(GROUPS), 2, 2, OBSERVATIONS))
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
        # whose natural course next week's reading will find ended is caught up earlier in that week, with the referral
        # candidates' (one pass of the course's catch-up a week instead of two: the same draws)
        due_next = [c for k in range(1, OBSERVATIONS) if (c := week + 1 - k * INTERVAL_WEEKS) in self._cohorts]
        model.register.expect_next_week(week, model.course, np.concatenate([NO_ROWS, *map(self._rows_of, due_next)]))
        changes = np.empty((2, len(rows)))  # (SWEMWBS's, UCLA-3's: each cohort's written in one call)
        np.subtract(sw_read[at], model.register.swemwbs0[rows], out=changes[0])
        np.subtract(lo_read[at], model.register.ucla0[rows], out=changes[1])
        start = 0
        for k, cohort, r in due:
            n = r.stop - r.start
            taken, points = self._points.get(cohort) or (0, np.empty((2, n, OBSERVATIONS)))
            points[:, :, taken] = changes[:, start : start + n]
            start += n
            self._points[cohort] = (taken + 1, points)
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
        taken, points = self._points.pop(cohort, (0, None))
        if not taken:  # (followed from a referral week whose first observation was not taken yet)
            return
        took_up = self._register.took_up[rows]
        for g, members in enumerate((EVERYONE, took_up, ~took_up)):
            # each observation's changes as one contiguous row (2 x observations x people: a group's is a copy), all
            # summed at once: the same pairwise sums as each row summed alone
            changes = points[:, members, :taken].transpose(0, 2, 1)
            people = changes.shape[2]
            if not people:
                continue
            rows_of_changes = changes.copy()
            # the sums of squares by BLAS's dot of each row as before, the whole cohort's read in place (strided), a
            # group's from its own copy (contiguous): BLAS adds the two in different orders. ``vecdot`` calls that BLAS
            # dot once for each row, as the row's own ``dot`` did, in one call (tests/test_trajectory_sums.py)
            dot = changes if members is EVERYONE else rows_of_changes
            self._counts[g, :taken] += people
            self._sums[g, :, 0, :taken] += rows_of_changes.sum(axis=2)
            self._sums[g, :, 1, :taken] += np.vecdot(dot, dot)

    def close(self) -> None:
        """End of run: people still within two years contribute the observations they have."""
        for cohort in sorted(self._cohorts):
            self._finish(cohort)

    def rows(self) -> list[dict]:
        """Sums by group and months since referral, to be pooled across replicates."""
        counts, sums = self._counts.tolist(), self._sums.tolist()  # (plain floats)
        return [
            {
                "group": group,
                "months_since_referral": k * 3,
                "n": counts[g][k],
                "sum_swemwbs_change": sums[g][0][0][k],
                "sumsq_swemwbs_change": sums[g][0][1][k],
                "sum_ucla_change": sums[g][1][0][k],
                "sumsq_ucla_change": sums[g][1][1][k],
            }
            for g, group in enumerate(GROUPS)
            for k in range(OBSERVATIONS)
            if counts[g][k]  # (an observation nobody in the group reached is not a row)
        ]
