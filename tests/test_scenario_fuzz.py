"""Fuzzing the scenario file boundary (issue 12): whatever a scenario file holds, parsing it either gives a
scenario or refuses it with one ScenarioError line; no other exception, no multi-line message."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spsim.experiments.inputs import scenario as scenarios
from spsim.model.parameters import registry
from spsim.model.policies import POLICY_TYPES

NAMES = sorted(registry())
POLICY_KEYS = sorted({f for cls in POLICY_TYPES.values() for f in cls.__dataclass_fields__} | {
    "budget_gbp_per_100k_year", "budget_gbp_year", "gbp_year", "type", "nonsense"})  # fmt: skip
scalars = st.one_of(
    st.booleans(), st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8),
)  # fmt: skip
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                      max_leaves=6)  # fmt: skip
policy = st.fixed_dictionaries(
    {"type": st.one_of(st.sampled_from(sorted(POLICY_TYPES)), values)},
    optional={key: values for key in POLICY_KEYS if key != "type"},
)
policies = st.lists(st.one_of(policy, values), max_size=3)
files = st.fixed_dictionaries(
    {"description": st.one_of(st.just("fuzzed"), values)},
    optional={
        "parameters": st.one_of(st.dictionaries(st.sampled_from(NAMES), values, max_size=4), values),
        "policies": st.one_of(policies, values),
        "tests": values,
        "represents": values,
        "budget_gbp_per_100k_year": values,
        "budget_gbp_year": values,
        "unknown": values,
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=files)
def test_any_scenario_file_is_parsed_or_refused_in_one_line(data):
    try:
        scenarios.parse(data, scenarios.SCENARIO_DIR / "fuzzed.toml")
    except scenarios.ScenarioError as err:
        assert "\n" not in str(err) and str(err).startswith(str(scenarios.SCENARIO_DIR / "fuzzed.toml"))


def _parsed_or_refused(data):
    try:
        scenarios.parse(data, scenarios.SCENARIO_DIR / "fuzzed.toml")
    except scenarios.ScenarioError as err:
        assert "\n" not in str(err) and str(err).startswith(str(scenarios.SCENARIO_DIR / "fuzzed.toml"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=policies)
def test_any_policies_are_parsed_or_refused_in_one_line(entries):
    """The rest of the file valid, so that the fuzzing reaches the policies."""
    _parsed_or_refused({"description": "fuzzed", "policies": entries})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parameters=st.dictionaries(st.sampled_from(NAMES), values, max_size=4), budget=values)
def test_any_parameters_and_budget_are_parsed_or_refused_in_one_line(parameters, budget):
    _parsed_or_refused({"description": "fuzzed", "parameters": parameters, "budget_gbp_year": budget})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.text(st.characters(exclude_characters="/\x00"), min_size=1, max_size=300))
def test_any_scenario_name_is_accepted_only_if_safe(name):
    """A scenario's name is its file's: control characters (ESC reached shard names and the terminal, and
    openpyxl refused it), very long names (too long for a shard's temporary file) and names outside the safe set
    are refused in one line naming the file; an accepted name is short and printable (issue 24)."""
    path = scenarios.SCENARIO_DIR / f"{name}.toml"
    try:
        scenario = scenarios.parse({"description": "fuzzed"}, path)
    except scenarios.ScenarioError as err:
        assert "\n" not in str(err).replace(name, "") and str(err).startswith(str(path)), err
        return
    assert scenario.name == path.stem and scenario.name.isprintable() and len(scenario.name.encode()) <= 2 * scenarios.MAX_NAME
