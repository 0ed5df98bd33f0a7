"""The community groups of the catchment as a whole: which exist, new ones being founded, capacity grants
and the per-referral tariff paid to them, and closures (Dayson 2020 and Cooper 2024 on funding; NCVO
almanac for the size of groups)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from . import costing, matching
from .activities import catalogue
from .community_readings import CommunityReadings
from .group_ledger import GroupLedger
from .group_table import TRAITS, GroupTable
from .vcse_group import VCSEGroup

if TYPE_CHECKING:
    from .model import SocialPrescribingModel


class Community(CommunityReadings):
    """The groups of the catchment, as a whole (the readings of them: ``CommunityReadings``)."""

    def __init__(self, model: SocialPrescribingModel):
        self.model = model
        self.by_activity: list[list[VCSEGroup]] = [[] for _ in catalogue()]
        self.closed_groups: list[VCSEGroup] = []  # kept for their accounts
        self.ledger = GroupLedger()  # every group's money and head counts, as columns (model/group_ledger.py)
        self.opened: list[VCSEGroup] = []  # every group ever opened, in order (model/matching.py reads the newest)
        self._is_open = bytearray()  # 1 for each of them still open (a group never opens again)
        self._traits: dict[str, list] = {name: [] for name in TRAITS}  # theirs, for the group table (never change)
        self._trait_columns: dict[str, np.ndarray] | None = None  # the same as arrays, once the table is made
        self._table: GroupTable | None = None  # the open groups as arrays (``table``)
        self._table_slots: np.ndarray | None = None  # their slots of the ledger, by row of the table
        self._table_opened = 0  # how many groups had opened when it was made
        self._table_places: tuple[tuple, np.ndarray] | None = None  # the places of its groups (``place_free``)
        self._open: list[VCSEGroup] | None = None  # the open groups, rebuilt only when one opens or closes
        self._open_slots: np.ndarray | None = None  # their rows of the ledger (``places``), the same
        self._by_age: list[VCSEGroup] = []  # the open groups in the order they opened, with ``_open_slots``
        self._places: tuple[tuple, int] | None = None  # the places in them, and what they were summed at (``places``)
        self.tariff_allowance = math.inf  # what a capped tariff may still pay (policies.ReferralTariff)
        listed = model.layout.groups if model.layout is not None else ()
        draws = model.streams["groups"].generator
        for spec in listed:  # the place file's own list of groups (their margins are not published: drawn)
            margin = float(draws.normal(model.p.group_margin_mean, model.p.group_margin_sd))
            self.add_group(spec.activity, x=spec.x_km, y=spec.y_km, base_places=spec.places, charges=spec.charges,
                           income_per_year=spec.income_gbp_year, reserves=spec.reserves_gbp, margin=margin)
        for _ in range(0 if listed else round(model.p.groups_per_100k * model.per_100k)):
            self.new_group()
        self._schedule_founding()

    # ------------------------------------------------------------------ which groups exist
    def groups(self) -> list[VCSEGroup]:
        """The open groups, by activity then age (a copy: callers may close groups while going through it)."""
        return list(self._open_groups())

    def _open_groups(self) -> list[VCSEGroup]:
        """``groups`` itself, not a copy: for readings that close nothing."""
        if self._open is None:
            self._open = [g for per_activity in self.by_activity for g in per_activity]
        return self._open

    def table(self) -> GroupTable:
        """The open groups as arrays and a grid of cells the size of a typical reach, for matching; rebuilt only
        when one opens (a group that closes stays in it, closed, until then: matching skips it)."""
        if self._table is None or self._table_opened != len(self.opened):
            # the open groups in the order they opened, which is their age order (Mesa's ids rise): the table's rows;
            # the earlier table's rows still open come first, so its lists are reused (``GroupTable._lists_after``)
            if self._trait_columns is None:
                self._trait_columns = {name: np.array(values) for name, values in self._traits.items()}
            earlier = self._table
            kept = None if earlier is None else self.open_by_slot().take(self._table_slots)
            # (``open_by_age``'s list and slots are replaced, never changed, as groups open and close: the table's own)
            in_order, self._table_slots = self.open_by_age()
            self._table = GroupTable(in_order, cell_km=self.model.p.reach_km_mean,
                                     traits={name: column.take(self._table_slots)
                                             for name, column in self._trait_columns.items()},
                                     earlier=earlier, kept=kept)  # fmt: skip
            self._table_opened = len(self.opened)
        return self._table

    @property
    def groups_closed(self) -> int:
        return len(self.closed_groups)

    def new_group(self) -> VCSEGroup:
        """A group drawn from the catchment's mix: activity, place, size, income and reserves."""
        p = self.model.p
        stream = self.model.streams["groups"]
        layout = self.model.layout
        mix = (layout.activity_weights if layout is not None else None) or [a.supply for a in catalogue()]
        activity_index = stream.pick(np.cumsum(mix).tolist())
        side = self.model.catchment.side_km
        # lognormal income with the given mean: most groups are small, a few large
        sigma = p.group_income_log_sd
        income = float(stream.generator.lognormal(math.log(p.group_income_mean_gbp) - sigma**2 / 2, sigma))
        reserves = stream.exponential(p.group_reserve_months_mean) * income / 12
        # the default place: anywhere on its square; a place file's: where its people live
        if layout is None:
            x, y = stream.random() * side, stream.random() * side
        else:
            x, y = layout.group_location(stream.random)
        return self.add_group(
            activity_index,
            x=x,
            y=y,
            # bigger groups (more income) have more places: capacity and money scale together
            base_places=1 + int(stream.generator.poisson(max(p.group_places_mean - 1, 0) * income / p.group_income_mean_gbp)),
            charges=stream.chance(p.paid_group_share),
            income_per_year=income,
            margin=float(stream.generator.normal(p.group_margin_mean, p.group_margin_sd)),
            reserves=reserves,
        )

    def add_group(self, activity: int, **traits: Any) -> VCSEGroup:
        """A new open community group (``activity``: index in the activity catalogue; ``traits``: the
        VCSEGroup's x, y, base_places, charges, income_per_year, margin, reserves)."""
        group = VCSEGroup(self.model, self.ledger, activity=catalogue()[activity], **traits)
        self.by_activity[activity].append(group)
        self.opened.append(group)  # at its slot of the ledger: every group's slot is taken here, in this order
        self._is_open.append(1)
        traits = {name: getattr(group, name) for name in TRAITS}
        for name, values in self._traits.items():
            values.append(traits[name])
        if self._trait_columns is not None:  # one longer (making them again from the lists costs ten times more)
            columns = self._trait_columns
            self._trait_columns = {name: np.append(column, traits[name]) for name, column in columns.items()}
        self._open = None  # (the group table is made again when next read: ``_table_opened``)
        if self._open_slots is not None:  # the youngest: last in age order
            self._open_slots = np.append(self._open_slots, group.slot)
            self._by_age = [*self._by_age, group]
            self._places = None
        return group

    def _schedule_founding(self) -> None:
        rate = self.model.p.new_groups_per_100k_year * self.model.per_100k / 52
        if rate > 0:
            self.model.due_in(self.model.streams["groups"].weeks_until(1 / rate), self.found_group)

    def found_group(self) -> None:
        self.new_group()
        self._schedule_founding()

    # ------------------------------------------------------------------ money
    def distribute_grants(self) -> None:
        """This week's capacity grants, shared equally between open groups (none when the pot is 0).

        Group by group (by activity, then age) each group's share is set and paid, then its places enforced and its
        waiting list admitted. Setting and paying a share moves only that group's numbers, so it is done for every
        group at once (the commissioner's total summed in the same order); enforcing places and admitting touch
        only the group's own members and list (and a capped tariff's budget, in order), so only the groups where
        they can do anything are visited, in the same order."""
        model = self.model
        pot = costing.grants_cost_year(model.p.vcse_grant_per_100k_year_gbp, model.p.population) / 52
        if pot == 0.0 and not self.ledger.granted:
            return  # no grants, and no group holds one to take back (the usual week: nothing below would happen)
        open_groups = self._open_groups()
        share = pot / len(open_groups) if open_groups else 0.0
        granted = open_groups if share != 0.0 else [group for group in open_groups if group.grant_per_week != 0.0]
        if not granted:
            return
        slots = np.fromiter([group.slot for group in granted], dtype=np.int64, count=len(granted))
        recount = self.ledger.grant_places_change(slots, share, model.p)  # (read before the share is set)
        self.ledger.set_grants(slots, share, was=[group.grant_per_week for group in granted])
        for group in granted:
            group.grant_per_week = share
        for i in recount.tolist():  # a grant's places changed: so did the group's free places
            granted[i].count_places()
        if share > 0:
            self.ledger.receive(slots, share, from_commissioner=True)
            paid = model.ledger.grants_paid
            for _ in granted:  # one share at a time, as paid (a product would round differently)
                paid += share
            model.ledger.grants_paid = paid
        # where enforcing places or admitting can do anything: more members than a group's own and grant places (the
        # same grant places for all; volunteers' places aside, so a few too many are looked at), or a waiting list
        columns = self.ledger.columns
        over = columns["members"][slots] > columns["base_places"][slots] + granted[0].grant_places
        over |= columns["waiting"][slots] > 0
        for i in over.nonzero()[0].tolist():
            group = granted[i]
            group.enforce_places()
            group.admit_from_waiting_list()

    def parameters_changed(self) -> None:
        """The parameters changed (``update_parameters``): grant and volunteer places are worked out from them."""
        for group in self.opened:
            group.count_places()

    def pay_tariff(self, group: VCSEGroup) -> None:
        """Funding follows the referral: the receiving group is paid when a referred person starts, while the
        tariff's budget allows (``tariff_allowance``: what a capped tariff may still pay; unlimited without a cap)."""
        self.model.ledger.tariff_starts += 1
        amount = self.model.p.referral_tariff_gbp
        if amount > 0 and amount <= self.tariff_allowance:
            self.tariff_allowance -= amount
            group.receive(amount, from_commissioner=True)
            self.model.ledger.tariffs_paid += amount

    def close_group(self, group: VCSEGroup) -> None:
        """A group whose reserves ran out closes; its members and waiting list are re-matched."""
        displaced = group.close()
        group.closed_week = self.model.week
        self.by_activity[group.activity_index].remove(group)
        self._is_open[group.slot] = 0  # (its slot is its place in ``opened``: no search of every group ever opened)
        self._open = None  # (the group table keeps it until one opens: half its rebuilds)
        if self._open_slots is not None:  # taken out of the lists in age order (new ones: quicker than made again)
            place = int(self._open_slots.searchsorted(group.slot))
            self._open_slots = np.concatenate((self._open_slots[:place], self._open_slots[place + 1 :]))
            self._by_age = self._by_age[:place] + self._by_age[place + 1 :]
            self._places = None
        self.closed_groups.append(group)
        group.remove()
        found = matching.groups_in_reach_of(displaced, self.model)  # all at once, as a week's assessments
        for patient in displaced:
            patient.group_closed(found.get(patient))
