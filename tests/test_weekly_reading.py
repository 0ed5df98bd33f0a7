"""The weekly economics reading's shortcuts (issue 25, eighth round) against the plain formulas they replace, to
the bit: the natural course kept per register row, fading worked out only for the rows that fade, and the weekly
account adding only the rows whose scores differ from their natural course's."""

from __future__ import annotations

import itertools

import numpy as np

from spsim.model import SocialPrescribingModel
from spsim.model.arrays import worked_out_where
from spsim.model.economic_values import discount, weekly_values
from spsim.model.mechanisms import _halved, faded, fading, support_left, swemwbs, ucla
from spsim.model.wellbeing import with_service


def _plain_fading(week, since, half_life):
    with np.errstate(invalid="ignore"):
        return np.where(week > since, _halved(week, since, half_life), 1.0)


def test_fading_for_one_week_is_the_plain_choice_to_the_bit():
    rng = np.random.default_rng(3)
    since = np.where(rng.random(5_000) < 0.7, np.inf, rng.integers(0, 200, 5_000).astype(float))
    half_life = rng.uniform(5, 60, 5_000)
    for week in (0, 57, 199, 400):
        assert np.array_equal(fading(week, since, half_life), _plain_fading(week, since, half_life))
    assert fading(50, since[:0], half_life[:0]).shape == (0,)


def _plain_support_left(week, support_from, support_until, half_life):
    return np.where(week < support_from, 0.0, _plain_fading(week, support_until, half_life))


def test_fading_and_support_at_odd_values_are_the_plain_choice_to_the_bit():
    """Rows chosen by index (a week's reading) or by mask (a projection's grid), at -0.0, infinities and nan too."""
    odd = [-np.inf, -0.0, 0.0, 1.0, 7.5, 1e308, np.inf, np.nan]
    since, until, half_life = np.array(list(itertools.product(odd, odd, [12.0, 0.0, -0.0, np.inf, np.nan]))).T
    weeks = np.arange(-2, 20.0)[None, :]
    with np.errstate(all="ignore"):
        for week in (0, 5, -0.0, np.inf, np.nan, weeks):
            columns = (since, until, half_life)
            s, u, h = columns if week is not weeks else (c[:, None] for c in columns)
            assert fading(week, s, h).tobytes() == _plain_fading(week, s, h).tobytes()
            left, plain = support_left(week, s, u, h), _plain_support_left(week, s, u, h)
            assert left.shape == plain.shape and left.tobytes() == plain.tobytes()
        assert support_left(50, since[:0], until[:0], half_life[:0]).shape == (0,)


def test_halving_over_the_fading_people_is_the_power_of_each_to_the_bit():
    """``_halved`` over many people, worked out only where they fade (whole-week gaps under one half-life, as the
    model's, or not), against ``0.5 ** ((week - since) / half_life)`` worked out everywhere and chosen."""
    rng = np.random.default_rng(11)
    n = 4_000
    whole = rng.integers(0, 300, n).astype(float)
    cases = [(157, whole, np.full(n, 26.0)), (157.0, whole, 26.0), (157, whole, rng.uniform(5, 60, n)),
             (157, whole + rng.random(n), np.full(n, 26.0)), (10, np.array([9.0, 3.0, 0.0]), np.full(3, 26.0)),
             (np.arange(100.0, 160.0)[None, :], whole[:50, None], np.full((50, 1), 13.0)),
             (400, whole[:20], np.full(20, 26.0))]  # (gaps longer than there are people)
    odd = np.array([-np.inf, -0.0, 0.0, 1.0, 7.5, 1e308, np.inf, np.nan])
    cases += [(5, odd, np.full(len(odd), 12.0)), (5, odd, np.array([12.0, 0.0, -0.0, np.inf, np.nan, 1, 2, 3]))]
    with np.errstate(all="ignore"):
        for week, since, half_life in cases:
            mask = np.broadcast_to(np.asarray(week) > since, np.broadcast(week, since, half_life).shape).copy()
            got = worked_out_where(np.ones(mask.shape), mask, _halved, week, since, half_life)
            plain = np.broadcast_to(0.5 ** ((week - since) / half_life), mask.shape)
            assert got.tobytes() == np.where(mask, plain, 1.0).tobytes()


def test_the_service_on_top_is_the_mechanisms_fading_to_the_bit():
    """``with_service`` against the mechanisms' ``fading`` and ``support_left`` and the scores' formulas (3,000 rows,
    or 40 as a projection's few cells: their powers of a half read from a table of whole weeks' gaps, or worked out
    when a gap is not whole or a nan, or the half-lives differ)."""
    rng = np.random.default_rng(4)
    n = 3_000
    state = {"paused": np.where(rng.random(n) < 0.5, np.inf, rng.integers(0, 150, n).astype(float)),
             "half_life": np.full(n, 26.0), "support_from": np.where(rng.random(n) < 0.3, np.inf, 10.0),
             "support_until": np.where(rng.random(n) < 0.4, np.inf, rng.integers(10, 150, n).astype(float)),
             "scale": rng.uniform(0.5, 1.5, n)}
    for name in ("level_psych", "level_social", "level_behav"):
        state[name] = rng.random(n) * (rng.random(n) < 0.6)
        state[name.replace("level", "floor")] = state[name] * rng.random(n) * 0.3
    p = SocialPrescribingModel(rng=1, population=2_000).p
    natural = rng.uniform(10, 30, n), rng.uniform(3, 9, n)
    state["support_from"][:5] = np.nan  # (read as ``support_left`` reads it)
    state["support_until"][5:8] = np.nan  # (no table of such gaps: worked out)
    state["level_psych"][:50], state["floor_psych"][:50] = -0.0, -0.0
    cells = rng.integers(0, 400, n).astype(float)  # (a projection's: a week for each)
    mixed = {**state, "half_life": np.where(rng.random(n) < 0.1, 13.0, 26.0)}
    # all rows, and from the 9th (no nan: the table read) all of them or 40, as a projection's few cells
    weeks, states, rows_read = (0, 70, 149, 400, 149.5, cells), (state, mixed), (slice(None), slice(8, None),
                                                                                   slice(8, 48))  # fmt: skip
    for week, chosen, rows in itertools.product(weeks, states, rows_read):
        state = {name: column[rows] for name, column in chosen.items()}
        week = week[rows] if np.ndim(week) else week
        natural_sw, natural_lo = natural[0][rows], natural[1][rows]
        remaining = fading(week, state["paused"], state["half_life"])
        support = support_left(week, state["support_from"], state["support_until"], state["half_life"])
        social = state["floor_social"] + (state["level_social"] - state["floor_social"]) * remaining
        sw, lo = with_service(natural_sw, natural_lo, week, p, **state)
        levels = [faded(state[f"level_{k}"], state[f"floor_{k}"], remaining) for k in ("psych", "social", "behav")]
        want_sw = swemwbs(natural_sw, levels, p.swemwbs_gain_max * state["scale"], p.link_worker_support_gain * support)
        want_lo = ucla(natural_lo, social, p.ucla_reduction_max * state["scale"],
                       p.link_worker_support_ucla_reduction * support)
        assert sw.tobytes() == want_sw.tobytes() and lo.tobytes() == want_lo.tobytes()


def _accounts_checked_each_week(model: SocialPrescribingModel, also=None) -> dict:
    """Each measured week from now on, every open account of ``model`` must grow by exactly the week's values of the
    scores the register reads, discounted (``also(rows, week, reading, checked)`` checks more); the count of weeks
    checked is ``checked["weeks"]``, in the dict returned."""
    register, course, economics = model.register, model.course, model.economics
    accrue, checked = economics.accrue_week, {"weeks": 0}

    def accrue_and_check():
        economics.settle()
        rows = economics.open_accounts()
        before = economics._accounts[rows, :3].copy()
        accrue()
        if model.week < economics.since_week or not len(rows):
            return
        p, week, people = model.p, model.week, register.person[rows].astype(np.int64)
        read = register.scores_and_natural(rows, week, course, p)
        if also is not None:
            also(rows, week, read, checked)
        d = float(discount(week - economics.since_week, p.discount_rate_per_year))
        values = weekly_values(*read, model.catchment.ltc_count[people], p)
        # (an account whose horizon ends with the week is finished with nothing left to project)
        assert np.array_equal(economics._accounts[rows, :3], before + np.column_stack([v * d for v in values]))
        checked["weeks"] += 1

    economics.accrue_week = accrue_and_check
    return checked


def test_the_reading_and_the_account_are_the_plain_formulas_to_the_bit():
    """Each week, the register's reading equals the natural course read afresh with the service on top, and each
    open account grows by the week's values of every open row (not only those whose scores differ)."""
    model = SocialPrescribingModel(rng=5, population=20_000, economic_horizon_years=0.5)
    register, course, p = model.register, model.course, model.p

    def read_afresh(rows, week, read, checked):
        natural_sw, natural_lo = course.scores(register.person[rows].astype(np.int64), week)
        sw, lo = with_service(natural_sw, natural_lo, week, p, **register.state_copy(rows))
        for got, want in zip(read, (sw, lo, natural_sw, natural_lo), strict=True):
            assert np.array_equal(got, want)
        checked["unchanged"] = checked.get("unchanged", 0) + int(((sw == natural_sw) & (lo == natural_lo)).sum())

    checked = _accounts_checked_each_week(model, read_afresh)
    model.run_for(80)
    assert checked["weeks"] > 20 and checked["unchanged"] > 0  # the shortcut was taken


def test_the_week_worked_out_with_the_leavers_projection_is_the_same_to_the_bit():
    """``accrue_week`` works out the worth of the week's scores with that of the leavers' projected weeks (one pass):
    the accounts and records as when the leavers are settled first, alone, each week of a run."""
    import copy

    from spsim.model.health_economics import HealthEconomics

    model = SocialPrescribingModel(rng=5, population=20_000, economic_horizon_years=0.5)
    economics = model.economics
    checked = {"weeks": 0}

    def accrue_and_check():
        if not economics._leaving or model.week <= economics.since_week:
            return HealthEconomics.accrue_week(economics)
        apart = copy.deepcopy(model)
        apart.economics.settle()
        HealthEconomics.accrue_week(apart.economics)
        HealthEconomics.accrue_week(economics)
        assert economics._accounts.tobytes() == apart.economics._accounts.tobytes()
        assert model.outcomes().equals(apart.outcomes())
        checked["weeks"] += 1

    economics.accrue_week = accrue_and_check
    model.run_for(90)
    assert checked["weeks"] > 20


def test_the_register_reads_another_course_afresh():
    """What the register keeps of a course is that course's: a reading with another one (the economics tests'
    flat course) starts afresh, and so does going back to the first."""

    class Flat:
        def scores(self, people, week):
            return np.full(len(people), 20.0), np.full(len(people), 4.0)

        def spells(self, people):
            return np.zeros(len(people), dtype=np.int64), np.full(len(people), 10**6)

        def reached(self, week):
            pass

    model = SocialPrescribingModel(rng=5, population=5_000)
    model.run_for(10)
    register, course, week = model.register, model.course, model.week
    rows = np.arange(register.size)
    own = course.scores(register.person[rows].astype(np.int64), week)
    assert all(np.array_equal(a, b) for a, b in zip(register.natural(rows, week, course), own, strict=True))
    sw, lo = register.natural(rows, week, Flat())
    assert (sw == 20.0).all() and (lo == 4.0).all()
    assert all(np.array_equal(a, b) for a, b in zip(register.natural(rows, week, course), own, strict=True))


def test_the_register_reads_a_look_back_afresh():
    """A read at an earlier week than the latest (which the model never makes, but a test may) reads the spells kept
    that start after it again: the same natural course as a fresh course read at each week in turn."""
    model = SocialPrescribingModel(rng=5, population=5_000)
    model.run_for(120)
    register, week = model.register, model.week
    rows = np.arange(register.size)
    people = register.person[rows].astype(np.int64)
    for when in (week, 3, 60, week, 1, week - 1):
        fresh = SocialPrescribingModel(rng=5, population=5_000).course
        want = fresh.scores(people, when)
        assert all(np.array_equal(a, b) for a, b in zip(register.natural(rows, when, model.course), want, strict=True))


def test_a_draw_for_one_row_is_the_array_draw_to_the_bit():
    """``next_draws`` for no row or one (plain numbers) gives the draws, and moves the counters, as for many."""
    from spsim.model.streams import PURPOSES, PersonalDraws
    from spsim.model.wellbeing import WellbeingRegister

    rng = np.random.default_rng(11)
    register = WellbeingRegister(capacity=8)
    keys = rng.integers(0, 2**64, 6, dtype=np.uint64, endpoint=False)
    register.enrol_many(0, np.arange(6), np.full(6, 20.0), np.full(6, 5.0), 26.0, np.ones(6), keys)
    counters = register.draws["attend"]
    counters[:6] = rng.integers(0, 2**31 - 2, 6)
    for row in range(6):
        before = counters[row : row + 1].copy()
        expected = PersonalDraws.uniforms(keys[row : row + 1], PURPOSES["attend"], before)
        got = register.next_draws(np.array([row]), "attend")
        assert got.dtype == expected.dtype and got.tobytes() == expected.tobytes()
        assert counters[row] == before[0] + 1
    assert register.next_draws(np.zeros(0, dtype=np.int64), "attend").shape == (0,)


def test_the_first_open_record_and_account_are_found_as_one_step_at_a_time_would():
    """The register's first open record and the economics' first unfinished account are searched for at once (a week's
    records close together): the same row as stepping over closed ones, also when none is left open."""
    from spsim.model.wellbeing import WellbeingRegister

    def stepped(closed: np.ndarray, start: int) -> int:
        while start < len(closed) and closed[start]:
            start += 1
        return start

    rng = np.random.default_rng(3)
    register = WellbeingRegister(capacity=4)
    register.enrol_many(0, np.arange(40), np.zeros(40), np.zeros(40), 10.0, np.ones(40), np.zeros(40, np.uint64))
    model = SocialPrescribingModel(rng=2, population=3_000, measure_from=0)
    model.run_for(20)
    economics = model.economics
    assert economics._known > 10
    for closing in (np.arange(5), np.arange(5, 9), np.array([9, 12]), rng.choice(40, 15), np.arange(40)):
        want = stepped(~register.open[: register.size], register._first_open)
        register.close_many(closing)
        want = stepped(~register.open[: register.size], want)
        assert register._first_open_row() == want
        finished = economics._finished
        want = stepped(finished[: economics._known], economics._first_open)
        finished[closing[closing < economics._known]] = True
        want = stepped(finished[: economics._known], want)
        economics.open_accounts()
        assert economics._first_open == want
    assert register._first_open_row() == register.size == 40 and economics._first_open == economics._known


def test_the_natural_worth_kept_for_a_spell_is_the_week_worked_out_afresh_also_when_parameters_change():
    """Each account's natural course's worth is kept while its scores hold (``NaturalWorths``): each week's accounts
    grow as by the week's values worked out afresh, also after a policy changes the costs and service use."""
    model = SocialPrescribingModel(rng=6, population=20_000, economic_horizon_years=0.5, measure_from=10)
    kept = _accounts_checked_each_week(model)
    model.run_for(40)
    model.update_parameters(gp_consultation_cost_gbp=80.0, service_use_rr_per_swemwbs_point=1.08)
    model.run_for(20)
    assert kept["weeks"] >= 45


def test_a_stretch_of_rows_read_as_views_is_the_rows_gathered_to_the_bit():
    """The week's reading reads a stretch of the register as a slice (its columns as views): the same numbers as the
    same rows gathered by index, whatever the slice, and the natural course it returns is its own copy."""
    model = SocialPrescribingModel(rng=1, population=20_000, measure_from=0)
    model.run_for(60)
    register, week = model.register, model.week
    for rows in (slice(None), slice(5, None), slice(-50, None), slice(3, 400, 7), slice(10, 5)):
        read = register.scores_and_natural(rows, week, model.course, model.p)
        gathered = register.scores_and_natural(np.arange(register.size)[rows], week, model.course, model.p)
        assert all(a.tobytes() == b.tobytes() for a, b in zip(read, gathered, strict=True))
    natural_sw = register.scores_and_natural(slice(None), week, model.course, model.p)[2]
    natural_sw += 1.0
    assert not np.array_equal(natural_sw, register.scores_and_natural(slice(None), week, model.course, model.p)[2])


def test_the_state_block_is_the_state_columns_gathered_and_stops_as_each_column_would():
    """``WellbeingRegister.state_block``: the state columns of some rows (a row repeated too) read in one gather, in
    ``with_service``'s order, also after the register grew; ``economic_values.stopped`` of it is, column by column,
    attendance paused (the retained share of each level kept for good) and support ended at the week."""
    from spsim.model.economic_values import stopped
    from spsim.model.register_columns import STATE, STATE_KEYS
    from spsim.model.wellbeing import WellbeingRegister

    rng = np.random.default_rng(7)
    register = WellbeingRegister(capacity=4)
    for person in range(11):  # (grown twice)
        register.enrol(person, person, 40.0, 5.0, 26.0, 1.0 + person / 10)
    for name in STATE[2:]:  # (the levels, floors, pause and support: half-life and scale as enrolled)
        register.columns[name][: register.size] = rng.integers(0, 30, register.size)
    register.paused_at[[1, 4, 8]] = np.inf  # attending
    register.support_until[[2, 4, 9]] = np.inf  # supported (or, from week 21, not yet)
    register.support_from[9] = 21.0
    rows = np.array([8, 2, 2, 9, 4, 1, 10])
    block = register.state_block(rows)
    assert block.shape == (len(STATE_KEYS), len(rows)) and STATE_KEYS[1] == "scale" and STATE[1] == "gain_scale"
    for key, name, got in zip(STATE_KEYS, STATE, block, strict=True):
        assert got.tobytes() == register.columns[name][rows].tobytes(), key
        assert register.state_copy(rows)[key].tobytes() == got.tobytes()
    state, week, share = register.state_copy(rows), 20, 0.4
    attending = state["paused"] == np.inf
    want = dict(state, paused=np.where(attending, 20.0, state["paused"]),
                support_until=np.where((state["support_until"] == np.inf) & (state["support_from"] <= week), 20.0,
                                       state["support_until"]))  # fmt: skip
    for level in ("psych", "social", "behav"):
        floor = state[f"floor_{level}"]
        want[f"floor_{level}"] = np.where(attending, np.maximum(floor, share * state[f"level_{level}"]), floor)
    for key, got in zip(STATE_KEYS, stopped(block, week, share), strict=True):
        assert got.tobytes() == want[key].tobytes(), key
    assert (register.paused_at[[1, 4, 8]] == np.inf).all()  # (the block is a copy: the register is as it was)


def test_a_copied_register_still_reads_and_writes_its_columns_through_its_block():
    """The register's columns are rows of one block (``state_block`` reads the block): a deep copy or a pickle of a
    model copies the block and each column apart, so the copy views its own block again (else a column written in
    the copy would not reach its block, and a copied model would go on from a register split in two)."""
    import copy
    import pickle

    from spsim.model.wellbeing import WellbeingRegister

    register = WellbeingRegister(capacity=4)
    for person in range(5):
        register.enrol(person, person, 40.0, 5.0, 26.0)
    for twin in (copy.deepcopy(register), pickle.loads(pickle.dumps(register))):
        twin.level_psych[3] = 7.0
        twin.columns["paused_at"][2] = 9.0
        block = twin.state_block(np.array([3, 2]))
        assert block[2, 0] == 7.0 and block[-3, 1] == 9.0
        assert register.level_psych[3] == 0.0 and register.paused_at[2] == np.inf  # (the original is its own)
        assert twin.columns["level_psych"] is twin.level_psych
