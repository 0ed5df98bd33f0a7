"""The incremental analysis table: cost, effect, ICER, dominance and net benefit of each scenario, in order of
cost (incremental.csv in words)."""

from __future__ import annotations


import pandas as pd

from ..analysis import decisions
from ..analysis.intervals import span
from .verdicts import effect_label


def incremental_section(inc: pd.DataFrame) -> list[str]:
    reference = inc["reference"].iloc[0]
    value = float(inc["value_per_unit_gbp"].iloc[0])
    effect = inc["effect_measure"].iloc[0]
    label, singular = effect_label(effect)
    summed = {"swemwbs_points_gained": ", summed over the people measured",
              "qalys_gained": ", discounted, everyone referred in the window to the economic horizon"}.get(effect, "")
    chosen = inc.loc[inc["nmb_rank"] == 1, "scenario"].iloc[0]
    lines = [
        "## Incremental analysis",
        "",
        f"Mean cost and effect ({label}{summed}) of each scenario, in order of cost. "
        f"Extra cost and effect are paired differences from `{reference}` (95% CI). An option is *dominated* "
        "when another costs no more and gains at least as much; *extendedly dominated* when its ICER is higher "
        "than that of the next more effective option (a mix of its neighbours would gain more for the money). "
        "The ICER of a frontier option is against the previous (cheaper) frontier option, named. Net monetary "
        f"benefit at {value:,.0f} GBP per {singular} = {value:,.0f} x effect - cost; its difference from "
        f"`{reference}` is paired (95% CI). The full table is `incremental.csv`.",
        "",
        f"| scenario | cost (GBP) | {label} | extra cost vs `{reference}` (95% CI) | extra effect vs "
        f"`{reference}` (95% CI) | ICER (GBP per {singular}) | status | net benefit vs `{reference}` at "
        f"{value:,.0f} GBP (95% CI) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in inc.itertuples():
        if r.status == "ND":
            first = not isinstance(r.compared_with, str)  # None (or NaN when read back from the CSV)
            icer = "cheapest on the frontier" if first else f"{r.icer:,.0f} vs `{r.compared_with}`"
        else:
            icer = ""
        name = f"**`{r.scenario}`**" if r.scenario == chosen else f"`{r.scenario}`"
        row = r._asdict()
        cost, effect, nmb = (_paired(row, prefix, r.scenario == reference, form) for prefix, form in (
            ("cost_vs_reference", "{:+,.0f}"), ("effect_vs_reference", "{:+,.1f}"), ("nmb_vs_reference", "{:+,.0f}")))
        lines.append(f"| {name} | {r.cost_gbp:,.0f} | {r.effect:,.1f} | {cost} | {effect} | {icer} | "
                     f"{decisions.STATUS_WORDS[r.status]} | {nmb} |")  # fmt: skip
    lines += ["", f"In bold: the highest net benefit at {value:,.0f} GBP per {singular}, the decision at that value "
              "(see the answer in brief for whether it is clear of the runner-up).", ""]  # fmt: skip
    return lines


def _paired(row: dict, prefix: str, is_reference: bool, form: str) -> str:
    """A paired difference from the reference with its interval, from incremental.csv's columns."""
    if is_reference:
        return "reference"
    mean = row.get(f"{prefix}_gbp", row.get(prefix))
    return f"{form.format(mean)} ({span(row[f'{prefix}_ci_low'], row[f'{prefix}_ci_high'], form.format)})"
