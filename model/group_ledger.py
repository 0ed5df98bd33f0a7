"""Every community group's money and head counts as columns, and the groups' week over all of them at once.

Groups stay Mesa agents (DESIGN.md 15); what their week's finances read and write lives here, one row per group ever
opened (its ``slot``), so that the week is one array pass instead of about 1,600 ``VCSEGroup.step`` calls at an ICB.

``VCSEGroup.step`` is one group's week: people whose patience ran out leave its waiting list, then its money moves
(income, running costs, grant places, referred attendees), then it closes if its reserves ran out, or else releases
the places held until this week. The model ran it for every open group in turn, in the order they opened (Mesa's
agent set's order). A group's money moves by its own numbers only, so ``run_groups_week`` works out every group's
finances as arrays, by the same operations in the same order as ``step`` (the same numbers, to the bit), and visits
one by one only the groups with a waiting list or a held place. One group's week reaches another's in one way: a
group that closes has its members and waiting list re-matched, some into groups after it in the order, whose week
then counts them. So the arrays are applied up to the first group that runs out, that group's week runs as
``step``, and the arrays are worked out again for the groups after it. The rest stays within a group: someone giving
up on a waiting list leaves only that list, and a held place, once paid for, goes to the group's own waiting list
(its tariff paid after its own week's money, as before, and in the order of the groups, which a capped tariff's
budget needs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .model import SocialPrescribingModel
    from .vcse_group import VCSEGroup

MONEY = ("reserves", "received", "spent", "commissioner_funding", "income_per_week", "running_cost_per_week",
         "grant_per_week")  # fmt: skip
COUNTS = ("members", "volunteers", "held", "waiting", "base_places")  # base places: ``VCSEGroup.base_places``


class GroupLedger:
    """The columns, by slot: ``MONEY`` (GBP, floats) and ``COUNTS`` (people, held places and a group's own
    places)."""

    def __init__(self, capacity: int = 256):
        self.size = 0
        self.places_changed = 0  # counts changes of a group's base places, grant or volunteers (``Community.places``)
        self.granted = 0  # groups whose grant is not 0 (closed ones too: a closed group keeps its last share)
        self.columns: dict[str, np.ndarray] = {name: np.zeros(capacity) for name in MONEY}
        self.columns.update({name: np.zeros(capacity, dtype=np.int64) for name in COUNTS})

    def add(self) -> int:
        """A new group's slot (everything 0 until it is set)."""
        if self.size == len(self.columns["reserves"]):
            for name, column in self.columns.items():
                self.columns[name] = np.concatenate([column, np.zeros_like(column)])
        self.size += 1
        return self.size - 1

    # a group's places change with its base places, grant and volunteers: written here, and counted as changes
    def set_base_places(self, slot: int, places: int) -> None:
        self.columns["base_places"][slot] = places
        self.places_changed += 1

    def set_grants(self, slots: np.ndarray, per_week: float, was: list[float]) -> None:
        """The groups in ``slots``' grant (``was``: each one's grant until now, for the count of groups holding
        one)."""
        self.granted += len(slots) * bool(per_week) - sum(map(bool, was))
        self.columns["grant_per_week"][slots] = per_week
        self.places_changed += len(slots)

    def grant_places_change(self, slots: np.ndarray, per_week: float, p) -> np.ndarray:
        """Where (places in ``slots``) a grant of ``per_week`` would give a group another number of grant places than
        its grant until now (``VCSEGroup.grant_places``, the same arithmetic; none without a grant)."""
        places = grant_places(np.array([per_week]), p)[0]
        return (grant_places(self.columns["grant_per_week"][slots], p) != places).nonzero()[0]

    def receive(self, slots: np.ndarray, amount: float, from_commissioner: bool = False) -> None:
        """``VCSEGroup.receive`` for each of the groups in ``slots`` (each slot once)."""
        for name in ("reserves", "received", "commissioner_funding") if from_commissioner else ("reserves", "received"):
            self.columns[name][slots] += amount

    def set_volunteers(self, slot: int, count: int) -> None:
        column = self.columns["volunteers"]
        if column[slot] != count:  # (counted with the rest of a group's numbers: a change only if it is one)
            column[slot] = count
            self.places_changed += 1

    def places(self, slots: np.ndarray, p) -> int:
        """``VCSEGroup.places`` summed over the groups in ``slots`` (whole numbers: the float sum is exact)."""
        return int(self.places_each(slots, p).sum())

    def places_each(self, slots: np.ndarray, p) -> np.ndarray:
        """``VCSEGroup.places`` of each group in ``slots``: its own, a grant's and its volunteers' (each rounded down
        as a group does, and added only where there are any)."""
        columns = self.columns
        volunteers = columns["volunteers"][slots]
        places = columns["base_places"][slots] + grant_places(columns["grant_per_week"][slots], p)
        return places + np.where(volunteers > 0, np.floor(p.places_per_volunteer * volunteers + 1e-9), 0.0)


def grant_places(grant: np.ndarray, p) -> np.ndarray:
    """``VCSEGroup.grant_places`` for arrays of grants a week: none without a grant."""
    return np.where(grant != 0, np.floor(grant * 52 / p.grant_cost_per_place_year_gbp + 1e-9), 0.0)


def run_groups_week(model: SocialPrescribingModel, groups: list[VCSEGroup]) -> None:
    """Every one of the open ``groups``' week (``VCSEGroup.step``), in their order (Mesa's agent set's: the order
    they opened, which is the order of their slots)."""
    community = model.community
    in_order, slots = community.open_by_age()
    if groups != in_order:  # (the same agents, compared by identity; never so far): each group's own week, in order
        for group in groups:
            if group.is_open:  # (one may have closed earlier in the week)
                group.step()
        return
    if not groups:
        return
    opened, first = community.opened, int(slots[0])
    while (runs_out := _weeks_until_one_runs_out(model, first)) is not None:
        opened[runs_out].step()  # its reserves ran out: it closes, and its people are re-matched
        first = runs_out + 1


def _weeks_until_one_runs_out(model: SocialPrescribingModel, first: int) -> int | None:
    """The weeks of the open groups from slot ``first`` on, in order, up to the first whose reserves run out, which is
    not run; returns its slot (None: none ran out).

    The ledger's rows from ``first`` on are read as they lie (slices: no gathering of the open groups' rows, half the
    NumPy work), a closed group's too: it has no members, volunteers or held places, and its income, running costs
    and grant are taken as 0.0 this week, so its numbers come out as they were (adding 0.0 changes no number but -0.0,
    and a closed group's reserves are below 0; ``received`` and ``spent`` start at 0.0 and only grow by sums)."""
    p, community = model.p, model.community
    ledger = community.ledger
    columns, rows = ledger.columns, slice(first, ledger.size)
    is_open = community.open_by_slot()[rows]
    members, volunteers = columns["members"][rows], columns["volunteers"][rows]
    held = columns["held"][rows]
    income, running = columns["income_per_week"][rows] * is_open, columns["running_cost_per_week"][rows] * is_open
    if ledger.granted:
        grant_spend, attendee_spend = _grant_and_attendee_spend(p, columns["grant_per_week"][rows] * is_open, members,
                                                                volunteers, held)  # fmt: skip
        reserves = columns["reserves"][rows] + income - running - grant_spend - attendee_spend
    else:  # no group holds a grant: it spends 0.0 on grant places, and taking 0.0 away (or adding it) changes nothing
        grant_spend = None
        attendee_spend = (np.maximum(members - volunteers, 0) + held) * p.cost_per_attendee_week_gbp
        reserves = columns["reserves"][rows] + income - running - attendee_spend
    negative = ((reserves < 0) & is_open).nonzero()[0]  # (the array's method: ``np.flatnonzero``'s Python layers)
    runs_out = int(negative[0]) if len(negative) else len(reserves)
    done = slice(first, first + runs_out)
    columns["reserves"][done] = reserves[:runs_out]
    columns["received"][done] += income[:runs_out]
    spent = columns["spent"][done]  # (a view: added to in place, the same sums in the same order as ``step``'s)
    spent += running[:runs_out]
    if grant_spend is not None:
        spent += grant_spend[:runs_out]
    spent += attendee_spend[:runs_out]
    # then, group by group in order, what stays within each: its waiting list, then the places it held until now
    # (counts, never below 0, and 0 in a closed group's row: a sum is 0 only where both are)
    now, opened = model.time, community.opened
    for i in (columns["waiting"][done] + held[:runs_out]).nonzero()[0].tolist():
        group = opened[first + i]
        if group.waiting:
            for patient in [pt for pt in group.waiting if pt.gives_up_at <= now]:
                patient.give_up_group_wait()
        if group.held_until:
            group.release_held_places()
    return first + runs_out if runs_out < len(reserves) else None


def _grant_and_attendee_spend(p, grant: np.ndarray, members: np.ndarray, volunteers: np.ndarray,
                              held: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """``VCSEGroup.step``'s spending on grant places and on referred attendees, for arrays: a group without a grant
    has no grant places and spends 0.0 on them; a count times a float, as Python multiplies an int by a float."""
    funded = grant != 0
    places = grant_places(grant, p)
    grant_spend = np.where(funded, np.minimum(places * p.grant_cost_per_place_year_gbp / 52, grant), 0.0)
    referred_on_own_places = np.maximum(members - volunteers - places, 0)
    return grant_spend, (referred_on_own_places + held) * p.cost_per_attendee_week_gbp
