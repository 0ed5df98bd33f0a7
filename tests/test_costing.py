"""One way to price a lever (model/costing.py) and one copy of each score formula (model/mechanisms.py,
model/service_use.py): each lever's yearly cost by hand, money to posts and back, arrays of draws priced as each
draw alone, and the policies, the spend table, the optimiser and the page all pricing a lever as costing does."""

from __future__ import annotations

import numpy as np
import pytest

from spsim.experiments.analysis import spend
from spsim.experiments.optimise import levers as optimise_levers
from spsim.experiments.viz import levers as page_levers
from spsim.model import SocialPrescribingModel, costing, mechanisms, service_use
from spsim.model.arrays import clip, where
from spsim.model.parameters import Params, registry, resolve
from spsim.model.policies import (
    GuaranteedContinuity,
    LinkWorkerFunding,
    LinkWorkerTraining,
    PeerSupportProgramme,
    PublicAwareness,
    SupportedDischarge,
    VCSECapacityGrants,
)
from spsim.model.states import Service

# known prices, not the registry's (which a recalibration may move): a place of 150,000 adults
POST, TRAINING, SHARE, PEER, AWARENESS = 40_000.0, 2_000.0, 0.1, 30_000.0, 50_000.0
PLACE = {"population": 150_000, "lw_cost_per_fte_year_gbp": POST, "training_cost_per_lw_year_gbp": TRAINING,
         "continuity_cover_share": SHARE, "peer_programme_cost_per_100k_year_gbp": PEER,
         "awareness_cost_per_100k_year_gbp": AWARENESS, "link_workers_per_100k": 6.0,
         "vcse_grant_per_100k_year_gbp": 20_000.0, "link_advisors_per_100k": 1.0, "supported_discharge": False}  # fmt: skip
DEFAULT_AWARENESS = registry()["public_awareness"].value


# ------------------------------------------------------------------ prices by hand
def test_each_lever_costs_by_hand():
    assert costing.posts_cost_year(6.0, POST, 150_000) == pytest.approx(6 * 1.5 * 40_000)  # 9 FTE: 360,000
    assert costing.training_cost_year(0.5, 6.0, TRAINING, 150_000) == pytest.approx(0.5 * 9 * 2_000)
    assert costing.continuity_cost_year(SHARE, 6.0, POST, 150_000) == pytest.approx(0.1 * 9 * 40_000)
    assert costing.grants_cost_year(80_000.0, 150_000) == pytest.approx(120_000)
    assert costing.peer_programme_cost_year(PEER, 150_000) == pytest.approx(45_000)
    rise = 0.7 - DEFAULT_AWARENESS
    assert costing.awareness_cost_year(0.7, AWARENESS, 150_000) == pytest.approx(rise * 50_000 * 1.5)
    assert costing.awareness_cost_year(DEFAULT_AWARENESS - 0.1, AWARENESS, 150_000) == 0.0  # no campaign below it
    # without a population: per 100,000 adults; a per-post price is the cost of one post
    assert costing.peer_programme_cost_year(PEER) == PEER
    assert costing.training_cost_year(1.0, 1.0, TRAINING) == TRAINING
    assert costing.continuity_cost_year(SHARE, 1.0, POST) == pytest.approx(4_000)


def test_money_buys_posts_that_cost_the_money():
    budget = 100_000.0
    fte = costing.posts_for(budget, POST, 150_000)
    assert fte == pytest.approx(100_000 / 40_000 / 1.5)  # FTE per 100,000 adults: 2.5 FTE in all
    assert costing.posts_cost_year(fte, POST, 150_000) == pytest.approx(budget, rel=1e-12)
    assert costing.posts_for(budget, POST) == budget / POST  # a budget per 100,000 adults, FTE per 100,000
    draws = np.array([36_428.0, 40_000.0, 45_000.0])  # a price's uncertainty draws
    bought = costing.posts_for(budget, draws, 150_000)
    np.testing.assert_allclose(costing.posts_cost_year(bought, draws, 150_000), budget, rtol=1e-12)
    assert costing.rate_per_100k(costing.whole_place(7.0, 150_000), 150_000) == pytest.approx(7.0)


def test_prices_of_arrays_are_the_prices_of_each_element():
    rng = np.random.default_rng(24)
    n = 50
    fte, price, share, level = rng.uniform(0, 15, n), rng.uniform(36e3, 45e3, n), rng.uniform(0.05, 0.2, n), rng.random(n)
    population = rng.integers(5_000, 3_000_000, n).astype(float)
    cases = [
        (costing.posts_for, (rng.uniform(0, 1e6, n), price, population)),
        (costing.posts_cost_year, (fte, price, population)),
        (costing.training_cost_year, (level, fte, rng.uniform(500, 3_000, n), population)),
        (costing.continuity_cost_year, (share, fte, price, population)),
        (costing.grants_cost_year, (rng.uniform(0, 3e5, n), population)),
        (costing.peer_programme_cost_year, (rng.uniform(15e3, 60e3, n), population)),
        (costing.awareness_cost_year, (level, rng.uniform(2e4, 1e5, n), population)),
        (costing.rate_per_100k, (rng.uniform(0, 1e6, n), population)),
    ]
    for function, arrays in cases:
        together = function(*arrays)
        alone = [function(*(float(a[i]) for a in arrays)) for i in range(n)]
        assert all(type(value) is float for value in alone), function.__name__  # numbers stay plain numbers
        np.testing.assert_array_equal(together, alone, err_msg=function.__name__)


# ------------------------------------------------------------------ every pricer agrees with costing
def test_the_spend_table_prices_each_lever_with_costing():
    def intended(policy):
        values = spend.policies_intended_per_year([policy], PLACE)
        return {k: v for k, v in values.items() if v}

    n = 150_000
    programme = "programme_costs_gbp"
    assert intended(LinkWorkerFunding(fte_per_100k=8.0)) == {"link_worker_cost_gbp": costing.posts_cost_year(2.0, POST, n)}
    bought = intended(LinkWorkerFunding(budget_gbp_year=90_000.0))["link_worker_cost_gbp"]
    assert bought == pytest.approx(90_000.0) and bought == pytest.approx(
        costing.posts_cost_year(costing.posts_for(90_000.0, POST, n), POST, n), rel=1e-15)  # fmt: skip
    assert intended(VCSECapacityGrants(gbp_per_100k_year=50_000.0)) == {
        "grants_gbp": costing.grants_cost_year(50_000.0, n) - costing.grants_cost_year(20_000.0, n)}  # fmt: skip
    assert intended(SupportedDischarge(advisors_per_100k=2.0)) == {"advisor_cost_gbp": costing.posts_cost_year(2.0, POST, n)}
    assert intended(PeerSupportProgramme()) == {programme: costing.peer_programme_cost_year(PEER, n)}
    assert intended(LinkWorkerTraining(level=0.5)) == {programme: costing.training_cost_year(0.5, 6.0, TRAINING, n)}
    assert intended(PublicAwareness(level=0.7)) == {programme: costing.awareness_cost_year(0.7, AWARENESS, n)}
    assert intended(GuaranteedContinuity()) == {programme: costing.continuity_cost_year(SHARE, 6.0, POST, n)}
    # training and cover are costed on the posts the scenario's link worker policies leave
    both = spend.policies_intended_per_year([LinkWorkerFunding(fte_per_100k=10.0), GuaranteedContinuity()], PLACE)
    assert both["programme_costs_gbp"] == costing.continuity_cost_year(SHARE, 10.0, POST, n)


def test_the_optimiser_prices_levers_and_buys_posts_with_costing():
    p = resolve(PLACE)
    assert optimise_levers.flat_cost_per_100k_year("peer_support", p) == costing.peer_programme_cost_year(PEER)
    assert optimise_levers.flat_cost_per_100k_year("awareness", p) == costing.awareness_cost_year(
        PublicAwareness().level, AWARENESS)  # fmt: skip
    assert optimise_levers.cost_per_post_year("training", p) == costing.training_cost_year(
        LinkWorkerTraining().level, 1.0, TRAINING)  # fmt: skip
    assert optimise_levers.cost_per_post_year("continuity", p) == costing.continuity_cost_year(SHARE, 1.0, POST)
    split = optimise_levers.split_from({"link_workers": 1.0, "supported_discharge": 1.0}, {"training": True},
                                       100_000.0, p)  # fmt: skip
    money = split.gbp_per_100k_year
    posts = 6.0 + costing.posts_for(money["link_workers"], POST)
    assert money["training"] == pytest.approx(costing.training_cost_year(LinkWorkerTraining().level, posts, TRAINING))
    advisors = next(x for x in optimise_levers.policies_for(split, p) if x["type"] == "supported_discharge")
    assert advisors["budget_gbp_per_100k_year"] == money["supported_discharge"]  # posts bought when it runs


def test_the_page_prices_levers_with_costing():
    n, page = 150_000, PLACE
    assert page_levers.yearly_cost("link_workers_per_100k", 8.0, page) == (
        costing.posts_cost_year(2.0, POST, n), costing.posts_cost_year(8.0, POST, n))  # fmt: skip
    assert page_levers.yearly_cost("vcse_grant_per_100k_year_gbp", 50_000, page) == pytest.approx(
        (costing.grants_cost_year(30_000, n), costing.grants_cost_year(50_000, n)))  # fmt: skip
    assert page_levers.yearly_cost("supported_discharge", True, page) == (costing.posts_cost_year(1.0, POST, n),) * 2
    assert page_levers.yearly_cost("peer_programme", True, page) == (costing.peer_programme_cost_year(PEER, n),) * 2
    awareness = costing.awareness_cost_year(0.6, AWARENESS, n)
    assert page_levers.yearly_cost("public_awareness", 0.6, page) == (awareness, awareness)


def test_the_policies_charge_what_costing_says():
    place = {k: v for k, v in PLACE.items() if k != "population"}
    policies = [LinkWorkerTraining(level=0.5), GuaranteedContinuity(), PublicAwareness(level=0.7),
                PeerSupportProgramme(), LinkWorkerFunding(budget_gbp_year=90_000.0, start_week=1),
                VCSECapacityGrants(gbp_year=60_000.0)]  # fmt: skip
    model = SocialPrescribingModel(rng=1, population=50_000, policies=policies, **place)
    fte = model.workforce.funded_fte(Service.PRIMARY_CARE)  # 3 FTE in all
    training, continuity, awareness, peer = (policy.annual_programme_cost(model) for policy in model.policies[:4])
    assert training == costing.training_cost_year(0.5, fte, TRAINING) == pytest.approx(0.5 * 3 * TRAINING)
    assert continuity == costing.continuity_cost_year(SHARE, fte, POST) == pytest.approx(0.1 * 3 * POST)
    assert awareness == costing.awareness_cost_year(0.7, AWARENESS, 50_000)
    assert peer == costing.peer_programme_cost_year(PEER, 50_000)
    assert model.p.vcse_grant_per_100k_year_gbp == costing.rate_per_100k(60_000.0, 50_000)
    model.step()  # the link worker budget starts in week 1, on top of the 6 FTE in force
    assert model.p.link_workers_per_100k == 6.0 + costing.posts_for(90_000.0, POST, 50_000)
    assert LinkWorkerFunding.extra_fte_for_budget(90_000.0, POST) == costing.posts_for(90_000.0, POST)


# ------------------------------------------------------------------ one copy of each score formula
def test_score_formulas_on_arrays_are_the_formulas_person_by_person():
    rng = np.random.default_rng(7)
    n = 40
    p = Params(resolve({"service_use_rr_per_swemwbs_point": 1.04}))
    natural_sw, natural_lo, social = rng.uniform(7, 35, n), rng.uniform(3, 9, n), rng.random(n)
    levels = rng.random((3, n))
    week, since, until = rng.integers(0, 60, n), rng.uniform(0, 60, n), rng.uniform(0, 80, n)
    half_life = rng.uniform(1, 52, n)
    since[::4] = np.inf  # not paused / support not ended
    ltc = rng.integers(0, 5, n)
    cases = [
        (lambda *a: mechanisms.swemwbs(a[0], (a[1], a[2], a[3]), 6.0, a[4]), (natural_sw, *levels, rng.random(n))),
        (lambda *a: mechanisms.ucla(*a), (natural_lo, social, rng.uniform(0, 3, n), rng.random(n))),
        (service_use.loneliness_weight, (natural_lo,)),
        (lambda *a: service_use.service_use(*a, p), (natural_sw, natural_lo, ltc)),
        (mechanisms.fading, (week, since, half_life)),
        (mechanisms.faded, (levels[0], levels[1] * levels[0], rng.random(n))),
        (mechanisms.support_left, (week, since, until, half_life)),
    ]
    for i, (function, arrays) in enumerate(cases):
        together = np.asarray(function(*arrays))
        alone = np.array([function(*(a[j].item() for a in arrays)) for j in range(n)]).T
        # powers may be computed by numpy's vector routines, to within a unit in the last place
        np.testing.assert_allclose(together, alone, rtol=1e-14, atol=0, err_msg=f"case {i}")


def test_the_register_reads_the_scores_each_person_reads():
    model = SocialPrescribingModel(rng=5, population=20_000, referral_rate_per_1000=30.0)
    model.run_for(40)
    people = [pt for pt in model.open_records if pt.mechanisms.levels != [0.0, 0.0, 0.0]]
    assert len(people) > 20
    rows = np.array([pt.row for pt in people])
    sw, lo = model.register.scores(rows, model.week, model.course, model.p)
    one_by_one = np.array([pt.outcomes_at(model.week) for pt in people])
    np.testing.assert_allclose(sw, one_by_one[:, 0], rtol=1e-12)
    np.testing.assert_allclose(lo, one_by_one[:, 1], rtol=1e-12)


def test_choosing_and_clipping_keep_a_number_a_number():
    assert clip(40.0, (7.0, 35.0)) == 35.0 and type(clip(20.5, (7.0, 35.0))) is float
    assert where(True, 1.0, 2.0) == 1.0 and type(where(False, 1.0, 2.0)) is float
    np.testing.assert_array_equal(clip(np.array([1.0, 20.0, 50.0]), (7.0, 35.0)), [7.0, 20.0, 35.0])
    np.testing.assert_array_equal(where(np.array([True, False]), 1.0, 2.0), [1.0, 2.0])
