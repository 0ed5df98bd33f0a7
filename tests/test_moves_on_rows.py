"""Moving on run over a week's rows (``attendance.run_moves_on``, a runner of the due weeks) gives exactly the numbers
of each person's own ``Attendance.move_on`` run one by one, in referral order."""

from __future__ import annotations

from functools import partial

import pytest

from spsim.model import SocialPrescribingModel
from spsim.model.attendance import run_moves_on
from spsim.model.states import Event, PathwayState
from tests.test_regression import CASES


def _run(case: str, over_rows: bool) -> tuple:
    params, policies = CASES[case]
    model = SocialPrescribingModel(rng=7, policies=policies, **params)
    if over_rows:  # whatever the week's number (a week of a small place has a few)
        model.due.runners["move_on"] = partial(run_moves_on, model)
        model.due.fewest["move_on"] = 0
    else:
        model.due.runners.pop("move_on", None)
    model.run_for(156)
    model.close_open_records()
    return model.transitions, (model.outcomes().sort_values("patient").to_csv(index=False), model.outcomes()["patient"].tolist(),
            model.datacollector.get_model_vars_dataframe().to_csv(), sorted(map(str, model.transitions.items())),
            model.counters)


@pytest.mark.parametrize("case", ["baseline", "levers"])
def test_moving_on_over_rows_equals_it_one_by_one(case):
    transitions, one_by_one = _run(case, over_rows=False)
    for state in (PathwayState.SUSTAINED, PathwayState.VOLUNTEERING):  # both kinds of leaver, in batches of each
        assert transitions[state, PathwayState.MOVED_ON, Event.MOVED_ON] > 0
    assert _run(case, over_rows=True)[1] == one_by_one
