"""Take-up and persistence by kind of activity (issue 27 item 7; seeds/EVIDENCE-activity-kinds.md): a nature-based
group is taken up more often than exercise referral, and arts and nature-based groups keep more of their starters;
what the kinds leave alone (exercise, the reference, and the kinds with no figure) behaves as before."""

from __future__ import annotations

import pytest

from spsim.model import PathwayState
from spsim.model.activities import DROPOUT_RATIO, KINDS, UPTAKE_ODDS_RATIO, catalogue
from spsim.model.parameters import registry
from tests import builders

S = PathwayState
INDEX = {a.key: i for i, a in enumerate(catalogue())}
CALM = builders.calm(**builders.NOBODY_WAITS, volunteer_prob=0.0, support_weeks=40, cost_per_attendee_week_gbp=0.0,
                     move_on_weeks_mean=1000.0)  # fmt: skip


def _people(activity: str, n: int, seed: int = 3, **overrides) -> list:
    model = builders.calm_model(CALM, seed, **overrides)
    builders.add_group(model, INDEX[activity])
    return model, builders.refer_people(model, range(n), INDEX[activity])


def test_every_activity_has_a_kind_and_every_kind_parameter_is_in_the_registry():
    assert {a.kind for a in catalogue()} <= set(KINDS)
    assert {"exercise", "green", "arts"} <= {a.kind for a in catalogue()}
    names = set(registry())
    assert set(UPTAKE_ODDS_RATIO.values()) | set(DROPOUT_RATIO.values()) <= names
    assert "exercise" not in UPTAKE_ODDS_RATIO and "exercise" not in DROPOUT_RATIO  # the reference kind


@pytest.mark.parametrize("activity, expected", [("gardening", 0.75), ("football", 0.5), ("reading", 0.5)])
def test_take_up_of_an_offer_follows_the_kinds_odds_ratio(activity, expected):
    """Base take-up 0.5 (odds 1); odds ratio 3 for a nature-based group gives 0.75; other kinds keep 0.5."""
    model, people = _people(activity, 600, uptake_prob=0.5, green_uptake_odds_ratio=3.0)
    model.run_for(4)
    offered = [pt for pt in people if pt.offered]
    assert len(offered) == len(people)
    assert all(pt.offered_activity == INDEX[activity] for pt in offered)
    share = sum(pt.took_up for pt in offered) / len(offered)
    assert share == pytest.approx(expected, abs=0.06)


@pytest.mark.parametrize("activity, ratios, expected_stay", [
    ("arts_crafts", {"arts_dropout_ratio": 0.5}, 0.95**5),
    ("gardening", {"green_dropout_ratio": 0.0}, 1.0),
    ("exercise_walking", {"arts_dropout_ratio": 0.5, "green_dropout_ratio": 0.0}, 0.9**5),
    # above 1: the weekly pass (attend_the_week) steps one by one only members whose draw is under their highest
    # possible hazard, so a pass that left the kind out would miss these drop-outs
    ("singing", {"arts_dropout_ratio": 2.0}, 0.8**5),
])  # fmt: skip
def test_drop_out_follows_the_kinds_ratio(activity, ratios, expected_stay):
    """Weekly hazard 0.1 x the kind's ratio; exercise, the reference, keeps 0.1 whatever the other kinds'."""
    model, people = _people(activity, 400, uptake_prob=1.0, attend_prob=0.0, dropout_hazard=0.1,
                            belonging_protection=0.0, sustained_weeks=100, **ratios)  # fmt: skip
    model.run_for(3 + 5)
    still = sum(pt.state is S.ATTENDING for pt in people) / len(people)
    assert still == pytest.approx(expected_stay, abs=0.06)
