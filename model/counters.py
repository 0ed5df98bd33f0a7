"""Aggregate counters kept incrementally as people move, so that reporting never scans every agent."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .states import PathwayState


@dataclass
class PathwayCounters:
    """People in each pathway state now, and how many have ever passed each milestone."""

    in_state: list[int] = field(default_factory=lambda: [0] * len(PathwayState))
    # Milestones, counted once per referral (a person re-referred later counts again).
    referred: int = 0
    reached_link_worker: int = 0
    took_up_activity: int = 0
    sustained: int = 0
    volunteered: int = 0
    dropped_out: int = 0
    setbacks: int = 0
    people_with_setback: int = 0
    reengaged_after_setback: int = 0
    mh_discharged: int = 0
    continuity_breaks: int = 0
    link_worker_wait_weeks: float = 0.0  # summed over people reached, from referral to first contact
    group_wait_weeks: float = 0.0  # summed over people who took up, from first match to starting
    exits: Counter = field(default_factory=Counter)  # terminal state reasons, e.g. "gave up waiting"

    def move(self, old: PathwayState | None, new: PathwayState) -> None:
        if old is not None:
            self.in_state[old] -= 1
        self.in_state[new] += 1

    def count(self, state: PathwayState) -> int:
        return self.in_state[state]


@dataclass
class Ledger:
    """Money flows of the whole system, in GBP; every pound paid to a group is received by one."""

    link_worker_cost: float = 0.0  # primary-care link worker posts funded (filled or vacant)
    advisor_cost: float = 0.0  # link advisor posts of the supported discharge pathway
    link_worker_fte_weeks: float = 0.0  # FTE in post (both services), week by week
    tariffs_paid: float = 0.0
    tariff_starts: int = 0  # referred people starting an activity for the first time: what a tariff pays for,
    # counted with or without one (a tariff is sized on them: experiments/optimise/levers.py)
    grants_paid: float = 0.0
    programme_costs: float = 0.0  # policies' own running costs (peer programme, training, ...)
    # the same funded posts (both services) at their full economic cost: PSSRU's salary, on-costs, overheads and
    # capital, where the cash above is the ARRS reimbursement the commissioner pays (issue 26)
    posts_economic_cost: float = 0.0

    @property
    def commissioner_spend(self) -> float:
        """The commissioner's cash: what budgets are spent against."""
        return self.link_worker_cost + self.advisor_cost + self.tariffs_paid + self.grants_paid + self.programme_costs

    @property
    def economic_spend(self) -> float:
        """The service's cost to the NHS as the economic account counts it: posts at their full economic cost."""
        return self.commissioner_spend - self.link_worker_cost - self.advisor_cost + self.posts_economic_cost
