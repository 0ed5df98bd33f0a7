"""The pathway's kinds run over rows (model/support_rows.py, model/setback_rows.py) give exactly the numbers of
each person's own method run one by one, in referral order."""

from __future__ import annotations

import pytest

from spsim.model import SocialPrescribingModel
from tests.test_regression import CASES

KINDS_OVER_ROWS = ("end_support", "setback")


def _run(case: str, one_by_one: tuple[str, ...]) -> tuple:
    params, policies = CASES[case]
    model = SocialPrescribingModel(rng=7, policies=policies, **params)
    for kind in one_by_one:
        del model.due.runners[kind]  # the Patient's own method, one person at a time
    model.run_for(156)  # the levers' case needs its three years for discharges at the end of support
    model.close_open_records()
    return (model.outcomes().sort_values("patient").to_csv(index=False), model.outcomes()["patient"].tolist(),
            model.datacollector.get_model_vars_dataframe().to_csv(), sorted(map(str, model.transitions.items())))


@pytest.mark.parametrize("case", ["baseline", "levers"])
def test_each_kind_over_rows_equals_it_one_by_one(case):
    over_rows = _run(case, ())
    for kind in KINDS_OVER_ROWS:
        assert _run(case, (kind,)) == over_rows, kind
