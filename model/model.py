"""The social prescribing model: a catchment, its link workers, its community groups, week by week."""

from __future__ import annotations

import copy
import heapq
import math
from collections import deque
from collections.abc import Sequence
from functools import partial
from typing import Any

import mesa
import numpy as np

from .activities import catalogue
from .counters import Ledger, PathwayCounters
from .link_worker import STANDARD_EPISODE_WEEKS, LinkWorker
from .parameters import ParameterError, Params, registry, resolve
from .patient import Patient
from .policies import Policy
from .population import Catchment
from .states import IN_GROUP, TERMINAL, Cohort, PathwayState, ReferralSource, Service
from .streams import RandomStreams
from .trajectories import Trajectories
from .vcse_group import VCSEGroup

S = PathwayState
REFERRAL_DRAW_TRIES = 5
WELLBEING_READING_WEEKS = 4  # how often the weekly series re-reads mean wellbeing
OUTCOME_COLUMNS = [
    "patient", "referred_week", "closed_week", "censored", "cohort", "source", "age", "ltc_count", "deprived",
    "state", "exit_reason", "reached_link_worker", "took_up", "sustained", "volunteer", "weeks_attended",
    "lw_wait_weeks", "group_wait_weeks",
    "setbacks", "reengaged", "continuity_broken", "swemwbs_start", "swemwbs_end", "ucla_start", "ucla_end",
    "improved", "working_age_not_employed", "found_work", "mh_discharged", "gp_change_per_year",
    "ae_change_per_year",
]  # fmt: skip


class GroupTable:
    """Open groups' locations, activities and fees as NumPy columns (row i is ``groups[i]``)."""

    def __init__(self, groups: list[VCSEGroup]):
        acts = catalogue()
        self.groups = groups
        self.x = np.array([g.x for g in groups], dtype=float)
        self.y = np.array([g.y for g in groups], dtype=float)
        self.activity = np.array([acts.index(g.activity) for g in groups], dtype=np.int64)
        self.charges = np.array([g.charges for g in groups], dtype=bool)


class Vacancy:
    """A link worker post waiting to be filled; held by the model so its scheduled event stays alive."""

    def __init__(self, model: SocialPrescribingModel, service: Service):
        self.model = model
        self.service = service

    def fill(self) -> None:
        if self.model.vacancies.pop(self, False) is None:  # still a funded vacancy
            self.model.recruit_link_worker(self.service)


class SocialPrescribingModel(mesa.Model):
    """Social prescribing in one catchment; one step is one week.

    Keyword parameters override the defaults in ``seeds/parameters.toml`` (see ``model.parameters``);
    ``rng`` is the replicate's seed, from which every named random stream is spawned.
    """

    def __init__(
        self,
        *,
        rng: int | np.random.SeedSequence | None = None,
        policies: Sequence[Policy] = (),
        **parameters: Any,
    ):
        super().__init__(rng=rng)
        self.p = Params(resolve(parameters))
        self._overrides = dict(parameters)
        root = rng if isinstance(rng, int | np.random.SeedSequence) else int(self.rng.integers(2**63))
        self.streams = RandomStreams(root)
        self.social_prescribing = bool(self.p.social_prescribing)
        self.counters = PathwayCounters()
        self.ledger = Ledger()
        self.closed_groups: list[VCSEGroup] = []  # kept for their accounts
        self.groups_opened = 0
        self.link_workers_left = 0
        self.patient_weeks = 0
        self.catchment = Catchment(self.p, self.streams["population"].generator)
        self.queues: dict[Service, deque[Patient]] = {s: deque() for s in Service}
        self.pressure: dict[Service, float] = dict.fromkeys(Service, 0.0)
        self.attending: dict[Patient, None] = {}  # group members, stepped weekly
        self.open_records: dict[Patient, None] = {}  # referred within the follow-up window
        self.trajectories = Trajectories()
        self.vacancies: dict[Vacancy, None] = {}  # ordered, so cuts are deterministic
        self.groups_by_activity: list[list[VCSEGroup]] = [[] for _ in catalogue()]
        self._group_table: GroupTable | None = None

        self._create_groups()
        self.staff_to_establishment()
        self._schedule_group_founding()
        self.policies = [copy.copy(policy) for policy in policies]  # a policy's state is per run
        for policy in self.policies:
            policy.initialize(self)
        self.datacollector = mesa.DataCollector(model_reporters=_reporters(), tables={"outcomes": OUTCOME_COLUMNS})
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ set-up
    @property
    def week(self) -> int:
        return int(self.time)

    @property
    def per_100k(self) -> float:
        return self.p.population / 100_000

    def _create_groups(self) -> None:
        for _ in range(round(self.p.groups_per_100k * self.per_100k)):
            self._new_group()

    def _new_group(self) -> VCSEGroup:
        p = self.p
        stream = self.streams["groups"]
        acts = catalogue()
        cumulative = np.cumsum([a.supply for a in acts]).tolist()
        activity_index = stream.pick(cumulative)
        side = self.catchment.side_km
        # lognormal income with the given mean (sigma 0.8: most groups are small, a few large)
        sigma = 0.8
        income = float(stream.generator.lognormal(math.log(p.group_income_mean_gbp) - sigma**2 / 2, sigma))
        reserves = stream.exponential(p.group_reserve_months_mean) * income / 12
        return self.add_group(
            activity_index,
            x=stream.random() * side,
            y=stream.random() * side,
            # bigger groups (more income) have more places: capacity and money scale together
            base_places=1 + int(stream.generator.poisson(max(p.group_places_mean - 1, 0) * income / p.group_income_mean_gbp)),
            charges=stream.chance(p.paid_group_share),
            income_per_year=income,
            margin=float(stream.generator.normal(p.group_margin_mean, p.group_margin_sd)),
            reserves=reserves,
        )

    def add_group(self, activity: int, **traits: Any) -> VCSEGroup:
        """A new open community group (``activity``: index in the activity catalogue; ``traits``: the
        VCSEGroup's x, y, base_places, charges, income_per_year, margin, reserves)."""
        group = VCSEGroup(self, activity=catalogue()[activity], **traits)
        self.groups_by_activity[activity].append(group)
        self._group_table = None
        return group

    def _schedule_group_founding(self) -> None:
        rate = self.p.new_groups_per_100k_year * self.per_100k / 52
        if rate > 0:
            self.schedule_event(self.found_group, after=self.streams["groups"].weeks_until(1 / rate))

    def found_group(self) -> None:
        self._new_group()
        self.groups_opened += 1
        self._schedule_group_founding()

    def caseload_limit(self, service: Service) -> int:
        if service is Service.MENTAL_HEALTH:
            return int(self.p.advisor_caseload)
        return max(1, round(self.p.lw_new_people_per_year * STANDARD_EPISODE_WEEKS / 52))

    def establishment(self, service: Service) -> int:
        """Funded link worker posts for a service: FTE per 100,000 adults times the catchment.

        A service that is funded at all has at least one post.
        """
        if not self.social_prescribing:
            return 0
        if service is Service.MENTAL_HEALTH:
            if not self.p.supported_discharge:
                return 0
            fte = self.p.link_advisors_per_100k * self.per_100k
        else:
            fte = self.p.link_workers_per_100k * self.per_100k
        return max(round(fte), 1) if fte > 0 else 0

    def staff_to_establishment(self) -> None:
        """Recruit to funded posts, or let staff go (newest first) when posts are cut."""
        for service in Service:
            posts = self.establishment(service)
            vacant = [v for v in self.vacancies if v.service is service]
            workers = self.link_workers(service)
            for _ in range(posts - len(workers) - len(vacant)):
                self.recruit_link_worker(service)
            excess = len(workers) + len(vacant) - posts
            for vacancy in vacant[:max(excess, 0)]:
                del self.vacancies[vacancy]
                excess -= 1
            for worker in sorted(workers, key=lambda w: -w.unique_id)[:max(excess, 0)]:
                self.link_worker_leaves(worker, replace=False)

    def update_parameters(self, **changes: Any) -> None:
        """Change parameters mid-run (a policy starting); checked like the model's own keywords.

        Most parameters are read when they are used, so a change takes effect at once; staffing
        is brought to the new establishment here.
        """
        if "population" in changes or "adults_per_km2" in changes:
            raise ParameterError("population and adults_per_km2 are fixed once a model is built")
        self.p = Params(resolve({**self._overrides, **changes}))
        self._overrides.update(changes)
        for worker in self.link_workers():
            worker.caseload_limit = self.caseload_limit(worker.service)
        self.staff_to_establishment()

    def recruit_link_worker(self, service: Service) -> LinkWorker:
        return LinkWorker(self, service, self.caseload_limit(service))

    def link_workers(self, service: Service | None = None) -> list[LinkWorker]:
        workers = self.agents_by_type.get(LinkWorker)
        if workers is None:
            return []
        return [w for w in workers if service is None or w.service is service]

    @property
    def groups_closed(self) -> int:
        return len(self.closed_groups)

    def group_table(self) -> GroupTable:
        """The open groups as arrays, for matching; rebuilt only when a group opens or closes."""
        if self._group_table is None:
            self._group_table = GroupTable(self.groups())
        return self._group_table

    def groups(self) -> list[VCSEGroup]:
        return [g for per_activity in self.groups_by_activity for g in per_activity]

    # ------------------------------------------------------------------ the week
    def step(self) -> None:
        self.patient_weeks += len(self.agents_by_type.get(Patient, ()))  # benchmark unit of work
        self._arrive_referrals()
        self._allocate_link_workers()
        self._distribute_grants()
        if VCSEGroup in self.agents_by_type:
            self.agents_by_type[VCSEGroup].do("step")
        for patient in list(self.attending):
            if patient in self.attending:  # may have left during this loop (e.g. bumped from a group)
                patient.attend_week()
        if LinkWorker in self.agents_by_type:
            self.agents_by_type[LinkWorker].shuffle_do("step")
        in_post = len(self.link_workers())
        self.ledger.link_worker_fte_weeks += in_post
        self.ledger.link_worker_cost += in_post * self.p.lw_cost_per_fte_year_gbp / 52
        for policy in self.policies:
            policy.accrue_week(self)
        self.trajectories.observe(self)
        self.datacollector.collect(self)

    def _arrive_referrals(self) -> None:
        """This week's referrals: medical routes and self-referral, need-weighted over the catchment."""
        p = self.p
        weekly = p.referral_rate_per_1000 / 1000 * p.population / 52
        awareness_ratio = p.public_awareness / registry()["public_awareness"].value
        for stream_name, mean in (
            ("referrals.medical", weekly * (1 - p.self_referral_share)),
            ("referrals.self", weekly * p.self_referral_share * awareness_ratio),
        ):
            stream = self.streams[stream_name]
            for _ in range(int(stream.generator.poisson(mean))):
                # someone already in the pathway gets no second episode: the referral goes to the next
                # person drawn (a few tries), so the volume matches the referral rate
                for _attempt in range(REFERRAL_DRAW_TRIES):
                    index = self.catchment.draw_referred(stream.random())
                    if index is not None:
                        break
                if index is None:
                    continue
                person = self.catchment.person(index)
                if stream_name == "referrals.self":
                    source = ReferralSource.SELF
                elif person.smi and stream.chance(p.cmht_referral_share_smi):
                    source = ReferralSource.CMHT
                else:
                    source = ReferralSource.GP
                cohort = Cohort.MENTAL_HEALTH if source is ReferralSource.CMHT else Cohort.LTC
                self.refer(person, source, cohort)

    def refer(self, person, source: ReferralSource, cohort: Cohort) -> Patient:
        patient = Patient(self, person, source, cohort)
        self.catchment.in_pathway[person.index] = True
        self.counters.referred += 1
        self.open_records[patient] = None
        self.trajectories.add(patient)
        patient.refer()
        return patient

    def queue_for_link_worker(self, patient: Patient, front: bool = False) -> None:
        queue = self.queues[patient.service]
        queue.appendleft(patient) if front else queue.append(patient)

    def _allocate_link_workers(self) -> None:
        """Link workers with room take people from the waiting list, first come first served."""
        now = self.time
        for service, queue in self.queues.items():
            for patient in queue:
                if patient.state is S.AWAITING_LINK_WORKER and patient.gives_up_at <= now:
                    patient.give_up_waiting()
            # drop people who have given up or moved on since they joined the queue
            live = deque(pt for pt in queue if pt.state is S.AWAITING_LINK_WORKER)
            self.queues[service] = live
            workers = self.link_workers(service)
            capacity = sum(w.caseload_limit for w in workers)
            demand = len(live) + sum(w.load for w in workers)
            self.pressure[service] = demand / capacity if capacity else (math.inf if demand else 0.0)
            # the link worker with most room takes the next person (ties: the longest in post)
            room = [(-w.free_room, w.unique_id, w) for w in workers if w.free_room >= 1]
            heapq.heapify(room)
            while live and room:
                _, _, worker = heapq.heappop(room)
                worker.take_on(live.popleft())
                if worker.free_room >= 1:
                    heapq.heappush(room, (-worker.free_room, worker.unique_id, worker))

    def uptake_probability(self, patient: Patient) -> float:
        """Chance that an assessed person wants an activity: lower when link workers are stretched
        (light-touch support), higher with trained link workers or an accompanied first session."""
        p = self.p
        if patient.service is Service.MENTAL_HEALTH:
            base = p.accompanied_uptake_prob
        else:
            base = p.uptake_prob
        pressure_excess = min(max(self.pressure[patient.service] - 1.0, 0.0), 1.0)
        chance = base * (1 + p.training_uptake_boost * p.lw_training)
        chance *= 1 - p.light_touch_uptake_penalty * pressure_excess
        return min(chance, 1.0)

    def link_worker_leaves(self, worker: LinkWorker, replace: bool = True) -> None:
        """A link worker leaves. With guaranteed continuity a colleague takes over at once; otherwise
        their clients go to colleagues with room (continuity broken) and the post stays vacant.
        ``replace=False``: the post itself is cut."""
        self.link_workers_left += 1
        caseload = worker.hand_back_all()
        worker.remove()
        if replace and self.p.guaranteed_continuity:
            successor = self.recruit_link_worker(worker.service)
            for patient in caseload:
                patient.link_worker_left(successor, continuity_kept=True)
            return
        if replace:
            vacancy = Vacancy(self, worker.service)
            self.vacancies[vacancy] = None
            self.schedule_event(vacancy.fill, after=max(self.p.lw_vacancy_weeks, 1e-3))
        colleagues = self.link_workers(worker.service)
        for patient in caseload:
            best = max(colleagues, key=lambda w: (w.free_room, -w.unique_id), default=None)
            has_room = best is not None and best.free_room >= patient.caseload_weight
            patient.link_worker_left(best if has_room else None, continuity_kept=False)

    # ------------------------------------------------------------------ community groups and money
    def _distribute_grants(self) -> None:
        """This week's capacity grants, shared equally between open groups (none when the pot is 0)."""
        pot = self.p.vcse_grant_per_100k_year_gbp * self.per_100k / 52
        open_groups = self.groups()
        share = pot / len(open_groups) if open_groups else 0.0
        for group in open_groups:
            if share == 0.0 and group.grant_per_week == 0.0:
                continue
            group.grant_per_week = share
            if share > 0:
                group.receive(share, from_commissioner=True)
                self.ledger.grants_paid += share
            group.enforce_places()
            group.admit_from_waiting_list()

    def pay_tariff(self, group: VCSEGroup) -> None:
        """Funding follows the referral: the receiving group is paid when a referred person starts."""
        amount = self.p.referral_tariff_gbp
        if amount > 0:
            group.receive(amount, from_commissioner=True)
            self.ledger.tariffs_paid += amount

    def close_group(self, group: VCSEGroup) -> None:
        """A group whose reserves ran out closes; its members and waiting list are re-matched."""
        displaced = group.close()
        group.closed_week = self.week
        self.groups_by_activity[catalogue().index(group.activity)].remove(group)
        self._group_table = None
        self.closed_groups.append(group)
        group.remove()
        for patient in displaced:
            patient.group_closed()

    # ------------------------------------------------------------------ bookkeeping
    def on_state_change(self, patient: Patient, old: PathwayState | None, new: PathwayState) -> None:
        self.counters.move(old, new)
        if new in IN_GROUP:
            self.attending[patient] = None
        else:
            self.attending.pop(patient, None)
        if new is S.DROPPED_OUT:
            self.counters.dropped_out += 1

    def leave_pathway(self, patient: Patient) -> None:
        """A person reached a terminal state."""
        self.counters.exits[patient.exit_reason] += 1
        if patient.record_closed:
            self._retire(patient)

    def record_outcome(self, patient: Patient, record: dict) -> None:
        self.datacollector.add_table_row("outcomes", record)
        self.open_records.pop(patient, None)
        if patient.state in TERMINAL:
            self._retire(patient)

    def _retire(self, patient: Patient) -> None:
        """Out of the pathway and measured: the person may be referred again (a new episode), and
        their agent leaves the model (their record stays in the outcomes table). Both scenarios of a
        paired comparison follow this rule, so referral counts stay comparable."""
        self.catchment.in_pathway[patient.person.index] = False
        patient.remove()

    def close_open_records(self) -> None:
        """At the end of a run, measure everyone still within follow-up (marked censored)."""
        for patient in list(self.open_records):
            patient.close_record(censored=True)
        self.trajectories.close()

    def outcomes(self):
        """One row per closed record (a pandas DataFrame)."""
        return self.datacollector.get_table_dataframe("outcomes")

    # ------------------------------------------------------------------ reporters
    def wellbeing_means(self) -> dict[str, float]:
        """Mean SWEMWBS and UCLA-3, and their change since referral, over people within follow-up.

        Taken over everyone referred in the last follow-up window, whatever their state, so that the
        counterfactual (no social prescribing) is measured on the same footing. It scans every open
        record, so it is read every WELLBEING_READING_WEEKS weeks (like a monthly survey) and the
        last reading is reported in between: outcomes themselves come from each person's record.
        """
        cached = getattr(self, "_wellbeing_cache", None)
        if cached is not None and (self.week - cached[0] < WELLBEING_READING_WEEKS):
            return cached[1]
        n = len(self.open_records)
        sums = [0.0, 0.0, 0.0, 0.0]
        week = self.week
        for pt in self.open_records:
            sw, lo = pt.outcomes_at(week)
            sums[0] += sw
            sums[1] += sw - pt.swemwbs0
            sums[2] += lo
            sums[3] += lo - pt.ucla0
        keys = ("mean_swemwbs", "mean_swemwbs_change", "mean_ucla", "mean_ucla_change")
        means = {k: (v / n if n else math.nan) for k, v in zip(keys, sums, strict=True)}
        self._wellbeing_cache = (week, means)
        return means

    def group_waiting(self) -> int:
        return sum(len(g.waiting) for g in self.groups())

    def group_places(self) -> int:
        return sum(g.places for g in self.groups())

    def caseload(self) -> float:
        return sum(w.load for w in self.link_workers())

    def caseload_capacity(self) -> int:
        return sum(w.caseload_limit for w in self.link_workers())


def _state_count(model: SocialPrescribingModel, state: PathwayState) -> int:
    return model.counters.count(state)


def _wellbeing(model: SocialPrescribingModel, key: str) -> float:
    return model.wellbeing_means()[key]


def _reporters() -> dict[str, Any]:
    reporters: dict[str, Any] = {state.name.lower(): partial(_state_count, state=state) for state in PathwayState}
    reporters.update(
        {
            "referrals": lambda m: m.counters.referred,
            "lw_waiting": lambda m: m.counters.count(S.AWAITING_LINK_WORKER),
            "group_waiting": SocialPrescribingModel.group_waiting,
            "caseload": SocialPrescribingModel.caseload,
            "caseload_capacity": SocialPrescribingModel.caseload_capacity,
            "link_workers": lambda m: len(m.link_workers()),
            "open_groups": lambda m: sum(len(g) for g in m.groups_by_activity),
            "group_places": SocialPrescribingModel.group_places,
            "in_groups": lambda m: len(m.attending),  # attending + sustained + volunteering
            **{key: partial(_wellbeing, key=key) for key in ("mean_swemwbs", "mean_swemwbs_change", "mean_ucla", "mean_ucla_change")},
            "commissioner_spend_gbp": lambda m: m.ledger.commissioner_spend,
        }
    )
    return reporters
