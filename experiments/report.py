"""The comparison in words, tables and figures: report.md and its HTML twin."""

from __future__ import annotations

import math
from pathlib import Path

import markdown
import pandas as pd

from . import analysis
from .runner import atomic_write_text

KEY_METRICS = [
    "mean_swemwbs_change", "improved_rate", "mean_ucla_change", "vcse_uptake_rate", "lw_contact_rate",
    "sustained_engagement_rate", "volunteer_rate", "mh_discharge_rate", "mean_wait_lw_weeks",
    "vcse_groups_closed", "gp_consultations_change", "total_cost_gbp", "health_service_cost_change_gbp",
    "incremental_cost_per_swemwbs_point",
]  # fmt: skip
SHARES = analysis.SHARE_UNITS


def _fmt(value: float, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if value == math.inf:
        return "no upper limit"
    if unit in SHARES:
        return f"{value:.1%}"
    if "GBP" in unit:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def _ci(row: pd.Series, prefix: str = "") -> str:
    lo, hi = row[f"{prefix}ci_low"], row[f"{prefix}ci_high"]
    if math.isnan(lo) or math.isnan(hi):
        return ""
    return f" ({_fmt(lo, row['unit'])} to {_fmt(hi, row['unit'])})"


def _headline_sentences(comp: pd.DataFrame, order: list[str]) -> list[str]:
    reference = order[0]
    out = []
    for h in analysis.headline(comp, order):
        row = comp[(comp.scenario == h["best"]) & (comp.metric == h["metric"])].iloc[0]
        unit = row["unit"]
        if h["metric"] == analysis.INCREMENTAL[0]:
            text = (f"**Cost per extra SWEMWBS point:** `{h['best']}` buys an extra point of wellbeing (over "
                    f"`{reference}`) for the least: {_fmt(h['mean'], unit)} GBP per point"
                    f"{(' (95% bootstrap interval ' + _ci(row)[2:]) if _ci(row) else ''}.")  # fmt: skip
        else:
            amount = _fmt(h["mean"], unit) + ("" if unit in SHARES else f" {unit}")
            text = (f"**{h['question'].capitalize()}:** `{h['best']}` does best: {amount}, a difference of {_fmt(h['diff'], unit)} from `{reference}` "
                    f"(95% CI {_fmt(h['diff_ci'][0], unit)} to {_fmt(h['diff_ci'][1], unit)}).")  # fmt: skip
            if h["diff_overlaps_zero"]:
                text += f" That interval includes zero: it may be no better than `{reference}`."
        if h["overlaps_runner_up"]:
            text += (f" Its interval overlaps that of `{h['runner_up']}`, so the ranking of the two is uncertain "
                     f"with these replicates.")  # fmt: skip
        elif h["runner_up"]:
            text += f" Its interval does not overlap that of the runner-up, `{h['runner_up']}`."
        out.append(f"- {text}")
    return out


def _table(comp: pd.DataFrame, order: list[str], metric: str) -> list[str]:
    rows = comp[comp.metric == metric].set_index("scenario").reindex(order)
    label, unit = rows["label"].iloc[0], rows["unit"].iloc[0]
    lines = [f"**{label}** ({unit})", "", f"| scenario | mean (95% CI) | difference from `{order[0]}` (95% CI) |",
             "|---|---|---|"]  # fmt: skip
    for scenario, row in rows.iterrows():
        diff = "reference" if scenario == order[0] else f"{_fmt(row['diff_mean'], unit)}{_ci(row, 'diff_')}"
        if metric == analysis.INCREMENTAL[0]:
            diff = ""
        lines.append(f"| {scenario} | {_fmt(row['mean'], unit)}{_ci(row)} | {diff} |")
    return [*lines, ""]


def _populations(manifest: dict, order: list[str]) -> str:
    """The adults each scenario ran with: a scenario file may set its own population, and then the
    command line's is not the one it ran with (and its comparison with the others is not like for like)."""
    sizes = {name: manifest["scenarios"][name]["population"] for name in order}
    if len(set(sizes.values())) == 1:
        return f"{sizes[order[0]]:,} adults"
    each = ", ".join(f"`{name}` {size:,}" for name, size in sizes.items())
    return f"adults per scenario: {each} (**different places: differences mix policy with size**)"


def render(comp, traj, replicates, order, descriptions, manifest, figure_paths, out_dir: Path) -> str:
    reference = order[0]
    n = int(replicates.groupby("scenario").size().min())
    lines = [
        "# Social prescribing: comparison of funding policies",
        "",
        f"{len(order)} scenarios, {n} paired replicates each, {manifest['years']:g} simulated years, "
        f"{_populations(manifest, order)}, root seed {manifest['seed']}. "
        f"Every scenario is compared with **`{reference}`**, replicate by replicate (replicate *r* has the same "
        f"seed, so the same people, in every scenario).",
        "",
        "| scenario | what it is |",
        "|---|---|",
        *[f"| `{s}` | {descriptions.get(s, '')} |" for s in order],
        "",
        "## The answer in brief",
        "",
        *_headline_sentences(comp, order),
        "",
        "Wellbeing and loneliness are measured for everyone referred, 12 months after referral, whatever happened "
        "to them; rates are shares of everyone referred.",
        "",
        "## Key figures",
        "",
    ]
    for path in figure_paths:
        lines += [f"![{path.stem.replace('_', ' ')}](figures/{path.name})", ""]
    lines += ["## Tables", "", "Means across replicates with 95% confidence intervals; differences are paired.", ""]
    for metric in KEY_METRICS:
        if metric in set(comp.metric):
            lines += _table(comp, order, metric)
    lines += [
        "## Costs and offsets",
        "",
        "Total cost counts link workers and advisors in post (ARRS cost), capacity grants, tariffs and the "
        "running costs of programmes. The change in GP and A&E costs values each measured person's change in "
        "expected yearly consultations and attendances at PSSRU unit costs; it follows from loneliness only, "
        "so it is a partial offset.",
        "",
        "## How far to trust this",
        "",
        "- These are model results. Most published evidence for social prescribing is uncontrolled "
        "before-and-after studies at high risk of bias (Bickerdike 2017); the model separates the effect from "
        "the natural course by comparing with `no_social_prescribing` where it is run.",
        "- Where no figure was found (wellbeing at referral, waiting times, setback rates, group places, closure "
        "rates, a tariff) the model uses a stated assumption with a range; see `spsim show SCENARIO` and "
        "`seeds/parameters.toml`.",
        "- Confidence intervals show the spread between replicates (chance), not the uncertainty in the "
        "parameters.",
        "",
    ]
    return "\n".join(lines)


def write_report(out_dir, comp, traj, replicates, order, descriptions, manifest, figure_paths) -> tuple[Path, Path]:
    text = render(comp, traj, replicates, order, descriptions, manifest, figure_paths, out_dir)
    md_path, html_path = out_dir / "report.md", out_dir / "report.html"
    atomic_write_text(md_path, text + "\n")
    body = markdown.markdown(text, extensions=["tables"])
    html = (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>Social prescribing: comparison of funding policies</title>"
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;line-height:1.45}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}img{max-width:100%}</style>"
        f"</head><body>\n{body}\n</body></html>\n"
    )
    atomic_write_text(html_path, html)
    return md_path, html_path
