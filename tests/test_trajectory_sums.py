"""The trajectories' sums of squares (model/trajectories.py) taken for all of a cohort's observations in one
``np.vecdot`` call: the same numbers, to the bit, as each observation's own BLAS dot (the whole cohort's read in place
from its people x observations array, strided; a group's from a contiguous copy), which adds in a different order
from NumPy's pairwise sums."""

from types import SimpleNamespace

import numpy as np

from spsim.model.trajectories import GROUPS, OBSERVATIONS, Trajectories


def _by_row(rows: np.ndarray) -> list[float]:
    return [float(row.dot(row)) for row in rows]


def test_vecdot_is_each_rows_own_dot():
    rng = np.random.default_rng(3)
    for _ in range(500):
        n, taken = int(rng.integers(0, 300)), int(rng.integers(1, OBSERVATIONS + 1))
        # both measures' changes, 2 x people x observations, as a cohort keeps them
        changes = rng.normal(size=(2, n, OBSERVATIONS)) * rng.choice([1e-3, 1.0, 9.0, 1e5])
        whole = changes[:, :, :taken].transpose(0, 2, 1)  # strided, as the whole cohort is read
        group = changes[:, rng.random(n) < 0.5, :taken].transpose(0, 2, 1).copy()  # contiguous, as a group's copy
        for rows in (whole, group):
            assert np.vecdot(rows, rows).tolist() == [_by_row(measure) for measure in rows]


def test_a_finished_cohorts_sums_by_group():
    """Each group's and observation's count, sums and sums of squares, as each observation's column summed alone
    (NumPy's pairwise sum of a contiguous copy) and dotted with itself (BLAS: in place for everyone, a copy for a group),
    added to 0.0 as plain numbers."""
    rng = np.random.default_rng(5)
    n, taken = 257, 6
    dsw, dlo = rng.normal(size=(n, OBSERVATIONS)) * 4, rng.normal(size=(n, OBSERVATIONS))
    took_up = rng.random(n) < 0.4
    trajectories = Trajectories()
    trajectories._register = SimpleNamespace(took_up=np.r_[np.zeros(10, dtype=bool), took_up])
    trajectories._cohorts[3] = slice(10, 10 + n)
    trajectories._points[3] = (taken, np.stack((dsw, dlo)))
    trajectories._finish(3)
    rows = iter(trajectories.rows())
    for group, members in zip(GROUPS, (slice(None), took_up, ~took_up), strict=True):
        sw, lo = dsw[members, :taken], dlo[members, :taken]
        squares = (_by_row(sw.T), _by_row(lo.T)) if group == GROUPS[0] else (_by_row(sw.T.copy()), _by_row(lo.T.copy()))
        for k in range(taken):
            expected = [len(sw), float(sw.T.copy()[k].sum()), squares[0][k], float(lo.T.copy()[k].sum()), squares[1][k]]
            row = next(rows)
            assert (row["group"], row["months_since_referral"]) == (group, 3 * k)
            assert [row[key] for key in ("n", "sum_swemwbs_change", "sumsq_swemwbs_change", "sum_ucla_change",
                                          "sumsq_ucla_change")] == [0.0 + x for x in expected]  # fmt: skip
            assert all(type(row[key]) is float for key in row if key not in ("group", "months_since_referral"))
    assert next(rows, None) is None
