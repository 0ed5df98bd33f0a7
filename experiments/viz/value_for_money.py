"""Value for money of the page's levers against the place as it is, at the week shown: the command line's own
account, not a second formula.

Both runs are copied as they are and finished as `spsim run` finishes a run at the end of its horizon
(``close_open_records``: everyone still in follow-up measured, every economic account projected to its horizon;
model/health_economics.py), then measured by ``replicate_metrics`` (experiments/runs/metrics.py), the function
that writes replicates.csv. The page shows the paired difference of its QALYs, net NHS cost and net monetary
benefit: what economics.csv calls ``..._vs_reference`` for one replicate, with the place as it is as the
reference. The running models are never finished (the copy is), so the page steps on unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..analysis.cost_effectiveness import icer_in_words
from ..analysis.intervals import mean_ci
from ..runs.metrics import WTP_PER_QALY_GBP, replicate_metrics
from .run import PairedRun

# replicates.csv column -> what it is, as the panel and the CSV name it
MEASURES = {
    "qalys_gained": "QALYs gained",
    "net_cost_gbp": "net NHS cost (GBP)",
    "nmb_20k_gbp": "net monetary benefit at 20,000 GBP per QALY (GBP)",
    "nmb_30k_gbp": "net monetary benefit at 30,000 GBP per QALY (GBP)",
}


@dataclass(frozen=True)
class Account:
    """The levers minus the place as it is, for one or more paired replicates (mean and 95% interval)."""

    weeks: int
    replicates: int
    horizon_years: float
    discount_rate: float
    values: dict[str, tuple[float, float, float]]  # column -> (mean, low, high); no interval on one replicate

    def icer(self) -> str:
        return icer_in_words(self.values["net_cost_gbp"][0], self.values["qalys_gained"][0])[1]

    def rows(self) -> list[dict]:
        """The table, as the CSV download has it."""
        basis = {"weeks_since_levers_began": self.weeks, "replicates": self.replicates,
                 "horizon_years": self.horizon_years, "discount_rate_per_year": self.discount_rate}  # fmt: skip
        return [{"measure": column, "what": MEASURES[column], "levers_minus_place_as_it_is": mean,
                 "ci95_low": low, "ci95_high": high, **basis} for column, (mean, low, high) in self.values.items()]  # fmt: skip


def paired_difference(run: PairedRun) -> dict[str, float]:
    """One replicate's difference, as `spsim run`'s tables would give it for these levers, seed and weeks."""
    finished = run.snapshot()
    rows = []
    for model, window, name in zip(finished, run.windows, ("levers", "place as it is"), strict=True):
        model.close_open_records()
        rows.append(replicate_metrics(model, name, run.settings.replicate, run.settings.model_seed, window))
    return {column: rows[0][column] - rows[1][column] for column in MEASURES}


def account(runs: list[PairedRun]) -> Account:
    """The value for money of paired runs at the same week (their mean with a t-interval, as economics.csv)."""
    differences = [paired_difference(run) for run in runs]
    values = {}
    for column in MEASURES:
        sample = [d[column] for d in differences]
        values[column] = mean_ci(sample) if len(sample) > 1 else (sample[0], math.nan, math.nan)
    p = runs[0].levers.p
    return Account(runs[0].shown_week, len(runs), p.economic_horizon_years, p.discount_rate_per_year, values)


def in_words(result: Account) -> str:
    """One line: what the levers buy, and whether they are worth it at NICE's thresholds."""
    qalys, _, _ = result.values["qalys_gained"]
    cost, _, _ = result.values["net_cost_gbp"]
    nmb20, nmb30 = (result.values[f"nmb_{v // 1000}k_gbp"][0] for v in WTP_PER_QALY_GBP)
    if qalys == 0 and cost == 0:
        return "No lever differs from the place as it is yet: no QALYs gained, no cost."
    money = f"{abs(cost):,.0f} GBP {'more' if cost >= 0 else 'less'} to the NHS"
    verdict = ("worth it at both 20,000 and 30,000 GBP per QALY" if nmb20 > 0 else
               "worth it at 30,000 GBP per QALY but not at 20,000" if nmb30 > 0 else
               "not worth it at 20,000 or 30,000 GBP per QALY")  # fmt: skip
    return f"So far your levers gain {qalys:,.2f} QALYs for {money} ({result.icer()}): {verdict}."
