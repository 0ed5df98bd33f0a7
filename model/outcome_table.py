"""The outcome records of a run as typed columns, one row per closed record.

A whole ICB closes about 100,000 records in five years. Kept as ``OutcomeRecord`` objects, each held a dozen
boxed floats (about 650 bytes a record, 65 MB); as typed columns (``array.array``) a record takes about 220
bytes, and the table becomes a DataFrame without a Python loop. ``OutcomeRecord`` stays the one definition
of the columns and their types; records are appended one at a time (``append``) or a week's at once as
columns (``extend``: model/follow_up.py).
"""

from __future__ import annotations

import dataclasses
import operator
from array import array

import numpy as np
import pandas as pd

from .outcomes import OUTCOME_COLUMNS, OutcomeRecord

# the array type code and NumPy type of each kind of column; names (str) stay a list of the few shared strings
TYPES = {"float": ("d", np.float64), "int": ("q", np.int64), "bool": ("b", np.bool_)}
KIND = {field.name: field.type for field in dataclasses.fields(OutcomeRecord)}
DEFAULTS = {f.name: f.default for f in dataclasses.fields(OutcomeRecord) if f.default is not dataclasses.MISSING}
REQUIRED = set(KIND) - set(DEFAULTS)
NAMES = set(KIND)
# each default as a typed array of one value: a batch's defaults are it repeated (a copy of its bytes, no conversion)
DEFAULT_ONE = {name: array(TYPES[KIND[name]][0], [value]) for name, value in DEFAULTS.items()}


def _append_typed(column: array, values, dtype: type) -> None:
    """``values`` (a list or a NumPy array) appended to ``column``, a typed array of NumPy type ``dtype``: a list of
    Python numbers converted by ``array`` itself (``fromlist``, which leaves the column unchanged when it refuses a
    value), a NumPy array (or a list ``array`` refuses: NumPy bools) through its bytes (a NumPy bool is one byte, 0
    or 1: the bytes of ``astype(np.int8)``, the bool column's type)."""
    if type(values) is list:
        try:
            if dtype is np.bool_:  # (Python bools are the bytes 0 and 1: ``bytes`` reads them in C, not one by one)
                column.frombytes(bytes(values))
            else:
                column.fromlist(values)
            return
        except (TypeError, ValueError):  # (a NumPy bool or a number out of a byte's range: as before)
            pass
    elif isinstance(values, np.ndarray) and values.dtype == dtype:  # (most arrays: their own bytes, as they are)
        column.frombytes(values.tobytes())
        return
    column.frombytes(np.asarray(values, dtype=dtype).tobytes())


class OutcomeTable:
    def __init__(self) -> None:
        self._columns = {name: array(TYPES[kind][0]) if kind in TYPES else [] for name, kind in KIND.items()}
        # a yes/no may come as a NumPy bool (a comparison of NumPy numbers), which array('b') refuses
        self._appends = [(lambda value, add=column.append: add(bool(value))) if KIND[name] == "bool" else column.append
                         for name, column in self._columns.items()]  # fmt: skip
        self._values = operator.attrgetter(*OUTCOME_COLUMNS)
        # each column and the NumPy type of its values (None: a list of names), looked up once, not a batch's every column
        self._writers = {name: (column, TYPES[KIND[name]][1] if KIND[name] in TYPES else None)
                         for name, column in self._columns.items()}  # fmt: skip
        self._size = 0

    def append(self, record: OutcomeRecord) -> int:
        """Add ``record``; returns its row."""
        for append, value in zip(self._appends, self._values(record), strict=True):
            append(value)
        self._size += 1
        return self._size - 1

    def extend(self, columns: dict[str, object]) -> int:
        """Add a batch of records given as columns (every column of ``OutcomeRecord`` without a default, equal
        lengths: lists or NumPy arrays); returns the first new row."""
        first = self._size
        sizes = set(map(len, columns.values()))
        if not REQUIRED <= columns.keys() <= NAMES or len(sizes) != 1:
            raise ValueError("a batch of records needs every outcome column, all of one length")
        size = sizes.pop()
        for name, one in DEFAULT_ONE.items():
            if name not in columns:
                self._columns[name] += one * size
        writers = self._writers
        for name, values in columns.items():
            column, dtype = writers[name]
            if dtype is None:
                column.extend(values)
            else:
                _append_typed(column, values, dtype)
        self._size += size
        return first

    def __len__(self) -> int:
        return self._size

    def set(self, row: int, **values: float) -> None:
        """Fill in columns of a row written earlier (the economics account, when the week ends)."""
        for name, value in values.items():
            self._columns[name][row] = value

    def set_many(self, rows: np.ndarray, **values: np.ndarray) -> None:
        """``set`` for many rows at once: each column's ``values`` (one per row) written through a NumPy view of
        its typed array (the view is let go at once: an array with a view of it cannot grow)."""
        for name, column_values in values.items():
            kind = KIND[name]
            dtype = np.int8 if kind == "bool" else TYPES[kind][1]
            np.frombuffer(self._columns[name], dtype=dtype)[rows] = np.asarray(column_values).astype(dtype)

    def __getitem__(self, row: int) -> OutcomeRecord:
        """Row ``row`` as a record (for a look at one person; the table is read as ``frame``)."""
        values = {name: column[row] for name, column in self._columns.items()}
        return OutcomeRecord(**{name: bool(v) if KIND[name] == "bool" else v for name, v in values.items()})

    def frame(self) -> pd.DataFrame:
        """One row per closed record, the columns in ``OUTCOME_COLUMNS`` order with their types."""
        data = {name: np.array(column, dtype=np.int8).astype(bool) if KIND[name] == "bool"
                else np.array(column, dtype=TYPES[KIND[name]][1]) if KIND[name] in TYPES else list(column)
                for name, column in self._columns.items()}  # fmt: skip
        return pd.DataFrame(data, columns=OUTCOME_COLUMNS)
