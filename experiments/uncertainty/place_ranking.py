"""Does the ranking of two equal-cost policies change with the place's supply of community groups? (issue 14)

The evidence (Dayson 2020, Cooper 2024, Wilson 2019 on provision) says that where groups are scarce, referral
meets full groups, so money for groups (fund_vcse) should beat more link workers (more_link_workers); where
groups are plentiful, the link workers are the bottleneck and the order may turn. This runs both policies and
the baseline, paired (common random numbers), in two versions of one place that differ only in groups per
100,000 adults, and writes the paired difference fund_vcse - more_link_workers per replicate and its mean with
a 95% interval to results/places/ranking.csv (and ranking.md).

A documented experiment rather than a test: at test sizes the difference is within chance. Run with
``python -m spsim.experiments.uncertainty.place_ranking [--replicates N] [--population N] [--years Y] [--workers W]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import pandas as pd

from ..inputs import place as places
from ..inputs import scenario as scenarios
from ..analysis.intervals import mean_ci
from ..comparison.experiment import Experiment
from ..runs.runner import atomic_write_csv, atomic_write_text

PLACE = places.PLACES_DIR / "urban_deprived_borough.toml"
SUPPLY = {"scarce": 40.0, "plentiful": 200.0}  # groups per 100,000 adults (the calibrated England value: 134)
METRICS = ("swemwbs_points_gained", "vcse_uptake_rate", "provision_gap_share")


def with_groups(site: places.Place, per_100k: float) -> places.Place:
    """The same place with another supply of groups (recorded, so the two runs have their own identity)."""
    parameters = {**site.parameters, "groups_per_100k": per_100k}
    return dataclasses.replace(site, parameters=parameters, record={**site.record, "parameters": parameters})


def run(replicates: int, population: int, years: float, workers: int, out: Path) -> pd.DataFrame:
    rows = []
    for label, per_100k in SUPPLY.items():
        site = with_groups(places.load(PLACE).at_population(population), per_100k)
        loaded = [scenarios.load(n, site.parameters) for n in ("baseline", "more_link_workers", "fund_vcse")]
        experiment = Experiment(scenarios=loaded, replicates=replicates, years=years, seed=2026, place=site,
                                out=out / label)  # fmt: skip
        experiment.run(workers=workers)
        table = pd.read_csv(out / label / "replicates.csv").set_index(["scenario", "replicate"])
        for metric in METRICS:
            difference = (table.loc["fund_vcse", metric] - table.loc["more_link_workers", metric]).dropna()
            mean, low, high = mean_ci(difference.to_numpy())
            rows.append({"groups": label, "groups_per_100k": per_100k, "metric": metric,
                         "fund_vcse_minus_more_link_workers": mean, "ci_low": low, "ci_high": high,
                         "replicates": len(difference)})  # fmt: skip
    result = pd.DataFrame(rows)
    atomic_write_csv(out / "ranking.csv", result)
    atomic_write_text(out / "ranking.md", _report(result, replicates, population, years))
    return result


def _report(result: pd.DataFrame, replicates: int, population: int, years: float) -> str:
    lines = [
        "# Policy ranking and the supply of community groups",
        "",
        f"`seeds/places/{PLACE.name}` at {population:,} adults, {years:g} years after a 1-year warm-up, "
        f"{replicates} paired replicates; the two runs differ only in groups per 100,000 adults. Paired difference "
        "fund_vcse - more_link_workers (equal extra money), mean and 95% interval:",
        "",
        "| groups | per 100k | metric | difference | 95% interval |",
        "|---|---|---|---|---|",
    ]
    for r in result.itertuples():
        lines.append(f"| {r.groups} | {r.groups_per_100k:g} | {r.metric} | {r.fund_vcse_minus_more_link_workers:+.3f} "
                     f"| {r.ci_low:+.3f} to {r.ci_high:+.3f} |")  # fmt: skip
    points = result[result["metric"] == "swemwbs_points_gained"].set_index("groups")
    for label in points.index:
        r = points.loc[label]
        better = "fund_vcse" if r["ci_low"] > 0 else "more_link_workers" if r["ci_high"] < 0 else "neither, clearly"
        lines += ["", f"With {label} groups ({r['groups_per_100k']:g} per 100,000 adults) the wellbeing points gained "
                      f"favour **{better}**."]  # fmt: skip
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=10)
    parser.add_argument("--population", type=int, default=50_000)
    parser.add_argument("--years", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("results") / "places")
    args = parser.parse_args(argv)
    print(run(args.replicates, args.population, args.years, args.workers, args.out).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
