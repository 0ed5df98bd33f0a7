"""Money: what each scenario meant to spend on each lever, what it actually spent, and whether scenarios
that claim the same budget spent the same money (``spend.csv`` and the report's "Money" section).

Intended spend comes from the scenario's policies at the run's population (a link worker budget buys
part-time posts, so it is spent exactly; a tariff has no intended amount: it is paid per person who
starts). Actual extra spend is the paired difference from the reference scenario, lever by lever, from
the ledger columns of ``replicates.csv``. A scenario that declares a budget (``budget_gbp_per_100k_year``
or ``budget_gbp_year``) is checked against it: a gap of more than 1% is a warning.
"""

from __future__ import annotations

import math

import pandas as pd

from ...model import costing
from ...model.parameters import resolve
from ...model.policies import (
    GuaranteedContinuity,
    LinkWorkerFunding,
    LinkWorkerTraining,
    PeerSupportProgramme,
    PublicAwareness,
    SupportedDischarge,
    VCSECapacityGrants,
)

from ..inputs.scenario import Scenario

TOLERANCE = 0.01  # a declared budget missed by more than this share is reported
# (ledger column in replicates.csv, lever in words)
LEVERS = [
    ("link_worker_cost_gbp", "primary-care link workers"),
    ("advisor_cost_gbp", "link advisors (supported discharge)"),
    ("grants_gbp", "capacity grants to groups"),
    ("tariffs_gbp", "referral tariffs"),
    ("programme_costs_gbp", "programmes (peer support, training, awareness, continuity cover)"),
]


def intended_per_year(scenario: Scenario, place: dict) -> dict[str, float]:
    """GBP a year each lever's policies mean to add over the scenario's own starting values (NaN for a
    tariff, which depends on how many people start)."""
    return policies_intended_per_year(scenario.policies, {**place, **scenario.parameters})


def policies_intended_per_year(policies, parameters: dict) -> dict[str, float]:
    """``intended_per_year`` for a list of policies applied, in order, to ``parameters`` (a place's own
    values; the registry's for the rest), priced by model/costing.py as the policies charge themselves.
    Link workers are counted as the policies leave them, so training and continuity cover are costed on the
    posts the scenario funds."""
    p = resolve(parameters)
    population, cost = p["population"], p["lw_cost_per_fte_year_gbp"]
    out = dict.fromkeys((column for column, _ in LEVERS), 0.0)
    fte = p["link_workers_per_100k"]
    for policy in policies:
        if isinstance(policy, LinkWorkerFunding):
            if policy.budget_gbp_year is not None:
                level = fte + costing.posts_for(policy.budget_gbp_year, cost, population)
            elif policy.budget_gbp_per_100k_year is not None:
                level = fte + costing.posts_for(policy.budget_gbp_per_100k_year, cost)
            else:
                level = policy.fte_per_100k
            out["link_worker_cost_gbp"] += costing.posts_cost_year(level - fte, cost, population)
            fte = level
        elif isinstance(policy, VCSECapacityGrants):
            if policy.gbp_year is None:
                pot = costing.grants_cost_year(policy.gbp_per_100k_year, population)
            else:
                pot = policy.gbp_year
            out["grants_gbp"] += pot - costing.grants_cost_year(p["vcse_grant_per_100k_year_gbp"], population)
        elif isinstance(policy, SupportedDischarge):
            before = p["link_advisors_per_100k"] if p["supported_discharge"] else 0.0
            advisors = policy.advisors_per_100k
            if policy.budget_gbp_per_100k_year is not None:
                advisors = costing.posts_for(policy.budget_gbp_per_100k_year, cost)
            out["advisor_cost_gbp"] += costing.posts_cost_year(advisors - before, cost, population)
        elif isinstance(policy, PeerSupportProgramme):
            price = p["peer_programme_cost_per_100k_year_gbp"]
            out["programme_costs_gbp"] += costing.peer_programme_cost_year(price, population)
        elif isinstance(policy, LinkWorkerTraining):
            price = p["training_cost_per_lw_year_gbp"]
            out["programme_costs_gbp"] += costing.training_cost_year(policy.level, fte, price, population)
        elif isinstance(policy, PublicAwareness):
            price = p["awareness_cost_per_100k_year_gbp"]
            out["programme_costs_gbp"] += costing.awareness_cost_year(policy.level, price, population)
        elif isinstance(policy, GuaranteedContinuity):
            out["programme_costs_gbp"] += costing.continuity_cost_year(p["continuity_cover_share"], fte, cost, population)
        elif policy.kind == "referral_tariff":  # what it pays depends on starts: known only when capped
            cap = getattr(policy, "cap_gbp_per_100k_year", None)
            out["tariffs_gbp"] = math.nan if cap is None else costing.whole_place(cap, population)
    return out


def spend_table(replicates: pd.DataFrame, scenarios: list[Scenario], place: dict) -> pd.DataFrame:
    """spend.csv: per scenario x lever, intended and actual extra spend over the run (GBP), against the
    reference (the first scenario); then a row per scenario for the total and its declared budget."""
    reference = scenarios[0].name
    ref = replicates[replicates["scenario"] == reference].set_index("replicate")
    rows = []
    for scenario in scenarios[1:]:
        own = replicates[replicates["scenario"] == scenario.name].set_index("replicate")
        years = float(own["weeks"].mean()) / 52
        population = float(own["population"].iloc[0])
        intended = intended_per_year(scenario, {**place, "population": population})
        for column, lever in LEVERS:
            actual = float((own[column] - ref[column]).mean())
            rows.append({"scenario": scenario.name, "reference": reference, "lever": lever,
                         "intended_gbp": intended[column] * years, "actual_gbp": actual})  # fmt: skip
        stated = scenario.stated_budget_gbp_year(population)
        actual_total = float(sum(own[c] - ref[c] for c, _ in LEVERS).mean())
        rows.append({"scenario": scenario.name, "reference": reference, "lever": "total",
                     "intended_gbp": sum(v for v in intended.values() if not math.isnan(v)) * years,
                     "actual_gbp": actual_total,
                     "stated_budget_gbp": stated * years if stated is not None else math.nan})  # fmt: skip
    frame = pd.DataFrame(rows, columns=["scenario", "reference", "lever", "intended_gbp", "actual_gbp",
                                        "stated_budget_gbp"])  # fmt: skip
    frame["gap_share"] = (frame["actual_gbp"] - frame["stated_budget_gbp"]) / frame["stated_budget_gbp"]
    return frame


def warnings(table: pd.DataFrame) -> list[str]:
    """One sentence per scenario whose actual extra spend misses its declared budget by more than 1%."""
    out = []
    for row in table[(table["lever"] == "total") & table["stated_budget_gbp"].notna()].itertuples():
        if abs(row.gap_share) > TOLERANCE:
            out.append(f"`{row.scenario}` declares {row.stated_budget_gbp:,.0f} GBP of extra spend over the run but "
                       f"spent {row.actual_gbp:,.0f} GBP more than `{row.reference}` ({row.gap_share:+.1%}): "
                       "its comparison with other scenarios of the same budget is not like for like")  # fmt: skip
    return out


def report_section(table: pd.DataFrame) -> list[str]:
    lines = ["## Money: intended and actual extra spend", "",
             f"Extra spend over `{table['reference'].iloc[0]}` across the run, lever by lever (actual: paired "
             "difference in the ledger, mean over replicates). Link worker and advisor posts are paid whether "
             "filled or vacant (a block contract); a tariff is paid per person who starts, so it has no intended "
             "amount.", "",
             "| scenario | lever | intended (GBP) | actual (GBP) | declared budget (GBP) |", "|---|---|---|---|---|"]  # fmt: skip
    for row in table.itertuples():
        if row.lever != "total" and abs(row.actual_gbp) < 0.5 and (math.isnan(row.intended_gbp) or abs(row.intended_gbp) < 0.5):
            continue
        intended = "per start" if math.isnan(row.intended_gbp) else f"{row.intended_gbp:,.0f}"
        budget = "" if math.isnan(row.stated_budget_gbp) else f"{row.stated_budget_gbp:,.0f}"
        lever = f"**{row.lever}**" if row.lever == "total" else row.lever
        lines.append(f"| `{row.scenario}` | {lever} | {intended} | {row.actual_gbp:,.0f} | {budget} |")
    problems = warnings(table)
    lines += [""] + [f"> **Warning:** {w}." for w in problems]
    if not problems and table["stated_budget_gbp"].notna().any():
        lines.append("Every scenario that declares a budget spent it to within 1%.")
    return lines + [""]
