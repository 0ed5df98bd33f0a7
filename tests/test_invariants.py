"""Invariants checked every week over many random parameter sets drawn from the plausible ranges."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spsim.model import SocialPrescribingModel
from spsim.model.parameters import registry

from .invariants import violations

# Population and density are drawn separately (small, so each example is quick).
SKIP = {"population", "adults_per_km2"}


@st.composite
def parameter_sets(draw):
    params = {}
    for name, p in registry().items():
        if name in SKIP:
            continue
        if p.kind is bool:
            params[name] = draw(st.booleans())
        elif p.kind is int:
            params[name] = draw(st.integers(int(p.low), int(p.high)))
        else:
            params[name] = draw(st.floats(float(p.low), float(p.high), allow_nan=False))
    params["population"] = draw(st.integers(2_000, 12_000))
    # dense enough catchments that groups are within reach and the pathway is exercised
    params["adults_per_km2"] = draw(st.floats(500.0, 5000.0))
    # push some runs into heavy pressure and fragile groups, where the edge cases live
    params["referral_rate_per_1000"] = draw(st.floats(8.0, 60.0))
    return params


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=parameter_sets(), seed=st.integers(0, 2**32 - 1))
def test_invariants_hold_every_week(params, seed):
    model = SocialPrescribingModel(rng=seed, **params)
    for _ in range(104):
        model.step()
        problems = violations(model)
        assert not problems, f"week {model.week}: {problems[:5]}"
    model.close_open_records()
    assert not violations(model)


def test_stress_case_with_every_lever_on():
    """Long support, open door, continuity, peer programme, grants, tariff, supported discharge, high demand."""
    model = SocialPrescribingModel(
        rng=7,
        population=20_000,
        referral_rate_per_1000=40.0,
        support_weeks=52,
        open_door=True,
        peer_programme=True,
        volunteer_prob=0.25,
        places_per_volunteer=3.0,
        vcse_grant_per_100k_year_gbp=200_000.0,
        referral_tariff_gbp=100.0,
        supported_discharge=True,
        lw_quit_rate_per_year=0.5,
    )
    for _ in range(156):
        model.step()
        assert not violations(model), f"week {model.week}: {violations(model)[:5]}"
    assert model.counters.volunteered > 0 and model.workforce.link_workers_left > 0


def test_the_checker_catches_broken_states():
    """The invariant checker itself must be able to fail."""
    model = SocialPrescribingModel(rng=3, population=10_000)
    model.run_for(30)
    assert not violations(model)
    group = next(iter(model.attending.values())).group
    group.base_places = -len(group.members)  # shrink its places behind the model's back
    assert any("members for" in v for v in violations(model))

    model = SocialPrescribingModel(rng=3, population=10_000)
    model.run_for(30)
    model.counters.in_state[0] += 1
    assert any("counter" in v or "sum to" in v for v in violations(model))
