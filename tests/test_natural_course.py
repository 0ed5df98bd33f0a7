"""The natural course: each person's wellbeing and loneliness move without any service (an autoregressive state,
read the same however often), people are referred at a low point, so the lowest recover most with no service
(regression to the mean), and measurement error is the same for a person in every scenario."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spsim.model import Patient, SocialPrescribingModel
from spsim.model.natural_course import NaturalCourse


def _course(seed: int = 1, n: int = 20_000, **overrides) -> NaturalCourse:
    model = SocialPrescribingModel(rng=seed, population=n, referral_rate_per_1000=0.0, **overrides)
    return model.course


def test_the_natural_course_is_the_same_however_often_it_is_read():
    """A person's course is a function of (person, week): read every week or only once, the same value."""
    often, once = _course(), _course()
    people = np.arange(0, 20_000, 7)
    for week in range(0, 121):
        often.scores(people, week)
    assert all(np.array_equal(a, b) for a, b in zip(often.scores(people, 120), once.scores(people, 120), strict=True))
    assert not np.array_equal(once.scores(people, 0)[0], once.scores(people, 120)[0])  # it does move
    assert np.array_equal(once.scores(people, 0)[0], _course().scores(people, 0)[0])
    assert once.score(7, 0) == (once.scores(people, 0)[0][1], once.scores(people, 0)[1][1])  # one or many: same  # and can be read back


def test_the_state_keeps_its_deviation_as_an_autoregressive_process_would():
    spell = 50.0
    course = _course(n=60_000, natural_spell_weeks=spell, swemwbs_state_sd=2.6)
    everyone = np.arange(60_000)
    start = course.dip(everyone, 0).copy()
    assert start.std() == pytest.approx(2.6, rel=0.03)
    for weeks in (13, 52):
        later = course.dip(everyone, weeks)
        assert np.corrcoef(start, later)[0, 1] == pytest.approx((1 - 1 / spell) ** weeks, abs=0.03)
        assert later.std() == pytest.approx(2.6, rel=0.03)  # stationary


def test_wellbeing_and_loneliness_states_are_correlated():
    course = _course(n=40_000, wellbeing_loneliness_state_correlation=-0.5)
    everyone = np.arange(40_000)
    course.advance(everyone, 0)
    r = np.corrcoef(course.wellbeing_state, course.loneliness_state)[0, 1]
    assert r == pytest.approx(-0.5, abs=0.03)


def _counterfactual(seed: int = 5, **overrides) -> pd.DataFrame:
    model = SocialPrescribingModel(rng=seed, population=60_000, social_prescribing=False, measure_from=52,
                                   **overrides)  # fmt: skip
    model.run_for(52 + 52 + 30)
    model.close_open_records()
    df = model.outcomes()
    return df[~df["censored"] & (df["referred_week"] >= 52)]


def test_without_social_prescribing_people_referred_lowest_improve_most():
    """Regression to the mean emerges from referral at a low point (issue 13): no service, yet the lowest third
    at referral rises most; loneliness and GP and A&E use fall too."""
    df = _counterfactual()
    assert len(df) > 400
    change = df["swemwbs_end"] - df["swemwbs_start"]
    by_third = change.groupby(pd.qcut(df["swemwbs_start"], 3, labels=False)).mean()
    assert by_third[0] > by_third[1] > by_third[2]
    assert by_third[0] - by_third[2] > 1.0
    assert 0.5 < change.mean() < 3.0  # a partial recovery on average (about 1.5 points)
    assert (df["ucla_end"] - df["ucla_start"]).mean() < -0.05
    assert df["gp_change_per_year"].mean() < 0 and df["ae_change_per_year"].mean() < 0
    assert (df["ucla_end"] != df["ucla_start"]).mean() > 0.5  # loneliness moves without any service


def test_referral_happens_at_a_low_point():
    df = _counterfactual(swemwbs_measurement_sd=0.0)
    assert 16.5 < df["swemwbs_start"].mean() < 20.5  # against a population mean of 23.5
    flat = _counterfactual(swemwbs_measurement_sd=0.0, referral_low_point_slope=0.0)
    assert df["swemwbs_start"].mean() < flat["swemwbs_start"].mean() - 1.0
    flat_change = (flat["swemwbs_end"] - flat["swemwbs_start"]).mean()
    assert abs(flat_change) < 0.4  # referred at no particular point: nothing to regress from


def test_measurement_error_is_the_same_for_a_person_in_every_scenario():
    with_sp = SocialPrescribingModel(rng=9, population=20_000, measure_from=0)
    without = SocialPrescribingModel(rng=9, population=20_000, measure_from=0, social_prescribing=False)
    for model in (with_sp, without):
        model.run_for(3)
        model.close_open_records()
    a, b = with_sp.outcomes(), without.outcomes()
    assert len(a) == len(b) and (a["swemwbs_start"].to_numpy() == b["swemwbs_start"].to_numpy()).all()
    truth = [pt.swemwbs0 for pt in sorted(with_sp.agents_by_type[Patient], key=lambda pt: pt.unique_id)]
    assert len(truth) and not np.allclose(truth, a.sort_values("patient")["swemwbs_start"].to_numpy()[: len(truth)])


def test_the_catchment_and_its_courses_are_the_same_whatever_the_block_of_draws(monkeypatch):
    """The catchment's columns are drawn, and everyone's courses caught up, a block of people at a time (small
    temporaries); the block size is a speed setting only: any size gives the same numbers as one block."""
    from spsim.model import natural_course, population

    def columns(block: int) -> list[np.ndarray]:
        monkeypatch.setattr(population, "BLOCK", block)
        monkeypatch.setattr(natural_course, "BLOCK", block)
        model = SocialPrescribingModel(rng=1, population=5_003, referral_rate_per_1000=0.0)
        catchment, course = model.catchment, model.course
        course.advance(np.arange(5_003), 0)  # (first read: spell 0 on; then several spells ahead)
        course.advance(np.arange(5_003), 150)
        return [*(v for v in vars(catchment).values() if isinstance(v, np.ndarray)),
                *(c.column(k) for c in (catchment.x, catchment.y, catchment.preferences_u, catchment.traits_u)
                  for k in range(c.width)),
                *(getattr(course, k) for k in ("mean_wellbeing", "spell_end", "wellbeing_state", "loneliness_state"))]

    whole, blocks = columns(10**7), columns(97)
    assert len(whole) > 15
    assert all(a.dtype == b.dtype and np.array_equal(a, b) for a, b in zip(whole, blocks, strict=True))


def test_the_spells_drawn_ahead_are_a_speed_setting_only(monkeypatch):
    """People are caught up drawing a few spells ahead at a time (``spells_ahead``: fewer for people read lately),
    the states with the lengths when few: one spell at a time, or every spell ahead at once, the same courses."""
    from spsim.model import natural_course

    def courses(ahead) -> list[np.ndarray]:
        if ahead is not None:
            monkeypatch.setattr(natural_course, "spells_ahead", ahead)
        course = _course(n=3_000)
        people = np.arange(0, 3_000, 3)
        for week in (*range(0, 30), 43, 56, 69, 200, 201, 400):  # weekly, every 13 weeks, years apart
            course.scores(people[week % 5 :: 1 + week % 4], week)
        names = ("spell", "spell_start", "spell_end", "wellbeing_state", "loneliness_state")
        return [getattr(course, k) for k in names]

    chosen = courses(None)
    assert chosen[0].max() > 4  # several spells passed
    for ahead in (lambda behind, spell_weeks: 1, lambda behind, spell_weeks: natural_course.LOOKAHEAD):
        assert all(np.array_equal(a, b) for a, b in zip(chosen, courses(ahead), strict=True))


def test_people_expected_back_are_caught_up_by_the_weeks_first_read():
    """``expect``: people to be read at a week (the weekly reading's) are caught up with whoever's read comes first
    that week, in the same pass, to the same course as reading them then; not before that week."""
    expecting, reading = _course(n=3_000), _course(n=3_000)
    people, others = np.arange(0, 3_000, 2), np.arange(1, 3_000, 50)
    for course in (expecting, reading):
        course.scores(people, 10)
    expecting.expect(people, 60)
    expecting.advance(others, 59)  # (a week before: not yet)
    assert (expecting.spell_end[people] <= 59).any()
    expecting.advance(others, 60)
    assert (expecting.spell_end[people] > 60).all()
    reading.scores(people, 60)
    assert all(np.array_equal(a[people], b[people]) for a, b in zip(
        (expecting.spell, expecting.spell_end, expecting.wellbeing_state, expecting.loneliness_state),
        (reading.spell, reading.spell_end, reading.wellbeing_state, reading.loneliness_state), strict=True))


def test_a_course_is_drawn_when_first_read_from_its_spell_0():
    """Nobody's course is drawn until it is first read; then spell 0, under way at the start, is the one drawn from
    the person's keyed draws for spell 0 (as drawing everyone's at construction did), and later reads go on from it."""
    from spsim.model.course_draws import GAP, STATE_PURPOSES, geometric_weeks, normals
    from spsim.model.streams import PersonalDraws

    course = _course(n=3_000)
    people = np.arange(0, 3_000, 2)
    assert (course.spell == -1).all()  # nothing drawn yet
    course.advance(people, 0)
    keys, spell_0 = course.keys(people), np.zeros(len(people), dtype=np.int64)
    z, z_own = normals(keys, STATE_PURPOSES, spell_0)
    assert (course.spell[people] == 0).all() and (course.spell[1::2] == -1).all()  # only those read
    assert np.array_equal(course.spell_end[people], geometric_weeks(PersonalDraws.uniforms(keys, GAP, spell_0),
                                                                    course.spell_weeks))  # fmt: skip
    assert np.array_equal(course.wellbeing_state[people], (course.wellbeing_sd * z).astype(np.float32))
    lonely = course.correlation * z + np.sqrt(1 - course.correlation**2) * z_own
    assert np.array_equal(course.loneliness_state[people], (course.loneliness_sd * lonely).astype(np.float32))


def test_a_persons_course_is_one_row_of_a_table():
    """Each adult's course (spell, its weeks, states and own mean wellbeing) is one row of a table: reading a week's
    scattered candidates fetches a cache line each (or two), not one in each of six columns."""
    from spsim.model.natural_course import ROW_WIDTH

    course = _course(n=3_001)
    columns = [course.spell, course.spell_start, course.spell_end, course.wellbeing_state, course.loneliness_state,
               course.mean_wellbeing]  # fmt: skip
    row = ROW_WIDTH * 4
    assert all(column.strides == (row,) and np.may_share_memory(column, course.spell) for column in columns)
    first = min(column.ctypes.data for column in columns)
    assert max(column.ctypes.data for column in columns) + 4 - first <= row  # one person's fields in one row
