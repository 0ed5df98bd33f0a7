"""Outcomes: wellbeing (SWEMWBS) and loneliness (UCLA-3) over time and discharge from secondary mental health
care (Dayson 2020); each person's record (its columns here, ``OutcomeRecord``) is written once, at follow-up
(model/follow_up.py, which also measures work and GP and A&E use)."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .follow_up import close_records
from .states import Service

if TYPE_CHECKING:
    from .patient import Patient



@dataclass(frozen=True, slots=True)
class OutcomeRecord:
    """One referral's record: the outcome columns (docs/outputs.md)."""

    patient: int
    referred_week: int
    closed_week: int
    censored: bool  # closed at the end of the run, before follow-up was complete
    cohort: str
    source: str
    age: int
    ltc_count: int
    deprived: bool
    imd_quintile: int  # deprivation quintile of the area they live in (1 = most deprived fifth of England)
    state: str
    exit_reason: str
    reached_link_worker: bool
    offered: bool  # a link worker suggested a suitable group (the offer Placement asks them about)
    offered_activity: str  # the activity of the first group suggested ("" if none was): take-up differs by kind
    took_up: bool
    sustained: bool
    volunteer: bool
    weeks_attended: int
    lw_wait_weeks: float
    group_wait_weeks: float
    short_of_provision: bool  # at some point found no suitable group in reach, or gave up waiting for a place
    setbacks: int
    reengaged: int
    continuity_broken: bool
    swemwbs_start: float
    swemwbs_end: float
    ucla_start: float
    ucla_end: float
    improved: bool
    improved_loneliness: bool  # UCLA-3 down by at least the improvement threshold
    working_age_not_employed: bool
    found_work: bool
    mh_discharged: bool
    gp_change_per_year: float
    ae_change_per_year: float
    # discounted, against the person's own natural course, to the economic horizon: written in when the person's
    # account is finished (they left the pathway, their horizon ended, or the run ended: model/health_economics.py),
    # which may be after the record was measured; NaN for the warm-up's people
    qalys_gained: float = math.nan
    wellbys_gained: float = math.nan
    care_cost_change_gbp: float = math.nan
    swemwbs_above_natural: float = math.nan  # true SWEMWBS at close minus the natural course's: the net effect then
    mh_discharged_after_follow_up: bool = False  # discharged by the supported pathway after this record was measured


OUTCOME_COLUMNS = [f.name for f in dataclasses.fields(OutcomeRecord)]


class Outcomes:
    def outcomes_at(self: Patient, week: int) -> tuple[float, float]:
        """True (SWEMWBS, UCLA-3) at ``week``: the person's natural course, plus what link worker support and
        the mechanisms built at groups add (``WellbeingRegister.scores``, read for this person's row)."""
        model = self.model
        sw, lo = model.register.scores(np.array([self.row]), week, model.course, model.p)
        return float(sw[0]), float(lo[0])

    def swemwbs_at(self: Patient, week: float) -> float:
        return self.outcomes_at(week)[0]

    def ucla_at(self: Patient, week: float) -> float:
        return self.outcomes_at(week)[1]

    def consider_mh_discharge(self: Patient) -> None:
        """Supported discharge (Dayson 2020): sustained engagement and better wellbeing lead to
        discharge from secondary mental health care."""
        if self.service is not Service.MENTAL_HEALTH or self.mh_discharged or not self.sustained:
            return
        p = self.model.p
        improved = self.swemwbs_at(self.week) - self.swemwbs0 >= p.improvement_threshold
        if improved and self.draw("mh_discharge") < p.mh_discharge_prob:
            self.discharge_from_secondary_care()
            self.model.economics.discharged_by_service(self.row, self.week)

    def discharge_from_secondary_care(self: Patient) -> None:
        self.mh_discharged = True
        self.model.counters.mh_discharged += 1

    def close_record(self: Patient, censored: bool = False) -> None:
        """Measure outcomes now (at follow-up, or at the end of the run, ``censored``) and write the record
        (model/follow_up.py, which closes a week's records together)."""
        close_records(self.model, [self], censored)
