"""`spsim psa`: probabilistic sensitivity analysis of the policy comparison, in the NICE reference case's
currency; `spsim psa --from DIR`: the same analysis of a finished PSA, without running the model.

Each draw takes every uncertain parameter at a quantile of a Latin hypercube: uniform over its plausible range
(or over the range a calibration accepted), or, where the registry names one, from a distribution centred on its
value with the range as its central 95% (beta for utilities and shares, gamma for costs and counts, log-normal
for ratios, normal for the mapping's slope; ``uncertain_parameters.from_unit_interval``). Every scenario runs with that draw
and the draw's own seeds (--replicates of them, the same in every scenario, so the comparison is paired;
averaged per draw, which takes most of the chance out of the spread between draws).

Outputs (psa_analysis.py, from the folder's draws.csv and runs.csv as written here, so a run and a re-analysis
agree file for file): each policy's extra QALYs and net cost against the reference (discounted, to the economic
horizon; model/health_economics.py); the cost-effectiveness acceptability curve over the value of a QALY; and
the value of information at 20,000 and 30,000 GBP per QALY: the expected value of perfect information (EVPI)
and of partial perfect information on groups of parameters a commissioner could research (EVPPI), by
regression so that chance between simulated people is not counted (value_of_information.py), beside the
Monte Carlo EVPI that counts it (an upper bound).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..inputs.place import Place
from ..inputs.scenario import Scenario
from ..runs import outdir
from ..runs.design import Design, DesignError, place_fields
from ..runs.uncertain_parameters import as_points, design_draws, uncertain_parameters
from . import psa_analysis, psa_folder


def run(scenarios: list[Scenario], draws: int, years: float, warmup_years: float, population: int, seed: int,
        out: Path, executor: str = "process", workers: int = 1, scheduler: str | None = None,
        parameter_names: list[str] | None = None, replicates: int = 1, place: Place | None = None) -> pd.DataFrame:  # fmt: skip
    if len(scenarios) < 2:
        raise DesignError("spsim psa: name at least two scenarios (the first is the reference)")
    if draws < 2:
        raise DesignError("spsim psa: --draws must be at least 2")
    parameters = uncertain_parameters(parameter_names)
    x, from_posterior = design_draws(parameters, draws, seed)
    design = Design(
        points=as_points(parameters, x), scenarios=scenarios, replicates=replicates, weeks=round(years * 52),
        warmup_weeks=round(warmup_years * 52), **place_fields(population, place), seed=seed, seeds_per_point=True,
    )  # fmt: skip
    outdir.check(out)  # refused before the design runs; the design checks its points, then marks and fills the folder
    runs = design.run(out, executor, workers, scheduler, label="psa")
    samples = pd.DataFrame(x, columns=[p.name for p in parameters])
    with outdir.locked(out):
        psa_folder.write(out, samples, runs, warmup_years, seed, from_posterior)
    return analyse(out, [s.name for s in scenarios])


def analyse(folder: Path, scenarios: list[str] | None = None) -> pd.DataFrame:
    """Write the analysis of the PSA in ``folder`` (its draws.csv and runs.csv) into it, print psa.md, and
    return the acceptability curve. ``scenarios``: the ones to compare, the reference first (default: all, in
    the order they ran). A folder that is not a finished PSA is refused (DesignError) before anything is written."""
    stored = psa_folder.read(folder, scenarios)
    text, curve = psa_analysis.write(folder, stored)
    print(text)
    return curve
