"""The synthetic adult population of the catchment, and who among them is referred.

Every adult is a row of a few NumPy columns, not an agent: only people who are referred become
``Patient`` agents, so a catchment of a million adults costs memory for its columns and nothing per
week. The columns also hold each person's fixed traits (their own mean wellbeing and loneliness, how far they can
travel, which activities they want), drawn once at the start from the ``population`` stream, so that
the same person referred under two policies is the same person: a paired comparison.
"""

from __future__ import annotations

import math
from functools import partial
from typing import NamedTuple

import numpy as np

from .need_weights import NeedWeights
from .parameters import Params
from .place import DEPRIVED_QUINTILES, Layout
from .stream_columns import StreamColumns, read_columns

# Age bands of English adults, as the ONS publishes them: 18-39, 40-64, 65-74, 75+ (to p.oldest_age).
AGE_BAND_STARTS = (18, 40, 65, 75)
BLOCK = 1 << 16  # people whose draws are made at a time (a speed setting only: the draws are the same)
# Candidates are proposed in batches (a NumPy call each) until the week's referrals are found; a cap on
# the proposals keeps a week bounded if almost everyone is already in the pathway (a numerical device).
CANDIDATES_PER_REFERRAL = 8
MAX_PROPOSALS_PER_REFERRAL = 400
NONE_DRAWN = np.empty(0)  # (a batch before its first draw: read only, so one for all)
# of the proposals, how many are read at first for ``wanted`` referrals still wanted: READ_FIRST each and READ_MARGIN
# times the square root of ``wanted`` (a speed setting only). About 27% of those proposed are accepted, so each part is
# short of its referrals about one time in twenty, large or small, and its stream then reads a second, small part (at
# 5 each, a quarter of those read at an ICB were never needed; at 4 each, a borough's small parts were often short)
READ_FIRST = 3.7
READ_MARGIN = 5.0


def age_bands(p: Params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(band starts, band ends, share of adults in each band) from the parameters (shares normalised)."""
    shares = np.array([p.age_share_18_39, p.age_share_40_64, p.age_share_65_74, p.age_share_75_plus])
    ends = np.array([*AGE_BAND_STARTS[1:], p.oldest_age])
    return np.array(AGE_BAND_STARTS), ends, shares / shares.sum()


class Person(NamedTuple):
    """A referred person's fixed traits, read from the catchment columns (a named tuple: a week's referrals are
    made at once, and a frozen dataclass's fields cost a call each to set). Their draws at referral (what orders their
    preferences, whether they are in work, whether a fee rules a group out) are read as arrays, not held here:
    ``Catchment.referred``, ``patient.at_referral``."""

    index: int
    age: int
    ltc_count: int  # 0, 1, or 2 for two or more
    smi: bool
    cmd: bool  # a common mental disorder (anxiety, depression)
    lonely: bool
    deprived: bool
    x: float
    y: float
    reach_km: float


# a Person from its fields in order, without a Python call a person (``Person._make`` less its length check: the
# fields are zipped strictly, one column each)
_person = partial(tuple.__new__, Person)


class Catchment:
    """Columns of the adult population, and the referral process over it."""

    def __init__(self, params: Params, generator: np.random.Generator, layout: Layout | None = None,
                 place_generator: np.random.Generator | None = None):
        """``generator``: the population stream; ``layout``: the place file's small areas (None: the default
        place); ``place_generator``: a stream of its own for where people live and their deprivation quintile,
        so that those draws leave every draw of the default place as it was."""
        n = int(params.population)
        self.size = n
        self.side_km = math.sqrt(n / params.adults_per_km2)
        g = generator
        starts, ends, shares = age_bands(params)
        # relative chances of multimorbidity by age band, normalised so the overall prevalence holds
        relative = np.array([params.multimorbidity_rr_18_39, params.multimorbidity_rr_40_64,
                             params.multimorbidity_rr_65_74, params.multimorbidity_rr_75_plus])  # fmt: skip
        age_factor = relative / np.dot(relative, shares)
        # people with exactly one condition, so that the share with at least one matches prevalence_ltc
        p_one = max(params.prevalence_ltc - params.prevalence_multimorbidity, 0.0) / max(
            1 - params.prevalence_multimorbidity, 1e-9
        )
        cut = float(params.ucla_lonely_cutoff)
        # Each column is drawn block by block (the stream's draws in the same order as drawing it whole), so
        # that the temporaries are small: fresh memory is slow to touch, and a whole column's temporaries of an
        # ICB were most of the catchment's cost (and its peak memory).
        blocks = [slice(i, min(i + BLOCK, n)) for i in range(0, n, BLOCK)]
        band = np.empty(n, dtype=np.int8)  # the age band (Generator.choice with p, block by block)
        cdf = shares.cumsum()
        cdf /= cdf[-1]
        for b in blocks:
            band[b] = cdf.searchsorted(g.random(b.stop - b.start), side="right")
        self.age = np.empty(n, dtype=np.int16)
        for b in blocks:
            lo, hi = starts[band[b]], ends[band[b]]
            self.age[b] = lo + g.random(b.stop - b.start) * (hi - lo)
        multimorbid = self._chances(g, blocks, lambda b: np.clip(params.prevalence_multimorbidity
                                                                 * age_factor[band[b]], 0, 1))  # fmt: skip
        one = self._chances(g, blocks, lambda b: p_one)
        self.ltc_count = (multimorbid * 2 + (~multimorbid & one)).astype(np.int8)
        self.smi = self._chances(g, blocks, lambda b: params.prevalence_smi)
        self.lonely = self._chances(g, blocks, lambda b: params.prevalence_lonely)
        self.deprived = self._chances(g, blocks, lambda b: params.prevalence_deprived)
        # where people live (a place file's layout puts them in its small areas instead: ``_place``), read only at a
        # referral too: kept as where the stream was (model/stream_columns.py), as the draws below
        self.x = StreamColumns(g, blocks, 1, self.side_km)
        self.y = StreamColumns(g, blocks, 1, self.side_km)
        self.wellbeing_z = np.empty(n, dtype=np.float32)  # the person's own mean wellbeing, as a z
        for b in blocks:
            self.wellbeing_z[b] = g.standard_normal(b.stop - b.start)
        # Older people travel less far (mobility and transport).
        self.reach_km = np.empty(n, dtype=np.float32)
        for b in blocks:
            reach = g.exponential(params.reach_km_mean, b.stop - b.start) * np.where(
                self.age[b] >= AGE_BAND_STARTS[-1], params.reach_factor_75_plus, 1.0)
            self.reach_km[b] = np.maximum(reach, params.reach_floor_km)
        # uniform draws read only at a referral, kept as where the stream was before them (model/stream_columns.py:
        # stored, they took 34 MB of an ICB): what orders a person's activity preferences; work, cost, loneliness
        self.preferences_u = StreamColumns(g, blocks, params.activities_considered)
        self.traits_u = StreamColumns(g, blocks, 3)
        # Common mental disorders (anxiety, depression; APMS 2014), drawn last so the columns above keep their draws
        self.cmd = self._chances(g, blocks, lambda b: params.prevalence_cmd)
        # The person's own mean UCLA-3 (ONS): lonely people from the cut-off to 9, others from 3 to just below.
        ucla_u = self.traits_u.column(2).astype(float)
        self.ucla_mean = np.where(self.lonely, cut + np.floor(ucla_u * (10 - cut)),
                                  3 + np.floor(ucla_u * (cut - 3))).astype(np.float32)  # whole numbers 3-9: exact
        del ucla_u
        self._place(layout, place_generator if place_generator is not None else np.random.default_rng(0))

        # Who is referred: odds ratios from ELSA (lonely, multimorbid, lowest wealth) and SMI multiply.
        self._need = NeedWeights(n, blocks, lambda b: (
            np.where(self.lonely[b], params.referral_or_lonely, 1.0)
            * np.where(self.ltc_count[b] >= 2, params.referral_or_multimorbidity, 1.0)
            * np.where(self.deprived[b], params.referral_or_deprived, 1.0)
            * np.where(self.smi[b], params.referral_or_smi, 1.0)
            * np.where(self.cmd[b], params.referral_or_cmd, 1.0)
        ))  # fmt: skip
        self.in_pathway = np.zeros(n, dtype=bool)
        self.episodes = np.zeros(n, dtype=np.int32)  # how many times each person has been referred

    @staticmethod
    def _chances(g: np.random.Generator, blocks: list[slice], chance) -> np.ndarray:
        """A yes/no column: a uniform draw each, below ``chance(block)`` (one for all, or one each)."""
        out = np.empty(blocks[-1].stop if blocks else 0, dtype=bool)
        for b in blocks:
            out[b] = g.random(b.stop - b.start) < chance(b)
        return out

    def _place(self, layout: Layout | None, g: np.random.Generator) -> None:
        """Where people live and their area's deprivation quintile (``imd_quintile``, 1 = most deprived).

        The default place keeps its square and its independent ``deprived`` draw (so its numbers never
        change); its people outside the most deprived fifth are spread evenly over quintiles 2-5, as in
        England as a whole (an approximation when a scenario sets prevalence_deprived away from 0.2). A
        place file's layout puts each person in a small area and takes both from it."""
        if layout is None:
            self.imd_quintile = np.where(self.deprived, 1, g.integers(2, 6, self.size)).astype(np.int8)
            return
        self.area, self.x, self.y = layout.people(self.size, g)
        self.imd_quintile = layout.quintiles()[self.area]
        self.deprived = np.isin(self.imd_quintile, DEPRIVED_QUINTILES)
        self.side_km = layout.side_km

    def by_need(self, u: np.ndarray) -> np.ndarray:
        """The people that uniform draws ``u`` pick, each in proportion to how often people like them are
        referred (need, the ELSA odds ratios); who among them is referred *now* depends on how they are now
        (``who_is_referred.referred_this_week``)."""
        return self._need.pick(u)

    def person(self, i: int) -> Person:
        return self.people([i])[0]

    def people(self, indices: list[int]) -> list[Person]:
        return self.referred(indices)[0]

    def referred(self, indices: list[int]) -> tuple[list[Person], np.ndarray, np.ndarray]:
        """``person`` for many at once (a week's referrals), each column read once for all of them; and their draws
        (``draws_at_referral``), read with where they live."""
        i = np.asarray(indices, dtype=np.int64)
        if isinstance(self.x, StreamColumns):  # the default place: where people live is read from the stream too
            x, y, preferences_u, traits_u = read_columns((self.x, self.y, self.preferences_u, self.traits_u), i)
            x, y = x[:, 0], y[:, 0]
        else:
            x, y = self.x[i], self.y[i]
            preferences_u, traits_u = read_columns((self.preferences_u, self.traits_u), i)
        people = list(map(_person, zip(
            indices, *(column[i].tolist() for column in (self.age, self.ltc_count, self.smi, self.cmd, self.lonely,
                                                         self.deprived)),
            x.tolist(), y.tolist(), self.reach_km[i].tolist(), strict=True)))  # fmt: skip
        return people, preferences_u, traits_u[:, :2]

    def draws_at_referral(self, i: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """People's (catchment rows ``i``) draws that order their activity preferences, and their (work, cost) draws
        (32-bit floats, people x draws)."""
        preferences_u, traits_u = read_columns((self.preferences_u, self.traits_u), i)
        return preferences_u, traits_u[:, :2]


class Proposals:
    """One stream's proposals of a week: ``count`` referrals wanted, and batches of draws (who is proposed, in
    proportion to need; whether they are accepted), read a part at a time until the week's referrals are found:
    READ_FIRST per referral still wanted and a margin, then the rest (the same draws either way: both are taken for
    the whole batch, and a draw picks the same person whichever draws it is read with)."""

    def __init__(self, generator: np.random.Generator, count: int):
        self.generator, self.count = generator, count
        self.chosen: list[int] = []
        self.taken: set[int] = set()
        self.proposed = self.batch = self.start = 0
        self.needs = self.u = NONE_DRAWN  # the batch's draws

    def next_part(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The (need, acceptance) draws of the next part to read, a new batch drawn when one is read through; None
        when the week's referrals are found or the proposals' cap is reached."""
        wanted = self.count - len(self.chosen)
        if not wanted:
            return None
        if self.start >= self.batch:
            if self.proposed >= MAX_PROPOSALS_PER_REFERRAL * self.count:
                return None
            self.batch, self.start = CANDIDATES_PER_REFERRAL * wanted, 0
            self.proposed += self.batch
            # one call (a double is one output of the stream: the first half is the need draws as drawn alone)
            both = self.generator.random(2 * self.batch)
            self.needs, self.u = both[: self.batch], both[self.batch :]
        start = self.start
        self.start = min(self.batch, start + math.ceil(READ_FIRST * wanted + READ_MARGIN * math.sqrt(wanted)))
        return self.needs[start : self.start], self.u[start : self.start]

    def take(self, people: list[int]) -> None:
        """The people accepted, in order, until the week's referrals are found (each person once)."""
        chosen, taken, room = self.chosen, self.taken, self.count - len(self.chosen)
        for person in people:
            if not room:
                return
            if person not in taken:
                chosen.append(person)
                taken.add(person)
                room -= 1
