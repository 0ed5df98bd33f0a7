"""psa.md: the PSA in words a commissioner can read, from the analysis's tables."""

from __future__ import annotations

import math

import pandas as pd



def _posterior(settings: dict) -> str:
    names = settings.get("from_posterior") or []
    if not names:
        return ""
    return (f"; the {len(names)} fitted parameters ({', '.join(names)}) drawn together, one row of the calibration's "
            "posterior (seeds/calibration_posterior.csv) per draw, so the trade-offs the fit found are kept")


def render(curve: pd.DataFrame, summary: pd.DataFrame, order: list[str], settings: dict, evpi: pd.DataFrame,
           evppi: pd.DataFrame, spend: pd.DataFrame | None = None) -> str:  # fmt: skip
    marks = [v for v in (0, 5_000, 10_000, 20_000, 30_000, 50_000) if v in set(curve["value_per_qaly_gbp"])]
    at = curve.set_index("value_per_qaly_gbp").loc[marks]
    lines = [
        "# Probabilistic sensitivity analysis",
        "",
        f"{settings['draws']} draws of {settings['parameters']} uncertain parameters (a Latin hypercube of quantiles: "
        f"uniform over each plausible range or the range a calibration accepted, or the distribution the registry "
        f"names, {settings['distributions']} of them){_posterior(settings)}; each draw runs {', '.join(order)} with the same "
        f"{settings['replicates']} seed(s), averaged ({_design(settings)}). Reference: {order[0]}. QALYs and costs "
        "are the NICE reference case's (docs/methods.md, \"Economics\"): discounted, everyone referred, to the "
        "economic horizon.",
        "",
        "## Extra QALYs and net cost against the reference (mean, and 2.5-97.5% of draws)",
        "",
        "| policy | extra QALYs | extra net cost (GBP) |",
        "|---|---|---|",
        *[
            f"| {r.scenario} | {r.qalys_mean:,.1f} ({r.qalys_lo:,.1f} to {r.qalys_hi:,.1f}) | "
            f"{r.cost_mean:,.0f} ({r.cost_lo:,.0f} to {r.cost_hi:,.0f}) |"
            for r in summary.itertuples()
        ],
        "",
        "## Probability of being the most cost-effective (the CEAC, `ceac.png`)",
        "",
        "| value of a QALY (GBP) | " + " | ".join(order) + " |",
        "|---|" + "---|" * len(order),
        *[f"| {v:,.0f} | " + " | ".join(f"{at.loc[v, n]:.0%}" for n in order) + " |" for v in marks],
        "",
        *_spend(spend),
        *_information(evpi, evppi, settings),
    ]
    return "\n".join(lines) + "\n"


def _spend(spend: pd.DataFrame | None) -> list[str]:
    """Spend against budget in every draw (issue 26 item 5)."""
    if spend is None or spend.empty:
        return []

    def budget(value) -> str:
        return "not declared" if value is None or pd.isna(value) else f"{value:,.0f}"

    def off(r) -> str:
        if r.budget_gbp_per_100k_year is None or pd.isna(r.budget_gbp_per_100k_year):
            return ""
        b = r.budget_gbp_per_100k_year
        return f"{r.min / b - 1:+.0%} to {r.max / b - 1:+.0%}"

    return [
        "## Spend against the budget in every draw (`spend.csv`)",
        "",
        "The levers' extra money a year per 100,000 adults against the reference, from each run's ledger. Prices "
        "(a post, a programme) are drawn like any other parameter: scenarios that claim the same budget should "
        "spend it in every draw, so a spread here is money that drifted with the draws.",
        "",
        "| policy | budget (GBP per 100k a year) | extra spend over the draws: min, mean, max | against the budget |",
        "|---|---|---|---|",
        *[f"| {r.scenario} | {budget(r.budget_gbp_per_100k_year)} | {r.min:,.0f}, {r.mean:,.0f}, {r.max:,.0f} | "
          f"{off(r)} |" for r in spend.itertuples()],
        "",
    ]


def _design(settings: dict) -> str:
    population = f"{settings['population']:,} adults" if settings["population"] else "adults as the runs had them"
    years = f"{settings['years']:g} years" if settings["years"] else "the simulated years"
    warmup = settings["warmup_years"]
    after = f"after a {warmup:g}-year warm-up" if warmup is not None else "after a warm-up (its length not recorded)"
    return f"{population}, {years} {after}"


def _gbp(value: float) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:,.0f} GBP"


def _information(evpi: pd.DataFrame, evppi: pd.DataFrame, settings: dict) -> list[str]:
    years = f"{settings['years']:g} simulated years" if settings["years"] else "the simulated years"
    lines = [
        "## What further research would be worth (value of information)",
        "",
        f"Research is worth doing before choosing when it could change the choice. The figures below are the most "
        f"it could be worth for this place's decision among these policies over the {years}: the expected gain "
        "from choosing after the uncertainty is resolved rather than now. They count only what research could "
        "resolve, the parameters: each policy's net benefit is regressed on the parameters (Strong, Oakley and "
        "Brennan 2014), which sets apart the chance between simulated people that no research removes. R² is the "
        "share of the spread in net benefit between draws that the regression predicts for draws it did not see; "
        "± is the regression's standard error.",
        "",
    ]
    for row in evpi.itertuples():
        chance = "" if math.isnan(row.chance_share) else (
            f"; the replicates put chance at {row.chance_share:.0%} of the spread, so about "
            f"{1 - row.chance_share:.0%} could be explained")  # fmt: skip
        lines.append(
            f"- At {row.value_per_qaly_gbp:,.0f} GBP per QALY: knowing every parameter would be worth at most "
            f"**{_gbp(row.evpi_gbp)}** (± {row.evpi_se_gbp:,.0f}; R² {row.r2:.2f}{chance}). The simple Monte Carlo "
            f"figure, {_gbp(row.evpi_monte_carlo_gbp)}, counts chance as if research could remove it: an upper bound."
            + ("" if row.trusted else f" *Not to be trusted: {row.note}.*")
        )
    values = sorted(evppi["value_per_qaly_gbp"].unique())
    lines += [
        "",
        "What research on each group of parameters could be worth at most (the expected value of partial perfect "
        "information, `evppi.csv`; * not to be trusted, see the notes):",
        "",
        "| research on | " + " | ".join(f"at {v:,.0f} GBP per QALY" for v in values) + " |",
        "|---|" + "---|" * len(values),
    ]
    notes = []
    for name, group in evppi.groupby("group", sort=False):
        by_value = group.set_index("value_per_qaly_gbp")
        lines.append(f"| {by_value['research'].iloc[0]} (`{name}`) | "
                     + " | ".join(_cell(by_value.loc[v]) for v in values) + " |")  # fmt: skip
        notes += _notes(name, by_value["note"].fillna(""))
    lines += ["", "A group's value is what learning those parameters alone would be worth; groups overlap in what "
              "they resolve, so their values do not add up to the total."]  # fmt: skip
    lines += _leader(evppi, years)
    if notes:
        lines += ["", "Notes:", "", *notes]
    return lines


def _notes(name: str, by_value: pd.Series) -> list[str]:
    """A group's notes: once when they are the same at every value of a QALY, else at each."""
    if not by_value.any():
        return []
    if by_value.nunique() == 1:
        return [f"- `{name}`: {by_value.iloc[0]}"]
    return [f"- `{name}`: " + "; ".join(f"at {v:,.0f} GBP per QALY: {n}" for v, n in by_value.items() if n)]


def _cell(row: pd.Series) -> str:
    if math.isnan(row["evppi_gbp"]):
        return "not drawn"
    mark = "" if row["trusted"] else "*"
    return f"{row['evppi_gbp']:,.0f} ± {row['evppi_se_gbp']:,.0f} GBP (R² {row['r2']:.2f}){mark}"


def _leader(evppi: pd.DataFrame, years: str) -> list[str]:
    """The research worth most at the lower value of a QALY, in a sentence, when its figure can be trusted."""
    lower = evppi[(evppi["value_per_qaly_gbp"] == evppi["value_per_qaly_gbp"].min()) & evppi["trusted"].astype(bool)]
    if lower.empty or not (lower["evppi_gbp"] > 0).any():
        return []
    best = lower.loc[lower["evppi_gbp"].idxmax()]
    return ["", f"Of these, research on {best['research']} would be worth the most: at most "
            f"{_gbp(best['evppi_gbp'])} at {best['value_per_qaly_gbp']:,.0f} GBP per QALY, for this decision over the "
            f"{years}; spending more than that on finding it out would not pay."]  # fmt: skip
