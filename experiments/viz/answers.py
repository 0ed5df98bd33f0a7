"""What follows the week on the page: value for money (worked out once the weeks stop coming), the range over
replicates (caught up week by week), the charts laid out, and the downloads.

A component of its own, reading the week itself, so that a step does not redraw it with the status line: the run
panel (experiments/viz/run_panel.py) sets the status line's week first (on screen at once), gives the charts their
new rows, and only then this component's week, which redraws it and starts its tasks again."""

from __future__ import annotations

import logging
import time

import solara
from solara.lab import use_task

from . import panels
from . import value_for_money as page_value
from . import views as page_views
from .band import Band
from .run import PairedRun

SETTLE_S = 1.5  # value for money is worked out once the weeks stop coming this long (it copies both runs)
log = logging.getLogger(__name__)


def one_line(err: Exception) -> str:
    log.error("the page could not run the model", exc_info=err)
    return f"Could not run these settings: {str(err).splitlines()[0] if str(err) else type(err).__name__}"


def band_rows(band: Band | None) -> list:
    """The range's rows for the charts and the weekly CSV, once two replicates or more are at the week shown."""
    return band.rows() if band is not None and len(band.ready()) > 1 else []


@solara.component
def Answers(run: PairedRun, week: solara.Reactive[int], band: Band | None, band_on: solara.Reactive[bool],
            band_size: solara.Reactive[int], board: page_views.ChartBoard, busy: bool):  # fmt: skip
    shown_week = week.value  # read here, not in the run panel: a new week redraws this component alone

    def catch_up():
        if band is None or not band.catch_up(lambda: band_task.is_current()):
            return False
        if band_task.is_current():
            board.update(run, band_rows(band))
        return True

    band_task = use_task(catch_up, dependencies=[band, shown_week], raise_error=False)

    def value_for_money():
        time.sleep(SETTLE_S)  # a newer week cancels this before it copies anything
        if not run.warmed_up or not value_task.is_current():
            return value_task.latest  # superseded: the last answer stands until the newer one comes
        runs = band.ready() if band is not None else [run]
        return run, page_value.account(runs)

    value_task = use_task(value_for_money, dependencies=[run, shown_week, band, band_task.finished], raise_error=False)
    shown_for, result = value_task.latest or (None, None)
    if shown_for is not run:  # worked out for the pair shown before Apply
        result = None

    error = one_line(value_task.exception) if value_task.error else ""
    panels.ValueForMoneyPanel(result, value_task.pending, error)
    done = len(band.runs) + 1 if band is not None else 0
    panels.BandControl(band_on, band_size, "" if band is None else
                       f"range: {done} of {band.n} replicates at week {run.shown_week}"
                       if band_task.pending or len(band.ready()) < band.n else
                       f"range drawn from {band.n} paired replicates", busy)  # fmt: skip
    page_views.Charts(board)
    panels.Downloads(run, result, band_rows(band))
