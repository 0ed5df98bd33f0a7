"""The structural-uncertainty section of the economics (issue 26, item 11): the tornado of the economic inputs,
the table of alternatives and the brief's two checks, in words (experiments/uncertainty/structural.py computes
them)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from .figures import plt, save
from .safe_markdown import plain


def _gbp(value: float) -> str:
    return "n/a" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:,.0f}"


def tornado_plot(tornado: pd.DataFrame, out_dir: Path) -> Path | None:
    """One panel per comparison: each input's incremental net monetary benefit over its range (bars from the base
    case to each end), the widest swing at the top."""
    if tornado.empty:
        return None
    panels = list(tornado.groupby(["option", "comparator"], sort=False))
    fig, axes = plt.subplots(len(panels), 1, figsize=(10, 2.2 + 0.45 * tornado["input"].nunique() * len(panels)),
                             squeeze=False)  # fmt: skip
    for ax, ((option, comparator), rows) in zip(axes[:, 0], panels, strict=True):
        inputs = list(dict.fromkeys(rows["input"]))[::-1]  # widest at the top
        base = float(rows["base_nmb_20k_gbp"].iloc[0])
        for y, name in enumerate(inputs):
            for r in rows[rows["input"] == name].itertuples():
                ax.barh(y, r.incremental_nmb_20k_gbp - base, left=base, height=0.6, color="#4C72B0", alpha=0.7)
                ax.annotate(r.end, (r.incremental_nmb_20k_gbp, y), fontsize=7, va="center",
                            ha="left" if r.incremental_nmb_20k_gbp >= base else "right")  # fmt: skip
        ax.axvline(base, color="black", lw=1)
        ax.axvline(0, color="grey", lw=1, ls="--")
        ax.set_yticks(range(len(inputs)), [rows.loc[rows["input"] == n, "label"].iloc[0] for n in inputs], fontsize=8)
        ax.set_title(f"{option} against {comparator}: incremental NMB at 20,000 GBP per QALY (base {base:,.0f})",
                     fontsize=9)  # fmt: skip
        ax.grid(alpha=0.3, axis="x")
    axes[-1, 0].set_xlabel("incremental net monetary benefit (GBP)")
    fig.tight_layout()
    return save(fig, out_dir / "tornado.png")


def checks_lines(checks: pd.DataFrame) -> list[str]:
    """The brief's two checks, one line each (seeds/EVIDENCE-economics.md section 8)."""
    lines = []
    for r in checks.itertuples():
        if r.check.startswith("QALYs"):
            lines.append(f"- {r.check}, `{r.option}` against `{r.comparator}`: {r.value:.4f} "
                         f"({'within' if r.passes else '**above**'}); {plain(r.explanation)}.")  # fmt: skip
        else:
            lines.append(f"- {r.check}, `{r.option}` against `{r.comparator}`: "
                         f"{'' if r.passes else '**needs an explanation**: '}{plain(r.explanation)}.")  # fmt: skip
    return lines


def section(table: pd.DataFrame, tornado: pd.DataFrame, checks: pd.DataFrame, alternatives, figure: str | None,
            settings_line: str) -> list[str]:  # fmt: skip
    lines = ["## Structural uncertainty of the economics", "", settings_line, "",
             "The same paired comparison run again under each alternative, with the same seeds, so each difference "
             "from the base case is the alternative's alone. Intervals are over replicates: they cover chance (who "
             "is referred, who takes up what), not the uncertainty in the parameters (`spsim psa`) nor the "
             "structural choices, which are the rows of these tables.", "",
             "### The brief's two checks", "", *checks_lines(checks), ""]  # fmt: skip
    if figure:
        lines += ["### Tornado of the economic inputs", "", f"![tornado](figures/{figure})", ""]
    base = table[table["entry"] == "base"]
    lines += ["| input | end | " + " | ".join(f"`{o}` vs `{c}`" for o, c in zip(base.option, base.comparator)) + " |",
              "|---|---|" + "---|" * len(base),
              "| base case | | " + " | ".join(_gbp(v) for v in base["incremental_nmb_20k_gbp"]) + " |"]  # fmt: skip
    if not tornado.empty:
        first = tornado[(tornado.option == base.option.iloc[0]) & (tornado.comparator == base.comparator.iloc[0])]
        for name in dict.fromkeys(first["input"]):
            for end in dict.fromkeys(tornado.loc[tornado["input"] == name, "end"]):
                cells = []
                for o, c in zip(base.option, base.comparator, strict=True):
                    hit = tornado[(tornado.option == o) & (tornado.comparator == c) & (tornado.input == name)
                                  & (tornado.end == end)]  # fmt: skip
                    cells.append(_gbp(float(hit["incremental_nmb_20k_gbp"].iloc[0])) if len(hit) else "")
                label = first.loc[first["input"] == name, "label"].iloc[0]
                lines.append(f"| {plain(label)} | {plain(end)} | " + " | ".join(cells) + " |")
    lines += ["", "Incremental net monetary benefit at 20,000 GBP per QALY (GBP), each input at the ends of its range "
              "with every other at the base case; inputs in order of their swing on the first comparison.", "",
              "### Scenarios of the alternatives", "",
              "| alternative | comparison | extra QALYs | extra net cost (GBP) | ICER | incremental NMB at 20,000 "
              "(95% CI over replicates) |", "|---|---|---|---|---|---|"]  # fmt: skip
    shown = table[table["entry"].isin(["base"]) | table["entry"].str.startswith("alternative.")]
    for r in shown.itertuples():
        lines.append(f"| {plain(r.setting)} | `{r.option}` vs `{r.comparator}` | {r.extra_qalys:,.2f} | "
                     f"{_gbp(r.extra_net_cost_gbp)} | {plain(r.icer)} | {_gbp(r.incremental_nmb_20k_gbp)} "
                     f"({_gbp(r.nmb_ci_low)} to {_gbp(r.nmb_ci_high)}) |")  # fmt: skip
    lines += ["", "**A wider perspective** (the NHS and the community groups together): what the groups bear hosting "
              "referred people (`cost_per_attendee_week_gbp` for each person in a group each week) added to the "
              "NHS's net cost, grants and tariffs kept in it as the capacity they buy; where a grant or tariff "
              "already pays for a place that hosting is counted twice, so for the funded options this is an upper "
              "bound on cost. Incremental net monetary benefit at 20,000 GBP per QALY in the base case, and the "
              "extra groups that closed in the window:", "",
              "| comparison | NHS perspective | NHS and VCSE groups | extra groups closed |", "|---|---|---|---|"]
    for r in base.itertuples():
        lines.append(f"| `{r.option}` vs `{r.comparator}` | {_gbp(r.incremental_nmb_20k_gbp)} | "
                     f"{_gbp(r.incremental_nmb_20k_wider_gbp)} | {r.extra_groups_closed:+.1f} |")
    lines += ["", "Volunteers' own time is not valued (no source was found for hours given; an assumption would "
              "be needed).", "", "Why each alternative:", ""]
    lines += [f"- *{plain(label)}*: {plain(why)}" for label, why, _ in alternatives.scenarios.values() if why]
    return lines + [""]
