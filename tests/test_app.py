"""The browser page renders (without a browser): every component draws from a running model."""

from __future__ import annotations

import ipywidgets as widgets
import solara

from model import SocialPrescribingModel, app


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
        images = [w for w in found if isinstance(w, widgets.Image)]
        if fn is app.pathway_text:
            text = " ".join(str(getattr(w, "template", "")) + str(getattr(w, "value", "")) for w in found)
            state = " ".join(str(w.get_state()) for w in found)
            assert "Week 30" in text + state
        else:
            assert images and len(images[0].value) > 1000, f"{fn} drew no picture"


def test_the_page_renders_and_its_inputs_rebuild_the_model():
    box, _ = solara.render(app.page, handle_error=False)
    assert _widgets(box)
    params = {k: v["value"] for k, v in app.MODEL_PARAMS.items()}
    params["rng"] = int(params["rng"])
    params["link_workers_per_100k"] = 12.0
    model = SocialPrescribingModel(**params)
    assert len(model.link_workers()) == round(12.0 * params["population"] / 100_000)
