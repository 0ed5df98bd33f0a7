"""Place files (issue 14): the example places run, a person's deprivation comes from where they live, the
manifest records the place and --resume refuses another, and a bad place file is one line, exit 2, nothing
written (generated bad files included)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spsim.experiments.cli import commands as cli

from spsim.experiments.comparison import experiment

from spsim.experiments.reporting import figures
from spsim.experiments.inputs import place as places
from spsim.experiments.reporting.safe_markdown import plain
from spsim.experiments.inputs import scenario as scenarios
from spsim.model import SocialPrescribingModel

EXAMPLES = sorted(places.PLACES_DIR.glob("*.toml"))
TWO_AREAS = """
name = "Two areas"
description = "A deprived estate and a well-off suburb, 6 km apart"
[population]
adults = 4000
[[areas]]
adults = 2000
imd_quintile = 1
x_km = 1.0
y_km = 1.0
radius_km = 1.0
[[areas]]
adults = 2000
imd_quintile = 5
x_km = 7.0
y_km = 1.0
radius_km = 1.0
[workforce]
link_worker_fte = 0.4
"""
GROUPS_CSV = "activity,x_km,y_km,places,income_gbp_year,reserves_gbp,charges\n" + "\n".join(
    f"{a},{x},1.0,12,20000,5000,{c}" for a, x, c in
    [("singing", 1.0, "false"), ("gardening", 7.0, "true"), ("peer_support", 1.5, "no")])  # fmt: skip


def spsim(*argv: str) -> tuple[int, str]:
    """The command in this process, without figures (matplotlib is most of a small run's time)."""
    err = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        mp.setattr(figures, "all_figures", lambda *args, **kwargs: [])
        mp.delenv("SPSIM_DEBUG", raising=False)
        code = cli.main(list(argv))
    return code, err.getvalue()


def write_place(folder: Path, text: str = TWO_AREAS, name: str = "two.toml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


QUICK = ["--replicates", "2", "--years", "0.1", "--warmup-years", "0", "--seed", "3"]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_each_example_place_runs_and_the_manifest_records_it(example, tmp_path):
    code, err = spsim("run", "baseline", "fund_vcse", "--place", str(example), "--population", "2000", *QUICK,
                      "--out", str(tmp_path / "out"))  # fmt: skip
    assert code == 0, err
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["place"]["sha256"] == hashlib.sha256(example.read_bytes()).hexdigest()
    assert manifest["place"]["path"] == str(example) and manifest["place"]["name"] == places.load(example).name
    assert manifest["population"] == 2000  # what ran, not the place's own adults
    assert f"2,000 adults in the place *{plain(places.load(example).name)}*" in (tmp_path / "out" / "report.md").read_text()
    assert manifest["scenarios"]["baseline"]["resolved_parameters"]["population"] == 2000
    for name, value in manifest["place"]["parameters"].items():  # every value the place sets is in force
        if name != "population":
            assert manifest["scenarios"]["baseline"]["resolved_parameters"][name] == pytest.approx(value)


def test_every_example_cites_its_figures():
    for example in EXAMPLES:
        text = example.read_text()
        assert "Open Government Licence" in text and "[sources]" in text, example


def test_deprivation_and_location_come_from_the_area(tmp_path):
    site = places.load(write_place(tmp_path))
    model = SocialPrescribingModel(rng=1, layout=site.layout, **site.parameters)
    c = model.catchment
    assert c.imd_quintile.dtype == np.int8
    estate = c.imd_quintile == 1
    assert estate.sum() == 2000 and (c.imd_quintile[~estate] == 5).all()
    assert (c.deprived == estate).all()  # deprived: lives in a quintile-1 area
    assert (np.hypot(c.x[estate] - 1.0, c.y[estate] - 1.0) <= 1.0 + 1e-5).all()
    assert (np.hypot(c.x[~estate] - 7.0, c.y[~estate] - 1.0) <= 1.0 + 1e-5).all()
    for group in model.community.groups():  # groups open where people live
        assert min(math.dist((group.x, group.y), (1, 1)), math.dist((group.x, group.y), (7, 1))) <= 1.0 + 1e-9


def test_the_default_place_keeps_its_flag_and_gives_quintiles():
    c = SocialPrescribingModel(rng=2, population=3000).catchment
    assert ((c.imd_quintile == 1) == c.deprived).all()
    assert set(np.unique(c.imd_quintile[~c.deprived])) == {2, 3, 4, 5}


def test_a_listed_group_file_gives_exactly_those_groups(tmp_path):
    (tmp_path / "groups.csv").write_text(GROUPS_CSV)
    site = places.load(write_place(tmp_path, TWO_AREAS + '[groups]\nfile = "groups.csv"\n'))
    model = SocialPrescribingModel(rng=3, layout=site.layout, **site.parameters)
    groups = model.community.groups()
    assert sorted(g.activity.key for g in groups) == ["gardening", "peer_support", "singing"]
    assert [g.charges for g in groups if g.activity.key == "gardening"] == [True]
    assert site.record["groups_file_sha256"] == hashlib.sha256(GROUPS_CSV.encode()).hexdigest()
    with pytest.raises(places.PlaceError, match="runs at its own"):
        site.at_population(2000)


def test_groups_as_a_total_or_a_mix(tmp_path):
    site = places.load(write_place(tmp_path, TWO_AREAS + "[groups]\ntotal = 6\nactivity_mix = { singing = 1.0 }\n"))
    assert site.parameters["groups_per_100k"] == pytest.approx(150.0)
    model = SocialPrescribingModel(rng=4, layout=site.layout, **site.parameters)
    assert {g.activity.key for g in model.community.groups()} == {"singing"} and len(model.community.groups()) == 6


def test_a_budget_buys_link_workers_on_top_of_the_place_s_own(tmp_path):
    from spsim.model import SocialPrescribingModel

    site = places.load(write_place(tmp_path))
    assert site.parameters["link_workers_per_100k"] == pytest.approx(10.0)
    policy = scenarios.load("more_link_workers", site.parameters).policies[0]  # money, bought when it starts
    model = SocialPrescribingModel(rng=1, population=20_000, link_workers_per_100k=10.0, policies=[policy])
    extra = 100_000.0 / model.p.lw_cost_per_fte_year_gbp  # the budget per 100,000 adults, at the cost of a post
    assert model.p.link_workers_per_100k == pytest.approx(10.0 + extra)


def test_resume_with_another_place_is_refused(tmp_path):
    out = tmp_path / "out"
    first = write_place(tmp_path)
    assert spsim("run", "baseline", "--place", str(first), *QUICK, "--out", str(out))[0] == 0
    assert spsim("run", "baseline", "--place", str(first), *QUICK, "--out", str(out), "--resume")[0] == 0
    before = sorted((p.name, p.read_bytes()) for p in out.rglob("*") if p.is_file())
    other = write_place(tmp_path, TWO_AREAS.replace("imd_quintile = 5", "imd_quintile = 4"), "other.toml")
    code, err = spsim("run", "baseline", "--place", str(other), *QUICK, "--out", str(out), "--resume")
    assert code == 2 and err.count("\n") == 1 and "other settings" in err
    assert sorted((p.name, p.read_bytes()) for p in out.rglob("*") if p.is_file()) == before



def test_a_place_is_identified_by_its_content_not_its_path(tmp_path):
    """What a resumed search compares (issue 26, 7): a copy elsewhere is the same place; an edit to the file
    or to its groups CSV makes another; the embedded place is 'default'."""
    assert places.default(50_000).content_hash == "default"
    first = places.load(write_place(tmp_path)).content_hash
    (tmp_path / "copy").mkdir()
    assert places.load(write_place(tmp_path / "copy")).content_hash == first
    assert places.load(write_place(tmp_path)).at_population(8000).content_hash == first  # its size is recorded apart
    assert first == "sha256:" + hashlib.sha256(TWO_AREAS.encode()).hexdigest()  # what `sha256sum` says of the file
    edited = TWO_AREAS.replace("imd_quintile = 5", "imd_quintile = 4")
    assert places.load(write_place(tmp_path, edited, "edited.toml")).content_hash != first
    listing = TWO_AREAS + '[groups]\nfile = "groups.csv"\n'
    (tmp_path / "groups.csv").write_text(GROUPS_CSV)
    listed = places.load(write_place(tmp_path, listing, "listed.toml")).content_hash
    (tmp_path / "groups.csv").write_text(GROUPS_CSV.replace("12,20000", "15,20000"))
    assert places.load(write_place(tmp_path, listing, "listed.toml")).content_hash != listed

BAD = {
    "unknown key": TWO_AREAS + "colour = 'red'\n",
    "negative adults": TWO_AREAS.replace("adults = 4000", "adults = -4000"),
    "quintile 6": TWO_AREAS.replace("imd_quintile = 5", "imd_quintile = 6"),
    "zero adults in an area": TWO_AREAS.replace("adults = 2000\nimd_quintile = 5", "adults = 0\nimd_quintile = 5"),
    "areas do not add up": TWO_AREAS.replace("adults = 4000", "adults = 5000"),
    "shares": TWO_AREAS.replace("adults = 4000", "adults = 4000\nage_18_39 = 0.5\nage_40_64 = 0.5\n"
                                "age_65_74 = 0.5\nage_75_plus = 0.5"),  # fmt: skip
    "infinite radius": TWO_AREAS.replace("radius_km = 1.0", "radius_km = inf", 1),
    "wrong type": TWO_AREAS.replace("link_worker_fte = 0.4", "link_worker_fte = 'many'"),
    "both layouts": TWO_AREAS + "[layout]\ndensity = 'urban'\nneighbourhoods = 3\nquintile_shares = [1,0,0,0,0]\n",
    "not toml": "name = \n",
    "missing csv": TWO_AREAS + '[groups]\nfile = "none.csv"\n',
    "csv outside": TWO_AREAS + '[groups]\nfile = "../groups.csv"\n',
    "bad csv row": TWO_AREAS + '[groups]\nfile = "bad.csv"\n',
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_place_file_is_one_line_exit_2_and_nothing_written(case, tmp_path):
    (tmp_path / "bad.csv").write_text(GROUPS_CSV.replace("12,20000", "twelve,20000"))
    path = write_place(tmp_path, BAD[case], "bad.toml")
    code, err = spsim("run", "baseline", "--place", str(path), *QUICK, "--out", str(tmp_path / "out"))
    assert code == 2 and err.count("\n") == 1 and err.startswith(f"spsim: {path}: "), err
    assert not (tmp_path / "out").exists()


def test_a_missing_file_a_folder_and_a_huge_file_are_refused(tmp_path):
    huge = tmp_path / "huge.toml"
    huge.write_text("# " + "x" * places.MAX_FILE_BYTES + "\n")
    for path in (tmp_path / "absent.toml", tmp_path, huge):
        code, err = spsim("show", "baseline", "--place", str(path))
        assert code == 2 and err.count("\n") == 1 and "file" in err, err


# ------------------------------------------------------------------ generated place files
scalars = st.one_of(st.booleans(), st.integers(-(10**9), 10**9), st.floats(allow_nan=True, allow_infinity=True),
                    st.text(max_size=6))  # fmt: skip
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                        st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                      max_leaves=6)  # fmt: skip
numbers = st.one_of(st.integers(-3, 60), st.floats(allow_nan=True, allow_infinity=True), values)  # near the bounds
area = st.fixed_dictionaries({"adults": st.one_of(st.integers(-5, 3000), values), "imd_quintile": st.integers(-1, 7),
                              "x_km": st.floats(-1, 20), "y_km": st.floats(-1, 20)},
                             optional={"radius_km": st.one_of(st.floats(allow_nan=True), values), "other": values})  # fmt: skip
layout = st.fixed_dictionaries({"neighbourhoods": st.one_of(st.integers(-2, 40), values),
                                "quintile_shares": st.one_of(st.lists(st.floats(-0.5, 1.5), max_size=6), values)},
                               optional={"density": st.one_of(st.sampled_from(["urban", "rural", "x"]), values),
                                         "area_km2": st.one_of(st.floats(allow_nan=True, allow_infinity=True), values),
                                         "deprived_at": values})  # fmt: skip
place_files = st.fixed_dictionaries(
    {"name": st.one_of(st.just("fuzzed"), values), "description": st.one_of(st.just("fuzzed"), values),
     "population": st.one_of(st.fixed_dictionaries({"adults": st.one_of(st.integers(-10, 6000), values)},
                                                   optional={"age_18_39": values, "age_75_plus": values}), values)},
    optional={"areas": st.one_of(st.lists(area, max_size=3), values), "layout": st.one_of(layout, values),
              "workforce": st.one_of(st.dictionaries(st.sampled_from(["link_worker_fte", "link_advisor_fte", "x"]), numbers), values),
              "groups": st.one_of(st.dictionaries(st.sampled_from(["per_100k", "total", "file", "activity_mix"]),
                                                  numbers, max_size=2), values),
              "funding": st.one_of(st.fixed_dictionaries({"vcse_grants_gbp_year": numbers}), values), "sources": values, "unknown": values},
)  # fmt: skip


def _toml(data: dict) -> str:
    """A generated place as TOML text (strings escaped by JSON, which TOML's basic strings accept)."""

    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, float):
            return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
        if isinstance(v, int):
            return str(v)
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return "{" + ", ".join(f"{json.dumps(k)} = {value(x)}" for k, x in v.items()) + "}"

    return "\n".join(f"{json.dumps(k)} = {value(v)}" for k, v in data.items()) + "\n"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=place_files)
def test_any_generated_place_file_is_run_or_refused_in_one_line(data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "fuzzed.toml"
    path.write_text(_toml(data), encoding="utf-8")

    class Started(BaseException):  # noqa: N818 - the run got past every check: input accepted
        pass

    def start(*args, **kwargs):
        raise Started

    out = folder / "out"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(experiment, "make_backend", start)
        try:
            code, err = spsim("run", "baseline", "--place", str(path), *QUICK, "--out", str(out))
        except Started:
            return
    assert code == 2 and err.count("\n") == 1 and err.startswith(f"spsim: {path}: "), err
    assert not out.exists()


def test_viz_hands_the_checked_place_to_the_page_as_data(tmp_path, monkeypatch):
    from spsim.model.place import ENVIRONMENT, from_json

    seen = {}

    def execve(path, command, env):
        seen.update(env)
        raise SystemExit(0)

    from spsim.experiments.viz import assets as viz_assets

    monkeypatch.setattr(os, "execve", execve)
    monkeypatch.setattr(os, "chdir", lambda path: None)
    # the page's front-end files are another test's subject (test_viz_assets): whether an earlier test on this
    # machine fetched them must not decide this one
    monkeypatch.setattr(viz_assets, "missing", lambda: [])
    monkeypatch.setattr(viz_assets, "verify", lambda: None)
    path = write_place(tmp_path)
    with pytest.raises(SystemExit):
        cli.main(["viz", "--no-fetch", "--place", str(path)])
    site = places.load(path)
    assert from_json(seen[ENVIRONMENT]) == (site.parameters, site.layout)


def test_the_manifest_population_is_the_one_run(tmp_path):
    """Issue 14: a scenario that set population 120,000 ran with it while the manifest said 50,000."""
    own = tmp_path / "big.toml"
    own.write_text('description = "a bigger place"\n[parameters]\npopulation = 120000\n')
    settings = experiment.Experiment(scenarios=[scenarios.load(str(own))], replicates=1, years=1, seed=1,
                                     place=places.default(50_000), out=tmp_path / "o").settings()  # fmt: skip
    assert settings["population"] == 120_000
    both = experiment.Experiment(scenarios=[scenarios.load("baseline"), scenarios.load(str(own))], replicates=1,
                                 years=1, seed=1, place=places.default(50_000), out=tmp_path / "o").settings()  # fmt: skip
    assert both["population"] == {"baseline": 50_000, "big": 120_000}
