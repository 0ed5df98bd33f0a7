"""What one replicate reports: the row of ``replicates.csv`` (column definitions in docs/outputs.md)."""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from ...model.activities import catalogue
from ...model.counters import Ledger
from ...model.states import Event

if TYPE_CHECKING:  # (the model, and Mesa with it, is imported where a model is made: a worker)
    from ...model import SocialPrescribingModel

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
    "link_worker_cost_gbp", "advisor_cost_gbp", "grants_gbp", "tariffs_gbp", "programme_costs_gbp", "mean_link_workers",
    "groups_open_at_end", "mh_cohort_referrals", "mh_uptake_rate", "improved_rate_engaged",
    "lw_new_people_per_fte_year", "declined_rate", "left_before_starting_rate", "mean_swemwbs_start",
    "provision_gap_share", "referrals_per_1000_year", "mh_volunteer_rate", "cmd_cohort_referrals",
    "referred_most_deprived_share", "life_satisfaction_change_participants", "uptake_when_offered",
    "sustained_when_offered", "uptake_when_offered_green", "sustained_when_offered_arts",
    "life_satisfaction_change_green",
    # health economics (model/health_economics.py; docs/methods.md, "Economics"): discounted, everyone referred in the window
    "qalys_gained", "wellbys_gained", "wellby_value_gbp", "commissioner_cost_discounted_gbp", "care_cost_change_gbp",
    "net_cost_gbp", "nmb_20k_gbp", "nmb_30k_gbp", "net_swemwbs_change", "deadweight_share", "return_per_pound",
    "tariff_starts",  # first starts in the window, which a tariff pays for (a tariff is sized on them)
    # a wider perspective (NHS and the VCSE groups; issue 26): see vcse_hosting
    "vcse_hosting_cost_gbp", "wider_net_cost_gbp", "nmb_20k_wider_gbp",
]  # fmt: skip
WTP_PER_QALY_GBP = (20_000, 30_000)  # NICE's range (PMG36 section 6): net monetary benefit at each


# exit reasons of people who reached a link worker and left before starting an activity
LEFT_ON_THE_WAY = tuple(event.value for event in (Event.GAVE_UP_LINK_WORKER, Event.GAVE_UP_GROUP, Event.NO_RETURN,
                                                  Event.NOTHING_TO_RETURN_TO, Event.NOTHING_IN_REACH))  # fmt: skip


def _of_kind(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The people whose first suggested group was of this kind of activity (activities.toml ``kind``)."""
    keys = [a.key for a in catalogue() if a.kind == kind]
    return frame[frame["offered_activity"].isin(keys)] if len(frame) else frame


def _share(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


@dataclass(frozen=True)
class Window:
    """Where measurement starts (after a warm-up), and the running totals at that moment."""

    since_week: int = 0
    ledger: Ledger = field(default_factory=Ledger)
    link_workers_left: int = 0

    @classmethod
    def start_now(cls, model: SocialPrescribingModel) -> Window:
        """The running totals now (the model's own observers were told at construction where to start)."""
        return cls(since_week=model.week, ledger=copy.copy(model.ledger), link_workers_left=model.workforce.link_workers_left)


def vcse_hosting(model: SocialPrescribingModel, window: Window) -> float:
    """A wider perspective than the NHS's (issue 26, 12): what the community groups bear hosting referred people,
    discounted as the economic account discounts: every referred person in a group costs it
    ``cost_per_attendee_week_gbp`` a week (volunteers counted too, a simplification).

    Added to the NHS's net cost, grants and tariffs kept in it (they buy capacity: staff, rooms, places): the
    wider net cost. Where a grant or tariff already pays for a person's place, their hosting is then counted
    twice, so for the funded options the wider cost is an upper bound; netting grants out as transfers instead
    would count grant-bought capacity at the per-attendee cost alone and flatter grants."""
    p, since = model.p, window.since_week
    people = model.datacollector.get_model_vars_dataframe()["in_groups"]
    week = people.index.to_numpy() - 1  # row 0 is the start; row k the end of the k-th week (week k - 1)
    inside = week >= since
    factor = (1.0 + p.discount_rate_per_year) ** (-(week[inside] - since) / 52)
    return float((people.to_numpy()[inside] * factor).sum()) * p.cost_per_attendee_week_gbp


def referred_in(model: SocialPrescribingModel, window: Window) -> pd.DataFrame:
    """The outcome records (docs/outputs.md) of the people referred in the measurement window."""
    out = model.outcomes()
    return out[out["referred_week"] >= window.since_week] if len(out) else out


def replicate_metrics(model: SocialPrescribingModel, scenario: str, replicate: int, seed: int,
                      window: Window | None = None, referred: pd.DataFrame | None = None) -> dict:  # fmt: skip
    """Headline measures of a finished run (``close_open_records`` must have been called).

    Everything is about people referred in the measurement window (after the warm-up): pathway rates
    are shares of them, each followed for ``follow_up_weeks`` (or to the end of the run). Outcomes are
    measured on those whose follow-up was complete, whatever happened to them, so that a scenario and
    its counterfactual are compared on the same footing. Costs, closures and departures are counted
    over the window. ``referred``: ``referred_in(model, window)`` when the caller has it already (a run's
    results by subgroup read it too: some 10 ms a replicate at 150,000 adults).
    """
    window = window or Window()
    p = model.p
    referred = out = referred_in(model, window) if referred is None else referred
    measured = out[~out["censored"]] if len(out) else out
    offered = referred[referred["offered"]] if len(referred) else referred
    mh = measured[measured["cohort"] == "MENTAL_HEALTH"] if len(measured) else measured
    green_participants = _of_kind(measured, "green")
    if len(green_participants):
        green_participants = green_participants[green_participants["took_up"]]
        green_participants = green_participants.assign(
            swemwbs_change=green_participants["swemwbs_end"] - green_participants["swemwbs_start"])
    jobless = measured[measured["working_age_not_employed"]] if len(measured) else measured
    weeks = model.week - window.since_week
    points = float((measured["swemwbs_end"] - measured["swemwbs_start"]).sum()) if len(measured) else 0.0
    gp_total = float(measured["gp_change_per_year"].sum()) if len(measured) else 0.0
    ae_total = float(measured["ae_change_per_year"].sum()) if len(measured) else 0.0
    ledger, start = model.ledger, window.ledger
    total_cost = ledger.commissioner_spend - start.commissioner_spend
    fte_years = (ledger.link_worker_fte_weeks - start.link_worker_fte_weeks) / 52

    def mean(frame, column: str) -> float:
        return float(frame[column].astype(float).mean()) if len(frame) else math.nan

    def total(column: str) -> float:
        return float(referred[column].sum()) if len(referred) else 0.0

    qalys, wellbys, care = total("qalys_gained"), total("wellbys_gained"), total("care_cost_change_gbp")
    spend = model.economics.spend_gbp
    net_cost = spend + care
    hosting = vcse_hosting(model, window)
    before_after = mean(measured, "swemwbs_end") - mean(measured, "swemwbs_start")
    net_change = mean(measured, "swemwbs_above_natural")

    return {
        "scenario": scenario,
        "replicate": replicate,
        "seed": seed,
        "referrals": len(referred),
        "lw_contact_rate": mean(referred, "reached_link_worker"),
        "vcse_uptake_rate": mean(referred, "took_up"),
        "sustained_engagement_rate": mean(referred, "sustained"),
        "dropout_rate": float((referred["state"] == "DROPPED_OUT").mean()) if len(referred) else math.nan,
        "setback_rate": float((referred["setbacks"] > 0).mean()) if len(referred) else math.nan,
        "reengagement_rate": _share(float(referred["reengaged"].sum()), float(referred["setbacks"].sum()))
        if len(referred)
        else math.nan,
        "improved_rate": mean(measured, "improved"),
        "mean_swemwbs_change": float((measured["swemwbs_end"] - measured["swemwbs_start"]).mean())
        if len(measured)
        else math.nan,
        "mean_ucla_change": float((measured["ucla_end"] - measured["ucla_start"]).mean())
        if len(measured)
        else math.nan,
        "volunteer_rate": mean(referred, "volunteer"),
        "mh_discharge_rate": mean(mh, "mh_discharged"),
        "employment_rate": mean(jobless, "found_work"),
        "mean_wait_lw_weeks": mean(referred, "lw_wait_weeks"),
        "mean_wait_vcse_weeks": mean(referred, "group_wait_weeks"),
        "vcse_groups_closed": sum(1 for g in model.community.closed_groups if g.closed_week >= window.since_week),
        "lw_quit_rate": _share(model.workforce.link_workers_left - window.link_workers_left, fte_years),
        "gp_consultations_change": mean(measured, "gp_change_per_year"),
        "ae_attendances_change": mean(measured, "ae_change_per_year"),
        "total_cost_gbp": total_cost,
        "cost_per_swemwbs_point": total_cost / points if points > 0 else math.nan,
        # more columns
        "population": p.population,
        "weeks": weeks,
        "people_measured": len(measured),
        "swemwbs_points_gained": points,
        "ucla_points_reduced": -float((measured["ucla_end"] - measured["ucla_start"]).sum()) if len(measured) else 0.0,
        "gp_consultations_change_total": gp_total,
        "ae_attendances_change_total": ae_total,
        "health_service_cost_change_gbp": gp_total * p.gp_consultation_cost_gbp
        + ae_total * p.ae_attendance_cost_gbp,
        "link_worker_cost_gbp": ledger.link_worker_cost - start.link_worker_cost,
        "advisor_cost_gbp": ledger.advisor_cost - start.advisor_cost,
        "grants_gbp": ledger.grants_paid - start.grants_paid,
        "tariffs_gbp": ledger.tariffs_paid - start.tariffs_paid,
        "tariff_starts": ledger.tariff_starts - start.tariff_starts,
        "programme_costs_gbp": ledger.programme_costs - start.programme_costs,
        "mean_link_workers": fte_years * 52 / weeks if weeks else 0.0,
        "groups_open_at_end": len(model.community.groups()),
        "mh_cohort_referrals": int((referred["cohort"] == "MENTAL_HEALTH").sum()) if len(referred) else 0,
        # for calibration (seeds/calibration_targets.toml)
        "mh_uptake_rate": mean(referred[referred["cohort"] == "MENTAL_HEALTH"], "took_up") if len(referred) else math.nan,
        # as the evaluations count it: improved on at least one outcome (wellbeing or loneliness)
        "improved_rate_engaged": float((measured["improved"] | measured["improved_loneliness"])[measured["took_up"]]
                                       .mean()) if len(measured) else math.nan,  # fmt: skip
        "lw_new_people_per_fte_year": _share(float(referred["reached_link_worker"].sum()), fte_years),
        # reached a link worker, never started an activity, and left on the way (gave up, a setback, a closure)
        "left_before_starting_rate": float(((referred["state"] == "NO_ACTIVITY") & referred["exit_reason"].isin(
            LEFT_ON_THE_WAY)).mean()) if len(referred) else math.nan,
        "declined_rate": float((referred["exit_reason"] == Event.DECLINED.value).mean())
        if len(referred)
        else math.nan,
        "mean_swemwbs_start": mean(measured, "swemwbs_start"),
        # why people reached a link worker but never started: the share for whom it was provision (nothing
        # suitable in reach or affordable, or no place came free in time) rather than their own choice, a
        # referral that was not appropriate, a decline or a setback
        "provision_gap_share": mean(referred[referred["reached_link_worker"] & ~referred["took_up"]],
                                    "short_of_provision") if len(referred) else math.nan,  # fmt: skip
        "referrals_per_1000_year": _share(len(referred) * 1000 * 52, p.population * weeks),
        "mh_volunteer_rate": mean(referred[referred["cohort"] == "MENTAL_HEALTH"], "volunteer")
        if len(referred)
        else math.nan,
        "cmd_cohort_referrals": int((referred["cohort"] == "COMMON_MENTAL").sum()) if len(referred) else 0,
        # who is referred: the share living in England's two most deprived fifths of small areas (IoD2019)
        "referred_most_deprived_share": float((referred["imd_quintile"] <= 2).mean()) if len(referred) else math.nan,
        # the before-and-after change those who took part would report on ONS life satisfaction (0-10), through
        # the SWEMWBS-to-life-satisfaction slope the WELLBY account uses (uncontrolled, as evaluations measure it)
        "life_satisfaction_change_participants": p.ls_per_swemwbs_point * float(
            (measured["swemwbs_end"] - measured["swemwbs_start"])[measured["took_up"]].mean())
        if len(measured) and measured["took_up"].any() else math.nan,  # fmt: skip
        # among people a link worker offered a suitable group: the share who started it, and the share who kept
        # going to sustained engagement (what a scheme that refers straight to a course counts, as Artlift did)
        "uptake_when_offered": mean(offered, "took_up"),
        "sustained_when_offered": mean(offered, "sustained"),
        # the same by kind of activity, as evaluations of one kind report them (green social prescribing; arts on
        # referral): take-up of a nature-based group, keeping going with an arts course, and the life-satisfaction
        # change of those who took up a nature-based group (before and after, uncontrolled)
        "uptake_when_offered_green": mean(_of_kind(offered, "green"), "took_up"),
        "sustained_when_offered_arts": mean(_of_kind(offered, "arts"), "sustained"),
        "life_satisfaction_change_green": p.ls_per_swemwbs_point * mean(green_participants, "swemwbs_change"),
        # economics: everyone referred in the window, each to the horizon, against their own natural course
        "qalys_gained": qalys,
        "wellbys_gained": wellbys,
        "wellby_value_gbp": wellbys * p.wellby_value_gbp,
        "commissioner_cost_discounted_gbp": spend,
        "care_cost_change_gbp": care,
        "net_cost_gbp": net_cost,
        "nmb_20k_gbp": WTP_PER_QALY_GBP[0] * qalys - net_cost,
        "nmb_30k_gbp": WTP_PER_QALY_GBP[1] * qalys - net_cost,
        # the before-and-after change that is the service's: the rest is deadweight (the natural course)
        "net_swemwbs_change": net_change,
        "deadweight_share": 1 - net_change / before_after if before_after > 0 else math.nan,
        # the wider view: wellbeing valued in WELLBYs, plus the NHS's own savings, per pound spent
        "return_per_pound": (wellbys * p.wellby_value_gbp - care) / spend if spend > 0 else math.nan,
        "vcse_hosting_cost_gbp": hosting,
        "wider_net_cost_gbp": net_cost + hosting,
        "nmb_20k_wider_gbp": WTP_PER_QALY_GBP[0] * qalys - (net_cost + hosting),
    }


def timeseries(model: SocialPrescribingModel, scenario: str, replicate: int, since_week: int = 0) -> pd.DataFrame:
    """Weekly series; ``week`` counts from the end of the warm-up (negative during it)."""
    frame = model.datacollector.get_model_vars_dataframe().reset_index(names="week")
    frame["week"] -= since_week
    frame.insert(0, "replicate", replicate)
    frame.insert(0, "scenario", scenario)
    return frame


TRAJECTORY_SUM_COLUMNS = ["group", "months_since_referral", "n", "sum_swemwbs_change", "sumsq_swemwbs_change",
                          "sum_ucla_change", "sumsq_ucla_change"]  # fmt: skip


def trajectory_sums(model: SocialPrescribingModel, scenario: str, replicate: int) -> pd.DataFrame:
    frame = pd.DataFrame(model.trajectories.rows(), columns=TRAJECTORY_SUM_COLUMNS)  # columns even when nobody was followed
    frame.insert(0, "replicate", replicate)
    frame.insert(0, "scenario", scenario)
    return frame
