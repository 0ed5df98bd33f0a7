"""The `spsim` command line's grammar: argparse, every subcommand and option with its default and help.

Whole-number options take plain digits only (``plain_int``): Python's int() also reads " 1", "1_000" and other
scripts' digits, which are typing slips here, not numbers someone meant.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from ..runs.design import VALUE_PER_QALY_GBP

from .errors import BadInput

RESULTS = Path("results")  # outputs go under the working folder, wherever spsim is installed
DEFAULT_POPULATION = 150_000  # a borough-sized place (about 190,000 residents)
PLACE_HELP = ("a place file (seeds/places/*.toml, see docs/inputs.md): the adults, small areas, link workers, groups "
              "and funding every scenario runs in (default: the embedded default place)")  # fmt: skip
PLAIN_INT = re.compile(r"-?[0-9]+\Z")


def plain_int(text: str) -> int:
    """A whole number written in digits (an optional minus sign), nothing around it."""
    if not PLAIN_INT.match(text):
        raise argparse.ArgumentTypeError(f"{text!r}: a whole number in digits, e.g. 10")
    return int(text)


def add_place(parser: argparse.ArgumentParser, population_default: int | None) -> None:
    """--place, and --population: with a place, the place's own adults unless --population rescales it."""
    parser.add_argument("--place", type=Path, default=None, metavar="FILE", help=PLACE_HELP)
    if population_default is not None:
        parser.add_argument("--population", type=plain_int, default=None,
                            help=f"adults in the catchment (default: the place's own; {population_default:,} for the "
                                 "default place); with --place, the place scaled to this size")  # fmt: skip
        parser.set_defaults(population_default=population_default)


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
    run.add_argument("--replicates", type=plain_int, default=10, help="runs per scenario (default 10)")
    run.add_argument("--years", type=float, default=5.0, help="simulated years (default 5)")
    run.add_argument("--warmup-years", type=float, default=1.0,
                     help="years the place runs as it is today before policies start and measurement begins "
                          "(default 1: caseloads, waiting lists and groups settle first)")  # fmt: skip
    run.add_argument("--seed", type=plain_int, default=2026, help="root seed; the same seed gives the same numbers")
    add_place(run, DEFAULT_POPULATION)
    run.add_argument("--workers", type=plain_int, default=1, help="worker processes (default 1)")
    run.add_argument("--executor", choices=["process", "dask"], default="process",
                     help="process: a local process pool; dask: Dask distributed (with --scheduler, a cluster)")  # fmt: skip
    run.add_argument("--scheduler", default=None, help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    run.add_argument("--out", type=Path, default=None, help="output folder (default results/<scenarios>)")
    run.add_argument("--resume", action="store_true",
                     help="complete an interrupted run in --out: only missing replicates are run")  # fmt: skip
    run.add_argument("--people", action="store_true",
                     help="also write every replicate's per-person outcome records to --out/people/ (Parquet)")
    viz = sub.add_parser("viz", help="serve the browser page (one simulation, week by week) on 127.0.0.1")
    viz.add_argument("--port", type=plain_int, default=8765, help="port (default 8765)")
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
    validate.add_argument("--replicates", type=plain_int, default=5, help="runs per scenario (default 5)")
    validate.add_argument("--years", type=float, default=3.0, help="simulated years after the warm-up (default 3)")
    add_place(validate, DEFAULT_POPULATION)
    validate.add_argument("--workers", type=plain_int, default=1, help="worker processes (default 1)")
    validate.add_argument("--out", type=Path, default=RESULTS / "validation")

    sub.add_parser("evidence", help="the parameter table and the seed findings (also written to seeds/EVIDENCE.md)")
    sub.add_parser("diagram", help="the pathway's state diagram from the transition table (written into README.md and docs/model.md)")

    calibrate = sub.add_parser(
        "calibrate",
        help="fit the parameters no source pins down to the published targets (Bayesian, on emulators)",
        description=(
            "Bayesian calibration on Gaussian-process emulators (the default --method emulator): a Latin hypercube "
            "of --samples points over the plausible ranges of the parameters in seeds/calibration.toml, run in the "
            "scenarios the targets read; one emulator per target quantity; a Gaussian likelihood of the observed "
            "targets in seeds/calibration_targets.toml (likelihood = true); the posterior sampled on the emulators "
            "as --draws equally weighted draws; parameters the targets do not inform left at their priors; each "
            "observed target left out and predicted. Writes design.csv, posterior_draws.csv, diagnostics.csv, "
            "cross_validation.csv and calibration.md to --out and, unless --no-write, seeds/calibrated.toml (the draw "
            "with the highest posterior density) and seeds/calibration_posterior.csv. --method rejection: the "
            "earlier ABC by rejection (--accept, --rounds, --confirm-*)."
        ),
    )
    calibrate.add_argument("--method", choices=["emulator", "rejection"], default="emulator",
                           help="emulator (default): Bayesian calibration on emulators; rejection: ABC by rejection")  # fmt: skip
    calibrate.add_argument("--samples", type=plain_int, default=None,
                           help="design points per wave (emulator, default 256) or per round (rejection, default 128)")  # fmt: skip
    calibrate.add_argument("--draws", type=plain_int, default=2000,
                           help="posterior draws written (emulator; default 2000, at least 1000)")  # fmt: skip
    calibrate.add_argument("--waves", type=plain_int, default=1,
                           help="history-matching waves (emulator; default 1: one space-filling design)")  # fmt: skip
    calibrate.add_argument("--accept", type=float, default=0.1, help="share of points kept (rejection; default 0.1)")
    calibrate.add_argument("--confirm-replicates", type=plain_int, default=3,
                           help="fresh replicates re-running each accepted point to choose the fitted set (rejection; default 3)")  # fmt: skip
    calibrate.add_argument("--confirm-population", type=plain_int, default=None,
                           help=f"adults in the confirming runs (rejection; default: the place's own; {DEFAULT_POPULATION:,} "
                                "for the default place, as spsim validate)")  # fmt: skip
    calibrate.add_argument("--rounds", type=plain_int, default=2,
                           help="rounds, each sampling the box the previous one accepted (rejection; default 2)")  # fmt: skip
    calibrate.add_argument("--no-write", action="store_true",
                           help="report the fit without writing seeds/calibrated.toml (or seeds/calibration_posterior.csv)")  # fmt: skip
    _design_arguments(calibrate, replicates=1, out="calibration")

    sensitivity = sub.add_parser(
        "sensitivity",
        help="which assumptions drive each outcome, and does the ranking of the policies change (SALib)",
    )
    sensitivity.add_argument("scenarios", nargs="*", metavar="SCENARIO", default=list(SENSITIVITY_SCENARIOS),
                             help=f"the first is the reference (default: {' '.join(SENSITIVITY_SCENARIOS)})")  # fmt: skip
    sensitivity.add_argument("--method", choices=["morris", "sobol"], default="morris",
                             help="morris: screening of every uncertain parameter; sobol: variance shares of a few")  # fmt: skip
    sensitivity.add_argument("--samples", type=plain_int, default=None,
                             help="Morris trajectories (default 4) or Sobol base samples (default 64)")  # fmt: skip
    sensitivity.add_argument("--parameters", default=None,
                             help="comma-separated parameters to vary (default: every uncertain one)")  # fmt: skip
    sensitivity.add_argument("--top", type=plain_int, default=None, metavar="K",
                             help="vary only the K parameters that most swing the policies' net benefits in the Morris "
                                  "screening in --from (Morris first, then Sobol on the few)")  # fmt: skip
    sensitivity.add_argument("--from", dest="screening", type=Path, default=RESULTS / "sensitivity",
                             help="folder of a Morris screening, for --top (default results/sensitivity)")  # fmt: skip
    sensitivity.add_argument("--value-per-qaly", type=float, default=VALUE_PER_QALY_GBP,
                             help="GBP a QALY is worth, to rank policies by net monetary benefit "
                                  f"(default {VALUE_PER_QALY_GBP:,.0f}, NICE's lower threshold)")  # fmt: skip
    _design_arguments(sensitivity, replicates=1, out="sensitivity")

    psa = sub.add_parser("psa", help="probabilistic sensitivity analysis: the policies' CEAC and the value of "
                                     "information over parameter draws")  # fmt: skip
    psa.add_argument("scenarios", nargs="*", metavar="SCENARIO", default=[],
                     help=f"the first is the reference (default: {' '.join(SENSITIVITY_SCENARIOS)}; with --from, "
                          "the scenarios of the folder's runs, in the order they ran)")  # fmt: skip
    psa.add_argument("--draws", type=plain_int, default=100, help="draws of the uncertain parameters (default 100)")
    psa.add_argument("--parameters", default=None, help="comma-separated parameters to draw (default: every uncertain one)")
    psa.add_argument("--from", dest="source", type=Path, default=None, metavar="DIR",
                     help="analyse the finished PSA in DIR again (its runs.csv and draws.csv) and rewrite its analysis "
                          "files there, without running the model; the options that set up a run do not apply")  # fmt: skip
    _design_arguments(psa, replicates=1, out="psa")

    structural = sub.add_parser(
        "structural", help="the economic evaluation under its structural alternatives: tornado, scenarios, the "
                           "brief's checks (issue 26)")  # fmt: skip
    structural.add_argument("scenarios", nargs="*", metavar="SCENARIO", default=list(STRUCTURAL_SCENARIOS),
                            help=f"the first is the reference (default: {' '.join(STRUCTURAL_SCENARIOS)})")
    structural.add_argument("--alternatives", type=Path, default=None, metavar="FILE",
                            help="labelled parameter overrides to run (default seeds/economic_alternatives.toml)")
    _design_arguments(structural, replicates=3, out="economics-structural")

    decision_map = sub.add_parser(
        "decision-map", help="which option is best where: a grid over two parameters (e.g. referral volume x group "
                             "capacity), each cell's best option by net monetary benefit")  # fmt: skip
    decision_map.add_argument("scenarios", nargs="*", metavar="SCENARIO", default=list(MAP_SCENARIOS),
                              help=f"the first is the reference (default: {' '.join(MAP_SCENARIOS)})")
    decision_map.add_argument("--map", dest="named_map", choices=sorted(MAP_AXES), default="volume-capacity",
                              help="a named pair of axes: " + "; ".join(f"{k}: {' x '.join(v)}" for k, v in
                                                                         MAP_AXES.items()) + " (default volume-capacity)")  # fmt: skip
    decision_map.add_argument("--x", default=None, metavar="NAME[=LOW:HIGH]",
                              help="the horizontal axis instead of the named map's (default range: its plausible range)")
    decision_map.add_argument("--y", default=None, metavar="NAME[=LOW:HIGH]", help="the vertical axis, likewise")
    decision_map.add_argument("--steps", type=plain_int, default=5, help="values on each axis (default 5; at most 12)")
    decision_map.add_argument("--value-per-qaly", type=float, default=20_000.0,
                              help="GBP per QALY for net monetary benefit (default 20,000)")
    _design_arguments(decision_map, replicates=3, out="decision-maps")

    optimise = sub.add_parser("optimise", help="the best split of a yearly budget over the funding levers (Optuna)")
    optimise.add_argument("--budget", type=float, required=True, metavar="GBP_A_YEAR",
                          help="extra money a year for the whole place (e.g. 150000 = 100,000 per 100,000 of 150,000 adults)")  # fmt: skip
    optimise.add_argument("--levers", default=",".join(OPTIMISE_LEVERS),
                          help=f"comma-separated levers (default {','.join(OPTIMISE_LEVERS)}; also referral_tariff, "
                               "and the on/off training, awareness, continuity, long_term_support)")  # fmt: skip
    optimise.add_argument("--objective", choices=["nmb", "qaly", "wellbeing", "equity"], default="nmb",
                          help="nmb: net monetary benefit at 20,000 GBP per QALY (default); qaly; wellbeing; equity: "
                               "nmb against the deprivation gap in net wellbeing, the trade-off front")  # fmt: skip
    optimise.add_argument("--robust", type=plain_int, default=0, metavar="DRAWS",
                          help="judge every split across DRAWS draws of the uncertain parameters, as spsim psa draws "
                               "them (the same draws and seeds for every split): the expected value is maximised, "
                               "and the best's probability of being best and expected regret are reported (default "
                               "0: the central values; at most 1,000)")  # fmt: skip
    optimise.add_argument("--trials", type=plain_int, default=40, help="splits to evaluate (default 40)")
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
    discover.add_argument("--max-dims", type=plain_int, default=3, help="parameters a box may restrict (default 3)")
    discover.add_argument("--labels", choices=("expected", "drawn"), default="expected",
                          help="a draw is a win by the expected difference given its parameters (default: chance "
                               "averaged away by regression) or by its own drawn difference")  # fmt: skip
    discover.add_argument("--out", type=Path, default=RESULTS / "discover", help="default results/discover")

    bench = sub.add_parser("bench", help="measure speed and memory from a PCN to a whole ICB (see docs/performance.md)")
    bench.add_argument("--quick", action="store_true", help="small sizes only")
    bench.add_argument("--out", type=Path, default=RESULTS / "benchmark")
    return parser


MAP_SCENARIOS = ("baseline", "no_social_prescribing", "more_link_workers", "fund_vcse", "supported_discharge",
                 "peer_support", "balanced_budget")  # fmt: skip
# the two maps issue 27 asks for: referral volume x group capacity, effect size x horizon
MAP_AXES = {"volume-capacity": ("referral_rate_per_1000", "groups_per_100k"),
            "effect-horizon": ("swemwbs_gain_max", "economic_horizon_years")}  # fmt: skip
OPTIMISE_LEVERS = ("link_workers", "vcse_grants", "supported_discharge", "peer_support")
STRUCTURAL_SCENARIOS = ("baseline", "no_social_prescribing", "more_link_workers", "fund_vcse", "supported_discharge",
                        "balanced_budget")  # fmt: skip
SENSITIVITY_SCENARIOS = ("baseline", "more_link_workers", "fund_vcse", "supported_discharge", "peer_support",
                         "balanced_budget")  # fmt: skip


def defaults(command: str) -> dict[str, tuple[str, object]]:
    """Each option of one subcommand: its attribute and its default (to tell which options a command line set)."""
    (commands,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return {a.option_strings[-1]: (a.dest, a.default) for a in commands.choices[command]._actions
            if a.option_strings and a.dest != "help"}  # fmt: skip


def _design_arguments(parser: argparse.ArgumentParser, replicates: int | None, out: str) -> None:
    """The run settings shared by calibrate, sensitivity and psa (smaller defaults than `run`: many points)."""
    if replicates is not None:
        parser.add_argument("--replicates", type=plain_int, default=replicates, help=f"runs per point (default {replicates})")
    parser.add_argument("--years", type=float, default=3.0, help="simulated years after the warm-up (default 3)")
    parser.add_argument("--warmup-years", type=float, default=1.0, help="warm-up years (default 1)")
    add_place(parser, 50_000)
    parser.add_argument("--seed", type=plain_int, default=2026, help="root seed (default 2026)")
    parser.add_argument("--workers", type=plain_int, default=1, help="worker processes (default 1)")
    parser.add_argument("--executor", choices=["process", "dask"], default="process")
    parser.add_argument("--scheduler", default=None, help="Dask scheduler address")
    parser.add_argument("--out", type=Path, default=RESULTS / out, help=f"default results/{out}")
