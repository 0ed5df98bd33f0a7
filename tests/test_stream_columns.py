"""Uniform draws kept as the place in the stream they come from (model/stream_columns.py) read the numbers that
drawing them gave, to the bit, and leave the stream where drawing them left it."""

from __future__ import annotations

import numpy as np

from spsim.model.stream_columns import StreamColumns, read_columns


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


def test_columns_read_together_read_each_ones_numbers():
    """``read_columns``: one jump of the stream for several columns of it, each from its own start (different widths
    and scales, something drawn between them), and one at a time for columns of different streams: the same numbers
    as each column read alone, and as drawing them gave."""
    n = 5_000
    g = np.random.default_rng(11)
    first, second = StreamColumns(g, _blocks(n, 999), 1, 7.5), StreamColumns(g, _blocks(n, 999), 3)
    g.standard_normal(3)
    apart = StreamColumns(g, _blocks(n, 999), 2)
    other = StreamColumns(np.random.default_rng(12), _blocks(n, 999), 1)
    people = np.array([4_999, 0, 12, 12, 2_500])
    for columns in ((first, second), (second, apart), (first, second, apart), (apart, other, first)):
        together = read_columns(columns, people)
        for column, read in zip(columns, together, strict=True):
            assert np.array_equal(read, column.read(people)) and read.dtype == np.float32
    drawn = np.random.default_rng(11)
    kept = (drawn.random((n, 1)) * 7.5).astype(np.float32), drawn.random((n, 3)).astype(np.float32)
    drawn.standard_normal(3)
    kept += (drawn.random((n, 2)).astype(np.float32),)
    for few in ([], [4_999], [0, 12, 12], [7, 4_999, 3, 0, 2_500, 1_000], list(range(0, n, 50))):  # (Python, arrays)
        together = read_columns((first, second, apart), np.array(few, dtype=np.int64))
        for read, drawn_column in zip(together, kept, strict=True):
            assert read.tobytes() == drawn_column[few].tobytes() and read.shape == (len(few), drawn_column.shape[1])
