"""The week's reading finds its rows from the mask it was chosen by (model/week_reading.py): the same places as a
search of its sorted rows, and None whenever it does not hold every row asked for."""

import numpy as np

from spsim.model.week_reading import Reading


def _reading(first: int, wanted: np.ndarray) -> Reading:
    rows = first + np.flatnonzero(wanted)
    return Reading((0, 0, None), first, wanted, (rows,))


def test_places_are_the_sorted_rows_search():
    rng = np.random.default_rng(7)
    for wanted in (rng.random(5_000) < 0.55, np.ones(5_000, dtype=bool)):  # (some of a stretch, or all of it)
        reading = _reading(1_000, wanted)
        rows = reading.values[0]
        for asked in (rows, rows[rng.random(len(rows)) < 0.3], rows[::-1], rows[:0]):
            assert np.array_equal(reading.places(asked), np.searchsorted(rows, asked))


def test_rows_it_does_not_hold_give_none():
    wanted = np.array([True, False, True, True])
    reading = _reading(10, wanted)
    assert reading.places(np.array([10, 12])) is not None
    for asked in ([11], [9, 10], [10, 14], [13, 11]):
        assert reading.places(np.array(asked)) is None
    whole = _reading(10, np.ones(4, dtype=bool))
    for asked in ([9, 10], [10, 14], [13, 20]):
        assert whole.places(np.array(asked)) is None
