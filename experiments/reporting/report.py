"""The comparison in words, tables and figures: report.md and its HTML twin."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..analysis import decisions, spend
from .incremental_table import incremental_section
from .metric_tables import KEY_METRICS, counterfactual_of, metric_table, pairing_section
from .safe_markdown import plain, to_html
from .verdicts import effect_label, verdict_sentence
from ..runs.runner import atomic_write_text


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
                                 counterfactual=counterfactual_of(comp) or None)  # fmt: skip
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
        *[verdict_sentence(v, reference, value, effect_label(effect)[1]) for v in answers],
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
    lines += incremental_section(incremental)
    if spending is not None and len(spending):
        lines += spend.report_section(spending)
    lines += equity_section or []
    lines += ["## Tables", "", "Means across replicates with 95% intervals; differences are paired. Intervals of "
              "shares are percentile-bootstrap intervals over replicates (they stay between 0% and 100%); the "
              "others are t-intervals.", ""]  # fmt: skip
    for metric in KEY_METRICS:
        if metric in set(comp.metric):
            lines += metric_table(comp, order, metric)
    lines += pairing_section(replicates, order)
    lines += [
        "## Costs and offsets",
        "",
        "Total cost counts funded link worker and advisor posts (ARRS cost; part-time where the money buys part of "
        "a post; paid whether filled or vacant), capacity grants, tariffs and the "
        "running costs of programmes. The change in GP and A&E costs values each measured person's change in "
        "expected yearly consultations and attendances at PSSRU unit costs; it follows loneliness and wellbeing only, "
        "so it is a partial offset. The economic evaluation above counts the same offsets week by week against "
        "each person's natural course, adds mental health team contacts saved by supported discharge, counts "
        "link worker and advisor posts at their full economic cost (PSSRU: on-costs, overheads and capital) rather "
        "than the ARRS cash, and discounts both sides.",
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
        f"- Net benefit values a {effect_label(effect)[1]} at {value:,.0f} GBP (NICE's lower threshold; 30,000 in "
        "`economics.csv`); the QALYs rest on an interim linear mapping from SWEMWBS, and after people leave the "
        "pathway (or the run ends) on the model's fading of gains (a projection). `spsim psa` shows how the "
        "choice moves with the parameters.",
        "",
    ]
    return "\n".join(lines)


def write_report(out_dir, comp, traj, replicates, order, descriptions, manifest, figure_paths,
                 incremental: pd.DataFrame | None = None, spending: pd.DataFrame | None = None,
                 equity_section: list[str] | None = None,
                 economics_section: list[str] | None = None) -> tuple[Path, Path]:  # fmt: skip
    text = render(comp, traj, replicates, order, descriptions, manifest, figure_paths, out_dir, incremental, spending,
                  equity_section, economics_section)
    return _write(out_dir, text, "Social prescribing: comparison of funding policies")


def write_structural_report(out_dir: Path, section: list[str]) -> tuple[Path, Path]:
    """`spsim structural`'s report: the economics' structural uncertainty (reporting/structural_section.py)."""
    title = "Social prescribing: the economic evaluation under its structural alternatives"
    return _write(out_dir, "\n".join([f"# {title}", "", *section]), title)


def _write(out_dir: Path, text: str, title: str) -> tuple[Path, Path]:
    md_path, html_path = out_dir / "report.md", out_dir / "report.html"
    atomic_write_text(md_path, text + "\n")
    body = to_html(text)  # no raw HTML, no script addresses: the Markdown carries user text
    html = (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{title}</title>"
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;line-height:1.45}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}img{max-width:100%}</style>"
        f"</head><body>\n{body}\n</body></html>\n"
    )
    atomic_write_text(html_path, html)
    return md_path, html_path
