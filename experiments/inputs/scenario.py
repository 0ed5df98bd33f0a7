"""Scenario files: loading and validation.

A scenario is a TOML file in ``experiments/inputs/scenarios/``: a one-line ``description``, what it
``represents``, which seed findings it ``tests``, ``[parameters]`` that override the baseline, and
``[[policies]]`` applied from a start week. What a file may hold is declared in scenario_schema.py (pydantic);
anything wrong is refused with one line naming the file, the key, the value and what is allowed, before anything
is run or written. TOML is data: nothing in a scenario file runs.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ...model.parameters import evidence, registry, resolve
from ...model.policies import POLICY_TYPES, LinkWorkerFunding, Policy

from .scenario_schema import BUDGET_KEY, ScenarioFile
from .schema import first_fault
from .toml_file import UnreadableFile, read_toml

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"


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
    """A shipped scenario's file by name, or a .toml file the user names. A name with a folder in it that is not
    an existing file is refused: ``../scenarios/baseline`` must not reach the shipped files by another way."""
    path = Path(name_or_path)
    if path.suffix == ".toml" and _exists(name_or_path, path):
        return path
    if "/" in name_or_path or "\\" in name_or_path or name_or_path.startswith("."):
        raise ScenarioError(f"{name_or_path}: no such scenario file; a scenario is a name (see `spsim list`) or the "
                            "path of an existing .toml file")  # fmt: skip
    if _exists(name_or_path, SCENARIO_DIR / f"{name_or_path}.toml"):
        return SCENARIO_DIR / f"{name_or_path}.toml"
    raise ScenarioError(f"{name_or_path}: no such scenario; available: {', '.join(available())}")


def _exists(name: str, path: Path) -> bool:
    try:
        return path.exists()
    except OSError as err:  # e.g. a name too long to ask about (exists() raises rather than say no)
        raise ScenarioError(f"{name}: not a usable scenario path ({err.strerror or type(err).__name__})") from None
    except ValueError:  # a NUL in the name: no file can have it
        return False


# A scenario's name (its file's name without .toml) names its shards, tables, figures and report rows: letters,
# digits (of any script) and a few signs, at most MAX_NAME characters, so it cannot drive the terminal, break
# a spreadsheet cell or make a shard's file name too long for the file system (issue 24).
MAX_NAME = 64
NAME = re.compile(r"[^\W_][\w .+()&,'-]*\Z")


def check_name(path: Path) -> str:
    name = path.stem
    if len(name) > MAX_NAME or len(name.encode("utf-8", "surrogatepass")) > 2 * MAX_NAME or not NAME.match(name):
        shown = name if len(name) <= 60 else name[:57] + "..."
        raise ScenarioError(f"{path}: scenario name {shown!r}: at most {MAX_NAME} characters ({2 * MAX_NAME} bytes), "
                            "starting with a letter or digit, then letters, digits, spaces and _ - . + ( ) & , ' "
                            "(rename the file)")  # fmt: skip
    return name


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
    """The file's data checked against its schema (scenario_schema.py), refused in one line naming the file,
    the key, the value and what is allowed; then a link worker budget becomes FTE on top of the place's own."""
    name = check_name(path)
    registry(), evidence()  # read first: a fault in the project's own files is not this file's (and not caught below)
    try:
        file = ScenarioFile.model_validate(data)
    except ValidationError as err:
        fault = first_fault(err, ScenarioFile)
        raise ScenarioError(f"{path}: {fault.key} = {fault.shown}: {fault.allowed}") from None
    base = resolve({**(place or {}), **file.parameters})
    policies = tuple(_policy(path, i, entry, base) for i, entry in enumerate(file.policies))
    return Scenario(
        name=name,
        description=file.description.strip(),
        represents=" ".join(file.represents.split()),
        tests=tuple(file.tests),
        parameters=dict(file.parameters),
        policies=policies,
        path=path,
        budget_gbp_per_100k_year=file.budget_gbp_per_100k_year,
        budget_gbp_year=file.budget_gbp_year,
    )


def _policy(path: Path, index: int, entry: Any, base: dict[str, Any]) -> Policy:
    """The policy a checked entry describes. A budget for link workers or advisors stays money: the policy buys
    posts when it starts, at the cost of a post then (a PSA draw's own cost), so equal budgets stay equal money;
    here it is checked to buy no more posts than the registry allows at ``base``'s cost."""
    values = entry.given()
    if BUDGET_KEY in values:
        budget = values[BUDGET_KEY]
        posts = LinkWorkerFunding.extra_fte_for_budget(budget, base["lw_cost_per_fte_year_gbp"])
        name = "link_workers_per_100k" if entry.type == "link_workers" else "link_advisors_per_100k"
        if entry.type == "link_workers":
            posts += base["link_workers_per_100k"]
        lo, hi = registry()[name].bounds
        if posts > hi:
            raise ScenarioError(f"{path}: policies[{index}].{BUDGET_KEY} = {budget!r}: buys {posts:,.0f} "
                                f"FTE per 100,000 adults; allowed up to {hi:g}")  # fmt: skip
    return POLICY_TYPES[entry.type](**values)
