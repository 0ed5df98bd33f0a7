"""Baseline regression: fixed seeds give exactly the recorded numbers (Starsim's baseline tests).

An optimisation must leave these unchanged. A deliberate change of behaviour regenerates them with
``python -m tests.test_regression --update`` and says why in the commit message.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from spsim.model import SocialPrescribingModel
from spsim.model.policies import LinkWorkerFunding, PeerSupportProgramme, SupportedDischarge, VCSECapacityGrants

GOLDEN = Path(__file__).parent / "golden" / "regression.json"
CASES = {
    "baseline": ({"population": 30_000}, ()),
    "levers": (
        {"population": 30_000, "support_weeks": 52, "open_door": True, "referral_tariff_gbp": 100.0},
        (SupportedDischarge(start_week=10), PeerSupportProgramme(), VCSECapacityGrants(gbp_per_100k_year=80_000.0)),
    ),
    # more primary-care link worker posts from week 13 (as more_link_workers buys them): what supply does to demand
    "more_posts": ({"population": 30_000}, (LinkWorkerFunding(start_week=13, budget_gbp_per_100k_year=100_000.0),)),
    # the same without supply-induced demand: exactly the numbers more_posts gave before referrals followed supply
    "more_posts_inelastic": ({"population": 30_000, "referral_supply_elasticity": 0.0},
                             (LinkWorkerFunding(start_week=13, budget_gbp_per_100k_year=100_000.0),)),
}


def fingerprint(params: dict, policies) -> dict:
    model = SocialPrescribingModel(rng=20261124, policies=policies, **params)
    model.run_for(156)
    model.close_open_records()
    out = model.outcomes()
    series = model.datacollector.get_model_vars_dataframe()
    c = model.counters
    return {
        "in_state": list(c.in_state),
        "milestones": [c.referred, c.reached_link_worker, c.took_up_activity, c.sustained, c.volunteered,
                       c.dropped_out, c.setbacks, c.reengaged_after_setback, c.mh_discharged],  # fmt: skip
        "groups_closed": model.community.groups_closed,
        "link_workers_left": model.workforce.link_workers_left,
        "spend": round(model.ledger.commissioner_spend, 4),
        "swemwbs_end_sum": round(float(out["swemwbs_end"].sum()), 6),
        "ucla_end_sum": round(float(out["ucla_end"].sum()), 6),
        "found_work": int(out["found_work"].sum()),
        # the economic account (issue 26: every account followed to the end)
        "qalys_gained_sum": round(float(out["qalys_gained"].sum()), 6),
        "care_cost_change_sum": round(float(out["care_cost_change_gbp"].sum()), 4),
        "discharged_after_follow_up": int(out["mh_discharged_after_follow_up"].sum()),
        "attending_series_sum": int(series["in_groups"].sum()),
        "group_waiting_series_sum": int(series["group_waiting"].sum()),
    }


@pytest.mark.parametrize("case", list(CASES))
def test_fixed_seed_gives_the_recorded_numbers(case):
    expected = json.loads(GOLDEN.read_text())[case]
    assert fingerprint(*CASES[case]) == expected


if __name__ == "__main__" and "--update" in sys.argv:
    GOLDEN.write_text(json.dumps({name: fingerprint(*case) for name, case in CASES.items()}, indent=1) + "\n")
    print(f"wrote {GOLDEN}")


def test_the_fingerprint_refuses_an_option_it_does_not_know_and_writes_nothing(tmp_path, monkeypatch, capsys):
    from tests import fingerprint as fingerprint_tool

    monkeypatch.chdir(tmp_path)
    for argv in (["--help"], ["--big", "--help"], ["--bigg", "out.json"], []):
        assert fingerprint_tool.main(argv) == 2
    assert list(tmp_path.iterdir()) == []
    assert "--compare before.json after.json" in capsys.readouterr().err
