"""The value of information without chance (issue 26 item 8): on a synthetic PSA whose net benefit is a known
function of one parameter plus noise that no parameter explains, the Monte Carlo EVPI counts the noise and the
regression's does not; EVPPI finds the parameter that matters and nothing in the ones that do not. Then the
research groups against the registry, and the PSA's value-of-information tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spsim.experiments.runs.uncertain_parameters import uncertain_parameters
from spsim.experiments.uncertainty import psa_analysis
from spsim.experiments.uncertainty import value_of_information as voi
from spsim.experiments.uncertainty.psa_folder import StoredPSA, settings

SLOPE, NOISE = 8_000.0, 4_000.0  # GBP per unit of the parameter that matters; the sd of chance, in GBP
# Option a's incremental net benefit is SLOPE * (A - 0.5) + chance, A uniform on 0-1; option b's is -500 + chance.
# Knowing A, choose a when A > 0.5: E[max(0, SLOPE (A - 0.5))] = SLOPE / 8; not knowing it, the mean is 0 (the
# reference, or a: a tie), so the value of knowing A, and of knowing every parameter, is SLOPE / 8 = 1,000 GBP.
ANALYTIC = SLOPE / 8


def synthetic(draws: int = 300, seed: int = 4) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    # stratified like the PSA's Latin hypercube: A's quantiles evenly spread, shuffled
    x = pd.DataFrame({name: rng.permutation((np.arange(draws) + rng.random(draws)) / draws) for name in "ABC"})
    chance = rng.normal(0, NOISE, (draws, 2))
    incremental = np.column_stack([SLOPE * (x["A"] - 0.5), np.full(draws, -500.0)]) + chance
    return x, incremental


def test_monte_carlo_counts_chance_and_the_regression_does_not():
    x, inb = synthetic()
    monte_carlo = voi.value_of_information(voi.with_reference(inb))
    total = voi.total_evpi(x, {20_000.0: inb}, ["a", "b"])[20_000.0]
    assert monte_carlo > 1.8 * ANALYTIC  # chance counted as if research could remove it
    assert total.value_gbp == pytest.approx(ANALYTIC, rel=0.25)
    assert "A" in total.parameters
    assert 0.05 < total.r2 < 0.35  # A explains about a quarter of a's spread and nothing of b's (0.12 pooled)
    assert 0 < total.se_gbp < 0.5 * ANALYTIC


def test_evppi_finds_the_parameter_that_matters_and_nothing_where_nothing_is():
    x, inb = synthetic()
    on_a = voi.evppi(x, inb, ["A"])
    without_a = voi.evppi(x, inb, ["B", "C"])
    assert on_a.value_gbp == pytest.approx(ANALYTIC, rel=0.25)
    assert without_a.value_gbp < 0.1 * ANALYTIC and without_a.r2 <= 0.05
    assert on_a.value_gbp <= voi.value_of_information(voi.with_reference(inb))


def test_value_of_information_by_hand_and_never_below_zero():
    # rows: (ref, a, b) = (0, 3000, 6000) and (0, 3500, 1900): b is best on average (3,950), knowing first 4,750
    assert voi.value_of_information(np.array([[0, 3000, 6000], [0, 3500, 1900.0]])) == pytest.approx(800)
    assert voi.value_of_information(np.array([[0.1 + 0.2, 0.3], [0.3, 0.1 + 0.2]])) == 0  # rounding is not value


def test_a_constant_net_benefit_is_worth_nothing_to_learn_about():
    x, _ = synthetic(40)
    estimate = voi.evppi(x, np.full((40, 1), 250.0), ["A"])
    assert estimate.value_gbp == 0 and np.isnan(estimate.r2)


def test_chance_share_from_replicates_by_hand():
    # two draws, two replicates: option a's replicates 0/2 and 10/12 (draw means 1 and 11, variance 50 between
    # draws; within a draw variance 2, so a draw mean's chance variance 1): chance is 1/50 of the spread
    per_replicate = pd.DataFrame({"point": [0, 0, 1, 1], "replicate": [0, 1, 0, 1], "a": [0.0, 2.0, 10.0, 12.0]})
    assert voi.chance_share(per_replicate) == pytest.approx(1 / 50)
    assert np.isnan(voi.chance_share(per_replicate[per_replicate["replicate"] == 0]))  # one replicate: unknown


def test_research_groups_name_uncertain_parameters_a_gaussian_process_can_take():
    uncertain = {p.name for p in uncertain_parameters()}
    names = [g.name for g in voi.RESEARCH_GROUPS]
    assert len(set(names)) == len(names)
    for group in voi.RESEARCH_GROUPS:
        assert set(group.parameters) <= uncertain, group.name  # drawn by every full PSA
        assert 1 <= len(group.parameters) <= 5, group.name  # beyond five the Gaussian process needs many draws
    required = {"referral_rate_per_1000", "groups_per_100k", "lw_new_people_per_year", "swemwbs_gain_max",
                "lw_cost_per_fte_year_gbp"}  # fmt: skip
    assert required <= {p for g in voi.RESEARCH_GROUPS for p in g.parameters}


def test_the_psa_tables_skip_a_group_not_drawn_and_note_what_is_missing():
    x, inb = synthetic(60)
    draws = x.rename(columns={"A": "swemwbs_gain_max", "B": "uptake_prob", "C": "nonsense"})
    rows = []
    for point in range(60):
        for scenario, qalys in (("ref", 0.0), ("a", inb[point, 0] / 20_000), ("b", inb[point, 1] / 20_000)):
            rows.append({"point": point, "scenario": scenario, "replicate": 0, "qalys_gained": qalys,
                         "net_cost_gbp": 0.0})  # fmt: skip
    runs = pd.DataFrame(rows)
    stored = StoredPSA(runs, draws, ["ref", "a", "b"], settings(runs, draws, 1.0))
    evpi, evppi = psa_analysis.information(stored, psa_analysis.incremental(runs, "ref"))
    assert list(evpi["value_per_qaly_gbp"]) == [20_000, 30_000]
    assert (evpi["evpi_gbp"] <= evpi["evpi_monte_carlo_gbp"]).all() and evpi["chance_share"].isna().all()
    rows = evppi.set_index(["group", "value_per_qaly_gbp"])
    assert np.isnan(rows.loc[("referral_volume", 20_000), "evppi_gbp"])
    assert "skipped: none of its parameters was drawn" in rows.loc[("referral_volume", 20_000), "note"]
    taken_up = rows.loc[("take_up_and_attendance", 20_000)]
    assert taken_up["parameters"] == "uptake_prob"
    assert "not drawn in this PSA: attend_prob, dropout_hazard" in taken_up["note"]
    effect = rows.loc[("effect_size_and_persistence", 20_000)]
    assert effect["evppi_gbp"] == pytest.approx(ANALYTIC, rel=0.35) and effect["parameters"] == "swemwbs_gain_max"
