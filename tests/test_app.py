"""The browser page renders (without a browser): every component draws from a running model."""

from __future__ import annotations

import json

import ipywidgets as widgets
import pytest
import solara
from solara.widgets import VegaLite

from model import SocialPrescribingModel, app, page_charts


def _widgets(root) -> list:
    out = [root]
    for child in getattr(root, "children", None) or []:
        if isinstance(child, widgets.Widget):
            out.extend(_widgets(child))
    return out


def render(component_fn, model):
    @solara.component
    def Wrapped():
        return component_fn(model)

    box, _ = solara.render(Wrapped(), handle_error=False)
    return _widgets(box)


def test_every_component_draws_from_a_running_model():
    model = SocialPrescribingModel(rng=1, population=20_000)
    model.run_for(30)
    for component in app.COMPONENTS:
        fn = component[0] if isinstance(component, tuple) else component
        found = render(fn, model)
        charts = [w for w in found if isinstance(w, VegaLite)]
        if fn is app.pathway_text:
            text = " ".join(str(getattr(w, "template", "")) + str(getattr(w, "value", "")) for w in found)
            state = " ".join(str(w.get_state()) for w in found)
            assert "Week 30" in text + state
        else:
            assert charts, f"{fn.__name__} drew no chart"
            spec = charts[0].spec
            values = [v for layer in spec.get("layer", [spec]) for v in layer["data"]["values"]]
            assert len(values) > 20, f"{fn.__name__} has almost no data"
            json.dumps(spec, allow_nan=False)  # what the browser receives must be valid JSON


def test_the_page_renders_and_its_inputs_rebuild_the_model():
    box, _ = solara.render(app.page, handle_error=False)
    assert _widgets(box)
    params = {k: v["value"] for k, v in app.MODEL_PARAMS.items()}
    params["rng"] = "7"  # the seed input is text
    params["link_workers_per_100k"] = 12.0
    params["warmup_weeks"] = 8
    model = app.PageModel(**params)
    assert model.week == 8
    assert len(model.workforce.link_workers()) == round(12.0 * params["population"] / 100_000)
    assert "12 link worker FTE per 100,000" in app.settings_text(model)  # the sliders show no numbers
    assert app.PageModel(rng=1, warmup_weeks=0).week == 0


def test_a_seed_that_is_not_a_number_is_named():
    with pytest.raises(ValueError, match="Random seed: 'abc' is not a whole number"):
        app.PageModel(rng="abc", warmup_weeks=0)


def test_scores_measured_every_few_weeks_are_joined_not_sent_as_nan():
    spec = page_charts.time_series(
        {"mean_swemwbs": [float("nan"), 20.0, float("nan"), 21.0]}, "Wellbeing", "mean score",
        {"mean_swemwbs": ("SWEMWBS", "#2ca02c")},
    )  # fmt: skip
    assert spec["data"]["values"] == [
        {"week": 1, "value": 20.0, "series": "SWEMWBS"},
        {"week": 3, "value": 21.0, "series": "SWEMWBS"},
    ]
    assert spec["encoding"]["color"]["scale"] == {"domain": ["SWEMWBS"], "range": ["#2ca02c"]}


def test_the_network_view_joins_people_to_their_link_worker_and_group():
    model = SocialPrescribingModel(rng=3, population=20_000)
    model.run_for(40)
    spec = page_charts.network(model)
    links, dots, places = (layer["data"]["values"] for layer in spec["layer"])
    assert 0 < len(dots) <= page_charts.MAX_PATIENTS_DRAWN
    kinds = {link["link"] for link in links}
    assert "link worker" in kinds and "member of this group" in kinds
    assert sum(p["kind"] == "link worker" for p in places) == len(model.workforce.link_workers())
    assert sum(p["kind"] == "community group" for p in places) == len(model.community.groups())
