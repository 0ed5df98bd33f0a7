"""What one replicate reports: the row of ``replicates.csv`` (column definitions in the README)."""

from __future__ import annotations

import math

import pandas as pd

from model import SocialPrescribingModel

# The contract columns of replicates.csv, in order (DESIGN.md section 7); more follow them.
REPLICATE_COLUMNS = [
    "scenario", "replicate", "seed", "referrals", "lw_contact_rate", "vcse_uptake_rate",
    "sustained_engagement_rate", "dropout_rate", "setback_rate", "reengagement_rate", "improved_rate",
    "mean_swemwbs_change", "mean_ucla_change", "volunteer_rate", "mh_discharge_rate", "employment_rate",
    "mean_wait_lw_weeks", "mean_wait_vcse_weeks", "vcse_groups_closed", "lw_quit_rate",
    "gp_consultations_change", "ae_attendances_change", "total_cost_gbp", "cost_per_swemwbs_point",
]  # fmt: skip
EXTRA_COLUMNS = [
    "population", "weeks", "people_measured", "swemwbs_points_gained", "ucla_points_reduced",
    "gp_consultations_change_total", "ae_attendances_change_total", "health_service_cost_change_gbp",
    "link_worker_cost_gbp", "grants_gbp", "tariffs_gbp", "programme_costs_gbp", "mean_link_workers",
    "groups_open_at_end", "mh_cohort_referrals",
]  # fmt: skip


def _share(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


def replicate_metrics(model: SocialPrescribingModel, scenario: str, replicate: int, seed: int) -> dict:
    """Headline measures of a finished run (``close_open_records`` must have been called).

    Pathway rates are shares of everyone referred during the run. Outcomes are measured on people
    whose follow-up (``follow_up_weeks``) was complete, whatever happened to them, so that a scenario
    and its counterfactual are compared on the same footing.
    """
    p = model.p
    c = model.counters
    out = model.outcomes()
    measured = out[~out["censored"]] if len(out) else out
    mh = measured[measured["cohort"] == "MENTAL_HEALTH"] if len(measured) else measured
    jobless = measured[measured["working_age_not_employed"]] if len(measured) else measured
    years = model.week / 52
    points = float((measured["swemwbs_end"] - measured["swemwbs_start"]).sum()) if len(measured) else 0.0
    gp_total = float(measured["gp_change_per_year"].sum()) if len(measured) else 0.0
    ae_total = float(measured["ae_change_per_year"].sum()) if len(measured) else 0.0
    total_cost = model.ledger.commissioner_spend
    mean_lw = model.ledger.link_worker_fte_weeks / model.week if model.week else 0.0

    def mean(column: str) -> float:
        return float(measured[column].mean()) if len(measured) else math.nan

    return {
        "scenario": scenario,
        "replicate": replicate,
        "seed": seed,
        "referrals": c.referred,
        "lw_contact_rate": _share(c.reached_link_worker, c.referred),
        "vcse_uptake_rate": _share(c.took_up_activity, c.referred),
        "sustained_engagement_rate": _share(c.sustained, c.referred),
        "dropout_rate": _share(c.dropped_out, c.referred),
        "setback_rate": _share(c.people_with_setback, c.referred),
        "reengagement_rate": _share(c.reengaged_after_setback, c.setbacks),
        "improved_rate": float(measured["improved"].mean()) if len(measured) else math.nan,
        "mean_swemwbs_change": float((measured["swemwbs_end"] - measured["swemwbs_start"]).mean())
        if len(measured)
        else math.nan,
        "mean_ucla_change": float((measured["ucla_end"] - measured["ucla_start"]).mean())
        if len(measured)
        else math.nan,
        "volunteer_rate": _share(c.volunteered, c.referred),
        "mh_discharge_rate": float(mh["mh_discharged"].mean()) if len(mh) else math.nan,
        "employment_rate": float(jobless["found_work"].mean()) if len(jobless) else math.nan,
        "mean_wait_lw_weeks": _share(c.link_worker_wait_weeks, c.reached_link_worker),
        "mean_wait_vcse_weeks": _share(c.group_wait_weeks, c.took_up_activity),
        "vcse_groups_closed": model.groups_closed,
        "lw_quit_rate": _share(model.link_workers_left, mean_lw * years),
        "gp_consultations_change": mean("gp_change_per_year"),
        "ae_attendances_change": mean("ae_change_per_year"),
        "total_cost_gbp": total_cost,
        "cost_per_swemwbs_point": total_cost / points if points > 0 else math.nan,
        # more columns
        "population": p["population"],
        "weeks": model.week,
        "people_measured": len(measured),
        "swemwbs_points_gained": points,
        "ucla_points_reduced": -float((measured["ucla_end"] - measured["ucla_start"]).sum()) if len(measured) else 0.0,
        "gp_consultations_change_total": gp_total,
        "ae_attendances_change_total": ae_total,
        "health_service_cost_change_gbp": gp_total * p["gp_consultation_cost_gbp"]
        + ae_total * p["ae_attendance_cost_gbp"],
        "link_worker_cost_gbp": model.ledger.link_worker_cost,
        "grants_gbp": model.ledger.grants_paid,
        "tariffs_gbp": model.ledger.tariffs_paid,
        "programme_costs_gbp": model.ledger.programme_costs,
        "mean_link_workers": mean_lw,
        "groups_open_at_end": len(model.groups()),
        "mh_cohort_referrals": int((out["cohort"] == "MENTAL_HEALTH").sum()) if len(out) else 0,
    }


def timeseries(model: SocialPrescribingModel, scenario: str, replicate: int) -> pd.DataFrame:
    frame = model.datacollector.get_model_vars_dataframe().reset_index(names="week")
    frame.insert(0, "replicate", replicate)
    frame.insert(0, "scenario", scenario)
    return frame


def trajectory_sums(model: SocialPrescribingModel, scenario: str, replicate: int) -> pd.DataFrame:
    frame = pd.DataFrame(model.trajectories.rows())
    frame.insert(0, "replicate", replicate)
    frame.insert(0, "scenario", scenario)
    return frame
