"""Model parameters and their provenance, read from ``seeds/parameters.toml``.

Each parameter carries its value, unit, plausible range, allowed bounds and source, so that the
numbers the model runs on are always next to the evidence they rest on (the OpenABM-Covid19 and
Covasim convention of a parameter table with a citation beside each default).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

# the evidence base ships as package data (seeds/ installs as spsim.seeds), so an installed copy finds it too
SEEDS_DIR = Path(str(resources.files("spsim.seeds")))
PARAMETERS_FILE = SEEDS_DIR / "parameters.toml"
CALIBRATED_FILE = SEEDS_DIR / "calibrated.toml"  # written by `spsim calibrate`
SOURCES_FILE = SEEDS_DIR / "sources.toml"
FINDINGS_FILE = SEEDS_DIR / "findings.toml"

Value = int | float | bool


class ParameterError(ValueError):
    """A parameter name or value that the model cannot accept."""


class CalibrationFileError(ValueError):
    """seeds/calibrated.toml cannot be used (kept apart from ParameterError, which scenario files report as
    their own: the fault is in the calibration file, not in the scenario being read)."""


@dataclass(frozen=True, slots=True)
class Parameter:
    """One model parameter with its evidence."""

    name: str
    value: Value
    unit: str
    low: Value
    high: Value
    bounds: tuple[float, float]
    source: tuple[str, ...] | str  # source ids, or "assumption: <why>"
    group: str
    description: str
    calibration: str = ""  # "calibrated to <targets> ..." when seeds/calibrated.toml sets the value
    posterior: tuple[float, float] | None = None  # the range the calibration accepted (its uncertainty)
    # how `spsim psa` draws it: uniform over the range, or a distribution around the value with the range as
    # its central 95% (beta for shares, gamma for costs and counts, log-normal for ratios; DISTRIBUTIONS)
    distribution: str = "uniform"

    @property
    def uncertainty(self) -> tuple[float, float]:
        """The range to vary in sensitivity analyses: the calibration's accepted range, else the plausible one."""
        return self.posterior if self.posterior is not None else (float(self.low), float(self.high))

    @property
    def kind(self) -> type:
        return type(self.value)

    @property
    def is_assumption(self) -> bool:
        return isinstance(self.source, str)

    def within_bounds(self, value: float) -> float:
        """``value`` held within the allowed bounds: the nearest allowed value (a policy's change that would pass
        a bound keeps the model running there rather than failing mid-run)."""
        lo, hi = self.bounds
        return min(max(value, lo), hi)

    def check(self, value: Any) -> Value:
        """Return ``value`` coerced to this parameter's type, or raise ParameterError saying what is allowed."""
        if self.kind is bool:
            if not isinstance(value, bool):
                raise ParameterError(f"{self.name} = {value!r}: expected true or false")
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ParameterError(f"{self.name} = {value!r}: expected a number ({self.unit})")
        if self.kind is int and not float(value).is_integer():
            raise ParameterError(f"{self.name} = {value!r}: expected a whole number ({self.unit})")
        lo, hi = self.bounds
        if not (math.isfinite(value) and lo <= value <= hi):
            raise ParameterError(f"{self.name} = {value!r}: allowed range is [{lo:g}, {hi:g}] ({self.unit})")
        return self.kind(value)


HEADROOM = 100  # the default ceiling: this many times the top of the plausible range


def _default_bounds(unit: str, high: float) -> tuple[float, float]:
    # Probabilities, shares and 0-1 indices cannot leave [0, 1]; every other quantity is a count,
    # rate, time or amount of money that cannot be negative, and has a finite ceiling the model can run
    # (two orders of magnitude above what is plausible: a referral rate of 1e300 a year is a typing
    # error, and it would hang or crash the model rather than answer a question).
    if unit in {"probability", "index 0-1"} or unit.startswith("share") or unit.startswith("probability"):
        return (0.0, 1.0)
    return (0.0, HEADROOM * float(high) if float(high) > 0 else math.inf)


DISTRIBUTIONS = ("uniform", "beta", "gamma", "lognormal", "normal")


def _parse(name: str, entry: dict[str, Any]) -> Parameter:
    missing = {"value", "unit", "range", "source", "description"} - entry.keys()
    if missing:
        raise ParameterError(f"{PARAMETERS_FILE}: parameter {name} lacks {', '.join(sorted(missing))}")
    distribution = entry.get("distribution", "uniform")
    if distribution not in DISTRIBUTIONS:
        raise ParameterError(f"{PARAMETERS_FILE}: parameter {name}: distribution = {distribution!r}; allowed: "
                             f"{', '.join(DISTRIBUTIONS)}")  # fmt: skip
    low, high = entry["range"]
    bounds = tuple(float(b) for b in entry.get("bounds", _default_bounds(entry["unit"], high)))
    source = entry["source"]
    return Parameter(
        name=name,
        value=entry["value"],
        unit=entry["unit"],
        low=low,
        high=high,
        bounds=bounds,  # type: ignore[arg-type]
        source=tuple(source) if isinstance(source, list) else source,
        group=entry.get("group", "other"),
        description=entry["description"],
        distribution=distribution,
    )


@cache
def registry() -> MappingProxyType[str, Parameter]:
    """All parameters, by name, in the order of the seeds file, with the values `spsim calibrate` fitted
    (seeds/calibrated.toml) in place of the prior defaults."""
    params = dict(priors())
    for name, fit in _calibrated().items():
        if name not in params:
            raise CalibrationFileError(f"{CALIBRATED_FILE}: {name} is not a parameter (re-run `spsim calibrate`)")
        prior = params[name]
        if "value" not in fit or "provenance" not in fit:
            raise CalibrationFileError(
                f"{CALIBRATED_FILE}: {name} needs a value and a provenance (re-run `spsim calibrate`)"
            )
        try:
            value = prior.check(fit["value"])
        except ParameterError as err:
            raise CalibrationFileError(f"{CALIBRATED_FILE}: {err}") from None
        accepted = fit.get("accepted_range")
        params[name] = replace(prior, value=value, calibration=fit["provenance"],
                               posterior=(float(accepted[0]), float(accepted[1])) if accepted else None)  # fmt: skip
    return MappingProxyType(params)


@cache
def priors() -> MappingProxyType[str, Parameter]:
    """The parameters as seeds/parameters.toml gives them, before any calibration."""
    with PARAMETERS_FILE.open("rb") as fh:
        table = tomllib.load(fh)
    return MappingProxyType({name: _parse(name, entry) for name, entry in table.items()})


def calibrated_names() -> list[str]:
    """The parameters whose values come from seeds/calibrated.toml."""
    return list(_calibrated())


def _calibrated() -> dict[str, dict[str, Any]]:
    if not CALIBRATED_FILE.exists():
        return {}
    try:
        with CALIBRATED_FILE.open("rb") as fh:
            return tomllib.load(fh).get("parameters", {})
    except tomllib.TOMLDecodeError as err:
        raise CalibrationFileError(f"{CALIBRATED_FILE}: not valid TOML ({err}); re-run `spsim calibrate` or delete it") from None


@cache
def evidence() -> tuple[dict[str, dict], dict[str, dict]]:
    """The source registry and the seed-document findings, by id."""
    with SOURCES_FILE.open("rb") as fh:
        sources = tomllib.load(fh)
    with FINDINGS_FILE.open("rb") as fh:
        findings = tomllib.load(fh)
    return sources, findings


def defaults() -> dict[str, Value]:
    return {name: p.value for name, p in registry().items()}


class Params:
    """The parameter values in force in one run, as attributes: ``p.support_weeks``.

    Built by ``resolve`` from the registry, so every name exists and every value has its parameter's type
    and lies within its bounds. Read-only: a policy changes values through ``model.update_parameters``,
    which builds a new view, so a value read twice in one week is the same value.
    """

    def __init__(self, values: dict[str, Value]):
        object.__setattr__(self, "__dict__", dict(values))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"parameters are read-only here; use model.update_parameters({name}=...)")

    def __getattr__(self, name: str) -> Any:  # only called for names that are not parameters
        raise AttributeError(f"unknown parameter {name!r}; see `spsim show baseline` for the list")

    def as_dict(self) -> dict[str, Value]:
        return dict(self.__dict__)

    @staticmethod
    def unit(name: str) -> str:
        return registry()[name].unit

    def __repr__(self) -> str:
        return f"Params({len(self.__dict__)} parameters)"


def chance_within(rate_per_year: float, weeks: float = 1.0) -> float:
    """The chance that an event happening at ``rate_per_year`` (a Poisson rate) happens within ``weeks``:
    the one conversion from a yearly rate to a probability, used everywhere (``rate / 52`` overstates it)."""
    return -math.expm1(-rate_per_year * weeks / 52)


# Sets of weights the model normalises: they cannot all be zero.
WEIGHT_SETS = (
    ("age_share_18_39", "age_share_40_64", "age_share_65_74", "age_share_75_plus"),
    ("multimorbidity_rr_18_39", "multimorbidity_rr_40_64", "multimorbidity_rr_65_74", "multimorbidity_rr_75_plus"),
    ("setback_share_health", "setback_share_family", "setback_share_money"),
)


def resolve(overrides: dict[str, Any] | None = None) -> dict[str, Value]:
    """Defaults with ``overrides`` applied, every value checked against its parameter's type and bounds."""
    params = defaults()
    known = registry()
    for name, value in (overrides or {}).items():
        if name not in known:
            raise ParameterError(f"unknown parameter {name!r}; see `spsim show baseline` for the list")
        params[name] = known[name].check(value)
    for names in WEIGHT_SETS:
        if not any(params[n] > 0 for n in names):
            raise ParameterError(f"{names[0]} ... {names[-1]} = 0: at least one of these weights must be above 0")
    return params
