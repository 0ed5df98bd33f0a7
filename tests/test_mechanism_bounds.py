"""Mechanism levels stay in [0, 1] for every allowed growth and every activity (issue 11, item 5)."""

from __future__ import annotations

import pytest

from spsim.model.activities import catalogue
from spsim.model.mechanisms import Mechanisms
from spsim.model.parameters import registry


@pytest.mark.parametrize("activity", catalogue(), ids=lambda a: a.key)
def test_levels_stay_in_the_unit_interval_and_never_fall_while_attending(activity):
    growth = registry()["mechanism_growth"].bounds[1]  # the largest allowed
    m = Mechanisms(retained_share=0.5, half_life_weeks=26.0)
    previous = list(m.levels)
    for _ in range(200):
        m.build(activity, growth)
        for level, before in zip(m.levels, previous, strict=True):
            assert 0.0 <= level <= 1.0
            assert level >= before
        previous = list(m.levels)


def test_an_activity_building_all_three_equally_grows_each_at_growth_per_session():
    """The docstring's meaning, kept (a guard: this passes on the old step too)."""
    from dataclasses import replace

    even = replace(catalogue()[0], psychological=1 / 3, social=1 / 3, behavioural=1 / 3)
    m = Mechanisms(retained_share=0.5, half_life_weeks=26.0)
    m.build(even, 0.08)
    assert m.levels == pytest.approx([0.08] * 3)
    m.build(even, 0.08)
    assert m.levels == pytest.approx([0.08 + 0.08 * 0.92] * 3)


def test_a_mechanism_an_activity_does_not_build_does_not_move():
    from dataclasses import replace

    only_social = replace(catalogue()[0], psychological=0.0, social=1.0, behavioural=0.0)
    m = Mechanisms(retained_share=0.5, half_life_weeks=26.0)
    m.build(only_social, 1.0)  # 0 ** 0 is 1: no growth at weight 0, even at the largest growth
    assert m.levels == [0.0, 1.0, 0.0]
