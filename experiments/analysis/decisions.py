"""Which policy to fund: an incremental cost-effectiveness analysis over the scenarios of a run, and when a
scenario may be said to do best.

Replicate r of every scenario shares a seed (common random numbers), so every difference is taken replicate
by replicate (paired) before it is averaged.

The incremental analysis follows the standard method (Drummond et al., *Methods for the Economic Evaluation
of Health Care Programmes*; NICE PMG36; the status labels are those of dampack's ``calculate_icers``):

1. the options are ordered by mean cost (at equal cost the more effective first; an exact tie in both cost
   and effect keeps the option named first in the run);
2. an option is dominated ("D") when another costs no more and is at least as effective;
3. of the rest, an option is extendedly dominated ("ED") when its ICER is higher than that of the next more
   effective option (a mix of its two neighbours would buy more effect for the same money); such options are
   removed one at a time, cheapest first, until the ICERs rise along the frontier (equal ICERs are kept);
4. the options left form the efficiency frontier ("ND"); each one's ICER is against the previous (cheaper)
   frontier option, and the cheapest has none.

Net monetary benefit at a value ``value_per_unit`` (lambda) of a unit of effect, NMB = lambda x effect - cost,
is taken per replicate, so its paired difference from the reference, and between the best option and the
runner-up, has an interval. The option with the highest mean NMB is the decision at lambda (it always lies on
the frontier). "Best" is only claimed where the interval of the paired difference between the best and the
runner-up excludes zero: the difference from the reference says whether a policy beats the reference, not
whether it beats the other policies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .intervals import interval
from .statistics import SHARE_UNITS, UNITS
from ..runs.metrics import WTP_PER_QALY_GBP

# The reference case (NICE PMG36; docs/methods.md, "Economics"): QALYs gained against each person's natural course and
# the net cost to the NHS (commissioner spend plus the care it adds or saves), both discounted, for everyone
# referred in the window, each to the economic horizon; valued at 20,000 GBP per QALY
EFFECT = "qalys_gained"
COST = "net_cost_gbp"
VALUE_PER_QALY_GBP = float(WTP_PER_QALY_GBP[0])
STATUS_WORDS = {"ND": "frontier", "D": "dominated", "ED": "extendedly dominated", "NA": "no data"}
# Fewer paired replicates than this and the report warns that its intervals are unstable. The width of a
# t-interval rests on the replicates' standard deviation, itself uncertain by about 1/sqrt(2(n-1)): 50% at
# n = 3, 24% at n = 10; a percentile bootstrap of n values has few distinct resamples (126 at n = 5) and
# is too narrow in small samples. Ten is also the default --replicates of `spsim run`.
MIN_STABLE_REPLICATES = 10

# The questions the report answers in brief: (metric, in words, True if higher is better)
QUESTIONS = [
    ("mean_swemwbs_change", "wellbeing", True),
    ("mean_ucla_change", "loneliness", False),
    ("vcse_uptake_rate", "reach (people taking up an activity)", True),
]

INCREMENTAL_COLUMNS = [
    "scenario", "reference", "n_replicates", "effect_measure", "cost_gbp", "effect",
    "cost_vs_reference_gbp", "cost_vs_reference_ci_low", "cost_vs_reference_ci_high",
    "effect_vs_reference", "effect_vs_reference_ci_low", "effect_vs_reference_ci_high",
    "status", "compared_with", "incremental_cost_gbp", "incremental_effect", "icer",
    "value_per_unit_gbp", "nmb_gbp", "nmb_vs_reference_gbp", "nmb_vs_reference_ci_low",
    "nmb_vs_reference_ci_high", "nmb_rank",
]  # fmt: skip


def paired_values(replicates: pd.DataFrame, order: list[str], column: str) -> pd.DataFrame:
    """One column as a replicate x scenario table (columns in the run's order), so that subtracting two
    columns pairs replicate r with replicate r."""
    table = replicates.pivot(index="replicate", columns="scenario", values=column)
    return table.reindex(columns=order).astype(float)


def efficiency_frontier(cost: pd.Series, effect: pd.Series) -> pd.DataFrame:
    """Dominance, extended dominance and ICERs from each option's mean cost and effect.

    ``cost`` and ``effect`` are indexed by option, in the run's order (which breaks exact ties). Returns one
    row per option in order of cost, with ``cost``, ``effect``, ``status`` (ND, D, ED; NA for an option with
    no cost or effect), and for frontier options after the cheapest: ``compared_with`` (the previous frontier
    option), ``incremental_cost``, ``incremental_effect`` and ``icer`` (their ratio)."""
    options = pd.DataFrame({"cost": cost.astype(float), "effect": effect.astype(float)})
    options["named"] = np.arange(len(options))
    ranked = options.sort_values(["cost", "effect", "named"], ascending=[True, False, True], kind="stable")
    status: dict[str, str] = {}
    most_effective = -math.inf
    for name, row in ranked.iterrows():
        if math.isnan(row["cost"]) or math.isnan(row["effect"]):
            status[name] = "NA"
        elif row["effect"] <= most_effective:  # something cheaper (or as cheap, listed earlier) does as well
            status[name] = "D"
        else:
            status[name] = "ND"
            most_effective = row["effect"]

    def icer(a: str, b: str) -> float:
        # along undominated options cost and effect both rise strictly, so this is finite and positive
        return (options.at[b, "cost"] - options.at[a, "cost"]) / (options.at[b, "effect"] - options.at[a, "effect"])

    frontier = [name for name in ranked.index if status[name] == "ND"]
    k = 1
    while k < len(frontier) - 1:
        here, after = icer(frontier[k - 1], frontier[k]), icer(frontier[k], frontier[k + 1])
        # collinear options (equal ICERs, up to rounding) are both kept: neither buys less per pound
        if here > after and not math.isclose(here, after, rel_tol=1e-9):
            status[frontier.pop(k)] = "ED"
            k = 1  # removing one can expose another before it
        else:
            k += 1
    out = ranked[["cost", "effect"]].copy()
    out["status"] = [status[name] for name in out.index]
    out["compared_with"] = None
    out["incremental_cost"] = math.nan
    out["incremental_effect"] = math.nan
    out["icer"] = math.nan
    for previous, name in zip(frontier, frontier[1:], strict=False):
        out.loc[name, "compared_with"] = previous
        out.loc[name, "incremental_cost"] = options.at[name, "cost"] - options.at[previous, "cost"]
        out.loc[name, "incremental_effect"] = options.at[name, "effect"] - options.at[previous, "effect"]
        out.loc[name, "icer"] = icer(previous, name)
    return out


def incremental_analysis(replicates: pd.DataFrame, order: list[str], effect: str = EFFECT, cost: str = COST,
                         value_per_unit: float = VALUE_PER_QALY_GBP, level: float = 0.95) -> pd.DataFrame:  # fmt: skip
    """incremental.csv: the incremental analysis of a run's scenarios, one row per scenario in order of cost.

    Columns:
      scenario, reference: the option, and the run's first scenario every paired difference is taken from;
      n_replicates: replicates with both a cost and an effect;
      effect_measure: the column used as the effect (default qalys_gained);
      cost_gbp, effect: means over replicates (cost: net_cost_gbp, the discounted net cost to the NHS);
      cost_vs_reference_gbp, effect_vs_reference (each with _ci_low, _ci_high): the mean paired difference
        from the reference and its t-interval (level 95%);
      status: ND (on the efficiency frontier), D (dominated: another option costs no more and is at least as
        effective), ED (extendedly dominated: its ICER exceeds that of the next more effective option);
      compared_with, incremental_cost_gbp, incremental_effect, icer: for frontier options after the cheapest,
        the previous frontier option, the differences in mean cost and effect from it, and their ratio (GBP
        per unit of effect); empty otherwise;
      value_per_unit_gbp: lambda, what a unit of effect is worth (default 20,000 GBP per QALY);
      nmb_gbp: mean net monetary benefit, lambda x effect - cost;
      nmb_vs_reference_gbp (with _ci_low, _ci_high): its mean paired difference from the reference, t-interval;
      nmb_rank: 1 for the highest mean net benefit, the decision at lambda (ties: the scenario named first).
    """
    reference = order[0]
    costs, effects = paired_values(replicates, order, cost), paired_values(replicates, order, effect)
    table = efficiency_frontier(costs.mean(), effects.mean())
    benefit = value_per_unit * effects - costs
    rows = []
    for name in table.index:
        both = costs[name].notna() & effects[name].notna()
        row = {"scenario": name, "reference": reference, "n_replicates": int(both.sum()), "effect_measure": effect}
        for prefix, values, unit in (("cost_vs_reference", costs, "_gbp"), ("effect_vs_reference", effects, ""),
                                     ("nmb_vs_reference", benefit, "_gbp")):  # fmt: skip
            m, lo, hi = interval(values[name] - values[reference], share=False, level=level)
            row |= {f"{prefix}{unit}": m, f"{prefix}_ci_low": lo, f"{prefix}_ci_high": hi}
        row["nmb_gbp"] = float(benefit[name].mean())
        rows.append(row)
    out = pd.DataFrame(rows).set_index("scenario").join(table)
    out = out.rename(columns={"cost": "cost_gbp", "incremental_cost": "incremental_cost_gbp"})
    out["value_per_unit_gbp"] = value_per_unit
    ranked = sorted(out.index, key=lambda name: (-_or_minus_inf(out.at[name, "nmb_gbp"]), order.index(name)))
    out["nmb_rank"] = pd.Series(range(1, len(ranked) + 1), index=ranked)
    return out.reset_index()[INCREMENTAL_COLUMNS]


def _or_minus_inf(x: float) -> float:
    return -math.inf if math.isnan(x) else x


@dataclass(frozen=True)
class Verdict:
    """The answer to one question: which scenario has the best mean, and whether that is clear.

    ``difference`` is the best minus the runner-up, paired by replicate (mean, low, high): only if its
    interval excludes zero does the best do best; ``against_reference`` is the best minus the reference
    (None when the best is the reference)."""

    question: str
    metric: str
    unit: str
    best: str
    best_mean: float
    runner_up: str | None
    runner_up_mean: float
    difference: tuple[float, float, float]
    against_reference: tuple[float, float, float] | None
    n_pairs: int
    # the best minus the run's counterfactual (no social prescribing): the effect net of the natural course
    against_counterfactual: tuple[float, float, float] | None = None
    counterfactual: str | None = None

    @property
    def clear(self) -> bool:
        lo, hi = self.difference[1:]
        return self.n_pairs >= 2 and (lo > 0 or hi < 0)  # NaN compares False: no interval, no claim


def best_of(values: pd.DataFrame, question: str, metric: str, unit: str, higher_is_better: bool,
            level: float = 0.95, counterfactual: str | None = None) -> Verdict | None:  # fmt: skip
    """The verdict on one quantity given as a replicate x scenario table (columns in the run's order; the
    first is the reference). Ties in the mean go to the scenario named first."""
    order = list(values.columns)
    means = values.mean()
    sign = 1.0 if higher_is_better else -1.0
    ranked = sorted((name for name in order if not math.isnan(means[name])),
                    key=lambda name: (-sign * means[name], order.index(name)))  # fmt: skip
    if not ranked:
        return None
    share = unit in SHARE_UNITS
    best, runner = ranked[0], (ranked[1] if len(ranked) > 1 else None)
    nan3 = (math.nan, math.nan, math.nan)
    difference = values[best] - values[runner] if runner else pd.Series(dtype=float)
    reference = order[0]
    return Verdict(
        question=question, metric=metric, unit=unit, best=best, best_mean=float(means[best]), runner_up=runner,
        runner_up_mean=float(means[runner]) if runner else math.nan,
        difference=interval(difference, share, level) if runner else nan3,
        against_reference=None if best == reference else interval(values[best] - values[reference], share, level),
        n_pairs=int(difference.notna().sum()),
        against_counterfactual=(interval(values[best] - values[counterfactual], share, level)
                                if counterfactual in values.columns and best != counterfactual else None),
        counterfactual=counterfactual,
    )  # fmt: skip


def decision(replicates: pd.DataFrame, order: list[str], effect: str = EFFECT, cost: str = COST,
             value_per_unit: float = VALUE_PER_QALY_GBP, level: float = 0.95) -> Verdict | None:  # fmt: skip
    """The decision at lambda = value_per_unit: the scenario with the highest mean net monetary benefit."""
    benefit = value_per_unit * paired_values(replicates, order, effect) - paired_values(replicates, order, cost)
    return best_of(benefit, "value for money", "net_monetary_benefit", "GBP", higher_is_better=True, level=level)


def verdicts(replicates: pd.DataFrame, order: list[str], effect: str = EFFECT, cost: str = COST,
             value_per_unit: float = VALUE_PER_QALY_GBP, level: float = 0.95,
             counterfactual: str | None = None) -> list[Verdict]:  # fmt: skip
    """The report's answers in brief: wellbeing, loneliness, reach, then the decision by net benefit; each
    best scenario also against the counterfactual when the run has one."""
    out = []
    for metric, question, higher_is_better in QUESTIONS:
        verdict = best_of(paired_values(replicates, order, metric), question, metric, UNITS[metric],
                          higher_is_better, level, counterfactual)  # fmt: skip
        if verdict is not None:
            out.append(verdict)
    chosen = decision(replicates, order, effect, cost, value_per_unit, level)
    if chosen is not None:
        out.append(chosen)
    return out


def replicate_warning(n_replicates: int) -> str | None:
    """A warning for the report when there are too few replicates for stable intervals (see
    MIN_STABLE_REPLICATES), else None."""
    if n_replicates >= MIN_STABLE_REPLICATES:
        return None
    return (f"Only {n_replicates} paired replicate{'s' if n_replicates != 1 else ''} per scenario: intervals from "
            f"fewer than {MIN_STABLE_REPLICATES} are unstable (their width is itself uncertain), so no "
            f"difference below should be relied on; run again with --replicates {MIN_STABLE_REPLICATES} or more.")  # fmt: skip
