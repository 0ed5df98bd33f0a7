"""The pathway's stages run over rows (model/assessment_rows.py, support_rows.py, setback_rows.py, contact_rows.py,
moving on in attendance.py) give exactly the numbers of each person's own method run one by one, in referral order."""

from __future__ import annotations

import pytest

from spsim.model import SocialPrescribingModel
from tests.test_regression import CASES

STAGES_OVER_ROWS = ("assessment", "end_support", "setback", "setback_end", "move_on", "first_contact")


def _run(case: str, one_by_one: tuple[str, ...], as_set: bool = False) -> tuple:
    """``one_by_one``: stages run by each person's own method; the rest over rows whatever their number (``as_set``:
    as the model is set, a week's few rows one by one: ``DueWeeks.fewest``)."""
    params, policies = CASES[case]
    model = SocialPrescribingModel(rng=7, policies=policies, **params)
    if not as_set:
        model.due.fewest.clear()
    for stage in one_by_one:  # the Patient's own method, one person at a time
        if stage == "first_contact":
            model.workforce.contacts_over_rows = False
        else:
            del model.due.runners[stage]
    model.run_for(156)  # the levers' case needs its three years for discharges at the end of support
    model.close_open_records()
    return (model.outcomes().sort_values("patient").to_csv(index=False), model.outcomes()["patient"].tolist(),
            model.datacollector.get_model_vars_dataframe().to_csv(), sorted(map(str, model.transitions.items())),
            model.counters)


@pytest.mark.parametrize("case", ["baseline", "levers"])
def test_each_stage_over_rows_equals_it_one_by_one(case):
    over_rows = _run(case, ())
    for stage in STAGES_OVER_ROWS:
        assert _run(case, (stage,)) == over_rows, stage
    assert _run(case, (), as_set=True) == over_rows
