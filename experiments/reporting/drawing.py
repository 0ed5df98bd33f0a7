"""Drawing a run's figures beside its analysis: in a process of its own when the run may use more than one.

After the replicates, importing matplotlib and drawing the figures take some 4 CPU seconds of `spsim run`'s last
phase, and building the tables from the shards about as much; in a second process both go at once (on the
cores the replicates have just left idle). The figures are the same files either way (the same functions on
the same data); with one worker they are drawn here, one after the other, as before.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
from types import TracebackType
from typing import Any

ASIDE_FROM_WORKERS = 2  # draw in a process of its own when the run was allowed this many worker processes


def _draw(name: str, *args: Any) -> Any:
    from . import figures  # matplotlib: imported only where the figures are drawn

    return getattr(figures, name)(*args)


def _import_figures() -> None:
    from . import figures  # noqa: F401 - the first task: the import overlaps the tables the main process builds


class Drawer:
    """Draws figures (functions of ``figures`` named) and hands back futures of their paths."""

    def __init__(self, workers: int):
        self._pool = None
        if workers >= ASIDE_FROM_WORKERS:
            # "spawn", as the replicates' pool: a fork of a process with threads is unsafe
            self._pool = cf.ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            self._pool.submit(_import_figures)

    def draw(self, name: str, *args: Any) -> cf.Future:
        if self._pool is not None:
            return self._pool.submit(_draw, name, *args)
        done: cf.Future = cf.Future()
        done.set_result(_draw(name, *args))
        return done

    def __enter__(self) -> Drawer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:  # fmt: skip
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
