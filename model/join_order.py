"""Group members' register rows in the order they joined, as an array (``SocialPrescribingModel.attending``'s keys).

Every group member's week starts from their rows in that order (``attend_the_week``); reading them from the dict
each week costs a Python int per member (about 1 ms a week at an ICB's tens of thousands of members). So each
joining is written here as it happens: a log of rows in the order they joined, and each row's place in it (-1 when
not a member). A member's row is the one at its own place; one who left, or left and came back later (then at a
later place, as a dict puts a key added again at its end), is skipped. The log is compacted when it fills.
"""

from __future__ import annotations

import numpy as np


class JoinOrder:
    """The order group members joined in, kept alongside ``SocialPrescribingModel.attending``."""

    def __init__(self, capacity: int = 1024):
        self._log = np.empty(capacity, dtype=np.int64)  # rows as they joined (some since left)
        self._length = 0
        self._place = np.full(capacity, -1, dtype=np.int64)  # by row: its place in the log, -1 when not a member

    def joined(self, row: int) -> None:
        """``row`` (not a member) joined a group."""
        if self._length == len(self._log) or row >= len(self._place):
            self.joined_many(np.array([row], dtype=np.int64))
            return
        self._log[self._length] = row
        self._place[row] = self._length
        self._length += 1

    def joined_many(self, rows: np.ndarray) -> None:
        """``rows`` (none of them members, each once) joined, in this order."""
        if self._length + len(rows) > len(self._log):
            self._make_room(len(rows))
        if len(rows) and rows.max() >= len(self._place):
            self._place = np.concatenate([self._place, np.full(max(int(rows.max()) + 1, 2 * len(self._place))
                                                               - len(self._place), -1, dtype=np.int64)])
        end = self._length + len(rows)
        self._log[self._length:end] = rows
        self._place[rows] = np.arange(self._length, end)
        self._length = end

    def left(self, row: int) -> None:
        self._place[row] = -1

    def rows(self) -> np.ndarray:
        """The members' rows, in the order they joined."""
        log = self._log[: self._length]
        return log[self._place[log] == np.arange(self._length)]

    def _make_room(self, more: int) -> None:
        members = self.rows()
        if len(members) + more > len(self._log) // 2:  # mostly members: a longer log
            self._log = np.empty(2 * (len(members) + more), dtype=np.int64)
        self._log[: len(members)] = members
        self._place[members] = np.arange(len(members))
        self._length = len(members)
