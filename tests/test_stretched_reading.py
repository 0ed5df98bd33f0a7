"""The week's reading of rows that end with a stretch (model/week_reading.py ``Stretched``: after two years of a
run, the trajectories' older cohorts before everyone within follow-up): the same numbers as the same rows gathered by
index, to the bit, the natural course read again for the same rows."""

from __future__ import annotations

import numpy as np

from spsim.model import SocialPrescribingModel
from spsim.model import week_reading
from spsim.model.week_reading import Stretched, as_read, taken


def test_rows_ending_with_a_long_stretch_are_read_as_one():
    size = 10_000
    wanted = np.zeros(6_000, dtype=bool)  # rows 4,000 to 9,999
    wanted[[3, 50, 51, 900]] = True
    wanted[2_000:] = True
    rows = size - len(wanted) + np.flatnonzero(wanted)
    read = as_read(rows, wanted, size)
    assert isinstance(read, Stretched) and len(read) == len(rows)
    assert np.array_equal(read.before, [4_003, 4_050, 4_051, 4_900]) and read.stretch == slice(6_000, size)
    column = np.random.default_rng(2).random(size)
    assert taken(column, read).tobytes() == column[rows].tobytes()
    assert as_read(rows[-4_000:], np.ones(4_000, dtype=bool), size) == slice(6_000, size)  # (all of it: a slice)
    wanted[-week_reading.FEWEST_IN_A_STRETCH :: 2] = False  # (a short stretch at the end: gathered by index)
    rows = size - len(wanted) + np.flatnonzero(wanted)
    assert as_read(rows, wanted, size) is rows


def _model() -> SocialPrescribingModel:
    model = SocialPrescribingModel(rng=1, population=20_000, measure_from=0)
    model.run_for(60)
    return model


def test_a_stretched_read_is_the_rows_gathered_to_the_bit():
    """Two runs alike, read at a week whose natural course moved for some rows: one by the rows ending with a
    stretch, the other by the same rows gathered; the scores, the natural course and what the register keeps of it
    alike."""
    stretched, gathered = _model(), _model()
    register = stretched.register
    week = stretched.week + 30  # (a look ahead: spells have ended since)
    first = register.size // 2
    rows = np.concatenate((np.arange(3, first, 5), np.arange(first, register.size)))
    read = Stretched(rows, int(np.searchsorted(rows, first)))
    got = register.scores_and_natural(read, week, stretched.course, stretched.p)
    plain = gathered.register.scores_and_natural(rows, week, gathered.course, gathered.p)
    assert all(a.tobytes() == b.tobytes() for a, b in zip(got, plain, strict=True))
    assert register._natural_until[rows].max() > week  # (spells were read again)
    for name in ("_natural_sw", "_natural_lo", "_natural_from", "_natural_until"):
        assert getattr(register, name).tobytes() == getattr(gathered.register, name).tobytes()
