"""Vega-Lite chart specifications for the browser page, built from a running model.

The page draws its charts in the browser (Vega-Lite), not as server-side images: the server then sends a few
kilobytes of numbers per chart each week instead of rendering and sending pictures, which is what keeps a
weekly step well under a second at the default population. Plain dictionaries, so they can be tested without
a browser or a widget library. The map is experiments/viz/map_chart.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"  # names the spec's version; nothing is fetched
# sized so that two charts sit side by side beside the levers at 1280 pixels wide (the page's narrowest
# supported layout): plot area plus axis titles and labels stay within 430 pixels
WIDTH, HEIGHT = 300, 150
PANEL_WIDTH, PANEL_HEIGHT = 190, 95  # each small panel of the paired differences, three to a row
# the chart menu offers saving as PNG or SVG, not the online Vega editor (these pages run offline)
EMBED = {"embedOptions": {"actions": {"export": True, "source": False, "compiled": False, "editor": False}}}
WEEK_TITLE = "weeks since levers began (before 0: warm-up)"
WHOLE_TICKS = {"tickMinStep": 1, "format": "d"}  # weeks and people: no half-weeks or half-people early in a run
BAND_COLOUR, LINE_COLOUR, MARK_COLOUR = "#cab2d6", "#6a3d9a", "#e31a1c"


def time_series(
    model_vars: Mapping[str, Sequence[float]], title: str, unit: str, series: Mapping[str, tuple[str, str]],
    *, since: int = 0, zero: bool = True,
) -> dict:
    """Lines over weeks of model reporters; series maps a reporter to (label in plain words, colour). Weeks
    are counted from ``since`` (the end of the warm-up: week 0 is when the levers began, the warm-up is
    negative). ``zero=False`` lets the axis fit the values (a score whose movement is a fraction of a point)."""
    rows = []
    for name, (label, _) in series.items():
        values = model_vars.get(name, ())
        # a reporter measured only some weeks (e.g. scores every 4 weeks) is NaN in between, which JSON
        # cannot carry: the line joins the weeks that were measured
        rows.extend(
            {"week": week - since, "value": round(value, 4), "series": label}
            for week, value in enumerate(values)
            if value is not None and value == value
        )
    labels = [label for label, _ in series.values()]
    colours = [colour for _, colour in series.values()]
    return {
        "$schema": SCHEMA,
        "usermeta": EMBED,
        "title": title,
        "width": "container",  # the grid cell's width: two to a row at 1280 pixels, three at 1920
        "height": HEIGHT,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "data": {"values": rows},
        "mark": {"type": "line", "interpolate": "step-after"},
        "encoding": {
            "x": {"field": "week", "type": "quantitative", "title": WEEK_TITLE, "axis": WHOLE_TICKS},
            "y": {"field": "value", "type": "quantitative", "title": unit, "scale": {"zero": zero},
                  "axis": WHOLE_TICKS if zero else {}},
            "color": {
                "field": "series",
                "type": "nominal",
                "scale": {"domain": labels, "range": colours},
                # one label a row, never cut: a legend is only useful if it can be read whole
                "legend": {"orient": "bottom", "title": None, "columns": 1 if len(labels) < 3 else 2,
                           "labelLimit": WIDTH, "symbolType": "stroke"},
            },
        },
    }


def differences(rows: Sequence[Mapping[str, float]], measures: Mapping[str, tuple[str, str]],
                band: Sequence[Mapping[str, float]] = (), changes: Sequence[int] = ()) -> dict:  # fmt: skip
    """The paired difference (with the levers minus without, same seed) of each measure over the weeks since
    the levers began: one small panel a measure, each on its own axis (points, people, GBP), with zero marked;
    ``band``: the replicates' mean difference and 95% interval a week; ``changes``: weeks a lever change began
    (a red rule each)."""
    week = {"field": "week", "type": "quantitative", "title": "weeks since levers began", "axis": WHOLE_TICKS}
    panels = []
    for key, (title, unit) in measures.items():
        values = [{"week": row["week"], "value": round(row[key], 4)} for row in rows if row[key] == row[key]]
        y_axis = WHOLE_TICKS if unit.startswith("people") else {}
        layer = [{"mark": {"type": "rule", "color": "#888888", "strokeDash": [3, 3]}, "encoding": {"y": {"datum": 0}}}]
        spread = [{"week": r["week"], "mean": round(r[f"{key}_mean"], 4), "low": round(r[f"{key}_low"], 4),
                   "high": round(r[f"{key}_high"], 4)} for r in band if r[f"{key}_low"] == r[f"{key}_low"]]  # fmt: skip
        if spread:
            layer += [
                {"data": {"values": spread}, "mark": {"type": "area", "color": BAND_COLOUR, "opacity": 0.6},
                 "encoding": {"x": week, "y": {"field": "low", "type": "quantitative", "title": unit}, "y2": {"field": "high"}}},
                {"data": {"values": spread}, "mark": {"type": "line", "color": LINE_COLOUR, "strokeDash": [4, 2]},
                 "encoding": {"x": week, "y": {"field": "mean", "type": "quantitative"}}},
            ]  # fmt: skip
        layer.append({"mark": {"type": "line", "color": LINE_COLOUR, "interpolate": "linear"},
                      "encoding": {"x": week, "y": {"field": "value", "type": "quantitative", "title": unit,
                                                    "axis": y_axis}}})  # fmt: skip
        if changes:
            layer.append({"data": {"values": [{"week": w} for w in changes]},
                          "mark": {"type": "rule", "color": MARK_COLOUR, "strokeWidth": 1.5},
                          "encoding": {"x": {"field": "week", "type": "quantitative"}}})  # fmt: skip
        panels.append({"title": {"text": title, "fontSize": 12}, "width": PANEL_WIDTH, "height": PANEL_HEIGHT,
                       "data": {"values": values}, "layer": layer})  # fmt: skip
    subtitle = ["above the dashed line: more with your levers than without"]
    if band:
        subtitle.append("shaded: 95% interval of the mean difference over the replicates (dashed line: their mean)")
    if changes:
        subtitle.append("red lines: the weeks a lever change began")
    return {
        "$schema": SCHEMA,
        "usermeta": EMBED,
        "title": {"text": "Your levers minus the place as it is (same people, same chance events)",
                  "subtitle": subtitle, "anchor": "start"},
        "concat": panels,
        "columns": 3,
        "resolve": {"scale": {"y": "independent"}},
    }  # fmt: skip
