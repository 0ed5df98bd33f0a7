"""Community (VCSE) groups: the places people are referred to, and whether they survive."""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

import mesa

from .activities import Activity, catalogue
from .states import Event

if TYPE_CHECKING:
    from .group_ledger import GroupLedger
    from .model import SocialPrescribingModel
    from .patient import Patient


def _in_ledger(name: str) -> property:
    """A group's number kept in its row of the groups' ledger (model/group_ledger.py), read and set as an attribute."""

    def get(self: VCSEGroup) -> float:
        return float(self._ledger.columns[name][self.slot])

    def put(self: VCSEGroup, value: float) -> None:
        self._ledger.columns[name][self.slot] = value

    return property(get, put)


class VCSEGroup(mesa.Agent):
    """A voluntary, community or social enterprise group running one weekly activity.

    Places: the weekly places it has for referred people, plus places bought by capacity grants and
    places that volunteers add. Full groups keep a waiting list. Money: core income and running
    costs balance roughly; each referred attendee costs a little more, which only a tariff or grant
    covers (Dayson 2020; Cooper 2024). When reserves run out the group closes.
    """

    model: SocialPrescribingModel

    # its money, in its row of the groups' ledger, where a week's finances are worked out for every group at once
    reserves = _in_ledger("reserves")
    received = _in_ledger("received")
    spent = _in_ledger("spent")
    commissioner_funding = _in_ledger("commissioner_funding")  # the part of ``received`` paid by the commissioner
    income_per_week = _in_ledger("income_per_week")
    running_cost_per_week = _in_ledger("running_cost_per_week")
    grant_per_week = 0.0  # a capacity grant's share (``Community.distribute_grants``: also in the ledger; an attribute
    # too, as matching reads it very often)

    def __init__(
        self,
        model: SocialPrescribingModel,
        ledger: GroupLedger,
        activity: Activity,
        x: float,
        y: float,
        base_places: int,
        charges: bool,
        income_per_year: float,
        margin: float,
        reserves: float,
    ):
        super().__init__(model)
        self._ledger = ledger
        self.slot = ledger.add()  # its row of the ledger
        self.activity = activity
        self.activity_index = catalogue().index(activity)  # its place in the catalogue (a register column)
        self.x, self.y = x, y
        self.charges = charges
        self.income_per_week = income_per_year / 52
        # Running costs such that the group runs a surplus (margin > 0) or a deficit before referrals.
        self.running_cost_per_week = income_per_year * (1 - margin) / 52
        self.reserves = reserves
        self.opening_reserves = reserves
        self.is_open = True
        self.closed_week: int | None = None
        self.members: dict[Patient, None] = {}  # ordered: deterministic iteration
        self.volunteers: dict[Patient, None] = {}
        self.waiting: deque[Patient] = deque()
        self.held_until: list[int] = []  # places held by unsuitable referrals passed on, until these weeks
        self.base_places = base_places  # (also in its row of the ledger, for ``Community.places``; counts free places)
        # grant, received, spent and the commissioner's part start at 0 (reserves = opening + received - spent)

    def _counted(self) -> None:
        """Its members, volunteers, held places or waiting list changed: the ledger counts them (the week's costs),
        and its places and free places are counted again."""
        columns, slot = self._ledger.columns, self.slot
        columns["members"][slot] = len(self.members)
        self._ledger.set_volunteers(slot, len(self.volunteers))
        columns["held"][slot] = len(self.held_until)
        columns["waiting"][slot] = len(self.waiting)
        self.count_places()

    # every change of a count is counted at once, so a change of one writes only that one (many times a week)
    def _count_members(self) -> None:
        self._ledger.columns["members"][self.slot] = len(self.members)
        free = self._places - len(self.members) - len(self.held_until)
        self.free_places = free if free > 0 else 0

    def _count_waiting(self) -> None:
        self._ledger.columns["waiting"][self.slot] = len(self.waiting)

    # ------------------------------------------------------------ places
    @property
    def base_places(self) -> int:
        """Its own weekly places for referred people (kept as an attribute too: read at every match)."""
        return self._base_places

    @base_places.setter
    def base_places(self, places: int) -> None:
        self._base_places = places
        self._ledger.set_base_places(self.slot, places)
        self.count_places()

    @property
    def grant_places(self) -> int:
        if not self.grant_per_week:  # most groups, most weeks (read very often: matching, finances, readings)
            return 0
        return math.floor(self.grant_per_week * 52 / self.model.p.grant_cost_per_place_year_gbp + 1e-9)

    @property
    def places(self) -> int:
        places = self._base_places
        if self.grant_per_week:  # most groups have no grant (read very often: ``grant_places`` would give 0)
            places += self.grant_places
        if self.volunteers:
            places += math.floor(self.model.p.places_per_volunteer * len(self.volunteers) + 1e-9)
        return places

    def count_places(self) -> None:
        """Its places changed (its own places, a grant, its volunteers or the parameters), or those taken: counted
        again, and ``free_places`` with them."""
        self._places = self.places
        free = self._places - len(self.members) - len(self.held_until)
        # ``places`` less those taken (never below 0), read at almost every match and admission: kept as a number,
        # counted again at each change (made in this class, but for a grant's share and the parameters: ``Community``)
        self.free_places = free if free > 0 else 0

    def hold_place(self, until_week: int) -> None:
        """An unsuitable referral takes a place until ``until_week``, when it is found not to fit."""
        self.held_until.append(until_week)
        self._counted()

    def release_held_places(self) -> None:
        week = self.model.week
        if any(until <= week for until in self.held_until):
            self.held_until = [until for until in self.held_until if until > week]
            self._counted()
            self.admit_from_waiting_list()

    def join(self, patient: Patient) -> None:
        self.members[patient] = None
        self._count_members()

    def add_volunteer(self, patient: Patient) -> None:
        """A member becomes (or comes back as) a volunteer: they add places."""
        self.volunteers[patient] = None
        self._counted()

    def leave(self, patient: Patient) -> None:
        """A member leaves: their place goes to the next person on the waiting list who still wants it."""
        self.members.pop(patient, None)
        if patient in self.volunteers:  # the places this volunteer added go with them
            del self.volunteers[patient]
            self._counted()
            self.enforce_places()
        self._count_members()
        if self.waiting:  # (most groups have no waiting list)
            self.admit_from_waiting_list()

    def enforce_places(self) -> None:
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
            newest.moved_to_waiting_list(self)

    def admit_from_waiting_list(self) -> None:
        while self.is_open and self.waiting and self.free_places > 0:
            patient = self.waiting.popleft()
            self._count_waiting()
            patient.start_attending(self, Event.ADMITTED)

    def add_to_waiting_list(self, patient: Patient) -> None:
        self.waiting.append(patient)
        self._count_waiting()

    def remove_from_waiting_list(self, patient: Patient) -> None:
        self.waiting.remove(patient)  # a person not on the list here is a bug: let it raise
        self._count_waiting()

    # ------------------------------------------------------------ money
    def receive(self, amount: float, from_commissioner: bool = False) -> None:
        # in its row of the ledger itself (a tariff is paid at every start): the same sums as through its attributes
        columns, slot = self._ledger.columns, self.slot
        columns["reserves"][slot] += amount
        columns["received"][slot] += amount
        if from_commissioner:
            columns["commissioner_funding"][slot] += amount

    def step(self) -> None:
        """One week: people whose patience ran out leave the waiting list; then the finances."""
        if self.waiting:
            now = self.model.time
            for patient in [pt for pt in self.waiting if pt.gives_up_at <= now]:
                patient.give_up_group_wait()
        p = self.model.p
        # Grant-funded places are paid for by the grant itself; referred attendees on the group's
        # own places are an unfunded load unless a tariff covered them when they started. Most groups have no
        # grant (every group, every week: the arithmetic is skipped, not changed: taking 0.0 away is exact)
        if self.grant_per_week:
            grant_places = self.grant_places
            grant_spend = min(grant_places * p.grant_cost_per_place_year_gbp / 52, self.grant_per_week)
        else:
            grant_places, grant_spend = 0, 0.0
        # volunteers give their time rather than cost it
        referred_on_own_places = max(len(self.members) - len(self.volunteers) - grant_places, 0)
        held = self.held_until
        attendee_spend = (referred_on_own_places + len(held)) * p.cost_per_attendee_week_gbp
        # income, then running costs, grant places and attendees: ``receive`` and ``spend`` in that order, written
        # out, the sums in the same order
        income, running = self.income_per_week, self.running_cost_per_week
        self.reserves = self.reserves + income - running - grant_spend - attendee_spend
        self.received += income
        self.spent = self.spent + running + grant_spend + attendee_spend
        if self.reserves < 0:
            self.model.community.close_group(self)
        elif held:  # after this week's costs: a place held until week w is paid for through w
            self.release_held_places()

    def close(self) -> list[Patient]:
        """Close the group; return its members and waiting list, who must be re-matched."""
        self.is_open = False
        displaced = [*self.members, *self.waiting]
        self.members.clear()
        self.volunteers.clear()
        self.waiting.clear()
        self.held_until.clear()
        self._counted()
        return displaced
