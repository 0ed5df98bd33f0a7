"""Placement: the link worker suggests a group; the person starts if it has a free place, joins its waiting
list if not, and with nothing suitable in reach the link worker looks again at the next review. One
route, ``place``, serves every way in: after assessment, at a review, after a setback, and when a group
closes (Wildman 2019 and Bu 2024: a shortage of suitable, accessible groups is the commonest barrier)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from . import matching
from .states import IN_GROUP, Event, PathwayState

if TYPE_CHECKING:
    from .patient import Patient
    from .vcse_group import VCSEGroup

S = PathwayState


class Placement:
    def look_for_group(self: Patient, found: matching.Found | None = None) -> None:
        """The link worker looks for a group (after assessment, or at a review; ``found``: the groups in reach, if
        measured already: ``matching.by_activity_many``)."""
        if self.state is not S.WITH_LINK_WORKER or not self.wants_activity:
            return
        self.place(matching.choose_group(self, self.model, found))

    def place(self: Patient, group: VCSEGroup | None) -> None:
        """Start at ``group``, or wait for it, or (None: nothing suitable in reach) look again later."""
        if group is None:
            self.short_of_provision = True  # wanted an activity, nothing suitable in reach or affordable
            if self.link_worker is None:
                self.leave_unengaged(Event.NOTHING_IN_REACH)
                return
            if self.state is not S.WITH_LINK_WORKER:
                self.move_to(S.WITH_LINK_WORKER, Event.GROUP_CLOSED)
            self.schedule("review", self.model.p.review_weeks)
        elif self.declines_offer(group):
            return  # the link worker supports them in other ways until the episode ends
        elif group.free_places > 0:
            self.start_attending(group, Event.PLACE_FREE)
        else:
            self.wait_for(group)

    def declines_offer(self: Patient, group: VCSEGroup) -> bool:
        """At the first suggestion of a suitable group the person says whether they want to go (67% took
        up exercise referral, Q-IJERPH20; more for nature-based groups); they are asked once, so a shortage of
        provision comes first in why people never start, as Bu 2024 found."""
        if not self.offered:
            self.offered = True
            self.offered_activity = group.activity_index
            self.wants_activity = self.draw("uptake") < self.uptake_probability(group)
        return not self.wants_activity

    def wait_for(self: Patient, group: VCSEGroup) -> None:
        if self.matched_at is None:
            self.matched_at = self.model.time
        self.group = group
        group.add_to_waiting_list(self)
        self.move_to(S.AWAITING_GROUP, Event.GROUP_FULL)
        self.set_group_deadline()

    def set_group_deadline(self: Patient) -> None:
        """When they will give up waiting for a place; the group checks it each week."""
        patience = -self.model.p.lw_wait_patience_weeks * math.log1p(-self.draw("group_patience"))
        self.gives_up_at = self.model.time + patience

    def give_up_group_wait(self: Patient) -> None:
        if self.state is not S.AWAITING_GROUP:
            return
        self.short_of_provision = True  # no place came free in time
        self.group.remove_from_waiting_list(self)
        if self.link_worker is not None:  # the link worker looks for something else
            self.move_to(S.WITH_LINK_WORKER, Event.GAVE_UP_GROUP)
            self.schedule("review", self.model.p.review_weeks)
        else:
            self.leave_unengaged(Event.GAVE_UP_GROUP)

    def group_closed(self: Patient, found: matching.Found | None = None) -> None:
        """Their group closed: re-matched to another suitable group, or out if none is in reach (``found``: as
        ``look_for_group``'s)."""
        if self.state in IN_GROUP:
            self.mechanisms.pause(self.week)
            self.cancel("attendance")
        self.group = None
        self.place(matching.choose_group(self, self.model, found))
