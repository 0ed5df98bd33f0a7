"""The natural course: how every adult's wellbeing and loneliness move without any service.

Each adult has a person-level mean (a trait: lower with deprivation, long-term conditions, mental illness
and loneliness; Health Survey for England) and a state that wanders around it. The state is a *renewal*
process: at random times (a chance ``1 / natural_spell_weeks`` each week) it is redrawn from its stationary
distribution, so a reading ``k`` weeks later keeps its deviation with chance ``(1 - 1/spell) ** k`` -- the
autocorrelation of a first-order autoregressive (Ornstein-Uhlenbeck) process, which is what panel studies
fit to wellbeing and loneliness (trait plus state; see seeds/EVIDENCE-natural-course.md).

Why a renewal process rather than a weekly AR(1) update: the state at any week is a pure function of
(person, week), computed only when it is read (at a referral, a measurement, the weekly reading of people
within follow-up) by stepping that person's spells forward from where they were last read. A million
adults then cost nothing per week, and the same person has the same course in every scenario of a paired
comparison, whatever each scenario happened to read (common random numbers).

People are referred at a low point (``Catchment`` selects on the current state), so regression to the mean
emerges: their state is more likely than not to be redrawn nearer their own mean, for wellbeing, loneliness
and the service use that follows them, with no service at all.
"""

from __future__ import annotations

import numpy as np

from .arrays import clip
from .course_draws import GAP, SPELL_PURPOSES, STATE_PURPOSES, geometric_weeks, normal_of, normals
from .mechanisms import SWEMWBS_RANGE, UCLA_RANGE
from .parameters import Params
from .streams import PersonalDraws

# up to this many people (of LOOKAHEAD spells ahead; more of fewer) are caught up with the states of every spell ahead
# drawn with its length (one keyed pass instead of two: for a few people its fixed cost is most of the work; a speed
# setting only, the same draws)
FEW = 16
BLOCK = 1 << 16  # adults caught up at a time (a speed and memory setting only: small temporaries, the same draws)
# spells whose lengths are drawn at once when catching a person up (a speed setting only: the same draws). A referral
# candidate is often unread for years; 12 spells of the default 50 weeks cover 11 years, so most catch-ups take one
# pass (five years of 250,000 adults: 819 passes, 1,406 with 4 at a time, each with a fixed cost). People read a few
# weeks ago (the weekly reading's, a cohort's every 13 weeks) need fewer: see ``spells_ahead``
LOOKAHEAD = 12
SPELLS_AHEAD = np.arange(LOOKAHEAD)


# a person's row of the course: spell, its start and end (int32); wellbeing and loneliness states, own mean wellbeing
# (float32). 24 bytes: most rows lie within one 64-byte cache line (a quarter straddle two)
ROW_WIDTH = 6


def spells_ahead(behind: int, spell_weeks: float) -> int:
    """How many spells to draw at once for people whose spells ended up to ``behind`` weeks ago (a speed setting
    only: whoever passes them all is caught up in another pass, with the same draws). Each spell lasts a week at
    least, so ``behind`` + 1 always cover the week; beyond 4 and twice the spells expected in ``behind`` weeks, more
    than one pass is rare (a person 12 weeks behind passes 4 spells of 50 weeks about once in 5,000)."""
    return min(LOOKAHEAD, behind + 1, 4 + int(2 * behind / max(spell_weeks, 1.0)))


def _distinct(people: np.ndarray) -> np.ndarray:
    """``np.unique(people)`` for an array of our own (sorted in place): the same rows for a few people at a fraction
    of the cost (repeats, the same person read for two referral rows, are rare)."""
    people.sort()
    repeated = people[1:] == people[:-1]
    if repeated.any():
        return people[np.concatenate(([True], ~repeated))]
    return people


class NaturalCourse:
    """Every adult's wellbeing (SWEMWBS) and loneliness (UCLA-3) without any service, read lazily."""

    def __init__(self, p: Params, catchment, draws: PersonalDraws):
        n = catchment.size
        self._draws = draws
        ltc = np.minimum(catchment.ltc_count, 2)
        # each adult's course is a row of one table (people as rows: ROW_WIDTH), so that reading a week's candidates
        # (some 2,000 people scattered over an ICB's 1.5 million) fetches a cache line each, where six 6 MB columns
        # fetched six; the columns are views onto it, read and written as before (the same numbers and memory)
        counts = np.zeros((n, ROW_WIDTH), dtype=np.int32)
        states = counts.view(np.float32)
        self.spell, self.spell_start, self.spell_end = (counts[:, k] for k in range(3))
        self.wellbeing_state, self.loneliness_state, self.mean_wellbeing = (states[:, k] for k in range(3, 6))
        self.mean_wellbeing[:] = (
            p.swemwbs_population_mean
            + p.swemwbs_offset_deprived * catchment.deprived
            + p.swemwbs_offset_per_ltc * ltc
            + p.swemwbs_offset_smi * catchment.smi
            + p.swemwbs_offset_cmd * catchment.cmd
            + p.swemwbs_offset_lonely * catchment.lonely
            + p.swemwbs_trait_sd * catchment.wellbeing_z
        ).astype(np.float32)
        self.mean_loneliness = catchment.ucla_mean.astype(np.float32, copy=False)
        self.spell_weeks = p.natural_spell_weeks
        self.wellbeing_sd = p.swemwbs_state_sd
        self.loneliness_sd = p.ucla_state_sd
        self.correlation = p.wellbeing_loneliness_state_correlation
        # 32-bit counts and weeks (a century is 5,200 weeks) keep an ICB within its memory budget. Spell 0 is under way
        # at the start (the process is stationary), but nobody's is drawn until their course is first read: spell -1,
        # ending at week 0 (it began before the run: 0 will do), stands for "not drawn yet", so the first read draws
        # spell 0 onwards (``advance``: the same keyed draws as drawing it now). Most adults are never read (an ICB's
        # referral candidates over two years: about 126,000 of 1.5 million); drawing everyone's first spell took 2%
        self.spell[:] = -1
        self._latest_week = 0  # the latest week anyone was brought to: no spell starts after it
        self._expected: tuple[int, np.ndarray] | None = None  # (week, people read then: ``expect``)

    def keys(self, people: np.ndarray) -> np.ndarray:
        """The keys of ``people``'s own courses (episode 0: referral episodes count from 1), computed when needed:
        kept for every adult they took 12 MB of an ICB's memory (a few people's are worked out in plain numbers:
        ``PersonalDraws.keys``)."""
        return self._draws.keys(people, 0)

    def _draw_states(self, people: np.ndarray, spell: np.ndarray, keys: np.ndarray | None = None) -> None:
        keys = self.keys(people) if keys is None else keys
        self._set_states(people, *normals(keys, STATE_PURPOSES, spell))  # (LEVEL's draws, LONELY's: one pass)

    def _set_states(self, people: np.ndarray, z: np.ndarray, z_own: np.ndarray) -> None:
        """``people``'s states from their spell's two normal draws (wellbeing's, and loneliness's own)."""
        z_lonely = self.correlation * z + np.sqrt(1 - self.correlation**2) * z_own
        self.wellbeing_state[people] = self.wellbeing_sd * z
        self.loneliness_state[people] = self.loneliness_sd * z_lonely

    def advance(self, people: np.ndarray, week: int) -> None:
        """Bring ``people``'s state to ``week``: move to the spell that covers it (a person listed twice moves
        once). Only the covering spell's state is drawn; the spells passed over need only their lengths, found
        LOOKAHEAD at a time (a person unread for years has passed over several). A week before the current
        spell (a look back, which the model never needs but a test may) replays the course from the start."""
        if week < self._latest_week:
            self._replay(people[self.spell_start[people] > week])
        self.reached(week)
        if self._expected is not None and week >= self._expected[0]:  # (the week's first read: theirs caught up too)
            people, self._expected = np.concatenate((people, self._expected[1])), None
        people = people[self.spell_end[people] <= week]  # (most reads find everyone's spell still running)
        if len(people) > 1:
            people = _distinct(people)
        for start in range(0, len(people), BLOCK):  # (a read of many: a block at a time)
            self._catch_up(people[start : start + BLOCK], week)

    def expect(self, people: np.ndarray, week: int) -> None:
        """``people`` will be read at ``week`` (the weekly reading's, at its end): whoever's spell has ended by then
        is caught up with the first read of that week (the referral candidates', early in it), in its pass and not
        in one of their own (a pass has a fixed cost, more than the work for a few hundred people; the same draws)."""
        self._expected = (week, people)

    def _catch_up(self, people: np.ndarray, week: int) -> None:
        """``advance`` distinct ``people`` whose spell ended by ``week``."""
        while len(people):
            keys = self.keys(people)  # (once: the states below are drawn with them too)
            first = self.spell[people] + 1  # the next spell of each
            ended = self.spell_end[people]
            ahead = spells_ahead(week - int(ended.min()), self.spell_weeks)
            spells = first + SPELLS_AHEAD[:ahead, None]  # spells x people: the spells ahead one row each, row by row
            # the covering spells' states drawn with the lengths (one keyed pass instead of two) where the states of
            # the spells passed over, drawn for nothing, are few
            few = len(people) * ahead <= FEW * LOOKAHEAD
            draws = PersonalDraws.uniforms_by_purpose(keys, SPELL_PURPOSES if few else GAP, spells)
            gaps = geometric_weeks((draws[0] if few else draws).ravel(), self.spell_weeks).reshape(spells.shape)
            ends = ended + gaps.cumsum(axis=0)  # when each of those spells ends (whole weeks: exact)
            # the covering spell (ends grow along a person's spells: the first to end after ``week`` comes after all
            # that end by then), or the last drawn
            passed = (ends <= week).sum(axis=0)
            k = np.minimum(passed, ahead - 1)
            rows = np.arange(len(people))
            spell = first + k
            self.spell[people] = spell
            end = ends[k, rows]
            self.spell_start[people] = end - gaps[k, rows]  # (the previous spell's end, or the current one's)
            self.spell_end[people] = end
            done = passed < ahead
            everyone = done.all()  # (most reads: nobody left to catch up)
            caught_up = slice(None) if everyone else done
            if few:  # their covering spells' states were drawn with the lengths
                self._set_states(people[caught_up], *normal_of(draws[1:, k[caught_up], rows[caught_up]]))
            else:
                self._draw_states(people[caught_up], spell[caught_up], keys[caught_up])
            if everyone:
                return
            people = people[~done]

    def _replay(self, back: np.ndarray) -> None:
        """Start ``back``'s courses again from their first spell (a look back before their current spell)."""
        if len(back):  # (not drawn yet: the catch-up that follows draws from spell 0 on)
            self.spell[back] = -1
            self.spell_start[back] = 0
            self.spell_end[back] = 0

    def reached(self, week: int) -> None:
        """Note that the course was read at ``week`` (even for no one): no spell starts after the latest such week,
        so a read before it may be a look back."""
        if week > self._latest_week:
            self._latest_week = week

    def scores(self, people: np.ndarray, week: int) -> tuple[np.ndarray, np.ndarray]:
        """True (SWEMWBS, UCLA-3) of ``people`` at ``week`` without any service (no measurement error)."""
        self.advance(people, week)
        if not len(people):
            return np.zeros(0), np.zeros(0)
        wellbeing = (self.mean_wellbeing[people].astype(float) + self.wellbeing_state[people]).clip(*SWEMWBS_RANGE)
        loneliness = (self.mean_loneliness[people].astype(float) + self.loneliness_state[people]).clip(*UCLA_RANGE)
        return wellbeing, loneliness

    def spells(self, people: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The weeks [start, end) of ``people``'s spells as last brought forward: their scores hold over them (the
        wellbeing register keeps them, to read a person's course again only when a spell ends)."""
        return self.spell_start[people], self.spell_end[people]

    def score(self, person: int, week: int) -> tuple[float, float]:
        """``scores`` of one person, in plain floats (the same numbers): most reads find the spell still running."""
        if not self.spell_start[person] <= week < self.spell_end[person]:
            self.advance(np.array([person]), week)
        wellbeing = float(self.mean_wellbeing[person]) + float(self.wellbeing_state[person])
        loneliness = float(self.mean_loneliness[person]) + float(self.loneliness_state[person])
        return clip(wellbeing, SWEMWBS_RANGE), clip(loneliness, UCLA_RANGE)

    def dip(self, people: np.ndarray, week: int) -> np.ndarray:
        """How far ``people``'s wellbeing is above (+) or below (-) their own mean at ``week``."""
        self.advance(people, week)
        return self.wellbeing_state[people].astype(float)
