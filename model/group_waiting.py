"""A community group's waiting list and the places it holds for unsuitable referrals: who waits, who is admitted as
places come free, who gives up, and when the groups' week must look at a group at all.

The groups' week (model/group_ledger.py) reads a group's waiting list for people whose patience ran out, and ends
its held places that are over; at an ICB about 170 groups a week have someone waiting or a place held, of which
about 30 have anyone to let go or a place to free. So each group keeps, in its row of the ledger (``DUE``), when it
next needs a look: the earliest deadline of those waiting (a lower bound: the exact earliest once the list is
read, lowered by a deadline drawn since, ``patience_ends_at``, and 0.0 once someone joined: their deadline is drawn
just after), and the earliest week a held place ends. A group whose numbers are later than now has nothing to do this week, and is not visited.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .states import Event

if TYPE_CHECKING:
    from .patient import Patient
    from .vcse_group import VCSEGroup


class WaitingList:
    """``VCSEGroup``'s waiting list (``waiting``) and held places (``held_until``), kept with its ledger row."""

    def hold_place(self: VCSEGroup, until_week: int) -> None:
        """An unsuitable referral takes a place until ``until_week``, when it is found not to fit."""
        self.held_until.append(until_week)
        self._counted()
        frees = self._ledger.columns["frees_held_from"]  # (the week the first held place ends: ``DUE``)
        if until_week < frees[self.slot]:
            frees[self.slot] = until_week

    def release_held_places(self: VCSEGroup) -> None:
        week = self.model.week
        if any(until <= week for until in self.held_until):
            self.held_until = [until for until in self.held_until if until > week]
            self._ledger.columns["frees_held_from"][self.slot] = min(self.held_until, default=math.inf)
            self._counted()
            self.admit_from_waiting_list()

    def enforce_places(self: VCSEGroup) -> None:
        """Places can shrink (a volunteer leaves, a grant is spread thinner): the newest members who
        are not volunteers go back to the front of the waiting list until members fit the places."""
        while len(self.members) > self.places:
            newest = next((p for p in reversed(self.members) if p not in self.volunteers), None)
            if newest is None:  # only volunteers left: the newest of them steps back
                newest = next(reversed(self.members))
                del self.volunteers[newest]
            del self.members[newest]
            self.waiting.appendleft(newest)
            self._counted()
            self._ledger.columns["gives_up_from"][self.slot] = 0.0  # (read the list next week: ``DUE``)
            newest.moved_to_waiting_list(self)

    def admit_from_waiting_list(self: VCSEGroup) -> None:
        while self.is_open and self.waiting and self.free_places > 0:
            patient = self.waiting.popleft()
            self._count_waiting()
            patient.start_attending(self, Event.ADMITTED)

    def add_to_waiting_list(self: VCSEGroup, patient: Patient) -> None:
        """``patient`` joins the back of the list (their deadline is drawn just after: the list is read at the next
        look)."""
        self.waiting.append(patient)
        self._count_waiting()
        self._ledger.columns["gives_up_from"][self.slot] = 0.0

    def patience_ends_at(self: VCSEGroup, deadline: float) -> None:
        """Someone on the list gives up at ``deadline`` unless a place comes first (drawn as they join, or drawn
        again while they wait): the list is read by then."""
        gives_up_from = self._ledger.columns["gives_up_from"]
        if deadline < gives_up_from[self.slot]:
            gives_up_from[self.slot] = deadline

    def let_the_impatient_go(self: VCSEGroup, now: float) -> None:
        """Those on the waiting list whose patience ran out by ``now`` give up; the ledger keeps when the next may."""
        deadlines = [patient.gives_up_at for patient in self.waiting]
        if min(deadlines) <= now:
            for patient in [pt for pt, deadline in zip(self.waiting, deadlines) if deadline <= now]:
                patient.give_up_group_wait()
            deadlines = [patient.gives_up_at for patient in self.waiting]  # (whoever is still on it)
        self._ledger.columns["gives_up_from"][self.slot] = min(deadlines, default=math.inf)

    def remove_from_waiting_list(self: VCSEGroup, patient: Patient) -> None:
        self.waiting.remove(patient)  # a person not on the list here is a bug: let it raise
        self._count_waiting()
