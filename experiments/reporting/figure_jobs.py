"""Which figures a comparison draws, and drawing them on the run's own worker processes.

Drawing the figures is some two seconds of the output stage of `make run`, importing matplotlib for them a
quarter of a second more; meanwhile the run's process pool sits idle, its replicates done. So the figures are
sent to its workers and this process writes the tables in the meantime (issue 25). A worker draws the same
PNG bytes as this process would: figures.py fixes the backend (Agg), the resolution and the PNG metadata on
import, in whichever process, and matplotlib reads the same rcParams and fonts in both. Without a pool of the
run's own (one worker, Dask, a --resume with fewer replicates left than workers) they are drawn here, as before:
starting a worker only to draw costs more than the drawing (r13).

This module does not import matplotlib: the process that writes the tables never needs it when workers draw.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pandas as pd


def plan(replicates: pd.DataFrame, timeseries: pd.DataFrame, comp: pd.DataFrame, traj: pd.DataFrame,
         order: list[str], out_dir: Path, ceac_curve: pd.DataFrame | None = None) -> list[tuple[str, tuple]]:  # fmt: skip
    """The report's figures, in its order: (function of figures.py, its arguments)."""
    jobs: list[tuple[str, tuple]] = [("funnel", (replicates, order, out_dir)), ("forest", (comp, order, out_dir))]
    if len(order) > 1:
        jobs.append(("ce_plane", (replicates, order, out_dir)))
        if ceac_curve is not None:
            n = int(replicates.groupby("scenario").size().min())
            what = f"share of {n} paired replicates: chance alone"
            jobs.append(("acceptability", (ceac_curve, order, out_dir, what)))
    jobs.append(("pathway_states", (timeseries, order, out_dir)))
    if not traj.empty:
        jobs.append(("trajectories_plot", (traj, order, out_dir)))
    return jobs


def draw(name: str, args: tuple) -> Path | None:
    """One figure, by the name of its function in figures.py (run in a worker)."""
    from . import figures

    return getattr(figures, name)(*args)


def get_ready() -> None:
    """Imports what drawing needs, so that a worker's first figure does not wait for matplotlib."""
    from . import figures  # noqa: F401


class Drawing:
    """The comparison's figures: started on the run's workers as soon as their tables are made when the run
    lends its pool (``pool``: its backend's ``submit``), else drawn here when they are asked for, as before."""

    def __init__(self, pool: Callable[..., Future] | None):
        self.pool = pool
        self.early: dict[str, Future] = {}
        self.figures: list[Future] | tuple | None = None
        self.equity: Future | tuple | None = None

    def start_pathway(self, timeseries: pd.DataFrame, order: list[str], out_dir: Path) -> None:
        """The largest figure (six panels of weekly bands: a third of the drawing) sent first, as soon as the
        shards are read, so that it is not the last to finish."""
        if self.pool:
            self.early["pathway_states"] = self.pool(draw, "pathway_states", (timeseries, order, out_dir))

    def start(self, replicates: pd.DataFrame, timeseries: pd.DataFrame, comp: pd.DataFrame, traj: pd.DataFrame,
              order: list[str], out_dir: Path, ceac_curve: pd.DataFrame | None) -> None:  # fmt: skip
        args = (replicates, timeseries, comp, traj, order, out_dir, ceac_curve)
        if self.pool:
            self.figures = [self.early.get(name) or self.pool(draw, name, a) for name, a in plan(*args)]
        else:
            self.figures = args

    def start_equity(self, subgroup_comp: pd.DataFrame, order: list[str], out_dir: Path) -> None:
        args = (subgroup_comp, order, out_dir)
        self.equity = self.pool(draw, "equity_plot", args) if self.pool else args

    def paths(self) -> tuple[list[Path], Path | None]:
        """The figures' paths, in the report's order, and the equity figure's (None: nothing to draw)."""
        if self.pool:
            return [f.result() for f in self.figures], self.equity.result()
        from . import figures

        return figures.all_figures(*self.figures), figures.equity_plot(*self.equity)
