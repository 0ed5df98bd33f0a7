"""The `spsim` command: one function per command, and ``main``, which runs one and turns every refusal into one
line and an exit code.

Exit codes: 0 success, 2 bad input (one line on stderr, nothing written), 1 anything else.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

from ...model.parameters import CalibrationFileError, ParameterError, registry

from ..comparison.experiment import ResumeMismatch
from ..inputs import place as places
from ..inputs import scenario as scenarios
from ..inputs.place import PlaceError
from ..inputs.scenario import ScenarioError
from ..runs.outdir import OutputFolderError
from ..runs.shards import ShardError

from . import checks
from .errors import BadInput, one_line
from .parser import MAP_AXES, RESULTS, SENSITIVITY_SCENARIOS, build_parser, defaults
from .viz_commands import cmd_viz, cmd_viz_assets


def cmd_design(args: argparse.Namespace) -> int:
    """calibrate, sensitivity and psa: runs over a design of parameter sets."""
    from ..runs.design import DesignError

    if args.command == "psa" and not args.scenarios:
        args.scenarios = list(SENSITIVITY_SCENARIOS)
    site = checks.check_design(args)
    common = dict(years=args.years, warmup_years=args.warmup_years, population=args.population, seed=args.seed,
                  out=args.out, executor=args.executor, workers=args.workers, scheduler=args.scheduler,
                  place=site)  # fmt: skip
    load = [scenarios.load(n, site.parameters) for n in getattr(args, "scenarios", [])]
    checks.distinct(args.command, load, getattr(args, "scenarios", []))
    names = [n.strip() for n in args.parameters.split(",") if n.strip()] if getattr(args, "parameters", None) else None
    if getattr(args, "parameters", None) is not None and not names:
        raise BadInput(f"spsim {args.command}: --parameters {args.parameters!r}: name at least one parameter")
    value = getattr(args, "value_per_qaly", None)
    if value is not None and not (math.isfinite(value) and value > 0):
        raise BadInput(f"spsim {args.command}: --value-per-qaly {value}: must be a number of GBP above 0")
    try:
        if args.command == "decision-map":
            from ..uncertainty import decision_map
            x_text, y_text = MAP_AXES[args.named_map]
            x = decision_map.axis(args.x or x_text, args.steps)
            y = decision_map.axis(args.y or y_text, args.steps)
            decision_map.run(load, x, y, args.replicates, value_per_qaly=args.value_per_qaly, **common)
        elif args.command == "structural":
            from ..uncertainty import structural
            structural.run(load, args.alternatives or structural.ALTERNATIVES, args.replicates, args.years,
                           args.warmup_years, args.seed, args.out, site, executor=args.executor, workers=args.workers,
                           scheduler=args.scheduler)  # fmt: skip
        elif args.command == "calibrate" and args.method == "rejection":
            from ..uncertainty import calibrate
            calibrate.run(args.samples or 128, args.replicates, accept=args.accept, rounds=args.rounds,
                          confirm_replicates=args.confirm_replicates, confirm_population=args.confirm_population,
                          write=not args.no_write, **common)  # fmt: skip
        elif args.command == "calibrate":
            from ..uncertainty import bayesian_calibration
            bayesian_calibration.run(args.samples or 256, args.replicates, draws=args.draws, waves=args.waves,
                                     write=not args.no_write, **common)  # fmt: skip
        elif args.command == "sensitivity":
            from ..uncertainty import sensitivity
            if args.top is not None:
                if names:
                    raise BadInput("spsim sensitivity: give --parameters or --top, not both")
                names = sensitivity.leading_parameters(args.screening / "indices.csv", args.top)
            samples = args.samples or (4 if args.method == "morris" else 64)
            sensitivity.run(args.method, load, names, samples,
                            args.replicates, value_per_qaly=args.value_per_qaly, **common)  # fmt: skip
        else:
            from ..uncertainty import psa
            psa.run(load, args.draws, parameter_names=names,
                    replicates=args.replicates, **common)  # fmt: skip
    except DesignError as err:
        text = str(err)
        raise BadInput(text if text.startswith("spsim") else f"spsim {args.command}: {text}") from err
    return 0


def cmd_psa_from(args: argparse.Namespace) -> int:
    """`spsim psa --from DIR`: the analysis of a finished PSA again, written into its folder, nothing run."""
    from ..runs.design import DesignError
    from ..uncertainty import psa

    for option, (dest, default) in defaults("psa").items():
        value = getattr(args, dest)
        if option != "--from" and value != default:  # a value typed equal to the default changes nothing
            raise BadInput(f"spsim psa --from: {option} does not apply: the analysis reads the finished runs in "
                           f"{args.source} (their settings are theirs); to run a new PSA, leave out "
                           "--from")  # fmt: skip
    try:
        psa.analyse(args.source, args.scenarios or None)
    except DesignError as err:
        raise BadInput(str(err)) from err
    return 0


def cmd_optimise(args: argparse.Namespace) -> int:
    """`spsim optimise`: search the splits of --budget over --levers (experiments/optimise/search.py)."""
    from ..optimise import search as optimise
    from ..runs.design import DesignError

    site = checks.check_design(args)
    checks.within(args, "--trials", 1, checks.MAX_POINTS, f"must be from 1 to {checks.MAX_POINTS:,}")
    if not (math.isfinite(args.budget) and 0 < args.budget <= 1e10):
        raise BadInput(f"spsim optimise: --budget {args.budget}: a number of GBP a year above 0 (at most 1e10)")
    if args.robust == 1 or not 0 <= args.robust <= optimise.MAX_DRAWS:
        raise BadInput(f"spsim optimise: --robust {args.robust}: 0 (the central values) or from 2 to "
                       f"{optimise.MAX_DRAWS:,} draws")  # fmt: skip
    levers = tuple(name.strip() for name in args.levers.split(",") if name.strip())
    named = [n.strip() for n in args.compare.split(",") if n.strip()]
    reference, *compared = [scenarios.load(n, site.parameters) for n in [args.reference, *named]]
    checks.distinct("optimise", [reference, *compared], [f"--reference {args.reference}", *named])
    search = optimise.Search(
        reference=reference, named=compared,
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
    from ..uncertainty import discover
    from ..runs.design import DesignError

    if not (math.isfinite(args.value) and 0 <= args.value <= 1e7):
        raise BadInput(f"spsim discover: --value {args.value}: GBP per QALY from 0 to 10,000,000")
    if not (math.isfinite(args.density) and 0 < args.density <= 1):
        raise BadInput(f"spsim discover: --density {args.density}: a share above 0 and at most 1")
    if not 1 <= args.max_dims <= 50:
        raise BadInput(f"spsim discover: --max-dims {args.max_dims}: from 1 to 50")
    try:
        discover.run(args.source, args.policy, args.over, args.out, args.value, args.density, args.max_dims,
                     args.labels)
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
        from ..inputs.scenario import policy_to_dict

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
    from ..comparison.experiment import Experiment

    site = checks.check_settings(args)
    loaded = [scenarios.load(name, site.parameters) for name in args.scenarios]  # all validated before anything runs
    checks.distinct("run", loaded, args.scenarios)
    checks.check_scheduler(args.scheduler)
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
        if args.command == "psa" and args.source is not None:
            return cmd_psa_from(args)
        if args.command in ("calibrate", "sensitivity", "psa", "structural", "decision-map"):
            return cmd_design(args)
        if args.command == "optimise":
            return cmd_optimise(args)
        if args.command == "discover":
            return cmd_discover(args)
        if args.command == "viz-assets":
            return cmd_viz_assets(args.bundle, args.source)
        if args.command == "validate":
            from ..uncertainty import validate
            site = checks.check_settings(args)
            validate.run(args.out, args.replicates, args.years, args.population, args.workers, place=site)
            return 0  # a failed target is a finding, reported in the table, not an error of the command
        if args.command == "diagram":
            from ..reporting import pathway_diagram
            return pathway_diagram.main()
        if args.command == "evidence":
            from ..reporting import evidence
            return evidence.main()
        if args.command == "bench":
            from ..runs import bench
            from ..runs import outdir
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
