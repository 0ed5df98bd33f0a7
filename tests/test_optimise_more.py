"""`spsim optimise` beyond the central values (issue 16): --robust across parameter draws, the equity objective
and its trade-off front, the levers with per-post and per-start costs, and the Dask executor. The searches run
on closed-form stand-ins for the simulator, so what is tested is the search and its arithmetic."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pandas as pd
import pytest

from spsim.experiments.optimise import search as optimise

from spsim.experiments.optimise import fifths

from spsim.experiments.optimise import robust as optimise_robust

from spsim.experiments.inputs import scenario
from spsim.model.parameters import defaults


def test_probability_best_and_regret_by_hand():
    values = pd.DataFrame({"a": [10.0, 0.0, 5.0], "b": [8.0, 4.0, 5.0], "c": [0.0, 0.0, 0.0]})
    table = optimise_robust.decision_table(values).set_index("option")
    # draw 0: a best (b regrets 2, c 10); draw 1: b best (a regrets 4, c 4); draw 2: a and b tie, a listed first
    assert table["probability_best"].to_dict() == pytest.approx({"a": 2 / 3, "b": 1 / 3, "c": 0.0})
    assert table["expected_regret"].to_dict() == pytest.approx({"a": 4 / 3, "b": 2 / 3, "c": 19 / 3})
    assert table["expected_value"].to_dict() == pytest.approx({"a": 5.0, "b": 17 / 3, "c": 0.0})


def test_the_draws_are_fixed_by_the_seed():
    first, again, other = (optimise_robust.parameter_draws(3, seed) for seed in (5, 5, 6))
    assert first == again and first != other and len(first) == 3
    assert "link_workers_per_100k" not in first[0]  # a decision, not an uncertainty


def test_per_post_levers_grow_with_the_posts_the_split_buys():
    p = defaults()
    split = optimise.split_from({"link_workers": 1.0, "vcse_grants": 1.0}, {"training": True, "continuity": True,
                                "long_term_support": True}, 100_000.0, p)  # fmt: skip
    money = split.gbp_per_100k_year
    assert sum(money.values()) == pytest.approx(100_000.0)  # the whole budget, no more
    posts = p["link_workers_per_100k"] + money["link_workers"] / p["lw_cost_per_fte_year_gbp"]
    assert money["training"] == pytest.approx(1.0 * posts * p["training_cost_per_lw_year_gbp"])
    assert money["continuity"] == pytest.approx(p["continuity_cover_share"] * posts * p["lw_cost_per_fte_year_gbp"])
    assert money["link_workers"] == pytest.approx(money["vcse_grants"])
    assert money["long_term_support"] == 0 and "long_term_support" in split.switched_on  # free, but on
    kinds = [policy["type"] for policy in optimise.policies_for(split, p)]
    assert kinds[0] == "link_workers" and {"training", "continuity", "long_term_support"} <= set(kinds)
    awareness = optimise.split_from({"vcse_grants": 1.0}, {"awareness": True}, 100_000.0, p).gbp_per_100k_year
    assert awareness["awareness"] == pytest.approx(0.2 * p["awareness_cost_per_100k_year_gbp"])  # 0.4 -> 0.6


def test_a_tariff_is_sized_on_the_ledger_count_of_starts_and_capped_at_its_budget():
    """Issue 26 item 6: sized on the starts the ledger pays for (warm-up referrals who start in the window
    included), not the window's referrals who had started by the end; and capped at the money."""
    rows = pd.DataFrame({"referrals": [500, 700], "vcse_uptake_rate": [0.5, 0.5], "tariff_starts": [300, 400],
                         "weeks": [52, 52], "population": [50_000, 50_000]})  # fmt: skip
    starts = optimise.starts_per_100k_year(rows)
    assert starts == pytest.approx(700.0)  # 300 and 400 starts a year in 50,000 adults: 600 and 800 per 100,000
    split = optimise.Split({"referral_tariff": 70_000.0})
    (policy,) = optimise.policies_for(split, defaults(), starts)
    assert policy == {"type": "referral_tariff", "gbp_per_referral": pytest.approx(100.0),
                      "cap_gbp_per_100k_year": 70_000.0}  # fmt: skip


def test_a_capped_tariff_never_pays_more_than_its_budget_and_counts_every_start():
    from spsim.model import SocialPrescribingModel
    from spsim.model.policies import ReferralTariff

    def run(**tariff):
        model = SocialPrescribingModel(rng=4, population=50_000, policies=[ReferralTariff(**tariff)])
        model.run_for(26)
        return model.ledger

    free = run(gbp_per_referral=500.0)
    capped = run(gbp_per_referral=500.0, cap_gbp_per_100k_year=20_000.0)
    budget = 20_000.0 / 2 * 26 / 52  # 50,000 adults for half a year
    assert free.tariffs_paid > budget  # uncapped, this tariff would overspend
    assert budget - 500.0 < capped.tariffs_paid <= budget
    assert capped.tariff_starts > capped.tariffs_paid / 500.0  # starts beyond the budget are counted, not paid
    assert run(gbp_per_referral=0.0).tariff_starts > 0  # counted with or without a tariff (the reference has none)


def stub_search(tmp_path, monkeypatch, value, levers, objective="nmb", draws=None, robust=0, named=()):
    """A search whose simulator is ``value(shares, point)`` -> dict of replicates.csv columns (reference: 0)."""
    stub_simulator(monkeypatch, value)
    return optimise.Search(reference=scenario.load("baseline"), named=[scenario.load(n) for n in named], levers=levers,
                           budget_gbp_year=50_000, objective=objective, replicates=2, weeks=13, warmup_weeks=0,
                           population=50_000, seed=3, out=tmp_path, robust=robust, draws=draws)  # fmt: skip


def stub_simulator(monkeypatch, value):
    """Every search's simulator replaced by ``value(shares, point)`` (see stub_search)."""
    monkeypatch.setattr(optimise, "candidate",
                        lambda name, split, budget, place, starts=None: SimpleNamespace(name=name, split=split))  # fmt: skip

    def evaluate(self, scenarios, label):
        rows = []
        for s, (i, point), r in itertools.product(scenarios, enumerate(self.draws), range(2)):
            columns = value(s.split.shares(), point) if hasattr(s, "split") else {}
            base = {"nmb_20k_gbp": 0.0, fifths.MOST: 0.0, fifths.LEAST: 0.0}
            rows.append({"scenario": s.name, "point": i, "replicate": r, **{k: v + 50 * r for k, v in {**base, **columns}.items()}})
        return pd.DataFrame(rows)

    monkeypatch.setattr(optimise.Search, "evaluate", evaluate)


def peaked(shares, point):
    """Best link worker share theta (0.3 at the central values): a benefit that is worst far from it."""
    theta = point.get("theta", 0.3)
    return {"nmb_20k_gbp": 10_000 - 40_000 * (shares["link_workers"] - theta) ** 2}


def test_robust_finds_the_split_best_in_expectation_not_at_the_central_values(tmp_path, monkeypatch):
    levers = ("link_workers", "vcse_grants")
    central = optimise.run(stub_search(tmp_path / "central", monkeypatch, peaked, levers), trials=25)
    assert central.loc[central["vs_reference"].idxmax(), "share_link_workers"] == pytest.approx(0.3, abs=0.04)
    # four draws, one far out: the expected benefit peaks at their mean, 0.45, not at the central value
    draws = [{"theta": t} for t in (0.2, 0.3, 0.35, 0.95)]
    search = stub_search(tmp_path / "robust", monkeypatch, peaked, levers, draws=draws, robust=4)
    table = optimise.run(search, trials=25)
    best = table.loc[table["vs_reference"].idxmax()]
    assert best["share_link_workers"] == pytest.approx(0.45, abs=0.04)
    expected = sum(peaked({"link_workers": best["share_link_workers"]}, d)["nmb_20k_gbp"] for d in draws) / 4
    assert best["vs_reference"] == pytest.approx(expected)  # the mean over draws of the paired difference
    decision = pd.read_csv(tmp_path / "robust" / "robust.csv").set_index("option")
    split = decision.index[0]
    assert split.startswith("split (trial") and decision.loc["baseline", "expected_value"] == 0
    # by hand: in the far draw the split loses to the reference, so it is best in 3 of 4 and regrets that loss
    values = [peaked({"link_workers": best["share_link_workers"]}, d)["nmb_20k_gbp"] for d in draws]
    assert decision.loc[split, "probability_best"] == sum(v > 0 for v in values) / 4
    assert decision.loc[split, "expected_regret"] == pytest.approx(sum(max(-v, 0) for v in values) / 4)
    assert len(pd.read_csv(tmp_path / "robust" / "by_draw.csv")) == 4
    assert "P(best)" in (tmp_path / "robust" / "optimise.md").read_text()


def traded(shares, point):
    """Link workers: most benefit, widest gap; grants: less benefit, narrower gap; the discharge pathway is
    beaten on both by grants, so the front is the splits without it."""
    lw, vcse, sd = shares["link_workers"], shares["vcse_grants"], shares["supported_discharge"]
    return {"nmb_20k_gbp": 10_000 * lw + 5_000 * vcse, fifths.LEAST: 1_000 * lw - 1_000 * vcse + 500 * sd}


def test_the_trade_off_front_of_benefit_and_the_equity_gap(tmp_path, monkeypatch):
    levers = ("link_workers", "vcse_grants", "supported_discharge")
    search = stub_search(tmp_path, monkeypatch, traded, levers, objective="equity", named=["fund_vcse"])
    table = optimise.run(search, trials=30)  # (the stand-in gives a named scenario the reference's values: 0, 0)
    front = pd.read_csv(tmp_path / "pareto.csv")
    # the front by brute force: no other trial at least as good on both and better on one
    b, g = table["vs_reference"], table["equity_gap"]
    expected = {t for t, bi, gi in zip(table["trial"], b, g, strict=True)
                if not ((b >= bi) & (g <= gi) & ((b > bi) | (g < gi))).any()}  # fmt: skip
    assert set(front["trial"]) == expected
    assert {1, 2} <= expected and 3 not in expected and 0 not in expected  # each lever alone; the even split
    assert front["vs_reference"].is_monotonic_decreasing  # ordered by benefit
    assert (front["equity_gap"].diff().dropna() <= 0).all()  # less benefit, a narrower gap: a trade-off
    assert front["share_supported_discharge"].mean() < table["share_supported_discharge"].mean()
    assert (tmp_path / "pareto.png").stat().st_size > 1000
    text = (tmp_path / "optimise.md").read_text()
    assert "trade-off front" in text and "| `fund_vcse` | +0 | +0.00 | beaten on both by a split on the front |" in text


def test_net_wellbeing_by_fifth_by_hand(monkeypatch):
    keys = {"point": 0, "scenario": "s", "replicate": 0}
    people = pd.DataFrame({"imd_quintile": [1, 1, 5, 3, 1], "censored": [False, False, False, False, True],
                           "swemwbs_above_natural": [2.0, 1.0, 0.5, 9.0, 100.0], **keys})  # fmt: skip
    levels = fifths.DEPRIVATION_LEVELS
    groups = pd.DataFrame({"dimension": ["deprivation"] * 5 + ["age_band"], "subgroup": [*levels, "18-24"],
                           "adults": [3000, 1, 1, 1, 500, 7], **keys})  # fmt: skip
    monkeypatch.setattr(fifths.designs, "records", lambda design, out, columns: people)
    monkeypatch.setattr(fifths.designs, "subgroups", lambda design, out: groups)
    row = fifths.by_fifth(None, None).iloc[0]
    assert row[fifths.MOST] == pytest.approx(1000 * 3.0 / 3000)  # the censored person is not counted
    assert row[fifths.LEAST] == pytest.approx(1000 * 0.5 / 500)
    assert fifths.gap_rows(pd.DataFrame([row])).iloc[0] == pytest.approx(0.0)


def test_a_resumed_search_with_other_settings_is_refused(tmp_path, monkeypatch):
    levers = ("link_workers", "vcse_grants")
    optimise.run(stub_search(tmp_path, monkeypatch, peaked, levers), trials=3)
    journal = (tmp_path / "optuna-journal.log").read_bytes()
    other = stub_search(tmp_path, monkeypatch, peaked, levers, objective="equity")
    with pytest.raises(optimise.DesignError, match="other settings .objective was 'nmb'"):
        optimise.run(other, trials=4)
    assert (tmp_path / "optuna-journal.log").read_bytes() == journal


def test_a_search_resumed_in_another_place_is_refused_in_one_line(tmp_path, monkeypatch, capsys):
    """Issue 26, 7: the place was not in the search's identity, so a search resumed with another --place kept
    the first place's trials and ran the next in the other. Now: one line, exit 2, nothing written; the same
    place copied elsewhere still resumes (its content is the place, not its path)."""
    from tests.test_places import TWO_AREAS

    from spsim.experiments.cli import commands as cli

    stub_simulator(monkeypatch, peaked)
    first, copy = tmp_path / "two.toml", tmp_path / "copy" / "two.toml"
    copy.parent.mkdir()
    first.write_text(TWO_AREAS)
    copy.write_text(TWO_AREAS)
    (tmp_path / "other.toml").write_text(TWO_AREAS.replace("imd_quintile = 5", "imd_quintile = 4"))
    out = tmp_path / "opt"
    search = ["optimise", "--budget", "5000", "--levers", "link_workers,vcse_grants", "--compare", "",
              "--population", "4000", "--years", "0.25", "--warmup-years", "0", "--replicates", "2", "--out", str(out)]
    assert cli.main([*search, "--trials", "3", "--place", str(first)]) == 0, capsys.readouterr().err
    assert cli.main([*search, "--trials", "4", "--place", str(copy)]) == 0, capsys.readouterr().err
    capsys.readouterr()
    before = sorted((p.relative_to(out), p.read_bytes()) for p in out.rglob("*") if p.is_file())
    for place in (["--place", str(tmp_path / "other.toml")], []):  # another file, and the embedded place
        code = cli.main([*search, "--trials", "5", *place])
        err = capsys.readouterr().err
        assert code == 2 and len(err.strip().splitlines()) == 1, err
        assert "other settings (place was 'sha256:" in err and "use a new --out" in err, err
        assert sorted((p.relative_to(out), p.read_bytes()) for p in out.rglob("*") if p.is_file()) == before
    assert len(pd.read_csv(out / "trials.csv")) == 4


def test_a_search_from_before_its_place_was_recorded_is_not_resumed(tmp_path, monkeypatch):
    levers = ("link_workers", "vcse_grants")
    search = stub_search(tmp_path, monkeypatch, peaked, levers)
    settings = search.settings()
    del settings["place"]
    monkeypatch.setattr(optimise.Search, "settings", lambda self: settings)  # as such a search wrote its journal
    optimise.run(search, trials=3)
    monkeypatch.undo()
    with pytest.raises(optimise.DesignError, match="other settings .place was not recorded, now 'default'"):
        optimise.run(stub_search(tmp_path, monkeypatch, peaked, levers), trials=4)


def test_the_same_seed_gives_the_same_trials_in_process_and_on_dask(tmp_path):
    """Two real (tiny) searches, one on the process executor and one through a Dask client: the same splits and
    the same numbers, whatever ran where. Kept to seconds: the process executor with one worker runs in this
    process, and the Dask cluster is this process's threads (a pool or a cluster of processes spends 5-10 s
    starting on 2 cores; test_runner.py compares a pool of two and a cluster of processes on the same design,
    and a search's tables are built from its designs' rows in a fixed order)."""
    from distributed import LocalCluster

    tables = {}
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        for executor, scheduler in (("process", None), ("dask", cluster.scheduler_address)):
            search = optimise.Search(reference=scenario.load("baseline"), named=[], levers=("link_workers", "vcse_grants"),
                                     budget_gbp_year=2_000, objective="nmb", replicates=2, weeks=2, warmup_weeks=0,
                                     population=2_000, seed=11, out=tmp_path / executor, executor=executor,
                                     scheduler=scheduler)  # fmt: skip
            tables[executor] = optimise.run(search, trials=3)
    pd.testing.assert_frame_equal(tables["process"], tables["dask"])
    assert (tmp_path / "dask" / "trials.csv").read_bytes() == (tmp_path / "process" / "trials.csv").read_bytes()
    assert tables["dask"]["vs_reference"].notna().all() and len(tables["dask"]) == 3
