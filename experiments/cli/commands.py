"""The `spsim` command: list, show and run scenario experiments.

Exit codes: 0 success, 2 bad input (one line on stderr, nothing written), 1 anything else.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

from spsim.model.parameters import CalibrationFileError, ParameterError, registry

from spsim.experiments.inputs import place as places
from spsim.experiments.inputs import scenario as scenarios
from spsim.experiments.runs.design import VALUE_PER_QALY_GBP
from spsim.experiments.comparison.experiment import ResumeMismatch
from spsim.experiments.runs.outdir import OutputFolderError
from spsim.experiments.inputs.place import PlaceError
from spsim.experiments.runs.shards import ShardError
from spsim.experiments.inputs.scenario import ScenarioError

RESULTS = Path("results")  # outputs go under the working folder, wherever spsim is installed
DEFAULT_POPULATION = 150_000  # a borough-sized place (about 190,000 residents)
MAX_REPLICATES = 10_000  # more would run for weeks; a typing error should be refused, not started
PLACE_HELP = ("a place file (seeds/places/*.toml, see README 'Places'): the adults, small areas, link workers, groups "
              "and funding every scenario runs in (default: the embedded default place)")  # fmt: skip


def add_place(parser: argparse.ArgumentParser, population_default: int | None) -> None:
    """--place, and --population: with a place, the place's own adults unless --population rescales it."""
    parser.add_argument("--place", type=Path, default=None, metavar="FILE", help=PLACE_HELP)
    if population_default is not None:
        parser.add_argument("--population", type=int, default=None,
                            help=f"adults in the catchment (default: the place's own; {population_default:,} for the "
                                 "default place); with --place, the place scaled to this size")  # fmt: skip
        parser.set_defaults(population_default=population_default)


class BadInput(Exception):
    """Input the user can fix; reported in one line with exit code 2."""


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and exit code 2), like every other bad input."""

    def error(self, message: str):
        raise BadInput(f"{self.prog}: {message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="spsim",
        description="Simulate social prescribing in England and compare funding policies.",
        epilog="Example: spsim run baseline more_link_workers fund_vcse --replicates 10 --years 5",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    sub.add_parser("list", help="the scenarios, with one line on each")

    show = sub.add_parser("show", help="a scenario's parameters: value, unit and source")
    show.add_argument("scenario", help="scenario name (see `spsim list`) or path to a .toml file")
    add_place(show, None)

    run = sub.add_parser(
        "run",
        help="run scenarios and compare them (the first named is the reference)",
        description=(
            "Run each scenario --replicates times with paired seeds (replicate r has the same seed in every "
            "scenario, so differences are not blurred by chance), then write tables, figures and a report. "
            "The first scenario named is the reference every other is compared with."
        ),
    )
    run.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario names or .toml paths")
    run.add_argument("--replicates", type=int, default=10, help="runs per scenario (default 10)")
    run.add_argument("--years", type=float, default=5.0, help="simulated years (default 5)")
    run.add_argument("--warmup-years", type=float, default=1.0,
                     help="years the place runs as it is today before policies start and measurement begins "
                          "(default 1: caseloads, waiting lists and groups settle first)")  # fmt: skip
    run.add_argument("--seed", type=int, default=2026, help="root seed; the same seed gives the same numbers")
    add_place(run, DEFAULT_POPULATION)
    run.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    run.add_argument("--executor", choices=["process", "dask"], default="process",
                     help="process: a local process pool; dask: Dask distributed (with --scheduler, a cluster)")  # fmt: skip
    run.add_argument("--scheduler", default=None, help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    run.add_argument("--out", type=Path, default=None, help="output folder (default results/<scenarios>)")
    run.add_argument("--resume", action="store_true",
                     help="complete an interrupted run in --out: only missing replicates are run")  # fmt: skip
    run.add_argument("--people", action="store_true",
                     help="also write every replicate's per-person outcome records to --out/people/ (Parquet)")
    viz = sub.add_parser("viz", help="serve the browser page (one simulation, week by week) on 127.0.0.1")
    viz.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    add_place(viz, None)
    viz.add_argument("--no-fetch", action="store_true",
                     help="do not fetch missing front-end assets from the npm registry first")  # fmt: skip

    assets = sub.add_parser(
        "viz-assets",
        help="make the browser page work offline: fetch its front-end assets into Solara's cache folder",
        description=(
            "Fetch the JavaScript, CSS and fonts the browser page needs from the npm registry (honours "
            "npm_config_registry) into Solara's cache folder, so the page never calls a CDN. For a machine with "
            "no network at all: --bundle FILE on a connected machine, carry FILE across, then --from FILE."
        ),
    )
    where = assets.add_mutually_exclusive_group()
    where.add_argument("--bundle", type=Path, metavar="FILE.tar.gz", help="also pack the assets into one file")
    where.add_argument("--from", dest="source", type=Path, metavar="FILE.tar.gz",
                       help="unpack a bundle instead of fetching (no network needed)")  # fmt: skip

    validate = sub.add_parser("validate", help="run the model and compare it with published figures, pass or fail")
    validate.add_argument("--replicates", type=int, default=5, help="runs per scenario (default 5)")
    validate.add_argument("--years", type=float, default=3.0, help="simulated years after the warm-up (default 3)")
    add_place(validate, DEFAULT_POPULATION)
    validate.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    validate.add_argument("--out", type=Path, default=RESULTS / "validation")

    sub.add_parser("evidence", help="the parameter table and the seed findings (also written to seeds/EVIDENCE.md)")
    sub.add_parser("diagram", help="the pathway's state diagram from the transition table (written into README and ODD)")

    calibrate = sub.add_parser(
        "calibrate",
        help="fit the parameters no source pins down to the published targets (ABC)",
        description=(
            "Approximate Bayesian computation by rejection: a Latin hypercube over the plausible ranges of the "
            "parameters in seeds/calibration.toml, each point run against seeds/calibration_targets.toml; the "
            "closest --accept share is kept and the next round samples the box it spans; the last round's "
            "accepted points are re-run with fresh seeds and the closest becomes the fitted set, written to "
            "seeds/calibrated.toml. The defaults reproduce the fit in the repository."
        ),
    )
    calibrate.add_argument("--samples", type=int, default=128, help="points per round (default 128)")
    calibrate.add_argument("--accept", type=float, default=0.1, help="share of points kept (default 0.1)")
    calibrate.add_argument("--confirm-replicates", type=int, default=3,
                           help="fresh replicates re-running each accepted point to choose the fitted set (default 3)")  # fmt: skip
    calibrate.add_argument("--confirm-population", type=int, default=None,
                           help=f"adults in the confirming runs (default: the place's own; {DEFAULT_POPULATION:,} for "
                                "the default place, as spsim validate)")  # fmt: skip
    calibrate.add_argument("--rounds", type=int, default=2,
                           help="rounds, each sampling the box the previous one accepted (default 2)")  # fmt: skip
    calibrate.add_argument("--no-write", action="store_true", help="report the fit without writing seeds/calibrated.toml")
    _design_arguments(calibrate, replicates=2, out="calibration")

    sensitivity = sub.add_parser(
        "sensitivity",
        help="which assumptions drive each outcome, and does the ranking of the policies change (SALib)",
    )
    sensitivity.add_argument("scenarios", nargs="*", metavar="SCENARIO", default=list(SENSITIVITY_SCENARIOS),
                             help=f"the first is the reference (default: {' '.join(SENSITIVITY_SCENARIOS)})")  # fmt: skip
    sensitivity.add_argument("--method", choices=["morris", "sobol"], default="morris",
                             help="morris: screening of every uncertain parameter; sobol: variance shares of a few")  # fmt: skip
    sensitivity.add_argument("--samples", type=int, default=None,
                             help="Morris trajectories (default 4) or Sobol base samples (default 64)")  # fmt: skip
    sensitivity.add_argument("--parameters", default=None,
                             help="comma-separated parameters to vary (default: every uncertain one)")  # fmt: skip
    sensitivity.add_argument("--top", type=int, default=None, metavar="K",
                             help="vary only the K parameters that most swing the policies' net benefits in the Morris "
                                  "screening in --from (Morris first, then Sobol on the few)")  # fmt: skip
    sensitivity.add_argument("--from", dest="screening", type=Path, default=RESULTS / "sensitivity",
                             help="folder of a Morris screening, for --top (default results/sensitivity)")  # fmt: skip
    sensitivity.add_argument("--value-per-qaly", type=float, default=VALUE_PER_QALY_GBP,
                             help="GBP a QALY is worth, to rank policies by net monetary benefit "
                                  f"(default {VALUE_PER_QALY_GBP:,.0f}, NICE's lower threshold)")  # fmt: skip
    _design_arguments(sensitivity, replicates=1, out="sensitivity")

    psa = sub.add_parser("psa", help="probabilistic sensitivity analysis: the policies' CEAC over parameter draws")
    psa.add_argument("scenarios", nargs="*", metavar="SCENARIO", default=list(SENSITIVITY_SCENARIOS),
                     help=f"the first is the reference (default: {' '.join(SENSITIVITY_SCENARIOS)})")  # fmt: skip
    psa.add_argument("--draws", type=int, default=100, help="draws of the uncertain parameters (default 100)")
    psa.add_argument("--parameters", default=None, help="comma-separated parameters to draw (default: every uncertain one)")
    _design_arguments(psa, replicates=1, out="psa")

    optimise = sub.add_parser("optimise", help="the best split of a yearly budget over the funding levers (Optuna)")
    optimise.add_argument("--budget", type=float, required=True, metavar="GBP_A_YEAR",
                          help="extra money a year for the whole place (e.g. 150000 = 100,000 per 100,000 of 150,000 adults)")  # fmt: skip
    optimise.add_argument("--levers", default=",".join(OPTIMISE_LEVERS),
                          help=f"comma-separated levers (default {','.join(OPTIMISE_LEVERS)}; also referral_tariff, "
                               "and the on/off training, awareness, continuity, long_term_support)")  # fmt: skip
    optimise.add_argument("--objective", choices=["nmb", "qaly", "wellbeing", "equity"], default="nmb",
                          help="nmb: net monetary benefit at 20,000 GBP per QALY (default); qaly; wellbeing; equity: "
                               "nmb against the deprivation gap in net wellbeing, the trade-off front")  # fmt: skip
    optimise.add_argument("--robust", type=int, default=0, metavar="DRAWS",
                          help="judge every split across DRAWS draws of the uncertain parameters, as spsim psa draws "
                               "them (the same draws and seeds for every split): the expected value is maximised, "
                               "and the best's probability of being best and expected regret are reported (default "
                               "0: the central values; at most 1,000)")  # fmt: skip
    optimise.add_argument("--trials", type=int, default=40, help="splits to evaluate (default 40)")
    optimise.add_argument("--reference", default="baseline", help="the scenario every split is compared with")
    optimise.add_argument("--compare", default="more_link_workers,fund_vcse,supported_discharge,balanced_budget",
                          help="named scenarios to compare the best split with (comma-separated; '' for none)")  # fmt: skip
    _design_arguments(optimise, replicates=3, out="optimise")

    discover = sub.add_parser("discover", help="scenario discovery on a PSA: where one policy beats another (PRIM)")
    discover.add_argument("--from", dest="source", type=Path, default=RESULTS / "psa",
                          help="a `spsim psa` folder (default results/psa)")  # fmt: skip
    discover.add_argument("--policy", default="fund_vcse", help="the policy whose wins are explained (default fund_vcse)")
    discover.add_argument("--over", default="more_link_workers", help="the policy it is compared with")
    discover.add_argument("--value", type=float, default=20_000.0, help="GBP per QALY (default 20,000)")
    discover.add_argument("--density", type=float, default=0.8,
                          help="the least share of wins inside the box (default 0.8)")  # fmt: skip
    discover.add_argument("--max-dims", type=int, default=3, help="parameters a box may restrict (default 3)")
    discover.add_argument("--out", type=Path, default=RESULTS / "discover", help="default results/discover")

    bench = sub.add_parser("bench", help="measure speed and memory from a PCN to a whole ICB (see README)")
    bench.add_argument("--quick", action="store_true", help="small sizes only")
    bench.add_argument("--out", type=Path, default=RESULTS / "benchmark")
    return parser


OPTIMISE_LEVERS = ("link_workers", "vcse_grants", "supported_discharge", "peer_support")
SENSITIVITY_SCENARIOS = ("baseline", "more_link_workers", "fund_vcse", "supported_discharge", "peer_support",
                         "balanced_budget")  # fmt: skip


def _design_arguments(parser: argparse.ArgumentParser, replicates: int | None, out: str) -> None:
    """The run settings shared by calibrate, sensitivity and psa (smaller defaults than `run`: many points)."""
    if replicates is not None:
        parser.add_argument("--replicates", type=int, default=replicates, help=f"runs per point (default {replicates})")
    parser.add_argument("--years", type=float, default=3.0, help="simulated years after the warm-up (default 3)")
    parser.add_argument("--warmup-years", type=float, default=1.0, help="warm-up years (default 1)")
    add_place(parser, 50_000)
    parser.add_argument("--seed", type=int, default=2026, help="root seed (default 2026)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--executor", choices=["process", "dask"], default="process")
    parser.add_argument("--scheduler", default=None, help="Dask scheduler address")
    parser.add_argument("--out", type=Path, default=RESULTS / out, help=f"default results/{out}")


MAX_POINTS = 10_000  # design points per round (--samples, --draws): more would run for months
MAX_ROUNDS = 20


def _within(args: argparse.Namespace, option: str, low: float, high: float, allowed: str) -> None:
    """One run setting against what the model can run; ``nan`` fails every comparison, so it is refused too."""
    value = getattr(args, option.removeprefix("--").replace("-", "_"))
    if not low <= value <= high:
        raise BadInput(f"spsim {args.command}: {option} {value}: {allowed}")


def place_of(args: argparse.Namespace) -> places.Place:
    """The place every scenario of the command runs in: --place (the place file, checked in full; scaled when
    --population is given) or the default place at --population; ``args.population`` becomes the adults that
    run (issue 14: a manifest recorded a population other than the one run)."""
    population = getattr(args, "population", None)
    if population is not None:
        try:
            registry()["population"].check(population)
        except ParameterError as err:
            raise BadInput(f"spsim {args.command}: --population: {err}") from None
    if args.place is None:
        site = places.default(population if population is not None else getattr(args, "population_default", 0))
    else:
        site = places.load(args.place).at_population(population)
    if hasattr(args, "population"):
        args.population = site.adults
    return site


def check_settings(args: argparse.Namespace) -> places.Place:
    """The settings every simulating command shares (run, validate, calibrate, sensitivity, psa), checked
    the same way and before anything is written (issue 12: the design commands used to accept what `run`
    refused, and fail after creating --out or hang); returns the place they run in."""
    _within(args, "--replicates", 1, MAX_REPLICATES, f"must be from 1 to {MAX_REPLICATES:,}")
    _within(args, "--years", 1 / 52, 50, "must be at least one week (0.02) and at most 50")
    _within(args, "--workers", 1, 1024, "must be from 1 to 1024")
    if hasattr(args, "warmup_years"):
        _within(args, "--warmup-years", 0, 20, "must be between 0 and 20")
    if hasattr(args, "seed"):
        _within(args, "--seed", 0, 2**63 - 1, "must be a whole number from 0 to 2**63 - 1")
    names = getattr(args, "scenarios", [])
    if len(set(names)) != len(names):
        raise BadInput(f"spsim {args.command}: a scenario is named twice")
    if getattr(args, "scheduler", None) is not None and getattr(args, "executor", None) != "dask":
        raise BadInput(f"spsim {args.command}: --scheduler needs --executor dask")
    return place_of(args)


def check_scheduler(address: str | None) -> None:
    """A Dask scheduler must answer within a few seconds, before anything is written (issue 12: an unreachable
    one failed after 30 s, through the catch-all, with --out already created). Asked last, after the checks
    that need no network."""
    from spsim.experiments.runs.runner import SchedulerUnreachable, probe_scheduler

    if address is None:
        return
    try:
        probe_scheduler(address)
    except SchedulerUnreachable as err:
        raise BadInput(f"spsim: --scheduler {address}: {err}") from None


def _enough_adults(args: argparse.Namespace) -> None:
    """A design's outcomes are rates: too few adults give none to compare."""
    if args.population is not None and args.population < 1000:
        raise BadInput(f"spsim {args.command}: --population {args.population}: must be at least 1000")


def _check_design(args: argparse.Namespace) -> places.Place:
    _enough_adults(args)  # --population, before anything else (as before places)
    site = check_settings(args)
    _enough_adults(args)  # the adults the place gives
    for option in ("--samples", "--draws"):
        if getattr(args, option[2:], None) is not None:
            _within(args, option, 2, MAX_POINTS, f"must be from 2 to {MAX_POINTS:,}")
    if args.command == "calibrate":
        if args.confirm_population is None:
            args.confirm_population = site.adults if args.place is not None else DEFAULT_POPULATION
        _within(args, "--rounds", 1, MAX_ROUNDS, f"must be from 1 to {MAX_ROUNDS}")
        _within(args, "--confirm-replicates", 1, MAX_REPLICATES, f"must be from 1 to {MAX_REPLICATES:,}")
        _within(args, "--confirm-population", 1000, registry()["population"].bounds[1],
                f"must be from 1000 to {registry()['population'].bounds[1]:,.0f}")  # fmt: skip
        site.at_population(args.confirm_population)  # a place that lists its groups runs only at its own size
    if getattr(args, "top", None) is not None:
        _within(args, "--top", 1, len(registry()), f"must be from 1 to {len(registry())}")
    check_scheduler(args.scheduler)
    return site


def cmd_design(args: argparse.Namespace) -> int:
    """calibrate, sensitivity and psa: runs over a design of parameter sets."""
    from spsim.experiments.runs.design import DesignError

    site = _check_design(args)
    common = dict(years=args.years, warmup_years=args.warmup_years, population=args.population, seed=args.seed,
                  out=args.out, executor=args.executor, workers=args.workers, scheduler=args.scheduler,
                  place=site)  # fmt: skip
    load = [scenarios.load(n, site.parameters) for n in getattr(args, "scenarios", [])]
    names = [n.strip() for n in args.parameters.split(",") if n.strip()] if getattr(args, "parameters", None) else None
    if getattr(args, "parameters", None) is not None and not names:
        raise BadInput(f"spsim {args.command}: --parameters {args.parameters!r}: name at least one parameter")
    value = getattr(args, "value_per_qaly", None)
    if value is not None and not (math.isfinite(value) and value > 0):
        raise BadInput(f"spsim {args.command}: --value-per-qaly {value}: must be a number of GBP above 0")
    try:
        if args.command == "calibrate":
            from spsim.experiments.uncertainty import calibrate
            calibrate.run(args.samples, args.replicates, accept=args.accept, rounds=args.rounds,
                          confirm_replicates=args.confirm_replicates, confirm_population=args.confirm_population,
                          write=not args.no_write, **common)  # fmt: skip
        elif args.command == "sensitivity":
            from spsim.experiments.uncertainty import sensitivity
            if args.top is not None:
                if names:
                    raise BadInput("spsim sensitivity: give --parameters or --top, not both")
                names = sensitivity.leading_parameters(args.screening / "indices.csv", args.top)
            samples = args.samples or (4 if args.method == "morris" else 64)
            sensitivity.run(args.method, load, names, samples,
                            args.replicates, value_per_qaly=args.value_per_qaly, **common)  # fmt: skip
        else:
            from spsim.experiments.uncertainty import psa
            psa.run(load, args.draws, parameter_names=names,
                    replicates=args.replicates, **common)  # fmt: skip
    except DesignError as err:
        text = str(err)
        raise BadInput(text if text.startswith("spsim") else f"spsim {args.command}: {text}") from err
    return 0


def cmd_optimise(args: argparse.Namespace) -> int:
    """`spsim optimise`: search the splits of --budget over --levers (experiments/optimise/search.py)."""
    from spsim.experiments.optimise import search as optimise
    from spsim.experiments.runs.design import DesignError

    site = _check_design(args)
    _within(args, "--trials", 1, MAX_POINTS, f"must be from 1 to {MAX_POINTS:,}")
    if not (math.isfinite(args.budget) and 0 < args.budget <= 1e10):
        raise BadInput(f"spsim optimise: --budget {args.budget}: a number of GBP a year above 0 (at most 1e10)")
    if args.robust == 1 or not 0 <= args.robust <= optimise.MAX_DRAWS:
        raise BadInput(f"spsim optimise: --robust {args.robust}: 0 (the central values) or from 2 to "
                       f"{optimise.MAX_DRAWS:,} draws")  # fmt: skip
    levers = tuple(name.strip() for name in args.levers.split(",") if name.strip())
    named = [n.strip() for n in args.compare.split(",") if n.strip()]
    search = optimise.Search(
        reference=scenarios.load(args.reference, site.parameters), named=[scenarios.load(n, site.parameters) for n in named],
        levers=levers, budget_gbp_year=args.budget, objective=args.objective, replicates=args.replicates,
        weeks=round(args.years * 52), warmup_weeks=round(args.warmup_years * 52), population=args.population,
        seed=args.seed, out=args.out, place=site, executor=args.executor, workers=args.workers, scheduler=args.scheduler,
        robust=args.robust,
    )  # fmt: skip
    try:
        optimise.run(search, args.trials)
    except DesignError as err:
        text = str(err)
        raise BadInput(text if text.startswith("spsim") else f"spsim optimise: {text}") from err
    return 0


def cmd_discover(args: argparse.Namespace) -> int:
    """`spsim discover`: PRIM on a PSA (experiments/uncertainty/discover.py)."""
    from spsim.experiments.uncertainty import discover
    from spsim.experiments.runs.design import DesignError

    if not (math.isfinite(args.value) and 0 <= args.value <= 1e7):
        raise BadInput(f"spsim discover: --value {args.value}: GBP per QALY from 0 to 10,000,000")
    if not (math.isfinite(args.density) and 0 < args.density <= 1):
        raise BadInput(f"spsim discover: --density {args.density}: a share above 0 and at most 1")
    if not 1 <= args.max_dims <= 50:
        raise BadInput(f"spsim discover: --max-dims {args.max_dims}: from 1 to 50")
    try:
        discover.run(args.source, args.policy, args.over, args.out, args.value, args.density, args.max_dims)
    except DesignError as err:
        raise BadInput(str(err)) from err
    return 0


def cmd_list() -> int:
    for name in scenarios.available():
        print(f"{name:<24} {scenarios.load(name).description}")
    return 0


def cmd_show(name: str, place_file: Path | None) -> int:
    site = places.load(place_file) if place_file is not None else None
    scenario = scenarios.load(name, site.parameters if site else None)
    params = scenario.resolved_parameters(**(site.parameters if site else {}))
    print(f"{scenario.name}: {scenario.description}")
    if site is not None:
        record = site.record
        print(f"  place {site.name} ({record['path']}, sha256 {record['sha256'][:12]}): {record['areas']} small areas, "
              f"{record['listed_groups']} listed groups; adults by deprivation quintile 1-5: "
              f"{', '.join(f'{q:,.0f}' for q in record['adults_by_imd_quintile'])}")  # fmt: skip
    if scenario.represents:
        print(f"  {scenario.represents}")
    if scenario.tests:
        print(f"  tests: {', '.join(scenario.tests)}")
    for policy in scenario.policies:
        from spsim.experiments.inputs.scenario import policy_to_dict

        fields = ", ".join(f"{k}={v}" for k, v in policy_to_dict(policy).items() if k != "type" and v is not None)
        print(f"  policy {policy.label}: {fields}")
    group = None
    for name_, p in registry().items():
        if p.group != group:
            group = p.group
            print(f"\n[{group}]")
        changed = "*" if name_ in scenario.parameters else "p" if site and name_ in site.parameters else " "
        source = p.source if isinstance(p.source, str) else ", ".join(p.source)
        if p.calibration:
            low, high = p.uncertainty
            source = f"calibrated, accepted {low:g}-{high:g}; prior from {source}"
        print(f" {changed}{name_:<36} {params[name_]!s:>12}  {p.unit}  (range {p.low}-{p.high}; {source})")
    print("\n* set by this scenario (wins over the place); p set by the place; policies apply from their start week; 'calibrated': fitted by `spsim calibrate`")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from spsim.experiments.comparison.experiment import Experiment

    site = check_settings(args)
    loaded = [scenarios.load(name, site.parameters) for name in args.scenarios]  # all validated before anything runs
    check_scheduler(args.scheduler)
    out = args.out or RESULTS / "-".join(s.name for s in loaded)[:80]
    experiment = Experiment(
        scenarios=loaded,
        replicates=args.replicates,
        years=args.years,
        seed=args.seed,
        place=site,
        out=Path(out),
        warmup_years=args.warmup_years,
        people=args.people,
    )
    experiment.check_resumable(args.resume)
    experiment.run(executor=args.executor, workers=args.workers, scheduler=args.scheduler, resume=args.resume)
    print(f"wrote {experiment.out}: report.md, comparison.csv, incremental.csv, spend.csv, equity.csv, subgroups.csv, "
          f"replicates.csv, figures/{', people/' if args.people else ''}")
    return 0


MAX_PLACE_JSON = 100_000  # an environment variable holds at most 128 kB on Linux


def cmd_viz(port: int, fetch: bool, place_file: Path | None = None) -> int:
    """Serve experiments/viz/app.py with Solara on 127.0.0.1 (only to pages it served itself) and say where."""
    from spsim.model.place import ENVIRONMENT, to_json

    from spsim.experiments.viz import assets as viz_assets
    if not 1024 <= port <= 65535:
        raise BadInput(f"spsim viz: --port {port}: must be between 1024 and 65535")
    place_json = ""
    if place_file is not None:  # checked here, handed to the page's process as data
        site = places.load(place_file)
        place_json = to_json(site.parameters, site.layout)
        if len(place_json) > MAX_PLACE_JSON:
            raise BadInput(f"spsim viz: --place {place_file}: too many areas or listed groups for the browser page "
                           f"({len(place_json):,} bytes as data; at most {MAX_PLACE_JSON:,})")  # fmt: skip
    if fetch and viz_assets.missing():
        print("spsim viz: fetching the page's front-end assets (once) from the npm registry", flush=True)
        try:
            viz_assets.ensure()
        except viz_assets.AssetError as err:  # the page may still load them from the CDN if there is internet
            print(one_line(f"{err}; the page needs internet, or `spsim viz-assets --from <bundle>`"), file=sys.stderr)
    try:
        viz_assets.verify()  # whatever is served runs in the browser: a changed cached file is refused
    except viz_assets.TamperedCache as err:
        raise BadInput(str(err)) from None
    except viz_assets.AssetError as err:  # the project's own pinned hashes are unreadable: not the user's input
        print(one_line(str(err)), file=sys.stderr)
        return 1
    print(f"spsim viz: open http://127.0.0.1:{port}/ in a browser (Ctrl-C stops the server)", flush=True)
    # `solara run` behind a guard that refuses other Hosts and Origins (DNS rebinding, cross-site WebSockets)
    command = [sys.executable, "-m", "spsim.experiments.viz.guard",
               "run", "spsim.experiments.viz.app:page", "--host", "127.0.0.1", "--port", str(port), "--production"]  # fmt: skip
    # no usage reports to Solara's analytics service: offline it only adds failing requests
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", ENVIRONMENT: place_json}
    sys.stdout.flush()
    # become the server rather than start it as a child: stopping `spsim viz` (Ctrl-C, a signal from a test
    # or a service manager) then stops the server too, instead of leaving it running on the port
    os.execve(sys.executable, command, env)
    return 0  # not reached


def cmd_viz_assets(bundle: Path | None, source: Path | None) -> int:
    from spsim.experiments.viz import assets as viz_assets
    _check_bundle_paths(bundle, source)
    try:
        if source is not None:
            names = viz_assets.unbundle(source)
            print(f"spsim viz-assets: unpacked {len(names)} packages into {viz_assets.cache_dir()}")
            return 0
        fetched = viz_assets.ensure()
        print(f"spsim viz-assets: {len(fetched)} fetched, all {len(viz_assets.PACKAGES)} in {viz_assets.cache_dir()}")
        if bundle is not None:
            viz_assets.bundle(bundle)
            print(f"spsim viz-assets: bundle written to {bundle} (on the offline machine: spsim viz-assets --from {bundle.name})")
    except viz_assets.BadBundle as err:  # the bundle the user gave: refused before anything was written
        raise BadInput(str(err)) from None
    except viz_assets.AssetError as err:  # the network or the cache folder, not the user's input
        print(one_line(str(err)), file=sys.stderr)
        return 1
    return 0


def _check_bundle_paths(bundle: Path | None, source: Path | None) -> None:
    """--from names a file to read; --bundle a file that can be written once every asset is fetched (so a bad
    name is refused now, not after the download)."""
    option, path = ("--from", source) if source is not None else ("--bundle", bundle)
    try:
        if source is not None and not source.is_file():
            raise BadInput(f"spsim viz-assets: --from {source}: no such file")
        if bundle is not None:
            if bundle.is_dir():
                raise BadInput(f"spsim viz-assets: --bundle {bundle}: a folder; name the bundle file to write")
            parent = bundle.absolute().parent
            if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
                raise BadInput(f"spsim viz-assets: --bundle {bundle}: cannot write in {parent}")
    except OSError as err:
        raise BadInput(f"spsim viz-assets: {option} {path}: cannot be used ({err.strerror or type(err).__name__})") from None


def one_line(text: str) -> str:
    """An error message as exactly one line: a newline or other control character that came in with a path or
    value is shown escaped (\\n, \\x1b), so the message cannot be split or repaint the terminal."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def main(argv: list[str] | None = None) -> int:
    """Run one command. Bad input is one line and exit 2 (in ``_main``); anything else is a bug in spsim: one
    line and exit 1, the traceback in a log file (or on stderr with SPSIM_DEBUG=1), never on the user's screen."""
    try:
        return _main(argv)
    except Exception as err:  # noqa: BLE001 - the last line of defence, by design
        if os.environ.get("SPSIM_DEBUG"):
            raise
        log = _error_log()
        print(f"spsim: unexpected error ({type(err).__name__}); the details are in {log}; please report it",
              file=sys.stderr)  # fmt: skip
        return 1


def _error_log() -> str:
    import tempfile
    import traceback

    fd, path = tempfile.mkstemp(prefix="spsim-error-", suffix=".log")
    with os.fdopen(fd, "w") as fh:
        fh.write(traceback.format_exc())
    return path


def _main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command == "list":
            return cmd_list()
        if args.command == "show":
            return cmd_show(args.scenario, args.place)
        if args.command == "viz":
            return cmd_viz(args.port, fetch=not args.no_fetch, place_file=args.place)
        if args.command in ("calibrate", "sensitivity", "psa"):
            return cmd_design(args)
        if args.command == "optimise":
            return cmd_optimise(args)
        if args.command == "discover":
            return cmd_discover(args)
        if args.command == "viz-assets":
            return cmd_viz_assets(args.bundle, args.source)
        if args.command == "validate":
            from spsim.experiments.uncertainty import validate
            site = check_settings(args)
            validate.run(args.out, args.replicates, args.years, args.population, args.workers, place=site)
            return 0  # a failed target is a finding, reported in the table, not an error of the command
        if args.command == "diagram":
            from spsim.experiments.reporting import pathway_diagram
            return pathway_diagram.main()
        if args.command == "evidence":
            from spsim.experiments.reporting import evidence
            return evidence.main()
        if args.command == "bench":
            from spsim.experiments.runs import bench
            from spsim.experiments.runs import outdir
            outdir.check_path(args.out)  # measuring takes minutes: a bad --out is refused first
            return bench.main([*(["--quick"] if args.quick else []), "--out", str(args.out)])
        return cmd_run(args)
    except (BadInput, ScenarioError, ParameterError, CalibrationFileError, ResumeMismatch, OutputFolderError,
            ShardError, PlaceError) as err:  # fmt: skip
        print(one_line(str(err)), file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into e.g. `head`, which closed early: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("spsim: interrupted; finished replicates are kept (run again with --resume)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
