"""Run one simulation and print the pathway summary: ``python -m spsim.model --years 3``."""

from __future__ import annotations

import argparse
import sys

from .model import SocialPrescribingModel
from .parameters import CalibrationFileError, ParameterError
from .summary import format_summary, pathway_summary, state_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spsim.model", description=__doc__)
    parser.add_argument("--years", type=float, default=3.0, help="simulated years (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--population", type=int, default=None, help="adults in the catchment (default 50,000)")
    parser.add_argument(
        "--counterfactual", action="store_true", help="also run without social prescribing, same seed, and compare"
    )
    args = parser.parse_args(argv)
    overrides = {} if args.population is None else {"population": args.population}
    weeks = round(args.years * 52)
    try:
        runs = [("Social prescribing (baseline)", overrides)]
        if args.counterfactual:
            runs.append(("No social prescribing (counterfactual)", {**overrides, "social_prescribing": False}))
        for title, params in runs:
            model = SocialPrescribingModel(rng=args.seed, **params)
            model.run_for(weeks)
            model.close_open_records()
            print(format_summary(pathway_summary(model), f"{title}: {args.years:g} years, seed {args.seed}"))
            print(state_table(model))
            print()
    except (ParameterError, CalibrationFileError) as err:
        print(f"python -m spsim.model: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
