"""Is a new engine the same science as the reference? The test, stated before any new engine was run (issue 25).

    python -m tests.reference.make_reference /tmp/candidate.csv     # the candidate engine, same design and seeds
    python -m tests.reference.equivalence /tmp/candidate.csv        # exit 0: equivalent; 1: a metric moved
    python -m tests.reference.equivalence /tmp/candidate.csv --reference tests/reference/engine_rows_b83c694.csv

``--reference`` compares with another engine's runs of the same design (default: the per-person event engine's,
``engine_events.csv``). ``engine_rows_a0ada59.csv`` is the rows-and-agenda engine at commit a0ada59, with the
economics of issue 26 (the event engine's economics were older); ``engine_rows_b83c694.csv`` the engine at b83c694,
with the Bayesian calibration's parameters (issue 27): the reference for changes after it.

1. **Means.** For every case (12: two regression cases and the default comparison's 10 scenarios) and every
   headline metric below, Welch's two-sample t-test of the reference's 20 replicates against the candidate's
   20. The engines draw different random numbers, so the samples are independent even at the same seeds. The
   family is all case x metric tests; Holm's step-down correction holds the chance of any false alarm in the
   whole family at 1%. A metric that is flagged is a bug or a deliberate correction named in its commit, never
   "chance" without a look at its cause.
2. **Ranking.** The default comparison's funded options ordered by mean net monetary benefit (20,000 GBP per
   QALY): every pair the reference tells apart (its paired 99% interval of the NMB difference excludes zero)
   keeps its order in the candidate. Pairs the reference cannot tell apart are not required to keep an order:
   that would test chance, not the engine.

A metric that is constant in both samples (e.g. a rate that is always 0 in a scenario) must be equal.
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

REFERENCE = Path(__file__).with_name("engine_events.csv")
SAME_ENGINE_OTHER_SEEDS = Path(__file__).with_name("engine_events_seed2026.csv")  # the false-alarm check
ROWS_ENGINE = Path(__file__).with_name("engine_rows_b83c694.csv")  # the engine at b83c694 (calibrated parameters)
FAMILY_ALPHA = 0.01
RANKING_CONFIDENCE = 0.99
# reach, take-up, drop-out, sustained, volunteering, discharge, SWEMWBS and UCLA change and net change, GP/A&E
# change, QALYs, spend, waiting (issue 25's list), and referrals (how many people the engine brings in)
HEADLINE = (
    "referrals", "lw_contact_rate", "vcse_uptake_rate", "dropout_rate", "sustained_engagement_rate",
    "volunteer_rate", "mh_discharge_rate", "mean_swemwbs_change", "mean_ucla_change", "net_swemwbs_change",
    "swemwbs_points_gained", "ucla_points_reduced", "gp_consultations_change", "ae_attendances_change",
    "qalys_gained", "total_cost_gbp", "mean_wait_lw_weeks", "mean_wait_vcse_weeks",
)  # fmt: skip
RANKED_BY = "nmb_20k_gbp"
COMPARISON_REFERENCE = "baseline"


@dataclass(frozen=True)
class Verdict:
    tests: pd.DataFrame  # case, metric, reference mean, candidate mean, p, Holm threshold, moved
    ranking: pd.DataFrame  # pairs the reference tells apart, and whether the candidate keeps their order

    @property
    def moved(self) -> pd.DataFrame:
        return self.tests[self.tests["moved"]]

    @property
    def reordered(self) -> pd.DataFrame:
        return self.ranking[~self.ranking["order_kept"]] if len(self.ranking) else self.ranking

    @property
    def equivalent(self) -> bool:
        return self.moved.empty and self.reordered.empty


def _mean(values: np.ndarray) -> float:
    """Mean of what was measured (a wait is NaN in a replicate where nobody waited); NaN if nothing was."""
    measured = values[~np.isnan(values)]
    return float(measured.mean()) if len(measured) else np.nan


def _welch(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided p of Welch's t-test; two constant samples are the same (p 1) or different (p 0)."""
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if len(a) < 2 or len(b) < 2:
        return 1.0 if len(a) == len(b) == 0 else 0.0
    if np.ptp(a) == 0 and np.ptp(b) == 0:
        return 1.0 if a[0] == b[0] else 0.0
    return float(stats.ttest_ind(a, b, equal_var=False).pvalue)


def mean_tests(reference: pd.DataFrame, candidate: pd.DataFrame, metrics=HEADLINE,
               alpha: float = FAMILY_ALPHA) -> pd.DataFrame:  # fmt: skip
    rows = []
    for case in sorted(set(reference["scenario"])):
        ref, cand = reference[reference["scenario"] == case], candidate[candidate["scenario"] == case]
        for metric in metrics:
            a, b = ref[metric].to_numpy(float), cand[metric].to_numpy(float)
            rows.append({"case": case, "metric": metric, "reference_mean": _mean(a), "candidate_mean": _mean(b),
                         "p": _welch(a, b)})  # fmt: skip
    table = pd.DataFrame(rows)
    # Holm: the k-th smallest p (k from 0) is compared with alpha / (m - k); stop at the first that passes
    order = np.argsort(table["p"].to_numpy(), kind="stable")
    m = len(table)
    thresholds = np.empty(m)
    moved = np.zeros(m, dtype=bool)
    still_rejecting = True
    for k, i in enumerate(order):
        thresholds[i] = alpha / (m - k)
        still_rejecting = still_rejecting and table["p"].iloc[i] <= thresholds[i]
        moved[i] = still_rejecting
    return table.assign(holm_threshold=thresholds, moved=moved)


def ranking_check(reference: pd.DataFrame, candidate: pd.DataFrame, cases: list[str] | None = None,
                  confidence: float = RANKING_CONFIDENCE) -> pd.DataFrame:  # fmt: skip
    """Pairs of funded options the reference orders clearly (paired interval by replicate), kept or not."""
    present = set(reference["scenario"])
    names = [c for c in (cases or sorted(present)) if c in present and c != COMPARISON_REFERENCE
             and not c.startswith("regression_")]  # fmt: skip
    wide_ref = reference.pivot(index="replicate", columns="scenario", values=RANKED_BY)
    wide_cand = candidate.pivot(index="replicate", columns="scenario", values=RANKED_BY)
    rows = []
    for a, b in itertools.combinations(names, 2):
        diff = (wide_ref[a] - wide_ref[b]).dropna().to_numpy(float)
        half = stats.t.ppf(0.5 + confidence / 2, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff))
        if abs(diff.mean()) <= half:
            continue  # the reference cannot tell them apart
        ahead, behind = (a, b) if diff.mean() > 0 else (b, a)
        kept = bool(wide_cand[ahead].mean() > wide_cand[behind].mean())
        rows.append({"ahead": ahead, "behind": behind, "reference_difference": abs(diff.mean()),
                     "candidate_difference": float(wide_cand[ahead].mean() - wide_cand[behind].mean()),
                     "order_kept": kept})  # fmt: skip
    return pd.DataFrame(rows, columns=["ahead", "behind", "reference_difference", "candidate_difference", "order_kept"])


def compare(reference: pd.DataFrame, candidate: pd.DataFrame) -> Verdict:
    return Verdict(mean_tests(reference, candidate), ranking_check(reference, candidate))


def main(argv: list[str]) -> int:
    reference = REFERENCE
    if len(argv) == 3 and argv[1] == "--reference":
        argv, reference = argv[:1], Path(argv[2])
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    verdict = compare(pd.read_csv(reference), pd.read_csv(argv[0]))
    tests = verdict.tests
    print(f"{len(tests)} mean tests (Holm, family-wise {FAMILY_ALPHA:.0%}): {int(tests['moved'].sum())} moved")
    for row in verdict.moved.itertuples():
        print(f"  moved: {row.case} {row.metric}: {row.reference_mean:.4g} -> {row.candidate_mean:.4g} (p {row.p:.2g})")
    print(f"{len(verdict.ranking)} clearly ordered pairs by {RANKED_BY}: {len(verdict.reordered)} reordered")
    for row in verdict.reordered.itertuples():
        print(f"  reordered: {row.ahead} was ahead of {row.behind} by {row.reference_difference:,.0f}; "
              f"now {row.candidate_difference:,.0f}")  # fmt: skip
    print("equivalent" if verdict.equivalent else "NOT equivalent")
    return 0 if verdict.equivalent else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
