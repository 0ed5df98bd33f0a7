"""Attendance: starting at a group, attending week by week (building the mechanisms of action), sustaining
engagement, becoming a peer supporter or volunteer, dropping out, and moving on (Aughterson 2024 for the
mechanisms; Dayson 2020 for peer support and volunteering)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .states import IN_GROUP, Event, PathwayState, Service
from .streams import PURPOSES, PersonalDraws, weeks_until

if TYPE_CHECKING:
    from .model import SocialPrescribingModel
    from .patient import Patient
    from .vcse_group import VCSEGroup

S = PathwayState


def attend_the_week(model: SocialPrescribingModel) -> int:
    """Every group member's week, in the order they joined; returns how many members there were.

    A person's weekly draws depend only on who they are and the week (``PersonalDraws``), so everyone's
    are drawn at once, as arrays: the same numbers as drawing them one by one, for a fraction of the cost.
    """
    members = list(model.attending)
    if not members:
        return 0
    week = model.week
    keys = np.fromiter((member.key for member in members), dtype=np.uint64, count=len(members))
    attend = PersonalDraws.uniforms(keys, PURPOSES["attend"], week).tolist()
    dropout = PersonalDraws.uniforms(keys, PURPOSES["dropout"], week).tolist()
    for member, attend_u, dropout_u in zip(members, attend, dropout, strict=True):
        if member in model.attending:  # may have left during this loop (e.g. bumped from a group)
            member.attend_week(attend_u, dropout_u)
    return len(members)


class Attendance:
    def start_attending(self: Patient, group: VCSEGroup, event: Event = Event.ADMITTED) -> None:
        """Join ``group`` (a free place found by placement, or a place from its waiting list)."""
        self.cancel("placement")
        self.group = group
        group.join(self)
        self.mechanisms.resume(self.week)
        if not self.took_up:
            # weeks from first being matched to starting: zero when a place was free
            self.group_wait_weeks = self.model.time - (self.matched_at or self.model.time)
            self.model.counters.group_wait_weeks += self.group_wait_weeks
            self.took_up = True
            self.model.register.took_up[self.row] = True
            self.model.counters.took_up_activity += 1
            self.model.community.pay_tariff(group)
        if self.volunteer:
            group.volunteers[self] = None
            self.move_to(S.VOLUNTEERING, event)
            group.admit_from_waiting_list()  # the places a returning volunteer adds
        else:
            self.move_to(S.SUSTAINED if self.sustained else S.ATTENDING, event)
        if self.sustained:
            self.schedule_move_on()

    def moved_to_waiting_list(self: Patient, group: VCSEGroup) -> None:
        """The group's places shrank and this member was moved back to the front of its waiting list."""
        self.mechanisms.pause(self.week)
        self.cancel("attendance")
        self.move_to(S.AWAITING_GROUP, Event.PLACES_SHRANK)
        self.set_group_deadline()

    def attend_week(self: Patient, attend_u: float, dropout_u: float) -> None:
        """One week for a group member: attend or not, build mechanisms, stay or drop out. ``attend_u`` and
        ``dropout_u`` are this person's draws for the week (``attend_the_week`` draws them for all at once)."""
        p = self.model.p
        group = self.group
        if attend_u < p.attend_prob:
            self.mechanisms.build(group.activity, p.mechanism_growth)
            self.weeks_attended += 1
        self.work_seeking_weeks += (p.work_seeking_rate_ratio - 1) * self.mechanisms.behavioural
        if self.state is not S.ATTENDING:
            return
        hazard = p.dropout_hazard * (1 - p.belonging_protection * self.mechanisms.social)
        if group.volunteers:
            hazard *= 1 - p.peer_retention_effect
        if dropout_u < hazard:
            self.leave_group()
            self.move_to(S.DROPPED_OUT, Event.STOPPED)
            return
        if self.weeks_attended >= p.sustained_weeks:
            self.become_sustained()

    def become_sustained(self: Patient) -> None:
        p = self.model.p
        self.sustained = True
        self.model.counters.sustained += 1
        # the supported pathway builds peer networks and volunteering on purpose (Dayson 2020; Rotherham 2016)
        base = p.supported_volunteer_prob if self.service is Service.MENTAL_HEALTH else p.volunteer_prob
        chance = min(base * (p.peer_programme_multiplier if p.peer_programme else 1.0), 1.0)
        if self.draw("volunteer") < chance:
            self.volunteer = True
            self.model.counters.volunteered += 1
            self.group.volunteers[self] = None
            self.move_to(S.VOLUNTEERING, Event.VOLUNTEERS)
            self.group.admit_from_waiting_list()  # a volunteer adds places
        else:
            self.move_to(S.SUSTAINED, Event.SUSTAINED)
        self.schedule_move_on()
        self.consider_mh_discharge()

    def schedule_move_on(self: Patient) -> None:
        p = self.model.p
        mean = p.move_on_weeks_mean * (p.volunteer_move_on_factor if self.volunteer else 1.0)
        self.schedule("move_on", weeks_until(self.draw("move_on"), mean), self.move_on)

    def move_on(self: Patient) -> None:
        if self.state in IN_GROUP:
            self.leave_group()
            self.move_to(S.MOVED_ON, Event.MOVED_ON)

    def leave_group(self: Patient) -> None:
        self.mechanisms.pause(self.week)
        self.group.leave(self)
