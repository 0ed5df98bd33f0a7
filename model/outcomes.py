"""Outcomes: wellbeing (SWEMWBS) and loneliness (UCLA-3) over time, discharge from secondary mental health
care (Dayson 2020), work, and GP and A&E use; each person's record is written once, at follow-up."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING

from .arrays import clip
from .mechanisms import SWEMWBS_RANGE, UCLA_RANGE, service_use, swemwbs, ucla
from .natural_course import TINY
from .parameters import chance_within
from .states import Cohort, Service

if TYPE_CHECKING:
    from .patient import Patient


STANDARD_NORMAL = NormalDist()


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
    # discounted, against the person's own natural course, to the economic horizon: written in when the week
    # ends (model/health_economics.py settles the week's closed records at once); NaN for the warm-up's people
    qalys_gained: float = math.nan
    wellbys_gained: float = math.nan
    care_cost_change_gbp: float = math.nan
    swemwbs_above_natural: float = math.nan  # true SWEMWBS at close minus the natural course's: the net effect then


OUTCOME_COLUMNS = [f.name for f in dataclasses.fields(OutcomeRecord)]


class Outcomes:
    def outcomes_at(self: Patient, week: int) -> tuple[float, float]:
        """True (SWEMWBS, UCLA-3) at ``week``: the person's natural course, plus what link worker support and
        the mechanisms built at groups add (``WellbeingRegister.scores`` on arrays)."""
        model, p = self.model, self.model.p
        levels = self.mechanisms.at(week)
        natural_sw, natural_lo = model.course.score(self.person.index, week)
        support = model.register.support_share(self.row, week)
        scale = float(model.register.gain_scale[self.row])
        return (
            swemwbs(natural_sw, levels, p.swemwbs_gain_max * scale, p.link_worker_support_gain * support),
            ucla(natural_lo, levels[1], p.ucla_reduction_max * scale, p.link_worker_support_ucla_reduction * support),
        )

    def measured(self: Patient, score: float, scale: str, occasion: int) -> float:
        """``score`` as a questionnaire records it on ``occasion`` (0 at referral, 1 at follow-up): with
        measurement error (test-retest: Shah 2018 for SWEMWBS), the same error for this person and occasion
        in every scenario, so it cancels out of paired comparisons but not out of before-and-after ones."""
        p = self.model.p
        z = STANDARD_NORMAL.inv_cdf(max(self.draw_in_week(f"measure_{scale}", occasion), TINY))
        if scale == "wellbeing":
            return clip(score + p.swemwbs_measurement_sd * z, SWEMWBS_RANGE)
        return clip(score + p.ucla_measurement_sd * z, UCLA_RANGE)

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

    def close_record(self: Patient, censored: bool = False) -> OutcomeRecord | None:
        """Measure outcomes at follow-up (or at the end of the run, ``censored``) and write the record."""
        if self.record_closed:
            return None
        p = self.model.p
        week = self.week
        weeks = week - self.referred_week
        if self.cohort is Cohort.MENTAL_HEALTH and not self.mh_discharged:
            if self.draw("mh_discharge_followup") < chance_within(p.mh_discharge_rate_per_year, weeks):
                self.discharge_from_secondary_care()
        looking_for_work = self.working_age and not self.employed_at_referral
        found_work = looking_for_work and self.draw("found_work") < chance_within(
            p.job_finding_rate_per_year, weeks + self.work_seeking_weeks
        )
        sw_end, ucla_end = self.outcomes_at(week)
        ltc = self.person.ltc_count
        # GP and A&E use a year at referral and now (the economics account uses the same formula on arrays)
        gp_start, ae_start = service_use(self.swemwbs0, self.ucla0, ltc, p)
        gp_end, ae_end = service_use(sw_end, ucla_end, ltc, p)

        # what an evaluation would record: the questionnaires, each with its measurement error
        sw_start_seen, sw_end_seen = self.measured(self.swemwbs0, "wellbeing", 0), self.measured(sw_end, "wellbeing", 1)
        lo_start_seen, lo_end_seen = self.measured(self.ucla0, "loneliness", 0), self.measured(ucla_end, "loneliness", 1)
        record = OutcomeRecord(
            patient=self.unique_id, referred_week=self.referred_week, closed_week=week, censored=censored,
            cohort=self.cohort.name, source=self.source.name, age=self.person.age, ltc_count=ltc,
            deprived=self.person.deprived, imd_quintile=int(self.model.catchment.imd_quintile[self.person.index]),
            state=self.state.name, exit_reason=self.exit_reason,
            reached_link_worker=self.ever_supported, took_up=self.took_up, sustained=self.sustained,
            volunteer=self.volunteer, weeks_attended=self.weeks_attended, lw_wait_weeks=self.lw_wait_weeks,
            group_wait_weeks=self.group_wait_weeks, short_of_provision=self.short_of_provision,
            setbacks=self.setbacks, reengaged=self.reengaged,
            continuity_broken=self.continuity_broken, swemwbs_start=sw_start_seen, swemwbs_end=sw_end_seen,
            ucla_start=lo_start_seen, ucla_end=lo_end_seen,
            improved=sw_end_seen - sw_start_seen >= p.improvement_threshold,
            improved_loneliness=lo_start_seen - lo_end_seen >= p.improvement_threshold,
            working_age_not_employed=looking_for_work, found_work=found_work, mh_discharged=self.mh_discharged,
            gp_change_per_year=gp_end - gp_start, ae_change_per_year=ae_end - ae_start,
        )  # fmt: skip
        self.record_closed = True
        self.model.record_outcome(self, record)
        return record
