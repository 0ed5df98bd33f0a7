"""Step, Play and Pause, the state of the run, value for money, the range over replicates, the charts and the
downloads. A step re-renders this panel only (the week is its state), not the inputs beside it."""

from __future__ import annotations

import logging
import threading
import time

import solara
from solara.lab import use_task

from . import panels
from . import value_for_money as page_value
from . import views as page_views
from .band import DEFAULT_REPLICATES, Band
from .run import PairedRun

PLAY_PAUSE_S = 0.05  # between weeks on Play, so clicks and redraws get their turn
SETTLE_S = 1.5  # value for money is worked out once the weeks stop coming this long (it copies both runs)
log = logging.getLogger(__name__)


def _one_line(err: Exception) -> str:
    log.error("the page could not run the model", exc_info=err)
    return f"Could not run these settings: {str(err).splitlines()[0] if str(err) else type(err).__name__}"


@solara.component
def RunPanel(run: PairedRun | None, busy: bool, progress: float | None, restart, message: solara.Reactive[str],
             playing: solara.Reactive[bool], stop_playing: threading.Event):  # fmt: skip
    week = solara.use_reactive(0)  # the shown run's week: a step changes it, which redraws the status
    board = solara.use_memo(page_views.ChartBoard, dependencies=[])  # this session's chart widgets
    band_on = solara.use_reactive(False)
    band_size = solara.use_reactive(DEFAULT_REPLICATES)
    band = solara.use_memo(lambda: Band(run, band_size.value) if band_on.value and run is not None else None,
                           dependencies=[run, band_on.value, band_size.value])  # fmt: skip

    def band_rows() -> list:
        return band.rows() if band is not None and len(band.ready()) > 1 else []

    def show(shown: PairedRun) -> None:
        week.value = shown.week
        board.update(shown, band_rows())  # after the status: the week is shown first, the charts follow

    solara.use_effect(lambda: show(run) if run is not None else None, [run])

    def step():
        try:
            run.step()
        except Exception as err:  # noqa: BLE001 - no traceback reaches the page
            message.value = _one_line(err)
            playing.value = False
            return
        show(run)

    def play_loop():
        stop_playing.clear()
        while playing.value and player.is_current() and not stop_playing.is_set():
            step()
            stop_playing.wait(PLAY_PAUSE_S)  # a Pause pressed now stops before the next week, not two weeks on

    player = use_task(play_loop, dependencies=[playing.value], raise_error=False)
    if busy and playing.value:
        playing.value = False

    def catch_up():
        if band is None or not band.catch_up(lambda: band_task.is_current()):
            return False
        if band_task.is_current() and run is not None:
            board.update(run, band_rows())
        return True

    band_task = use_task(catch_up, dependencies=[band, week.value], raise_error=False)

    def value_for_money():
        time.sleep(SETTLE_S)  # a newer week cancels this before it copies anything
        if run is None or not run.warmed_up or not value_task.is_current():
            return value_task.latest  # superseded: the last answer stands until the newer one comes
        runs = band.ready() if band is not None else [run]
        return run, page_value.account(runs)

    value_task = use_task(value_for_money, dependencies=[run, week.value, band, band_task.finished], raise_error=False)
    shown_for, result = value_task.latest or (None, None)
    if shown_for is not run:  # worked out for the pair shown before Apply
        result = None

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Button("Step one week", on_click=step, disabled=busy or run is None or playing.value, color="primary")
        solara.Button("Pause" if playing.value else "Play", disabled=busy or run is None,
                      on_click=lambda: (stop_playing.set(), playing.set(False)) if playing.value else playing.set(True))  # fmt: skip
        solara.Button("Start again from week 0", on_click=restart, disabled=busy, outlined=True)
    # Messages come and go inside a box that is always there: a child added or removed above the charts would
    # move them in the page's tree, Solara would rebuild them, and a chart taken away before its first drawing
    # raises Vega's "reading 'usermeta'" error in the browser.
    with solara.Column(gap="4px"):
        if message.value:
            solara.Error(message.value, dense=True)
        if busy:
            solara.Info(f"Building the two runs (with and without your levers): warm-up {progress or 0:.0f}% done",
                        dense=True)  # fmt: skip
        solara.ProgressLinear(progress if busy and progress else busy)
    with solara.Column(style={"opacity": "0.35" if busy else "1", "transition": "opacity 0.2s"}):
        if run is not None:
            page_views.Status(run, week.value)
            error = _one_line(value_task.exception) if value_task.error else ""
            panels.ValueForMoneyPanel(result, value_task.pending, error)
            done = len(band.runs) + 1 if band is not None else 0
            panels.BandControl(band_on, band_size, "" if band is None else
                               f"range: {done} of {band.n} replicates at week {run.shown_week}"
                               if band_task.pending or len(band.ready()) < band.n else
                               f"range drawn from {band.n} paired replicates", busy)  # fmt: skip
            page_views.Charts(board)
            panels.Downloads(run, result, band_rows())
