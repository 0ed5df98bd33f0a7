"""The economic evaluation of a run (issue 15): what each policy costs the NHS and gains in QALYs, its net
monetary benefit at NICE's thresholds, how likely it is to be the most cost-effective, and the wider view in
WELLBYs with the natural course's deadweight shown. Written as economics.csv, ceac.csv, two figures, a
report section and economics.xlsx (the same tables for commissioners who work in spreadsheets:
experiments/reporting/economics_workbook.py).

Every quantity is a column of replicates.csv (experiments/runs/metrics.py; the model's account is
model/health_economics.py); every difference is paired by replicate (common random numbers). The probability
of being the most cost-effective is the share of replicates in which a policy has the highest net monetary
benefit: chance alone (who is referred, who takes up what), not the uncertainty in the parameters, which
`spsim psa` adds.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from . import decisions
from .intervals import ci_words, interval, span
from ..runs.metrics import WTP_PER_QALY_GBP

CEAC_VALUES_GBP = np.arange(0, 50_001, 1_000)  # GBP per QALY, the acceptability curve's horizontal axis
# (column, what it is) of economics.csv, one row per scenario; each with its 95% CI and paired difference
MEASURES = [
    ("qalys_gained", "QALYs gained against each person's natural course (ReQoL-UI, mapped from SWEMWBS), discounted"),
    ("wellbys_gained", "WELLBYs gained (life satisfaction, from SWEMWBS), discounted"),
    ("commissioner_cost_discounted_gbp", "the service's cost in the window, discounted (GBP; link worker posts at "
                                         "their full economic cost, lw_economic_cost_per_fte_year_gbp)"),
    ("care_cost_change_gbp", "change in GP, A&E and secondary mental health team costs, discounted (GBP; negative saves)"),
    ("net_cost_gbp", "net cost to the NHS: spend plus the change in care costs (GBP)"),
    ("nmb_20k_gbp", "net monetary benefit at 20,000 GBP per QALY (GBP)"),
    ("nmb_30k_gbp", "net monetary benefit at 30,000 GBP per QALY (GBP)"),
    ("wellby_value_gbp", "WELLBYs valued at the Green Book's figure (GBP; overlaps the QALYs, do not add them)"),
    ("return_per_pound", "WELLBY value plus NHS savings per pound the service costs (the wider view, average)"),
    ("mean_swemwbs_change", "before-and-after SWEMWBS change per person measured (what an uncontrolled study reports)"),
    ("net_swemwbs_change", "the part of it that is the service's: true SWEMWBS above the natural course at follow-up"),
    ("deadweight_share", "share of the before-and-after change that would have happened anyway (the natural course)"),
]


def probability_best(replicates: pd.DataFrame, order: list[str], value_per_qaly: float) -> pd.Series:
    """Share of paired replicates in which each scenario has the highest net monetary benefit (ties: the
    scenario named first)."""
    return _chances_best(replicates, order)(value_per_qaly)


def _chances_best(replicates: pd.DataFrame, order: list[str]) -> Callable[[float], pd.Series]:
    """``probability_best`` at any value of a QALY, the effects and costs tabled once for them all (the CEAC
    asks at 51 values)."""
    effects = decisions.paired_values(replicates, order, decisions.EFFECT)
    costs = decisions.paired_values(replicates, order, decisions.COST)

    def at(value_per_qaly: float) -> pd.Series:
        benefit = (value_per_qaly * effects - costs).dropna()
        if benefit.empty:
            return pd.Series(math.nan, index=order)
        best = np.argmax(benefit.to_numpy(), axis=1)  # the first of equal maxima: the scenario named first
        return pd.Series(np.bincount(best, minlength=len(order)) / len(best), index=order)

    return at


def ceac(replicates: pd.DataFrame, order: list[str], values=CEAC_VALUES_GBP) -> pd.DataFrame:
    """ceac.csv: at each value of a QALY, the share of replicates in which each scenario is the most
    cost-effective."""
    chances = _chances_best(replicates, order)
    rows = [{"value_per_qaly_gbp": float(v), **chances(float(v)).to_dict()} for v in values]
    return pd.DataFrame(rows, columns=["value_per_qaly_gbp", *order])


def economics_table(replicates: pd.DataFrame, order: list[str], level: float = 0.95) -> pd.DataFrame:
    """economics.csv: one row per scenario; for each measure its mean and 95% CI across replicates and its
    paired difference from the reference (the first scenario) with 95% CI; then the ICER against the
    reference and the probability of being the most cost-effective at 20,000 and 30,000 GBP per QALY."""
    reference = order[0]
    rows = []
    best = _chances_best(replicates, order)
    chances = {v: best(float(v)) for v in WTP_PER_QALY_GBP}
    tables = {column: decisions.paired_values(replicates, order, column) for column, _ in MEASURES}
    for name in order:
        row: dict = {"scenario": name, "reference": reference}
        for column, _ in MEASURES:
            table = tables[column]
            m, lo, hi = interval(table[name], share=False, level=level)
            row |= {column: m, f"{column}_ci_low": lo, f"{column}_ci_high": hi}
            m, lo, hi = interval(table[name] - table[reference], share=False, level=level)
            row |= {f"{column}_vs_reference": m, f"{column}_vs_reference_ci_low": lo,
                    f"{column}_vs_reference_ci_high": hi}  # fmt: skip
        extra_qalys, extra_cost = row["qalys_gained_vs_reference"], row["net_cost_gbp_vs_reference"]
        ratio, words = (math.nan, "the reference") if name == reference else icer_in_words(extra_cost, extra_qalys)
        row["icer_vs_reference_gbp_per_qaly"], row["icer_vs_reference"] = ratio, words
        for v in WTP_PER_QALY_GBP:
            row[f"probability_most_cost_effective_{v // 1000}k"] = float(chances[v][name])
        row["incremental_return_per_pound"] = math.nan if name == reference else incremental_return(
            replicates, reference, name)
        rows.append(row)
    return pd.DataFrame(rows)


def incremental_return(replicates: pd.DataFrame, reference: str, name: str) -> float:
    """The wider view at the margin (issue 26, 12): WELLBY value plus NHS savings that ``name`` adds over the
    reference, per extra pound of service cost (ratio of the mean paired differences); NaN without extra spend."""
    order = [reference, name]

    def extra(column: str) -> float:
        table = decisions.paired_values(replicates, order, column)
        return float((table[name] - table[reference]).mean())

    spend = extra("commissioner_cost_discounted_gbp")
    if not spend > 0:
        return math.nan
    return (extra("wellby_value_gbp") - extra("care_cost_change_gbp")) / spend


def icer_in_words(extra_cost: float, extra_qalys: float) -> tuple[float, str]:
    """An ICER against the reference (GBP per QALY gained), and its words; outside the quadrant where a policy
    gains QALYs for more money the ratio is NaN and the result is named instead.

    A ratio there would mislead or fail: with no extra QALYs it is a division by zero (a policy that only
    changes a cost has exactly the reference's QALYs under common random numbers), and with fewer QALYs its
    sign says nothing (cheaper-and-worse and dearer-and-better both give a positive number). The net monetary
    benefit, beside it in every table, carries the size of the difference."""
    if math.isnan(extra_cost) or math.isnan(extra_qalys):
        return math.nan, "no data"
    if extra_qalys > 0:
        if extra_cost <= 0:
            return math.nan, "dominant (more QALYs, costs no more)"
        ratio = extra_cost / extra_qalys
        return ratio, f"{ratio:,.0f} GBP per QALY gained"
    if extra_qalys == 0:
        return math.nan, {-1: "dominant (same QALYs, cheaper)", 0: "same QALYs, same cost",
                          1: "dominated (same QALYs, dearer)"}[int(np.sign(extra_cost))]  # fmt: skip
    if extra_cost >= 0:
        return math.nan, "dominated (fewer QALYs, costs no less)"
    return math.nan, "fewer QALYs, cheaper"


def report_section(econ: pd.DataFrame, incremental: pd.DataFrame, replicates: pd.DataFrame, order: list[str],
                   settings: dict, counterfactual: str | None) -> list[str]:  # fmt: skip
    """The report's lead: net monetary benefit at 20,000 GBP per QALY with its interval, which policy is
    cost-effective and with what probability, and the wider view with its deadweight."""
    reference = order[0]
    table = econ.set_index("scenario")
    chosen = decisions.decision(replicates, order)
    lines = ["## Value for money (NICE reference case)", ""]
    lines.append(
        f"QALYs gained against each person's natural course, and the net cost to the NHS (the service's cost, link "
        f"worker posts at their full economic cost, plus the GP, A&E and mental health team care the service adds "
        f"or saves), for everyone referred in the "
        f"{settings['years']:g} simulated years, each followed {settings['horizon_years']:g} years from referral "
        f"(as the model simulates them while they are in the pathway; after they leave, or past the run's end, "
        f"what the service gave fades as the model's gains fade), discounted at "
        f"{settings['discount_rate']:.1%} a year; perspective: NHS and personal social services. QALYs are ReQoL-UI "
        f"utilities mapped from SWEMWBS (an interim linear slope, docs/methods.md, \"Economics\"). Net monetary benefit (NMB) = "
        f"value of a QALY x QALYs - net cost.")
    lines.append("")
    if chosen is not None:
        best = chosen.best
        row = table.loc[best]
        chance20 = row["probability_most_cost_effective_20k"]
        chance30 = row["probability_most_cost_effective_30k"]
        n = chosen.n_pairs
        text = (f"- **At 20,000 GBP per QALY `{best}` has the highest net monetary benefit**: "
                f"{row['nmb_20k_gbp']:,.0f} GBP ({_ci(row, 'nmb_20k_gbp', GBP)}) against no service")
        if best != reference:
            text += (f"; {row['nmb_20k_gbp_vs_reference']:+,.0f} GBP against `{reference}` "
                     f"({_ci(row, 'nmb_20k_gbp_vs_reference', SIGNED_GBP)})")
        text += "."
        if chosen.runner_up is not None:
            d, lo, hi = chosen.difference
            # the interval is over replicates: it covers chance, not the parameters' uncertainty, so an interval
            # that excludes zero says "ahead beyond chance", never "clearly ahead" (issue 26, 12: that needs the PSA)
            verdict = ("ahead beyond chance between replicates (the parameters' uncertainty is not in this "
                       "interval: `spsim psa`)" if chosen.clear else "no clear difference: the interval includes zero"
                       if n >= 2 else "no clear difference")  # fmt: skip
            text += (f" Against the runner-up `{chosen.runner_up}`: {d:+,.0f} GBP "
                     f"({ci_words(lo, hi, SIGNED_GBP)}), {verdict}.")  # fmt: skip
        text += (f" It is the most cost-effective in {chance20:.0%} of {n} paired replicates at 20,000 GBP per QALY "
                 f"and {chance30:.0%} at 30,000 (chance alone; `spsim psa` adds the parameters' uncertainty).")
        lines.append(text)
    cost_effective = [name for name in order if name != counterfactual and _is_cost_effective(table.loc[name])]
    if counterfactual in order:
        words = (", ".join(f"`{name}`" for name in cost_effective) or "none") if replicates["replicate"].nunique() >= 2 else \
            "none can be said, as one replicate gives no interval"
        lines.append(f"- Net monetary benefit above zero against no service at 20,000 GBP per QALY, beyond chance "
                     f"between replicates (this interval leaves out the parameters' uncertainty; whether the service "
                     f"pays its way needs a PSA with no service among its options): {words}.")  # fmt: skip
    lines += [
        "",
        "| scenario | QALYs gained (95% CI) | net cost, GBP (95% CI) | ICER against "
        f"`{reference}` | NMB at 20,000 GBP/QALY (95% CI) | NMB vs `{reference}` (95% CI) | most cost-effective "
        "at 20k / 30k |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in order:
        r = table.loc[name]
        vs = ("reference" if name == reference else
              f"{r['nmb_20k_gbp_vs_reference']:+,.0f} ({_span(r, 'nmb_20k_gbp_vs_reference', SIGNED_GBP)})")
        lines.append(
            f"| `{name}` | {r['qalys_gained']:,.1f} ({_span(r, 'qalys_gained', '{:,.1f}'.format)}) "
            f"| {r['net_cost_gbp']:,.0f} ({_span(r, 'net_cost_gbp', GBP)}) | "
            f"{'' if name == reference else r['icer_vs_reference']} | {r['nmb_20k_gbp']:,.0f} "
            f"({_span(r, 'nmb_20k_gbp', GBP)}) | {vs} | "
            f"{r['probability_most_cost_effective_20k']:.0%} / {r['probability_most_cost_effective_30k']:.0%} |")
    lines += ["", "The cost-effectiveness plane and the acceptability curves are under Key figures.", ""]
    lines += [
        "**The wider view.** Wellbeing valued in WELLBYs (HM Treasury Green Book, 13,000 GBP per WELLBY at 2019 "
        "prices; 0.26 life-satisfaction points per SWEMWBS point), plus the NHS's own savings, per pound the "
        "service costs; beside it, how much of the before-and-after change an uncontrolled evaluation would "
        "report is the service's and how much is deadweight (the natural course: people are referred at a low "
        "point and many recover anyway). WELLBYs and QALYs value the same gain twice: never add them.",
        "",
        f"| scenario | return per pound, average (95% CI) | per extra pound against `{reference}` | "
        "before-and-after SWEMWBS change | of which the service's | deadweight |",
        "|---|---|---|---|---|---|",
    ]
    for name in order:
        r = table.loc[name]
        ret = ("n/a (no spend)" if math.isnan(r["return_per_pound"]) else
               f"{r['return_per_pound']:,.2f} ({_span(r, 'return_per_pound', '{:,.2f}'.format)})")
        extra = r["incremental_return_per_pound"]
        extra = ("reference" if name == reference else "n/a (no extra spend)" if math.isnan(extra) else f"{extra:,.2f}")
        lines.append(f"| `{name}` | {ret} | {extra} | {r['mean_swemwbs_change']:+.2f} | "
                     f"{r['net_swemwbs_change']:+.2f} | {r['deadweight_share']:.0%} |")
    lines += ["", "The average return divides all of a scenario's social value by all its spend; the return per extra "
              f"pound divides what it adds over `{reference}` by what it spends over it (the decision at the margin)."]
    lines += ["", "Tables: `economics.csv`, `ceac.csv`, `incremental.csv`, and all of them in `economics.xlsx`.", ""]
    return lines


GBP, SIGNED_GBP = "{:,.0f}".format, "{:+,.0f}".format


def _span(row: pd.Series, column: str, show) -> str:
    return span(row[f"{column}_ci_low"], row[f"{column}_ci_high"], show)


def _ci(row: pd.Series, column: str, show) -> str:
    return ci_words(row[f"{column}_ci_low"], row[f"{column}_ci_high"], show)


def _is_cost_effective(row: pd.Series) -> bool:
    return bool(row["nmb_20k_gbp_ci_low"] > 0)
