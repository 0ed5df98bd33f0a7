"""What a commissioner takes away from the page: the weekly series and the value-for-money table as CSV, and the
levers as a scenario file that `spsim run` accepts, with the command that re-runs it to the same numbers.

The scenario file holds the levers' policies as the page ran them (experiments/viz/lever_schedule.py: weeks count
from the end of the warm-up, as in every scenario file); the place, population, seed and weeks are the command's
options, written into the file's description so the file says how it was made.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import tomli_w

from ..inputs.scenario import policy_to_dict
from .run import DIFFERENCES, PairedRun
from .value_for_money import Account


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()


def weekly_csv(run: PairedRun, band: list[dict[str, float]] | None = None) -> str:
    """One row a week since the levers began: each measure with the levers, without, and their difference (and
    the replicates' mean difference with its 95% interval, when they ran)."""
    with run.lock:
        rows = [dict(row) for row in run.series]
    by_week = {row["week"]: row for row in band or []}
    for row in rows:
        extra = by_week.get(row["week"], {})
        for key in DIFFERENCES:
            for part in ("mean", "low", "high"):
                if f"{key}_{part}" in extra:
                    row[f"{key}_difference_replicates_{part}"] = extra[f"{key}_{part}"]
    return _csv(rows)


def value_for_money_csv(result: Account) -> str:
    return _csv(result.rows())


def scenario_name(run: PairedRun) -> str:
    """A file name `spsim run` accepts as a scenario name (letters, digits, _)."""
    place = re.sub(r"[^a-z0-9]+", "_", (run.settings.place.source or "default").lower()).strip("_")
    return f"page_levers_{place}_seed{run.settings.seed}"


def rerun_command(run: PairedRun, filename: str) -> str:
    """The `spsim run` command that re-runs the page's pair to the week shown (baseline: the place as it is)."""
    s = run.settings
    place = f" --place {s.place.source}" if s.place.source else ""
    population = "" if s.place.fixed_size else f" --population {s.population}"
    years = f"{max(run.shown_week, 1) / 52:.10g}"
    return (f"spsim run baseline {filename} --replicates 1 --seed {s.seed} --years {years} "
            f"--warmup-years {s.warmup_weeks / 52:.10g}{place}{population}")


def scenario_toml(run: PairedRun) -> str:
    """The levers as a scenario file (no None values: TOML has none, and a missing key is the policy's default)."""
    name = scenario_name(run)
    policies = []
    for policy in run.scenario_policies():
        policies.append({key: value for key, value in policy_to_dict(policy).items()
                         if value is not None and key != "started"})  # fmt: skip
    document = {
        "description": f"The levers set on the spsim browser page ({run.settings.place.label})",
        "represents": "Made by the browser page; re-run with: " + rerun_command(run, name + ".toml"),
        "parameters": {},
        "policies": policies,
    }
    return tomli_w.dumps(document)
