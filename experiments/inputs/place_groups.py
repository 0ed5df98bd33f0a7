"""A place's community groups listed in a CSV file beside the place file (``[groups] file = "groups.csv"``).

Each row is one group: its activity, where it meets, its places, income and reserves, and whether it charges.
The text of each row is read as numbers here, then checked by a declared schema (``GroupRow``); a fault is one
line naming the file, line and column. Only the CSV's text is read: nothing in it runs.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, ValidationError

from ...model.place import GroupSpec

from .schema import STRICT, first_fault, number

MAX_FILE_BYTES = 5_000_000
MAX_GROUPS = 100_000
CSV_COLUMNS = ("activity", "x_km", "y_km", "places", "income_gbp_year", "reserves_gbp", "charges")
CHARGES = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


Km = number(0, 10_000, "km from the place's south-west corner")
Places = number(0, 10_000, "places", whole=True)
Gbp = number(0, 1e9, "GBP")
Charges = Annotated[Literal["true", "yes", "1", "false", "no", "0"], Field(description="true or false")]


class GroupRow(BaseModel):
    """One row, once its numbers are read from text."""

    model_config = STRICT
    x_km: Km
    y_km: Km
    places: Places
    income_gbp_year: Gbp
    reserves_gbp: Gbp
    charges: Charges


class GroupFileError(ValueError):
    """(key, value, allowed) of the first fault; place.py words it as a place file's fault."""

    def __init__(self, key: str, value: object, allowed: str):
        super().__init__(allowed)
        self.key, self.value, self.allowed = key, value, allowed


def read_groups(name: str, place_path: Path, activities: list[str]) -> tuple[tuple[GroupSpec, ...], str]:
    """The groups listed in ``name`` (beside ``place_path``) and the file's sha256."""
    file = place_path.parent / name
    try:
        if not file.is_file():
            raise GroupFileError("groups.file", name, "no such file beside the place file")
        if file.stat().st_size > MAX_FILE_BYTES:
            raise GroupFileError("groups.file", name, f"at most {MAX_FILE_BYTES:,} bytes")
        raw = file.read_bytes()
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    except UnicodeDecodeError:
        raise GroupFileError("groups.file", name, "not UTF-8 text") from None
    except (OSError, csv.Error) as err:
        raise GroupFileError("groups.file", name, f"cannot be read ({getattr(err, 'strerror', None) or err})") from None
    if not rows or [h.strip() for h in rows[0]] != list(CSV_COLUMNS):
        raise GroupFileError("groups.file", name, f"a header row: {','.join(CSV_COLUMNS)}")
    if not 1 <= len(rows) - 1 <= MAX_GROUPS:
        raise GroupFileError("groups.file", name, f"1 to {MAX_GROUPS:,} groups")
    specs = [_row(f"groups.file {name} line {line}", row, activities) for line, row in enumerate(rows[1:], start=2)]
    return tuple(specs), hashlib.sha256(raw).hexdigest()


def _row(key: str, row: list[str], activities: list[str]) -> GroupSpec:
    if len(row) != len(CSV_COLUMNS):
        raise GroupFileError(key, ",".join(row), f"{len(CSV_COLUMNS)} columns: {','.join(CSV_COLUMNS)}")
    activity, *numbers, charges = (v.strip() for v in row)
    if activity not in activities:
        raise GroupFileError(f"{key} activity", activity, f"one of {', '.join(activities)}")
    values: dict[str, object] = {"charges": charges.lower()}
    for column, text in zip(CSV_COLUMNS[1:6], numbers, strict=True):
        try:
            values[column] = float(text)  # a CSV holds text: the number it spells, then checked as any number
        except ValueError:
            raise GroupFileError(f"{key} {column}", text, "a number") from None
    try:
        checked = GroupRow.model_validate(values)
    except ValidationError as err:
        fault = first_fault(err, GroupRow)
        shown = charges if fault.key == "charges" else fault.value
        raise GroupFileError(f"{key} {fault.key}", shown, fault.allowed) from None
    return GroupSpec(activity=activities.index(activity), x_km=checked.x_km, y_km=checked.y_km,
                     places=int(checked.places), income_gbp_year=checked.income_gbp_year,
                     reserves_gbp=checked.reserves_gbp, charges=CHARGES[checked.charges])  # fmt: skip
