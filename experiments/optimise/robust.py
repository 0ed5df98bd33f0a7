"""`spsim optimise --robust DRAWS`: a split judged across the uncertainty of the model's parameters.

Every candidate runs at the same DRAWS draws of the uncertain parameters, drawn as `spsim psa` draws them (a
Latin hypercube of quantiles through each parameter's distribution, ``uncertain_parameters.from_unit_interval``), fixed by the
search's seed so a resumed search asks for the same draws and reads its shards back; each draw has its own
replicate seeds, the same for every candidate. So candidates differ only by their split: common parameter draws
and common random numbers. The objective is the expected paired difference from the reference over the draws
(each draw's difference averaged over its replicates).

For the split chosen and the named scenarios, ``decision_table`` gives the two numbers a decision under
uncertainty is judged by (Claxton 1999; the PSA's acceptability curve and EVPI ask the same of fixed policies):
the probability of being the best option in a draw, and the expected regret, the mean over draws of the best
option's value in that draw minus this option's (zero only for an option that is best in every draw).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..runs.uncertain_parameters import as_points, design_draws, uncertain_parameters
from .problem import OBJECTIVES, Search
from ..runs.runner import atomic_write_csv

# The most draws a search may judge its splits across: every split runs at every draw, so 1,000 draws of a
# 40-trial search are already 40,000 runs per replicate (ten times the PSA's default of 100 draws).
MAX_DRAWS = 1_000


def parameter_draws(draws: int, seed: int) -> list[dict]:
    """``draws`` sets of the uncertain parameters, as `spsim psa --draws DRAWS --seed SEED` draws them
    (the fitted ones together, from the calibration's posterior, when there is one)."""
    parameters = uncertain_parameters()
    return as_points(parameters, design_draws(parameters, draws, seed)[0])


def decision_table(values: pd.DataFrame) -> pd.DataFrame:
    """``values``: draws x options (each option's value in each draw). Per option: the expected value, the
    probability of being the best (a draw's tie goes to the option listed first, so the answer does not
    depend on rounding) and the expected regret."""
    matrix = values.to_numpy(dtype=float)
    best = np.nanmax(matrix, axis=1, keepdims=True)
    winner = np.argmax(np.nan_to_num(matrix, nan=-np.inf), axis=1)
    return pd.DataFrame({
        "option": list(values.columns),
        "expected_value": matrix.mean(axis=0),
        "probability_best": np.bincount(winner, minlength=matrix.shape[1]) / len(matrix),
        "expected_regret": (best - matrix).mean(axis=0),
    })  # fmt: skip


def by_draw(trials: dict[int, list[float]]) -> pd.DataFrame:
    """Draws x trials, from each finished trial's per-draw values (kept in the journal as a user attribute)."""
    return pd.DataFrame({f"trial {number}": values for number, values in sorted(trials.items())})


def render(table: pd.DataFrame, draws: int, regret_vs_all: float | None, unit: str) -> list[str]:
    lines = [
        "## Across the parameters' uncertainty",
        "",
        f"Every split, the reference and the named scenarios ran at the same {draws} draws of the uncertain "
        "parameters (as `spsim psa` draws them), each draw with the same replicate seeds. The split above maximises "
        "the expected value over the draws. *P(best)*: the share of draws in which the option is the best of those "
        "listed; *expected regret*: the mean over draws of the best listed option's value minus its own.",
        "",
        f"| option | expected value ({unit}) | P(best) | expected regret ({unit}) |",
        "|---|---|---|---|",
        *[f"| {r.option} | {r.expected_value:+,.0f} | {r.probability_best:.0%} | {r.expected_regret:,.0f} |"
          for r in table.itertuples()],
        "",
    ]
    if regret_vs_all is not None:
        lines += [f"Against every split the search tried (the best of them in each draw), the chosen split's "
                  f"expected regret is {regret_vs_all:,.0f} {unit}: what knowing the parameters before choosing among "
                  "the splits tried would be worth.", ""]  # fmt: skip
    return lines


def outputs(search: Search, study, best, named_rows: pd.DataFrame, reference_rows: pd.DataFrame) -> list[str]:
    """robust.csv: the chosen split, the named scenarios and the reference across the draws."""
    options = {f"split (trial {best.number})": best.user_attrs["by_draw"]}
    for s in search.named:
        options[s.name] = search.paired(named_rows[named_rows["scenario"] == s.name], reference_rows)[3]
    options[search.reference.name] = [0.0] * len(search.draws)
    values = pd.DataFrame(options)
    table = decision_table(values)
    every = by_draw({t.number: t.user_attrs["by_draw"] for t in study.trials if "by_draw" in t.user_attrs})
    everything = pd.concat([every, values.drop(columns=values.columns[0])], axis=1)
    regret_vs_all = float((everything.max(axis=1) - values.iloc[:, 0]).mean())
    spend = spend_by_draw(search, best, named_rows, reference_rows)
    table = table.merge(spend_summary(spend), on="option", how="left")
    atomic_write_csv(search.out / "robust.csv", table)
    atomic_write_csv(search.out / "by_draw.csv", values.rename_axis("draw").reset_index())
    atomic_write_csv(search.out / "spend_by_draw.csv", spend.rename_axis("draw").reset_index())
    return (render(table, search.robust, regret_vs_all, OBJECTIVES[search.objective][2])
            + spend_words(table, search.per_100k))


def spend_by_draw(search: Search, best, named_rows: pd.DataFrame, reference_rows: pd.DataFrame) -> pd.DataFrame:
    """Draws x options: the extra money each option actually spent (GBP a year per 100,000 adults, from the
    ledger) against the reference in each draw. A post's cost and a programme's price are drawn like any other
    parameter, and money becomes posts at the drawn cost, so this is where a budget that drifts would show."""
    from .problem import _extra_spend

    nan = [float("nan")] * len(search.draws)
    options = {f"split (trial {best.number})": best.user_attrs.get("spend_by_draw", nan)}  # older journals: none
    for s in search.named:
        options[s.name] = search.paired(named_rows[named_rows["scenario"] == s.name], reference_rows, _extra_spend)[3]
    return pd.DataFrame(options)


def spend_summary(spend: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"option": list(spend.columns), "spend_min_gbp_per_100k": spend.min().to_numpy(),
                         "spend_mean_gbp_per_100k": spend.mean().to_numpy(),
                         "spend_max_gbp_per_100k": spend.max().to_numpy()})  # fmt: skip


def spend_words(table: pd.DataFrame, budget_per_100k: float) -> list[str]:
    """The spend against the budget, per option, over the draws (the reference spends nothing extra)."""
    rows = table.dropna(subset=["spend_mean_gbp_per_100k"])
    if rows.empty:
        return []
    lines = [f"**Spend against the budget in every draw** ({budget_per_100k:,.0f} GBP a year per 100,000 adults; "
             "the ledger's extra spend over the reference, per draw: `spend_by_draw.csv`):", ""]
    for r in rows.itertuples():
        lines.append(f"- {r.option}: {r.spend_min_gbp_per_100k:,.0f} to {r.spend_max_gbp_per_100k:,.0f} "
                     f"(mean {r.spend_mean_gbp_per_100k:,.0f}; {r.spend_mean_gbp_per_100k / budget_per_100k - 1:+.1%} "
                     "against the budget)")
    return [*lines, "", "A spend that moves with the draws comes from prices drawn for programmes whose size is fixed "
            "(a peer-support programme, training, cover), and from posts that start part-way through a run; link "
            "worker and advisor money becomes posts at each draw's own cost of a post.", ""]
