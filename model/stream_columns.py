"""Columns of uniform draws kept as the place in the stream they come from, not as numbers.

Some of the catchment's columns are uniform draws read only for the few people who are referred (the draws that
order a person's activity preferences, whether they are in work, whether a fee rules a group out). Stored as 32-bit
floats for every adult they took 34 MB of an ICB's 1.5 million adults. A ``StreamColumns`` keeps instead the
state of the stream before them (a PCG64 generator) and reads a person's draws by jumping a copy of the stream
to them: ``Generator.random`` turns each 64-bit output of PCG64 into one double, ``(raw >> 11) * 2**-53``, so
the draws of person i start ``i * width`` outputs in: a week's people are read at once, in every column they need at
once, by jumping the stream's state as array work (model/pcg_jumps.py; ``PCG64.advance`` would jump one person at a
time). The numbers read are the ones drawing the whole column gave, to the bit (tests/test_stream_columns.py checks
it), rounded to 32-bit floats as the stored column was.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .pcg_jumps import FEW, Jumps

DOUBLE = 1.0 / (1 << 53)  # Generator.random: the top 53 bits of an output, as a fraction of one


def _doubles(raw: np.ndarray) -> np.ndarray:
    """``Generator.random``'s doubles from PCG64's raw 64-bit outputs."""
    return (raw >> np.uint64(11)).astype(np.float64) * DOUBLE


class StreamColumns:
    """``width`` uniform draws for each of ``rows`` people, as ``generator.random((rows, width)) * scale`` draws
    them, read when needed; made, the generator has moved past them exactly as if they had been drawn (they are)."""

    def __init__(self, generator: np.random.Generator, blocks: list[slice], width: int, scale: float = 1.0):
        if not isinstance(generator.bit_generator, np.random.PCG64):
            raise TypeError("StreamColumns reads a PCG64 stream (the model's streams are)")
        self.rows = blocks[-1].stop if blocks else 0
        self.width = width
        self.scale = scale  # (times 1.0: the same numbers)
        self._start = generator.bit_generator.state
        self._blocks = blocks
        for b in blocks:  # drawn and let go, block by block: the generator moves on as it did when they were kept
            generator.random((b.stop - b.start, width))
        # the stream's states, from where this column and the others read with it begin (``read_columns``)
        self._together: tuple[tuple[StreamColumns, ...], Jumps] | None = None

    def read(self, people: np.ndarray) -> np.ndarray:
        """The draws of ``people`` (catchment rows, any order, repeats allowed): (people, width), 32-bit floats."""
        return read_columns((self,), people)[0]

    def column(self, k: int) -> np.ndarray:
        """Everyone's ``k``-th draw (32-bit floats), drawn again block by block from the stream's state."""
        reader = np.random.Generator(np.random.PCG64())
        reader.bit_generator.state = self._start
        out = np.empty(self.rows, dtype=np.float32)
        for b in self._blocks:
            out[b] = reader.random((b.stop - b.start, self.width))[:, k] * self.scale
        return out


def read_columns(columns: Sequence[StreamColumns], people: np.ndarray) -> list[np.ndarray]:
    """``[column.read(people) for column in columns]``, the same numbers; for columns of one stream (the catchment's:
    where people live, their preferences and traits) in one jump of the stream for all of them, each column from
    its own start: a read costs mostly its fixed number of array operations, not the people or columns read."""
    columns = tuple(columns)
    if len({column._start["state"]["inc"] for column in columns}) > 1:  # (different streams: one at a time)
        return [read_columns((column,), people)[0] for column in columns]
    people = np.asarray(people, dtype=np.int64)
    jumps = _jumps_of(columns)
    n = len(people)
    if n * sum(column.width for column in columns) <= FEW:
        return _read_few(columns, jumps, people.tolist())
    width = max(column.width for column in columns)  # a narrower column's extra draws are let go
    steps = np.concatenate([people * column.width for column in columns])  # person i's draws: i * width outputs in
    doubles = _doubles(jumps.draws(steps, width, np.repeat(np.arange(len(columns)), n)))
    return [_scaled(doubles[k * n : (k + 1) * n, : column.width], column.scale) for k, column in enumerate(columns)]


def _scaled(doubles: np.ndarray, scale: float) -> np.ndarray:
    """A column's doubles times its scale, rounded to 32 bits (times 1.0 is each number itself: not worked out)."""
    return (doubles if scale == 1.0 else doubles * scale).astype(np.float32)


def _jumps_of(columns: tuple[StreamColumns, ...]) -> Jumps:
    """The jumps from each of ``columns``' starts (made at their first read together: a run reads every week; a
    catchment made and not run, never), reaching the widest one's draws past each column's last person's."""
    first = columns[0]
    if first._together is None or first._together[0] != columns:
        width = max(column.width for column in columns)
        states = [column._start["state"]["state"] for column in columns]
        steps = max(column.rows * column.width for column in columns) + width
        first._together = columns, Jumps(states, first._start["state"]["inc"], steps)
    return first._together[1]


def _read_few(columns: tuple[StreamColumns, ...], jumps: Jumps, people: list[int]) -> list[np.ndarray]:
    """``read_columns`` of a few people in Python: the same outputs, each made a double and scaled as ``_doubles`` and
    the columns do (an integer below 2**53 is a float exactly), rounded to 32 bits once per column."""
    out = []
    for k, column in enumerate(columns):
        raw = jumps.draw_list([i * column.width for i in people], column.width, [k] * len(people))
        scale = column.scale
        values = [(r >> 11) * DOUBLE * scale for r in raw]
        out.append(np.array(values, dtype=np.float32).reshape(len(people), column.width))
    return out
