"""Benchmark: speed and memory of the model from a Primary Care Network to a whole ICB.

Two units of work: a *patient-week* is one referred person present in the model (an agent) for one
week; a *person-week* is one adult of the catchment present in the model (a row of the synthetic
population that the referral process runs over) for one week. Everything is measured in one run on
this machine, and speed is also reported relative to Mesa's
simplest agent loop (a trivial ``Agent.step`` called through ``shuffle_do``) measured in the same run,
so the figures can be compared across machines. Each replicate runs in a fresh process so its peak
memory is its own. Writes ``results/benchmark/benchmark.csv`` and ``scaling.png``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import queue
import resource
import sys
import time
from pathlib import Path

import pandas as pd

SIZES = {"PCN": 50_000, "borough": 250_000, "ICB": 1_500_000}
YEARS = 5


def _replicate(population: int, weeks: int, seed: int, queue) -> None:
    from .runner import few_garbage_collections
    from ...model import SocialPrescribingModel

    start = time.perf_counter()
    with few_garbage_collections():
        model = SocialPrescribingModel(rng=seed, population=population)
        model.run_for(weeks)
        model.close_open_records()
    wall = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    queue.put({"wall_s": wall, "peak_mb": peak_mb, "patient_weeks": model.patient_weeks,
               "attendance_weeks": model.attendance_weeks, "agenda_entries": model.agenda.added + model.due.added,
               "referrals": model.counters.referred})  # fmt: skip


class ChildDied(RuntimeError):
    """The process measuring a replicate ended without a result (an error in the model, memory, a signal)."""


POLL_SECONDS = 1.0  # how soon a dead child is noticed; a replicate takes seconds to minutes


def measure_replicate(population: int, weeks: int = YEARS * 52, seed: int = 1, target=_replicate) -> dict:
    """One replicate in a fresh process: wall time, peak memory, patient-weeks."""
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    proc = ctx.Process(target=target, args=(population, weeks, seed, results))
    proc.start()
    # a plain get() would wait for ever for a child that died (killed for memory at ICB size, or an error):
    # poll, and once the child is gone take what it may have sent just before exiting, or fail
    while True:
        try:
            result = results.get(timeout=POLL_SECONDS)
            break
        except queue.Empty:
            if proc.is_alive():
                continue
            try:
                result = results.get(timeout=POLL_SECONDS)
                break
            except queue.Empty:
                proc.join()
                raise ChildDied(f"spsim bench: the replicate of {population:,} adults ended without a result "
                                f"(exit code {proc.exitcode})") from None  # fmt: skip
    proc.join()
    return {"population": population, **result, "patient_weeks_per_s": result["patient_weeks"] / result["wall_s"]}


def mesa_trivial_loop(n_agents: int = 10_000, steps: int = 200) -> float:
    """Agent-steps per second of Mesa's simplest loop: a do-nothing step through shuffle_do."""
    import mesa

    class Trivial(mesa.Agent):
        def step(self) -> None:
            pass

    class TrivialModel(mesa.Model):
        def __init__(self):
            super().__init__(rng=1)
            Trivial.create_agents(self, n_agents)

        def step(self) -> None:
            self.agents_by_type[Trivial].shuffle_do("step")

    model = TrivialModel()
    start = time.perf_counter()
    model.run_for(steps)
    return n_agents * steps / (time.perf_counter() - start)


def mesa_workload(agents: int, weeks: int = YEARS * 52):
    """A Mesa model that does only a replicate's bookkeeping with Mesa: a weekly step and ``agents`` do-nothing
    agents arriving evenly over ``weeks`` and removed a year later (see ``mesa_floor``). The model's sparse
    changes are its own agenda's entries (model/agenda.py), not Mesa events, so none are replayed."""
    import mesa

    class Idle(mesa.Agent):
        pass

    class Workload(mesa.Model):
        def __init__(self):
            super().__init__(rng=1)
            self.arrived = 0
            self.leaving: dict[int, list[Idle]] = {}

        def step(self) -> None:
            week = int(self.time)
            for agent in self.leaving.pop(week, []):
                agent.remove()
            due = round(agents * week / weeks) - self.arrived
            for _ in range(due):
                agent = Idle(self)
                self.arrived += 1
                self.leaving.setdefault(week + 52, []).append(agent)

    return Workload()


def mesa_floor(agents: int, weeks: int = YEARS * 52) -> float:
    """Seconds Mesa's own machinery takes for a replicate's weekly steps and referrals (agents) with nothing
    else done. The model's wall time cannot go below this while every referred person is a Mesa agent: it
    says how far a speed target can go."""
    from .runner import few_garbage_collections

    workload = mesa_workload(agents, weeks)
    start = time.perf_counter()
    with few_garbage_collections():  # as the model's replicate runs
        workload.run_for(weeks)
    return time.perf_counter() - start


def parallel_speedup(population: int = 100_000, replicates: int = 4, weeks: int = YEARS * 52) -> dict:
    """Wall time of a multi-replicate run with 1 and with 2 worker processes."""
    from ..inputs import scenario
    from .executors import InProcess, ProcessPool
    from .runner import Task, replicate_seed, run_task

    base = scenario.load("baseline")
    tasks = [Task(base, r, replicate_seed(1, r), weeks, {"population": population}) for r in range(replicates)]
    out = {}
    for workers, backend in ((1, InProcess()), (2, ProcessPool(2))):
        start = time.perf_counter()
        list(backend.run(run_task, tasks))
        out[workers] = time.perf_counter() - start
        backend.close()
    return {"replicates": replicates, "population": population, "wall_1_worker_s": out[1],
            "wall_2_workers_s": out[2], "speedup": out[1] / out[2]}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="spsim bench", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("results") / "benchmark")
    parser.add_argument("--quick", action="store_true", help="small sizes only (a smoke test)")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except ChildDied as err:
        print(str(err), file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    sizes = {"PCN": 10_000, "4x PCN": 40_000} if args.quick else {**SIZES, "4x borough": 1_000_000}
    years = 1 if args.quick else YEARS
    # Mesa's trivial loop is measured before the first replicate and after each one, and a replicate's scale is the
    # mean of the loops just before and just after it: this machine's speed drifts by 10-20% within a few minutes,
    # and one loop at the start made the later replicates' ratios move with it
    mesa_trivial_loop()  # (a loop first, not counted: the first in a fresh process ran at half the speed of the rest)
    rates = [mesa_trivial_loop()]
    rows = []
    for label, population in sizes.items():
        row = {"size": label, **measure_replicate(population, weeks=years * 52)}
        rates.append(mesa_trivial_loop())
        row["mesa_trivial_agent_steps_per_s"] = mesa_rate = (rates[-2] + rates[-1]) / 2
        row["ratio_to_mesa_trivial"] = row["patient_weeks_per_s"] / mesa_rate
        # the honest units of work: a group member's week (the only weekly per-person work) and an entry on
        # the model's agenda (everything sparse), each also against Mesa's trivial agent-step
        for unit in ("attendance_weeks", "agenda_entries"):
            row[f"{unit}_per_s"] = row[unit] / row["wall_s"]
            row[f"{unit}_ratio_to_mesa_trivial"] = row[f"{unit}_per_s"] / mesa_rate
        # what Mesa's steps and agents alone cost for this replicate's referrals
        row["mesa_floor_s"] = mesa_floor(row["referrals"], years * 52)
        row["share_of_wall_in_mesa_floor"] = row["mesa_floor_s"] / row["wall_s"]
        # every adult of the catchment is in the model (as columns the referral process runs over)
        row["person_weeks_per_s"] = population * years * 52 / row["wall_s"]
        row["person_ratio_to_mesa_trivial"] = row["person_weeks_per_s"] / mesa_rate
        rows.append(row)
        print(f"{label:>10} {population:>9,} adults: {row['wall_s']:6.1f} s, {row['peak_mb']:6.0f} MB, "
              f"{row['patient_weeks_per_s']:,.0f} patient-weeks/s ({row['ratio_to_mesa_trivial']:.2f}x Mesa trivial), "
              f"{row['attendance_weeks_per_s']:,.0f} attendance-weeks/s, {row['agenda_entries_per_s']:,.0f} agenda entries/s; "
              f"Mesa's steps and agents alone {row['mesa_floor_s']:.1f} s",
              file=sys.stderr)  # fmt: skip
    print("Mesa trivial loop, before the first replicate and after each: "
          + ", ".join(f"{rate:,.0f}" for rate in rates) + " agent-steps/s", file=sys.stderr)
    table = pd.DataFrame(rows)
    table["years"] = years
    speed = parallel_speedup(population=10_000 if args.quick else 100_000, replicates=2 if args.quick else 4,
                             weeks=years * 52)  # fmt: skip
    print(f"2 workers vs 1 on {speed['replicates']} replicates: {speed['speedup']:.2f}x", file=sys.stderr)
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "benchmark.csv", index=False, float_format="%.4g")
    (args.out / "parallel.json").write_text(json.dumps(speed, indent=2) + "\n")
    _plot(table, args.out / "scaling.png")
    print(table.to_string(index=False))
    return 0


def _plot(table: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = table.sort_values("population")
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    axes[0].loglog(t["population"], t["wall_s"], "o-")
    ideal = t["wall_s"].iloc[0] * t["population"] / t["population"].iloc[0]
    axes[0].loglog(t["population"], ideal, "--", color="grey", label="linear scaling")
    axes[0].set(xlabel="adults in the catchment", ylabel=f"seconds per {int(t['years'].iloc[0])}-year replicate",
                title="Wall time per replicate")  # fmt: skip
    axes[0].legend()
    axes[1].semilogx(t["population"], t["peak_mb"], "o-")
    axes[1].set(xlabel="adults in the catchment", ylabel="peak memory (MB)", title="Peak memory per replicate")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())
