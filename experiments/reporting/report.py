"""The comparison in words, tables and figures: report.md and its HTML twin."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from spsim.experiments.analysis import statistics as analysis

from spsim.experiments.analysis import decisions

from spsim.experiments.analysis import spend
from spsim.experiments.runs.runner import atomic_write_text
from spsim.experiments.reporting.safe_markdown import plain, to_html

KEY_METRICS = [
    "mean_swemwbs_change", "improved_rate", "mean_ucla_change", "vcse_uptake_rate", "lw_contact_rate",
    "sustained_engagement_rate", "volunteer_rate", "mh_discharge_rate", "mean_wait_lw_weeks",
    "vcse_groups_closed", "gp_consultations_change", "total_cost_gbp", "health_service_cost_change_gbp",
]  # fmt: skip (cost per extra point is left out: the incremental analysis answers that question properly)
SHARES = analysis.SHARE_UNITS
LABELS = {column: (label, unit) for column, label, unit, _ in analysis.METRICS}
SINGULAR = {"swemwbs_points_gained": "SWEMWBS point", "qalys_gained": "QALY", "wellbys_gained": "WELLBY"}


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


def _amount(value: float, unit: str) -> str:
    """A mean with its unit, e.g. 42.0%, 2.23 points per person, 1,200 GBP."""
    if unit in SHARES:
        return _fmt(value, unit)
    return f"{_fmt(value, unit)} {'GBP' if 'GBP' in unit else unit}"


def _difference(value: float, unit: str) -> str:
    """A signed difference; of shares in percentage points (a change from 40% to 42% is +2.0, not +5%)."""
    if value is None or math.isnan(value):
        return "n/a"
    if unit in SHARES:
        return f"{100 * value:+.1f} percentage points"
    sign = "+" if value > 0 else ""
    return f"{sign}{_fmt(value, unit)}{' GBP' if 'GBP' in unit else ''}"


def _interval(triple: tuple[float, float, float], unit: str) -> str:
    _, lo, hi = triple
    if math.isnan(lo) or math.isnan(hi):
        return "no interval from one replicate"
    bounds = (f"{100 * lo:.1f} to {100 * hi:.1f}" if unit in SHARES else f"{_fmt(lo, unit)} to {_fmt(hi, unit)}")
    return f"95% {'bootstrap interval' if unit in SHARES else 'CI'} {bounds}"


def _verdict_sentence(v: decisions.Verdict, reference: str, value_per_unit: float, effect_label: str) -> str:
    """'does best' only where the paired difference from the runner-up excludes zero."""
    nmb = v.metric == "net_monetary_benefit"
    title = (f"Value for money at {value_per_unit:,.0f} GBP per {effect_label} (net monetary benefit)" if nmb
             else v.question.capitalize())  # fmt: skip
    if v.runner_up is None:
        return f"- **{title}:** only `{v.best}` was run; there is nothing to compare."
    amount = "" if nmb else f" ({_amount(v.best_mean, v.unit)})"
    runner_amount = "" if nmb else f" ({_amount(v.runner_up_mean, v.unit)})"
    gap = (f"`{v.best}` minus `{v.runner_up}`, paired by replicate: {_difference(v.difference[0], v.unit)} "
           f"({_interval(v.difference, v.unit)})")  # fmt: skip
    if v.clear:
        text = f"**{title}:** `{v.best}` does best{amount}. {gap}: the interval excludes zero."
    else:
        why = "the interval includes zero" if v.n_pairs >= 2 else "one replicate gives no interval"
        text = (f"**{title}:** no clear difference between `{v.best}`{amount} and `{v.runner_up}`{runner_amount}. "
                f"{gap}: {why}.")  # fmt: skip
    if v.against_reference is not None and v.runner_up != reference:  # else the gap above is the same difference
        text += (f" Against `{reference}`, `{v.best}`: {_difference(v.against_reference[0], v.unit)} "
                 f"({_interval(v.against_reference, v.unit)}).")  # fmt: skip
    elif v.clear:
        text += " No scenario in this run beats the reference on this."
    if v.against_counterfactual is not None and v.metric in analysis.CHANGE_METRICS:
        text += (f" Net of the natural course (against `{v.counterfactual}`, the same people without a service): "
                 f"{_difference(v.against_counterfactual[0], v.unit)} ({_interval(v.against_counterfactual, v.unit)}).")  # fmt: skip
    return f"- {text}"


def _effect_label(effect: str) -> tuple[str, str]:
    """The effect's name in words and its unit (a SWEMWBS point, a QALY, ...)."""
    label, unit = LABELS.get(effect, (effect, "units"))
    return label, SINGULAR.get(effect, unit)


def _incremental_section(inc: pd.DataFrame) -> list[str]:
    reference = inc["reference"].iloc[0]
    value = float(inc["value_per_unit_gbp"].iloc[0])
    effect = inc["effect_measure"].iloc[0]
    label, singular = _effect_label(effect)
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
    lo, hi = row[f"{prefix}_ci_low"], row[f"{prefix}_ci_high"]
    if math.isnan(lo) or math.isnan(hi):
        return form.format(mean)
    return f"{form.format(mean)} ({form.format(lo)} to {form.format(hi)})"


def _table(comp: pd.DataFrame, order: list[str], metric: str) -> list[str]:
    """One metric: each scenario's mean, its paired difference from the reference and, when the run has a
    counterfactual, from it (the before-and-after figure beside the effect net of the natural course)."""
    rows = comp[comp.metric == metric].set_index("scenario").reindex(order)
    label, unit = rows["label"].iloc[0], rows["unit"].iloc[0]
    counterfactual = _counterfactual(comp) if metric in analysis.CHANGE_METRICS else ""
    header = f"| scenario | mean (95% CI) | difference from `{order[0]}` (95% CI) |"
    if counterfactual:
        header += f" net of `{counterfactual}` (95% CI) |"
    lines = [f"**{label}** ({unit})", "", header, "|---|---|---|" + ("---|" if counterfactual else "")]
    for scenario, row in rows.iterrows():
        diff = "reference" if scenario == order[0] else f"{_fmt(row['diff_mean'], unit)}{_ci(row, 'diff_')}"
        line = f"| {scenario} | {_fmt(row['mean'], unit)}{_ci(row)} | {diff} |"
        if counterfactual:
            net = "counterfactual" if scenario == counterfactual else f"{_fmt(row['net_mean'], unit)}{_ci(row, 'net_')}"
            line += f" {net} |"
        lines.append(line)
    return [*lines, ""]


def _counterfactual(comp: pd.DataFrame) -> str:
    """The run's counterfactual scenario named in comparison.csv, or '' (also for tables written before)."""
    if "counterfactual" not in comp.columns:
        return ""
    names = [name for name in comp["counterfactual"].fillna("").astype(str).unique() if name]
    return names[0] if names else ""


def _pairing_section(replicates: pd.DataFrame, order: list[str]) -> list[str]:
    """What pairing bought: replicate r of every scenario shares the seed and each person's own draws."""
    gain = analysis.pairing_gain(replicates, order)
    if gain.empty or gain["sd_paired"].isna().all():
        return []
    lines = ["## How much pairing helped", "",
             "Replicate *r* of every scenario has the same seed, and each person's random numbers are keyed by who "
             "they are and what the draw is for, so a lever changes only what it causes. The spread across "
             "replicates of the difference in SWEMWBS change per person, paired and as if the runs were "
             "independent:", "",
             "| scenario | SD of paired differences | SD if unpaired | variance reduction |", "|---|---|---|---|"]  # fmt: skip
    for row in gain.itertuples():
        lines.append(f"| `{row.scenario}` | {row.sd_paired:.3f} | {row.sd_unpaired:.3f} | {row.variance_reduction:.0%} |")
    return lines + [""]


def _populations(manifest: dict, order: list[str]) -> str:
    """The adults each scenario ran with: a scenario file may set its own population, and then the
    command line's is not the one it ran with (and its comparison with the others is not like for like)."""
    sizes = {name: manifest["scenarios"][name]["population"] for name in order}
    if len(set(sizes.values())) == 1:
        return f"{sizes[order[0]]:,} adults"
    each = ", ".join(f"`{name}` {size:,}" for name, size in sizes.items())
    return f"adults per scenario: {each} (**different places: differences mix policy with size**)"


def _place(manifest: dict) -> str:
    """Where the scenarios ran: the place file's name (user text: escaped) and hash, or the default place."""
    place = manifest.get("place") or {}
    if not place.get("path"):
        return "in the default place"
    return f"in the place *{plain(str(place.get('name', '')))}* (sha256 {str(place.get('sha256', ''))[:12]})"


def render(comp, traj, replicates, order, descriptions, manifest, figure_paths, out_dir: Path,
           incremental: pd.DataFrame | None = None, spending: pd.DataFrame | None = None,
           equity_section: list[str] | None = None, economics_section: list[str] | None = None) -> str:  # fmt: skip
    reference = order[0]
    n = int(replicates.groupby("scenario").size().min())
    if incremental is None:
        incremental = decisions.incremental_analysis(replicates, order)
    effect = incremental["effect_measure"].iloc[0]
    value = float(incremental["value_per_unit_gbp"].iloc[0])
    answers = decisions.verdicts(replicates, order, effect=effect, value_per_unit=value,
                                 counterfactual=_counterfactual(comp) or None)  # fmt: skip
    warning = decisions.replicate_warning(n)
    lines = [
        "# Social prescribing: comparison of funding policies",
        "",
        f"{len(order)} scenarios, {n} paired replicates each, {manifest['years']:g} simulated years, "
        f"{_populations(manifest, order)} {_place(manifest)}, root seed {manifest['seed']}. "
        f"Every scenario is compared with **`{reference}`**, replicate by replicate (replicate *r* has the same "
        f"seed, so the same people, in every scenario).",
        "",
        "| scenario | what it is |",
        "|---|---|",
        *[f"| `{s}` | {plain(descriptions.get(s, ''))} |" for s in order],  # user text: escaped
        "",
        *(economics_section or []),
        "## The answer in brief",
        "",
        *([f"> **Warning:** {warning}", ""] if warning else []),
        *[_verdict_sentence(v, reference, value, _effect_label(effect)[1]) for v in answers],
        "",
        "A scenario *does best* only where the 95% interval of its paired difference from the runner-up (the next "
        "best scenario, replicate by replicate) excludes zero; otherwise there is no clear difference between the "
        "two. Its difference from the reference is given beside it.",
        "",
        "Wellbeing and loneliness are measured for everyone referred, 12 months after referral, whatever happened "
        "to them; rates are shares of everyone referred. A change since referral (before and after) includes "
        "the natural course: people are referred at a low point and many recover without any service. Where "
        "the run has a counterfactual, the effect net of it is given beside every such figure.",
        "",
        "## Key figures",
        "",
    ]
    for path in figure_paths:
        lines += [f"![{path.stem.replace('_', ' ')}](figures/{path.name})", ""]
    lines += _incremental_section(incremental)
    if spending is not None and len(spending):
        lines += spend.report_section(spending)
    lines += equity_section or []
    lines += ["## Tables", "", "Means across replicates with 95% intervals; differences are paired. Intervals of "
              "shares are percentile-bootstrap intervals over replicates (they stay between 0% and 100%); the "
              "others are t-intervals.", ""]  # fmt: skip
    for metric in KEY_METRICS:
        if metric in set(comp.metric):
            lines += _table(comp, order, metric)
    lines += _pairing_section(replicates, order)
    lines += [
        "## Costs and offsets",
        "",
        "Total cost counts funded link worker and advisor posts (ARRS cost; part-time where the money buys part of "
        "a post; paid whether filled or vacant), capacity grants, tariffs and the "
        "running costs of programmes. The change in GP and A&E costs values each measured person's change in "
        "expected yearly consultations and attendances at PSSRU unit costs; it follows loneliness and wellbeing only, "
        "so it is a partial offset. The economic evaluation above counts the same offsets week by week against "
        "each person's natural course, adds mental health team contacts saved by supported discharge, and "
        "discounts both sides.",
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
        f"- Net benefit values a {_effect_label(effect)[1]} at {value:,.0f} GBP (NICE's lower threshold; 30,000 in "
        "`economics.csv`); the QALYs rest on an interim linear mapping from SWEMWBS, and past follow-up on the "
        "model's fading of gains (a projection). `spsim psa` shows how the choice moves with the parameters.",
        "",
    ]
    return "\n".join(lines)


def write_report(out_dir, comp, traj, replicates, order, descriptions, manifest, figure_paths,
                 incremental: pd.DataFrame | None = None, spending: pd.DataFrame | None = None,
                 equity_section: list[str] | None = None,
                 economics_section: list[str] | None = None) -> tuple[Path, Path]:  # fmt: skip
    text = render(comp, traj, replicates, order, descriptions, manifest, figure_paths, out_dir, incremental, spending,
                  equity_section, economics_section)
    md_path, html_path = out_dir / "report.md", out_dir / "report.html"
    atomic_write_text(md_path, text + "\n")
    body = to_html(text)  # no raw HTML, no script addresses: the Markdown carries user text
    html = (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>Social prescribing: comparison of funding policies</title>"
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;line-height:1.45}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}img{max-width:100%}</style>"
        f"</head><body>\n{body}\n</body></html>\n"
    )
    atomic_write_text(html_path, html)
    return md_path, html_path
