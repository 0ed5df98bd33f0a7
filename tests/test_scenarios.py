"""Scenario files: the shipped ones load; bad ones are refused with one line naming file, key, value."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from spsim.experiments.analysis import spend
from spsim.experiments.inputs import scenario as scenarios
from spsim.experiments.inputs.scenario import ScenarioError
from spsim.model.parameters import calibrated_names, evidence, registry
from tests.inprocess import spsim

REQUIRED = {"baseline", "no_social_prescribing", "more_link_workers", "fund_vcse", "supported_discharge",
            "peer_support", "long_term_support", "balanced_budget"}  # fmt: skip


def write(tmp_path: Path, data: dict, name: str = "candidate") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_bytes(tomli_w.dumps(data).encode())
    return path


def refused(path: Path) -> str:
    with pytest.raises(ScenarioError) as err:
        scenarios.load(str(path))
    message = str(err.value)
    assert "\n" not in message and str(path) in message
    return message


def test_shipped_scenarios_load_and_are_documented():
    names = set(scenarios.available())
    assert REQUIRED <= names
    sources, findings = evidence()
    for name in names:
        s = scenarios.load(name)
        assert s.description and len(s.represents) > 60, name
        assert s.tests and all(t in findings or t in sources for t in s.tests), name


def test_equal_budget_scenarios_spend_the_same_extra_money():
    """more_link_workers, fund_vcse, supported_discharge and balanced_budget mean to add 100,000 GBP per 100k
    (priced as the policies charge themselves: experiments/analysis/spend.py)."""
    for name in ("more_link_workers", "fund_vcse", "supported_discharge", "balanced_budget"):
        intended = spend.intended_per_year(scenarios.load(name), {"population": 100_000})
        assert sum(intended.values()) == pytest.approx(100_000, rel=0.01), name


GOOD = {"description": "a test scenario", "represents": "x" * 80, "tests": ["WIL19-SETBACKS"], "parameters": {}}


@pytest.mark.parametrize(
    ("change", "expect"),
    [
        ({"colour": "blue"}, "colour = 'blue': unknown key"),
        ({"parameters": {"no_such": 1}}, "unknown parameter 'no_such'"),
        ({"parameters": {"uptake_prob": 1.2}}, "uptake_prob = 1.2"),
        ({"parameters": {"uptake_prob": "high"}}, "expected a number"),
        ({"parameters": {"group_places_mean": -3.0}}, "group_places_mean = -3.0"),
        ({"parameters": {"open_door": "yes"}}, "true or false"),
        ({"policies": [{"type": "vcse_grants", "gbp_per_100k_year": -5.0}]}, "gbp_per_100k_year = -5.0: allowed range is [0, "),
        ({"policies": [{"type": "link_workers", "budget_gbp_per_100k_year": -1.0}]}, "allowed range is [0, "),
        ({"policies": [{"type": "link_workers", "fte_per_100k": 500.0}]}, "policies[0].fte_per_100k = 500.0"),
        ({"policies": [{"type": "long_term_support", "support_weeks": 3.5}]}, "expected a whole number"),
        ({"policies": [{"type": "peer_support", "start_week": 50, "end_week": 10}]}, "end_week = 10"),
        ({"policies": [{"type": "teleport"}]}, "policies[0].type = 'teleport'"),
        ({"policies": [{"type": "peer_support", "colour": 1}]}, "policies[0].colour"),
        ({"policies": [{"type": "training", "level": 2.0}]}, "allowed range is [0, 1]"),
        ({"tests": ["NOT-A-FINDING"]}, "NOT-A-FINDING"),
        ({"description": ""}, "description"),
    ],
)
def test_bad_files_are_refused_in_one_line(tmp_path, change, expect):
    message = refused(write(tmp_path, {**GOOD, **change}))
    assert expect in message


def test_each_policy_schema_declares_exactly_the_policy_s_own_keys():
    """scenario_schema.py declares every policy's keys by hand: a key added to model/policies.py must be declared
    (with its bounds and unit) before a scenario file may set it, and a declared key must exist."""
    import dataclasses

    from spsim.experiments.inputs.scenario_schema import BUDGET_KEY, POLICY_SCHEMAS
    from spsim.model.policies import POLICY_TYPES

    declared = {schema.model_fields["type"].annotation.__args__[0]: set(schema.model_fields) - {"type"}
                for schema in POLICY_SCHEMAS}  # fmt: skip
    own = {kind: {f.name for f in dataclasses.fields(cls) if f.init} for kind, cls in POLICY_TYPES.items()}
    own["link_workers"].add(BUDGET_KEY)  # money instead of FTE, turned into FTE on top of the place's own
    assert declared == own


def test_invalid_toml_is_refused(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("description = 'unterminated\n")
    assert "not valid TOML" in refused(path)


def _bad_value(p):
    """Strategies for values a parameter must refuse."""
    lo, hi = p.bounds
    options = [st.sampled_from(["text", [1, 2], {"a": 1}])]
    if p.kind is bool:
        options.append(st.integers(-5, 5))
    else:
        options.append(st.just(True))
        if math.isfinite(hi):
            options.append(st.floats(min_value=hi + max(abs(hi), 1.0) * 1e-6, max_value=hi * 10 + 10))
        options.append(st.floats(max_value=lo - max(abs(lo), 1.0) * 1e-6, min_value=lo - 1e6))
        options.append(st.sampled_from([math.nan, math.inf]) if p.kind is float else st.just(0.5 + int(lo)))
    return st.one_of(options)


@st.composite
def bad_parameter(draw):
    name = draw(st.sampled_from(sorted(registry())))
    return name, draw(_bad_value(registry()[name]))


@settings(max_examples=80, deadline=None)
@given(bad=bad_parameter())
def test_generated_bad_parameters_are_refused(bad, tmp_path_factory):
    name, value = bad
    path = tmp_path_factory.mktemp("bad") / "generated.toml"
    if isinstance(value, float) and not math.isfinite(value):
        text = f'description = "x"\n[parameters]\n{name} = {"nan" if math.isnan(value) else "inf"}\n'
        path.write_text(text)
    else:
        path.write_bytes(tomli_w.dumps({"description": "x", "parameters": {name: value}}).encode())
    message = refused(path)
    assert name in message


def test_cli_refuses_a_bad_file_with_exit_2_and_writes_nothing(tmp_path):
    bad = write(tmp_path, {**GOOD, "parameters": {"uptake_prob": 3.0}}, "bad")
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "spsim.experiments", "run", "baseline", str(bad), "--replicates", "1", "--out", str(out)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "uptake_prob" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["run", "no_such_scenario"],
        ["run", "baseline", "--replicates", "0"],
        ["run", "baseline", "--years", "-1"],
        ["run", "baseline", "--workers", "0"],
        ["run", "baseline", "--scheduler", "tcp://127.0.0.1:1"],
        ["run", "baseline", "--population", "-10"],
        ["run", "baseline", "--replicates", "many"],
        ["frobnicate"],
    ],
)
def test_cli_bad_arguments_give_one_line_and_exit_2(tmp_path, args):
    result = spsim(*args, *(["--out", str(tmp_path / "o")] if args[0] == "run" else []))
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o").exists()


def test_list_and_show():
    listed = spsim("list")
    assert listed.returncode == 0 and all(name in listed.stdout for name in REQUIRED)
    shown = spsim("show", "fund_vcse")
    assert shown.returncode == 0
    assert "vcse_grant_per_100k_year_gbp" in shown.stdout and "Q-ARRS" in shown.stdout
    assert "VCSE capacity grants" in shown.stdout
    # a calibrated parameter says so, with the range its calibration accepted and the prior's sources
    for name in calibrated_names():
        line = next(row for row in shown.stdout.splitlines() if row.strip().startswith(name + " "))
        assert "calibrated, accepted" in line and "prior from" in line
