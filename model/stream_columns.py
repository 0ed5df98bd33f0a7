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
from typing import NamedTuple

import numpy as np

from .pcg_jumps import DIGIT_BITS, FEW, Jumps, outputs

DOUBLE = 1.0 / (1 << 53)  # Generator.random: the top 53 bits of an output, as a fraction of one


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
        self._together: tuple[tuple[StreamColumns, ...], _Reading | None] | None = None

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
    reading = _reading_of(columns)
    if reading is None:  # (different streams: one at a time)
        return [read_columns((column,), people)[0] for column in columns]
    people = np.asarray(people, dtype=np.int64)
    n = len(people)
    if n * reading.outputs_each <= FEW:
        return _read_few(columns, reading.jumps, people.tolist())
    # each column's own draws only, people x draws (the k-th draw of person i in a column of width w is output
    # i * w + k + 1 from that column's start, a step then its output): a narrower column reads no more than its width
    raw = outputs(reading.jumps.after(people[:, None] * reading.widths + reading.offsets, reading.tables))
    # ``Generator.random``'s doubles times each column's scale, in one product: (raw >> 11) * 2**-53 is exact and so
    # is 2**-53 * scale, so this is the double times the scale, rounded once (times 1.0: the double itself)
    values = ((raw >> np.uint64(11)).astype(np.float64) * reading.factors).astype(np.float32)
    return [values[:, start : start + column.width] for start, column in zip(reading.starts, columns, strict=True)]


class _Reading(NamedTuple):
    """What reading some columns of one stream together needs, worked out at their first read together: for each of
    a person's draws in all of them (column after column), its column's width, its place among the column's draws
    (1 for the first), its column's table of ``jumps`` and its column's scale (as a fraction of 2**53)."""

    jumps: Jumps
    widths: np.ndarray
    offsets: np.ndarray
    tables: np.ndarray  # (uint64: ``Jumps.after``'s)
    factors: np.ndarray
    starts: list[int]  # where each column's draws begin among a person's
    outputs_each: int  # a person's draws in all of them


def _reading_of(columns: tuple[StreamColumns, ...]) -> _Reading | None:
    """The jumps from each of ``columns``' starts (made at their first read together: a run reads every week; a
    catchment made and not run, never), reaching the widest one's draws past each column's last person's; None
    for columns of different streams."""
    first = columns[0]
    if first._together is None or first._together[0] != columns:
        if len({column._start["state"]["inc"] for column in columns}) > 1:
            first._together = columns, None
            return None
        width = max(column.width for column in columns)
        states = [column._start["state"]["state"] for column in columns]
        steps = max(column.rows * column.width for column in columns) + width
        jumps = Jumps(states, first._start["state"]["inc"], steps)
        widths = [column.width for column in columns]
        each = np.repeat(np.arange(len(columns)), widths)  # the column of each of a person's draws
        starts = np.cumsum([0, *widths[:-1]])
        scales = np.array([DOUBLE * column.scale for column in columns])
        first._together = columns, _Reading(
            jumps, np.array(widths)[each], np.arange(len(each)) - starts[each] + 1,
            each.astype(np.uint64) << np.uint64(DIGIT_BITS), scales[each], starts.tolist(), len(each))  # fmt: skip
    return first._together[1]


def _read_few(columns: tuple[StreamColumns, ...], jumps: Jumps, people: list[int]) -> list[np.ndarray]:
    """``read_columns`` of a few people in Python: the same outputs, each made a double and scaled as the array reading
    does (an integer below 2**53 is a float exactly), rounded to 32 bits once per column."""
    out = []
    for k, column in enumerate(columns):
        raw = jumps.draw_list([i * column.width for i in people], column.width, [k] * len(people))
        scale = column.scale
        values = [(r >> 11) * DOUBLE * scale for r in raw]
        out.append(np.array(values, dtype=np.float32).reshape(len(people), column.width))
    return out
