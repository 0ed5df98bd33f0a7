"""The natural course as the wellbeing register last read it, row by row: each row's (SWEMWBS, UCLA-3) without any
service and the weeks of the spell they hold for. A spell lasts about a year and most rows are read every week (the
weekly reading), so a row's course is read again only when its spell has ended: the same numbers, since a person's
course is a function of (person, spell) (model/natural_course.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .arrays import grown

if TYPE_CHECKING:
    from .natural_course import NaturalCourse

FEWEST_TO_EXPECT = 8_000  # rows read a week up to which the next week's are told to the course (a speed setting)


class NaturalReadings:
    """Per register row: the natural course's (SWEMWBS, UCLA-3) last read, and the spell [``since``, ``until``) it
    holds for (``until`` 0: never read)."""

    def __init__(self, capacity: int):
        self.sw, self.lo = np.zeros(capacity), np.zeros(capacity)
        self.since = np.zeros(capacity, dtype=np.int32)
        self.until = np.zeros(capacity, dtype=np.int32)
        self._of = None  # the course they were read from (another course starts afresh)
        self._latest = 0  # the latest week read: no spell kept starts after it

    def grow(self, capacity: int) -> None:
        """Room for ``capacity`` rows (a new row: never read)."""
        self.sw, self.lo = grown(self.sw, capacity, 0.0), grown(self.lo, capacity, 0.0)
        self.since, self.until = grown(self.since, capacity, 0), grown(self.until, capacity, 0)

    def read(self, rows: np.ndarray | slice, week: int, course: NaturalCourse,
             person: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """The natural course's (SWEMWBS, UCLA-3) of ``rows`` (an array, or a slice of one step: read as views) at
        ``week`` (``NaturalCourse.scores``), read again only for the rows whose spell last read does not cover
        ``week``; ``person``: the register's column of each row's catchment row."""
        if course is not self._of:
            self._of = course
            self.since[:], self.until[:], self._latest = 0, 0, 0
        ended = self.until[rows] <= week
        if week < self._latest:  # a look back (a test's): a spell kept may start after ``week``
            ended |= self.since[rows] > week
        self._latest = max(self._latest, week)
        stale = rows[ended] if isinstance(rows, np.ndarray) else rows.start + np.flatnonzero(ended)
        if len(stale):
            people = person[stale].astype(np.int64)
            self.sw[stale], self.lo[stale] = course.scores(people, week)
            self.since[stale], self.until[stale] = course.spells(people)
        else:  # the course keeps the latest week read (it decides when a read looks back): all a read of no one does
            course.reached(week)
        if isinstance(rows, slice):  # (copies, as gathering makes: later reads write these columns)
            return self.sw[rows].copy(), self.lo[rows].copy()
        return self.sw[rows], self.lo[rows]

    def expect_next_week(self, read: np.ndarray, also: np.ndarray, week: int, course: NaturalCourse,
                         person: np.ndarray) -> None:  # fmt: skip
        """Tell ``course`` whom of this week's reading's rows ``read`` and the rows ``also`` (next week's cohorts) it
        reads next week after a spell's end (``NaturalCourse.expect``)."""
        if len(read) <= FEWEST_TO_EXPECT:  # (at an ICB the scan costs about what it saves)
            rows = np.concatenate((read, also))
            course.expect(person[rows[self.until[rows] <= week + 1]].astype(np.int64), week + 1)
