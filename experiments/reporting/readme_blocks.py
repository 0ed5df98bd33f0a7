"""What each of the README's generated blocks says, from the default comparison's committed tables (``results/default/``:
manifest.json, comparison.csv, economics.csv, incremental.csv, spend.csv, replicates.csv, equity.csv): the set-up
line, the headline table and the headline in words. ``readme_numbers`` puts them between their markers."""

from __future__ import annotations

import csv
import json
import textwrap
from collections.abc import Callable
from pathlib import Path

from ..analysis.intervals import span

WIDTH = 114  # the documents' line length for generated prose
STATUS = {"ND": "frontier", "D": "dominated", "ED": "extendedly dominated"}


class GeneratorError(Exception):
    """A marker or an input is missing: reported in one line, exit code 2."""


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise GeneratorError(f"{path}: missing (run `make run` first)")
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


class Results:
    """The default comparison's committed tables, read once."""

    def __init__(self, folder: Path):
        manifest = folder / "manifest.json"
        if not manifest.is_file():
            raise GeneratorError(f"{manifest}: missing (run `make run` first)")
        self.manifest = json.loads(manifest.read_text())
        self.order: list[str] = self.manifest["order"]
        self.comparison = {(r["scenario"], r["metric"]): r for r in _rows(folder / "comparison.csv")}
        self.economics = {r["scenario"]: r for r in _rows(folder / "economics.csv")}
        self.incremental = {r["scenario"]: r for r in _rows(folder / "incremental.csv")}
        self.spend = {r["scenario"]: r for r in _rows(folder / "spend.csv") if r["lever"] == "total"}
        self.replicates = _rows(folder / "replicates.csv")
        self.equity = {(r["scenario"], r["metric"]): r for r in _rows(folder / "equity.csv")}
        self.reference = self.order[0]
        self.counterfactual = self.metric(self.reference, "mean_swemwbs_change")["counterfactual"]

    def metric(self, scenario: str, metric: str) -> dict[str, str]:
        try:
            return self.comparison[scenario, metric]
        except KeyError:
            raise GeneratorError(f"comparison.csv: no row for {scenario} / {metric}") from None

    def parameter(self, name: str) -> float:
        return float(self.manifest["scenarios"][self.reference]["resolved_parameters"][name])


def _f(value: str) -> float:
    return float(value)


def signed(x: float, digits: int = 2) -> str:
    return f"{abs(x):,.{digits}f}" if round(x, digits) == 0 else f"{x:+,.{digits}f}"  # no "+0.00" or "-0.00"


def thousands(x: float) -> str:
    """Money in thousands of GBP, signed: +1,311k."""
    return f"{signed(x / 1000, 0)}k"


def millions(x: float) -> str:
    return signed(x / 1e6, 2)


def interval(low: float, high: float, fmt: Callable[[float], str] = signed) -> str:
    return f"({span(low, high, fmt)})"


def _wrap(text: str, bullet: bool = False) -> str:
    """Prose at the documents' width (a bullet's continuation lines indented), never split at a hyphen."""
    return textwrap.fill(text, WIDTH, initial_indent="- " if bullet else "", subsequent_indent="  " if bullet else "",
                         break_on_hyphens=False, break_long_words=False)  # fmt: skip


def setup(r: Results) -> str:
    m = r.manifest
    text = (
        f"{len(r.order)} scenarios in the {m['place']['name']} place ({m['population']:,} adults), "
        f"{m['replicates']} paired replicates, {m['years']:g} years after a {m['warmup_years']:g}-year warm-up, "
        f"root seed {m['seed']}; every scenario is compared with `{r.reference}`, replicate by replicate."
    )
    budgets = {name: s["budget_gbp_per_100k_year"] for name, s in m["scenarios"].items()}
    equal = [name for name in r.order if budgets.get(name)]
    if equal and len({budgets[name] for name in equal}) == 1:
        text += (
            f" The equal-budget scenarios ({', '.join(f'`{name}`' for name in equal)}) each add "
            f"{budgets[equal[0]]:,.0f} GBP per 100,000 adults a year to the current system."
        )
    return _wrap(text)


def _headline_row(r: Results, scenario: str) -> str:
    change = r.metric(scenario, "mean_swemwbs_change")
    uptake = r.metric(scenario, "vcse_uptake_rate")
    inc = r.incremental[scenario]
    if scenario == r.reference:
        diff, spend, nmb = "reference", "reference", "reference"
    else:
        diff = f"{signed(_f(change['diff_mean']))} {interval(_f(change['diff_ci_low']), _f(change['diff_ci_high']))}"
        spend = f"{signed(_f(r.spend[scenario]['actual_gbp']), 0)}"
        nmb = f"{thousands(_f(inc['nmb_vs_reference_gbp']))} " + interval(
            _f(inc["nmb_vs_reference_ci_low"]), _f(inc["nmb_vs_reference_ci_high"]), thousands
        )
        if inc["nmb_rank"] == "1":
            nmb = f"**{nmb}**"
    if scenario == r.counterfactual:
        net = "counterfactual"
    else:
        net = f"{signed(_f(change['net_mean']))} {interval(_f(change['net_ci_low']), _f(change['net_ci_high']))}"
    status = STATUS[inc["status"]]
    if inc["compared_with"]:
        status += f", ICER {_f(inc['icer']):,.0f} GBP/QALY vs `{inc['compared_with']}`"
    qalys = f"{_f(r.economics[scenario]['qalys_gained']):,.0f}"
    return (
        f"| `{scenario}` | {signed(_f(change['mean']))} | {diff} | {net} | {_f(uptake['mean']):.1%} | {spend} "
        f"| {qalys} | {nmb} | {status} |"
    )


def headline(r: Results) -> str:
    value = f"{_f(r.incremental[r.reference]['value_per_unit_gbp']):,.0f}"
    header = (
        f"| scenario | SWEMWBS change since referral | difference from `{r.reference}` (95% CI) "
        f"| net of the natural course (`{r.counterfactual}`, 95% CI) | took up an activity "
        f"| extra spend over the run (GBP) | QALYs gained | net monetary benefit at {value} GBP/QALY vs "
        f"`{r.reference}`, GBP (95% CI) | incremental analysis |"
    )
    return "\n".join([header, "|---" * 9 + "|", *(_headline_row(r, s) for s in r.order)])


def in_words(r: Results) -> str:
    ref, cf = r.reference, r.counterfactual
    change = r.metric(ref, "mean_swemwbs_change")
    natural = _f(r.metric(cf, "mean_swemwbs_change")["mean"])
    starts = [_f(row["mean_swemwbs_start"]) for row in r.replicates if row["scenario"] == ref]
    ranked = sorted(r.order, key=lambda s: int(r.incremental[s]["nmb_rank"]))
    best, inc = ranked[0], r.incremental[ranked[0]]
    value = f"{_f(inc['value_per_unit_gbp']):,.0f}"
    frontier = sorted((s for s in r.order if r.incremental[s]["status"] == "ND"),
                      key=lambda s: _f(r.incremental[s]["cost_gbp"]))  # fmt: skip
    steps = [f"`{frontier[0]}`"] + [f"`{s}` ({_f(r.incremental[s]['icer']):,.0f} GBP/QALY)" for s in frontier[1:]]
    p_best = _f(r.economics[best]["probability_most_cost_effective_20k"])
    return "\n".join(_wrap(item, bullet=True) for item in [
        f"People are referred at a low point (mean SWEMWBS at referral {sum(starts) / len(starts):.1f}, against a "
        f"population mean of {r.parameter('swemwbs_population_mean'):.1f}). Without any service the same people "
        f"change by {signed(natural)} points by follow-up, {r.parameter('follow_up_weeks'):.0f} weeks after "
        f"referral (regression to the mean); a before-and-after evaluation of `{ref}` would report "
        f"{signed(_f(change['mean']))}, of which "
        f"{signed(_f(change['net_mean']))} {interval(_f(change['net_ci_low']), _f(change['net_ci_high']))} is the "
        f"service's effect: {_f(r.economics[ref]['deadweight_share']):.0%} of the change would have happened anyway "
        f"(deadweight).",
        f"Economics in the NICE reference case: QALYs against each person's natural course and the net cost to "
        f"the NHS, discounted at {r.parameter('discount_rate_per_year'):.1%} a year, everyone referred followed "
        f"{_years(r.parameter('economic_horizon_years'))} from referral.",
        _best(r, best, inc, value, p_best, ranked),
        f"The efficiency frontier runs {' -> '.join(steps)}; the others are dominated or extendedly dominated.",
        _gains(r), _wider_view(r), _equity(r),
    ])  # fmt: skip


def _years(years: float) -> str:
    return f"{years:g} year" + ("" if years == 1 else "s")


def _best(r: Results, best: str, inc: dict, value: str, p_best: float, ranked: list[str]) -> str:
    """Who has the highest net monetary benefit; when it is the reference itself, the closest funded option."""
    ref = r.reference
    chance = (f"the most cost-effective in {p_best:.0%} of the paired replicates (chance between replicates "
              "only; `spsim psa` adds the parameters' uncertainty).")
    if best != ref:
        return (f"At {value} GBP per QALY `{best}` has the highest net monetary benefit: "
                f"{millions(_f(inc['nmb_vs_reference_gbp']))} million GBP over `{ref}` (95% CI "
                f"{span(_f(inc['nmb_vs_reference_ci_low']), _f(inc['nmb_vs_reference_ci_high']), millions)} million)"
                f"; it is {chance}")
    runner = next(s for s in ranked if s != ref)
    other = r.incremental[runner]
    return (f"At {value} GBP per QALY today's service, `{ref}`, has the highest net monetary benefit: no option "
            f"beats it; the closest, `{runner}`, is {millions(_f(other['nmb_vs_reference_gbp']))} million GBP against "
            f"it (95% CI {span(_f(other['nmb_vs_reference_ci_low']), _f(other['nmb_vs_reference_ci_high']), millions)}"
            f" million); `{ref}` is {chance}")


def _policies(r: Results) -> list[str]:
    """The scenarios compared with the reference, the counterfactual apart."""
    return [s for s in r.order if s not in (r.reference, r.counterfactual)]


def _gains(r: Results) -> str:
    gained = sorted(_policies(r), key=lambda s: -_f(r.metric(s, "swemwbs_points_gained")["diff_mean"]))
    points = ", ".join(f"`{s}` {signed(_f(r.metric(s, 'swemwbs_points_gained')['diff_mean']), 0)}" for s in gained)
    top = max(_policies(r), key=lambda s: _f(r.metric(s, "mh_discharge_rate")["diff_mean"]))
    return (
        f"SWEMWBS points gained over `{r.reference}`, summed over everyone measured: {points}. `{top}` also raises "
        f"discharge from secondary mental health care to {_f(r.metric(top, 'mh_discharge_rate')['mean']):.0%} of "
        f"that cohort, against {_f(r.metric(r.reference, 'mh_discharge_rate')['mean']):.0%}."
    )


def _wider_view(r: Results) -> str:
    returns = [_f(r.economics[s]["return_per_pound"]) for s in r.order if s != r.counterfactual]
    return (
        f"Valued in WELLBYs instead (the Green Book's wider view, with the NHS's savings), each pound of commissioner "
        f"spend returns {min(returns):.0f} to {max(returns):.0f} GBP of social value across the scenarios: social "
        f"value, not cash."
    )


def _equity(r: Results) -> str:
    def gap(s: str) -> dict[str, str]:
        return r.equity.get((s, "vcse_uptake_rate")) or {"gap_diff_ci_low": "0", "gap_diff_ci_high": "0"}

    def said(s: str) -> str:
        row = gap(s)
        low, high = 100 * _f(row["gap_diff_ci_low"]), 100 * _f(row["gap_diff_ci_high"])
        mean = signed(100 * _f(row["gap_diff_mean"]), 1)
        return f"`{s}` ({mean} points, 95% CI {span(low, high, lambda v: signed(v, 1))})"

    widen = [said(s) for s in _policies(r) if _f(gap(s)["gap_diff_ci_low"]) > 0]
    narrow = [said(s) for s in _policies(r) if _f(gap(s)["gap_diff_ci_high"]) < 0]
    return (
        f"The gap in take-up between the least and most deprived fifths, against `{r.reference}`: widened by "
        f"{', '.join(widen) or 'none'}; narrowed by {', '.join(narrow) or 'none'} (paired intervals that exclude "
        f"zero; the report's \"Who benefits\")."
    )


BLOCKS: dict[str, Callable[[Results], str]] = {"setup": setup, "headline": headline, "in-words": in_words}
