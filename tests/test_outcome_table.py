"""The outcome table's batch write (``OutcomeTable.extend``, a week's records as columns): whatever form a column
comes in (a list of Python values, a NumPy array of the column's own type or of another), the rows read back are
the records written one at a time (``append``), and a batch that is refused leaves the table as it was."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from spsim.model.outcome_table import DEFAULTS, OutcomeTable
from spsim.model.outcomes import OutcomeRecord

KINDS = {f.name: f.type for f in dataclasses.fields(OutcomeRecord)}
REQUIRED = [name for name in KINDS if name not in DEFAULTS]


def _records(n: int) -> list[OutcomeRecord]:
    """``n`` records whose every column differs from row to row (and from the defaults)."""
    values = {"float": lambda i: 0.25 * i - 3.5, "int": lambda i: 7 * i - 20, "bool": lambda i: i % 3 == 1,
              "str": lambda i: f"name{i % 4}"}  # fmt: skip
    return [OutcomeRecord(**{name: values[KINDS[name]](i) for name in REQUIRED}) for i in range(n)]


def _column(records: list[OutcomeRecord], name: str, form: str):
    """Column ``name`` of ``records`` as a list, or as a NumPy array of the column's own type or of another."""
    values = [getattr(record, name) for record in records]
    kind = KINDS[name]
    if form == "list" or kind == "str":
        return values
    if form == "own":
        return np.array(values, dtype={"float": np.float64, "int": np.int64, "bool": np.bool_}[kind])
    # another type, as the register and the catchment hold some (small integers, whole weeks as floats, 0/1)
    return np.array(values, dtype={"float": np.float32, "int": np.float64, "bool": np.int8}[kind]) if kind != "float" \
        else np.array(values, dtype=np.float64)[::-1].copy()[::-1]  # (a reversed view: not contiguous)  # fmt: skip


@pytest.mark.parametrize("form", ["list", "own", "other"])
def test_a_batch_reads_back_as_the_records_written_one_at_a_time(form):
    records = _records(9)
    one_at_a_time, batch = OutcomeTable(), OutcomeTable()
    for record in records[:2]:
        one_at_a_time.append(record)
        batch.append(record)
    for record in records[2:]:
        one_at_a_time.append(record)
    assert batch.extend({name: _column(records[2:], name, form) for name in REQUIRED}) == 2
    assert len(batch) == len(records)
    for row in range(len(records)):  # (as text: the defaults are NaN, which equals nothing)
        assert repr(batch[row]) == repr(one_at_a_time[row]) == repr(records[row])
    left, right = batch.frame(), one_at_a_time.frame()
    assert list(left.dtypes) == list(right.dtypes)
    assert all(left[name].tolist() == right[name].tolist() for name in left.columns if KINDS[name] != "float")
    assert all(left[name].to_numpy().tobytes() == right[name].to_numpy().tobytes()
               for name in left.columns if KINDS[name] == "float")  # fmt: skip


def test_numpy_bools_in_a_list_are_taken_as_yes_or_no():
    """A yes/no may come as NumPy bools in a list (a comparison of NumPy numbers), which ``array`` refuses."""
    records = _records(4)
    columns = {name: _column(records, name, "list") for name in REQUIRED}
    columns["improved"] = [np.bool_(record.improved) for record in records]
    table = OutcomeTable()
    table.extend(columns)
    assert [repr(table[row]) for row in range(4)] == [repr(record) for record in records]


def test_a_batch_missing_a_column_or_of_uneven_lengths_is_refused_and_changes_nothing():
    records = _records(3)
    table = OutcomeTable()
    table.append(records[0])
    columns = {name: _column(records, name, "own") for name in REQUIRED}
    with pytest.raises(ValueError):
        table.extend({name: values for name, values in columns.items() if name != "age"})
    with pytest.raises(ValueError):
        table.extend({**columns, "age": columns["age"][:2]})
    assert len(table) == 1 and table.frame().shape[0] == 1 and repr(table[0]) == repr(records[0])
