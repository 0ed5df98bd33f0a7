"""The browser page: the place with your policy levers and the place as it is, side by side, week by week.

Serve it with `spsim viz` (`solara run spsim.experiments.viz.app:page` behind a host/origin guard). Every browser session has
its own pair of models: the state lives in this component's hooks (Solara keeps them per session), never at
module level, so two people on the page never step each other's run. Building a pair (the warm-up) runs in a
background task, so the page says it is busy and stays responsive. A moved lever acts on the running pair from the
next week (experiments/viz/lever_schedule.py); the place, adults, seed and warm-up need the pair built again, so
they wait, marked, for Apply (experiments/viz/inputs.py). What is shown is in views.py and panels.py, a step's
order of redrawing in run_panel.py and answers.py, the charts' widget in vega_chart.py; what is run is run.py; value
for money is value_for_money.py; the range over replicates band.py.
"""

from __future__ import annotations

import gc
import logging
import threading

import solara
from solara.lab import use_task

from . import levers as page_levers
from . import places as page_places
from .inputs import Inputs, population_for, seed_problem
from .run import PairedRun, Settings, parse_seed
from .run_panel import RunPanel

TITLE = "spsim: social prescribing - your levers against the place as it is"
log = logging.getLogger(__name__)


def one_line(err: Exception) -> str:
    """An unexpected fault, said in one line (the traceback goes to the server's log, never to the page)."""
    log.error("the page could not run the model", exc_info=err)
    return f"Could not run these settings: {str(err).splitlines()[0] if str(err) else type(err).__name__}"


def keep_out_of_collections() -> None:
    """Once a pair is built, take what the server holds out of the cycle collector's sight: Solara freezes its
    start-up objects itself, but what the first visit imports and makes (the session's widgets) and the pair's
    own objects (25,000 at 200,000 adults) were scanned again by every full collection, a 30-100 ms pause on
    whichever step was running, every 20 steps or so. Unfrozen and collected first (100-300 ms, within the
    build), so that a pair replaced earlier is freed, not kept; the pair shown until this one replaces it
    stays frozen until the next build."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


@solara.component
def Page():
    solara.Title(TITLE)
    places = page_places.places()
    place_name = solara.use_reactive(next(iter(places)))
    place = places[place_name.value]
    population = solara.use_reactive(population_for(place))
    seed_text = solara.use_reactive("1")
    warmup = solara.use_reactive(52)
    levers = solara.use_reactive(page_levers.place_values(place.parameters))
    message = solara.use_reactive("")
    playing = solara.use_reactive(False)
    stop_playing = solara.use_memo(threading.Event, dependencies=[])  # read by the play loop before each week

    def build(settings: Settings) -> PairedRun:
        run = PairedRun(settings)

        def progress(share: float) -> bool:
            builder.progress = 100 * share
            return builder.is_current()  # a newer Apply, or the page closed: stop warming up

        run.warm_up(progress)
        keep_out_of_collections()
        return run

    builder = use_task(build, dependencies=None, raise_error=False)
    run: PairedRun | None = builder.latest  # while a new pair builds, the last one stays (dimmed)
    busy = builder.pending
    # the levers' "today" is the place of the run shown: levers are priced against it until Apply
    chosen = solara.use_memo(lambda: place.at(population.value)[0], dependencies=[place_name.value, population.value])
    parameters = run.parameters if run is not None else chosen

    def settings() -> Settings:
        return Settings(place=place, population=population.value, seed=parse_seed(seed_text.value),
                        warmup_weeks=warmup.value, levers=tuple(levers.value.items()))  # fmt: skip

    def apply():
        if seed_problem(seed_text.value):  # shown under the seed box already; the run on the page goes on
            return
        pause()
        if run is not None and run.settings.place.label != place_name.value:
            levers.value = page_levers.place_values(place.at(population.value)[0])  # the new place as it is
        message.value = ""
        builder(settings())

    solara.use_effect(lambda: builder(settings()), [])  # the first pair, once per session

    # a build that failed says so in one line (after the render: state is not set while rendering)
    solara.use_effect(lambda: message.set(one_line(builder.exception)) if builder.error else None, [builder.error])

    def pause():
        stop_playing.set()
        playing.value = False

    def choose_place(name: str):
        pause()  # the run shown is the old place until Apply: it must not play on as if it were the new one
        place_name.value = name
        population.value = population_for(places[name])

    def move_lever(name: str, value) -> None:
        levers.value = {**levers.value, name: value}
        if run is not None and not busy and run.warmed_up:
            run.move_levers(levers.value)  # from the next week (the run shown is the one the levers act on)

    with solara.Row(style={"flex-wrap": "nowrap", "align-items": "flex-start", "width": "100%"}):
        with solara.Column(style={"width": "350px", "min-width": "350px", "padding": "8px"}, classes=["spsim-inputs"]):
            Inputs(places, place_name, population, seed_text, warmup, levers.value, move_lever, choose_place, apply,
                   run, parameters, busy)  # fmt: skip
        with solara.Column(style={"flex": "1 1 auto", "min-width": "0", "padding": "8px"}):
            solara.Markdown("**What to do:** move a lever and press Play (or Step): the charts show what your levers "
                            "change against the place as it is, and the panel below whether it is value for money.")  # fmt: skip
            RunPanel(run, busy, builder.progress, apply, message, playing, stop_playing)


page = Page  # `spsim viz` serves experiments.viz.app:page
