"""A readable summary of one run: the referral funnel and the outcomes of the people referred."""

from __future__ import annotations

from .model import SocialPrescribingModel
from .states import PathwayState


def pathway_summary(model: SocialPrescribingModel) -> dict[str, float]:
    """Headline figures of a finished run (call ``model.close_open_records()`` first)."""
    c = model.counters
    referred = max(c.referred, 1)
    outcomes = model.outcomes()
    measured = outcomes[~outcomes["censored"]] if len(outcomes) else outcomes
    if len(measured) == 0:
        measured = outcomes
    engaged = measured[measured["took_up"]] if len(measured) else measured
    return {
        "weeks": model.week,
        "referred": c.referred,
        "reached a link worker": c.reached_link_worker / referred,
        "took up an activity": c.took_up_activity / referred,
        "sustained engagement": c.sustained / referred,
        "became peer supporter or volunteer": c.volunteered / referred,
        "dropped out": c.dropped_out / referred,
        "had a setback": c.people_with_setback / referred,
        "mean SWEMWBS change, all referred": _mean(measured["swemwbs_end"] - measured["swemwbs_start"]),
        "mean SWEMWBS change, took up an activity": _mean(engaged["swemwbs_end"] - engaged["swemwbs_start"]),
        "mean UCLA-3 change, all referred": _mean(measured["ucla_end"] - measured["ucla_start"]),
        "community groups closed": model.community.groups_closed,
        "link workers who left": model.workforce.link_workers_left,
        "commissioner spend (GBP)": model.ledger.commissioner_spend,
    }


def _mean(series) -> float:
    return float(series.mean()) if len(series) else float("nan")


def format_summary(summary: dict[str, float], title: str) -> str:
    lines = [title, "-" * len(title)]
    for key, value in summary.items():
        if "change" in key:
            text = f"{value:+.2f}"
        elif isinstance(value, float) and key not in {"commissioner spend (GBP)"}:
            text = f"{value:.1%}"
        else:
            text = f"{value:,.0f}"
        lines.append(f"  {key:<42} {text:>12}")
    return "\n".join(lines)


def state_table(model: SocialPrescribingModel) -> str:
    rows = [f"  {state.label:<24} {model.counters.count(state):>8,}" for state in PathwayState]
    return "\n".join(["People by pathway state at the end (terminal states are cumulative):", *rows])
