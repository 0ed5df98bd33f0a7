"""Uniform draws kept as the place in the stream they come from (model/stream_columns.py) read the numbers that
drawing them gave, to the bit, and leave the stream where drawing them left it."""

from __future__ import annotations

import numpy as np

from spsim.model.stream_columns import StreamColumns, read_pair


def _blocks(n: int, size: int) -> list[slice]:
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


def test_a_persons_draws_are_the_drawn_columns_to_the_bit():
    n, width = 10_000, 3
    drawn = np.random.default_rng(7)
    drawn.standard_normal(11)  # a stream already in use
    kept = drawn.random((n, width)).astype(np.float32)
    after = drawn.random(5)
    kept_as_place = np.random.default_rng(7)
    kept_as_place.standard_normal(11)
    columns = StreamColumns(kept_as_place, _blocks(n, 1024), width)
    assert np.array_equal(kept_as_place.random(5), after)  # the stream moved on as drawing them did
    people = np.array([9_999, 0, 17, 17, 4_096, 1, 2, 5_000, 9_998])  # any order, repeats, neighbours, the ends
    assert np.array_equal(columns.read(people), kept[people])
    assert columns.read(people).dtype == np.float32 and columns.read(np.array([], dtype=int)).shape == (0, width)
    for k in range(width):
        assert np.array_equal(columns.column(k), kept[:, k])


def test_scaled_draws_are_scaled_before_they_are_rounded_to_32_bits():
    n, side = 3_000, 12.247
    kept = (np.random.default_rng(5).random(n) * side).astype(np.float32)
    columns = StreamColumns(np.random.default_rng(5), _blocks(n, 700), 1, side)
    people = np.arange(0, n, 3)
    assert np.array_equal(columns.read(people)[:, 0], kept[people]) and np.array_equal(columns.column(0), kept)


def test_the_catchment_reads_the_same_person_however_many_are_read_with_them():
    from spsim.model import SocialPrescribingModel

    catchment = SocialPrescribingModel(rng=3, population=5_000).catchment
    alone = [catchment.person(i) for i in (4_321, 12, 2_500)]
    assert catchment.people([4_321, 12, 2_500]) == alone


def test_a_pair_of_columns_read_together_reads_each_ones_numbers():
    """``read_pair``: one jump of the stream when the second column's draws follow the first's (different widths and
    scales), and two reads when something was drawn between them: the same numbers either way."""
    n = 5_000
    g = np.random.default_rng(11)
    first, second = StreamColumns(g, _blocks(n, 999), 1, 7.5), StreamColumns(g, _blocks(n, 999), 3)
    g.standard_normal(3)
    apart = StreamColumns(g, _blocks(n, 999), 2)
    people = np.array([4_999, 0, 12, 12, 2_500])
    for a, b in ((first, second), (second, apart)):
        together = read_pair(a, b, people)
        assert np.array_equal(together[0], a.read(people)) and np.array_equal(together[1], b.read(people))
        assert together[0].dtype == together[1].dtype == np.float32
    assert first._with_next is not None and second._with_next is None  # (the pair apart was read one by one)
    drawn = np.random.default_rng(11)
    kept = (drawn.random((n, 1)) * 7.5).astype(np.float32), drawn.random((n, 3)).astype(np.float32)
    for few in ([], [4_999], [0, 12, 12], [7, 4_999, 3, 0, 2_500, 1_000], list(range(0, n, 50))):  # (Python, arrays)
        together = read_pair(first, second, np.array(few, dtype=np.int64))
        assert together[0].tobytes() == kept[0][few].tobytes() and together[1].tobytes() == kept[1][few].tobytes()
        assert together[0].shape == (len(few), 1) and together[1].shape == (len(few), 3)
