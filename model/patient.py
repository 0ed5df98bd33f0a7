"""A referred person: who they are, where they are in the pathway, and what is scheduled for them.

What happens to them is written stage by stage, each in a module named for it (referral, support,
assessment, placement, attendance, setbacks, outcomes); ``Patient`` brings the stages together. Sparse
things are due weeks, one column per kind of change (model/due_weeks.py), each kind owned by a stage so a stage
can cancel its own; only people attending a group do anything each week. Every change of pathway state goes through ``move_to``,
which refuses a move the pathway (``states.TRANSITIONS``) does not have.
"""

from __future__ import annotations

import math
from functools import cache
from typing import TYPE_CHECKING

import mesa
import numpy as np

from . import states
from .assessment import Assessment
from .attendance import Attendance
from .mechanisms import Mechanisms
from .outcomes import Outcomes
from .placement import Placement
from .population import Person
from .preferences import preferred_activities_many
from .referral import Referral
from .row_views import AtReferral, RowFlag
from .setbacks import Setbacks
from .states import LEGAL, TERMINAL, Cohort, Event, PathwayState, ReferralSource, Service
from .streams import PURPOSES, PersonalDraws
from .support import Support

if TYPE_CHECKING:
    from .link_worker import LinkWorker
    from .model import SocialPrescribingModel
    from .vcse_group import VCSEGroup

#: the stage that owns each kind of scheduled event
STAGE_OF = {
    "end_support": "support",
    "maintenance": "support",
    "assessment": "assessment",
    "review": "placement",
    "move_on": "attendance",
    "setback": "setbacks",
    "setback_end": "setbacks",
}


def gain_scale(model: SocialPrescribingModel, person: Person) -> float:
    """How much of the full gain from groups this person can get (who benefits most): more for people whose
    own wellbeing is low, and for people in deprived areas where evidence says so (both assumptions with
    ranges; Tanner 2023 for direction)."""
    p = model.p
    below = p.swemwbs_population_mean - float(model.course.mean_wellbeing[person.index])
    scale = max(0.0, 1.0 + p.gain_rise_per_swemwbs_point_below_mean * below)
    return scale * (p.gain_ratio_deprived if person.deprived else 1.0)


FEW_AT_REFERRAL = 12  # fewer referrals than this are worked out one by one (a speed setting only: the same numbers)


def at_referral(model: SocialPrescribingModel, people: list[Person], cohorts: list[Cohort],
                draws: tuple[np.ndarray, np.ndarray] | None = None, index: np.ndarray | None = None,
                ) -> tuple[np.ndarray, list]:  # fmt: skip
    """What a week's referrals bring to their ``Patient``, read for all of them at once: ``gain_scale`` of each, and
    per person (preferences, cannot pay a fee, of working age, in work at referral). The same arithmetic as one
    person's, in 64-bit floats element by element: a 32-bit column is widened before it meets a parameter.
    ``draws``: the people's preference and (work, cost) draws as ``Catchment.referred`` read them (else read here:
    ``Catchment.draws_at_referral``, the same 32-bit values); ``index``: the people's catchment rows, if made
    already."""
    p, catchment = model.p, model.catchment
    if index is None:
        index = np.array([person.index for person in people], dtype=np.int64)
    if draws is None:
        draws = catchment.draws_at_referral(index)
    if len(people) < FEW_AT_REFERRAL:  # a few, one by one in Python floats: the same arithmetic, as ``gain_scale``'s
        traits = []
        for person, preferences, (work_u, cost_u) in zip(people, preferred_activities_many(cohorts, draws[0]),
                                                         draws[1].tolist(), strict=True):  # fmt: skip
            working_age = person.age < p.working_age_limit
            employment = p.employment_rate_smi if person.smi else p.employment_rate_ltc
            traits.append((preferences, person.deprived and cost_u < p.cost_barrier_deprived, working_age,
                           working_age and work_u < employment))  # fmt: skip
        return np.array([gain_scale(model, person) for person in people], dtype=np.float64), traits
    deprived = catchment.deprived[index]
    below = p.swemwbs_population_mean - model.course.mean_wellbeing[index].astype(np.float64)
    scale = np.maximum(0.0, 1.0 + p.gain_rise_per_swemwbs_point_below_mean * below)
    scale = scale * np.where(deprived, p.gain_ratio_deprived, 1.0)
    # work, cost: each person's draws, already read from the stream for them (a 32-bit draw widened, exactly)
    traits_u = draws[1].astype(np.float64)
    cannot_pay = deprived & (traits_u[:, 1] < p.cost_barrier_deprived)
    working_age = catchment.age[index] < p.working_age_limit
    employment = np.where(catchment.smi[index], p.employment_rate_smi, p.employment_rate_ltc)
    employed = working_age & (traits_u[:, 0] < employment)
    # the 32-bit draws, as the catchment holds them (a Python float of a 32-bit value converts back exactly)
    preferences = preferred_activities_many(cohorts, draws[0])
    return scale, list(zip(preferences, cannot_pay.tolist(), working_age.tolist(), employed.tolist(), strict=True))


class Patient(Referral, Support, Assessment, Placement, Attendance, Setbacks, Outcomes, mesa.Agent):
    """A person referred to social prescribing (or, in the counterfactual, who would have been)."""

    model: SocialPrescribingModel

    # Their attributes are slots, not a dict each (Mesa's own few stay in one): about 24,000 people are in the
    # pathway at the end of an ICB's run, and as dicts their attributes took about 850 bytes a person
    __slots__ = ("person", "source", "cohort", "service", "referred_week", "key", "row", "preferences", "cannot_pay",
                 "appropriate", "working_age", "employed_at_referral", "retained_share", "_mechanisms",
                 "state", "exit_reason", "link_worker", "caseload_weight", "assessed", "offered", "offered_activity",
                 "wants_activity", "group", "matched_at", "gives_up_at", "took_up", "short_of_provision",
                 "nothing_in_reach", "sustained", "volunteer", "setbacks", "reengaged", "mh_discharged",
                 "lw_wait_weeks", "group_wait_weeks", "record_closed")  # fmt: skip
    ever_supported = RowFlag()  # a link worker has taken them on at some point
    continuity_broken = RowFlag()  # a link worker of theirs left and no colleague kept their continuity of care
    # their true wellbeing and loneliness at referral (at the low point that brought it; what an evaluation records
    # adds measurement error: Outcomes.close_record): from here on both scores follow the person's own natural course
    # (model.natural_course), plus whatever the service adds
    swemwbs0 = AtReferral()
    ucla0 = AtReferral()

    def __init__(self, model: SocialPrescribingModel, person: Person, source: ReferralSource, cohort: Cohort,
                 service: Service, key: int, row: int, appropriate: bool,
                 traits: tuple[tuple[int, ...], bool, bool, bool], retained_share: float, week: int):  # fmt: skip
        """Made by ``referral.refer_many``, which reads for a week's referrals at once this episode's ``key`` for
        its own random numbers (the same for this person's k-th referral in every scenario), the person's ``row``
        of the wellbeing register (enrolled already: it holds their scores at referral), whether the
        referral is ``appropriate`` (``referral.appropriate_referrals``), the ``traits`` of ``at_referral`` and the
        share of a gain retained for good in force now (``p.gain_retained_share``, which their ``mechanisms`` keep), in
        ``week``. Every argument is given by position: a class called with keywords builds a dict of them each time."""
        # Mesa's own making and registration, called by name: ``super()`` would look for it through the seven stages
        # first, for every referral
        mesa.Agent.__init__(self, model)
        # who they are
        self.person = person
        self.source = source
        self.cohort = cohort
        self.service = service
        self.referred_week = week  # (a slot, not read from the row: each first contact reads it)
        self.key = key
        self.row = row  # their row of the register: its columns hold their draw counters, mechanisms, state
        # the activities they want, most wanted first; whether a fee rules a group out; of working age, in work
        self.preferences, self.cannot_pay, self.working_age, self.employed_at_referral = traits
        self.appropriate = appropriate
        self.retained_share = retained_share
        self._mechanisms: Mechanisms | None = None  # (made when first needed: ``mechanisms``)
        # where they are in the pathway: what every referral starts with
        self.state: PathwayState | None = None
        self.exit_reason = ""
        self.link_worker: LinkWorker | None = None
        self.caseload_weight = 1.0  # share of a caseload place: lighter in long-term maintenance
        self.assessed = False
        self.offered = False  # a suitable group has been suggested to them
        self.offered_activity = -1  # the catalogue index of the first group suggested (-1: none yet)
        self.wants_activity = True  # until they turn a suggested group down
        self.group: VCSEGroup | None = None  # the group attended, waited for, or last attended
        self.matched_at: float | None = None  # when first put on a group's waiting list
        self.gives_up_at = math.inf  # deadline while waiting for a link worker or a group place
        self.took_up = False
        self.short_of_provision = False  # found nothing suitable, or gave up waiting for a place
        self.nothing_in_reach: tuple | None = None  # when matching last found nothing in reach (model/matching.py)
        self.sustained = False
        self.volunteer = False
        self.setbacks = 0
        self.reengaged = 0
        self.mh_discharged = False
        self.lw_wait_weeks = math.nan  # referral to first contact, once reached
        self.group_wait_weeks = math.nan  # first match to starting, once started
        self.record_closed = False

    @property
    def week(self) -> int:
        return self.model.week

    @property
    def mechanisms(self) -> Mechanisms:
        """Their mechanism levels: a view onto their row of the register (model/mechanisms.py), made when first
        needed and kept: about four referrals in ten ever attend a group or meet a setback, the rest never read it."""
        if (view := self._mechanisms) is None:
            register, row = self.model.register, self.row
            view = self._mechanisms = Mechanisms(self.retained_share, register.half_life.item(row), register, row)
        return view

    # ------------------------------------------------------------------ columns of their row
    @property
    def weeks_attended(self) -> int:
        """Sessions attended (a column of the wellbeing register: built for every member at once)."""
        return int(self.model.register.weeks_attended[self.row])

    @property
    def work_seeking_weeks(self) -> float:
        """Extra job-search exposure built by attending (weeks at the base rate)."""
        return float(self.model.register.work_seeking[self.row])

    # ------------------------------------------------------------------ this person's random numbers
    def draw(self, purpose: str) -> float:
        """The next uniform draw for ``purpose`` (the n-th setback gap, the n-th patience, ...): the counters are
        columns of the register, so a stage can take many people's draws at once (model/setback_rows.py)."""
        counts, row = self.model.register.draws[purpose], self.row
        n = counts.item(row)  # (a Python int: no NumPy scalar made on the way)
        counts[row] = n + 1
        return PersonalDraws.uniform(self.key, PURPOSES[purpose], n)

    def draw_in_week(self, purpose: str, week: int) -> float:
        """The uniform draw for ``purpose`` in ``week`` (weekly attendance: the same week, the same draw)."""
        return PersonalDraws.uniform(self.key, PURPOSES[purpose], week)

    # ------------------------------------------------------------------ state and scheduled events
    def move_to(self, state: PathwayState, event: Event) -> None:
        """Move to ``state`` because of ``event``; a move not in the pathway's table is a bug and raises."""
        old = self.state
        if (old, state, event) not in LEGAL:
            states.check(old, state, event)  # raises, saying which move
        self.state = state
        model = self.model
        model.register.state[self.row] = state
        model.on_state_change(self, old, state, event)
        if state in TERMINAL:
            self.exit_reason = event._value_  # (``value`` is an Enum property: a Python call)
            model.due.cancel_all(self.row)  # every stage's pending changes
            if self.link_worker is not None:  # the rest of ``end_support_episode`` is the cancelling just done
                self.end_support_episode()
            model.leave_pathway(self)

    def schedule(self, name: str, after: int) -> None:
        """Make the change ``name`` (a kind of ``due_weeks.KINDS``) due ``after`` weeks from now, replacing any
        pending one."""
        self.model.due.set(name, self, self.model.week + after)

    def cancel(self, *stages: str) -> None:
        """Cancel every pending change of the given stages."""
        self.model.due.cancel(self.row, kinds_of(stages))


@cache
def kinds_of(stages: tuple[str, ...]) -> tuple[str, ...]:
    """The kinds of change that ``stages`` own (a stage cancels its own often: worked out once per set)."""
    return tuple(name for name, stage in STAGE_OF.items() if stage in stages)
