"""The social prescribing model: a catchment, its link workers, its community groups, week by week."""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Sequence
from functools import partial
from typing import Any

import mesa
import numpy as np

from .agenda import Agenda
from .due_weeks import DueWeeks
from .assessment_rows import run_assessments
from .attendance import attend_the_week, run_moves_on
from . import costing
from .community import Community
from .health_economics import HealthEconomics
from .counters import Ledger, PathwayCounters
from .link_worker import LinkWorker
from .members import MemberRows
from .natural_course import NaturalCourse
from .observers import Observers
from .follow_up import FollowUps, close_records
from .group_ledger import run_groups_week
from .place import Layout
from .parameters import ParameterError, Params, resolve
from .patient import Patient
from .policies import Policy
from .policy import add_late
from .policy_layers import PolicyLayers
from .population import Catchment
from .referral import arrive_referrals
from .retiring import retire, retire_many
from .review_rows import FEWEST_REVIEWS, run_reviews
from .setback_rows import FEWEST_CANDIDATES, FEWEST_ENDS, run_candidates, run_ends, terminal
from .states import IN_GROUP, Event, PathwayState
from .streams import RandomStreams
from .support_rows import run_ends_of_support
from .trajectories import Trajectories
from .vcse_group import VCSEGroup
from .wellbeing import WellbeingRegister
from .workforce import Workforce


class SocialPrescribingModel(mesa.Model):
    """Social prescribing in one catchment; one step is one week.

    Keyword parameters override the defaults in ``seeds/parameters.toml`` (see ``model.parameters``);
    ``rng`` is the replicate's seed, from which every named random stream is spawned; ``policies`` start
    at their own weeks; people referred before ``measure_from`` (a warm-up) are not followed over time;
    ``layout`` is a place file's small areas and groups (``model.place``; None: the default square place).
    """

    def __init__(
        self,
        *,
        rng: int | np.random.SeedSequence | None = None,
        policies: Sequence[Policy] = (),
        measure_from: int = 0,
        layout: Layout | None = None,
        **parameters: Any,
    ):
        super().__init__(rng=rng)
        self._week = 0
        self.layout = layout
        self.p = Params(resolve(parameters))
        self._overrides = dict(parameters)
        root = rng if isinstance(rng, int | np.random.SeedSequence) else int(self.rng.integers(2**63))
        self.streams = RandomStreams(root)
        self.social_prescribing = self.p.social_prescribing
        # bookkeeping that every stage reads or adds to
        self.counters = PathwayCounters()
        self.ledger = Ledger()
        self.transitions: Counter[tuple[PathwayState | None, PathwayState, Event]] = Counter()
        # benchmark units of work: referred people present, group members' weeks (and the agenda's entries)
        self.patient_weeks = self.attendance_weeks = 0
        self.agenda = Agenda()  # one-off changes due in later weeks (follow-ups, vacancies, groups founded, policies)
        # when each person's next change of each kind is due (their stages); some kinds run over their rows at once
        self.due = DueWeeks(runners={"assessment": partial(run_assessments, self),
                                     "review": partial(run_reviews, self),
                                     "move_on": partial(run_moves_on, self),
                                     "setback": partial(run_candidates, self),
                                     "setback_end": partial(run_ends, self),
                                     "end_support": partial(run_ends_of_support, self)},
                            fewest={"setback": FEWEST_CANDIDATES, "setback_end": FEWEST_ENDS,
                                    "review": FEWEST_REVIEWS},  # (few: one by one)
                            # (found in their week by a pass over their column, not listed: quicker at every size)
                            scanned=("assessment", "review", "move_on", "setback", "setback_end", "end_support"))
        self.attending: dict[int, Patient] = {}  # group members by register row, in the order they joined
        self.member_rows = MemberRows()  # the same members' rows as an array kept up to date (model/members.py)
        self.follow_ups = FollowUps(self)  # who is measured when (model/follow_up.py)
        self.register = WellbeingRegister()  # every referral's wellbeing, as columns
        # the place, its services and what is observed
        self.catchment = Catchment(self.p, self.streams["population"].generator, layout,
                                   self.streams["place"].generator)
        self.course = NaturalCourse(self.p, self.catchment, self.streams.persons)  # everyone's, without a service
        self.community = Community(self)
        self.workforce = Workforce(self)
        self.workforce.staff_to_establishment()
        self.trajectories = Trajectories(since_week=measure_from)
        self.economics = HealthEconomics(self, since_week=measure_from)  # QALYs, WELLBYs and costs, discounted
        self.observers = Observers(self)
        self.datacollector = self.observers.datacollector  # where Mesa users look for the weekly series
        self.policy_layers = PolicyLayers()  # how the running policies' changes stack up
        self.policies = [copy.copy(policy) for policy in policies]  # a policy's state is per run
        for policy in self.policies:
            policy.initialize(self)
        self.agenda.mark_built()  # where policies added later (add_policies) put their entries
        self.observers.collect()

    def add_policies(self, policies: Sequence[Policy]) -> None:
        """``policies`` after the constructor's, every number as if the constructor had been given them (a warm-up
        shared by scenarios, then each one's policies: experiments/runs/warmup.py); each must start after now."""
        add_late(self, policies)

    @property
    def week(self) -> int:
        """The week now (Mesa's time, whole weeks); kept as a number at each step: reading ``time`` goes
        through Mesa's observable attribute, about a microsecond each, and the model reads the week often."""
        return self._week

    @property
    def per_100k(self) -> float:
        return costing.per_100k(self.p.population)

    def update_parameters(self, **changes: Any) -> None:
        """Change parameters mid-run (a policy starting); checked like the model's own keywords.

        Most parameters are read when they are used, so a change takes effect at once; staffing
        is brought to the new establishment here.
        """
        if "population" in changes or "adults_per_km2" in changes:
            raise ParameterError("population and adults_per_km2 are fixed once a model is built")
        self.p = Params(resolve({**self._overrides, **changes}))
        self._overrides.update(changes)
        self.workforce.parameters_changed()
        self.community.parameters_changed()  # (a group's places are worked out from some of them)

    # ------------------------------------------------------------------ the week
    def step(self) -> None:
        self._week = int(self.time)
        self._run_due(self.week - 1)  # anything made due before this week between steps
        self.patient_weeks += len(self.agents_by_type.get(Patient, ()))
        arrive_referrals(self)
        self.workforce.allocate()
        self.community.distribute_grants()
        # every group's waiting list, then its week's finances (VCSEGroup.step, for all at once: model/group_ledger.py)
        run_groups_week(self, list(self.agents_by_type.get(VCSEGroup, ())))
        self.attendance_weeks += attend_the_week(self)
        if LinkWorker in self.agents_by_type:
            self.agents_by_type[LinkWorker].shuffle_do("step")  # some leave
        self.workforce.account_week(self.ledger)
        for policy in self.policies:
            policy.accrue_week(self)
        self.trajectories.observe(self)
        self.economics.accrue_week()
        self.observers.collect()
        self._run_due(self.week)  # then what falls due this week, as Mesa's events ran after the step

    def _run_due(self, week: int) -> None:
        """People's changes due by ``week``, kind by kind in the pathway's order (model/due_weeks.py), then the
        agenda's (follow-ups closing records, vacancies filled, groups founded, policies starting)."""
        while True:
            self.due.run_through(week)
            self.agenda.run_through(week)
            if not self.due.due_by(week):
                return

    def due_in(self, weeks: int, action):
        """Run ``action`` ``weeks`` whole weeks from now (0: later this week), after that week's step; returns
        the agenda's entry, which ``Agenda.cancel`` empties."""
        return self.agenda.add(self.week + weeks, action)

    def due_at(self, week: int, action):
        """Run ``action`` in ``week`` (now or later), after that week's step."""
        return self.agenda.add(max(int(week), self.week), action)

    # ------------------------------------------------------------------ bookkeeping
    def on_state_change(self, patient: Patient, old: PathwayState | None, new: PathwayState, event: Event) -> None:
        in_state = self.counters.in_state  # ``PathwayCounters.move``, written out: every move comes here
        if old is not None:
            in_state[old] -= 1
        in_state[new] += 1
        self.transitions[old, new, event] += 1
        if new in IN_GROUP:
            self.attending[patient.row] = patient
        else:
            self.attending.pop(patient.row, None)
        if new is PathwayState.DROPPED_OUT:
            self.counters.dropped_out += 1

    def follow_up_many(self, patients: list[Patient]) -> None:
        """Measure this week's referrals ``patients`` (consecutive register rows) at follow-up: everyone referred in
        the same week together, in the order they were referred (model/follow_up.py)."""
        self.follow_ups.add(patients, self.week + self.p.follow_up_weeks)

    @property
    def open_records(self) -> dict[Patient, None]:
        """Everyone referred whose record is not closed yet, in the order referred: made when asked for (the end of a
        run, tests, views), so that a record closing writes nothing here."""
        return self.follow_ups.waiting()

    def leave_pathway(self, patient: Patient) -> None:
        """A person reached a terminal state: their economic account is finished when the week ends."""
        self.counters.exits[patient.exit_reason] += 1
        self.economics.left_pathway(patient.row)
        if patient.record_closed:
            retire(self, patient)

    def leave_pathway_many(self, patients: list[Patient], rows: np.ndarray, reason: str) -> None:
        """``leave_pathway`` for people who left for the same reason at once (model/moves.py)."""
        self.counters.exits[reason] += len(patients)
        self.economics.left_pathway_many(rows)
        for patient in patients:
            if patient.record_closed:
                retire(self, patient)

    def records_written(self, patients: list[Patient], rows: np.ndarray, first: int) -> None:
        """``patients``' records (register ``rows``) are the outcome table's rows from ``first`` on: the economics
        account writes into them once it is finished (it goes on while the person is in the pathway), and whoever
        has left the pathway retires (model/retiring.py)."""
        self.economics.closed_many(rows, self.week, np.arange(first, first + len(rows)))
        self.register.close_many(rows)
        leaving = terminal(self.register.state[rows]).nonzero()[0]  # (``np.flatnonzero`` without its Python layers)
        if len(leaving) < len(patients):  # (else the whole batch: everyone had left the pathway by follow-up)
            patients = [patients[i] for i in leaving.tolist()]
            rows = rows[leaving]
        retire_many(self, patients, rows)

    def close_open_records(self) -> None:
        """At the end of a run, measure everyone still within follow-up (marked censored), and finish every
        economic account still open (as if the service stopped now)."""
        close_records(self, list(self.open_records), censored=True)
        self.economics.finish_all()
        self.trajectories.close()

    def outcomes(self):
        """One row per closed record (a pandas DataFrame)."""
        return self.observers.outcomes()
