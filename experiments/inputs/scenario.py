"""Scenario files: loading and validation.

A scenario is a TOML file in ``experiments/inputs/scenarios/``: a one-line ``description``, what it
``represents``, which seed findings it ``tests``, ``[parameters]`` that override the baseline, and
``[[policies]]`` applied from a start week. Anything wrong is refused with one line naming the file,
the key, the value and what is allowed, before anything is run or written.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spsim.model.parameters import ParameterError, evidence, registry, resolve
from spsim.model.policies import POLICY_TYPES, LinkWorkerFunding, Policy

from spsim.experiments.inputs.toml_file import UnreadableFile, read_toml

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
TOP_LEVEL_KEYS = {"description", "represents", "tests", "parameters", "policies", "budget_gbp_per_100k_year",
                  "budget_gbp_year"}  # fmt: skip
# Policies whose size can be given as money instead of as a level.
BUDGET_KEY = "budget_gbp_per_100k_year"
MAX_GBP = 1e9  # a ceiling on any amount of money in a scenario: far above any place's budget, far below overflow
MAX_WEEK = 52 * 100


class ScenarioError(ValueError):
    """A scenario file that cannot be run; the message is one line for the user."""


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    represents: str
    tests: tuple[str, ...]
    parameters: dict[str, Any]
    policies: tuple[Policy, ...] = field(default_factory=tuple)
    path: Path | None = None
    # the extra money the scenario says it spends over the place as it is (one of the two, or neither)
    budget_gbp_per_100k_year: float | None = None
    budget_gbp_year: float | None = None

    def stated_budget_gbp_year(self, population: float) -> float | None:
        """The extra spend a year this scenario declares, for a place of ``population`` adults."""
        if self.budget_gbp_year is not None:
            return self.budget_gbp_year
        if self.budget_gbp_per_100k_year is not None:
            return self.budget_gbp_per_100k_year * population / 100_000
        return None

    def resolved_parameters(self, **place: Any) -> dict[str, Any]:
        """Every parameter value this scenario starts with (baseline defaults, place, overrides)."""
        return resolve({**place, **self.parameters})

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "parameters": dict(self.parameters),
            "policies": [policy_to_dict(p) for p in self.policies],
            "budget_gbp_per_100k_year": self.budget_gbp_per_100k_year,
            "budget_gbp_year": self.budget_gbp_year,
        }


def policy_to_dict(policy: Policy) -> dict[str, Any]:
    out = {"type": policy.kind}
    for f in dataclasses.fields(policy):
        if f.init:
            out[f.name] = getattr(policy, f.name)
    return out


def available() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def scenario_path(name_or_path: str) -> Path:
    path = Path(name_or_path)
    try:
        if path.suffix == ".toml" and path.exists():
            return path
        candidate = SCENARIO_DIR / f"{name_or_path}.toml"
        if candidate.exists():
            return candidate
    except OSError as err:  # e.g. a name too long to ask about (exists() raises rather than say no)
        raise ScenarioError(f"{name_or_path}: not a usable scenario path ({err.strerror or type(err).__name__})") from None
    raise ScenarioError(f"{name_or_path}: no such scenario; available: {', '.join(available())}")


MAX_FILE_BYTES = 1_000_000  # a scenario file is a page of text; anything far bigger is not one


def load(name_or_path: str, place: dict[str, Any] | None = None) -> Scenario:
    """A scenario, checked; ``place``: the parameter values of the place it runs in (a budget buys link
    workers on top of the place's own FTE, not the default place's)."""
    path = scenario_path(name_or_path)
    try:
        data, _ = read_toml(path, MAX_FILE_BYTES, "scenario")
    except UnreadableFile as err:
        raise ScenarioError(f"{path}: {err.problem}" + (f"; {err.remedy}" if err.remedy else "")) from None
    return parse(data, path, place)


def parse(data: dict[str, Any], path: Path, place: dict[str, Any] | None = None) -> Scenario:
    where = str(path)
    unknown = sorted(set(data) - TOP_LEVEL_KEYS)
    if unknown:
        raise ScenarioError(f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(sorted(TOP_LEVEL_KEYS))}")
    description = data.get("description")
    if not isinstance(description, str) or not description.strip():
        raise ScenarioError(f"{where}: key 'description' = {description!r}: a one-line text is required")
    represents = data.get("represents", "")
    if not isinstance(represents, str):
        raise ScenarioError(f"{where}: key 'represents' = {represents!r}: must be text")
    tests = data.get("tests", [])
    sources, findings = evidence()
    if not isinstance(tests, list) or any(not isinstance(t, str) for t in tests):
        raise ScenarioError(f"{where}: key 'tests' = {tests!r}: must be a list of finding or source ids")
    for t in tests:
        if t not in findings and t not in sources:
            raise ScenarioError(f"{where}: key 'tests' = {t!r}: not a finding id in seeds/findings.toml or a source id")

    parameters = data.get("parameters", {})
    if not isinstance(parameters, dict):
        raise ScenarioError(f"{where}: key 'parameters' = {parameters!r}: must be a table of parameter values")
    try:
        resolve(parameters)
    except ParameterError as err:
        raise ScenarioError(f"{where}: parameters.{err}") from None

    raw_policies = data.get("policies", [])
    if not isinstance(raw_policies, list):
        raise ScenarioError(f"{where}: key 'policies' = {raw_policies!r}: must be an array of tables ([[policies]])")
    base = resolve({**(place or {}), **parameters})
    policies = tuple(_policy(where, i, entry, base) for i, entry in enumerate(raw_policies))
    budgets = {key: data[key] for key in ("budget_gbp_per_100k_year", "budget_gbp_year") if key in data}
    if len(budgets) > 1:
        raise ScenarioError(f"{where}: give budget_gbp_per_100k_year or budget_gbp_year, not both")
    for key, value in budgets.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or not 0 <= value <= MAX_GBP:
            raise ScenarioError(f"{where}: key {key!r} = {value!r}: a number of GBP from 0 to {MAX_GBP:g} is required")
    return Scenario(
        name=path.stem,
        description=description.strip(),
        represents=" ".join(represents.split()),
        tests=tuple(tests),
        parameters=dict(parameters),
        policies=policies,
        path=path,
        budget_gbp_per_100k_year=float(budgets["budget_gbp_per_100k_year"]) if "budget_gbp_per_100k_year" in budgets else None,
        budget_gbp_year=float(budgets["budget_gbp_year"]) if "budget_gbp_year" in budgets else None,
    )


def _policy(where: str, index: int, entry: Any, base: dict[str, Any]) -> Policy:
    key = f"policies[{index}]"
    if not isinstance(entry, dict):
        raise ScenarioError(f"{where}: {key} = {entry!r}: must be a table with a 'type'")
    kind = entry.get("type")
    if not isinstance(kind, str) or kind not in POLICY_TYPES:
        raise ScenarioError(f"{where}: {key}.type = {kind!r}: allowed: {', '.join(POLICY_TYPES)}")
    cls = POLICY_TYPES[kind]
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    allowed = set(fields) | ({BUDGET_KEY} if cls is LinkWorkerFunding else set())
    values: dict[str, Any] = {}
    for name, value in entry.items():
        if name == "type":
            continue
        if name not in allowed:
            raise ScenarioError(f"{where}: {key}.{name}: unknown for {kind}; allowed: {', '.join(sorted(allowed))}")
        values[name] = _check_policy_value(where, f"{key}.{name}", name, value, fields.get(name))
    start, end = values.get("start_week", 0), values.get("end_week")
    if end is not None and end < start:
        raise ScenarioError(f"{where}: {key}.end_week = {end}: must not be before start_week ({start})")
    for alternatives in (("fte_per_100k", BUDGET_KEY, "budget_gbp_year"), ("gbp_per_100k_year", "gbp_year")):
        given = [name for name in alternatives if name in values]
        if len(given) > 1:
            raise ScenarioError(f"{where}: {key}: give one of {', '.join(alternatives)}, not {' and '.join(given)}")
    if BUDGET_KEY in values:
        budget = values.pop(BUDGET_KEY)
        extra = LinkWorkerFunding.extra_fte_for_budget(budget, base["lw_cost_per_fte_year_gbp"])
        values["fte_per_100k"] = base["link_workers_per_100k"] + extra
        lo, hi = registry()["link_workers_per_100k"].bounds
        if values["fte_per_100k"] > hi:
            raise ScenarioError(f"{where}: {key}.{BUDGET_KEY} = {budget!r}: buys {values['fte_per_100k']:,.0f} FTE per "
                                f"100,000 adults; allowed up to {hi:g}")  # fmt: skip
    return cls(**values)


def _check_policy_value(where: str, key: str, name: str, value: Any, spec: dataclasses.Field | None) -> Any:
    kind = bool if name in {"open_door"} else int if name in {"start_week", "end_week", "support_weeks"} else float
    if kind is bool:
        if not isinstance(value, bool):
            raise ScenarioError(f"{where}: {key} = {value!r}: expected true or false")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ScenarioError(f"{where}: {key} = {value!r}: expected a number")
    if kind is int and not float(value).is_integer():
        raise ScenarioError(f"{where}: {key} = {value!r}: expected a whole number of weeks")
    if value < 0:
        raise ScenarioError(f"{where}: {key} = {value!r}: must not be negative")
    if name in {"level"} and value > 1:
        raise ScenarioError(f"{where}: {key} = {value!r}: allowed range is [0, 1]")
    if ("gbp" in name or "budget" in name) and value > MAX_GBP:
        raise ScenarioError(f"{where}: {key} = {value!r}: allowed range is [0, {MAX_GBP:g}] GBP")
    if name in {"start_week", "end_week"} and value > MAX_WEEK:
        raise ScenarioError(f"{where}: {key} = {value!r}: allowed range is [0, {MAX_WEEK}] weeks")
    limits = {"support_weeks": "support_weeks", "fte_per_100k": "link_workers_per_100k",
              "advisors_per_100k": "link_advisors_per_100k"}  # fmt: skip
    if name in limits:
        lo, hi = registry()[limits[name]].bounds
        if not lo <= value <= hi:
            raise ScenarioError(f"{where}: {key} = {value!r}: allowed range is [{lo:g}, {hi:g}]")
    return kind(value)
