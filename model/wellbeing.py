"""The wellbeing register: for every referral, what is needed to read SWEMWBS and UCLA-3 at any week, as
NumPy columns, so that the weekly mean over everyone within follow-up and the trajectories since referral
are read for thousands of people at once instead of person by person.

Row i is the i-th referral of the run (``Patient.slot``); rows of one referral week are consecutive.
A person's ``Mechanisms`` are a view onto their row: the three levels, what is kept of each for good, when
attendance paused, sessions attended and the job-search exposure built, all live here, so a week's attendance
is built for every group member at once (model/attendance.py) and the scores read for one person
(``Patient.outcomes_at``) or thousands are the same formulas (model/mechanisms.py) on the same numbers.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .arrays import grown
from .natural_readings import NaturalReadings
from .register_columns import COLUMNS, NOT_YET_ROWS, STATE_KEYS, STATE_ROWS
from .scores_with_service import with_service
from .streams import PURPOSES, PersonalDraws
from .week_reading import Reading, stretch

if TYPE_CHECKING:
    from .natural_course import NaturalCourse
    from .parameters import Params

NO_ONE = np.zeros(0, dtype=np.int64)


class WellbeingRegister:
    def __init__(self, capacity: int = 1024):
        self.size = 0
        self._block = np.zeros((len(COLUMNS), capacity))
        self._block[NOT_YET_ROWS] = math.inf  # not paused, no support yet: nothing fades
        self._cols: dict[str, np.ndarray] = {}
        self.open = np.zeros(capacity, dtype=bool)  # record not yet closed
        self.took_up = np.zeros(capacity, dtype=bool)
        # a link worker ever took them on; a link worker left without a colleague keeping their continuity
        # (``Patient.ever_supported`` and ``continuity_broken`` view these: the stages over rows read them as arrays);
        # on a link worker's caseload now (``Patient.link_worker`` is not None: written where it is set)
        self.ever_supported = np.zeros(capacity, dtype=bool)
        self.on_caseload = np.zeros(capacity, dtype=bool)
        self.continuity_broken = np.zeros(capacity, dtype=bool)
        self.state = np.full(capacity, -1, dtype=np.int8)  # PathwayState (-1: not yet in the pathway)
        self.key = np.zeros(capacity, dtype=np.uint64)  # the episode's key for its own random numbers
        self.activity = np.zeros(capacity, dtype=np.int8)  # the activity (catalogue place) of the group last joined
        # per purpose, how many of the episode's draws for it were taken (Patient.draw; model/setback_rows.py)
        self.draws = {purpose: np.zeros(capacity, dtype=np.int32) for purpose in PURPOSES}
        self._natural = NaturalReadings(capacity)  # the natural course last read for each row, kept for its spell
        self._first_open = 0
        self._reading: Reading | None = None  # the week's reading: see week_reading
        self._name_columns()
        self.columns = self._cols  # by name, for code that chooses columns (the mechanisms)

    def __setstate__(self, state: dict) -> None:
        """A copy (``copy.deepcopy``, pickle) copies the block and each column apart: view the copied block again."""
        self.__dict__.update(state)
        self._name_columns()

    def _name_columns(self) -> None:
        """Each column as its row of the block, by name and as an attribute (the dict kept: ``columns`` is it)."""
        for name, column in zip(COLUMNS, self._block, strict=True):
            self._cols[name] = column
            setattr(self, name, column)

    def enrol(self, referred_week: int, person: int, swemwbs0: float, ucla0: float, half_life: float,
              gain_scale: float = 1.0) -> int:  # fmt: skip
        """A new referral's row."""
        if self.size == len(self.open):
            self._grow()
        i = self.size
        self.size += 1
        self.referred_week[i] = referred_week
        self.person[i] = person
        self.swemwbs0[i] = swemwbs0
        self.ucla0[i] = ucla0
        self.half_life[i] = half_life
        self.gain_scale[i] = gain_scale
        self.open[i] = True
        return i

    def enrol_many(self, referred_week: int, people: np.ndarray, swemwbs0: np.ndarray, ucla0: np.ndarray,
                   half_life: float, gain_scale: np.ndarray, keys: np.ndarray) -> int:  # fmt: skip
        """A week's referrals' rows at once (consecutive, in order): the first one's."""
        while self.size + len(people) > len(self.open):
            self._grow()
        rows = slice(self.size, self.size + len(people))
        self.size = rows.stop
        self.referred_week[rows] = referred_week
        self.person[rows] = people
        self.swemwbs0[rows] = swemwbs0
        self.ucla0[rows] = ucla0
        self.half_life[rows] = half_life
        self.gain_scale[rows] = gain_scale
        self.key[rows] = keys
        self.open[rows] = True
        return rows.start

    def _grow(self) -> None:
        capacity = 2 * len(self.open)
        block, self._block = self._block, np.zeros((len(COLUMNS), capacity))
        self._block[:, : block.shape[1]] = block
        self._block[NOT_YET_ROWS, block.shape[1] :] = math.inf
        self._name_columns()
        # the other columns grow with their own dtype, filled with what a row that is not in use holds
        fills = {"open": False, "took_up": False, "ever_supported": False, "on_caseload": False,
                 "continuity_broken": False, "state": -1, "key": 0, "activity": 0}  # fmt: skip
        for name, fill in fills.items():
            setattr(self, name, grown(getattr(self, name), capacity, fill))
        self._natural.grow(capacity)
        for purpose, counts in self.draws.items():
            self.draws[purpose] = grown(counts, capacity, 0)

    def close(self, i: int) -> None:
        self.close_many(np.array([i]))

    def close_many(self, rows: np.ndarray) -> None:
        self.open[rows] = False
        self._reading = None

    def support_begins(self, i: int, week: float) -> None:
        self.support_from[i] = min(self.support_from[i], week)
        self.support_until[i] = math.inf

    def support_ends(self, i: int, week: float) -> None:
        if self.support_until[i] == math.inf:
            self.support_until[i] = week

    def support_ends_many(self, rows: np.ndarray, week: int) -> None:
        """``support_ends`` for many rows at once."""
        until = self.support_until[rows]
        self.support_until[rows] = np.where(until == math.inf, week, until)

    def next_draws(self, rows: np.ndarray, purpose: str) -> np.ndarray:
        """``Patient.draw(purpose)`` for many rows at once: each row's next draw for ``purpose``."""
        counters = self.draws[purpose]
        if len(rows) <= 1:  # most calls at a small place: none or one, in plain numbers (the same draw)
            return self._next_draw(rows, counters, PURPOSES[purpose])
        n = counters[rows]
        counters[rows] = n + 1
        return PersonalDraws.uniforms(self.key[rows], PURPOSES[purpose], n)

    def _next_draw(self, rows: np.ndarray, counters: np.ndarray, purpose: int) -> np.ndarray:
        """``next_draws`` for no row or one (``PersonalDraws.uniform``: the same integer hash, and the same float)."""
        if not len(rows):
            return np.zeros(0)
        n = counters.item(row := int(rows[0]))
        counters[row] = n + 1
        return np.array([PersonalDraws.uniform(self.key.item(row), purpose, n)])

    def _first_open_row(self) -> int:
        """The first row whose record is open (``size`` if none is)."""
        if self._first_open < self.size and not self.open[self._first_open]:
            # found at once (a week's records close together: one step at a time took a microsecond a row each week)
            after = self.open[self._first_open : self.size]
            first = int(after.argmax())  # (the first open one, or 0 if none is)
            self._first_open += first if after[first] else len(after)
        return self._first_open

    def open_scores(self, week: int, course: NaturalCourse, p: Params) -> tuple[np.ndarray, ...]:
        """Everyone within follow-up at the end of ``week``: true (SWEMWBS, UCLA-3) and at referral, for the weekly
        means. Taken from the week's reading (``week_reading``) if one was made since the last referral arrived or
        record closed, else read now. Records close a referral week at a time, in order, so everyone within
        follow-up is usually the last stretch of rows, held whole by the reading: then its values are read as views
        (the same numbers as gathered), not gathered by a mask."""
        if self._reading is None or self._reading.key[:2] != (week, self.size):
            self.week_reading(week, course, p, NO_ONE)
        rows, sw, lo = self._reading.values[:3]
        first = self._first_open_row()
        if first < self.size and self.open[first : self.size].all():  # (the reading's rows end with them, sorted)
            within, held = slice(len(rows) - (self.size - first), None), slice(first, self.size)
        else:
            within = self.open[rows]
            held = rows[within]
        return sw[within], lo[within], self.swemwbs0[held], self.ucla0[held]

    def week_reading(self, week: int, course: NaturalCourse, p: Params, also: np.ndarray) -> tuple[np.ndarray, ...]:
        """The register read for everyone within follow-up and the rows ``also`` (the trajectories' cohorts due, the
        economics account's, whose people mostly are within follow-up), read at once: all are read as the week's last
        work (``SocialPrescribingModel.step``), when nothing else changes the rows, and each read of the natural
        course has a fixed cost; so a reading made earlier in that work which holds ``also`` is the one returned
        (the trajectories' holds the economics account's). Sorted rows."""
        return self.reading_at(week, course, p, also)[1]

    def reading_at(self, week: int, course: NaturalCourse, p: Params,
                   also: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:  # fmt: skip
        """Where each of ``also`` is in the week's reading, and the reading (``week_reading``)."""
        if self._reading is not None and self._reading.key == (week, self.size, course):
            places = self._reading.places(also)
            if places is not None:
                return places, self._reading.values
        first = min(self._first_open_row(), int(also[0]) if len(also) else self.size)
        wanted = self.open[first : self.size].copy()
        wanted[also - first] = True
        rows = first + wanted.nonzero()[0]
        # most weeks everyone read is one stretch of rows (records close in referral order): read as a slice, the
        # columns are views, not gathered (a dozen columns of ~20,000 rows at an ICB; the same numbers)
        read = slice(first, self.size) if len(rows) == self.size - first else rows
        self._reading = Reading((week, self.size, course), first, wanted,
                                (rows, *self.scores_and_natural(read, week, course, p)))  # fmt: skip
        return self._reading.places(also), self._reading.values

    def expect_next_week(self, week: int, course: NaturalCourse, also: np.ndarray) -> None:
        """Tell ``course`` whom of this reading and ``also`` it reads next week after a spell's end (``expect``)."""
        self._natural.expect_next_week(self._reading.values[0], also, week, course, self.person)

    def scores(self, rows: np.ndarray | slice, week: int, course: NaturalCourse, p: Params) -> tuple[np.ndarray, np.ndarray]:
        """True (SWEMWBS, UCLA-3) of ``rows`` at ``week``: ``Patient.outcomes_at`` on arrays."""
        return self.scores_and_natural(rows, week, course, p)[:2]

    def scores_and_natural(self, rows: np.ndarray | slice, week: int, course: NaturalCourse,
                           p: Params) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
        """``scores``, followed by the natural course's (SWEMWBS, UCLA-3) they are built on: what the same
        people would have had without any service, the counterfactual the economics counts against."""
        rows = stretch(rows, self.size) if isinstance(rows, slice) else rows
        natural_sw, natural_lo = self.natural(rows, week, course)
        sw, lo = with_service(natural_sw, natural_lo, week, p, **self._state(rows))
        return sw, lo, natural_sw, natural_lo

    def natural(self, rows: np.ndarray | slice, week: int, course: NaturalCourse) -> tuple[np.ndarray, np.ndarray]:
        """The natural course's (SWEMWBS, UCLA-3) of ``rows`` at ``week`` (``NaturalCourse.scores``): read again only
        for the rows whose spell last read does not cover ``week`` (model/natural_readings.py)."""
        rows = stretch(rows, self.size) if isinstance(rows, slice) else np.asarray(rows)  # (a stretch: read as views)
        return self._natural.read(rows, week, course, self.person)

    def state_copy(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        """``rows``' state now, as ``with_service``'s arrays by name (copies: an index array reads a copy)."""
        return self._state(np.asarray(rows))

    def state_block(self, rows: np.ndarray) -> np.ndarray:
        """``rows``' state now (``with_service``'s, in ``STATE_KEYS`` order) as a row per column and a column per row
        (a copy: gathered)."""
        return self._block[STATE_ROWS].take(rows, axis=1)

    def _state(self, rows: np.ndarray | slice) -> dict[str, np.ndarray]:
        """``with_service``'s state of ``rows``: views of a stretch, or gathered in one call."""
        block = self._block[STATE_ROWS, rows] if isinstance(rows, slice) else self.state_block(rows)
        return dict(zip(STATE_KEYS, block, strict=True))

