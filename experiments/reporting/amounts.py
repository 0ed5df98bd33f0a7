"""How the report writes numbers: amounts with their units, signed differences and 95% intervals (a share
as a percentage, a difference of shares in percentage points, money to the pound)."""

from __future__ import annotations

import math

import pandas as pd

from ..analysis import statistics as analysis
from ..analysis.intervals import span

SHARES = analysis.SHARE_UNITS


def fmt(value: float, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if value == math.inf:
        return "no upper limit"
    if unit in SHARES:
        return f"{value:.1%}"
    if "GBP" in unit:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def ci(row: pd.Series, prefix: str = "") -> str:
    if math.isnan(row[f"{prefix}mean"]):
        return ""  # nothing measured: the mean already says n/a
    return f" ({span(row[f'{prefix}ci_low'], row[f'{prefix}ci_high'], lambda v: fmt(v, row['unit']))})"


def amount(value: float, unit: str) -> str:
    """A mean with its unit, e.g. 42.0%, 2.23 points per person, 1,200 GBP."""
    if unit in SHARES:
        return fmt(value, unit)
    return f"{fmt(value, unit)} {'GBP' if 'GBP' in unit else unit}"


def difference(value: float, unit: str) -> str:
    """A signed difference; of shares in percentage points (a change from 40% to 42% is +2.0, not +5%)."""
    if value is None or math.isnan(value):
        return "n/a"
    if unit in SHARES:
        return f"{100 * value:+.1f} percentage points"
    sign = "+" if value > 0 else ""
    return f"{sign}{fmt(value, unit)}{' GBP' if 'GBP' in unit else ''}"


def interval(triple: tuple[float, float, float], unit: str) -> str:
    _, lo, hi = triple
    if math.isnan(lo) or math.isnan(hi):
        return "no interval from one replicate"
    bounds = span(lo, hi, (lambda v: f"{100 * v:.1f}") if unit in SHARES else (lambda v: fmt(v, unit)))
    return f"95% {'bootstrap interval' if unit in SHARES else 'CI'} {bounds}"
