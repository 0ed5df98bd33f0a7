"""Assessment and goals: after a few weeks with a link worker, is the referral one social prescribing can
help with, and does the person want an activity? (Bu 2024 for take-up, seeds/EVIDENCE-activity-kinds.md for how
it differs by kind of activity; Cooper 2024 for training and stretched, light-touch support; Dayson 2020 for the
accompanied first session in the supported pathway.)"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from . import matching
from .activities import uptake_odds_ratio
from .states import Event, PathwayState, Service

if TYPE_CHECKING:
    from .parameters import Params
    from .patient import Patient
    from .vcse_group import VCSEGroup

S = PathwayState


class Assessment:
    def complete_assessment(self: Patient) -> None:
        """Goals agreed; does the person want an activity, and can the link worker find one?"""
        if self.state is not S.WITH_LINK_WORKER:
            return
        self.assessed = True
        if not self.appropriate:
            self.pass_on_unsuitable()
            self.move_to(S.NO_ACTIVITY, Event.NOT_APPROPRIATE)
            return
        self.look_for_group()  # whether they want to go is theirs to say once a group is suggested

    def pass_on_unsuitable(self: Patient) -> None:
        """Some referrals social prescribing cannot help with are passed on to a group anyway and found
        unsuitable there, holding a place for a few weeks: the strain scattergun referral puts on
        community partners (Cooper 2024)."""
        if self.draw("passed_on") < self.model.p.inappropriate_passed_on_share:
            self.hold_a_place()

    def hold_a_place(self: Patient, found: matching.Found | None = None) -> None:
        """Passed on to the group a link worker would suggest, which holds a place for them if it has one
        (``found``: the groups in reach, if measured already: ``matching.by_activity_many``)."""
        group = matching.choose_group(self, self.model, found)
        if group is not None and group.free_places > 0:
            group.hold_place(self.model.week + self.model.p.inappropriate_place_weeks)

    def resume_with_link_worker(self: Patient) -> None:
        """Back with a link worker (a return, a hand-over): assess first if goals were never agreed."""
        if self.assessed:
            self.look_for_group()
        else:
            self.schedule("assessment", self.model.p.assessment_weeks)

    def uptake_probability(self: Patient, group: VCSEGroup) -> float:
        """Chance that a person offered ``group`` wants to go: by its kind of activity (more for nature-based
        groups than for exercise referral), lower when link workers are stretched (light-touch support), higher
        with trained link workers or an accompanied first session."""
        p, service = self.model.p, self.service
        pressure_excess = min(max(self.model.workforce.pressure[service] - 1.0, 0.0), 1.0)
        chance = unpressed_uptake(p, service is Service.MENTAL_HEALTH, group.activity_index)
        chance *= 1 - p.light_touch_uptake_penalty * pressure_excess
        return min(chance, 1.0)


@lru_cache(maxsize=64)
def unpressed_uptake(p: Params, accompanied: bool, activity_index: int) -> float:
    """``uptake_probability`` before the link workers' pressure (before its cap): the same for everyone of a
    service offered a group of an activity while the parameters stand (they are read-only: a change makes a new
    ``Params``), so worked out once for each (a first offer is made about 40,000 times in a 3-year ICB)."""
    base = p.accompanied_uptake_prob if accompanied else p.uptake_prob
    if (odds_ratio := uptake_odds_ratio(p, activity_index)) != 1.0 and base < 1.0:
        odds = odds_ratio * base / (1 - base)
        base = odds / (1 + odds)
    return base * (1 + p.training_uptake_boost * p.lw_training)
