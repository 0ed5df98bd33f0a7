"""Money is exact: a budget buys part-time posts, equal budgets spend equal money, every run says what it
meant to spend and what it spent, and a scenario that misses its declared budget is reported."""

from __future__ import annotations

import pytest

from spsim.experiments.inputs import scenario as scenarios
from spsim.experiments.analysis import spend
from spsim.experiments.runs.runner import Task, replicate_seed, run_task
from spsim.model import SocialPrescribingModel
from spsim.model.policies import LinkWorkerFunding, PeerSupportProgramme
from spsim.experiments.optimise.levers import Split, policies_for
from spsim.model.states import Service
from tests.inprocess import spsim

EQUAL_BUDGET = ["more_link_workers", "fund_vcse", "supported_discharge", "balanced_budget"]


def test_link_worker_funding_buys_part_time_posts_with_capacity_and_cost_in_proportion():
    model = SocialPrescribingModel(rng=1, population=30_000, link_workers_per_100k=6.0)
    workers = model.workforce.link_workers(Service.PRIMARY_CARE)
    assert len(workers) == 2 and all(w.fte == pytest.approx(0.9) for w in workers)  # 1.8 FTE: 2 posts of 0.9
    whole_time = model.workforce.caseload_limit(Service.PRIMARY_CARE)
    assert sum(w.caseload_limit for w in workers) == pytest.approx(1.8 * whole_time)
    model.step()
    assert model.ledger.link_worker_cost == pytest.approx(1.8 * model.p.lw_cost_per_fte_year_gbp / 52)


def test_a_cut_post_is_not_a_link_worker_who_quit():
    model = SocialPrescribingModel(rng=1, population=50_000, link_workers_per_100k=6.0, lw_quit_rate_per_year=0.0,
                                   policies=[LinkWorkerFunding(fte_per_100k=2.0, start_week=2)])  # fmt: skip
    model.run_for(4)
    assert model.workforce.posts_cut == 2 and model.workforce.link_workers_left == 0
    assert sum(w.fte for w in model.workforce.link_workers()) == pytest.approx(1.0)


@pytest.mark.parametrize("population", [50_000, 150_000, 1_500_000])
def test_equal_budget_scenarios_spend_their_budget_to_within_one_percent(population):
    loaded = [scenarios.load(name) for name in ["baseline", *EQUAL_BUDGET]]
    place = {"population": population}
    rows = []
    for s in loaded:
        result = run_task(Task(s, 0, replicate_seed(5, 0), weeks=8, place=place))
        rows.append(result.row)
    import pandas as pd

    table = spend.spend_table(pd.DataFrame(rows), loaded, place)
    totals = table[table["lever"] == "total"].set_index("scenario")
    stated = 100_000 * population / 100_000 * 8 / 52
    for name in EQUAL_BUDGET:
        assert totals.loc[name, "stated_budget_gbp"] == pytest.approx(stated)
        assert abs(totals.loc[name, "actual_gbp"] / stated - 1) <= 0.01, (name, totals.loc[name, "actual_gbp"])
    assert not spend.warnings(table)


@pytest.mark.parametrize("drawn_price", [{"lw_cost_per_fte_year_gbp": 1.3 * 42_400.0},
                                         {"peer_programme_cost_per_100k_year_gbp": 60_000.0},
                                         {"peer_programme_cost_per_100k_year_gbp": 15_000.0}])  # fmt: skip
def test_equal_budgets_stay_equal_money_at_a_drawn_price(drawn_price):
    """A PSA draw or a robust search's draw may price a post 30% above the central cost, or the peer programme
    anywhere in its range: scenarios loaded at the central values then buy fewer posts, or less of the programme,
    when they run, so they still spend their budget (issue 26 item 5; posts were frozen at the central cost, and
    the balanced budget spent -15% to +30% of its budget as the programme's price was drawn)."""
    loaded = [scenarios.load(name) for name in ["baseline", *EQUAL_BUDGET]]  # at the central values
    import pandas as pd

    drawn = {"population": 50_000, **drawn_price}
    rows = [run_task(Task(s, 0, replicate_seed(5, 0), weeks=8, place=drawn)).row for s in loaded]
    table = spend.spend_table(pd.DataFrame(rows), loaded, drawn)
    totals = table[table["lever"] == "total"].set_index("scenario")
    for name in EQUAL_BUDGET:
        assert abs(totals.loc[name, "actual_gbp"] / totals.loc[name, "stated_budget_gbp"] - 1) <= 0.01, name


@pytest.mark.parametrize(("price", "lift"), [(30_000.0, 2.5), (60_000.0, 1.75), (15_000.0, 4.0)])
def test_a_peer_budget_buys_the_share_of_the_programme_its_price_allows(price, lift):
    """With a budget the programme costs the budget; at twice the price it buys half the programme, so half the
    lift on volunteering over no programme (multiplier 2.5: 1.75), at half the price twice (4.0)."""
    model = SocialPrescribingModel(rng=1, population=20_000, peer_programme_cost_per_100k_year_gbp=price,
                                   policies=[PeerSupportProgramme(budget_gbp_per_100k_year=30_000.0)])  # fmt: skip
    assert model.p.peer_programme and model.p.peer_programme_multiplier == pytest.approx(lift)
    assert model.policies[0].annual_programme_cost(model) == pytest.approx(30_000.0 * 20_000 / 100_000)
    unbudgeted = SocialPrescribingModel(rng=1, population=20_000, peer_programme_cost_per_100k_year_gbp=price,
                                        policies=[PeerSupportProgramme()])  # fmt: skip
    assert unbudgeted.p.peer_programme_multiplier == 2.5  # bought whole, at whatever it costs
    assert unbudgeted.policies[0].annual_programme_cost(unbudgeted) == pytest.approx(price * 20_000 / 100_000)


def test_the_optimiser_gives_the_peer_programme_its_money():
    split = Split({"link_workers": 70_000.0, "peer_support": 30_000.0}, frozenset({"peer_support"}))
    policies = policies_for(split, {})
    assert {"type": "peer_support", "budget_gbp_per_100k_year": 30_000.0} in policies


def test_a_scenario_that_misses_its_declared_budget_is_reported(tmp_path):
    half = tmp_path / "half_spent.toml"
    half.write_text('description = "claims 100k but buys 50k of link workers"\nbudget_gbp_per_100k_year = 100000.0\n'
                    '[[policies]]\ntype = "link_workers"\nbudget_gbp_per_100k_year = 50000.0\n')  # fmt: skip
    out = tmp_path / "run"
    result = spsim("run", "baseline", str(half), "--replicates", "1", "--years", "0.2", "--warmup-years", "0",
                   "--population", "20000", "--out", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "half_spent" in result.stderr and "-50.0%" in result.stderr
    report = (out / "report.md").read_text()
    assert "## Money: intended and actual extra spend" in report and "**Warning:** `half_spent`" in report


def test_a_budget_is_declared_once_and_as_money():
    with pytest.raises(scenarios.ScenarioError, match="not both"):
        scenarios.parse({"description": "x", "budget_gbp_per_100k_year": 1.0, "budget_gbp_year": 2.0},
                        scenarios.SCENARIO_DIR / "x.toml")  # fmt: skip
    with pytest.raises(scenarios.ScenarioError, match="budget_gbp_year"):
        scenarios.parse({"description": "x", "budget_gbp_year": -5}, scenarios.SCENARIO_DIR / "x.toml")
    whole_place = scenarios.parse({"description": "x", "budget_gbp_year": 150_000.0}, scenarios.SCENARIO_DIR / "x.toml")
    assert whole_place.stated_budget_gbp_year(150_000) == 150_000.0


def test_budgets_in_gbp_a_year_for_the_whole_place(tmp_path):
    path = tmp_path / "whole_place.toml"
    path.write_text('description = "150k GBP a year for the place: 100k of link workers, 50k of grants"\n'
                    'budget_gbp_year = 150000.0\n'
                    '[[policies]]\ntype = "link_workers"\nbudget_gbp_year = 100000.0\n'
                    '[[policies]]\ntype = "vcse_grants"\ngbp_year = 50000.0\n')  # fmt: skip
    loaded = [scenarios.load("baseline"), scenarios.load(str(path))]
    place = {"population": 80_000}
    import pandas as pd

    rows = [run_task(Task(s, 0, replicate_seed(2, 0), weeks=4, place=place)).row for s in loaded]
    table = spend.spend_table(pd.DataFrame(rows), loaded, place)
    total = table[table["lever"] == "total"].iloc[0]
    assert total["stated_budget_gbp"] == pytest.approx(150_000 * 4 / 52)
    assert total["actual_gbp"] == pytest.approx(total["stated_budget_gbp"], rel=0.01)
    assert total["intended_gbp"] == pytest.approx(total["stated_budget_gbp"])
    with pytest.raises(scenarios.ScenarioError, match="give one of"):
        scenarios.parse({"description": "x", "policies": [{"type": "vcse_grants", "gbp_year": 1.0,
                                                           "gbp_per_100k_year": 2.0}]}, path)  # fmt: skip
