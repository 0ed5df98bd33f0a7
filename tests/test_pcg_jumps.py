"""PCG64 read at many places at once (model/pcg_jumps.py) gives NumPy's own generator's outputs, to the bit."""

from __future__ import annotations

import numpy as np
import pytest

from spsim.model.pcg_jumps import DIGIT_BITS, FEW, Jumps


def _numpy_outputs(state: dict, steps: int, width: int) -> np.ndarray:
    generator = np.random.PCG64()
    generator.state = state
    generator.advance(steps)
    return generator.random_raw(width)


@pytest.mark.parametrize("seed", [0, 1, 20261124])
def test_outputs_after_any_number_of_steps_are_numpys(seed):
    stream = np.random.PCG64(seed)
    stream.random_raw(13)  # a stream already in use
    state = stream.state
    jumps = Jumps(state["state"]["state"], state["state"]["inc"], 30_000_000)
    edges = [0, 1, 2, (1 << DIGIT_BITS) - 1, 1 << DIGIT_BITS, (1 << DIGIT_BITS) + 1, (1 << 2 * DIGIT_BITS) - 1,
             1 << 2 * DIGIT_BITS, 29_999_999]  # fmt: skip
    steps = np.array(edges + np.random.default_rng(seed).integers(0, 30_000_000, 200).tolist() + [5, 5])
    for width in (1, 3):
        drawn = jumps.draws(steps, width)
        assert drawn.shape == (len(steps), width) and drawn.dtype == np.uint64
        for n, row in zip(steps.tolist(), drawn, strict=True):
            assert np.array_equal(row, _numpy_outputs(state, n, width)), n


def test_a_few_outputs_stepped_in_python_are_the_arrays_ones():
    """A read of at most ``FEW`` outputs is stepped in Python integers: the same outputs as the array work's."""
    state = np.random.PCG64(20261207).state["state"]
    jumps = Jumps(state["state"], state["inc"], 3_000_000)
    steps = np.array([0, 1, 1023, 1024, 1025, (1 << 20) - 1, 1 << 20, 2_999_990, 7, 7])
    for width in (1, 3):
        few = steps[: FEW // width]
        whole = {"bit_generator": "PCG64", "state": state, "has_uint32": 0, "uinteger": 0}
        assert np.array_equal(jumps.draws(few, width), np.array([_numpy_outputs(whole, n, width) for n in few.tolist()]))
        assert np.array_equal(jumps.draws(few, width), jumps.draws(np.tile(few, FEW), width)[: len(few)])


def test_no_steps_and_too_many():
    state = np.random.PCG64(3).state["state"]
    jumps = Jumps(state["state"], state["inc"], 5_000)
    assert jumps.draws(np.array([], dtype=np.int64), 2).shape == (0, 2)
    with pytest.raises(ValueError, match="beyond"):
        jumps.draws(np.array([jumps.limit]), 1)


def test_jumps_from_several_starts_are_each_starts_own():
    """A table of several starts (where a catchment's columns begin in its stream) jumps each row from the start it
    names, the same outputs as a table of that start alone, in arrays and in Python integers."""
    stream = np.random.PCG64(20261207)
    starts = []
    for skip in (0, 5, 70_000):
        stream.random_raw(skip)
        starts.append(stream.state["state"]["state"])
    inc = stream.state["state"]["inc"]
    jumps = Jumps(starts, inc, 3_000_000)
    steps = np.array([0, 1, 1023, 1024, 1025, (1 << 20) - 1, 1 << 20, 2_999_990, 7, 7, *range(99, 4_000, 97)])
    start = np.arange(len(steps)) % len(starts)
    for width in (1, 3):
        alone = [Jumps(state, inc, 3_000_000).draws(steps, width) for state in starts]
        expected = np.array([alone[k][row] for row, k in enumerate(start.tolist())])
        assert np.array_equal(jumps.draws(steps, width, start), expected)
        few = slice(FEW // width)  # (all of them: arrays; a few: Python)
        assert len(steps) * width > FEW
        assert np.array_equal(jumps.draws(steps[few], width, start[few]), expected[few])
