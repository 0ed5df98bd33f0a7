"""The map of the browser page: link workers, community groups and the people matched to them (a Vega-Lite
spec built from a running model, as the other charts in experiments/viz/charts.py)."""

from __future__ import annotations

from itertools import islice
from typing import TYPE_CHECKING

from ...model.states import IN_GROUP, PathwayState
from .charts import EMBED, SCHEMA

if TYPE_CHECKING:
    from ...model.model import SocialPrescribingModel

S = PathwayState
NETWORK_SIZE = 270  # the map has a row of the charts to itself (views.Charts), its legends beside it
MAX_PATIENTS_DRAWN = 300  # the network view samples people so it stays legible
STATE_COLOURS = {
    S.AWAITING_LINK_WORKER: "#9e9e9e",
    S.WITH_LINK_WORKER: "#1f77b4",
    S.AWAITING_GROUP: "#ff7f0e",
    S.ATTENDING: "#2ca02c",
    S.SUSTAINED: "#17becf",
    S.VOLUNTEERING: "#9467bd",
    S.SETBACK: "#d62728",
}


def network(model: SocialPrescribingModel) -> dict:
    """Link workers (squares, along the top), community groups (triangles, where they meet) and the people
    matched to them (dots where they live), coloured by pathway state; a dashed line joins a person waiting
    for a place to the group."""
    side = model.catchment.side_km
    workers = model.workforce.link_workers()
    worker_pos = {w: (side * (i + 1) / (len(workers) + 1), side * 1.05) for i, w in enumerate(workers)}
    # the first ones only: at 200,000 adults a full pass over the open records took 20 ms of every step
    people = list(islice((p for p in model.open_records if p.state in STATE_COLOURS), MAX_PATIENTS_DRAWN))
    dots, links = [], []
    for person in people:
        state = person.state.label
        x, y = round(person.person.x, 3), round(person.person.y, 3)
        dots.append({"x": x, "y": y, "state": state})
        if person.link_worker in worker_pos:
            wx, wy = worker_pos[person.link_worker]
            links.append({"x": x, "y": y, "x2": wx, "y2": wy, "state": state, "link": "link worker"})
        if person.group is not None and person.group.is_open and person.state in IN_GROUP | {S.AWAITING_GROUP}:
            link = "waiting for this group" if person.state is S.AWAITING_GROUP else "member of this group"
            links.append({"x": x, "y": y, "x2": person.group.x, "y2": person.group.y, "state": state, "link": link})
    places = [{"x": x, "y": y, "kind": "link worker"} for x, y in worker_pos.values()]
    places += [{"x": g.x, "y": g.y, "kind": "community group"} for g in model.community.groups()]
    colour = {
        "field": "state",
        "type": "nominal",
        "title": "pathway state",
        "scale": {"domain": [s.label for s in STATE_COLOURS], "range": list(STATE_COLOURS.values())},
    }
    km = {"type": "quantitative", "title": "km", "scale": {"domain": [0, round(side * 1.1, 2)], "nice": False}}
    return {
        "$schema": SCHEMA,
        "usermeta": EMBED,
        "title": f"Who is matched to whom (up to {MAX_PATIENTS_DRAWN} people within follow-up)",
        "width": NETWORK_SIZE,
        "height": NETWORK_SIZE,
        "layer": [
            {
                "data": {"values": links},
                "mark": {"type": "rule", "opacity": 0.5},
                "encoding": {
                    "x": {"field": "x", **km},
                    "y": {"field": "y", **km},
                    "x2": {"field": "x2"},
                    "y2": {"field": "y2"},
                    "color": colour,
                    "strokeDash": {
                        "field": "link",
                        "type": "nominal",
                        "title": "line",
                        "scale": {
                            "domain": ["link worker", "member of this group", "waiting for this group"],
                            "range": [[1, 0], [1, 0], [4, 3]],
                        },
                    },
                    "strokeWidth": {"value": 0.6},
                },
            },
            {
                "data": {"values": dots},
                "mark": {"type": "circle", "size": 14, "opacity": 0.9},
                "encoding": {"x": {"field": "x", **km}, "y": {"field": "y", **km}, "color": colour},
            },
            {
                "data": {"values": places},
                "mark": {"type": "point", "filled": True, "size": 70, "color": "#222222"},
                "encoding": {
                    "x": {"field": "x", **km},
                    "y": {"field": "y", **km},
                    "shape": {
                        "field": "kind",
                        "type": "nominal",
                        "title": "",
                        "scale": {"domain": ["link worker", "community group"], "range": ["square", "triangle-up"]},
                    },
                },
            },
        ],
    }
