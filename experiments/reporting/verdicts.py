"""The answer in brief: one sentence per question, naming the scenario that does best only where its paired
difference from the runner-up excludes zero."""

from __future__ import annotations

from ..analysis import decisions
from ..analysis import statistics as analysis
from .amounts import amount, difference, interval

LABELS = {column: (label, unit) for column, label, unit, _ in analysis.METRICS}
SINGULAR = {"swemwbs_points_gained": "SWEMWBS point", "qalys_gained": "QALY", "wellbys_gained": "WELLBY"}


def verdict_sentence(v: decisions.Verdict, reference: str, value_per_unit: float, singular: str) -> str:
    """'does best' only where the paired difference from the runner-up excludes zero."""
    nmb = v.metric == "net_monetary_benefit"
    title = (f"Value for money at {value_per_unit:,.0f} GBP per {singular} (net monetary benefit)" if nmb
             else v.question.capitalize())  # fmt: skip
    if v.runner_up is None:
        return f"- **{title}:** only `{v.best}` was run; there is nothing to compare."
    best_amount = "" if nmb else f" ({amount(v.best_mean, v.unit)})"
    runner_amount = "" if nmb else f" ({amount(v.runner_up_mean, v.unit)})"
    gap = (f"`{v.best}` minus `{v.runner_up}`, paired by replicate: {difference(v.difference[0], v.unit)} "
           f"({interval(v.difference, v.unit)})")  # fmt: skip
    if v.clear:
        text = f"**{title}:** `{v.best}` does best{best_amount}. {gap}: the interval excludes zero."
    else:
        why = ": the interval includes zero" if v.n_pairs >= 2 else ""  # else the gap says there is no interval
        text = (f"**{title}:** no clear difference between `{v.best}`{best_amount} and `{v.runner_up}`{runner_amount}. "
                f"{gap}{why}.")  # fmt: skip
    if v.against_reference is not None and v.runner_up != reference:  # else the gap above is the same difference
        text += (f" Against `{reference}`, `{v.best}`: {difference(v.against_reference[0], v.unit)} "
                 f"({interval(v.against_reference, v.unit)}).")  # fmt: skip
    elif v.clear and v.best == reference:  # (the reference as runner-up was beaten: the gap above says by how much)
        text += " No scenario in this run beats the reference on this."
    if v.against_counterfactual is not None and v.metric in analysis.CHANGE_METRICS:
        text += (f" Net of the natural course (against `{v.counterfactual}`, the same people without a service): "
                 f"{difference(v.against_counterfactual[0], v.unit)} ({interval(v.against_counterfactual, v.unit)}).")  # fmt: skip
    return f"- {text}"


def effect_label(effect: str) -> tuple[str, str]:
    """The effect's name in words and its unit (a SWEMWBS point, a QALY, ...)."""
    label, unit = LABELS.get(effect, (effect, "units"))
    return label, SINGULAR.get(effect, unit)
