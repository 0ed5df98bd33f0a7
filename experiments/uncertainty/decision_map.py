"""`spsim decision-map`: which option is best where, over two things a place differs in (issue 27, item 6).

A commissioner does not live at the model's central values: their referral volume, their groups, the effect
their service achieves and the horizon their board counts are their own. The map runs the options on a grid of
two parameters (every other at its value) and colours each cell by the option with the highest expected net
monetary benefit against the reference there, so a commissioner reads their own place's corner.

Every cell runs every option with the same replicate seeds (common random numbers, within a cell and across
cells), so neighbouring cells differ by the parameters, not by chance. A cell's best option is "clear" when its
paired 95% interval of net benefit against the runner-up excludes zero; otherwise the cell says "no clear
difference" and is drawn pale. With one replicate there is no interval, and every cell says so.

Written to ``--out``: ``map.csv`` (per cell and option: mean paired NMB against the reference with its 95%
interval; the cell's best option, runner-up and whether the best is clear), ``decision_map.png`` and
``decision_map.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ...model.parameters import registry

from ..analysis.intervals import interval
from ..inputs.place import Place
from ..inputs.scenario import Scenario
from ..runs.design import Design, DesignError, place_fields
from ..runs.runner import atomic_write_csv, atomic_write_text

MAX_STEPS = 12  # a side of the grid: 12 x 12 cells is already 144 points per option and replicate


@dataclass(frozen=True)
class Axis:
    """One side of the map: a parameter and the values it takes (evenly spaced, ends included)."""

    parameter: str
    low: float
    high: float
    steps: int

    def values(self) -> list[float]:
        values = np.linspace(self.low, self.high, self.steps)
        whole = isinstance(registry()[self.parameter].value, int) and not isinstance(registry()[self.parameter].value, bool)
        return [int(round(v)) if whole else float(v) for v in values]

    @property
    def label(self) -> str:
        p = registry()[self.parameter]
        return f"{self.parameter} ({p.unit})"


def axis(text: str, steps: int) -> Axis:
    """``NAME`` (over its plausible range) or ``NAME=LOW:HIGH``, checked against the registry (DesignError)."""
    if not 2 <= steps <= MAX_STEPS:
        raise DesignError(f"--steps {steps}: must be from 2 to {MAX_STEPS}")
    name, _, span = text.partition("=")
    name = name.strip()
    p = registry().get(name)
    if p is None or isinstance(p.value, bool) or not isinstance(p.value, int | float):
        raise DesignError(f"axis {text!r}: {name!r} is not a numeric parameter; see `spsim show baseline`")
    if not span:
        low, high = float(p.low), float(p.high)
    else:
        try:
            low, high = (float(part) for part in span.split(":"))
        except ValueError:
            raise DesignError(f"axis {text!r}: give NAME or NAME=LOW:HIGH with two numbers") from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise DesignError(f"axis {text!r}: LOW must be below HIGH, both finite numbers")
    lowest, highest = p.bounds
    if low < lowest or high > highest:
        raise DesignError(f"axis {text!r}: {name} must stay within [{lowest}, {highest}]")
    return Axis(name, low, high, steps)


def cells(x: Axis, y: Axis) -> list[dict]:
    """The grid's points, x varying fastest."""
    return [{x.parameter: vx, y.parameter: vy} for vy in y.values() for vx in x.values()]


def best_options(runs: pd.DataFrame, order: list[str], x: Axis, y: Axis, column: str) -> pd.DataFrame:
    """Per cell and option: the mean paired difference of ``column`` from the reference (``order[0]``) and its 95%
    interval; per cell: the best option, the runner-up, and whether the best is ahead with its interval clear of
    zero (paired, replicate by replicate)."""
    grid = cells(x, y)
    wide = runs.pivot_table(index=["point", "replicate"], columns="scenario", values=column)
    rows = []
    for point, table in wide.groupby(level="point"):
        diffs = {name: table[name] - table[order[0]] for name in order}
        means = {name: float(d.mean()) for name, d in diffs.items()}
        ranked = sorted(order, key=lambda name: (-means[name], order.index(name)))
        best, second = ranked[0], ranked[1]
        _, low, high = interval((table[best] - table[second]).to_numpy(), share=False)
        clear = bool(low > 0) if not math.isnan(low) else None
        for name in order:
            mean, lo, hi = interval(diffs[name].to_numpy(), share=False) if name != order[0] else (0.0, 0.0, 0.0)
            rows.append({"point": int(point), x.parameter: grid[int(point)][x.parameter],
                         y.parameter: grid[int(point)][y.parameter], "option": name, "nmb_vs_reference": mean,
                         "ci_low": lo, "ci_high": hi, "best": best, "runner_up": second,
                         "best_ahead_by": means[best] - means[second], "best_clear": clear})  # fmt: skip
    return pd.DataFrame(rows)


def run(scenarios: list[Scenario], x: Axis, y: Axis, replicates: int, years: float, warmup_years: float,
        population: int, seed: int, out: Path, executor: str = "process", workers: int = 1,
        scheduler: str | None = None, place: Place | None = None, value_per_qaly: float = 20_000.0) -> pd.DataFrame:  # fmt: skip
    if len(scenarios) < 2:
        raise DesignError("spsim decision-map: name at least two scenarios (the first is the reference)")
    if x.parameter == y.parameter:
        raise DesignError(f"spsim decision-map: both axes are {x.parameter}; give two parameters")
    if place is not None and {x.parameter, y.parameter} & set(place.parameters):
        raise DesignError("spsim decision-map: the place sets an axis's parameter itself; map other parameters")
    design = Design(points=cells(x, y), scenarios=scenarios, replicates=replicates, weeks=round(years * 52),
                    warmup_weeks=round(warmup_years * 52), **place_fields(population, place), seed=seed)  # fmt: skip
    runs = design.run(out, executor, workers, scheduler, label="decision map")
    runs = runs.assign(nmb=value_per_qaly * runs["qalys_gained"] - runs["net_cost_gbp"])
    order = [s.name for s in scenarios]
    table = best_options(runs, order, x, y, "nmb")
    atomic_write_csv(out / "map.csv", table)
    from .decision_map_report import figure, render

    figure(table, order, x, y, value_per_qaly, out / "decision_map.png")
    text = render(table, order, x, y, value_per_qaly, replicates, years, population)
    atomic_write_text(out / "decision_map.md", text)
    print(text)
    return table
