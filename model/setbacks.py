"""Setbacks and return (Wildman 2019): health, family and money shocks interrupt engagement; whether the
person comes back depends on support still being open to them and on link worker continuity."""

from __future__ import annotations

from itertools import accumulate
from typing import TYPE_CHECKING

from .arrays import where
from .states import IN_GROUP, TERMINAL, Event, PathwayState, SetbackKind
from .streams import pick, weeks_until

if TYPE_CHECKING:
    from .parameters import Params
    from .patient import Patient
    from .population import Person

S = PathwayState
SUSCEPTIBLE = IN_GROUP | {S.WITH_LINK_WORKER, S.AWAITING_GROUP}
KINDS = (SetbackKind.HEALTH, SetbackKind.FAMILY, SetbackKind.MONEY)


class Setbacks:
    def schedule_next_setback(self: Patient) -> None:
        """Candidate setbacks arrive at the person's highest possible rate; each is kept with the
        chance that belonging does not protect against it at that moment (thinning), which gives
        exactly a setback rate that falls as belonging grows, without weekly work."""
        rate = setback_rate(self.person, self.model.p)
        if rate > 0:
            self.schedule("setback", weeks_until(self.draw("setback_gap"), 1 / rate))

    def setback_candidate(self: Patient) -> None:
        if self.state in TERMINAL:
            return
        p = self.model.p
        protection = p.belonging_protection * self.mechanisms.at(self.week)[1]
        if self.state in SUSCEPTIBLE and self.draw("setback_keep") >= protection:
            self.setback_kept()
        else:
            self.schedule_next_setback()

    def setback_kept(self: Patient) -> None:
        """A candidate kept (its draw taken): a setback of a kind drawn begins."""
        self.begin_setback(setback_kind(self.draw("setback_kind"), self.model.p))

    def begin_setback(self: Patient, kind: SetbackKind) -> None:
        counters = self.model.counters
        counters.setbacks += 1
        if self.setbacks == 0:
            counters.people_with_setback += 1
        self.setbacks += 1
        if self.state in IN_GROUP:
            self.cancel("attendance")
        self.interrupt()
        self.cancel("placement", "assessment")
        self.move_to(S.SETBACK, Event.SETBACK)
        self.schedule("setback_end", weeks_until(self.draw("setback_length"), setback_weeks_mean(kind, self.model.p)))

    def interrupt(self: Patient) -> None:
        """What a setback beginning does to others: the person leaves their group (its place may go to someone
        waiting) or its waiting list."""
        if self.state in IN_GROUP:
            self.leave_group()
        elif self.state is S.AWAITING_GROUP:
            self.group.remove_from_waiting_list(self)

    def end_setback(self: Patient) -> None:
        """Whether the person comes back depends on support still being open and on continuity."""
        if self.state is not S.SETBACK:
            return
        if self.draw("setback_return") >= self.return_chance():
            self.leave_unengaged(Event.NO_RETURN)  # dropped out only if they had started an activity
            return
        self.come_back()

    def return_chance(self: Patient) -> float:
        """The chance of coming back after a setback: better while support is open to them (on a caseload, or
        an open door once supported), less so if continuity was broken."""
        return return_chance(self.link_worker is not None, self.ever_supported, self.continuity_broken, self.model.p)

    def come_back(self: Patient) -> None:
        """Back after a setback: to their link worker, through the open door, or to their group on their own."""
        self.schedule_next_setback()
        self.return_after_setback()

    def return_after_setback(self: Patient) -> None:
        """``come_back`` once the next setback is made due (model/setback_rows.py makes it due for a week's batch)."""
        self.reengaged += 1
        self.model.counters.reengaged_after_setback += 1
        if self.link_worker is not None:
            self.move_to(S.WITH_LINK_WORKER, Event.BACK_TO_LINK_WORKER)
            self.resume_with_link_worker()
        elif self.model.p.open_door and self.ever_supported:
            self.join_link_worker_queue(Event.OPEN_DOOR)
        elif self.group is not None and self.group.is_open:  # back to their group on their own
            self.place(self.group)
        else:
            self.leave_unengaged(Event.NOTHING_TO_RETURN_TO)


def setback_rate(person: Person, p: Params) -> float:
    """A person's weekly chance of a candidate setback: their highest possible rate (more with two or more long-term
    conditions, in a deprived area)."""
    rate = p.setback_rate_per_year / 52
    if person.ltc_count >= 2:
        rate *= p.setback_rr_multimorbidity
    if person.deprived:
        rate *= p.setback_rr_deprived
    return rate


def setback_kind(u: float, p: Params) -> SetbackKind:
    """The kind of setback that uniform draw ``u`` picks, by the kinds' shares."""
    return KINDS[pick(u, list(accumulate((p.setback_share_health, p.setback_share_family, p.setback_share_money))))]


def setback_weeks_means(draws: list[float], p: Params) -> list[float]:
    """``setback_weeks_mean`` of the kind (``setback_kind``) each of ``draws`` picks: the kinds' shares added up and
    the means worked out once for a week's setbacks, not once a person (the same numbers)."""
    cumulative = list(accumulate((p.setback_share_health, p.setback_share_family, p.setback_share_money)))
    mean_of = [setback_weeks_mean(kind, p) for kind in KINDS]
    return [mean_of[pick(u, cumulative)] for u in draws]


def setback_weeks_mean(kind: SetbackKind, p: Params) -> float:
    """The mean length of a setback of ``kind`` (a health setback lasts longer)."""
    return p.setback_weeks_mean * (p.health_setback_length_factor if kind is SetbackKind.HEALTH else 1.0)


def return_chance(on_caseload, ever_supported, continuity_broken, p: Params):
    """``Setbacks.return_chance`` from the flags it reads: one person's, or arrays of many (the register's columns,
    model/setback_rows.py): the same numbers either way."""
    supported = on_caseload | (bool(p.open_door) & ever_supported)
    return where(supported, p.return_prob_supported * (1 - p.continuity_break_penalty * continuity_broken),
                 p.return_prob_unsupported)  # fmt: skip
