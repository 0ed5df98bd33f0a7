"""The browser page: one simulation unfolding week by week, with the policy levers as inputs.

Serve it with `spsim viz` (or `solara run model.app:page`). This module and model/page_charts.py are the only
ones that serve the page; the charts are drawn in the browser (Vega-Lite), so a weekly step stays quick.
"""

from __future__ import annotations

import solara
from mesa.visualization import SolaraViz
from solara.widgets import VegaLite

import os

from . import page_charts
from .model import SocialPrescribingModel
from .parameters import registry
from .place import ENVIRONMENT, from_json
from .states import IN_GROUP, PathwayState

S = PathwayState


def _slider(name: str, label: str, low: float, high: float, step: float) -> dict:
    value = _start(name)
    kind = "SliderInt" if isinstance(registry()[name].value, int) and not isinstance(value, bool) else "SliderFloat"
    return {"type": kind, "value": min(max(value, low), high), "label": label, "min": low, "max": high, "step": step}


def _checkbox(name: str, label: str) -> dict:
    return {"type": "Checkbox", "value": _start(name), "label": label}


# `spsim viz --place FILE` checks the place file and hands it over as JSON data; the page then runs in that
# place: its values are the levers' starting values, and its size is fixed (its small areas are laid out for it)
PLACE_PARAMETERS, PLACE_LAYOUT = from_json(os.environ[ENVIRONMENT]) if os.environ.get(ENVIRONMENT) else ({}, None)


def _start(name: str) -> float:
    return PLACE_PARAMETERS.get(name, registry()[name].value)


MODEL_PARAMS = {
    "rng": {"type": "InputText", "value": 1, "label": "Random seed"},
    "population": PLACE_PARAMETERS["population"] if PLACE_LAYOUT is not None
    else _slider("population", "Adults in the catchment", 10_000, 200_000, 10_000),
    "link_workers_per_100k": _slider("link_workers_per_100k", "Link workers (FTE per 100,000 adults)", 0, 20, 0.5),
    "vcse_grant_per_100k_year_gbp": _slider(
        "vcse_grant_per_100k_year_gbp", "VCSE capacity grants (GBP per 100,000 adults a year)", 0, 300_000, 10_000
    ),
    "referral_tariff_gbp": _slider("referral_tariff_gbp", "Tariff per referral that starts (GBP)", 0, 500, 10),
    "supported_discharge": _checkbox("supported_discharge", "Supported discharge pathway (mental health)"),
    "peer_programme": _checkbox("peer_programme", "Peer support programme"),
    "support_weeks": _slider("support_weeks", "Link worker support (weeks)", 6, 78, 1),
    "open_door": _checkbox("open_door", "Open door after support ends"),
    "public_awareness": _slider("public_awareness", "Public awareness (0-1)", 0.0, 1.0, 0.05),
}


def pathway_text(model: SocialPrescribingModel) -> solara.component:
    """The week and headline counts, in words."""
    c = model.counters
    in_groups = sum(c.count(s) for s in IN_GROUP)
    return solara.Markdown(
        f"**Week {model.week}** (year {model.week / 52:.1f}) - referred so far: {c.referred:,}; "
        f"waiting for a link worker: {c.count(S.AWAITING_LINK_WORKER):,}; in community groups: {in_groups:,}; "
        f"link workers in post: {len(model.workforce.link_workers())}; groups open: {len(model.community.groups())}; "
        f"groups closed: {model.community.groups_closed}\n\n{settings_text(model)}"
    )


def settings_text(model: SocialPrescribingModel) -> str:
    """The lever values this run was built with (the sliders do not show numbers)."""
    p = model.p

    def on(flag: bool) -> str:
        return "on" if flag else "off"

    return (
        f"*This run:* {p.population:,} adults; {p.link_workers_per_100k:g} link worker FTE per 100,000; "
        f"grants {p.vcse_grant_per_100k_year_gbp:,.0f} GBP per 100,000 a year; tariff {p.referral_tariff_gbp:,.0f} "
        f"GBP per referral; supported discharge {on(p.supported_discharge)}; peer programme {on(p.peer_programme)}; "
        f"support {p.support_weeks} weeks; open door {on(p.open_door)}; public awareness {p.public_awareness:g}"
    )


def network(model: SocialPrescribingModel) -> solara.component:
    """Link workers, groups and the people matched to them (see page_charts.network)."""
    return VegaLite.element(spec=page_charts.network(model))


def _chart(title: str, unit: str, series: dict[str, tuple[str, str]]):
    """A component drawing model reporters over weeks: series maps a reporter to (label, colour)."""

    def chart(model: SocialPrescribingModel) -> solara.component:
        return VegaLite.element(spec=page_charts.time_series(model.datacollector.model_vars, title, unit, series))

    chart.__name__ = chart.__qualname__ = f"chart: {title}"
    return chart


COMPONENTS = [
    pathway_text,
    _chart("People in each pathway state", "people", {
        "with_link_worker": ("with a link worker", "#1f77b4"),
        "awaiting_group": ("waiting for a group", "#ff7f0e"),
        "attending": ("attending a group", "#2ca02c"),
        "sustained": ("still going after 6 months", "#17becf"),
        "volunteering": ("volunteering", "#9467bd"),
        "setback": ("in a setback", "#d62728"),
    }),  # fmt: skip
    _chart("Waiting lists", "people waiting", {
        "lw_waiting": ("for a link worker", "#9e9e9e"),
        "group_waiting": ("for a place in a group", "#ff7f0e"),
    }),  # fmt: skip
    _chart("Link worker caseloads", "people on caseloads", {
        "caseload": ("people on caseloads", "#1f77b4"),
        "caseload_capacity": ("capacity of the link workers in post", "#000000"),
    }),  # fmt: skip
    _chart("Community groups", "groups", {"open_groups": ("groups open", "#2ca02c")}),
    _chart("Wellbeing and loneliness of people referred", "mean score", {
        "mean_swemwbs": ("SWEMWBS wellbeing (7-35, higher is better)", "#2ca02c"),
        "mean_ucla": ("UCLA-3 loneliness (3-9, higher is lonelier)", "#d62728"),
    }),  # fmt: skip
    network,
]


def _seed(text: str | int) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        raise ValueError(f"Random seed: {text!r} is not a whole number") from None


class PageModel(SocialPrescribingModel):
    """The model as the page builds it: the seed arrives as typed text, and the place runs a warm-up first
    (as in every experiment), so the page opens on settled caseloads and groups rather than an empty pathway."""

    def __init__(self, rng: str | int = 1, warmup_weeks: int = 52, scenario=None, **parameters):
        # `scenario` is Mesa's experimental scenario object, which SolaraViz passes on Reset; this model's
        # inputs are its parameters, so it is not used
        super().__init__(rng=_seed(rng), layout=PLACE_LAYOUT, **{**PLACE_PARAMETERS, **parameters})
        if int(warmup_weeks) > 0:
            self.run_for(int(warmup_weeks))


MODEL_PARAMS["warmup_weeks"] = {"type": "SliderInt", "value": 52, "label": "Warm-up before showing (weeks)",
                                "min": 0, "max": 156, "step": 4}  # fmt: skip

model = PageModel(rng=1)
page = SolaraViz(
    model, components=COMPONENTS, model_params=MODEL_PARAMS, name="Social prescribing: one simulation, week by week"
)
