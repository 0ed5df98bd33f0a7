"""The tables, figure and words of `spsim optimise` (trials.csv, comparison.csv, best_split.toml,
optimise.png, optimise.md); the search itself is experiments/optimise/search.py."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.intervals import ci_words, span
from .levers import Split, policies_for
from .problem import OBJECTIVES, Search

SIGNED = "{:+,.0f}".format


def split_of(trial, levers: tuple[str, ...]) -> Split:
    """A finished trial's split, from what the journal kept (money per lever, and the on/off levers): the levers
    the split had, and only those, in the order the trial recorded them (its description names them in that order),
    so its scenario, and the folder of its runs, is the one the trial ran."""
    prefix = "gbp_per_100k_year_"
    money = {key[len(prefix):]: gbp for key, gbp in trial.user_attrs.items()
             if key.startswith(prefix) and key[len(prefix):] in levers}
    return Split(money, frozenset(lever for lever in levers if trial.params.get(f"on_{lever}") is True))


def trials_table(study, search: Search) -> pd.DataFrame:
    rows = []
    for t in study.trials:
        if not t.state.is_finished():
            continue
        values = t.values or [None]
        row = {"trial": t.number, "state": t.state.name, "objective": OBJECTIVES[search.objective][0],
               "vs_reference": values[0], "ci_low": t.user_attrs.get("ci_low"), "ci_high": t.user_attrs.get("ci_high")}  # fmt: skip
        if search.objective == "equity":
            row.update(equity_gap=values[1] if len(values) > 1 else None, gap_ci_low=t.user_attrs.get("gap_ci_low"),
                       gap_ci_high=t.user_attrs.get("gap_ci_high"))  # fmt: skip
        row["actual_extra_gbp_per_100k_year"] = t.user_attrs.get("actual_extra_gbp_per_100k_year", math.nan)
        money = {lever: t.user_attrs.get(f"gbp_per_100k_year_{lever}", math.nan) for lever in search.levers}
        total = sum(v for v in money.values() if not math.isnan(v))
        for lever, gbp in money.items():
            row[f"gbp_per_100k_year_{lever}"] = gbp
            row[f"share_{lever}"] = gbp / total if total else math.nan
        for lever in search.levers:
            if f"on_{lever}" in t.params:
                row[f"on_{lever}"] = bool(t.params[f"on_{lever}"])
        row["words"] = split_of(t, search.levers).words() if t.user_attrs else ""
        rows.append(row)
    return pd.DataFrame(rows)


def compare(search: Search, best_rows: pd.DataFrame, reference_rows: pd.DataFrame,
            named_rows: pd.DataFrame) -> pd.DataFrame:  # fmt: skip
    """The best split against the reference and each named scenario: paired difference with 95% CI."""
    out = []
    column = OBJECTIVES[search.objective][0]
    for name, rows in [(search.reference.name, reference_rows),
                       *((s.name, named_rows[named_rows["scenario"] == s.name]) for s in search.named)]:  # fmt: skip
        mean, low, high, _ = search.paired(best_rows, rows)
        out.append({"against": name, "objective": column, "their_mean": float(rows[column].mean()),
                    "best_minus_them": mean, "ci_low": low, "ci_high": high,
                    "clear": bool(low > 0 or high < 0)})  # NaN (one replicate) compares False: not clear  # fmt: skip
    return pd.DataFrame(out)


def scenario_file(split: Split, search: Search, trial: int) -> str:
    """The best split as a scenario file, to confirm it on fresh seeds: `spsim run baseline <out>/best_split.toml
    --seed ...`. Written as plain TOML (numbers and fixed words only: nothing from the user is echoed)."""
    lines = [f'description = "The best split found by spsim optimise (trial {trial}): {split.words()}"',
             f"budget_gbp_per_100k_year = {search.per_100k!r}", "", "[parameters]", ""]  # fmt: skip
    for policy in policies_for(split, search.parameters, search.starts_per_100k_year):
        lines.append("[[policies]]")
        lines += [f'{key} = "{value}"' if isinstance(value, str) else f"{key} = {float(value)!r}"
                  for key, value in policy.items()]  # fmt: skip
        lines.append("")
    return "\n".join(lines)


def figure(table: pd.DataFrame, search: Search, path: Path) -> None:
    from ..reporting.figures import plt, save

    label, unit = OBJECTIVES[search.objective][1:]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    done = table.dropna(subset=["vs_reference"])
    left.errorbar(done["trial"], done["vs_reference"], yerr=[done["vs_reference"] - done["ci_low"],
                  done["ci_high"] - done["vs_reference"]], fmt="o", ms=3, alpha=0.6)  # fmt: skip
    left.plot(done["trial"], done["vs_reference"].cummax(), color="black", lw=1, label="best so far")
    left.axhline(0, color="grey", lw=0.8)
    left.set_xlabel("trial")
    left.set_ylabel(f"vs {search.reference.name} ({unit})")
    left.set_title(label + (f", expected over {search.robust} parameter draws" if search.robust else ""), fontsize=10)
    left.legend(fontsize=8)
    top = done.nlargest(min(10, len(done)), "vs_reference")
    shares = top[[f"share_{lever}" for lever in search.levers]].fillna(0.0).to_numpy()
    bottom = np.zeros(len(top))
    for i, lever in enumerate(search.levers):
        right.barh(range(len(top)), shares[:, i], left=bottom, color=f"C{i}", label=lever.replace("_", " "))
        bottom += shares[:, i]
    right.set_yticks(range(len(top)), [f"trial {t}" for t in top["trial"]])
    right.invert_yaxis()
    right.set_xlabel("share of the budget")
    right.set_title("the best splits, best first")
    right.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=min(len(search.levers), 5))
    fig.tight_layout()
    save(fig, path)


def render(search: Search, table: pd.DataFrame, best: int, split: Split, comparison: pd.DataFrame,
           sections: list[str]) -> str:  # fmt: skip
    label, unit = OBJECTIVES[search.objective][1:]
    row = table.set_index("trial").loc[best]
    over = (f"the expected paired difference from `{search.reference.name}` over {search.robust} draws of the "
            f"uncertain parameters x {search.replicates} replicates" if search.robust else
            f"the mean paired difference from `{search.reference.name}` over {search.replicates} replicates")  # fmt: skip
    chosen = ("the split on the trade-off front with the most benefit" if search.objective == "equity" else "Best")
    spend = row.get("actual_extra_gbp_per_100k_year", math.nan)
    lines = [
        "# The best split of the budget",
        "",
        f"{search.budget_gbp_year:,.0f} GBP a year ({search.per_100k:,.0f} per 100,000 adults) over "
        f"{', '.join(search.levers)}; objective: {label}, {over} ({search.population:,} adults, "
        f"{search.weeks / 52:g} years after a {search.warmup_weeks / 52:g}-year warm-up, seed {search.seed}). "
        f"{len(table)} trials (Optuna TPE; the first were the even split, each lever alone and the named balanced "
        "split).",
        "",
        f"**{chosen[0].upper() + chosen[1:]}: trial {best}**: " +
        ", ".join(f"{share:.0%} {lever.replace('_', ' ')} ({split.gbp_per_100k_year[lever]:,.0f} GBP)"
                  for lever, share in split.shares().items() if share > 0) +  # fmt: skip
        "".join(f", {lever.replace('_', ' ')} on (no extra money)" for lever in sorted(split.switched_on)
                if not split.gbp_per_100k_year.get(lever)) +  # fmt: skip
        f" per 100,000 adults a year; {row['vs_reference']:+,.0f} {unit} against `{search.reference.name}` "
        f"({ci_words(row['ci_low'], row['ci_high'], SIGNED)})" +
        (f"; it actually spent {spend:,.0f} GBP per 100,000 adults a year more than the reference." if
         isinstance(spend, float) and not math.isnan(spend) else "."),  # fmt: skip
        "",
        "| against | best minus it (95% CI) | verdict |",
        "|---|---|---|",
        *[f"| `{r.against}` | {r.best_minus_them:+,.0f} ({span(r.ci_low, r.ci_high, SIGNED)}) | "
          f"{'better' if r.clear and r.best_minus_them > 0 else 'worse' if r.clear else 'no clear difference'} |"
          for r in comparison.itertuples()],
        "",
        *sections,
        "A split chosen as the best of many trials on the same replicates is flattered by chance (the winner's "
        "curse): confirm it on fresh seeds before relying on it, with the scenario file this search wrote: "
        f"`spsim run {search.reference.name} balanced_budget {search.out / 'best_split.toml'} --seed 7`. Every "
        "trial is in `trials.csv` (with its actual extra spend, from the ledger); `optimise.png` shows the search "
        "and the best splits.",
    ]
    return "\n".join(lines) + "\n"
