"""Reviews over rows (model/review_rows.py): who still finds nothing in reach, decided for a week's reviews at once,
is each person's own ``matching._still_nothing_in_reach``; and a run with reviews over rows gives exactly the numbers
of each person's own review run one by one, in referral order."""

from __future__ import annotations

import numpy as np
import pytest

from spsim.model import matching
from spsim.model.review_rows import still_nothing_in_reach
from tests.test_matching import add_group, calm_model, refer
from spsim.model import Patient, SocialPrescribingModel
from tests.test_regression import CASES


def test_who_still_finds_nothing_in_reach_is_each_ones_own_answer():
    """People noted at different times, then groups opened (in and out of reach, wanted or not, charging, on the edge
    of someone's reach) and closed: the batch's answer is each person's, round after round."""
    model = calm_model()
    for group in model.community.groups():
        model.community.close_group(group)
    rng = np.random.default_rng(5)
    worker = model.workforce.link_workers()[0]
    patients = []
    for k in range(60):
        patient = refer(model, k, wants=tuple(rng.choice(4, size=2, replace=False).tolist()), x=float(rng.random() * 4),
                        y=float(rng.random() * 4), reach=float(rng.random()), cannot_pay=bool(rng.random() < 0.4))
        if k == 4:  # at a place and reach exact in binary: a group ``reach`` east of them is exactly at its edge
            patient.person = patient.person._replace(x=1.0, y=1.0, reach_km=0.5)
        patient.link_worker = worker if k % 9 else None  # (someone without one is reviewed as themselves)
        patient.wants_activity = k % 13 != 5
        assert matching.choose_group(patient, model) is None  # nothing open: noted
        patients.append(patient)
        if k % 10 == 0:  # notes made before and after groups opened (none in reach: they are far away)
            add_group(model, int(rng.integers(0, 4)), 50.0, 50.0)
    patients[3].cannot_pay = not patients[3].cannot_pay  # who they are changed since their note: they look again
    edge = patients[4]
    add_group(model, edge.preferences[0], edge.person.x + edge.person.reach_km, edge.person.y)  # on the edge of reach
    stills = []
    for _ in range(6):
        for _ in range(int(rng.integers(1, 4))):
            add_group(model, int(rng.integers(0, 4)), *(float(v) for v in rng.random(2) * 4),
                      charges=bool(rng.random() < 0.3))  # fmt: skip
        if rng.random() < 0.5:
            model.community.close_group(model.community.groups()[int(rng.integers(0, len(model.community.groups())))])
        still = still_nothing_in_reach(patients, model).tolist()
        # each one's own (which notes again those who still find nothing: the next round reads from there)
        own = [p.nothing_in_reach is not None and p.wants_activity and p.link_worker is not None
               and matching._still_nothing_in_reach(p, model) for p in patients]  # fmt: skip
        assert still == own
        stills.append(still)
        for patient in patients:  # someone who finds something now is looked for afresh: noted again if nothing
            if patient.nothing_in_reach is not None and not own[patients.index(patient)]:
                matching.choose_group(patient, model)
    assert not stills[0][4] and not stills[0][3]  # the group on the edge of reach; a different seeker
    assert sum(stills[0]) > sum(stills[-1]) > 0, [sum(still) for still in stills]


def _run(case: str, over_rows: bool) -> tuple:
    """A regression case's three years, reviews over rows (whatever their number in a week) or one by one."""
    params, policies = CASES[case]
    model = SocialPrescribingModel(rng=7, policies=policies, **params)
    model.due.fewest.clear()
    if not over_rows:
        del model.due.runners["review"]
    model.run_for(156)
    people = sorted(model.agents_by_type[Patient], key=lambda patient: patient.row)  # those still referred
    model.close_open_records()
    return (model.outcomes().sort_values("patient").to_csv(index=False), model.counters, model.due.added,
            sorted(map(str, model.transitions.items())), model.datacollector.get_model_vars_dataframe().to_csv(),
            [(patient.row, patient.nothing_in_reach and patient.nothing_in_reach[1]) for patient in people])


@pytest.mark.parametrize("case", ["baseline", "levers"])
def test_reviews_over_rows_equal_them_one_by_one(case):
    """Every number, every review made due and each person's note of the groups seen (``due.added``: a review
    left out would change no outcome of someone who finds nothing again, but would be one fewer)."""
    assert _run(case, True) == _run(case, False)
