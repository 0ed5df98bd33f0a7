"""The week's group members as rows (model/members.py): the rows of ``model.attending`` in its order (the order
people last joined a group), kept as an array from week to week, whoever leaves, joins again or is re-placed."""

from __future__ import annotations

import numpy as np
import pytest

from spsim.model import SocialPrescribingModel
from spsim.model.members import MemberRows
from spsim.model.states import PathwayState
from tests.test_regression import CASES

S = PathwayState
OUT = S.WITH_LINK_WORKER  # any state outside the groups


def _states(*in_group: int) -> np.ndarray:
    """A register's state column of 10 rows, the rows ``in_group`` attending and the rest outside the groups."""
    state = np.full(10, OUT, dtype=np.int8)
    state[list(in_group)] = S.ATTENDING
    return state


def test_members_are_listed_in_the_order_they_last_joined():
    members = MemberRows()
    for row in (4, 1, 7):
        members.joined(row)
    assert members.now(_states(1, 4, 7)).tolist() == [4, 1, 7]
    # 1 leaves; 2 joins; 4 leaves and joins again, behind 2; 9 joins, leaves and joins again; 5 joins and leaves
    for row in (2, 4, 9, 5, 9):
        members.joined(row)
    state = _states(2, 4, 7, 9)
    state[7] = S.VOLUNTEERING  # a move within the group keeps their place
    assert members.now(state).tolist() == [7, 2, 4, 9]
    assert members.now(state).tolist() == [7, 2, 4, 9]  # read again: nobody moved
    assert members.now(_states(2, 9)).tolist() == [2, 9]


def test_a_register_grown_since_the_last_reading_is_read_whole():
    members = MemberRows()
    members.joined(3)
    assert members.now(_states(3)).tolist() == [3]
    members.joined(25)
    state = np.full(40, OUT, dtype=np.int8)
    state[[3, 25]] = S.SUSTAINED
    assert members.now(state).tolist() == [3, 25]


@pytest.mark.parametrize("case", ["baseline", "levers"])
def test_the_rows_are_the_members_dict_in_its_order_every_week(case):
    params, policies = CASES[case]
    model = SocialPrescribingModel(rng=11, policies=policies, **params)
    not_by_row = 0
    for _ in range(104):
        model.step()
        rows = model.member_rows.now(model.register.state)
        assert rows.tolist() == list(model.attending)
        not_by_row += bool(len(rows)) and bool((np.diff(rows) < 0).any())
    assert not_by_row > 50  # the order people joined in, which is not their rows' order


def test_a_joining_not_noted_is_refused_not_left_out():
    params, policies = CASES["baseline"]
    model = SocialPrescribingModel(rng=11, policies=policies, **params)
    model.run_for(30)
    assert model.attending
    model.member_rows = MemberRows()  # (as if everyone had joined some way that does not note it)
    with pytest.raises(RuntimeError, match="not noted"):
        model.step()
