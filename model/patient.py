"""A referred person and their journey through the social prescribing pathway.

Sparse things are scheduled events (the end of a wait, an assessment, the next setback, the end of
support, the follow-up); only people attending a group do anything each week (``attend_week``).
Every change of pathway state goes through ``move_to`` so that the model's counters stay exact.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa
from mesa.time import Event

from . import matching
from .link_worker import STANDARD_EPISODE_WEEKS
from .mechanisms import Mechanisms, natural_course, service_use_rate, swemwbs, ucla
from .population import Person, preferred_activities
from .states import IN_GROUP, TERMINAL, Cohort, PathwayState, ReferralSource, Service, SetbackKind

if TYPE_CHECKING:
    from .link_worker import LinkWorker
    from .model import SocialPrescribingModel
    from .vcse_group import VCSEGroup

S = PathwayState
REVIEW_WEEKS = 4  # a link worker looks again for a suitable group every four weeks
SETBACK_SUSCEPTIBLE = IN_GROUP | {S.WITH_LINK_WORKER, S.AWAITING_GROUP}
SETBACK_KINDS = (SetbackKind.HEALTH, SetbackKind.FAMILY, SetbackKind.MONEY)
SETBACK_CUMULATIVE = (0.5, 0.8, 1.0)  # health half, family 3 in 10, money 2 in 10 (assumption)
WORKING_AGE_LIMIT = 66  # state pension age


class Patient(mesa.Agent):
    """A person referred to social prescribing (or, in the counterfactual, who would have been)."""

    model: SocialPrescribingModel

    def __init__(self, model: SocialPrescribingModel, person: Person, source: ReferralSource, cohort: Cohort):
        super().__init__(model)
        p = model.p
        self.person = person
        self.source = source
        self.cohort = cohort
        self.service = (
            Service.MENTAL_HEALTH
            if cohort is Cohort.MENTAL_HEALTH and p.supported_discharge
            else Service.PRIMARY_CARE
        )
        self.referred_week = model.week
        self.preferences = preferred_activities(cohort, person.preferences_u)
        self.cannot_pay = person.deprived and person.cost_u < p.cost_barrier_deprived
        # appropriateness of the referral: Cooper 2024 (awareness, role clarity); drawn per referral. In the
        # supported pathway the mental health team screens its referrals: the best rate (Dayson 2020)
        clarity = (p.public_awareness + p.role_clarity) / 2
        p_appropriate = p.appropriate_share_min + (p.appropriate_share_max - p.appropriate_share_min) * clarity
        if self.service is Service.MENTAL_HEALTH:
            p_appropriate = p.appropriate_share_max
        self.appropriate = model.streams["referrals"].chance(p_appropriate)

        offset = p.swemwbs_smi_offset if cohort is Cohort.MENTAL_HEALTH else 0.0
        self.swemwbs0 = min(max(p.swemwbs_referred_mean + offset + p.swemwbs_sd * person.wellbeing_z, 7.0), 35.0)
        # where this person's wellbeing would drift without any service (the counterfactual)
        self.natural_change = p.natural_recovery_points + p.natural_course_sd * person.course_z
        # UCLA-3 at referral: 6-9 for lonely people, 3-5 for others (ONS cut-off)
        self.ucla0 = 6.0 + math.floor(person.ucla_u * 4) if person.lonely else 3.0 + math.floor(person.ucla_u * 3)
        self.working_age = person.age < WORKING_AGE_LIMIT
        employment = p.employment_rate_smi if person.smi else p.employment_rate_ltc
        self.employed_at_referral = self.working_age and person.work_u < employment

        self.state: PathwayState | None = None
        self.link_worker: LinkWorker | None = None
        self.caseload_weight = 1.0  # share of a caseload place: lighter in long-term maintenance
        self.ever_supported = False
        self.continuity_broken = False
        self.assessed = False
        self.matched_at: float | None = None  # when first put on a group's waiting list
        self.lw_wait_weeks = math.nan  # referral to first contact, once reached
        self.group_wait_weeks = math.nan  # first match to starting, once started
        self.wants_activity = True
        self.group: VCSEGroup | None = None  # the group attended, waited for, or last attended
        self.volunteer = False
        self.took_up = False
        self.sustained = False
        self.weeks_attended = 0
        self.setbacks = 0
        self.reengaged = 0
        self.mh_discharged = False
        self.exit_reason = ""
        self.gives_up_at = float("inf")  # deadline while waiting for a link worker or a group place
        self.record_closed = False
        self.mechanisms = Mechanisms(p.gain_retained_share, p.gain_fade_half_life_weeks)
        self.work_seeking_weeks = 0.0  # extra job-search exposure built by attending
        self._events: dict[str, Event] = {}

    # ------------------------------------------------------------------ bookkeeping
    def move_to(self, state: PathwayState, reason: str = "") -> None:
        old = self.state
        self.state = state
        self.model.on_state_change(self, old, state)
        if state in TERMINAL:
            self.exit_reason = reason or state.label
            for name in [n for n in self._events if n != "close_record"]:
                self._cancel(name)
            self._end_support_episode()
            self.model.leave_pathway(self)

    def _schedule(self, name: str, after: float, method) -> None:
        self._cancel(name)
        self._events[name] = self.model.schedule_event(method, after=after)

    def _cancel(self, name: str) -> None:
        event = self._events.pop(name, None)
        if event is not None:
            event.cancel()

    @property
    def week(self) -> int:
        return self.model.week

    # ------------------------------------------------------------------ referral and link worker
    def refer(self) -> None:
        """Enter the pathway: wait for a link worker, or (no social prescribing) carry on as usual."""
        self._schedule("close_record", self.model.p.follow_up_weeks, self.close_record)
        if not self.model.social_prescribing:
            self.move_to(S.USUAL_CARE, "no social prescribing service")
            return
        self._join_link_worker_queue()
        self._schedule_next_setback()

    def _join_link_worker_queue(self, returning: bool = False) -> None:
        self.move_to(S.AWAITING_LINK_WORKER)
        self.model.queue_for_link_worker(self, front=returning)
        # a deadline, not an event: the weekly allocation checks it (most people are seen in time)
        self.gives_up_at = self.model.time + self.model.streams["referrals"].exponential(
            self.model.p.lw_wait_patience_weeks
        )

    def give_up_waiting(self) -> None:
        if self.state is S.AWAITING_LINK_WORKER:
            self.move_to(S.DECLINED if not self.ever_supported else S.DROPPED_OUT, "gave up waiting for a link worker")

    def first_contact(self, link_worker: LinkWorker) -> None:
        """A link worker takes the person on: a strengths-based first conversation."""
        p = self.model.p
        self.link_worker = link_worker
        self.caseload_weight = 1.0
        weeks = p.advisor_support_weeks if self.service is Service.MENTAL_HEALTH else p.support_weeks
        self._schedule("end_support", weeks, self.end_support)
        if weeks > STANDARD_EPISODE_WEEKS and self.service is Service.PRIMARY_CARE:
            self._schedule("maintenance", STANDARD_EPISODE_WEEKS, self.enter_maintenance)
        if self.ever_supported:  # back through the open door, or after a hand-over: no new first contact
            self.move_to(S.WITH_LINK_WORKER)
            if self.assessed:
                self.find_group()
            else:
                self._schedule("assessment", p.assessment_weeks, self.complete_assessment)
            return
        self.ever_supported = True
        self.model.counters.reached_link_worker += 1
        self.lw_wait_weeks = self.model.time - self.referred_week
        self.model.counters.link_worker_wait_weeks += self.lw_wait_weeks
        if self.service is Service.MENTAL_HEALTH:  # discharge agreed with the person beforehand (Dayson 2020)
            decline = p.supported_decline_prob
        else:
            decline = p.referral_decline_prob * (p.decline_rr_deprived if self.person.deprived else 1.0)
        if self.model.streams["assessment"].chance(min(decline, 1.0)):
            self.move_to(S.DECLINED, "declined at first contact")
            return
        self.move_to(S.WITH_LINK_WORKER)
        self._schedule("assessment", p.assessment_weeks, self.complete_assessment)

    def complete_assessment(self) -> None:
        """Goals agreed; does the person want an activity, and can the link worker find one?"""
        if self.state is not S.WITH_LINK_WORKER:
            return
        self.assessed = True
        if not self.appropriate:
            self.move_to(S.NO_ACTIVITY, "referral not appropriate")
            return
        self.wants_activity = self.model.streams["assessment"].chance(self.model.uptake_probability(self))
        if self.wants_activity:
            self.find_group()
        # otherwise the link worker supports them in other ways until the episode ends

    def find_group(self) -> None:
        if self.state is not S.WITH_LINK_WORKER or not self.wants_activity:
            return
        group = matching.choose_group(self, self.model)
        if group is None:  # nothing suitable and reachable: look again at the next review
            self._schedule("review", REVIEW_WEEKS, self.find_group)
        elif group.free_places > 0:
            self.start_attending(group)
        else:
            self._wait_for(group)

    def _wait_for(self, group: VCSEGroup) -> None:
        if self.matched_at is None:
            self.matched_at = self.model.time
        self.group = group
        group.add_to_waiting_list(self)
        self.move_to(S.AWAITING_GROUP)
        self._set_group_deadline()

    def _set_group_deadline(self) -> None:
        """When they will give up waiting for a place; the group checks it each week."""
        patience = self.model.streams["matching"].exponential(self.model.p.lw_wait_patience_weeks)
        self.gives_up_at = self.model.time + patience

    def give_up_group_wait(self) -> None:
        if self.state is not S.AWAITING_GROUP:
            return
        self.group.remove_from_waiting_list(self)
        if self.link_worker is not None:  # the link worker looks for something else
            self.move_to(S.WITH_LINK_WORKER)
            self._schedule("review", REVIEW_WEEKS, self.find_group)
        else:
            self._leave_pathway_unengaged("gave up waiting for a group")

    def enter_maintenance(self) -> None:
        """Past the first 12 weeks of long-term support: occasional check-ins, a lighter load."""
        self.caseload_weight = self.model.p.maintenance_load
        if self.link_worker is not None:
            self.link_worker.lighten(self)

    def end_support(self) -> None:
        """The support episode ends: the person leaves the caseload, engaged or not."""
        self._end_support_episode()
        self._consider_mh_discharge()
        if self.state is S.WITH_LINK_WORKER:
            self._leave_pathway_unengaged("support ended without an activity")

    def _end_support_episode(self) -> None:
        self._cancel("end_support")
        self._cancel("review")
        self._cancel("maintenance")
        if self.link_worker is not None:
            self.link_worker.release(self)
            self.link_worker = None

    def _leave_pathway_unengaged(self, reason: str) -> None:
        if self.took_up:
            self.move_to(S.DROPPED_OUT, reason)
        else:
            self.move_to(S.NO_ACTIVITY, reason)

    def link_worker_left(self, successor: LinkWorker | None, continuity_kept: bool) -> None:
        """Their link worker has left: a colleague takes over, or support is lost for now."""
        if not continuity_kept:
            self.continuity_broken = True
            self.model.counters.continuity_breaks += 1
        self.link_worker = successor
        if successor is not None:
            successor.hand_over(self)
            return
        self._cancel("end_support")
        self._cancel("review")
        self._cancel("assessment")
        self._cancel("maintenance")
        if self.state is S.WITH_LINK_WORKER:  # not yet placed: back to the front of the queue
            self._join_link_worker_queue(returning=True)

    # ------------------------------------------------------------------ groups and attendance
    def start_attending(self, group: VCSEGroup) -> None:
        """Join ``group`` (from matching or from its waiting list)."""
        self._cancel("review")
        self.group = group
        group.join(self)
        self.mechanisms.resume(self.week)
        if not self.took_up:
            # weeks from first being matched to starting: zero when a place was free
            self.group_wait_weeks = self.model.time - (self.matched_at or self.model.time)
            self.model.counters.group_wait_weeks += self.group_wait_weeks
            self.took_up = True
            self.model.counters.took_up_activity += 1
            self.model.pay_tariff(group)
        if self.volunteer:
            group.volunteers[self] = None
            self.move_to(S.VOLUNTEERING)
            group.admit_from_waiting_list()  # the places a returning volunteer adds
        else:
            self.move_to(S.SUSTAINED if self.sustained else S.ATTENDING)
        if self.sustained:
            self._schedule_move_on()

    def group_closed(self) -> None:
        """Their group closed: re-matched to another suitable group, or out if none is in reach."""
        if self.state in IN_GROUP:
            self.mechanisms.pause(self.week)
            self._cancel("move_on")
        self.group = None
        group = matching.choose_group(self, self.model)
        if group is None:
            if self.link_worker is not None:
                self.move_to(S.WITH_LINK_WORKER)
                self._schedule("review", REVIEW_WEEKS, self.find_group)
            else:
                self._leave_pathway_unengaged("group closed and nothing suitable in reach")
        elif group.free_places > 0:
            self.start_attending(group)
        else:
            self._wait_for(group)

    def moved_to_waiting_list(self, group: VCSEGroup) -> None:
        """The group's places shrank and this member was moved back to the front of its waiting list."""
        self.mechanisms.pause(self.week)
        self._cancel("move_on")
        self.move_to(S.AWAITING_GROUP)
        self._set_group_deadline()

    def attend_week(self) -> None:
        """One week for a group member: attend or not, build mechanisms, stay or drop out."""
        p = self.model.p
        stream = self.model.streams["attendance"]
        group = self.group
        if stream.random() < p.attend_prob:
            self.mechanisms.build(group.activity, p.mechanism_growth)
            self.weeks_attended += 1
        self.work_seeking_weeks += (p.work_seeking_rate_ratio - 1) * self.mechanisms.behavioural
        if self.state is not S.ATTENDING:
            return
        hazard = p.dropout_hazard * (1 - p.belonging_protection * self.mechanisms.social)
        if group.volunteers:
            hazard *= 1 - p.peer_retention_effect
        if stream.random() < hazard:
            self._leave_group()
            self.move_to(S.DROPPED_OUT, "stopped attending")
            return
        if self.weeks_attended >= p.sustained_weeks:
            self._become_sustained()

    def _become_sustained(self) -> None:
        p = self.model.p
        self.sustained = True
        self.model.counters.sustained += 1
        chance = p.volunteer_prob * (p.peer_programme_multiplier if p.peer_programme else 1.0)
        if self.model.streams["volunteering"].chance(min(chance, 1.0)):
            self.volunteer = True
            self.model.counters.volunteered += 1
            self.group.volunteers[self] = None
            self.move_to(S.VOLUNTEERING)
            self.group.admit_from_waiting_list()  # a volunteer adds places
        else:
            self.move_to(S.SUSTAINED)
        self._schedule_move_on()
        self._consider_mh_discharge()

    def _schedule_move_on(self) -> None:
        p = self.model.p
        mean = p.move_on_weeks_mean * (p.volunteer_move_on_factor if self.volunteer else 1.0)
        self._schedule("move_on", self.model.streams["attendance"].weeks_until(mean), self.move_on)

    def move_on(self) -> None:
        if self.state in IN_GROUP:
            self._leave_group()
            self.move_to(S.MOVED_ON, "moved on after sustained engagement")

    def _leave_group(self) -> None:
        self.mechanisms.pause(self.week)
        self.group.leave(self)

    # ------------------------------------------------------------------ setbacks (Wildman 2019)
    def _schedule_next_setback(self) -> None:
        """Candidate setbacks arrive at the person's highest possible rate; each is kept with the
        chance that belonging does not protect against it at that moment (thinning), which gives
        exactly a setback rate that falls as belonging grows, without weekly work."""
        p = self.model.p
        rate = p.setback_rate_per_year / 52
        if self.person.ltc_count >= 2:
            rate *= p.setback_rr_multimorbidity
        if self.person.deprived:
            rate *= p.setback_rr_deprived
        after = self.model.streams["setbacks"].weeks_until(1 / rate) if rate > 0 else None
        if after is not None:
            self._schedule("setback", after, self.setback_candidate)

    def setback_candidate(self) -> None:
        if self.state in TERMINAL:
            return
        stream = self.model.streams["setbacks"]
        protection = self.model.p.belonging_protection * self.mechanisms.at(self.week)[1]
        if self.state in SETBACK_SUSCEPTIBLE and stream.random() >= protection:
            self.begin_setback(SETBACK_KINDS[stream.pick(SETBACK_CUMULATIVE)])
        else:
            self._schedule_next_setback()

    def begin_setback(self, kind: SetbackKind) -> None:
        counters = self.model.counters
        counters.setbacks += 1
        if self.setbacks == 0:
            counters.people_with_setback += 1
        self.setbacks += 1
        if self.state in IN_GROUP:
            self._cancel("move_on")
            self._leave_group()
        elif self.state is S.AWAITING_GROUP:
                self.group.remove_from_waiting_list(self)
        self._cancel("review")
        self._cancel("assessment")
        self.move_to(S.SETBACK)
        mean = self.model.p.setback_weeks_mean * (1.5 if kind is SetbackKind.HEALTH else 1.0)
        self._schedule("setback_end", self.model.streams["setbacks"].weeks_until(mean), self.end_setback)

    def end_setback(self) -> None:
        """Whether the person comes back depends on support still being open and on continuity."""
        if self.state is not S.SETBACK:
            return
        p = self.model.p
        on_caseload = self.link_worker is not None
        open_door = p.open_door and self.ever_supported
        if on_caseload or open_door:
            chance = p.return_prob_supported * (1 - p.continuity_break_penalty * self.continuity_broken)
        else:
            chance = p.return_prob_unsupported
        if not self.model.streams["setbacks"].chance(chance):
            self.move_to(S.DROPPED_OUT, "did not come back after a setback")
            return
        self.reengaged += 1
        self.model.counters.reengaged_after_setback += 1
        self._schedule_next_setback()
        if on_caseload:
            self.move_to(S.WITH_LINK_WORKER)
            if self.assessed:
                self.find_group()
            else:  # the setback came before goals were agreed: assess first
                self._schedule("assessment", self.model.p.assessment_weeks, self.complete_assessment)
        elif open_door:
            self._join_link_worker_queue(returning=True)
        elif self.group is not None and self.group.is_open:  # back to their group on their own
            if self.group.free_places > 0:
                self.start_attending(self.group)
            else:
                self._wait_for(self.group)
        else:
            self._leave_pathway_unengaged("no support or group to return to after a setback")

    # ------------------------------------------------------------------ outcomes
    def outcomes_at(self, week: float) -> tuple[float, float]:
        """(SWEMWBS, UCLA-3) at ``week``: one evaluation of the mechanisms for both scales."""
        p = self.model.p
        levels = self.mechanisms.at(week)
        natural = natural_course(self.natural_change, p.natural_recovery_weeks, week - self.referred_week)
        return (
            swemwbs(self.swemwbs0, natural, levels, p.swemwbs_gain_max),
            ucla(self.ucla0, levels[1], p.ucla_reduction_max),
        )

    def swemwbs_at(self, week: float) -> float:
        return self.outcomes_at(week)[0]

    def ucla_at(self, week: float) -> float:
        return self.outcomes_at(week)[1]

    def _consider_mh_discharge(self) -> None:
        """Supported discharge (Dayson 2020): sustained engagement and better wellbeing lead to
        discharge from secondary mental health care."""
        if self.service is not Service.MENTAL_HEALTH or self.mh_discharged or not self.sustained:
            return
        p = self.model.p
        improved = self.swemwbs_at(self.week) - self.swemwbs0 >= p.improvement_threshold
        if improved and self.model.streams["outcomes"].chance(p.mh_discharge_prob):
            self._discharge_from_secondary_care()

    def _discharge_from_secondary_care(self) -> None:
        self.mh_discharged = True
        self.model.counters.mh_discharged += 1

    def close_record(self, censored: bool = False) -> dict:
        """Measure outcomes at follow-up (or at the end of the run, ``censored``) and write the record."""
        if self.record_closed:
            return {}
        p = self.model.p
        stream = self.model.streams["outcomes"]
        week = self.week
        weeks = week - self.referred_week
        if self.cohort is Cohort.MENTAL_HEALTH and not self.mh_discharged:
            if stream.chance(1 - math.exp(-p.mh_discharge_rate_per_year * weeks / 52)):
                self._discharge_from_secondary_care()
        found_work = False
        if self.working_age and not self.employed_at_referral:
            exposure = weeks + self.work_seeking_weeks
            found_work = stream.chance(1 - math.exp(-p.job_finding_rate_per_year * exposure / 52))
        sw_end, ucla_end = self.outcomes_at(week)
        ltc = self.person.ltc_count

        def gp(score: float) -> float:
            return service_use_rate(p.gp_consultations_base, p.gp_consultations_per_ltc, ltc, score, p.lonely_gp_rate_ratio)

        def ae(score: float) -> float:
            return service_use_rate(p.ae_attendances_base, p.ae_attendances_per_ltc, ltc, score, p.lonely_ae_rate_ratio)

        record = {
            "patient": self.unique_id,
            "referred_week": self.referred_week,
            "closed_week": week,
            "censored": censored,
            "cohort": self.cohort.name,
            "source": self.source.name,
            "age": self.person.age,
            "ltc_count": ltc,
            "deprived": self.person.deprived,
            "state": self.state.name,
            "exit_reason": self.exit_reason,
            "reached_link_worker": self.ever_supported,
            "took_up": self.took_up,
            "sustained": self.sustained,
            "volunteer": self.volunteer,
            "weeks_attended": self.weeks_attended,
            "lw_wait_weeks": self.lw_wait_weeks,
            "group_wait_weeks": self.group_wait_weeks,
            "setbacks": self.setbacks,
            "reengaged": self.reengaged,
            "continuity_broken": self.continuity_broken,
            "swemwbs_start": self.swemwbs0,
            "swemwbs_end": sw_end,
            "ucla_start": self.ucla0,
            "ucla_end": ucla_end,
            "improved": sw_end - self.swemwbs0 >= p.improvement_threshold,
            "working_age_not_employed": self.working_age and not self.employed_at_referral,
            "found_work": found_work,
            "mh_discharged": self.mh_discharged,
            "gp_change_per_year": gp(ucla_end) - gp(self.ucla0),
            "ae_change_per_year": ae(ucla_end) - ae(self.ucla0),
        }
        self.record_closed = True
        self._events.pop("close_record", None)
        self.model.record_outcome(self, record)
        return record
