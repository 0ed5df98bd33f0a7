"""The browser page: one simulation unfolding week by week, with the policy levers as inputs.

Serve it with `spsim viz` (or `solara run model.app:page`). This is the only module of the project that
imports the visualisation stack.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import solara  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from mesa.visualization import SolaraViz, make_plot_component  # noqa: E402

from .model import SocialPrescribingModel  # noqa: E402
from .parameters import registry  # noqa: E402
from .states import IN_GROUP, PathwayState  # noqa: E402

S = PathwayState
MAX_PATIENTS_DRAWN = 300  # the network view samples people so a week redraws quickly
STATE_COLOURS = {
    S.AWAITING_LINK_WORKER: "#9e9e9e",
    S.WITH_LINK_WORKER: "#1f77b4",
    S.AWAITING_GROUP: "#ff7f0e",
    S.ATTENDING: "#2ca02c",
    S.SUSTAINED: "#17becf",
    S.VOLUNTEERING: "#9467bd",
    S.SETBACK: "#d62728",
}


def _slider(name: str, label: str, low: float, high: float, step: float) -> dict:
    value = registry()[name].value
    kind = "SliderInt" if isinstance(value, int) and not isinstance(value, bool) else "SliderFloat"
    return {"type": kind, "value": value, "label": label, "min": low, "max": high, "step": step}


def _checkbox(name: str, label: str) -> dict:
    return {"type": "Checkbox", "value": registry()[name].value, "label": label}


MODEL_PARAMS = {
    "rng": {"type": "InputText", "value": 1, "label": "Random seed"},
    "population": _slider("population", "Adults in the catchment", 10_000, 200_000, 10_000),
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
        f"link workers in post: {len(model.link_workers())}; groups open: {len(model.groups())}; "
        f"groups closed: {model.groups_closed}"
    )


def network(model: SocialPrescribingModel) -> solara.component:
    """Link workers (squares), groups (triangles) and the people matched to them, coloured by state;
    people waiting for a group are joined to it by a dashed line."""
    fig = Figure(figsize=(7, 6))
    ax = fig.subplots()
    groups = model.groups()
    workers = model.link_workers()
    people = [p for p in model.open_records if p.state in STATE_COLOURS][:MAX_PATIENTS_DRAWN]
    side = model.catchment.side_km
    worker_pos = {w: (side * (i + 1) / (len(workers) + 1), side * 1.05) for i, w in enumerate(workers)}
    for person in people:
        colour = STATE_COLOURS[person.state]
        px, py = person.person.x, person.person.y
        if person.link_worker in worker_pos:
            wx, wy = worker_pos[person.link_worker]
            ax.plot([px, wx], [py, wy], color=colour, lw=0.3, alpha=0.4)
        if person.group is not None and person.group.is_open and person.state in IN_GROUP | {S.AWAITING_GROUP}:
            style = "--" if person.state is S.AWAITING_GROUP else "-"
            ax.plot([px, person.group.x], [py, person.group.y], style, color=colour, lw=0.6, alpha=0.7)
        ax.scatter(px, py, s=10, color=colour)
    ax.scatter([g.x for g in groups], [g.y for g in groups], marker="^", s=60, color="black", label="community group")
    if worker_pos:
        xs, ys = zip(*worker_pos.values(), strict=True)
        ax.scatter(xs, ys, marker="s", s=60, color="#444444", label="link worker")
    for state, colour in STATE_COLOURS.items():
        ax.scatter([], [], s=15, color=colour, label=state.label)
    ax.set_title(f"Who is matched to whom (up to {MAX_PATIENTS_DRAWN} people within follow-up)")
    ax.set_xlabel("km")
    ax.set_ylabel("km")
    ax.legend(fontsize=7, loc="lower left", ncol=2)
    return solara.FigureMatplotlib(fig)


def _legend(ax) -> None:
    ax.legend(fontsize=7)


COMPONENTS = [
    pathway_text,
    make_plot_component(
        {"with_link_worker": "#1f77b4", "awaiting_group": "#ff7f0e", "attending": "#2ca02c", "sustained": "#17becf",
         "volunteering": "#9467bd", "setback": "#d62728"},  # fmt: skip
        post_process=_legend,
    ),
    make_plot_component({"lw_waiting": "#9e9e9e", "group_waiting": "#ff7f0e"}, post_process=_legend),
    make_plot_component({"caseload": "#1f77b4", "caseload_capacity": "#000000"}, post_process=_legend),
    make_plot_component({"open_groups": "#2ca02c"}, post_process=_legend),
    make_plot_component({"mean_swemwbs": "#2ca02c", "mean_ucla": "#d62728"}, post_process=_legend),
    network,
]

plt.rcParams["figure.max_open_warning"] = 0
model = SocialPrescribingModel(rng=1)
page = SolaraViz(
    model, components=COMPONENTS, model_params=MODEL_PARAMS, name="Social prescribing: one simulation, week by week"
)
