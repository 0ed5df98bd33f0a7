"""Economics building blocks against a two-person, two-year case computed by hand (issue 15)."""

from __future__ import annotations

import numpy as np
import pytest

from experiments import economics as econ

RATE = 0.035
# one year of weekly factors, summed: a geometric series with ratio d = 1.035^(-1/52), by hand
D = 1.035 ** (-1 / 52)
YEAR = (1 - D**52) / (1 - D)


def test_two_people_two_years_by_hand():
    # A: SWEMWBS 20 in year one, 25 in year two; B: 23.5 throughout. Utility 0.78 at 23.5, 0.03 a point.
    a = np.array([20.0] * 52 + [25.0] * 52)
    b = np.full(104, 23.5)
    u_a1, u_a2, u_b = 0.78 - 0.03 * 3.5, 0.78 + 0.03 * 1.5, 0.78
    assert (u_a1, u_a2) == pytest.approx((0.675, 0.825))
    expected_a = (u_a1 * YEAR + u_a2 * YEAR / 1.035) / 52  # year two's weeks are a year later: one more 1.035
    expected_b = u_b * (YEAR + YEAR / 1.035) / 52
    assert econ.qalys(a, RATE, 0.03, 0.78, 23.5) == pytest.approx(expected_a, rel=1e-12)
    assert econ.qalys(b, RATE, 0.03, 0.78, 23.5) == pytest.approx(expected_b, rel=1e-12)
    # undiscounted, two years at 0.78 are 1.56 QALYs
    assert econ.qalys(b, 0.0, 0.03, 0.78, 23.5) == pytest.approx(1.56)
    # costs: A costs 100 GBP a week in year one; B one bill of 1,000 GBP at the start of year two
    cost_a = econ.discounted_sum_per_week(np.array([100.0] * 52 + [0.0] * 52), RATE)
    cost_b = econ.discounted_sum_per_week(np.array([0.0] * 52 + [1000.0] + [0.0] * 51), RATE)
    assert cost_a == pytest.approx(100 * YEAR, rel=1e-12)
    assert cost_b == pytest.approx(1000 / 1.035, rel=1e-12)
    # WELLBYs of A's gain over B: -3.5 points in year one, +1.5 in year two, at 0.26 life satisfaction a point
    gain = a - b
    expected = 0.26 * (-3.5 * YEAR + 1.5 * YEAR / 1.035) / 52
    assert econ.wellbys(gain, RATE, 0.26) == pytest.approx(expected, rel=1e-12)


def test_gains_fade_as_the_model_says_after_the_last_observation():
    path = econ.extend_with_fading(np.array([2.0, 2.0]), 4, retained_share=0.5, half_life_weeks=1.0)
    assert path == pytest.approx([2.0, 2.0, 2.0 * (0.5 + 0.5 * 0.5), 2.0 * (0.5 + 0.5 * 0.25)])
    assert econ.extend_with_fading(np.array([1.0, 2.0, 3.0]), 2, 0.5, 1.0) == pytest.approx([1.0, 2.0])
    assert econ.fading(np.array([0.0]), 0.3, 10.0) == pytest.approx([1.0])
