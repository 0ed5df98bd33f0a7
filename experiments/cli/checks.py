"""The checks of the command line's options, before anything is created or run (DESIGN.md section 14): the
settings every simulating command shares, the place, the scenarios named, a Dask scheduler, a design's sizes."""

from __future__ import annotations

import argparse

from ...model.parameters import ParameterError, registry

from ..inputs import place as places

from .errors import BadInput
from .parser import DEFAULT_POPULATION

MAX_REPLICATES = 10_000  # more would run for weeks; a typing error should be refused, not started
MAX_POINTS = 10_000  # design points per round (--samples, --draws): more would run for months
MAX_ROUNDS = 20


def within(args: argparse.Namespace, option: str, low: float, high: float, allowed: str) -> None:
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
    within(args, "--replicates", 1, MAX_REPLICATES, f"must be from 1 to {MAX_REPLICATES:,}")
    within(args, "--years", 1 / 52, 50, "must be at least one week (0.02) and at most 50")
    within(args, "--workers", 1, 1024, "must be from 1 to 1024")
    if hasattr(args, "warmup_years"):
        within(args, "--warmup-years", 0, 20, "must be between 0 and 20")
    if hasattr(args, "seed"):
        within(args, "--seed", 0, 2**63 - 1, "must be a whole number from 0 to 2**63 - 1")
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
    from ..runs.executors import SchedulerUnreachable, probe_scheduler

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


def check_design(args: argparse.Namespace) -> places.Place:
    _enough_adults(args)  # --population, before anything else (as before places)
    site = check_settings(args)
    _enough_adults(args)  # the adults the place gives
    for option in ("--samples", "--draws"):
        if getattr(args, option[2:], None) is not None:
            within(args, option, 2, MAX_POINTS, f"must be from 2 to {MAX_POINTS:,}")
    if args.command == "calibrate":
        only_for_the_other_method = _set_for_the_other_method(args)  # before defaults are filled in below
        if not 0 < args.accept <= 1:  # (nan fails too)
            raise BadInput(f"spsim calibrate: --accept {args.accept}: must be above 0 and at most 1")
        if args.confirm_population is None:
            args.confirm_population = site.adults if args.place is not None else DEFAULT_POPULATION
        within(args, "--rounds", 1, MAX_ROUNDS, f"must be from 1 to {MAX_ROUNDS}")
        from ..uncertainty.bayesian_calibration import MAX_WAVES, MIN_DRAWS

        within(args, "--waves", 1, MAX_WAVES, f"must be from 1 to {MAX_WAVES}")
        within(args, "--draws", MIN_DRAWS, MAX_POINTS, f"must be from {MIN_DRAWS:,} to {MAX_POINTS:,}")
        within(args, "--confirm-replicates", 1, MAX_REPLICATES, f"must be from 1 to {MAX_REPLICATES:,}")
        within(args, "--confirm-population", 1000, registry()["population"].bounds[1],
                f"must be from 1000 to {registry()['population'].bounds[1]:,.0f}")  # fmt: skip
        site.at_population(args.confirm_population)  # a place that lists its groups runs only at its own size
        if only_for_the_other_method:
            other = "rejection" if args.method == "emulator" else "emulator"
            raise BadInput(f"spsim calibrate: {only_for_the_other_method} applies to --method {other} only "
                           f"(this is --method {args.method})")  # fmt: skip
    if getattr(args, "top", None) is not None:
        within(args, "--top", 1, len(registry()), f"must be from 1 to {len(registry())}")
    check_scheduler(args.scheduler)
    return site


# Options of one calibration method that the other ignores: given with the other, they are a mistake to say
CALIBRATION_OPTIONS = {
    "emulator": ("--draws", "--waves"),
    "rejection": ("--accept", "--confirm-replicates", "--confirm-population", "--rounds"),
}


def _set_for_the_other_method(args: argparse.Namespace) -> str | None:
    """The first option set (not at its default) that only the method not chosen reads, if any."""
    from .parser import defaults

    known = defaults("calibrate")
    for method, options in CALIBRATION_OPTIONS.items():
        if method == args.method:
            continue
        for option in options:
            dest, default = known[option]
            if getattr(args, dest) != default:
                return option
    return None


def distinct(command: str, loaded: list, given: list[str]) -> None:
    """Each scenario once: two arguments can name one scenario (``baseline`` and its file's path), and its
    results would then have two rows under one name (issue 24: pandas failed, after --out was written)."""
    seen: dict[str, str] = {}
    for scenario, text in zip(loaded, given, strict=True):
        if scenario.name in seen:
            raise BadInput(f"spsim {command}: scenario {scenario.name!r} is named twice ({seen[scenario.name]} and "
                           f"{text}); name each scenario once")  # fmt: skip
        seen[scenario.name] = text
