"""The link worker workforce: funded posts, recruitment and vacancies, the waiting lists for a link worker,
who takes whom on (NHS England role description; Tierney 2025 and BJGP 2023 on pressure); link workers leaving and
their caseloads handed on are model/staff_turnover.py."""

from __future__ import annotations

import heapq
import math
from collections import deque
from operator import attrgetter
from typing import TYPE_CHECKING

from .caseload_places import hand_out_places
from .contact_rows import FirstContactDecisions, first_contacts
from .link_worker import LinkWorker
from .moves import give_up_waiting_many
from .staff_turnover import StaffTurnover
from .states import PathwayState, Service

if TYPE_CHECKING:
    from .model import SocialPrescribingModel
    from .patient import Patient
    from .staff_turnover import Vacancy

S = PathwayState
_LIMIT, _LOAD = attrgetter("caseload_limit"), attrgetter("load")


class Workforce(StaffTurnover):
    """Funded posts and the link workers in them, their waiting lists and the weekly allocation (leaving:
    ``StaffTurnover``)."""

    def __init__(self, model: SocialPrescribingModel):
        self.model = model
        self.queues: dict[Service, deque[Patient]] = {s: deque() for s in Service}
        self.pressure: dict[Service, float] = dict.fromkeys(Service, 0.0)  # demand / capacity, last allocation
        self.vacancies: dict[Vacancy, None] = {}  # ordered, so cuts are deterministic
        self._in_post: list[LinkWorker] = []  # in order of joining (Mesa's own agent set order)
        self.link_workers_left = 0  # link workers who chose to leave (their post stayed)
        self.posts_cut = 0  # posts a policy cut
        self.contacts_over_rows = True  # False: every first contact one by one (``Referral.first_contact``)
        self.places_in_order = True  # False: every place handed out through the heap (the same numbers)
        self.leaving_draws = model.streams["workforce"]  # each link worker's weekly draw: do they leave?
        # the place's own primary-care establishment, before any policy starts: what referral volume is set at
        self.own_fte = self.establishment(Service.PRIMARY_CARE)

    # ------------------------------------------------------------------ posts
    def caseload_limit(self, service: Service) -> float:
        """People a whole-time link worker holds at once: published throughput x episode length
        (12 weeks) / 52; link advisors in the supported pathway have their own caseload."""
        p = self.model.p
        if service is Service.MENTAL_HEALTH:
            return float(p.advisor_caseload)
        return max(1, round(p.lw_new_people_per_year * p.lw_episode_weeks / 52))

    def establishment(self, service: Service) -> float:
        """Funded FTE for a service: FTE per 100,000 adults times the catchment, exactly (part-time
        posts: money buys hours, so equal budgets buy equal capacity)."""
        p = self.model.p
        if not self.model.social_prescribing:
            return 0.0
        if service is Service.MENTAL_HEALTH:
            return p.link_advisors_per_100k * self.model.per_100k if p.supported_discharge else 0.0
        return p.link_workers_per_100k * self.model.per_100k

    def posts(self, service: Service) -> tuple[int, float]:
        """(number of posts, FTE of each): the establishment shared equally over the fewest posts of at most
        one FTE, so caseload capacity and cost are both proportional to the funded FTE."""
        fte = self.establishment(service)
        count = math.ceil(fte - 1e-9) if fte > 1e-9 else 0
        return count, (fte / count if count else 0.0)

    def staff_to_establishment(self) -> None:
        """Recruit to funded posts, or let staff go (newest first) when posts are cut; every post (filled
        or vacant) then carries the same share of the establishment."""
        for service in Service:
            posts, share = self.posts(service)
            vacant = [v for v in self.vacancies if v.service is service]
            workers = self.link_workers(service)
            for _ in range(posts - len(workers) - len(vacant)):
                self.recruit(service)
            excess = len(workers) + len(vacant) - posts
            for vacancy in vacant[: max(excess, 0)]:
                del self.vacancies[vacancy]
                excess -= 1
            for worker in sorted(workers, key=lambda w: -w.unique_id)[: max(excess, 0)]:
                self.cut_post(worker)
            for worker in self.link_workers(service):
                worker.set_fte(share, self.caseload_limit(service))

    def parameters_changed(self) -> None:
        self.staff_to_establishment()

    def recruit(self, service: Service) -> LinkWorker:
        _, share = self.posts(service)
        worker = LinkWorker(self.model, service, self.caseload_limit(service) * share, fte=share)
        self._in_post.append(worker)
        return worker

    def funded_fte(self, service: Service) -> float:
        """FTE the commissioner pays for this week: every funded post, filled or vacant (a link worker
        service is usually a block contract with a provider, paid whatever its vacancies)."""
        return self.establishment(service)

    def referral_supply_factor(self) -> float:
        """How many more (or fewer) referrals GPs and mental health teams make than at the place's own posts:
        (primary-care FTE funded now / the place's own) ** ``referral_supply_elasticity`` (supply-induced demand).
        Exactly 1.0 unless posts differ from the place's own, so runs without extra posts change in nothing.
        Funded posts, not posts filled: vacancies come and go at random (a link worker leaves, the post waits to be
        filled), so filled FTE would move every run's referrals; and GPs refer to the service commissioned, a vacancy
        shows as a longer wait. No posts of its own (or no service): nothing to scale from, 1."""
        now, own = self.establishment(Service.PRIMARY_CARE), self.own_fte
        elasticity = self.model.p.referral_supply_elasticity
        if now == own or own <= 0 or elasticity == 0:
            return 1.0
        return (now / own) ** elasticity

    def link_workers(self, service: Service | None = None) -> list[LinkWorker]:
        """Link workers in post (kept as they join and leave, not rebuilt from the agent set each time)."""
        if service is None:
            return list(self._in_post)
        return [w for w in self._in_post if w.service is service]

    # ------------------------------------------------------------------ waiting and allocation
    def queue(self, patient: Patient, front: bool = False) -> None:
        queue = self.queues[patient.service]
        queue.appendleft(patient) if front else queue.append(patient)

    def allocate(self) -> None:
        """Link workers with room take people from the waiting list, first come first served."""
        now = self.model.time
        for service, queue in self.queues.items():
            workers = [w for w in self._in_post if w.service is service]  # (by identity: an Enum hashes in Python)
            live = self._still_waiting(service, queue, now) if queue else queue
            capacity, demand = sum(map(_LIMIT, workers)), len(live) + sum(map(_LOAD, workers))
            self.pressure[service] = demand / capacity if capacity else (math.inf if demand else 0.0)
            if live:  # (an empty queue, the usual week of a service without posts: nobody to take on)
                self._take_on(service, live, workers)

    def _still_waiting(self, service: Service, queue: deque[Patient], now: float) -> deque[Patient]:
        """In one pass, those out of patience give up (as a batch: it changes only each of them; someone queued twice
        gives up once) and those no longer waiting (moved on, gave up) are dropped; returns the queue left."""
        waiting = S.AWAITING_LINK_WORKER
        live = deque()
        gave_up = {}
        for patient in queue:
            if patient.state is waiting:
                if patient.gives_up_at <= now:
                    gave_up[patient] = None
                else:
                    live.append(patient)
        give_up_waiting_many(self.model, list(gave_up))
        self.queues[service] = live
        return live

    def _take_on(self, service: Service, live: deque[Patient], workers: list[LinkWorker]) -> None:
        """The link worker with most room takes the next person from ``live`` (ties: the longest in post), until
        the queue or the room runs out: the places' order worked out at once while loads are whole numbers
        (model/caseload_places.py), else (and after someone coming back changed a load) through a heap."""
        if not (room := [(-free, w.unique_id, w) for w in workers if (free := w.caseload_limit - w.load) >= 1]):
            return  # (``free_room`` written out: nobody has room)
        taken, by, declined = [], [], []  # first contacts, settled as a batch (model/contact_rows.py)
        if self.contacts_over_rows and self.places_in_order:
            room = hand_out_places(self.model, service, live, room, taken, by, declined)
        if room and live:
            self._take_by_heap(service, live, room, taken, by, declined)
        first_contacts(self.model, taken, by, declined)

    def _take_by_heap(self, service: Service, live: deque[Patient], room: list, taken: list[Patient],
                      by: list[LinkWorker], declined: list[bool]) -> None:  # fmt: skip
        """``_take_on``'s places one at a time: the heap ``room`` gives the next."""
        heapq.heapify(room)
        over_rows = self.contacts_over_rows
        places = sum(int(-free) for free, _, _ in room)  # at least this many are taken
        decisions = FirstContactDecisions(self.model, service, live, places)
        while live and room:
            _, _, worker = heapq.heappop(room)
            returning, declines = decisions.pop()
            patient = live.popleft()
            if returning or not over_rows:
                worker.take_on(patient)  # one by one: someone coming back may look for a group at once
            else:
                worker.take(patient)
                declined.append(declines)
                if declines:
                    worker.release(patient)  # their place is free again for the next person
                taken.append(patient)
                by.append(worker)
            if (free := worker.free_room) >= 1:
                heapq.heappush(room, (-free, worker.unique_id, worker))

    def account_week(self, ledger) -> None:
        """This week's cost of the funded posts, and the FTE actually in post."""
        weekly = self.model.p.lw_cost_per_fte_year_gbp / 52
        primary, advisors = self.funded_fte(Service.PRIMARY_CARE), self.funded_fte(Service.MENTAL_HEALTH)
        ledger.link_worker_cost += primary * weekly
        ledger.advisor_cost += advisors * weekly
        ledger.posts_economic_cost += (primary + advisors) * (self.model.p.lw_economic_cost_per_fte_year_gbp / 52)
        ledger.link_worker_fte_weeks += self.fte_in_post()

    # ------------------------------------------------------------------ readings
    # (each a sum over a list, not a generator: the same sum in the same order, a third fewer instructions; read weekly)
    def fte_in_post(self) -> float:
        """FTE of the link workers in post (both services), in the order they joined."""
        return sum([w.fte for w in self._in_post])

    def caseload(self) -> float:
        return sum([w.load for w in self._in_post])

    def caseload_capacity(self) -> float:
        return sum([w.caseload_limit for w in self._in_post])
