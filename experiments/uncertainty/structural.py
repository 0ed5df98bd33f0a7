"""Structural uncertainty of the economic evaluation in the open (issue 26, item 11): `spsim structural`.

The paired comparison is run again under each alternative of ``seeds/economic_alternatives.toml`` (labelled
parameter overrides), with the same seeds as the base case, so each difference from it is the alternative's
alone. Written to ``--out``: the runs (``replicates.csv``), ``structural.csv`` (per setting and comparison: extra
QALYs, extra net cost, the ICER in words, the incremental net monetary benefit at 20,000 GBP per QALY with its
interval over replicates), ``tornado.csv`` and ``figures/tornado.png`` (the economic inputs over their ranges,
ordered by how far they swing each comparison's net benefit), ``checks.csv`` (the brief's two checks) and
``report.md`` (experiments/reporting/structural_section.py).

Comparisons: each option against the reference (the first scenario named), and the reference against the
counterfactual (no service) when it is run. Intervals cover replicate chance only (who is referred, who takes up
what); the alternatives are the structural uncertainty, and `spsim psa` the parameters'.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ...model.parameters import SEEDS_DIR, ParameterError, registry, resolve

from ..analysis.brief_checks import compare
from ..comparison.experiment import Experiment
from ..inputs.scenario import Scenario
from ..inputs.toml_file import UnreadableFile, read_toml
from ..runs.design import DesignError
from ..runs.runner import atomic_write_csv

ALTERNATIVES = SEEDS_DIR / "economic_alternatives.toml"
BASE = "base case"


@dataclass(frozen=True)
class Setting:
    """One set of overrides to run: the base case, a tornado end or an alternative (one run serves all three
    when their overrides are the same)."""

    key: str  # s00, s01, ...: the runs' names are SCENARIO.KEY
    overrides: dict[str, Any]


@dataclass(frozen=True)
class Alternatives:
    checks: dict[str, float]
    tornado: dict[str, tuple[str, dict[str, dict[str, Any]]]]  # input -> (label, {end label: overrides})
    scenarios: dict[str, tuple[str, str, dict[str, Any]]]  # name -> (label, why, overrides)

    def override_sets(self) -> list[dict[str, Any]]:
        """Every distinct set of overrides, the base case ({}) first."""
        sets = [{}]
        for _, ends in self.tornado.values():
            sets += list(ends.values())
        sets += [overrides for _, _, overrides in self.scenarios.values()]
        unique: dict[str, dict[str, Any]] = {}
        for overrides in sets:
            unique.setdefault(_identity(overrides), overrides)
        return list(unique.values())


def _identity(overrides: dict[str, Any]) -> str:
    return json.dumps(overrides, sort_keys=True)


def load(path: Path = ALTERNATIVES) -> Alternatives:
    """The alternatives file, checked: every override a registry parameter within its bounds; refused in one line."""
    try:
        data, _ = read_toml(path, 1_000_000, "alternatives")
    except UnreadableFile as err:
        raise DesignError(f"--alternatives {path}: {err.problem}") from None

    def overrides(where: str, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise DesignError(f"--alternatives {path}: {where}: a table of parameter values")
        known = registry()
        for name, v in value.items():
            if name not in known:
                raise DesignError(f"--alternatives {path}: {where}.{name}: unknown parameter")
            try:
                known[name].check(v)
                resolve({name: v})
            except ParameterError as err:
                raise DesignError(f"--alternatives {path}: {where}.{name} = {v!r}: {err}") from None
        return dict(value)

    def text(where: str, table: dict, key: str) -> str:
        value = table.get(key, "")
        if not isinstance(value, str) or not value.strip():
            raise DesignError(f"--alternatives {path}: {where}.{key}: a line of text is required")
        return value

    unknown = set(data) - {"checks", "tornado", "alternative"}
    if unknown:
        raise DesignError(f"--alternatives {path}: unknown table {sorted(unknown)[0]!r} (checks, tornado, alternative)")
    checks = {"qalys_per_referral_12_months_max": 0.02, "icer_threshold_gbp": 20_000.0, "far_below_share": 0.25}
    for key, value in data.get("checks", {}).items():
        if key not in checks or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise DesignError(f"--alternatives {path}: checks.{key} = {value!r}: one of {', '.join(checks)}, above 0")
        checks[key] = float(value)
    tornado = {}
    for name, entry in data.get("tornado", {}).items():
        ends = entry.get("ends") if isinstance(entry, dict) else None
        if not isinstance(ends, dict) or not 1 <= len(ends) <= 2:
            raise DesignError(f"--alternatives {path}: tornado.{name}.ends: one or two labelled override tables")
        checked = {label: overrides(f"tornado.{name}.ends.{label}", v) for label, v in ends.items()}
        tornado[name] = (text(f"tornado.{name}", entry, "label"), checked)
    scenarios = {}
    for name, entry in data.get("alternative", {}).items():
        if not isinstance(entry, dict):
            raise DesignError(f"--alternatives {path}: alternative.{name}: a table")
        scenarios[name] = (text(f"alternative.{name}", entry, "label"), str(entry.get("why", "")),
                           overrides(f"alternative.{name}.parameters", entry.get("parameters", {})))  # fmt: skip
    return Alternatives(checks, tornado, scenarios)


def settings_of(alternatives: Alternatives) -> list[Setting]:
    return [Setting(f"s{i:02d}", overrides) for i, overrides in enumerate(alternatives.override_sets())]


def design(scenarios: list[Scenario], alternatives: Alternatives,
           **experiment: Any) -> tuple[Experiment, list[Setting]]:  # fmt: skip
    """One experiment: every scenario under every setting (the alternative's overrides win over the scenario's)."""
    settings = settings_of(alternatives)
    runs = [dataclasses.replace(s, name=f"{s.name}.{setting.key}", parameters={**s.parameters, **setting.overrides})
            for setting in settings for s in scenarios]  # fmt: skip
    return RunsOnly(scenarios=runs, **experiment), settings


class RunsOnly(Experiment):
    """The experiment's runs and replicates.csv; the analysis is this module's, not a comparison report."""

    def write_outputs(self, backend=None) -> None:  # (no figures: the run's pool is not needed here)
        replicates, *_ = self.results()
        atomic_write_csv(self.out / "replicates.csv", replicates)


# ------------------------------------------------------------------ analysis
def comparisons(order: list[str], counterfactual: str | None) -> list[tuple[str, str]]:
    """(option, comparator): each option against the reference, and the reference against no service."""
    reference = order[0]
    pairs = [(name, reference) for name in order[1:] if name != counterfactual]
    return ([(reference, counterfactual)] if counterfactual else []) + pairs


def structural_table(replicates: pd.DataFrame, order: list[str], counterfactual: str | None,
                     settings: list[Setting], alternatives: Alternatives) -> pd.DataFrame:  # fmt: skip
    """structural.csv: one row per (setting label, comparison)."""
    key = {_identity(s.overrides): s.key for s in settings}
    labelled = [("base", BASE, {})]
    for name, (label, ends) in alternatives.tornado.items():
        labelled += [(f"tornado.{name}", f"{label}: {end}", o) for end, o in ends.items()]
    labelled += [(f"alternative.{name}", label, o) for name, (label, _, o) in alternatives.scenarios.items()]
    rows = []
    for entry, label, overrides in labelled:
        k = key[_identity(overrides)]
        horizon = resolve(overrides)["economic_horizon_years"]
        for option, comparator in comparisons(order, counterfactual):
            result = compare(replicates, f"{option}.{k}", f"{comparator}.{k}")
            rows.append({"entry": entry, "setting": label, "run": k, "horizon_years": horizon, "option": option,
                         "comparator": comparator, **result})  # fmt: skip
    return pd.DataFrame(rows)


def tornado_table(table: pd.DataFrame) -> pd.DataFrame:
    """tornado.csv: per comparison and input, the incremental NMB at each end and at the base case; inputs in
    order of their swing (the widest first), so the figure reads from the top."""
    rows = []
    for (option, comparator), group in table.groupby(["option", "comparator"], sort=False):
        base = float(group.loc[group["entry"] == "base", "incremental_nmb_20k_gbp"].iloc[0])
        for entry, ends in group[group["entry"].str.startswith("tornado.")].groupby("entry", sort=False):
            values = ends["incremental_nmb_20k_gbp"].to_numpy(float)
            swing = float(max(values.max(), base) - min(values.min(), base))
            for r in ends.itertuples():
                rows.append({"option": option, "comparator": comparator, "input": entry.removeprefix("tornado."),
                             "end": r.setting.split(": ", 1)[1], "label": r.setting.split(": ", 1)[0],
                             "incremental_nmb_20k_gbp": r.incremental_nmb_20k_gbp, "base_nmb_20k_gbp": base,
                             "swing_gbp": swing})  # fmt: skip
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.sort_values(["option", "comparator", "swing_gbp", "input"], ascending=[True, True, False, True],
                             kind="stable").reset_index(drop=True)  # fmt: skip


def checks_table(table: pd.DataFrame, checks: dict[str, float], counterfactual: str | None) -> pd.DataFrame:
    """checks.csv: the brief's two checks on the base case. (1) Net QALYs per person referred at 12 months against
    no service (from the base case when its horizon is a year, else from a setting that differs from it only by a
    one-year horizon), against ``qalys_per_referral_12_months_max``. (2) Each base-case ICER against the threshold,
    with a line of explanation when it is far below it."""
    base = table[table["entry"] == "base"]
    rows = []
    at_year = base if (base["horizon_years"] == 1.0).all() else table[(table["horizon_years"] == 1.0)
                                                                       & (table["entry"] != "base")]  # fmt: skip
    if counterfactual is not None:
        for r in at_year[at_year["comparator"] == counterfactual].drop_duplicates("option").itertuples():
            limit = checks["qalys_per_referral_12_months_max"]
            rows.append({"check": "QALYs per person referred at 12 months", "option": r.option,
                         "comparator": r.comparator, "value": r.qalys_per_referral, "limit": limit,
                         "passes": bool(r.qalys_per_referral <= limit),
                         "explanation": f"the brief expects at most about {limit:g}" + (
                             "" if r.qalys_per_referral <= limit else
                             f"; {r.qalys_per_referral / limit:.1f} times that: the effect or its valuation is "
                             "larger than the controlled evidence supports")})  # fmt: skip
    threshold, far = checks["icer_threshold_gbp"], checks["far_below_share"] * checks["icer_threshold_gbp"]
    for r in base.itertuples():
        rows.append({"check": "ICER against the threshold", "option": r.option, "comparator": r.comparator,
                     "value": r.icer_gbp_per_qaly, "limit": threshold, "passes": not (r.icer_gbp_per_qaly < far),
                     "explanation": icer_explanation(r, threshold, far, table)})  # fmt: skip
    return pd.DataFrame(rows)


def icer_explanation(r: Any, threshold: float, far: float, table: pd.DataFrame) -> str:
    """Why an ICER sits where it does, in numbers: the savings' share of the extra cost, QALYs per referral, and
    (past a one-year horizon) the share of QALYs counted beyond any observed follow-up."""
    if math.isnan(r.icer_gbp_per_qaly):
        return f"{r.icer}: no ratio to compare; the net monetary benefit says how far apart they are"
    if r.icer_gbp_per_qaly >= threshold:
        return (f"{r.icer_gbp_per_qaly:,.0f} GBP per QALY: above {threshold:,.0f}, not cost-effective at NICE's "
                "lower threshold")
    if r.icer_gbp_per_qaly >= far:
        return f"{r.icer_gbp_per_qaly:,.0f} GBP per QALY: below {threshold:,.0f} but not far below it"
    parts = [f"far below {threshold:,.0f} (under {far:,.0f}): care savings offset "
             f"{r.savings_share_of_spend:.0%} of the extra service cost",
             f"{r.qalys_per_referral:.4f} QALYs per person referred"]  # fmt: skip
    if r.horizon_years > 1:
        year = table[(table["horizon_years"] == 1.0) & (table["option"] == r.option)
                     & (table["comparator"] == r.comparator)]  # fmt: skip
        if len(year) and r.extra_qalys > 0:
            parts.append(f"{1 - year['extra_qalys'].iloc[0] / r.extra_qalys:.0%} of the QALYs come after the first "
                         "year, beyond any observed follow-up")  # fmt: skip
    return "; ".join(parts)


def analyse(out: Path, order: list[str], counterfactual: str | None, settings: list[Setting],
            alternatives: Alternatives, settings_line: str) -> tuple[pd.DataFrame, ...]:  # fmt: skip
    """Read the runs in ``out`` and write the tables, the figure and report.md."""
    from ..reporting import structural_section
    from ..reporting.report import write_structural_report

    replicates = pd.read_csv(out / "replicates.csv")
    table = structural_table(replicates, order, counterfactual, settings, alternatives)
    tornado = tornado_table(table)
    checks = checks_table(table, alternatives.checks, counterfactual)
    for name, frame in (("structural.csv", table), ("tornado.csv", tornado), ("checks.csv", checks)):
        atomic_write_csv(out / name, frame)
    (out / "figures").mkdir(exist_ok=True)
    figure = structural_section.tornado_plot(tornado, out / "figures")
    lines = structural_section.section(table, tornado, checks, alternatives, figure and figure.name, settings_line)
    write_structural_report(out, lines)
    return table, tornado, checks


def run(scenarios: list[Scenario], alternatives_path: Path, replicates: int, years: float, warmup_years: float,
        seed: int, out: Path, place: Any, executor: str = "process", workers: int = 1,
        scheduler: str | None = None) -> None:  # fmt: skip
    from ..analysis.statistics import counterfactual_in

    if replicates < 2:
        raise DesignError("--replicates: at least 2 (an interval over replicates needs two)")
    alternatives = load(alternatives_path)
    experiment, settings = design(scenarios, alternatives, replicates=replicates, years=years, seed=seed,
                                  place=place, out=out, warmup_years=warmup_years)  # fmt: skip
    experiment.run(executor=executor, workers=workers, scheduler=scheduler)
    adults = experiment.settings()["population"]
    settings_line = (f"{len(scenarios)} scenarios x {len(settings)} settings x {replicates} paired replicates, "
                     f"{years:g} simulated years after a {warmup_years:g}-year warm-up, {adults:,} adults, "
                     f"seed {seed}; "
                     f"alternatives from `{alternatives_path.name}`.")  # fmt: skip
    order = [s.name for s in scenarios]
    analyse(out, order, counterfactual_in(scenarios), settings, alternatives, settings_line)
    print(f"wrote {out}: report.md, structural.csv, tornado.csv, checks.csv, replicates.csv, figures/tornado.png")

