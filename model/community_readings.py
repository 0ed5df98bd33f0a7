"""Readings of the community's groups as a whole (how many wait, are open, their places, where a place is free),
from the groups' ledger: read every week for the weekly series and by matching, so each is kept between calls
until what it is worked out from changes."""

from __future__ import annotations

from itertools import compress
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Callable

    from .group_ledger import GroupLedger
    from .group_table import GroupTable
    from .model import SocialPrescribingModel
    from .vcse_group import VCSEGroup


class CommunityReadings:
    """What ``Community`` is read for; the state it reads is ``Community``'s own (set up in its ``__init__``)."""

    model: SocialPrescribingModel
    ledger: GroupLedger
    opened: list[VCSEGroup]
    closed_groups: list[VCSEGroup]
    _is_open: bytearray
    _open_slots: np.ndarray | None
    _by_age: list[VCSEGroup]
    _places: tuple[tuple, int] | None
    _table_slots: np.ndarray | None
    _table_places: tuple[tuple, np.ndarray] | None
    table: Callable[[], GroupTable]  # (``Community.table``: the open groups as arrays, for matching)

    # read every week for the weekly series (a reading per group, without a generator's frame for each)
    def waiting(self) -> int:
        """People on groups' waiting lists (the ledger counts them; a closed group's list is empty)."""
        return int(self.ledger.columns["waiting"][: self.ledger.size].sum())

    def open_slots(self) -> np.ndarray:
        """The open groups' rows of the ledger, in the order they opened (``open_by_age``)."""
        return self.open_by_age()[1]

    def open_by_age(self) -> tuple[list[VCSEGroup], np.ndarray]:
        """The open groups in the order they opened, and their rows of the ledger (made once, then kept up to date as
        groups open and close: new objects each time, so a caller's are never changed under it)."""
        if self._open_slots is None:  # a group's slot is its place in ``opened``
            self._open_slots = np.flatnonzero(self.open_by_slot())
            self._by_age = list(compress(self.opened, self._is_open))
            self._places = None
        return self._by_age, self._open_slots

    def open_by_slot(self) -> np.ndarray:
        """Whether each group ever opened (by slot) is open now (a copy: the community's own grows as groups open)."""
        return np.frombuffer(bytes(self._is_open), dtype=bool)

    def open_count(self) -> int:
        """How many groups are open (every group ever opened, less those closed)."""
        return len(self.opened) - len(self.closed_groups)

    def places(self) -> int:
        """Places in the open groups (their rows of the ledger), summed again only when a group opened or closed, or
        one's base places, grant or volunteers changed (``GroupLedger.places_changed``), or the parameters did."""
        slots = self.open_slots()
        key = (self.ledger.places_changed, self.model.p)
        if self._places is None or self._places[0] != key:
            self._places = (key, self.ledger.places(slots, self.model.p))
        return self._places[1]

    def place_free(self) -> np.ndarray:
        """Whether each group of the group table (by row) is open with a place free now (``VCSEGroup.free_places``
        by the ledger's counts): where a week's seekers will stop reading their groups in reach
        (``matching._in_parts``). Its places (its own, a grant's and its volunteers', each rounded down as a group
        does; none once closed) are worked out again only when the table, a group's places, the open groups or the
        parameters changed (as ``places``)."""
        table, columns, p = self.table(), self.ledger.columns, self.model.p
        key = (table, self.ledger.places_changed, len(self.closed_groups), p)
        if self._table_places is None or self._table_places[0] != key:
            slots = self._table_slots
            places = self.ledger.places_each(slots, p) * self.open_by_slot().take(slots)
            self._table_places = key, places
        slots = self._table_slots
        return self._table_places[1] > columns["members"].take(slots) + columns["held"].take(slots)
