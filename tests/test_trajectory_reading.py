"""The trajectories' observations (model/trajectories.py): each cohort's changes since referral are its rows' scores
read at the week, to the bit, whether the cohort's records are still open (read with the week's reading) or closed
(after two years of a run, read on their own so that the week's reading stays one stretch of rows)."""

from __future__ import annotations

import numpy as np

from spsim.model import SocialPrescribingModel
from spsim.model.trajectories import INTERVAL_WEEKS, OBSERVATIONS, Trajectories


def test_each_observation_is_the_cohorts_scores_read_at_the_week():
    model = SocialPrescribingModel(rng=3, population=20_000, measure_from=0)
    trajectories, register = model.trajectories, model.register
    observe, seen = Trajectories.observe, {"closed": 0, "open": 0}

    def checked(self: Trajectories, model: SocialPrescribingModel) -> None:
        observe(self, model)
        week = model.week
        rows_read = register._reading.values[0] if register._reading is not None else []
        assert len(rows_read) == register.size - register.first_open_row()  # (one stretch: everyone within follow-up)
        for k in range(OBSERVATIONS - 1):  # (a cohort's last observation is summed and let go at once)
            cohort = week - k * INTERVAL_WEEKS
            if cohort not in self._points:
                continue
            rows = np.arange(self._cohorts[cohort].start, self._cohorts[cohort].stop)
            sw, lo = register.scores(rows, week, model.course, model.p)
            taken, points = self._points[cohort]
            assert taken == k + 1
            assert points[0, :, k].tobytes() == (sw - register.swemwbs0[rows]).tobytes()
            assert points[1, :, k].tobytes() == (lo - register.ucla0[rows]).tobytes()
            seen["closed" if rows[0] < register.first_open_row() else "open"] += 1

    trajectories.observe = checked.__get__(trajectories)
    model.run_for(110)
    assert seen["closed"] > 50 and seen["open"] > 50
