"""True scores on top of a natural course, on arrays: link worker support and the mechanisms built at groups, fading
(``Patient.outcomes_at``'s formulas, model/mechanisms.py, for many people at once: the wellbeing register's reading,
a projection's cells)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from .mechanisms import _halved, faded, fading, support_left, swemwbs, ucla

if TYPE_CHECKING:
    from .parameters import Params

LONGEST_IN_A_TABLE = 1 << 16  # weeks of fading (some 1,260 years): longer gaps are worked out


def with_service(natural_sw: np.ndarray, natural_lo: np.ndarray, week: np.ndarray | int, p: Params, *,
                 paused: np.ndarray, half_life: np.ndarray, support_from: np.ndarray, support_until: np.ndarray,
                 level_psych: np.ndarray, level_social: np.ndarray, level_behav: np.ndarray,
                 floor_psych: np.ndarray, floor_social: np.ndarray, floor_behav: np.ndarray,
                 scale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """True (SWEMWBS, UCLA-3) on top of a natural course: link worker support while it lasts, then fading,
    and the mechanisms built at groups, above their floor fading after a pause (``Patient.outcomes_at``'s
    formulas on arrays; ``week`` may be one week for many people, or a people x weeks grid with the state as
    people x 1 columns)."""
    if paused.ndim == 1 and np.ndim(week) <= 1:
        remaining, support = _fading_and_support(week, paused, half_life, support_from, support_until)
    else:  # a grid: the mechanisms' own, with masks of the grid's shape
        remaining = fading(week, paused, half_life)
        support = support_left(week, support_from, support_until, half_life)
    social = faded(level_social, floor_social, remaining)
    levels = (faded(level_psych, floor_psych, remaining), social, faded(level_behav, floor_behav, remaining))
    sw = swemwbs(natural_sw, levels, p.swemwbs_gain_max * scale, p.link_worker_support_gain * support)
    lo = ucla(natural_lo, social, p.ucla_reduction_max * scale, p.link_worker_support_ucla_reduction * support)
    return sw, lo


def _fading_and_support(week, paused, half_life, support_from, support_until) -> tuple[np.ndarray, np.ndarray]:
    """``mechanisms.fading`` and ``support_left`` for one week or one week each (1-D): the share of the gains still
    there, and of link worker support's own effect (the same numbers)."""
    started = np.logical_not(week < support_from)  # (``support_left``'s test, as it reads a nan)
    # the powers of a half read from a table for any number of rows: a power costs some 100 instructions where NumPy has
    # no SIMD power (as under callgrind), and the table's checks and gather cost less than a few powers (the twentieth
    # round: fading and support for 43 / 300 / 900 rows 118 / 210 / 410 -> 105 / 129 / 181 thousand instructions,
    # 8.0 / 11.4 / 18.8 -> 8.1 / 9.7 / 12.7 us; a 150,000-adult week's leavers project some 900 cells)
    if len(paused) and (half_life == (one := half_life[0])).all():
        remaining, support = _halvings(week, paused, float(one)), _halvings(week, support_until, float(one))
        if remaining is not None and support is not None:
            np.multiply(support, started, out=support)  # (none before support begins)
            return remaining, support
    # each power worked out only where it fades
    remaining = np.ones(len(paused))
    _halving_at(remaining, week > paused, week, paused, half_life)
    support = started.astype(float)  # (all of it from the start of support; none before)
    _halving_at(support, started & (week > support_until), week, support_until, half_life)
    return remaining, support


def _halvings(week, since: np.ndarray, half_life: float) -> np.ndarray | None:
    """``mechanisms.fading`` of every row, for rows sharing one half-life (the model's: a parameter), gathered from a
    table of whole-week gaps' powers (the same steps on the same numbers: gap / half-life, then NumPy's power); None
    if a gap is not whole weeks. A power costs some 25 ns an element, and an ICB's weekly reading has some 18,000
    fading (a projection, ~10,000 cells), where picking out the fading rows cost as much again: a row not fading
    has a gap of none, whose power is 1 (all of the gain)."""
    gaps = week - since  # (``_halved``'s own subtraction)
    np.maximum(gaps, 0.0, out=gaps)  # (not fading: paused later or never, an infinite ``since``)
    longest = gaps.max()
    if not longest < LONGEST_IN_A_TABLE:  # (or a nan: worked out, as ``fading`` reads it)
        return None
    whole = gaps.astype(np.intp)
    if not (whole == gaps).all():
        return None
    return _powers_of_a_half(half_life, int(longest).bit_length()).take(whole)


def _halving_at(out: np.ndarray, fades: np.ndarray, week, since: np.ndarray, half_life: np.ndarray) -> None:
    """``out`` where ``fades``: ``mechanisms._halved`` of those rows (``arrays.worked_out_where``'s steps for 1-D)."""
    chosen = np.flatnonzero(fades)
    if len(chosen):
        out[chosen] = _halved(week[chosen] if isinstance(week, np.ndarray) else week, since[chosen], half_life[chosen])


@lru_cache(maxsize=8)
def _powers_of_a_half(half_life: float, bits: int) -> np.ndarray:
    """``_halved`` of whole gaps 0 to 2 ** ``bits`` - 1 (read only: shared by every reading)."""
    table = _halved(np.arange(1 << bits, dtype=float), 0.0, half_life)
    table.flags.writeable = False
    return table
