"""Levers moved while the page runs: when each change starts, the scenario they add up to, and how a running
model is given a change exactly as `spsim run` would give it that scenario.

A lever moved while the page shows week k starts at the end of week k + 1 (scenario weeks count from the end of
the warm-up, as in a scenario file): week k + 1 has not been run yet, so the change can still be put where
`spsim run` puts a policy's start, which the model made when it was built. The scenario is a list of policies in
the order they were made: those of the levers as first set start at week 0; a later change stops the policies
whose levers it moves (``end_week``) and starts their new ones, in that order, at its week. A lever moved back to
the place's own value only stops its policy. Export that list as a scenario file and `spsim run` gives the same
numbers for the same seed and weeks (tests/test_app_value.py checks it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from . import levers as page_levers
from ...model.model import SocialPrescribingModel
from ...model.policies import Policy


def _terms(policy: Policy) -> dict[str, Any]:
    """What a policy does, apart from when."""
    return {f.name: getattr(policy, f.name) for f in dataclasses.fields(policy)
            if f.init and f.name not in ("start_week", "end_week")}  # fmt: skip


def change(running: Mapping[str, Policy], levers: Mapping[str, Any], parameters: Mapping[str, Any],
           week: int) -> tuple[list[str], list[Policy]]:  # fmt: skip
    """The kinds of ``running`` policies (kind -> policy) to stop and the policies to start at scenario ``week``
    so that the levers become ``levers``: a lever whose policy is unchanged adds nothing."""
    target = {p.kind: p for p in page_levers.policies(dict(levers), dict(parameters), week)}
    stops = [kind for kind, old in running.items() if kind not in target or _terms(target[kind]) != _terms(old)]
    starts = [new for kind, new in target.items() if kind not in running or kind in stops]
    return stops, starts


def scenario_policies(changes: Mapping[int, Mapping[str, Any]], parameters: Mapping[str, Any]) -> list[Policy]:
    """The scenario the lever changes add up to (``changes``: scenario week -> every lever's value from then;
    week 0: as first set), its policies in the order they were made, weeks counted from the end of the warm-up."""
    made: list[Policy] = []
    running: dict[str, Policy] = {}
    for week in sorted(changes):
        stops, starts = change(running, changes[week], parameters, week)
        for kind in stops:
            running.pop(kind).end_week = week
        for policy in starts:
            made.append(policy)
            running[policy.kind] = policy
    return made


class LiveLevers:
    """The levers of one running model: its policies by kind, and changes put into its calendar."""

    def __init__(self, model: SocialPrescribingModel, warmup_weeks: int, parameters: Mapping[str, Any]):
        self.model, self.warmup_weeks, self.parameters = model, warmup_weeks, parameters
        self.running = {policy.kind: policy for policy in model.policies if policy.end_week is None}
        # the calendar's entries made when the model was built: a policy's start goes after them, as it does
        # when `spsim run` builds the model with it (a group founded in the same week comes first)
        self._fixed = {id(entry) for entries in model.agenda._weeks.values() for entry in entries}

    def apply(self, levers: Mapping[str, Any], week: int) -> None:
        """Put the change to ``levers`` at scenario ``week`` into the model's calendar (the model must not have
        run that week yet): the stops, then the starts, after the entries `spsim run` would have made before."""
        at = self.warmup_weeks + week
        assert self.model.week < at, "a change goes into a week not yet run"
        stops, starts = change(self.running, levers, self.parameters, week)
        entries = [[self.running.pop(kind).stop] for kind in stops]
        for policy in starts:
            policy = dataclasses.replace(policy, start_week=at)
            policy.initialize(self.model)  # makes its start due at `at` (last in that week, moved below)
            entries.append(self.model.agenda._weeks[at].pop())
            self.model.policies.append(policy)  # its running costs accrue weekly, in the order `spsim run` has
            self.running[policy.kind] = policy
        self._place(at, entries)

    def _place(self, at: int, entries: list) -> None:
        # The agenda runs a week's entries in the order they were made; `spsim run` made these when it built the
        # model, so they go after the entries made then (and after this page's earlier ones), before the rest.
        week = self.model.agenda._weeks.setdefault(at, [])
        position = max((i + 1 for i, entry in enumerate(week) if id(entry) in self._fixed), default=0)
        week[position:position] = entries
        self._fixed.update(id(entry) for entry in entries)
