"""The week's group members as register rows, in the order they joined (DESIGN.md 15): what a week of attendance
(model/attendance.py) runs over, kept from week to week instead of read from the members' dict each week.

``model.attending`` (register row -> Patient) is the membership; its order, the order people last joined a group,
is the order in which the week's changes happen (a volunteer protects the members who come after them). Listing
the dict each week touched every member's row number, an object of its own scattered over the heap: about 0.4 ms
a week at an Integrated Care Board's 5,000 members, most of it waiting for memory. Here last week's members are an
array already; the people who joined since are noted as they join (``joined``), and each week's reading keeps the
rows still in a group by the register's state column, the newest joining of anyone who joined twice counting.
"""

from __future__ import annotations

import numpy as np

from .arrays import code_table
from .states import IN_GROUP

IN_A_GROUP = code_table(IN_GROUP)  # whether a state code is a group member's


class MemberRows:
    """Group members' register rows in the order they joined, read once a week (``now``)."""

    def __init__(self) -> None:
        self._rows = np.zeros(0, dtype=np.int64)  # the members at the last reading, in the order they joined
        self._joined: dict[int, None] = {}  # rows that joined since, in order (joining again moves a row to the end)
        self._marks = np.zeros(0, dtype=bool)  # all False between readings: marks the rows that joined since

    def joined(self, row: int) -> None:
        """Someone who was not a group member has joined one (``model.attending`` has put their row at its end)."""
        joined = self._joined
        if row in joined:  # (joined, left and joined again since the last reading: the last joining counts)
            del joined[row]
        joined[row] = None

    def now(self, state: np.ndarray) -> np.ndarray:
        """The rows of everyone in a group now (the register's ``state`` column says who is), in the order they
        joined: ``np.fromiter(model.attending)``'s rows, in its order."""
        rows = self._rows
        if self._joined:
            new = np.fromiter(self._joined, dtype=np.int64, count=len(self._joined))
            self._joined.clear()
            if len(self._marks) < len(state):  # (the register grew)
                self._marks = np.zeros(len(state), dtype=bool)
            marks = self._marks
            marks[new] = True
            rows = np.concatenate((rows[~marks[rows]], new))  # a member who joined again: at their newest place
            marks[new] = False
        rows = rows[IN_A_GROUP[state[rows]]]
        self._rows = rows
        return rows
