"""Policies on one parameter compose: each adds its own change and removes only that (issue 11, item 5)."""

from __future__ import annotations

import itertools

import pytest

from spsim.model import SocialPrescribingModel
from spsim.model.parameters import registry
from spsim.model.policies import LinkWorkerFunding, LinkWorkerTraining, LongTermSupport, SupportedDischarge

LW = "link_workers_per_100k"
BASE_LW = registry()[LW].value  # 6 FTE per 100,000


def run(policies, weeks: int, name: str) -> dict[int, object]:
    """The value of parameter ``name`` in force in each week 0..weeks of a small run."""
    model = SocialPrescribingModel(rng=1, population=5_000, policies=policies)
    seen = {model.week: getattr(model.p, name)}
    for _ in range(weeks):
        model.step()
        seen[model.week] = getattr(model.p, name)
    return seen


def test_two_link_worker_policies_add_up_and_return_to_the_baseline_whichever_ends_first():
    # a (9 FTE over 6: +3) from week 2; b (11 FTE over the 9 then in force: +2) from week 4
    for a_end, b_end in ((8, 12), (12, 8)):
        a = LinkWorkerFunding(start_week=2, end_week=a_end, fte_per_100k=BASE_LW + 3)
        b = LinkWorkerFunding(start_week=4, end_week=b_end, fte_per_100k=BASE_LW + 5)
        seen = run([a, b], 14, LW)
        for week, value in seen.items():
            expected = BASE_LW + 3 * (2 <= week < a_end) + 2 * (4 <= week < b_end)
            assert value == pytest.approx(expected), (a_end, b_end, week)
        assert seen[7] == pytest.approx(BASE_LW + 5)  # both running: the sum of their increments
        assert seen[10] == pytest.approx(BASE_LW + (3 if a_end == 12 else 2))  # the one still running
        assert seen[13] == BASE_LW  # both ended: the baseline exactly


def test_a_policy_ending_leaves_a_later_policy_on_the_same_parameters_in_force():
    # SupportedDischarge: a flag and a number; the first ends while the second (later, more advisors) runs
    first = SupportedDischarge(start_week=2, end_week=6, advisors_per_100k=1.0)  # the default: +0
    second = SupportedDischarge(start_week=4, advisors_per_100k=3.0)  # +2, to the end
    flags = run([first, second], 8, "supported_discharge")
    advisors = run([first, second], 8, "link_advisors_per_100k")
    assert [flags[w] for w in range(9)] == [False, False] + [True] * 7
    assert [advisors[w] for w in range(9)] == [1.0] * 4 + [3.0] * 5

    # LongTermSupport and another policy on support_weeks: the longer support outlives the first's end
    short = LongTermSupport(start_week=2, end_week=6, support_weeks=26, open_door=True)  # +14 over 12
    long = LongTermSupport(start_week=4, end_week=10, support_weeks=78, open_door=True)  # +52 over 26
    weeks = run([short, long], 12, "support_weeks")
    door = run([short, long], 12, "open_door")
    assert [weeks[w] for w in range(13)] == [12, 12, 26, 26, 78, 78, 64, 64, 64, 64, 12, 12, 12]
    assert [door[w] for w in range(13)] == [False, False] + [True] * 8 + [False] * 3


def test_stopping_in_any_order_leaves_the_running_changes_and_ends_exactly_at_the_start():
    """Three policies on one parameter with awkward fractions, stopped in each of the six orders."""
    levels = (6.3, 7.1, 5.45)  # increments +0.3, +0.8, -1.65 over what each finds in force
    increments = (0.3, 0.8, -1.65)
    for order in itertools.permutations(range(3)):
        ends = {i: 10 + 2 * rank for rank, i in enumerate(order)}
        policies = [
            LinkWorkerFunding(start_week=2 + i, end_week=ends[i], fte_per_100k=lv) for i, lv in enumerate(levels)
        ]
        seen = run(policies, 16, LW)
        for week, value in seen.items():
            running = [i for i in range(3) if 2 + i <= week < ends[i]]
            assert value == pytest.approx(BASE_LW + sum(increments[i] for i in running)), (order, week)
        assert seen[4] == 5.45  # the latest policy's level exactly, with nothing beneath it changed
        assert seen[16] == BASE_LW  # exactly, not within rounding


def test_a_sum_outside_the_bounds_is_clipped_and_the_end_still_restores_the_baseline():
    cut = LinkWorkerFunding(start_week=2, end_week=6, fte_per_100k=0.0)  # -6
    surge = LinkWorkerFunding(start_week=4, end_week=10, fte_per_100k=100.0)  # +100, to the upper bound
    seen = run([cut, surge], 12, LW)
    assert registry()[LW].bounds[1] == 100.0
    assert [seen[w] for w in range(13)] == [6.0] * 2 + [0.0] * 2 + [100.0] * 6 + [6.0] * 3  # 106 clipped to 100


def test_a_change_made_outside_the_policies_is_kept_after_they_end():
    training = LinkWorkerTraining(start_week=2, end_week=6, level=1.0)  # +0.7 over 0.3
    model = SocialPrescribingModel(rng=1, population=5_000, policies=[training])
    model.run_for(4)
    assert model.p.lw_training == 1.0
    model.update_parameters(lw_training=0.9)  # someone lowers it by 0.1 while the training runs
    model.run_for(4)
    assert model.p.lw_training == pytest.approx(registry()["lw_training"].value - 0.1)
