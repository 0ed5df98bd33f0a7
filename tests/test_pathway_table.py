"""The pathway as data: the transition table is the pathway the model runs, no more and no less, and the
documents show the diagram drawn from it."""

from __future__ import annotations

from collections import Counter

import pytest

from spsim.experiments.reporting import pathway_diagram
from spsim.model import SocialPrescribingModel
from spsim.model.policies import VCSECapacityGrants
from spsim.model.states import LEGAL, TERMINAL, TRANSITIONS, Event, IllegalTransition, PathwayState
from tests import builders

S = PathwayState
# Runs chosen so that, together, they use every arrow: the ordinary pathway, the counterfactual, long
# open-door support with staff turnover, and places in short supply (groups that close, grants that end
# and volunteers who fill a group), which is where the rare re-matching moves happen.
SCARCE = dict(groups_per_100k=30.0, group_places_mean=2.0, sustained_weeks=2, places_per_volunteer=0.0,
              group_margin_mean=-0.2, group_reserve_months_mean=4.0, new_groups_per_100k_year=30.0,
              move_on_weeks_mean=100.0)  # fmt: skip
CLOSING = dict(groups_per_100k=20.0, group_margin_mean=-0.3, group_reserve_months_mean=3.0, support_weeks=104,
               setback_rate_per_year=3.0, sustained_weeks=4, volunteer_prob=0.5, group_places_mean=3.0,
               new_groups_per_100k_year=20.0)  # fmt: skip
RUNS = [
    (1, {}, ()),
    (1, {"social_prescribing": False}, ()),
    (1, {"groups_per_100k": 10.0, "group_margin_mean": -0.2}, ()),  # closures after support has ended
    (5, {"support_weeks": 78, "open_door": True, "supported_discharge": True, "peer_programme": True,
         "volunteer_prob": 0.5, "lw_quit_rate_per_year": 1.0}, ()),  # fmt: skip
    *[(seed, CLOSING, (VCSECapacityGrants(gbp_per_100k_year=200_000.0, end_week=50),)) for seed in range(2)],
    *[(seed, {**SCARCE, "volunteer_prob": v}, (VCSECapacityGrants(gbp_per_100k_year=400_000.0, end_week=40),))
      for seed in range(2) for v in (0.0, 1.0)],
]  # fmt: skip


@pytest.fixture(scope="module")
def observed() -> Counter:
    seen: Counter = Counter()
    for seed, params, policies in RUNS:
        model = SocialPrescribingModel(rng=seed, population=30_000, policies=policies, **params)
        model.run_for(120)
        seen.update(model.transitions)
    return seen


@pytest.mark.slow  # the runs behind `observed` (made once for the module)
def test_every_move_the_model_makes_is_in_the_table(observed):
    assert set(observed) <= LEGAL


@pytest.mark.slow
def test_every_row_of_the_table_happens_in_some_run(observed):
    unused = [f"{t.source.name if t.source is not None else 'new'} -> {t.target.name} on {t.event.name}"
              for t in TRANSITIONS if t not in observed]  # fmt: skip
    assert not unused, f"rows no run uses (impossible moves, or the runs need a case): {unused}"


def test_a_move_not_in_the_table_is_refused():
    model = builders.calm_model({"referral_rate_per_1000": 0.0}, population=10_000)
    (patient,) = builders.refer_people(model, [0])
    assert patient.state is S.AWAITING_LINK_WORKER
    with pytest.raises(IllegalTransition, match="AWAITING_LINK_WORKER -> MOVED_ON"):
        patient.move_to(S.MOVED_ON, Event.MOVED_ON)
    with pytest.raises(IllegalTransition):  # a legal pair of states, but not for this event
        patient.move_to(S.WITH_LINK_WORKER, Event.BACK_TO_LINK_WORKER)


def test_the_documents_show_the_diagram_of_the_table():
    diagram = pathway_diagram.render()
    for path in pathway_diagram.DOCUMENTS:
        text = path.read_text()
        assert pathway_diagram.updated(text, diagram) == text, f"run `spsim diagram` to refresh {path.name}"
    # one arrow per pair of states in the table, and one out of each terminal state
    assert diagram.count(" --> ") == len({(t.source, t.target) for t in TRANSITIONS}) + len(TERMINAL)
