"""`spsim discover`: scenario discovery on a PSA (issue 16). Under which conditions does one policy beat
another?

Each PSA draw is a point in parameter space with both policies' extra QALYs and net cost against the reference
(psa's incremental.csv, draws.csv). A draw is a "case of interest" when the policy's net monetary benefit (at
--value GBP per QALY) beats the other's. PRIM (the Patient Rule Induction Method, Friedman and Fisher 1999;
EMA Workbench's implementation, the reference tool for scenario discovery, Kwakkel 2017) peels the parameter
space into a box where such draws are dense. Of its peeling trajectory we report the box with the most coverage
(the share of all cases of interest inside it) among those with at least --density (the share of draws inside
it that are cases of interest), among boxes that restrict at most --max-dims parameters; with none that dense,
the densest. Its restricted dimensions, said in words,
are the figures to measure locally before choosing.

Which draws are wins. A PSA draw run once (or twice) mixes the parameters' effect with chance: at 50,000 adults
two policies' net benefits can swap places on the luck of the simulated people alone, and PRIM would then look
for a rule in that luck. By default (``labels="expected"``) a draw is a win when the *expected* difference given
its parameters is above zero: the difference regressed on the parameters that explain it, as the value of
information does it (``value_of_information``: screened by gradient boosting, a Gaussian process on those;
Strong, Oakley and Brennan 2014), which averages chance away. ``labels="drawn"`` uses each draw's own
difference (chance included). With fewer than ``value_of_information.MIN_DRAWS`` draws, or a regression that
predicts nothing out of sample, the drawn labels are used and the report says so.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from ..runs.design import DesignError
from ..runs.runner import atomic_write_csv, atomic_write_text


FEW_DRAWS = 500  # below this a box rests on a few dozen wins: the report calls it a lead


@dataclass(frozen=True)
class Box:
    limits: dict[str, tuple[float, float]]  # the restricted parameters only: (low, high) inside the box
    ranges: dict[str, tuple[float, float]]  # each restricted parameter's range over all the draws
    coverage: float
    density: float
    mass: float
    cases: int  # cases of interest among all draws
    draws: int
    trajectory: pd.DataFrame  # coverage, density, mass, res_dim along the peeling


def prim_box(x: pd.DataFrame, interesting: np.ndarray, density: float = 0.8, max_dims: int = 3) -> Box:
    """The PRIM box over ``x`` (draws x parameters) for the boolean ``interesting``, restricting at most
    ``max_dims`` parameters (a box of many restrictions over few draws describes those draws, not a rule)."""
    y = np.asarray(interesting, dtype=int)
    if y.sum() == 0 or y.sum() == len(y):
        raise DesignError("spsim discover: the policy wins in none or all of the draws: there is nothing to discover")
    with warnings.catch_warnings():
        # the workbench warns at import about optional parallel back-ends, and its PRIM still uses pandas
        # idioms that pandas 3 deprecates (its own code, not ours): neither bears on the result
        for category in (UserWarning, DeprecationWarning, FutureWarning, PendingDeprecationWarning):
            warnings.simplefilter("ignore", category)
        from ema_workbench.analysis import prim

        finder = prim.Prim(x.astype(float), y, obj_function=prim.PRIMObjectiveFunctions.ORIGINAL)
        box = finder.find_box()
    trajectory = box.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].reset_index(drop=True)
    readable = trajectory[trajectory["res_dim"] <= max_dims]
    dense = readable[readable["density"] >= density]
    chosen = int(dense["coverage"].idxmax()) if len(dense) else int(readable["density"].idxmax())
    lims, full = box.box_lims[chosen], finder.box_init
    limits, ranges = {}, {}
    for name in x.columns:
        low, high = float(lims.at[0, name]), float(lims.at[1, name])
        ranges[name] = (float(full.at[0, name]), float(full.at[1, name]))
        if not (math.isclose(low, ranges[name][0]) and math.isclose(high, ranges[name][1])):
            limits[name] = (low, high)
    row = trajectory.loc[chosen]
    return Box(limits, {k: ranges[k] for k in limits}, float(row["coverage"]), float(row["density"]), float(row["mass"]), int(y.sum()), len(y),
               trajectory)  # fmt: skip


def read_psa(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(draws x parameters, incremental.csv) of a `spsim psa` folder, checked."""
    try:
        draws = pd.read_csv(folder / "draws.csv").set_index("draw")
        incremental = pd.read_csv(folder / "incremental.csv")
    except (OSError, ValueError, KeyError) as err:
        raise DesignError(f"spsim discover: --from {folder}: not a spsim psa folder (draws.csv and incremental.csv "
                          f"with QALYs; {type(err).__name__})") from None  # fmt: skip
    if not {"point", "scenario", "extra_qalys", "extra_cost_gbp"} <= set(incremental.columns):
        raise DesignError(f"spsim discover: --from {folder}: incremental.csv has no extra_qalys (made before "
                          "issue 15? run `make psa` again)")  # fmt: skip
    return draws, incremental


def advantage(incremental: pd.DataFrame, policy: str, other: str, value: float) -> pd.Series:
    """Per draw: ``policy``'s net monetary benefit minus ``other``'s at ``value`` GBP per QALY."""
    known = set(incremental["scenario"])
    for name, option in ((policy, "--policy"), (other, "--over")):
        if name not in known:
            raise DesignError(f"spsim discover: {option} {name!r}: not in the PSA; it has {', '.join(sorted(known))}")
    benefit = incremental.assign(nmb=value * incremental["extra_qalys"] - incremental["extra_cost_gbp"])
    table = benefit.pivot(index="point", columns="scenario", values="nmb")
    return table[policy] - table[other]


def wins(incremental: pd.DataFrame, policy: str, other: str, value: float) -> pd.Series:
    """Per draw: does ``policy`` have a higher net monetary benefit than ``other`` at ``value`` GBP per QALY?"""
    return advantage(incremental, policy, other, value) > 0


@dataclass(frozen=True)
class Labels:
    """Which draws count as wins, and on what basis (said in the report)."""

    won: pd.Series  # per draw
    basis: str  # "expected" or "drawn"
    note: str  # one sentence for the report
    parameters: tuple[str, ...] = ()  # what the expected difference depends on (PRIM looks only there)


def label(x: pd.DataFrame, difference: pd.Series, labels: str = "expected") -> Labels:
    """Wins by the expected difference given the parameters (chance averaged away), or by each draw's own."""
    from . import value_of_information as voi

    drawn = Labels(difference > 0, "drawn", "A draw is a win when its own difference is above zero (chance "
                   "included: with one or two replicates per draw some wins and losses are the simulated people's luck).")
    if labels == "drawn":
        return drawn
    if len(difference) < voi.MIN_DRAWS:
        return Labels(drawn.won, "drawn", f"With {len(difference)} draws (fewer than {voi.MIN_DRAWS}) the expected "
                      "difference cannot be estimated well: " + drawn.note[0].lower() + drawn.note[1:])
    target = difference.to_numpy(dtype=float)[:, None]
    with threadpool_limits(limits=1):  # small matrices: one BLAS thread (see value_of_information.evppi)
        chosen = voi.screen(x, [target])
        fit = voi.conditional_expectation(x[chosen].to_numpy(dtype=float), target)
    if not fit.r2 > 0:
        return Labels(drawn.won, "drawn", "The difference shows no pattern in the parameters that a regression can "
                      "predict out of sample (leave-one-out R² not above 0): " + drawn.note[0].lower() + drawn.note[1:])
    won = pd.Series(fit.fitted[:, 0] > 0, index=difference.index)
    flipped = int((won != (difference > 0)).sum())
    return Labels(won, "expected", (
        f"A draw is a win when the expected difference given its parameters is above zero: the difference regressed "
        f"on {', '.join(f'`{c}`' for c in chosen)} (a Gaussian process, leave-one-out R² {fit.r2:.2f}; the rest of "
        f"the spread is chance or parameters that do not matter), so the box describes the parameters, not the "
        f"simulated people's luck. {flipped} of {len(won)} draws are labelled otherwise than their own difference "
        "would label them. PRIM looks for the box among these parameters only: the expected difference depends on "
        "no other."), tuple(chosen))


def in_words(box: Box, policy: str, other: str, density: float = 0.8) -> str:
    if not box.limits:
        return f"`{policy}` beats `{other}` in {box.cases} of {box.draws} draws, with no region where it is denser."
    if box.density < density:  # no box as dense as asked: the densest is a tendency, not a rule
        return (f"No sharp rule: no box reaches {density:.0%} density. `{policy}` beats `{other}` in "
                f"{box.cases} of {box.draws} draws ({box.cases / box.draws:.0%}); it is most often ahead when "
                f"{_limits_in_words(box)}: {box.density:.0%} of the draws there, holding {box.coverage:.0%} of all "
                "the draws where it wins.")
    return (f"`{policy}` beats `{other}` when {_limits_in_words(box)}: {box.density:.0%} of the draws there "
            f"(density), holding {box.coverage:.0%} of all the draws where it wins (coverage; "
            f"{box.cases} of {box.draws}).")


def _limits_in_words(box: Box) -> str:
    parts = []
    for name, (low, high) in box.limits.items():
        bottom, top = box.ranges[name]
        if math.isclose(low, bottom):
            parts.append(f"`{name}` is below {high:.3g}")
        elif math.isclose(high, top):
            parts.append(f"`{name}` is above {low:.3g}")
        else:
            parts.append(f"`{name}` is from {low:.3g} to {high:.3g}")
    return " and ".join(parts)


def figure(box: Box, x: pd.DataFrame, interesting: np.ndarray, path: Path, policy: str, other: str) -> None:
    from ..reporting.figures import plt, save

    names = list(box.limits)[:2]
    fig, axes = plt.subplots(1, 2 if names else 1, figsize=(11 if names else 6, 4.5), squeeze=False)
    left = axes[0][0]
    left.plot(box.trajectory["coverage"], box.trajectory["density"], "o-", ms=3)
    left.plot([box.coverage], [box.density], "D", color="black", ms=8, label="chosen box")
    left.set_xlabel("coverage")
    left.set_ylabel("density")
    left.set_title("PRIM peeling trajectory")
    left.legend(fontsize=8)
    if names:
        right = axes[0][1]
        xs = x[names[0]]
        ys = x[names[1]] if len(names) > 1 else np.zeros(len(x))
        right.scatter(xs[~interesting], ys[~interesting], s=14, color="grey", alpha=0.6, label=f"{other} at least as good")
        right.scatter(xs[interesting], ys[interesting], s=14, color="tab:red", label=f"{policy} better")
        (x0, x1) = box.limits[names[0]]
        (y0, y1) = box.limits[names[1]] if len(names) > 1 else (-0.5, 0.5)
        right.add_patch(plt.Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, lw=1.5))
        right.set_xlabel(names[0])
        right.set_ylabel(names[1] if len(names) > 1 else "")
        right.legend(fontsize=8)
        right.set_title("the box in its first two restricted parameters")
    fig.tight_layout()
    save(fig, path)


def _shown(path: Path) -> str:
    """The PSA's folder as the user would type it here: relative to the working folder when inside it (a report
    should not carry one machine's absolute paths)."""
    resolved = Path(path).resolve()
    return str(resolved.relative_to(Path.cwd())) if resolved.is_relative_to(Path.cwd()) else str(path)


def run(source: Path, policy: str, other: str, out: Path, value: float = 20_000.0, density: float = 0.8,
        max_dims: int = 3, labels: str = "expected") -> Box:  # fmt: skip
    from ..runs import outdir
    draws, incremental = read_psa(source)
    difference = advantage(incremental, policy, other, value)
    x = draws.loc[difference.index]
    labelled = label(x, difference, labels)
    won = labelled.won
    if labelled.parameters:
        x = x[list(labelled.parameters)]
    box = prim_box(x, won.to_numpy(), density, max_dims)
    outdir.claim(out)
    with outdir.locked(out):
        limits = pd.DataFrame([{"parameter": k, "low": lo, "high": hi, "range_low": box.ranges[k][0],
                                "range_high": box.ranges[k][1]} for k, (lo, hi) in box.limits.items()])  # fmt: skip
        atomic_write_csv(out / "box.csv", limits)
        atomic_write_csv(out / "trajectory.csv", box.trajectory)
        figure(box, x, won.to_numpy(), out / "discover.png", policy, other)
        text = "\n".join([
            "# Scenario discovery", "",
            f"From the PSA in `{_shown(source)}` ({box.draws} draws): where does `{policy}` have a higher net monetary "
            f"benefit than `{other}` at {value:,.0f} GBP per QALY? PRIM (EMA Workbench); of the boxes restricting "
            f"at most {max_dims} parameters, the one with most coverage at density {density:.0%} or more, else the "
            "densest.", "",
            labelled.note, "",
            in_words(box, policy, other, density), "",
            ("With few draws a box is a lead, not a finding" if box.draws < FEW_DRAWS else
             "A box found in a PSA is where to look, not a guarantee") +
            ": confirm it with a run in a place that sits inside it (`spsim run --place`).", "",
        ])  # fmt: skip
        atomic_write_text(out / "discover.md", text)
    print(text)
    return box
