"""`spsim optimise`: the best split of a budget over the funding levers (issue 16).

A candidate is a split of the yearly budget over the chosen levers: continuous levers (link worker posts,
capacity grants to groups, link advisors of the supported discharge pathway) take shares of the money; a lever
with a fixed cost (the peer-support programme) is on or off, and when on its cost comes off the top. Each
candidate is a scenario like those in experiments/scenarios (`budget_gbp_per_100k_year` declared, so spend.csv-
style checks apply), run with the same replicate seeds as the reference and the named scenarios: every
comparison is paired (common random numbers), and the objective is the mean paired difference from the
reference (net monetary benefit at 20,000 GBP per QALY by default).

The search is Optuna's TPE sampler (Bergstra et al. 2011; seeded, so a search is reproducible), chosen over an
evolutionary multi-objective search (EMA Workbench, pymoo) because each evaluation costs tens of seconds and TPE
does well within a few dozen; its journal file (data, not code) records every trial, so an interrupted search
resumes where it stopped, and the simulations themselves are shards that a resumed search reads back rather than
re-runs (a resumed search seeds its sampler from the seed and the number of trials already run, so its later
trials differ from an uninterrupted search's; the ones already run are kept exactly). The first trials are the
named equal-budget splits and each lever alone (enqueued), so the best found
is never worse than a named scenario on the same seeds. Shares are drawn as independent uniforms normalised to
sum to one (a standard parametrisation of a simplex for TPE).

The levers and their costs are in experiments/optimise/levers.py; `--robust DRAWS` (judging splits across
the parameters' uncertainty) in experiments/optimise/robust.py; `--objective equity` (benefit against the
deprivation gap, and the trade-off front) in experiments/optimise/equity.py; the outputs' tables and words
in experiments/optimise/report.py; what a candidate is and how it is judged in experiments/optimise/problem.py.
"""

from __future__ import annotations

import math

import pandas as pd

from . import equity, robust
from .fifths import gap_rows
from .levers import (  # noqa: F401 - the levers' names are part of this module's interface
    CONTINUOUS, DEFAULT_LEVERS, FIXED, LEDGER, LEVERS, Split, first_trials, policies_for, split_from,
    starts_per_100k_year,
)  # fmt: skip
from .problem import OBJECTIVES, Search, _extra_spend, candidate  # noqa: F401 - Search: the interface
from .report import compare, figure, render, scenario_file, split_of, trials_table
from .robust import MAX_DRAWS  # noqa: F401 - the command line's bound on --robust
from ..runs import outdir
from ..runs.design import MAX_RUNS, DesignError  # noqa: F401 - DesignError: the interface
from ..runs.runner import atomic_write_csv, atomic_write_text

STUDY = "spsim-optimise"


def run(search: Search, trials: int, sampler_seed: int | None = None) -> pd.DataFrame:
    """Run (or resume) the search; write trials.csv, comparison.csv, optimise.md and optimise.png (and, with
    --robust, robust.csv; with the equity objective, pareto.csv and pareto.png)."""
    unknown = [lever for lever in search.levers if lever not in LEVERS]
    if unknown:
        raise DesignError(f"spsim optimise: --levers {unknown[0]!r}: allowed: {', '.join(LEVERS)}")
    if len(set(search.levers)) != len(search.levers):
        raise DesignError("spsim optimise: --levers: a lever is named twice")
    continuous = [lever for lever in search.levers if lever in CONTINUOUS]
    fixed = [lever for lever in search.levers if lever in FIXED]
    if not continuous:
        raise DesignError(f"spsim optimise: --levers: name at least one of {', '.join(CONTINUOUS)}")
    if not (math.isfinite(search.budget_gbp_year) and search.budget_gbp_year > 0):
        raise DesignError(f"spsim optimise: --budget {search.budget_gbp_year}: a number of GBP a year above 0")
    if search.objective not in OBJECTIVES:
        raise DesignError(f"spsim optimise: --objective {search.objective!r}: allowed: {', '.join(OBJECTIVES)}")
    most = min(robust.MAX_DRAWS, MAX_RUNS // max(search.replicates, 1))  # a design's runs are capped too
    if search.robust == 1 or not 0 <= search.robust <= most:
        raise DesignError(f"spsim optimise: --robust {search.robust}: 0 (the central values) or from 2 to "
                          f"{most:,} draws at {search.replicates} replicates")  # fmt: skip
    if search.draws is None:
        search.draws = robust.parameter_draws(search.robust, search.seed) if search.robust else [{}]
    outdir.check(search.out)
    outdir.claim(search.out)
    with outdir.locked(search.out):  # one search per folder: the journal is not shared
        try:
            return _search(search, trials, continuous, fixed, sampler_seed)
        finally:
            search.backend.close()


def _study(search: Search, sampler_seed: int | None):
    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = JournalStorage(JournalFileBackend(str(search.out / "optuna-journal.log")))
    found = any(s.study_name == STUDY for s in storage.get_all_studies())
    study = optuna.load_study(study_name=STUDY, storage=storage) if found else None
    mine = search.settings()
    if study is not None and study.user_attrs.get("settings", mine) != mine:
        old = study.user_attrs["settings"]
        key = next(k for k in [*mine, *old] if old.get(k) != mine.get(k))
        # a search from before its place was part of its identity: where it ran is unknown, so it is not resumed
        was = f"{old[key]!r}" if key in old else "not recorded"
        raise DesignError(f"spsim optimise: --out {search.out} holds a search with other settings ({key} was "
                          f"{was}, now {mine.get(key)!r}); use a new --out")  # fmt: skip
    # a resumed search keeps every finished trial exactly, and seeds its sampler from the seed and how many trials
    # exist (a sampler re-seeded as at the start would propose the same splits again)
    # (finished trials only: the enqueued first trials wait in the journal from the start, and a search stopped
    # before any finished should go on as one never stopped)
    done = sum(t.state.is_finished() for t in study.trials) if study else 0
    seed = (search.seed if sampler_seed is None else sampler_seed) + 7919 * done
    directions = ["maximize", "minimize"] if search.objective == "equity" else ["maximize"]
    study = optuna.create_study(study_name=STUDY, storage=storage, directions=directions, load_if_exists=True,
                                sampler=optuna.samplers.TPESampler(seed=seed))  # fmt: skip
    if not study.trials:
        study.set_user_attr("settings", search.settings())
        for params in first_trials(search.levers):
            study.enqueue_trial(params)
    return study


def _search(search: Search, trials: int, continuous: list[str], fixed: list[str], sampler_seed: int | None) -> pd.DataFrame:
    import optuna

    study = _study(search, sampler_seed)  # first: a folder holding another search is refused before anything runs
    reference_rows = search.evaluate([search.reference], "reference")
    if "referral_tariff" in search.levers:
        search.starts_per_100k_year = starts_per_100k_year(reference_rows)
    named_rows = search.evaluate(search.named, "named scenarios") if search.named else pd.DataFrame()
    rows_of: dict[int, pd.DataFrame] = {}
    ledger = set(LEDGER) | {"weeks", "population"}

    def objective(trial):
        weights = {lever: trial.suggest_float(f"w_{lever}", 0.0, 1.0) for lever in continuous}
        on = {lever: trial.suggest_categorical(f"on_{lever}", [False, True]) for lever in fixed}
        split = split_from(weights, on, search.per_100k, search.parameters)
        if split is None:
            raise optuna.TrialPruned("the on/off levers alone cost more than the budget")
        scenario = candidate(f"split-{trial.number:04d}", split, search.per_100k, search.fields["place"],
                             search.starts_per_100k_year)  # fmt: skip
        rows = search.evaluate([scenario], f"trial {trial.number}")
        rows_of[trial.number] = rows
        mean, low, high, per_draw = search.paired(rows, reference_rows)
        trial.set_user_attr("ci_low", low)
        trial.set_user_attr("ci_high", high)
        if search.robust:
            trial.set_user_attr("by_draw", per_draw)
        if ledger <= set(rows.columns):
            spent = search.paired(rows, reference_rows, _extra_spend)
            trial.set_user_attr("actual_extra_gbp_per_100k_year", spent[0])
            if search.robust:  # spend against budget in every draw (prices are drawn too)
                trial.set_user_attr("spend_by_draw", spent[3])
        for lever, gbp in split.gbp_per_100k_year.items():
            trial.set_user_attr(f"gbp_per_100k_year_{lever}", gbp)
        if search.objective != "equity":
            return mean
        gap, gap_low, gap_high, _ = search.paired(rows, reference_rows, gap_rows)
        trial.set_user_attr("gap_ci_low", gap_low)
        trial.set_user_attr("gap_ci_high", gap_high)
        return mean, gap

    remaining = trials - sum(t.state.is_finished() for t in study.trials)
    if remaining > 0:
        study.optimize(objective, n_trials=remaining, catch=())
    if not any(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials):
        raise DesignError("spsim optimise: no split tried was within the budget (the on/off levers cost more); "
                          "give a larger --budget or more --trials")  # fmt: skip
    table = trials_table(study, search)
    front = study.best_trials if search.objective == "equity" else [study.best_trial]
    best = max(front, key=lambda t: t.values[0])
    best_split = split_of(best, search.levers)
    best_rows = rows_of.get(best.number)
    if best_rows is None:  # found in an earlier session: its shards are on disk, so this reads them back
        best_rows = search.evaluate([candidate(f"split-{best.number:04d}", best_split, search.per_100k,
                                               search.fields["place"], search.starts_per_100k_year)], "best")  # fmt: skip
    comparison = compare(search, best_rows, reference_rows, named_rows)
    sections = []
    if search.robust:
        sections += robust.outputs(search, study, best, named_rows, reference_rows)
    if search.objective == "equity":
        sections += equity.outputs(search, table, [t.number for t in front], named_rows, reference_rows)
    atomic_write_text(search.out / "best_split.toml", scenario_file(best_split, search, best.number))
    atomic_write_csv(search.out / "trials.csv", table)
    atomic_write_csv(search.out / "comparison.csv", comparison)
    figure(table, search, search.out / "optimise.png")
    text = render(search, table, best.number, best_split, comparison, sections)
    atomic_write_text(search.out / "optimise.md", text)
    print(text)
    return table
