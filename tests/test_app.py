"""The browser page without a browser: the paired run it steps, the levers and their costs, its charts, and
that it renders."""

from __future__ import annotations

import json
import math

import pytest
import solara

from spsim.experiments.viz import app
from spsim.experiments.viz import charts as page_charts
from spsim.experiments.viz import map_chart
from spsim.experiments.viz import levers as page_levers
from spsim.experiments.viz import places as page_places
from spsim.experiments.viz import run as page_run
from spsim.experiments.viz import views as page_views
from spsim.model import SocialPrescribingModel
from spsim.model.parameters import registry

DEFAULT = page_places.places()[page_places.DEFAULT]


def paired(warmup: int = 8, population: int = 20_000, seed: int = 1, **moved) -> page_run.PairedRun:
    levers = {**page_levers.place_values(DEFAULT.parameters), **moved}
    run = page_run.PairedRun(page_run.Settings(DEFAULT, population, seed, warmup, tuple(levers.items())))
    assert run.warm_up()
    return run


def test_with_no_lever_moved_the_two_runs_are_the_same_run():
    run = paired()
    for _ in range(12):
        run.step()
    assert run.levers.policies == []
    assert all(row[key] == 0 or math.isnan(row[key]) for row in run.differences for key in page_run.DIFFERENCES)
    assert run.levers.datacollector.model_vars == run.baseline.datacollector.model_vars


def test_moved_levers_start_after_the_warm_up_and_make_a_difference_that_costs_money():
    run = paired(link_workers_per_100k=12.0, peer_programme=True)
    # the warm-up is shared: both runs are the same run until the levers begin
    warm = {name: values[: run.settings.warmup_weeks] for name, values in run.levers.datacollector.model_vars.items()}
    assert warm == {name: values[: run.settings.warmup_weeks] for name, values in run.baseline.datacollector.model_vars.items()}
    assert run.differences[0]["week"] == 0 and run.differences[0]["spend"] == 0
    for _ in range(26):
        run.step()
    assert len(run.levers.workforce.link_workers()) > len(run.baseline.workforce.link_workers())
    spent, baseline = run.spend_so_far()
    expected_extra = sum(page_levers.yearly_cost(name, value, run.parameters)[0]
                         for name, value in (("link_workers_per_100k", 12.0), ("peer_programme", True))) * 26 / 52  # fmt: skip
    assert spent - baseline == pytest.approx(expected_extra, rel=0.02)
    assert run.differences[-1]["spend"] == pytest.approx(spent - baseline)


def test_the_status_line_shows_link_workers_and_link_advisors_apart():
    """Issue 26, 9: the supported pathway's link advisors were counted as link workers, and posts not FTE: at
    20,000 adults, 1.2 FTE of link workers (2 posts) and a 0.2 FTE advisor showed as "link workers in post 3"."""
    import re

    from spsim.model.states import PathwayState

    run = paired(supported_discharge=True)
    for _ in range(10):
        run.step()
    box, rc = solara.render(page_views.Status(run, run.week), handle_error=False)
    shown = box.children[0].template  # the status line as the browser receives it
    rc.close()
    assert "link workers in post 1.2 FTE (2 posts), waiting for a link worker " in shown, shown
    assert "link advisors in post 0.2 FTE (1 post), waiting for a link advisor " in shown, shown
    waiting = [int(n) for n in re.findall(r"waiting for a link (?:worker|advisor) (\d+)", shown)]
    assert sum(waiting) == run.levers.counters.count(PathwayState.AWAITING_LINK_WORKER)


def test_a_lever_costs_what_the_report_says_it_costs():
    place = {"population": 100_000}
    cost = registry()["lw_cost_per_fte_year_gbp"].value
    assert page_levers.yearly_cost("link_workers_per_100k", 7.0, place) == pytest.approx((cost, 7 * cost))
    assert page_levers.yearly_cost("vcse_grant_per_100k_year_gbp", 50_000, place) == (50_000, 50_000)
    peer = registry()["peer_programme_cost_per_100k_year_gbp"].value
    assert page_levers.yearly_cost("peer_programme", True, place) == (peer, peer)
    assert page_levers.yearly_cost("peer_programme", False, place) == (0, 0)
    assert all(math.isnan(c) for c in page_levers.yearly_cost("referral_tariff_gbp", 100, place))
    assert page_levers.yearly_cost("support_weeks", 40, place) == (0, 0)


def test_every_lever_says_its_value_with_its_unit():
    said = {lever.name: lever.shown(page_levers.place_values({})[lever.name]) for lever in page_levers.LEVERS}
    assert said["link_workers_per_100k"] == "6 FTE per 100,000 adults"
    assert said["vcse_grant_per_100k_year_gbp"] == "0 GBP a year per 100,000 adults"
    assert said["support_weeks"] == "12 weeks"
    assert said["peer_programme"] == "off"


@pytest.mark.parametrize(("typed", "message"), [
    ("abc", "Random seed: 'abc' is not a whole number"),
    ("", "Random seed: '' is not a whole number"),
    ("1.5", "Random seed: '1.5' is not a whole number"),
    ("-3", "Random seed: -3 is out of range"),
    ("9" * 30, "Random seed: 999,999"),
])  # fmt: skip
def test_a_seed_the_page_cannot_run_is_named_in_one_line(typed, message):
    with pytest.raises(page_run.InputProblem, match=message) as caught:
        page_run.parse_seed(typed)
    assert "\n" not in str(caught.value)
    assert page_run.parse_seed(" 42 ") == 42


def test_the_example_places_run_at_the_population_chosen():
    rural = next(p for label, p in page_places.places().items() if "Rural" in label)
    parameters, layout = rural.at(30_000)
    assert parameters["population"] == 30_000 and layout is not None
    assert SocialPrescribingModel(rng=1, layout=layout, **parameters).p.population == 30_000


def test_every_chart_draws_from_a_paired_run_and_is_valid_json():
    run = paired()
    for _ in range(10):
        run.step()
    board = page_views.ChartBoard()
    board.update(run)
    assert len(board.widgets) == 8
    for widget in board.widgets:
        spec = widget.spec
        json.dumps(spec, allow_nan=False)  # what the browser receives must be valid JSON
        layers = spec.get("concat", spec.get("layer", [spec]))
        assert sum(len(layer["data"]["values"]) for layer in layers) > 10, spec["title"]
    wellbeing, loneliness = board.series[4].spec, board.series[5].spec
    assert "SWEMWBS" in wellbeing["encoding"]["y"]["title"] and "UCLA-3" in loneliness["encoding"]["y"]["title"]
    assert wellbeing["encoding"]["y"]["scale"] == {"zero": False}  # each score on its own scale, not 0-20
    labels = board.series[0].spec["encoding"]["color"]["scale"]["domain"]
    assert f"attending, {run.levers.p.sustained_weeks}+ weeks attended (sustained)" in labels


def test_the_page_renders_for_a_session():
    box, rc = solara.render(app.Page(), handle_error=False)
    assert box is not None
    rc.close()


def test_scores_measured_every_few_weeks_are_joined_not_sent_as_nan():
    spec = page_charts.time_series(
        {"mean_swemwbs": [float("nan"), 20.0, float("nan"), 21.0]}, "Wellbeing", "mean score",
        {"mean_swemwbs": ("SWEMWBS", "#2ca02c")}, since=2,
    )  # fmt: skip
    assert spec["data"]["values"] == [
        {"week": -1, "value": 20.0, "series": "SWEMWBS"},
        {"week": 1, "value": 21.0, "series": "SWEMWBS"},
    ]
    assert spec["encoding"]["color"]["scale"] == {"domain": ["SWEMWBS"], "range": ["#2ca02c"]}


def test_the_network_view_joins_people_to_their_link_worker_and_group():
    model = SocialPrescribingModel(rng=3, population=20_000)
    model.run_for(40)
    spec = map_chart.network(model)
    links, dots, places = (layer["data"]["values"] for layer in spec["layer"])
    assert 0 < len(dots) <= map_chart.MAX_PATIENTS_DRAWN
    kinds = {link["link"] for link in links}
    assert "link worker" in kinds and "member of this group" in kinds
    assert sum(p["kind"] == "link worker" for p in places) == len(model.workforce.link_workers())
    assert sum(p["kind"] == "community group" for p in places) == len(model.community.groups())


def test_the_place_given_to_spsim_viz_is_offered_first(monkeypatch):
    from spsim.experiments.inputs.place import load
    from spsim.model.place import ENVIRONMENT, to_json

    urban = load("urban_deprived_borough")
    monkeypatch.setenv(ENVIRONMENT, to_json(urban.parameters, urban.layout))
    page_places.places.cache_clear()
    try:
        given = next(iter(page_places.places().values()))
        assert given.label == page_places.GIVEN and given.parameters == urban.parameters
        assert given.at(urban.adults) == (urban.parameters, urban.layout)
    finally:
        page_places.places.cache_clear()


def test_a_place_value_between_slider_steps_is_not_a_moved_lever():
    place = {"population": 121_000, "link_workers_per_100k": 6.033}
    snapped = {**page_levers.place_values(place), "link_workers_per_100k": 6.0}  # as the slider shows it
    assert page_levers.policies(snapped, place, 52) == []
    assert page_levers.yearly_cost("link_workers_per_100k", 6.0, place)[0] == 0
    assert len(page_levers.policies({**snapped, "link_workers_per_100k": 6.5}, place, 52)) == 1


def test_the_difference_chart_draws_a_band_and_marks_the_weeks_levers_changed():
    rows = [{"week": w, **{key: float(w) for key in page_run.DIFFERENCES}} for w in range(4)]
    band = [{"week": w, **{f"{key}_{part}": w + d for key in page_run.DIFFERENCES
                           for part, d in (("mean", 0.0), ("low", -1.0), ("high", 1.0))}} for w in range(4)]  # fmt: skip
    spec = page_charts.differences(rows, page_run.DIFFERENCES, band, changes=[2])
    json.dumps(spec, allow_nan=False)
    marks = [layer["mark"]["type"] for layer in spec["concat"][0]["layer"]]
    assert marks == ["rule", "area", "line", "line", "rule"]  # zero, the band, its mean, the run, the change
    assert spec["concat"][0]["layer"][-1]["data"]["values"] == [{"week": 2}]
    week_axis = spec["concat"][0]["layer"][2]["encoding"]["x"]["axis"]
    assert week_axis == {"tickMinStep": 1, "format": "d"}  # no half-weeks early in a run
    alone = page_charts.differences(rows, page_run.DIFFERENCES)
    assert [layer["mark"]["type"] for layer in alone["concat"][0]["layer"]] == ["rule", "line"]


def test_money_is_said_as_more_or_less_never_a_negative_more():
    assert page_views.more_or_less(-700) == "£700 less"
    assert page_views.more_or_less(1_234.4) == "£1,234 more"
    assert page_views.more_or_less(0.2) == "the same"


def test_the_band_is_the_mean_of_the_replicates_with_its_interval():
    from spsim.experiments.viz.band import Band

    run = paired(link_workers_per_100k=12.0, public_awareness=0.9)
    for _ in range(12):
        run.step()
    band = Band(run, 3)
    assert band.catch_up()
    assert [r.week for r in band.ready()] == [run.week] * 3
    assert {r.settings.model_seed for r in band.ready()} == {page_run.replicate_seed(1, r) for r in range(3)}
    last = band.rows()[-1]
    spends = [r.differences[-1]["spend"] for r in band.ready()]
    assert last["week"] == 12 and last["spend_mean"] == pytest.approx(sum(spends) / 3)
    assert last["spend_low"] <= last["spend_mean"] <= last["spend_high"]  # posts bought cost the same in each
    assert any(row[f"{key}_low"] < row[f"{key}_high"] for row in band.rows() for key in page_run.DIFFERENCES)


def test_a_week_later_a_chart_keeps_its_shape_and_only_its_rows_change():
    """The browser compiles a chart only when its shape changes (experiments/viz/vega_chart.py): a step must give
    every chart new rows under the same shape, and the spec must come back whole."""
    from spsim.experiments.viz.vega_chart import join, split

    run = paired()
    board = page_views.ChartBoard()
    board.update(run)
    shapes = [widget.shape for widget in board.widgets]
    rows = [widget.datasets for widget in board.widgets]
    run.step()
    board.update(run)
    assert [widget.shape for widget in board.widgets] == shapes
    assert all(widget.datasets != before for widget, before in zip(board.widgets[:-1], rows, strict=False))
    for widget in board.widgets:
        assert "values" not in json.dumps(widget.shape)  # every data set is named, its rows sent apart
        assert join(*split(widget.spec)) == widget.spec
    network = map_chart.network(run.levers)
    board.network.spec = network
    assert board.network.spec == network


def test_a_built_pair_is_kept_out_of_collections_until_the_next_build():
    """The page freezes what it holds once a pair is built (no full collection rescans it on a step), and the
    next build frees a pair no longer held rather than keeping it frozen for ever."""
    import gc
    import weakref

    class Pair:  # a cycle, as a model and its agents are: only the collector frees it
        pass

    pair = Pair()
    pair.itself = pair
    gone = weakref.ref(pair)
    try:
        app.keep_out_of_collections()
        assert gc.get_freeze_count() > 0
        del pair
        gc.collect()
        assert gone() is not None, "frozen: a collection does not look at it"
        app.keep_out_of_collections()  # the next build
        assert gone() is None
    finally:
        gc.unfreeze()
