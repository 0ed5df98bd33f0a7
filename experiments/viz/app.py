"""The browser page: the place with your policy levers and the place as it is, side by side, week by week.

Serve it with `spsim viz` (`solara run spsim.experiments.viz.app:page` behind a host/origin guard). Every browser session has
its own pair of models: the state lives in this component's hooks (Solara keeps them per session), never at
module level, so two people on the page never step each other's run. Building a pair (the warm-up) runs in a
background task, so the page says it is busy and stays responsive. What is shown is in experiments/viz/views.py;
what is run is experiments/viz/run.py; the levers and their costs are experiments/viz/levers.py.
"""

from __future__ import annotations

import logging
import time

import solara
from solara.lab import use_task

from . import levers as page_levers
from . import places as page_places
from . import views as page_views
from .run import InputProblem, PairedRun, Settings, parse_seed

TITLE = "spsim: social prescribing - your levers against the place as it is"
POPULATION_RANGE = (10_000, 200_000, 5_000)
PLAY_PAUSE_S = 0.05  # between weeks on Play, so clicks and redraws get their turn
log = logging.getLogger(__name__)


def _population_for(place: page_places.PagePlace) -> int:
    low, high, step = POPULATION_RANGE
    return place.adults if place.fixed_size else min(max(round(place.adults / step) * step, low), high)


def _one_line(err: Exception) -> str:
    """An unexpected fault, said in one line (the traceback goes to the server's log, never to the page)."""
    log.exception("the page could not run the model")
    return f"Could not run these settings: {str(err).splitlines()[0] if str(err) else type(err).__name__}"


@solara.component
def Page():
    solara.Title(TITLE)
    places = page_places.places()
    place_name = solara.use_reactive(next(iter(places)))
    place = places[place_name.value]
    population = solara.use_reactive(_population_for(place))
    seed_text = solara.use_reactive("1")
    warmup = solara.use_reactive(52)
    levers = solara.use_reactive(page_levers.place_values(place.parameters))
    message = solara.use_reactive("")
    parameters = solara.use_memo(lambda: place.at(population.value)[0], dependencies=[place_name.value, population.value])

    def build(settings: Settings) -> PairedRun:
        run = PairedRun(settings)

        def progress(share: float) -> bool:
            builder.progress = 100 * share
            return builder.is_current()  # a newer Reset, or the page closed: stop warming up

        run.warm_up(progress)
        return run

    builder = use_task(build, dependencies=None, raise_error=False)
    run: PairedRun | None = builder.latest  # while a new pair builds, the last one stays (dimmed)
    busy = builder.pending

    def settings() -> Settings:
        return Settings(place=place, population=population.value, seed=parse_seed(seed_text.value),
                        warmup_weeks=warmup.value, levers=tuple(levers.value.items()))  # fmt: skip

    def reset():
        try:
            chosen = settings()
        except InputProblem as err:  # the page keeps its run; the message says what to type instead
            message.value = str(err)
            return
        message.value = ""
        builder(chosen)

    solara.use_effect(lambda: builder(settings()), [])  # the first pair, once per session

    # a build that failed says so in one line (after the render: state is not set while rendering)
    solara.use_effect(lambda: message.set(_one_line(builder.exception)) if builder.error else None, [builder.error])

    def choose_place(name: str):
        place_name.value = name
        population.value = _population_for(places[name])
        levers.value = page_levers.place_values(places[name].parameters)

    with solara.Row(style={"flex-wrap": "nowrap", "align-items": "flex-start", "width": "100%"}):
        with solara.Column(style={"width": "350px", "min-width": "350px", "padding": "8px"}, classes=["spsim-inputs"]):
            solara.Markdown("### The place")
            solara.Select("Place", values=list(places), value=place_name.value, on_value=choose_place, disabled=busy)
            page_views.ValueSlider(f"Adults in the catchment: {population.value:,}", population.value,
                                   *POPULATION_RANGE, population.set, busy or place.fixed_size,
                                   note="this place lists its own groups: it runs at its own size"
                                   if place.fixed_size else "")  # fmt: skip
            solara.InputText("Random seed (a whole number; the same seed gives the same run)", value=seed_text,
                             error=message.value if message.value.startswith("Random seed") else False,
                             continuous_update=True)  # fmt: skip
            page_views.ValueSlider(f"Warm-up before the levers begin: {warmup.value} weeks", warmup.value, 0, 156, 4,
                                   warmup.set, busy, note="the place runs as it is first, so caseloads and groups settle")  # fmt: skip
            solara.Markdown("### Your levers")
            for lever in page_levers.LEVERS:
                page_views.LeverControl(lever, levers.value[lever.name],
                                        lambda v, n=lever.name: levers.set({**levers.value, n: v}), parameters, busy)  # fmt: skip
        with solara.Column(style={"flex": "1 1 auto", "min-width": "0", "padding": "8px"}):
            RunPanel(run, busy, builder.progress, reset, message)


@solara.component
def RunPanel(run: PairedRun | None, busy: bool, progress: float | None, reset, message: solara.Reactive[str]):
    """Step, Play and Reset, the state of the run and its charts. A step re-renders this panel only (the week
    is its state), not the inputs beside it."""
    week = solara.use_reactive(0)  # the shown run's week: a step changes it, which redraws the status
    playing = solara.use_reactive(False)
    board = solara.use_memo(page_views.ChartBoard, dependencies=[])  # this session's chart widgets

    def show(shown: PairedRun) -> None:
        week.value = shown.week
        board.update(shown)  # after the status: the week is shown first, the charts follow

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
        while playing.value and player.is_current():
            step()
            time.sleep(PLAY_PAUSE_S)

    player = use_task(play_loop, dependencies=[playing.value], raise_error=False)
    if busy and playing.value:
        playing.value = False

    with solara.Row(style={"align-items": "center"}):
        solara.Button("Step one week", on_click=step, disabled=busy or run is None or playing.value, color="primary")
        solara.Button("Pause" if playing.value else "Play", on_click=lambda: playing.set(not playing.value),
                      disabled=busy or run is None)  # fmt: skip
        solara.Button("Reset with these settings", on_click=reset, disabled=busy, outlined=True)
    # Messages come and go inside a box that is always there: a child added or removed above the charts would
    # move them in the page's tree, Solara would rebuild them, and a chart taken away before its first drawing
    # raises Vega's "reading 'usermeta'" error in the browser.
    with solara.Column(gap="4px"):
        if message.value and not message.value.startswith("Random seed"):  # that one shows under the seed
            solara.Error(message.value, dense=True)
        if busy:
            solara.Info(f"Building the two runs (with and without your levers): warm-up {progress or 0:.0f}% done",
                        dense=True)  # fmt: skip
        solara.ProgressLinear(progress if busy and progress else busy)
    with solara.Column(style={"opacity": "0.35" if busy else "1", "transition": "opacity 0.2s"}):
        if run is not None:
            page_views.Status(run, week.value)
            page_views.Charts(board)


page = Page  # `spsim viz` serves model.app:page
