"""Wellbeing and loneliness over time since referral: every three months, up to two years.

Each referred person is observed 13, 26, ... 104 weeks after referral (and at referral). People are
looked up by the week they were referred, so each observation costs one lookup and nobody is
scanned in between. When a person's last observation is taken (or the run ends) their values are
added to running sums by whether they took up an activity, so that effects over time, and their
fading after support ends, can be seen (Wildman 2019 asks for longitudinal evaluation).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import SocialPrescribingModel
    from .patient import Patient

INTERVAL_WEEKS = 13
OBSERVATIONS = 9  # at referral, then every three months to 24 months
GROUPS = ("all referred", "took up an activity", "no activity")


class Trajectories:
    def __init__(self, since_week: int = 0) -> None:
        self.since_week = since_week  # people referred before this (a warm-up) are not followed
        self._cohorts: dict[int, list[Patient]] = {}
        self._points: dict[Patient, list[tuple[float, float]]] = {}
        # (group, observation) -> [n, sum dSWEMWBS, sum dSWEMWBS^2, sum dUCLA, sum dUCLA^2]
        self._sums: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0.0] * 5)

    def add(self, patient: Patient) -> None:
        if patient.referred_week < self.since_week:
            return
        self._cohorts.setdefault(patient.referred_week, []).append(patient)
        self._points[patient] = []

    def observe(self, model: SocialPrescribingModel) -> None:
        week = model.week
        for k in range(OBSERVATIONS):
            cohort = self._cohorts.get(week - k * INTERVAL_WEEKS)
            if not cohort:
                continue
            for pt in cohort:
                sw, lo = pt.outcomes_at(week)
                self._points[pt].append((sw - pt.swemwbs0, lo - pt.ucla0))
            if k == OBSERVATIONS - 1:
                self._finish(self._cohorts.pop(week - k * INTERVAL_WEEKS))

    def _finish(self, patients: list[Patient]) -> None:
        for pt in patients:
            groups = ("all referred", "took up an activity" if pt.took_up else "no activity")
            for k, (dsw, dlo) in enumerate(self._points.pop(pt)):
                for group in groups:
                    s = self._sums[(group, k)]
                    s[0] += 1
                    s[1] += dsw
                    s[2] += dsw * dsw
                    s[3] += dlo
                    s[4] += dlo * dlo

    def close(self) -> None:
        """End of run: people still within two years contribute the observations they have."""
        for week in sorted(self._cohorts):
            self._finish(self._cohorts.pop(week))

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
