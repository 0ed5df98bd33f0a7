"""Step, Play and Pause, the state of the run and the status line; what follows the week (value for money, the
range over replicates, the charts and the downloads) is experiments/viz/answers.py. A step re-renders the status
line alone first, then gives the charts their new rows, then re-renders the answers - never the inputs beside it."""

from __future__ import annotations

import threading

import solara
from solara.lab import use_task

from . import views as page_views
from .answers import Answers, band_rows, one_line
from .band import DEFAULT_REPLICATES, Band
from .run import PairedRun

PLAY_PAUSE_S = 0.05  # between weeks on Play, so clicks and redraws get their turn


@solara.component
def WeekStatus(run: PairedRun, week: solara.Reactive[int]):
    """The status line, reading the week itself: Solara redraws the components that read a reactive value, so a
    step redraws this line alone, and it reaches the browser before anything else of the step."""
    page_views.Status(run, week.value)


@solara.component
def RunPanel(run: PairedRun | None, busy: bool, progress: float | None, restart, message: solara.Reactive[str],
             playing: solara.Reactive[bool], stop_playing: threading.Event):  # fmt: skip
    # the week shown, twice: the status line's (set first on a step) and the answers' (set once the charts have
    # their new rows); neither is read here, so a step does not redraw this panel (about 270 components, 15 ms)
    week = solara.use_reactive(0)
    answered = solara.use_reactive(0)
    board = solara.use_memo(page_views.ChartBoard, dependencies=[])  # this session's chart widgets
    band_on = solara.use_reactive(False)
    band_size = solara.use_reactive(DEFAULT_REPLICATES)
    band = solara.use_memo(lambda: Band(run, band_size.value) if band_on.value and run is not None else None,
                           dependencies=[run, band_on.value, band_size.value])  # fmt: skip

    def show(shown: PairedRun) -> None:
        week.value = shown.week  # the status line alone redraws: the week is on screen first
        board.update(shown, band_rows(band))  # then the charts' new rows
        answered.value = shown.week  # then value for money, the range and the downloads

    solara.use_effect(lambda: show(run) if run is not None else None, [run])
    # the range switched off redraws the paired differences without it at once (it stayed until the next step)
    solara.use_effect(lambda: board.update(run, band_rows(band)) if run is not None else None, [band])

    def step():
        try:
            run.step()
        except Exception as err:  # noqa: BLE001 - no traceback reaches the page
            message.value = one_line(err)
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
            WeekStatus(run, week)
            Answers(run, answered, band, band_on, band_size, board, busy)
