"""How much each mechanism matters (issue 13): each switched off or changed, paired with the default.

A review found mechanisms that were inert (link worker continuity, the cost barrier, appropriateness) or
absent (support's own effect, referral at a low point). This experiment measures, for each, the paired
difference it makes to the measure it should move, so that each is either shown to matter at its
evidence-grounded size or shown to be small, with the figure. Writes ``results/mechanisms/`` (the runs,
``mechanisms.csv`` and ``mechanisms.md``)::

    python -m spsim.experiments.uncertainty.mechanism_sizes [--replicates 5] [--years 3] [--population 100000] [--workers 2]
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import pandas as pd

from ...model.parameters import resolve

from ..inputs import scenario as scenarios
from ..analysis.intervals import interval
from ..comparison.experiment import Experiment
from ..runs.runner import atomic_write_csv, atomic_write_text
from .validate import target_values

OUT = Path("results") / "mechanisms"


@dataclasses.dataclass(frozen=True)
class Variant:
    name: str
    base: str  # the scenario it changes
    overrides: dict
    mechanism: str  # what switching it shows
    metric: str  # the measure it should move
    share: bool = False


def variants() -> list[Variant]:
    groups = resolve({})["groups_per_100k"]
    return [
        Variant("no_support_effect", "baseline", {"link_worker_support_gain": 0.0,
                "link_worker_support_ucla_reduction": 0.0}, "link worker support's own effect (Mercer 2019; Kiely 2022)",
                "mean_swemwbs_change"),  # fmt: skip
        Variant("referral_at_any_point", "no_social_prescribing", {"referral_low_point_slope": 0.0},
                "referral at a low point (regression to the mean in the counterfactual)", "mean_swemwbs_change"),
        Variant("no_cost_barrier", "baseline", {"cost_barrier_deprived": 0.0},
                "the cost barrier for deprived people (fees rule some groups out)", "vcse_uptake_rate", share=True),
        Variant("all_referrals_appropriate", "baseline", {"appropriate_share_min": 1.0, "appropriate_share_max": 1.0},
                "inappropriate referrals (Cooper 2024)", "vcse_uptake_rate", share=True),
        Variant("inappropriate_not_passed_on", "baseline", {"inappropriate_passed_on_share": 0.0},
                "inappropriate referrals passed on to groups, holding places (Cooper 2024)", "mean_wait_vcse_weeks"),
        Variant("no_link_worker_turnover", "baseline", {"lw_quit_rate_per_year": 0.0},
                "link workers leaving, and the broken continuity it brings", "mean_swemwbs_change"),
        Variant("half_the_groups", "baseline", {"groups_per_100k": groups / 2},
                "community provision (half the groups)", "vcse_uptake_rate", share=True),
        Variant("double_the_groups", "baseline", {"groups_per_100k": groups * 2},
                "community provision (twice the groups): does provision bind?", "vcse_uptake_rate", share=True),
        Variant("no_supported_volunteering", "supported_discharge", {"supported_volunteer_prob": 0.0},
                "peer networks and volunteering of the supported pathway (Dayson 2020)", "mh_volunteer_rate", share=True),
    ]


def design(replicates: int, years: float, population: int, out: Path) -> tuple[Experiment, list[Variant]]:
    chosen = variants()
    bases = {name: scenarios.load(name) for name in dict.fromkeys(v.base for v in chosen)}
    changed = [dataclasses.replace(bases[v.base], name=v.name, description=f"{v.base} without/with: {v.mechanism}",
                                   parameters={**bases[v.base].parameters, **v.overrides}) for v in chosen]  # fmt: skip
    experiment = Experiment(scenarios=[*bases.values(), *changed], replicates=replicates, years=years, seed=2026,
                            place={"population": population}, out=out)  # fmt: skip
    return experiment, chosen


def sizes(replicates: pd.DataFrame, chosen: list[Variant]) -> pd.DataFrame:
    """Per variant: the measure with the mechanism as it is, as changed, and the paired difference."""
    rows = []
    for v in chosen:
        base = target_values(replicates, {"metric": v.metric, "scenario": v.base})
        changed = target_values(replicates, {"metric": v.metric, "scenario": v.name})
        diff = interval(target_values(replicates, {"metric": v.metric, "scenario": v.name, "versus": v.base}), v.share)
        rows.append({"variant": v.name, "mechanism": v.mechanism, "base": v.base, "metric": v.metric,
                     "as_is": float(base.mean()), "changed": float(changed.mean()), "difference": diff[0],
                     "ci_low": diff[1], "ci_high": diff[2],
                     "clear": not (diff[1] <= 0 <= diff[2])})  # fmt: skip
    return pd.DataFrame(rows)


def render(table: pd.DataFrame, settings: str) -> str:
    lines = ["# How much each mechanism matters", "", settings, "",
             "Each mechanism switched off or changed in one scenario, paired replicate by replicate with the "
             "scenario as it is. 'no clear difference' when the 95% interval includes zero.", "",
             "| mechanism | changed | measure | as it is | changed | difference (95% CI) |", "|---|---|---|---|---|---|"]  # fmt: skip
    for r in table.itertuples():
        verdict = "" if r.clear else " no clear difference"
        lines.append(f"| {r.mechanism} | `{r.variant}` (from `{r.base}`) | {r.metric} | {r.as_is:.3f} | {r.changed:.3f} | "
                     f"{r.difference:+.3f} ({r.ci_low:+.3f} to {r.ci_high:+.3f}){verdict} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m spsim.experiments.uncertainty.mechanism_sizes", description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=5)
    parser.add_argument("--years", type=float, default=3.0)
    parser.add_argument("--population", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    experiment, chosen = design(args.replicates, args.years, args.population, args.out)
    experiment.run(workers=args.workers)
    replicates = pd.read_csv(args.out / "replicates.csv")
    table = sizes(replicates, chosen)
    settings = (f"{args.replicates} paired replicates, {args.years:g} years after a 1-year warm-up, "
                f"{args.population:,} adults, seed 2026.")  # fmt: skip
    atomic_write_csv(args.out / "mechanisms.csv", table)
    atomic_write_text(args.out / "mechanisms.md", render(table, settings))
    print(render(table, settings))


if __name__ == "__main__":
    main()
