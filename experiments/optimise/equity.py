"""`spsim optimise --objective equity`: benefit against the deprivation gap, and the trade-off front.

Two objectives: the net monetary benefit at 20,000 GBP per QALY (maximised) and the *equity gap* (minimised):
the extra net wellbeing the split brings over the reference in the least deprived fifth of the catchment minus
that in the most deprived fifth. Net wellbeing is each measured person's SWEMWBS at the end of follow-up minus
their own natural course's (``swemwbs_above_natural`` of the outcome records), summed per fifth of deprivation
(IoD2019 quintile of where they live, as experiments/runs/subgroups.py counts them) and divided by the adults living
there (per 1,000): so a split gains on equity by reaching the most deprived as well as by helping them more. A
gap above zero means the less deprived gain more; as in experiments/analysis/equity.py, least minus most deprived.

The search is Optuna's multi-objective TPE sampler (seeded); the trade-off (Pareto) front is the splits that no
other split tried beats on both (``study.best_trials``). ``pareto.csv`` lists them by benefit, and
``pareto.png`` shows each lever's share along the front.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .fifths import gap_rows
from .problem import OBJECTIVES, Search
from ..runs.runner import atomic_write_csv


def front_of(points: pd.DataFrame, benefit: str = "vs_reference", gap: str = "equity_gap") -> pd.Series:
    """True for the rows no other row beats on both (higher benefit, lower gap; at least as good on both and
    better on one): the non-dominated set, as Optuna's ``best_trials`` defines it."""
    b, g = points[benefit].to_numpy(dtype=float), points[gap].to_numpy(dtype=float)
    dominated = ((b[None, :] >= b[:, None]) & (g[None, :] <= g[:, None])
                 & ((b[None, :] > b[:, None]) | (g[None, :] < g[:, None]))).any(axis=1)  # fmt: skip
    return pd.Series(~dominated, index=points.index)


def figure(table: pd.DataFrame, front: pd.DataFrame, named: pd.DataFrame, levers: tuple[str, ...], unit: str,
           reference: str, path: Path) -> None:  # fmt: skip
    """Left: every split's benefit and gap, the front joined and the named scenarios marked; right: each
    lever's share along the front, ordered by benefit."""
    from ..reporting.figures import plt, save

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    done = table.dropna(subset=["vs_reference", "equity_gap"])
    left.scatter(done["equity_gap"], done["vs_reference"], s=12, alpha=0.5, color="grey", label="splits tried")
    ordered = front.sort_values("vs_reference")
    left.plot(ordered["equity_gap"], ordered["vs_reference"], "o-", color="black", ms=4, lw=1, label="trade-off front")
    for r in named.itertuples():
        left.scatter([r.equity_gap], [r.vs_reference], marker="s", s=30, color="tab:red")
        left.annotate(r.option, (r.equity_gap, r.vs_reference), fontsize=7, xytext=(3, 3), textcoords="offset points")
    left.axhline(0, color="grey", lw=0.6)
    left.axvline(0, color="grey", lw=0.6)
    left.set_xlabel("equity gap: least minus most deprived fifth\n(net SWEMWBS points per 1,000 adults; lower is fairer)")
    left.set_ylabel(f"net monetary benefit vs {reference} ({unit})")
    left.legend(fontsize=8)
    bars = front.sort_values("vs_reference", ascending=False)
    bottom = np.zeros(len(bars))
    for i, lever in enumerate(levers):  # each lever its colour in optimise.png too
        share = bars[f"share_{lever}"].fillna(0.0).to_numpy()
        if share.any():
            right.bar(range(len(bars)), share, bottom=bottom, color=f"C{i}", label=lever.replace("_", " "))
            bottom += share
    right.set_xticks(range(len(bars)), [f"{t}" for t in bars["trial"]], fontsize=7)
    right.set_xlabel("trial on the front, most benefit first")
    right.set_ylabel("share of the budget")
    right.set_title("the levers along the front", fontsize=10)
    right.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3)
    fig.tight_layout()
    save(fig, path)


def render(front: pd.DataFrame, named: pd.DataFrame, unit: str, reference: str) -> list[str]:
    lines = [
        "## Benefit against equity: the trade-off front",
        "",
        "Equity gap: the extra net wellbeing (SWEMWBS above each person's natural course) the split brings over "
        f"`{reference}` in the least deprived fifth minus the most deprived fifth, per 1,000 adults living there; "
        "below zero, the most deprived gain more. On the front are the splits no other split tried beats on both "
        "(`pareto.csv`, `pareto.png`), most benefit first:",
        "",
        f"| trial | split | benefit ({unit}) | equity gap |",
        "|---|---|---|---|",
        *[f"| {r.trial} | {r.words} | {r.vs_reference:+,.0f} | {r.equity_gap:+.2f} |"
          for r in front.sort_values("vs_reference", ascending=False).itertuples()],
        "",
    ]
    if len(named):
        lines += ["The named scenarios on the same seeds:", "",
                  f"| scenario | benefit ({unit}) | equity gap | |", "|---|---|---|---|",
                  *[f"| `{r.option}` | {r.vs_reference:+,.0f} | {r.equity_gap:+.2f} | "
                    f"{'on the front' if r.on_front else 'beaten on both by a split on the front'} |"
                    for r in named.itertuples()], ""]  # fmt: skip
    return lines


def outputs(search: Search, table: pd.DataFrame, front: list[int], named_rows: pd.DataFrame,
            reference_rows: pd.DataFrame) -> list[str]:  # fmt: skip
    """pareto.csv and pareto.png: the trade-off front; and where the named scenarios stand against it."""
    on_front = table[table["trial"].isin(front)].sort_values("vs_reference", ascending=False)
    named = []
    for s in search.named:
        rows = named_rows[named_rows["scenario"] == s.name]
        named.append({"option": s.name, "vs_reference": search.paired(rows, reference_rows)[0],
                      "equity_gap": search.paired(rows, reference_rows, gap_rows)[0]})  # fmt: skip
    named = pd.DataFrame(named, columns=["option", "vs_reference", "equity_gap"])
    if len(named):
        both = pd.concat([on_front[["vs_reference", "equity_gap"]], named[["vs_reference", "equity_gap"]]],
                         ignore_index=True)  # fmt: skip
        named["on_front"] = front_of(both).to_numpy()[len(on_front):]
    atomic_write_csv(search.out / "pareto.csv", on_front)
    unit = OBJECTIVES[search.objective][2]
    figure(table, on_front, named, search.levers, unit, search.reference.name, search.out / "pareto.png")
    return render(on_front, named, unit, search.reference.name)
