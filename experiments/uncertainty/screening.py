"""Reading a Morris screening's ``indices.csv`` back (``spsim sensitivity --top K --from FOLDER``), checked.

The file is the user's to hand us (any folder, possibly edited or truncated), so it is read as data and refused
in one line when it is not a screening: empty, not CSV text, a column missing, an importance that is not a
number of at least 0, or no net-benefit outcome to rank the parameters by. Refused before anything is written.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pandas as pd

from ..runs.design import DesignError

MAX_BYTES = 20_000_000  # a screening of every parameter over a dozen outcomes is well under 1 MB
COLUMNS = ("outcome", "parameter", "importance", "mu_star")
NET_BENEFIT = "net benefit"  # the outcomes that rank the policies (sensitivity.py names them so)


def read_screening(indices_csv: Path) -> pd.DataFrame:
    """The screening's rows whose outcome is a policy's net benefit: outcome, parameter, importance."""
    where = f"--from {indices_csv.parent}: {indices_csv.name}"
    try:
        if not indices_csv.is_file():
            raise DesignError(f"--from {indices_csv.parent}: no indices.csv there (run a Morris screening first)")
        if indices_csv.stat().st_size > MAX_BYTES:
            raise DesignError(f"{where}: larger than {MAX_BYTES:,} bytes: not a screening's indices")
        rows = list(csv.reader(io.StringIO(indices_csv.read_bytes().decode("utf-8"), newline="")))
    except UnicodeDecodeError:
        raise DesignError(f"{where}: not UTF-8 text") from None
    except csv.Error as err:
        raise DesignError(f"{where}: not a CSV table ({err})") from None
    except OSError as err:
        raise DesignError(f"{where}: cannot be read ({err.strerror or type(err).__name__})") from None
    if not rows:
        raise DesignError(f"{where}: empty; a Morris screening's table (run spsim sensitivity first)")
    header = rows[0]
    for column in COLUMNS:
        if header.count(column) != 1:
            missing = "no" if column not in header else "more than one"
            raise DesignError(f"{where}: not a Morris screening ({missing} {column} column; needs {', '.join(COLUMNS)})")
    at = {column: header.index(column) for column in COLUMNS}
    table = []
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise DesignError(f"{where}: line {line}: {len(row)} fields, but the header has {len(header)}")
        if not row[at["outcome"]].startswith(NET_BENEFIT):
            continue
        text = row[at["importance"]]
        try:
            importance = float(text)
        except ValueError:
            importance = math.nan
        if not (math.isfinite(importance) and importance >= 0):
            raise DesignError(f"{where}: line {line}: importance {text!r}: a number of at least 0")
        table.append((row[at["outcome"]], row[at["parameter"]], importance))
    if not table:
        raise DesignError(f"{where}: no '{NET_BENEFIT} ...' outcome to rank the parameters by")
    return pd.DataFrame(table, columns=["outcome", "parameter", "importance"])
