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
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import outdir
from .analysis import interval
from .design import Design, DesignError, place_fields
from .place import Place
from .runner import atomic_write_csv, atomic_write_text
from .scenario import Scenario, ScenarioError, parse

OBJECTIVES = {  # name -> (replicates.csv column, in words, unit)
    "nmb": ("nmb_20k_gbp", "net monetary benefit at 20,000 GBP per QALY", "GBP"),
    "qaly": ("qalys_gained", "QALYs gained", "QALYs"),
    "wellbeing": ("swemwbs_points_gained", "SWEMWBS points gained by the people measured", "points"),
}
CONTINUOUS = ("link_workers", "vcse_grants", "supported_discharge")
FIXED = ("peer_support",)
LEVERS = CONTINUOUS + FIXED
DEFAULT_LEVERS = ("link_workers", "vcse_grants", "supported_discharge", "peer_support")
STUDY = "spsim-optimise"


@dataclass(frozen=True)
class Split:
    """GBP per 100,000 adults a year on each lever (fixed levers: their cost when on, else 0)."""

    gbp_per_100k_year: dict[str, float]

    def shares(self) -> dict[str, float]:
        total = sum(self.gbp_per_100k_year.values())
        return {k: (v / total if total else 0.0) for k, v in self.gbp_per_100k_year.items()}


def fixed_cost_per_100k_year(lever: str, parameters: dict) -> float:
    if lever == "peer_support":
        return float(parameters["peer_programme_cost_per_100k_year_gbp"])
    raise DesignError(f"spsim optimise: {lever} is not a fixed-cost lever")


def split_from(weights: dict[str, float], switched_on: dict[str, bool], budget_per_100k: float,
               parameters: dict) -> Split | None:  # fmt: skip
    """The split for continuous ``weights`` (any non-negative numbers; normalised) and fixed levers
    ``switched_on``; None when the fixed levers alone cost more than the budget."""
    money = {lever: (fixed_cost_per_100k_year(lever, parameters) if on else 0.0) for lever, on in switched_on.items()}
    left = budget_per_100k - sum(money.values())
    if left < -1e-9:
        return None
    total = sum(weights.values())
    for lever, w in weights.items():
        money[lever] = left * (w / total if total > 0 else 1 / len(weights))
    return Split(money)


def policies_for(split: Split, parameters: dict) -> list[dict]:
    """Scenario-file policies that spend ``split`` (as the named scenarios do)."""
    out = []
    money = split.gbp_per_100k_year
    if money.get("link_workers", 0) > 0:
        out.append({"type": "link_workers", "budget_gbp_per_100k_year": money["link_workers"]})
    if money.get("vcse_grants", 0) > 0:
        out.append({"type": "vcse_grants", "gbp_per_100k_year": money["vcse_grants"]})
    if money.get("supported_discharge", 0) > 0:
        out.append({"type": "supported_discharge",
                    "advisors_per_100k": money["supported_discharge"] / float(parameters["lw_cost_per_fte_year_gbp"])})
    if money.get("peer_support", 0) > 0:
        out.append({"type": "peer_support"})
    return out


def candidate(name: str, split: Split, budget_per_100k: float, place: dict) -> Scenario:
    from model.parameters import resolve

    parameters = resolve(place)
    words = ", ".join(f"{share:.0%} {lever.replace('_', ' ')}" for lever, share in split.shares().items() if share > 0)
    data = {"description": f"A split of {budget_per_100k:,.0f} GBP per 100,000 adults a year: {words or 'nothing'}",
            "budget_gbp_per_100k_year": budget_per_100k, "policies": policies_for(split, parameters)}  # fmt: skip
    try:
        return parse(data, Path(f"{name}.toml"), place)
    except ScenarioError as err:  # a split the policies refuse (out of bounds): one line, as any bad input
        raise DesignError(f"spsim optimise: {err}") from err


@dataclass
class Search:
    """The settings of one search and the paired evaluation of candidates against the reference."""

    reference: Scenario
    named: list[Scenario]
    levers: tuple[str, ...]
    budget_gbp_year: float
    objective: str
    replicates: int
    weeks: int
    warmup_weeks: int
    population: int
    seed: int
    out: Path
    place: Place | None = None
    executor: str = "process"
    workers: int = 1
    scheduler: str | None = None

    def __post_init__(self) -> None:
        self.fields = place_fields(self.population, self.place)
        self.per_100k = self.budget_gbp_year / (self.population / 100_000)
        from model.parameters import resolve

        self.parameters = resolve(self.fields["place"])

    def evaluate(self, scenarios: list[Scenario], label: str) -> pd.DataFrame:
        """replicates.csv rows of ``scenarios``, each replicate seeded as every other evaluation's (paired)."""
        design = Design(points=[{}], scenarios=scenarios, replicates=self.replicates, weeks=self.weeks,
                        warmup_weeks=self.warmup_weeks, **self.fields, seed=self.seed)  # fmt: skip
        # the simulations' shards have their own folder (and lock) inside the search's
        return design.run(self.out / "evaluations", self.executor, self.workers, self.scheduler, label=label)

    def paired(self, rows: pd.DataFrame, reference_rows: pd.DataFrame) -> tuple[float, float, float]:
        column = OBJECTIVES[self.objective][0]
        ours = rows.set_index("replicate")[column]
        theirs = reference_rows.set_index("replicate")[column]
        return interval(ours - theirs, share=False)


def first_trials(levers: tuple[str, ...]) -> list[dict]:
    """Enqueued before the sampler takes over: an even split, each continuous lever alone, and the named
    balanced split (40% link workers, 30% grants, peer support on) where its levers are chosen."""
    continuous = [lever for lever in levers if lever in CONTINUOUS]
    fixed = [lever for lever in levers if lever in FIXED]
    trials = [{**{f"w_{lever}": 1.0 for lever in continuous}, **{f"on_{lever}": True for lever in fixed}}]
    for alone in continuous:
        trials.append({**{f"w_{lever}": (1.0 if lever == alone else 0.0) for lever in continuous},
                       **{f"on_{lever}": False for lever in fixed}})  # fmt: skip
    if {"link_workers", "vcse_grants", "peer_support"} <= set(levers):
        trials.append({**{f"w_{lever}": {"link_workers": 0.4, "vcse_grants": 0.3}.get(lever, 0.0) for lever in continuous},
                       **{f"on_{lever}": lever == "peer_support" for lever in fixed}})  # fmt: skip
    return trials


def run(search: Search, trials: int, sampler_seed: int | None = None) -> pd.DataFrame:
    """Run (or resume) the search; write trials.csv, comparison.csv, optimise.md and optimise.png."""
    unknown = [lever for lever in search.levers if lever not in LEVERS]
    if unknown:
        raise DesignError(f"spsim optimise: --levers {unknown[0]!r}: allowed: {', '.join(LEVERS)}")
    continuous = [lever for lever in search.levers if lever in CONTINUOUS]
    fixed = [lever for lever in search.levers if lever in FIXED]
    if not continuous:
        raise DesignError(f"spsim optimise: --levers: name at least one of {', '.join(CONTINUOUS)}")
    if not (math.isfinite(search.budget_gbp_year) and search.budget_gbp_year > 0):
        raise DesignError(f"spsim optimise: --budget {search.budget_gbp_year}: a number of GBP a year above 0")
    outdir.claim(search.out)
    with outdir.locked(search.out):  # one search per folder: the journal is not shared
        return _search(search, trials, continuous, fixed, sampler_seed)


def _search(search: Search, trials: int, continuous: list[str], fixed: list[str], sampler_seed: int | None) -> pd.DataFrame:
    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    reference_rows = search.evaluate([search.reference], "reference")
    named_rows = search.evaluate(search.named, "named scenarios") if search.named else pd.DataFrame()

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = JournalStorage(JournalFileBackend(str(search.out / "optuna-journal.log")))
    study = optuna.load_study(study_name=STUDY, storage=storage) if any(s.study_name == STUDY for s in storage.get_all_studies()) else None
    # a resumed search keeps every finished trial exactly, and seeds its sampler from the seed and how many trials
    # exist (a sampler re-seeded as at the start would propose the same splits again)
    done = len(study.trials) if study else 0
    seed = (search.seed if sampler_seed is None else sampler_seed) + 7919 * done
    study = optuna.create_study(study_name=STUDY, storage=storage, direction="maximize", load_if_exists=True,
                                sampler=optuna.samplers.TPESampler(seed=seed))  # fmt: skip
    if not study.trials:
        for params in first_trials(search.levers):
            study.enqueue_trial(params)
    splits: dict[int, Split] = {}
    rows_of: dict[int, pd.DataFrame] = {}

    def objective(trial) -> float:
        weights = {lever: trial.suggest_float(f"w_{lever}", 0.0, 1.0) for lever in continuous}
        on = {lever: trial.suggest_categorical(f"on_{lever}", [False, True]) for lever in fixed}
        split = split_from(weights, on, search.per_100k, search.parameters)
        if split is None:
            raise optuna.TrialPruned("the fixed-cost levers alone cost more than the budget")
        scenario = candidate(f"split-{trial.number:04d}", split, search.per_100k, search.fields["place"])
        rows = search.evaluate([scenario], f"trial {trial.number}")
        splits[trial.number], rows_of[trial.number] = split, rows
        mean, low, high = search.paired(rows, reference_rows)
        trial.set_user_attr("ci_low", low)
        trial.set_user_attr("ci_high", high)
        for lever, gbp in split.gbp_per_100k_year.items():
            trial.set_user_attr(f"gbp_per_100k_year_{lever}", gbp)
        return mean

    remaining = trials - sum(t.state.is_finished() for t in study.trials)
    if remaining > 0:
        study.optimize(objective, n_trials=remaining, catch=())
    table = trials_table(study, search)
    best = study.best_trial
    best_split = Split({lever: best.user_attrs.get(f"gbp_per_100k_year_{lever}", 0.0) for lever in search.levers})
    best_rows = rows_of.get(best.number)
    if best_rows is None:  # found in an earlier session: its shards are on disk, so this reads them back
        best_rows = search.evaluate([candidate(f"split-{best.number:04d}", best_split, search.per_100k,
                                               search.fields["place"])], "best")  # fmt: skip
    comparison = compare(search, best_rows, reference_rows, named_rows)
    atomic_write_text(search.out / "best_split.toml", scenario_file(best_split, search, best.number))
    atomic_write_csv(search.out / "trials.csv", table)
    atomic_write_csv(search.out / "comparison.csv", comparison)
    figure(table, search, search.out / "optimise.png")
    text = render(search, table, best.number, best_split, comparison)
    atomic_write_text(search.out / "optimise.md", text)
    print(text)
    return table


def scenario_file(split: Split, search: Search, trial: int) -> str:
    """The best split as a scenario file, to confirm it on fresh seeds: `spsim run baseline <out>/best_split.toml
    --seed ...`. Written as plain TOML (numbers and fixed words only: nothing from the user is echoed)."""
    words = ", ".join(f"{share:.0%} {lever.replace('_', ' ')}" for lever, share in split.shares().items() if share > 0)
    lines = [f'description = "The best split found by spsim optimise (trial {trial}): {words}"',
             f"budget_gbp_per_100k_year = {search.per_100k!r}", "", "[parameters]", ""]  # fmt: skip
    for policy in policies_for(split, search.parameters):
        lines.append("[[policies]]")
        lines += [f'{key} = "{value}"' if isinstance(value, str) else f"{key} = {float(value)!r}"
                  for key, value in policy.items()]  # fmt: skip
        lines.append("")
    return "\n".join(lines)


def trials_table(study, search: Search) -> pd.DataFrame:
    rows = []
    for t in study.trials:
        if not t.state.is_finished():
            continue
        row = {"trial": t.number, "state": t.state.name, "objective": OBJECTIVES[search.objective][0],
               "vs_reference": t.value, "ci_low": t.user_attrs.get("ci_low"), "ci_high": t.user_attrs.get("ci_high")}  # fmt: skip
        money = {lever: t.user_attrs.get(f"gbp_per_100k_year_{lever}", math.nan) for lever in search.levers}
        total = sum(v for v in money.values() if not math.isnan(v))
        for lever, gbp in money.items():
            row[f"gbp_per_100k_year_{lever}"] = gbp
            row[f"share_{lever}"] = gbp / total if total else math.nan
        rows.append(row)
    return pd.DataFrame(rows)


def compare(search: Search, best_rows: pd.DataFrame, reference_rows: pd.DataFrame,
            named_rows: pd.DataFrame) -> pd.DataFrame:  # fmt: skip
    """The best split against the reference and each named scenario: paired difference with 95% CI."""
    out = []
    column = OBJECTIVES[search.objective][0]
    for name, rows in [(search.reference.name, reference_rows),
                       *((s.name, named_rows[named_rows["scenario"] == s.name]) for s in search.named)]:  # fmt: skip
        mean, low, high = search.paired(best_rows, rows)
        out.append({"against": name, "objective": column, "their_mean": float(rows[column].mean()),
                    "best_minus_them": mean, "ci_low": low, "ci_high": high,
                    "clear": bool(low > 0 or high < 0)})  # fmt: skip
    return pd.DataFrame(out)


def figure(table: pd.DataFrame, search: Search, path: Path) -> None:
    from .figures import plt, save

    label, unit = OBJECTIVES[search.objective][1:]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    done = table.dropna(subset=["vs_reference"])
    left.errorbar(done["trial"], done["vs_reference"], yerr=[done["vs_reference"] - done["ci_low"],
                  done["ci_high"] - done["vs_reference"]], fmt="o", ms=3, alpha=0.6)  # fmt: skip
    left.plot(done["trial"], done["vs_reference"].cummax(), color="black", lw=1, label="best so far")
    left.axhline(0, color="grey", lw=0.8)
    left.set_xlabel("trial")
    left.set_ylabel(f"vs {search.reference.name} ({unit})")
    left.set_title(label, fontsize=10)
    left.legend(fontsize=8)
    top = done.nlargest(min(10, len(done)), "vs_reference")
    shares = top[[f"share_{lever}" for lever in search.levers]].to_numpy()
    bottom = np.zeros(len(top))
    for i, lever in enumerate(search.levers):
        right.barh(range(len(top)), shares[:, i], left=bottom, label=lever.replace("_", " "))
        bottom += shares[:, i]
    right.set_yticks(range(len(top)), [f"trial {t}" for t in top["trial"]])
    right.invert_yaxis()
    right.set_xlabel("share of the budget")
    right.set_title("the best splits, best first")
    right.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=len(search.levers))
    fig.tight_layout()
    save(fig, path)


def render(search: Search, table: pd.DataFrame, best: int, split: Split, comparison: pd.DataFrame) -> str:
    label, unit = OBJECTIVES[search.objective][1:]
    row = table.set_index("trial").loc[best]
    lines = [
        "# The best split of the budget",
        "",
        f"{search.budget_gbp_year:,.0f} GBP a year ({search.per_100k:,.0f} per 100,000 adults) over "
        f"{', '.join(search.levers)}; objective: {label}, the mean paired difference from "
        f"`{search.reference.name}` over {search.replicates} replicates ({search.population:,} adults, "
        f"{search.weeks / 52:g} years after a {search.warmup_weeks / 52:g}-year warm-up, seed {search.seed}). "
        f"{len(table)} trials (Optuna TPE; the first were the even split, each lever alone and the named balanced "
        "split).",
        "",
        f"**Best: trial {best}**: " + ", ".join(f"{share:.0%} {lever.replace('_', ' ')} ({split.gbp_per_100k_year[lever]:,.0f} GBP)"
                                               for lever, share in split.shares().items()) +  # fmt: skip
        f" per 100,000 adults a year; {row['vs_reference']:+,.0f} {unit} against `{search.reference.name}` "
        f"(95% CI {row['ci_low']:+,.0f} to {row['ci_high']:+,.0f}).",
        "",
        "| against | best minus it (95% CI) | verdict |",
        "|---|---|---|",
        *[f"| `{r.against}` | {r.best_minus_them:+,.0f} ({r.ci_low:+,.0f} to {r.ci_high:+,.0f}) | "
          f"{'better' if r.clear and r.best_minus_them > 0 else 'worse' if r.clear else 'no clear difference'} |"
          for r in comparison.itertuples()],
        "",
        "A split chosen as the best of many trials on the same replicates is flattered by chance (the winner's "
        "curse): confirm it on fresh seeds before relying on it, with the scenario file this search wrote: "
        f"`spsim run {search.reference.name} balanced_budget {search.out / 'best_split.toml'} --seed 7`. Every "
        "trial is in `trials.csv`; `optimise.png` shows the search and the best splits.",
    ]
    return "\n".join(lines) + "\n"
