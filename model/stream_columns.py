"""Columns of uniform draws kept as the place in the stream they come from, not as numbers.

Some of the catchment's columns are uniform draws read only for the few people who are referred (the draws that
order a person's activity preferences, whether they are in work, whether a fee rules a group out). Stored as 32-bit
floats for every adult they took 34 MB of an ICB's 1.5 million adults. A ``StreamColumns`` keeps instead the
state of the stream before them (a PCG64 generator) and reads a person's draws by jumping a copy of the stream
to them: ``Generator.random`` turns each 64-bit output of PCG64 into one double, ``(raw >> 11) * 2**-53``, so
the draws of person i start ``i * width`` outputs in: a week's people are read at once, by jumping the stream's
state as array work (model/pcg_jumps.py; ``PCG64.advance`` would jump one person at a time). The numbers read are the ones drawing
the whole column gave, to the bit (tests/test_stream_columns.py checks it), rounded to 32-bit floats as the
stored column was.
"""

from __future__ import annotations

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
        self._jumps: Jumps | None = None
        for b in blocks:  # drawn and let go, block by block: the generator moves on as it did when they were kept
            generator.random((b.stop - b.start, width))
        self._end = generator.bit_generator.state  # where the next column of the stream starts, if one does
        self._with_next: Jumps | None = None  # a table reaching this column's and the next one's draws (read_pair)

    def read(self, people: np.ndarray) -> np.ndarray:
        """The draws of ``people`` (catchment rows, any order, repeats allowed): (people, width), 32-bit floats."""
        people = np.asarray(people, dtype=np.int64)
        if self._jumps is None:  # made at the first read (a run reads every week; a catchment made and not run, never)
            state = self._start["state"]
            self._jumps = Jumps(state["state"], state["inc"], self.rows * self.width)
        raw = self._jumps.draws(people * self.width, self.width)  # person i's draws start i * width outputs in
        return (_doubles(raw) * self.scale).astype(np.float32)

    def column(self, k: int) -> np.ndarray:
        """Everyone's ``k``-th draw (32-bit floats), drawn again block by block from the stream's state."""
        reader = np.random.Generator(np.random.PCG64())
        reader.bit_generator.state = self._start
        out = np.empty(self.rows, dtype=np.float32)
        for b in self._blocks:
            out[b] = reader.random((b.stop - b.start, self.width))[:, k] * self.scale
        return out


def read_pair(first: StreamColumns, second: StreamColumns, people: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``first.read(people), second.read(people)``, the same numbers; when ``second``'s draws follow ``first``'s in
    the stream (the catchment's x and y, its preferences and traits), in one jump of the stream for both: a read
    costs mostly its fixed number of array operations, not the people read."""
    if second._start != first._end:
        return first.read(people), second.read(people)
    people = np.asarray(people, dtype=np.int64)
    width = max(first.width, second.width)  # the narrower column's extra draws are let go
    if first._with_next is None:  # (reaching the wider width's draws past the second column's last person's)
        state = first._start["state"]
        first._with_next = Jumps(state["state"], state["inc"],
                                 first.rows * first.width + second.rows * second.width + width)  # fmt: skip
    if 2 * len(people) * width <= FEW:
        return _read_pair_few(first, second, people.tolist(), width)
    steps = np.concatenate([people * first.width, first.rows * first.width + people * second.width])
    raw = first._with_next.draws(steps, width)
    return ((_doubles(raw[: len(people), : first.width]) * first.scale).astype(np.float32),
            (_doubles(raw[len(people) :, : second.width]) * second.scale).astype(np.float32))  # fmt: skip


def _read_pair_few(first: StreamColumns, second: StreamColumns, people: list[int], width: int) -> tuple:
    """``read_pair`` of a few people in Python: the same outputs, each made a double and scaled as ``_doubles`` and
    the columns do (an integer below 2**53 is a float exactly), rounded to 32 bits once per column."""
    offset = first.rows * first.width
    steps = [i * first.width for i in people] + [offset + i * second.width for i in people]
    raw, n, columns = first._with_next.draw_list(steps, width), len(people), []
    for at, column in ((0, first), (n * width, second)):
        scale, wanted = column.scale, range(column.width)
        values = [(raw[at + k * width + j] >> 11) * DOUBLE * scale for k in range(n) for j in wanted]
        columns.append(np.array(values, dtype=np.float32).reshape(n, column.width))
    return tuple(columns)
