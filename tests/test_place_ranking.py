"""Which lever wins depends on the place (issue 14): where community groups are scarce, grants to groups reach
more people than the same money spent on link workers; where groups are plentiful, link workers do. Provision,
not link work, binds where groups are few (Bu 2024; Dayson 2020; Cooper 2024). The full experiment, with
intervals, is experiments/uncertainty/place_ranking.py (results/places/ranking.md); this is its small, fixed-seed check."""

from __future__ import annotations

import pytest

from spsim.experiments.inputs import scenario as scenarios
from spsim.experiments.runs.runner import Task, replicate_seed, run_task


def take_up_gain_of_grants_over_link_workers(groups_per_100k: float) -> float:
    """fund_vcse minus more_link_workers in the share of referrals taking up an activity, paired, mean of 2."""
    place = {"population": 30_000, "groups_per_100k": groups_per_100k}
    gains = []
    for r in range(2):
        take_up = {name: run_task(Task(scenarios.load(name), r, replicate_seed(11, r), weeks=78, place=place,
                                       warmup_weeks=26)).row["vcse_uptake_rate"]
                   for name in ("more_link_workers", "fund_vcse")}  # fmt: skip
        gains.append(take_up["fund_vcse"] - take_up["more_link_workers"])
    return sum(gains) / len(gains)


@pytest.mark.parametrize(("groups", "grants_win"), [(15.0, True), (400.0, False)])
def test_the_better_lever_turns_with_the_supply_of_groups(groups, grants_win):
    gain = take_up_gain_of_grants_over_link_workers(groups)
    assert (gain > 0.02) if grants_win else (gain < 0), gain
