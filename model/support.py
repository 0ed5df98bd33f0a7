"""The link worker support episode: how long it lasts, its lighter maintenance phase, a link worker
leaving, and its end (NHS England role description; Ways to Wellness for long-term support; Wildman 2019
for continuity)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .states import Event, PathwayState, Service

if TYPE_CHECKING:
    from .link_worker import LinkWorker
    from .patient import Patient

S = PathwayState


class Support:
    def start_support_episode(self: Patient, link_worker: LinkWorker) -> None:
        """On a link worker's caseload until the episode ends; long-term support turns lighter after the
        standard episode."""
        p = self.model.p
        self.link_worker = link_worker
        self.model.register.on_caseload[self.row] = True
        self.caseload_weight = 1.0
        weeks = p.advisor_support_weeks if self.service is Service.MENTAL_HEALTH else p.support_weeks
        self.schedule("end_support", weeks)
        if weeks > p.lw_episode_weeks and self.service is Service.PRIMARY_CARE:
            self.schedule("maintenance", p.lw_episode_weeks)

    def enter_maintenance(self: Patient) -> None:
        """Past the standard episode of long-term support: occasional check-ins, a lighter load."""
        self.caseload_weight = self.model.p.maintenance_load
        if self.link_worker is not None:
            self.link_worker.lighten(self)

    def end_support(self: Patient) -> None:
        """The support episode ends: the person leaves the caseload, engaged or not."""
        self.end_support_episode()
        self.consider_mh_discharge()
        if self.state is S.WITH_LINK_WORKER:
            self.leave_unengaged(Event.SUPPORT_ENDED)

    def end_support_episode(self: Patient) -> None:
        self.cancel("support", "placement")
        if self.link_worker is not None:
            self.link_worker.release(self)
            self.link_worker = None
            self.model.register.on_caseload[self.row] = False
            self.model.register.support_ends(self.row, self.week)

    def support_begins(self: Patient) -> None:
        """Support itself (goals, holistic help, someone who listens: Wildman 2019) has an effect of its own,
        apart from any activity; trials of link worker support put it small (Mercer 2019; Kiely 2022)."""
        self.model.register.support_begins(self.row, self.week)

    def leave_unengaged(self: Patient, event: Event) -> None:
        """Leave the pathway without an activity: "dropped out" only if they had started one (someone who
        leaves before starting is not a drop-out from an activity: they end with no activity)."""
        self.move_to(S.DROPPED_OUT if self.took_up else S.NO_ACTIVITY, event)

    def link_worker_left(self: Patient, successor: LinkWorker | None, continuity_kept: bool) -> None:
        """Their link worker has left: a colleague takes over, or support is lost for now."""
        if not continuity_kept:
            self.continuity_broken = True
            self.model.counters.continuity_breaks += 1
        self.link_worker = successor
        self.model.register.on_caseload[self.row] = successor is not None
        if successor is not None:
            successor.hand_over(self)
            return
        self.cancel("support", "placement", "assessment")
        self.model.register.support_ends(self.row, self.week)
        if self.state is S.WITH_LINK_WORKER:  # not yet placed: back to the front of the queue
            self.join_link_worker_queue(Event.LINK_WORKER_LEFT)
