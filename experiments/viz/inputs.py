"""The page's inputs beside the charts: the place (which needs the two runs built again: shown as not applied
until Apply) and the levers (which act on the running pair from the next week). Plain Solara; experiments/viz/app.py
owns the state."""

from __future__ import annotations

from typing import Any

import solara

from . import levers as page_levers
from . import places as page_places
from . import views as page_views
from .run import InputProblem, PairedRun, parse_seed

POPULATION_RANGE = (10_000, 200_000, 5_000)
PENDING = " (not applied)"
# the page's own CSS: a slider's label is its accessible name but not shown (the text above says it); switch
# labels in full black, not the grey that reads as disabled
CSS = """
.spsim-slider .v-input__slot > .v-label { display: none; }
.spsim-inputs .v-select__selection--comma { white-space: normal; overflow: visible; text-overflow: clip; }
.spsim-lever .v-input--checkbox .v-label, .spsim-band .v-input--switch .v-label { color: rgba(0, 0, 0, 0.87); }
.spsim-pending { border-left: 3px solid #e6550d; padding-left: 6px; }
"""


def population_for(place: page_places.PagePlace) -> int:
    low, high, step = POPULATION_RANGE
    return place.adults if place.fixed_size else min(max(round(place.adults / step) * step, low), high)


def seed_problem(text: str) -> str:
    """The seed box's one-line message, or "" (worked out as it is typed, so it goes when the seed is corrected)."""
    try:
        parse_seed(text)
    except InputProblem as err:
        return str(err)
    return ""


@solara.component
def Inputs(places: dict, place_name: solara.Reactive[str], population: solara.Reactive[int],
           seed_text: solara.Reactive[str], warmup: solara.Reactive[int], levers: dict[str, Any],
           on_lever, choose_place, apply, run: PairedRun | None, parameters: dict, busy: bool):  # fmt: skip
    place = places[place_name.value]
    shown = run.settings if run is not None else None
    seed_error = seed_problem(seed_text.value)

    def pending(changed: bool) -> str:
        return PENDING if shown is not None and changed else ""

    waiting = {
        "place": shown is not None and shown.place.label != place_name.value,
        "population": shown is not None and shown.population != population.value,
        "seed": shown is not None and not seed_error and shown.seed != parse_seed(seed_text.value),
        "warm-up": shown is not None and shown.warmup_weeks != warmup.value,
    }
    solara.Style(CSS)
    solara.Markdown("### The place\nChanges here build both runs again: press Apply.")
    solara.Select("Place" + pending(waiting["place"]), values=list(places), value=place_name.value,
                  on_value=choose_place, disabled=busy)  # fmt: skip
    solara.InputText("Random seed" + pending(waiting["seed"]), value=seed_text, error=seed_error or False,
                     continuous_update=True, message="a whole number: the same seed gives the same run, as "
                     "spsim run --seed does")  # fmt: skip
    page_views.ValueSlider(f"Adults in the catchment: {population.value:,}" + pending(waiting["population"]),
                           population.value, *POPULATION_RANGE, population.set, busy or place.fixed_size,
                           note="this place lists its own groups: it runs at its own size" if place.fixed_size else "")  # fmt: skip
    page_views.ValueSlider(f"Warm-up before the levers begin: {warmup.value} weeks" + pending(waiting["warm-up"]),
                           warmup.value, 0, 156, 4, warmup.set, busy,
                           note="the place runs as it is first, so caseloads and groups settle")  # fmt: skip
    if any(waiting.values()):
        with solara.Column(gap="4px", classes=["spsim-pending"]):
            solara.Text("Not applied yet: " + ", ".join(name for name, w in waiting.items() if w)
                        + ". The run shown is still the one before.")  # fmt: skip
            solara.Button("Apply: build the runs again", on_click=apply, disabled=busy or bool(seed_error),
                          color="warning")  # fmt: skip
    solara.Markdown("### Your levers")
    if run is not None and run.warmed_up:
        solara.Text("They act when moved, on the run shown: a change starts at the end of the next week run (no "
                    "need to start again) and is marked in red on the difference chart.", style=page_views.NOTE)  # fmt: skip
    for lever in page_levers.LEVERS:
        page_views.LeverControl(lever, levers[lever.name], lambda v, n=lever.name: on_lever(n, v), parameters, busy)
