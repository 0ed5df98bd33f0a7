"""The groups' week worked out for every group at once (model/group_ledger.py) gives the numbers of each group's own
week (``VCSEGroup.step``, run for every open group in turn), to the bit: with closures mid-week (their people
re-matched into groups later in the order), closed groups' accounts left as they were, grants and a tariff."""

from __future__ import annotations

import numpy as np
import pytest

import spsim.model.model as model_module
from spsim.model import SocialPrescribingModel


def each_group_in_turn(model, groups) -> None:
    """The groups' week as it is defined: each open group's own ``step``, in Mesa's order."""
    for group in groups:
        if group.is_open:  # (one may have closed earlier in the week)
            group.step()


def run(monkeypatch, by_steps: bool, **policy) -> SocialPrescribingModel:
    with monkeypatch.context() as patched:
        if by_steps:
            patched.setattr(model_module, "run_groups_week", each_group_in_turn)
        model = SocialPrescribingModel(rng=8, population=20_000, referral_rate_per_1000=40.0,
                                       cost_per_attendee_week_gbp=30.0, group_reserve_months_mean=2.0,
                                       **policy)  # fmt: skip
        model.run_for(60)
    return model


@pytest.mark.parametrize("policy", [{}, {"vcse_grant_per_100k_year_gbp": 100_000.0, "referral_tariff_gbp": 50.0}],
                         ids=["no money", "grants and a tariff"])  # fmt: skip
def test_the_groups_week_at_once_gives_each_groups_own_weeks_numbers(monkeypatch, policy):
    at_once, by_steps = run(monkeypatch, False, **policy), run(monkeypatch, True, **policy)
    # closures mid-week, with closed groups among the rows the week reads (not only the last groups' rows)
    assert by_steps.community.groups_closed >= 10
    assert min(group.slot for group in by_steps.community.closed_groups) < by_steps.community.ledger.size // 2
    assert [g.unique_id for g in at_once.community.closed_groups] == [
        g.unique_id for g in by_steps.community.closed_groups]  # fmt: skip
    ledger, reference = at_once.community.ledger, by_steps.community.ledger
    assert ledger.size == reference.size
    for name, column in reference.columns.items():  # every group's money and counts, closed ones too, to the bit
        assert np.array_equal(ledger.columns[name][: ledger.size].view(np.uint8),
                              column[: reference.size].view(np.uint8)), name  # fmt: skip
    assert at_once.counters.took_up_activity == by_steps.counters.took_up_activity
    assert at_once.ledger.tariffs_paid == by_steps.ledger.tariffs_paid
