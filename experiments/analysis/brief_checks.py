"""The brief's two checks on an economic evaluation (seeds/EVIDENCE-economics.md section 8; issue 26): net QALYs
per person referred over 12 months should be small, about 0.02 at most, and an ICER far below 20,000 GBP per QALY
needs an explanation. ``compare`` is the paired comparison both `spsim run`'s report and `spsim structural` use."""

from __future__ import annotations

import math

import pandas as pd

from .cost_effectiveness import icer_in_words
from .decisions import paired_values
from .intervals import interval

VALUE_PER_QALY = 20_000.0  # the comparisons' net monetary benefit (NICE's lower threshold)
QALYS_PER_REFERRAL_12_MONTHS_MAX = 0.02  # "of the order of 0.00-0.02" (Munford 2020's +0.030 is for starters)
ICER_THRESHOLD_GBP = 20_000.0
FAR_BELOW_SHARE = 0.25  # "far below" the threshold: under a quarter of it


def compare(replicates: pd.DataFrame, option: str, comparator: str) -> dict[str, float]:
    """Paired by replicate: extra QALYs, extra net cost, incremental NMB at 20,000 (with its interval), QALYs per
    person referred, and the care savings as a share of the extra service cost."""
    order = [comparator, option]

    def diff(column: str) -> pd.Series:
        table = paired_values(replicates, order, column)
        return (table[option] - table[comparator]).dropna()

    qalys, cost = diff("qalys_gained"), diff("net_cost_gbp")
    nmb, lo, hi = interval(VALUE_PER_QALY * qalys - cost, share=False)
    referrals = paired_values(replicates, order, "referrals")[option]
    spend, care = diff("commissioner_cost_discounted_gbp").mean(), diff("care_cost_change_gbp").mean()
    ratio, words = icer_in_words(float(cost.mean()), float(qalys.mean()))
    # the wider perspective (NHS and VCSE groups, experiments/runs/metrics.vcse_hosting) where the runs have it
    wider = diff("nmb_20k_wider_gbp").mean() if "nmb_20k_wider_gbp" in replicates else math.nan
    closed = diff("vcse_groups_closed").mean() if "vcse_groups_closed" in replicates else math.nan
    return {"extra_qalys": float(qalys.mean()), "extra_net_cost_gbp": float(cost.mean()), "icer_gbp_per_qaly": ratio,
            "icer": words, "incremental_nmb_20k_gbp": nmb, "nmb_ci_low": lo, "nmb_ci_high": hi,
            "replicates": len(qalys), "qalys_per_referral": float((qalys / referrals.reindex(qalys.index)).mean()),
            "savings_share_of_spend": -care / spend if spend > 0 else math.nan,
            "incremental_nmb_20k_wider_gbp": float(wider), "extra_groups_closed": float(closed)}  # fmt: skip



def run_lines(replicates: pd.DataFrame, reference: str, counterfactual: str | None, horizon_years: float) -> list[str]:
    """For `spsim run`'s report: the two checks on the reference against no service, when the run has it."""
    if counterfactual is None or counterfactual == reference:
        return []
    r = compare(replicates, reference, counterfactual)
    when = "at 12 months" if horizon_years == 1 else (f"over the {horizon_years:g}-year horizon (the brief's check "
                                                       "is at 12 months: `spsim structural` gives it)")  # fmt: skip
    per = r["qalys_per_referral"]
    verdict = ("within the brief's" if per <= QALYS_PER_REFERRAL_12_MONTHS_MAX else
               f"**above** the brief's ({per / QALYS_PER_REFERRAL_12_MONTHS_MAX:.1f} times)")  # fmt: skip
    lines = [f"- The brief's checks: net QALYs per person referred {when}, `{reference}` against no service: "
             f"{per:.4f}, {verdict} about {QALYS_PER_REFERRAL_12_MONTHS_MAX:g}."]  # fmt: skip
    icer, far = r["icer_gbp_per_qaly"], FAR_BELOW_SHARE * ICER_THRESHOLD_GBP
    if not math.isnan(icer) and icer < far:
        lines.append(f"- Its ICER, {icer:,.0f} GBP per QALY, is far below {ICER_THRESHOLD_GBP:,.0f} "
                     f"(under {far:,.0f}), "
                     f"which needs an explanation: care savings offset {r['savings_share_of_spend']:.0%} of the "
                     f"service's cost, and it gains {per:.4f} QALYs per person referred over "
                     f"{horizon_years:g} years from referral.")  # fmt: skip
    return lines
