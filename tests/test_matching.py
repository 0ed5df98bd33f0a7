"""Matching: only wanted, reachable, affordable groups are offered; free places beat waiting lists."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from spsim.model import (
    Cohort,
    PathwayState,
    Patient,
    ReferralSource,
    SocialPrescribingModel,
    VCSEGroup,
    matching,
)
from spsim.model.activities import catalogue
from spsim.model.preferences import preferred_activities, preferred_activities_many
from spsim.model.referral import refer as refer_to_pathway
from tests import builders

S = PathwayState

CALM = builders.calm(link_workers_per_100k=20.0, uptake_prob=1.0, volunteer_prob=0.0)


def calm_model(seed: int = 1, **overrides) -> SocialPrescribingModel:
    return builders.calm_model(CALM, seed, **overrides)


def add_group(model, activity: int, x: float, y: float, places: int = 5, charges: bool = False) -> VCSEGroup:
    """A group at a chosen place, registered with the model as ``_new_group`` does (well funded)."""
    group = model.community.add_group(
        activity, x=x, y=y, base_places=places, charges=charges,
        income_per_year=10_000.0, margin=0.0, reserves=1e6,
    )  # fmt: skip
    return group


def refer(model, index: int, wants: tuple[int, ...], x: float = 0.0, y: float = 0.0, reach: float = 1.0,
          cannot_pay: bool = False) -> Patient:  # fmt: skip
    person = model.catchment.person(index)._replace(x=x, y=y, reach_km=reach)
    patient = refer_to_pathway(model, person, ReferralSource.GP, Cohort.LTC)
    patient.preferences = wants
    patient.cannot_pay = cannot_pay
    return patient


def suitable(patient, model) -> set[VCSEGroup]:
    return {g for _, _, g in matching.suitable_groups(patient, model)}


# ------------------------------------------------------------------ what is offered
def test_only_wanted_activities_are_offered():
    model = calm_model()
    g0 = add_group(model, 0, 0.1, 0.0)
    g1 = add_group(model, 1, 0.1, 0.0)
    g2 = add_group(model, 2, 0.1, 0.0)
    assert suitable(refer(model, 0, wants=(1,)), model) == {g1}
    assert suitable(refer(model, 1, wants=(2, 0)), model) == {g0, g2}
    assert suitable(refer(model, 2, wants=(5,)), model) == set()


def test_only_groups_within_reach_are_offered():
    model = calm_model()
    near = add_group(model, 0, 0.6, 0.8)  # 1.0 km away
    far = add_group(model, 0, 1.2, 1.6)  # 2.0 km away
    assert suitable(refer(model, 0, wants=(0,), reach=1.0), model) == {near}
    assert suitable(refer(model, 1, wants=(0,), reach=2.5), model) == {near, far}
    assert suitable(refer(model, 2, wants=(0,), reach=0.5), model) == set()
    assert matching.choose_group(refer(model, 3, wants=(0,), reach=0.5), model) is None


def test_people_who_cannot_pay_are_not_offered_charging_groups():
    model = calm_model()
    free = add_group(model, 0, 0.1, 0.0, charges=False)
    paid = add_group(model, 0, 0.05, 0.0, charges=True)  # nearer, but charges
    can_pay = refer(model, 0, wants=(0,))
    cannot = refer(model, 1, wants=(0,), cannot_pay=True)
    assert suitable(can_pay, model) == {free, paid}
    assert suitable(cannot, model) == {free}
    assert matching.choose_group(can_pay, model) is paid
    assert matching.choose_group(cannot, model) is free
    model.community.close_group(free)
    assert matching.choose_group(cannot, model) is None


def test_cost_barrier_applies_only_to_deprived_people():
    model = SocialPrescribingModel(rng=3, population=20_000, social_prescribing=False, cost_barrier_deprived=1.0)
    model.run_for(20)
    patients = list(model.agents_by_type[Patient])
    assert any(pt.person.deprived for pt in patients) and not all(pt.person.deprived for pt in patients)
    assert all(pt.cannot_pay == pt.person.deprived for pt in patients)
    model = SocialPrescribingModel(rng=3, population=20_000, social_prescribing=False, cost_barrier_deprived=0.0)
    model.run_for(20)
    assert not any(pt.cannot_pay for pt in model.agents_by_type[Patient])


def test_closed_groups_are_not_offered():
    model = calm_model()
    g = add_group(model, 0, 0.1, 0.0)
    patient = refer(model, 0, wants=(0,))
    assert suitable(patient, model) == {g}
    model.community.close_group(g)
    assert suitable(patient, model) == set()


# ------------------------------------------------------------------ which group is chosen
def test_a_free_place_beats_a_waiting_list_even_for_a_less_wanted_activity():
    model = calm_model()
    add_group(model, 0, 0.1, 0.0, places=0)  # the favourite, full
    free_second = add_group(model, 1, 0.9, 0.0)
    patient = refer(model, 0, wants=(0, 1))
    assert matching.choose_group(patient, model) is free_second


def test_among_free_places_the_more_wanted_activity_then_the_nearer_group_wins():
    model = calm_model()
    second_near = add_group(model, 1, 0.1, 0.0)
    first_far = add_group(model, 0, 0.9, 0.0)
    first_mid = add_group(model, 0, 0.5, 0.0)
    patient = refer(model, 0, wants=(0, 1))
    assert matching.choose_group(patient, model) is first_mid
    model.community.close_group(first_mid)
    assert matching.choose_group(patient, model) is first_far
    model.community.close_group(first_far)
    assert matching.choose_group(patient, model) is second_near


def test_with_no_free_place_the_shortest_waiting_list_is_chosen():
    model = calm_model()
    a = add_group(model, 0, 0.1, 0.0, places=0)
    b = add_group(model, 1, 0.2, 0.0, places=0)
    waiting = [refer(model, i, wants=(0,)) for i in range(1, 3)]
    a.waiting.extend(waiting)  # two already waiting for the favourite
    patient = refer(model, 0, wants=(0, 1))
    assert matching.choose_group(patient, model) is b
    a.waiting.clear()
    assert matching.choose_group(patient, model) is a  # tie on length: the more wanted activity


# ------------------------------------------------------------------ matching in the pathway
def test_assessed_person_starts_at_the_chosen_group():
    model = calm_model()
    near = add_group(model, 3, 0.2, 0.0)
    add_group(model, 3, 0.8, 0.0)
    patient = refer(model, 0, wants=(3,))
    model.run_for(2)
    assert patient.state is S.WITH_LINK_WORKER  # assessment takes assessment_weeks = 2
    model.step()
    assert patient.state is S.ATTENDING
    assert patient.group is near and patient in near.members
    assert patient.row in model.attending
    assert model.counters.took_up_activity == 1


def test_nothing_in_reach_leaves_the_person_with_their_link_worker_until_support_ends():
    model = calm_model(support_weeks=10)
    add_group(model, 0, 1.5, 0.0)  # out of reach
    add_group(model, 1, 0.1, 0.0)  # not wanted
    patient = refer(model, 0, wants=(0,), reach=1.0)
    states = []
    for _ in range(12):
        model.step()
        states.append(patient.state)
    # first contact in week 1; support ends 10 weeks later
    assert states[:10] == [S.WITH_LINK_WORKER] * 10
    assert patient.state is S.NO_ACTIVITY
    assert patient.exit_reason == "support ended without an activity"
    assert not patient.took_up and patient.link_worker is None
    assert model.workforce.link_workers()[0].load == 0


def test_a_group_that_opens_in_reach_is_found_at_the_next_review():
    model = calm_model(support_weeks=20)
    patient = refer(model, 0, wants=(0,))
    model.run_for(4)  # assessed in week 3, nothing found: review every 4 weeks (week 7)
    assert patient.state is S.WITH_LINK_WORKER
    group = add_group(model, 0, 0.1, 0.0)
    model.run_for(2)
    assert patient.state is S.WITH_LINK_WORKER
    model.run_for(2)
    assert patient.state is S.ATTENDING and patient.group is group


def test_not_wanting_an_activity_means_no_matching():
    model = calm_model(uptake_prob=0.0, support_weeks=8)
    add_group(model, 0, 0.1, 0.0)
    patient = refer(model, 0, wants=(0,))
    model.run_for(10)
    assert not patient.wants_activity
    assert patient.state is S.NO_ACTIVITY and not patient.took_up


def test_people_are_asked_whether_they_want_to_go_only_once_a_group_is_suggested():
    """Nothing in reach: short of provision, never asked (Bu 2024: provision, not unwillingness, first)."""
    model = calm_model(uptake_prob=0.0, support_weeks=8)
    patient = refer(model, 0, wants=(0,))
    model.run_for(10)
    assert patient.short_of_provision and not patient.offered and patient.wants_activity
    assert patient.state is S.NO_ACTIVITY


def test_unsuitable_referrals_passed_on_hold_a_group_place_for_a_few_weeks():
    """Cooper 2024: inappropriate referrals reach community partners and strain them."""
    model = calm_model(appropriate_share_min=0.0, appropriate_share_max=0.0, inappropriate_passed_on_share=1.0,
                       inappropriate_place_weeks=3)  # fmt: skip
    group = add_group(model, 0, 0.1, 0.0, places=2)
    group.running_cost_per_week = group.income_per_week = 0.0  # only the referral's cost moves the ledger
    patient = refer(model, 0, wants=(0,))
    held = []
    for _ in range(8):
        model.step()
        held.append(len(group.held_until))
    assert patient.state is S.NO_ACTIVITY and patient.exit_reason == "referral not appropriate"
    assessed = model.p.assessment_weeks  # steps until the assessment, when the place is taken
    assert held == [0] * assessed + [1] * 3 + [0] * (8 - assessed - 3)
    assert group.spent == pytest.approx(3 * model.p.cost_per_attendee_week_gbp)
    assert not group.members and group.free_places == 2


def test_a_place_held_by_an_unsuitable_referral_goes_to_the_waiting_list_when_released():
    model = calm_model(support_weeks=30)
    group = add_group(model, 0, 0.1, 0.0, places=1)
    assessed = model.p.assessment_weeks
    group.hold_place(model.week + assessed + 2)
    patient = refer(model, 0, wants=(0,))
    model.run_for(assessed + 1)
    assert patient.state is S.AWAITING_GROUP
    model.run_for(1)
    assert patient.state is S.ATTENDING and patient.group is group


# ------------------------------------------------------------------ preferences and reach in the catchment
def test_preferences_are_three_distinct_activities_weighted_by_cohort():
    n = len(catalogue())
    rng = np.random.default_rng(0)
    firsts = {cohort: np.zeros(n) for cohort in Cohort}
    for cohort in Cohort:
        for _ in range(4_000):
            prefs = preferred_activities(cohort, tuple(rng.random(3)))
            assert len(set(prefs)) == 3 and all(0 <= a < n for a in prefs)
            firsts[cohort][prefs[0]] += 1
    weights = {cohort: np.array([a.preference[cohort] for a in catalogue()]) for cohort in Cohort}
    for cohort in Cohort:
        expected = weights[cohort] / weights[cohort].sum()
        assert np.allclose(firsts[cohort] / 4_000, expected, atol=0.03)


def test_a_weeks_preferences_drawn_at_once_are_each_persons_own():
    """``preferred_activities_many`` (a week's referrals) gives exactly ``preferred_activities`` person by person, at
    the ends of the draws too (0, and the largest 32-bit float below 1, as the catchment keeps them)."""
    rng = np.random.default_rng(3)
    draws = rng.random((6_000, 3)).astype(np.float32)
    draws[:40], draws[40:80] = np.float32(1 - 2**-24), 0.0
    cohorts = [list(Cohort)[i] for i in rng.integers(0, len(Cohort), len(draws))]
    one_by_one = [preferred_activities(cohort, tuple(u)) for cohort, u in zip(cohorts, draws.tolist(), strict=True)]
    assert preferred_activities_many(cohorts, draws) == one_by_one
    assert preferred_activities_many(cohorts[:1], draws[:1]) == one_by_one[:1]



def test_preferences_drawn_at_once_past_a_cohorts_last_weighted_activity(monkeypatch):
    """A cohort with fewer activities of any weight than choices: when no weight is left, each way of choosing takes
    the last activity left, the same for a week's referrals at once as one by one (a catalogue with zero weights)."""
    from types import SimpleNamespace

    from spsim.model import preferences

    weighted = {Cohort.LTC: (2, 5), Cohort.MENTAL_HEALTH: (0,), Cohort.COMMON_MENTAL: tuple(range(9))}
    activities = tuple(SimpleNamespace(preference={c: (0.1 + i / 10) * (i in some) for c, some in weighted.items()})
                       for i in range(9))  # fmt: skip
    caches = (preferences._preference_weights, preferences._choices, preferences._weight_table)
    for cached in caches:
        cached.cache_clear()
    monkeypatch.setattr(preferences, "catalogue", lambda: activities)
    try:
        rng = np.random.default_rng(4)
        draws = rng.random((300, 3)).astype(np.float32)
        draws[:20] = 0.0
        cohorts = [list(Cohort)[i] for i in rng.integers(0, len(Cohort), len(draws))]
        one_by_one = [preferred_activities(c, tuple(u)) for c, u in zip(cohorts, draws.tolist(), strict=True)]
        assert preferred_activities_many(cohorts, draws) == one_by_one
        assert {one_by_one[k][1:] for k, c in enumerate(cohorts) if c is Cohort.MENTAL_HEALTH} == {(8, 7)}
    finally:
        for cached in caches:
            cached.cache_clear()

def test_older_people_reach_less_far():
    model = SocialPrescribingModel(rng=2, population=100_000, reach_km_mean=3.5, social_prescribing=False)
    c = model.catchment
    old = c.age >= 75
    ratio = c.reach_km[old].mean() / c.reach_km[~old].mean()
    assert ratio == pytest.approx(0.6, abs=0.05)
    assert c.reach_km.min() >= 0.3 - 1e-6


# ------------------------------------------------------------------ the grid of cells matching reads
def _every_group_in_reach(table, x, y, reach, activities, cannot_pay):
    """What the grid must find, by reading every group: (rank, distance, unique id) in matching's order (each group
    tested, as arrays: the same distances as matching's ``np.hypot``)."""
    distance = np.hypot(table.x - x, table.y - y)
    rank = np.full(len(distance), -1)
    for k, activity in reversed(list(enumerate(activities))):  # (the first place of an activity wanted twice)
        rank[table.activity == activity] = k
    found = np.flatnonzero((rank >= 0) & (distance <= reach) & ~(cannot_pay & table.charges.astype(bool)))
    return sorted(zip(rank[found].tolist(), distance[found].tolist(), table.unique_id[found].tolist(), strict=True))


@pytest.mark.parametrize("measured_in_python", [0, 40, 10**9])  # NumPy always, the model's choice, Python first
@pytest.mark.parametrize("cell_km", [0.0, 0.37, 1.0, 3.5, 50.0])
def test_the_grid_of_cells_finds_exactly_the_groups_a_scan_of_every_group_finds(cell_km, measured_in_python,
                                                                                monkeypatch):  # fmt: skip
    """Any cell size gives the same groups in the same order, measured in Python or by NumPy, for people inside
    and outside the groups' square, on the edges of cells (reaches that end exactly on a group or a cell boundary),
    with huge reaches and with groups as far as each other (on a lattice, some on the same spot); a week's seekers
    at once, whether they read their blocks' cells or every group."""
    from spsim.model import group_table
    from spsim.model.group_table import GroupTable

    monkeypatch.setattr(group_table, "MEASURED_IN_PYTHON", measured_in_python)
    rng = np.random.default_rng(3)
    n_activities = len(catalogue())
    groups = [dataclasses.make_dataclass("G", ["x", "y", "charges", "unique_id", "activity_index"])(
        float(x), float(y), bool(c), i + 10, int(a)) for i, (x, y, c, a) in enumerate(zip(
            np.r_[rng.random(300) * 8, rng.integers(0, 16, 100) * 0.5], rng.integers(0, 9, 400) * 0.5,
            rng.random(400) < 0.3, rng.integers(0, n_activities, 400)))]  # fmt: skip
    table = GroupTable(groups, cell_km)
    people = [(float(x), float(y)) for x, y in zip(rng.random(200) * 12 - 2, rng.random(200) * 8 - 2)]
    people += [(g.x, g.y) for g in groups[:20]] + [(0.0, 0.0), (3.5, 1.0), (-30.0, 4.0), (2.25, 2.0), (1.0, 0.25)]
    checked, seekers, each, whole = 0, [], [], []
    for k, (x, y) in enumerate(people):
        wanted = tuple(rng.choice(n_activities, size=3, replace=False).tolist())
        other = groups[k % len(groups)]
        for reach in (0.3, 1.0, 2.5, 40.0, float(np.hypot(other.x - x, other.y - y))):
            block = table.block(x, y, reach)
            for cannot_pay in (False, True):
                got, of_seeker = [], []
                for rank, activity in enumerate(wanted):
                    rows = table.nearest_first(activity, block, x, y, reach, cannot_pay) if block else []
                    distance = np.hypot(table.x[rows] - x, table.y[rows] - y)
                    got += [(rank, float(d), int(table.unique_id[i])) for i, d in zip(rows, distance)]
                    seekers.append((x, y, reach, cannot_pay, activity))
                    each += [(len(seekers) - 1, row) for row in rows]
                    of_seeker += rows
                whole.append(((x, y, reach, matching.ranks_by_kind(wanted, cannot_pay)), of_seeker))
                assert got == _every_group_in_reach(table, x, y, reach, wanted, cannot_pay)
                checked += len(got)
    assert checked > 1000  # the cases found groups, not only nothing
    # all of them at once (a week's assessments): the same rows in the same order, seeker by seeker, whether they read
    # their blocks' cells or every group against every seeker, all the activities they want at once (the model's way
    # on a grid of a few cells; checked here on every grid rather than multiplying the one-by-one cases above)
    entry, rows = table.nearest_first_many(*(np.array(column) for column in zip(*seekers)))
    assert list(zip(entry.tolist(), rows.tolist())) == each
    seeker, rows = table.nearest_first_by_seeker(*(list(column) for column in zip(*(seeker for seeker, _ in whole))))
    assert seeker.tolist() == [k for k, (_, found) in enumerate(whole) for _ in found]
    assert rows.tolist() == [row for _, found in whole for row in found]


def test_the_order_of_many_seekers_rows_is_np_lexsorts_ties_and_all():
    """``nearest_first_many`` sorts by an integer made of the seeker and a distance's leading bits; where those
    tie (exact ties, groups on one spot, distances within a relative 2e-9) ``np.lexsort`` decides."""
    from spsim.model.in_reach import nearest_first_by_entry, nearest_first_by_square

    rng = np.random.default_rng(5)
    decided = 0
    for case in range(3000):
        n = int(rng.integers(0, 50))
        entry = np.sort(rng.integers(0, 6, n))
        distance, rows = np.round(rng.random(n) * 3, int(rng.integers(1, 17))), rng.permutation(n)
        if case % 3 == 0:
            distance[rng.random(n) < 0.3] = 0.0
        if case % 5 == 0 and n > 1:
            distance[1] = np.nextafter(distance[0], 9)
        assert (nearest_first_by_entry(entry, distance, rows) == np.lexsort((rows, distance, entry))).all()
        # by squared distances (``nearest_first_many``'s first try): lexsort's order of NumPy's distances, or none
        square = distance * distance
        order = nearest_first_by_square(entry, square)
        if order is not None:
            decided += 1
            assert (order == np.lexsort((rows, np.sqrt(square), entry))).all()
    assert decided > 1000


def test_matching_reads_the_groups_in_the_order_most_wanted_nearest_then_oldest():
    model = calm_model()
    old_far = add_group(model, 1, 0.5, 0.0)
    new_far = add_group(model, 1, 0.0, 0.5)  # as far: the older group first
    near_less_wanted = add_group(model, 2, 0.1, 0.0)
    add_group(model, 0, 0.1, 0.0)  # not wanted
    found = matching.suitable_groups(refer(model, 0, wants=(1, 2), reach=1.0), model)
    assert [g for _, _, g in found] == [old_far, new_far, near_less_wanted]
    assert [r for r, _, _ in found] == [0, 0, 1]


def test_someone_who_found_nothing_in_reach_finds_a_group_opened_since_and_only_one_in_reach():
    """Matching notes when nothing suitable was in reach and then reads only the groups opened since (groups only
    open or close): what it finds must be what a full look finds, whatever opened or closed in between."""
    model = calm_model()
    for group in model.community.groups():
        model.community.close_group(group)
    patient = refer(model, 0, wants=(1,), reach=1.0, cannot_pay=True)
    assert matching.choose_group(patient, model) is None and patient.nothing_in_reach is not None
    add_group(model, 1, 3.0, 0.0)  # out of reach
    add_group(model, 2, 0.1, 0.0)  # not wanted
    add_group(model, 1, 0.1, 0.0, charges=True)  # in reach, but they cannot pay
    assert matching.choose_group(patient, model) is None
    assert patient.nothing_in_reach[1] == len(model.community.opened)  # read from the note, the new groups only
    patient.cannot_pay = False  # what decides the groups in reach changed: a full look again
    found = matching.choose_group(patient, model)
    assert found is not None and found.charges
    model.community.close_group(found)
    assert matching.choose_group(patient, model) is None
    near = add_group(model, 1, 0.0, 1.0)  # exactly on the edge of their reach
    assert matching.choose_group(patient, model) is near


def test_a_group_that_closed_is_never_offered_though_the_table_is_made_again_only_when_one_opens():
    model = calm_model()
    for group in model.community.groups():
        model.community.close_group(group)
    nearest = add_group(model, 1, 0.1, 0.0)
    farther = add_group(model, 1, 0.5, 0.0)
    patient = refer(model, 0, wants=(1,), reach=1.0)
    table = model.community.table()
    assert matching.choose_group(patient, model) is nearest
    model.community.close_group(nearest)
    assert model.community.table() is table  # kept: the closed group is skipped
    assert suitable(patient, model) == {farther}
    assert matching.choose_group(patient, model) is farther


@pytest.mark.parametrize("closing", [0, 1, 3])
def test_a_table_made_from_the_one_before_is_the_table_made_afresh(closing, monkeypatch):
    """When a group opens, the table is made again from the one before (its lists less the closed groups', with the
    new group's put in: ``GroupTable._lists_after``): every column, cell and list as made from the groups afresh,
    whether groups closed since or not, and the new group inside the grid or beyond it (a new grid: made afresh)."""
    from spsim.model.group_table import GroupTable

    reused, lists_after = [], GroupTable._lists_after
    monkeypatch.setattr(GroupTable, "_lists_after", lambda self, *given: reused.append(1) or lists_after(self, *given))
    model = calm_model()
    community, rng = model.community, np.random.default_rng(closing)
    for group in community.groups():
        community.close_group(group)
    add_group(model, 0, -1.0, -1.0), add_group(model, 1, 7.0, 7.0)  # the grid's corners, kept open
    inside = [add_group(model, k % 4, *(rng.random(2) * 6).tolist(), charges=k % 3 == 0) for k in range(40)]
    for step in range(8):
        before = community.table()
        for group in inside[step * closing : (step + 1) * closing]:
            community.close_group(group)
        beyond = step == 5  # far outside every group before: the grid grows
        add_group(model, step % 4, *((50.0, 50.0) if beyond else (rng.random(2) * 6).tolist()), charges=step % 2 == 0)
        calls = len(reused)
        table = community.table()
        assert table is not before and len(reused) == calls + (not beyond)
        fresh = GroupTable(list(table.groups), table.cell_km)
        assert table.by_cell_columns == fresh.by_cell_columns
        assert table.starts == fresh.starts
        for name in ("x", "y", "charges", "activity", "by_cell", "cell_starts", "kind"):
            assert np.array_equal(getattr(table, name), getattr(fresh, name))
        assert [g.unique_id for g in table.groups] == [g.unique_id for g in fresh.groups]


def test_the_open_groups_by_age_kept_as_groups_open_and_close_are_those_still_open():
    """``Community.open_by_age``, made once and then kept up to date as groups open and close (not made again): the
    groups still open in the order they opened and their slots, and the places summed over them."""
    from itertools import compress

    model = calm_model()
    community, rng = model.community, np.random.default_rng(5)
    community.open_by_age()
    for step in range(12):
        if step % 3 != 2:
            add_group(model, step % 4, *(rng.random(2) * 6).tolist(), places=step + 1)
        open_now = community.groups()
        for group in open_now[:: max(len(open_now) // 2, 1)][: step % 3]:
            community.close_group(group)
        by_age, slots = community.open_by_age()
        assert by_age == list(compress(community.opened, community._is_open))
        assert slots.tolist() == [group.slot for group in by_age]
        assert community.places() == sum(group.places for group in by_age)


@pytest.mark.parametrize("every_group", [True, False])
def test_a_weeks_seekers_measured_at_once_find_what_each_finds_alone(every_group, monkeypatch):
    """``by_activity_many`` (a week's assessments) gives each person ``_by_activity``'s rows, one activity after
    another (and the first of them if its group has a place free), and ``choose_group`` given them
    chooses as it does alone, also after places were taken and groups closed since they were measured. Both ways
    of measuring: every group against each seeker (a grid of a few cells), and each one's block of cells."""
    from spsim.model import group_table

    monkeypatch.setattr(group_table, "READ_WHOLE_ACTIVITY", 10**6 if every_group else 0)
    monkeypatch.setattr(matching, "FEW_SEEKERS", 10**6 if every_group else 0)  # (the first free row looked for, or not)
    model = calm_model()
    rng = np.random.default_rng(8)
    for k in range(60):
        add_group(model, int(rng.integers(0, 4)), *(float(v) for v in rng.integers(0, 8, 2) * 0.25),
                  places=int(rng.integers(0, 3)), charges=bool(rng.random() < 0.3))  # fmt: skip
    patients = [refer(model, k, wants=tuple(rng.choice(4, size=2, replace=False).tolist()), x=float(rng.random() * 2),
                      y=float(rng.random() * 2), reach=float(rng.random() * 1.5), cannot_pay=bool(rng.random() < 0.5))
                for k in range(80)]  # fmt: skip
    found = matching.by_activity_many(patients, model)
    for patient, (table, first, of_all, start, end) in zip(patients, found, strict=True):
        assert table is model.community.table()
        rows = np.asarray(of_all[start:end]).tolist()
        assert rows == [row for _, of_activity in matching._by_activity(patient, model) for row in of_activity]
        assert table.reads_every_group is every_group
        # the first row whose group has a free place, else none (or, for few seekers, not looked for)
        assert first == (-1 if every_group else next((row for row in rows if table.groups[row].free_places > 0), -1))
    assert sum(end - start for *_, start, end in found) > 100
    if not every_group:
        assert sum(first >= 0 for _, first, *_ in found) > 10
        assert sum(first not in (-1, of_all[start]) for _, first, of_all, start, _ in found) > 10  # (past a full one)
        assert sum(first < 0 < end - start for _, first, _, start, end in found) > 0  # (every group in reach full)
    for patient, of_one in zip(patients, found, strict=True):
        assert matching.choose_group(patient, model, of_one) is matching.choose_group(patient, model)
    # places taken and a group closed after they were measured (as the week's people before them do): the same
    for k, patient in enumerate(patients):
        group = matching.choose_group(patient, model, found[k])
        if group is not None and group.free_places > 0:
            if k % 7 == 0:
                model.community.close_group(group)
            else:
                group.hold_place(model.week + 4)  # a place taken (as a referral passed on holds one)
        for later, of_one in zip(patients[k + 1 :], found[k + 1 :]):
            assert matching.choose_group(later, model, of_one) is matching.choose_group(later, model)


def test_many_seekers_blocks_are_each_ones_block():
    """``GroupTable._blocks`` (a 4 x n block, x + -reach) gives each seeker's ``block`` edges to the bit, edges of the
    grid and seekers beyond it included."""
    from spsim.model.group_table import GroupTable

    rng = np.random.default_rng(11)
    for _ in range(100):
        n = int(rng.integers(1, 40))
        traits = {"x": rng.uniform(0, 30, n), "y": rng.uniform(0, 30, n), "charges": rng.random(n) < 0.3,
                  "activity_index": rng.integers(0, 3, n)}  # fmt: skip
        table = GroupTable([None] * n, float(rng.uniform(0.05, 5)), traits)
        x, y, reach = rng.uniform(-5, 35, 60), rng.uniform(-5, 35, 60), rng.exponential(3, 60)
        reach[::7] = 0.0
        edges = table._blocks(x, y, reach).T.tolist()
        for edge, x1, y1, r1 in zip(edges, x.tolist(), y.tolist(), reach.tolist(), strict=True):
            block = table.block(x1, y1, r1)
            first_column, last_column, first_row, last_row = edge
            if block is not None:
                assert tuple(edge) == block
            else:
                assert first_column > last_column or first_row > last_row


def test_the_groups_with_a_place_free_are_those_whose_free_places_say_so():
    """``Community.place_free`` (where a week's seekers stop reading, ``matching._in_parts``) is
    ``VCSEGroup.free_places > 0`` of every open group of the table, by the ledger's counts: with places held, and
    places a capacity grant buys or volunteers add (each rounded down as a group rounds them)."""
    model = SocialPrescribingModel(rng=5, population=20_000, referral_rate_per_1000=40.0, group_places_mean=4.0,
                                   groups_per_100k=150.0, link_workers_per_100k=30.0, volunteer_prob=0.5,
                                   places_per_volunteer=0.7, grant_cost_per_place_year_gbp=1_300.0,
                                   appropriate_share_min=0.5, appropriate_share_max=0.6,
                                   inappropriate_passed_on_share=1.0)  # fmt: skip
    free_by_grant = free_by_volunteers = held = full = 0
    for week in range(40):
        if week in (8, 20):  # (the parameters change only then: the places are kept between)
            model.update_parameters(vcse_grant_per_100k_year_gbp=400_000.0 if week == 8 else 0.0)
        model.step()
        groups = model.community.table().groups
        if week in (25, 30):  # a group with a place free closes (it stays in the table until one opens)
            model.community.close_group(next(group for group in groups if group.is_open and group.free_places > 0))
        assert model.community.place_free().tolist() == [group.is_open and group.free_places > 0 for group in groups]
        for group in groups:  # (what the weeks held: a place free only by a grant's or volunteers' places, ...)
            by_others = group.free_places > 0 and group.base_places <= len(group.members) + len(group.held_until)
            free_by_grant += by_others and group.grant_per_week != 0
            free_by_volunteers += by_others and bool(group.volunteers)
            held += bool(group.held_until)
            full += group.free_places == 0
    assert min(free_by_grant, free_by_volunteers, held, full) > 0 and not all(group.is_open for group in groups)
