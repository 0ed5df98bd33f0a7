"""Referral and first contact: who is referred each week, by whom, and how they reach a link worker.

Referrals arrive by the medical routes (GP, community mental health team) and by self-referral,
need-weighted over the catchment (ELSA odds ratios) and at a low point in the person's own course; the medical
routes refer more when more link worker posts are funded than the place's own (``referral_supply_elasticity``). A
referred person waits for a link worker with room (first come, first served), may give up waiting, and at
first contact may decline (Bu 2024; Dayson 2020 for the supported pathway).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .parameters import registry
from .contact_rows import decline_chance
from .moves import move_many
from .population import Proposals
from .setback_rows import schedule_next_setbacks, terminal
from .states import Cohort, Event, PathwayState, ReferralSource, Service
from .streams import PURPOSES, PersonalDraws
from .who_is_referred import accepted_in_parts, referred_this_week

if TYPE_CHECKING:
    from .link_worker import LinkWorker
    from .model import SocialPrescribingModel
    from .patient import Patient
    from .population import Person

S = PathwayState
# a new referral's first draws, made for a week's referrals in one keyed pass: whether the referral is appropriate;
# how long they wait for a link worker (with social prescribing only)
FIRST_DRAWS = {True: ("appropriate", "lw_patience"), False: ("appropriate",)}
FIRST_PURPOSES = {with_service: np.array([[PURPOSES[name]] for name in names], dtype=np.uint64)
                  for with_service, names in FIRST_DRAWS.items()}  # fmt: skip


def arrive_referrals(model: SocialPrescribingModel) -> None:
    """This week's referrals: medical routes and self-referral, need-weighted over the catchment, made as one batch
    (medical first): nothing made for a referral decides who else is referred that week but their being in the
    pathway, marked as soon as they are chosen, and every draw of the batch is keyed by person."""
    p = model.p
    weekly = p.referral_rate_per_1000 / 1000 * p.population / 52
    awareness_ratio = p.public_awareness / registry()["public_awareness"].value
    # GPs and mental health teams refer more when more link workers are funded than the place's own (exactly 1
    # otherwise); self-referral follows public awareness, not posts
    supply = model.workforce.referral_supply_factor()
    medical_routes, self_referral = (Proposals(generator, int(generator.poisson(mean))) for generator, mean in (
        (model.streams["referrals.medical"].generator, weekly * (1 - p.self_referral_share) * supply),
        (model.streams["referrals.self"].generator, weekly * p.self_referral_share * awareness_ratio),
    ))  # fmt: skip
    # each stream's first part of proposals is looked at in one pass (who someone is, and how they are now, does
    # not depend on who else is referred); a self-referral the medical routes chose is let go, as it would have
    # been had it been looked at after them
    firsts = accepted_in_parts(model, [medical_routes.next_part(), self_referral.next_part()])
    in_pathway = model.catchment.in_pathway
    chosen = []
    for proposals, first in zip((medical_routes, self_referral), firsts):
        free = [person for person, taken in zip(first, in_pathway[first].tolist()) if not taken]
        chosen += referred_this_week(model, proposals, free)
        in_pathway[chosen] = True  # not to be chosen again this week (and by refer_many)
    medical = len(medical_routes.chosen)
    people, *draws = model.catchment.referred(chosen)  # read at once
    # the medical stream's next draw for each person with a serious mental illness, in referral order
    stream = model.streams["referrals.medical"]
    cmht_share = p.cmht_referral_share_smi
    sources = [ReferralSource.CMHT if person.smi and stream.chance(cmht_share)
               else ReferralSource.GP for person in people[:medical]]  # fmt: skip
    sources += [ReferralSource.SELF] * (len(people) - medical)
    refer_many(model, people, sources, cohorts_of(people, sources), draws)


def cohorts_of(people: list[Person], sources: list[ReferralSource]) -> list[Cohort]:
    """Who the service sees: secondary mental health when a mental health team refers; anxiety or depression
    in primary care (the commonest reason for referral, Bu 2024); otherwise long-term conditions."""
    return [Cohort.MENTAL_HEALTH if source is ReferralSource.CMHT else Cohort.COMMON_MENTAL if person.cmd
            else Cohort.LTC for person, source in zip(people, sources, strict=True)]  # fmt: skip


def cohort_of(person: Person, source: ReferralSource) -> Cohort:
    """``cohorts_of`` one person."""
    return cohorts_of([person], [source])[0]


def refer(model: SocialPrescribingModel, person: Person, source: ReferralSource, cohort: Cohort) -> Patient:
    """``person`` is referred now: they become a Patient agent and enter the pathway."""
    return refer_many(model, [person], [source], [cohort])[0]


def refer_many(model: SocialPrescribingModel, people: list[Person], sources: list[ReferralSource],
               cohorts: list[Cohort], draws: tuple[np.ndarray, np.ndarray] | None = None) -> list[Patient]:  # fmt: skip
    """``people`` (different people) are referred now, in this order: what each needs from the catchment's
    columns (their episode's key, their scores at this low point, their row of the wellbeing register, whether
    the referral is appropriate; ``draws``, if ``Catchment.referred`` read them) is read for all of them at once;
    then each becomes a Patient agent, and all of them enter the pathway as a batch (``enter_pathway``)."""
    from .patient import Patient, at_referral  # the Patient is built from the stages, this one among them

    if not people:
        return []
    index = np.array([person.index for person in people], dtype=np.int64)
    catchment, week, p = model.catchment, model.week, model.p
    episodes = catchment.episodes[index] + 1  # this episode's own random numbers: the k-th referral's in every scenario
    catchment.episodes[index] = episodes
    keys = model.streams.persons.keys(index, episodes)
    # true wellbeing and loneliness now, at the low point that brought the referral
    swemwbs0, ucla0 = model.course.scores(index, week)
    gain_scales, traits = at_referral(model, people, cohorts, draws, index)
    first = model.register.enrol_many(week, index, swemwbs0, ucla0, p.gain_fade_half_life_weeks, gain_scales, keys)
    rows = np.arange(first, first + len(people))
    services = services_of(cohorts, p)
    draws_now = first_draws(model, rows, keys)
    appropriate = appropriate_referrals(model, services, draws_now[0])
    retain = p.gain_retained_share  # (each one's mechanisms keep the share in force at their referral)
    patients = [Patient(model, person, source, cohort, service, key, row, fit, traits_of, retain, week)
                for row, (person, source, cohort, service, key, fit, traits_of) in enumerate(zip(
                    people, sources, cohorts, services, keys.tolist(), appropriate, traits, strict=True), first)]
    catchment.in_pathway[index] = True
    model.counters.referred += len(patients)
    model.trajectories.add_many(model.register, week, rows)
    enter_pathway(model, patients, rows, services, draws_now[1] if model.social_prescribing else None)
    if model.social_prescribing:  # each one's first setback candidate, as arrays (nothing above depends on it)
        live = ~terminal(model.register.state[rows])
        if live.all():  # (every week: a new referral is waiting for a link worker, not out of the pathway)
            schedule_next_setbacks(model, rows, patients)
        else:
            schedule_next_setbacks(model, rows[live], [pt for pt, alive in zip(patients, live.tolist()) if alive])
    return patients


def services_of(cohorts: list[Cohort], p) -> list[Service]:
    """The service each referral goes to: link advisors for secondary mental health where the supported discharge
    pathway runs, primary-care link workers otherwise."""
    mental_health = Service.MENTAL_HEALTH if p.supported_discharge else Service.PRIMARY_CARE
    return [mental_health if cohort is Cohort.MENTAL_HEALTH else Service.PRIMARY_CARE for cohort in cohorts]


def first_draws(model: SocialPrescribingModel, rows: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """A week's new register ``rows`` (episode ``keys``): each one's first draw for each of ``FIRST_DRAWS``
    (purposes x rows), the numbers ``WellbeingRegister.next_draws`` makes a purpose at a time (every counter is 0
    until now, and becomes 1), in one pass."""
    counters = model.register.draws
    for purpose in FIRST_DRAWS[model.social_prescribing]:
        counters[purpose][rows] += 1
    return PersonalDraws.uniforms_by_purpose(keys, FIRST_PURPOSES[model.social_prescribing], 0)


def appropriate_referrals(model: SocialPrescribingModel, services: list[Service], u: np.ndarray) -> list[bool]:
    """Is each referral one social prescribing can help with? Drawn once per referral (``u``: each row's first draw
    for it): more often with public awareness and a clear link worker role (Cooper 2024). In the supported pathway
    the mental health team screens its referrals: the best rate (Dayson 2020)."""
    p = model.p
    clarity = (p.public_awareness + p.role_clarity) / 2
    primary = p.appropriate_share_min + (p.appropriate_share_max - p.appropriate_share_min) * clarity
    chance = primary  # (the same for everyone, unless some are the mental health team's)
    if Service.MENTAL_HEALTH in services:
        chance = np.array([p.appropriate_share_max if s is Service.MENTAL_HEALTH else primary for s in services])
    return (u < chance).tolist()


def enter_pathway(model: SocialPrescribingModel, patients: list[Patient], rows: np.ndarray, services: list[Service],
                  patience_u: np.ndarray | None) -> None:  # fmt: skip
    """A week's new referrals (register ``rows``, in order; each one's ``services``) wait for a link worker, at the
    back of their service's queue, or (no social prescribing) carry on as usual; each is measured at follow-up.
    Nothing here competes: the queue is served at the next allocation, in this order. Then the first setback
    candidate: drawn by ``refer_many``.
    ``patience_u``: each one's first draw for how long they wait (``first_draws``)."""
    model.follow_up_many(patients)
    if not model.social_prescribing:
        move_many(model, patients, rows, None, S.USUAL_CARE, Event.NO_SERVICE)
        return
    move_many(model, patients, rows, None, S.AWAITING_LINK_WORKER, Event.REFERRED)
    queues = model.workforce.queues  # (``Workforce.queue`` one by one hashes an Enum each)
    if Service.MENTAL_HEALTH not in services:  # (without the supported discharge pathway, every week: one queue)
        queues[Service.PRIMARY_CARE].extend(patients)
    else:
        for service, queue in queues.items():
            queue.extend(patient for patient, its in zip(patients, services, strict=True) if its is service)
    # a deadline, not an event: the weekly allocation checks it (``Referral.join_link_worker_queue``'s, with
    # Python's logarithm on each draw, as there)
    now, patience = model.time, model.p.lw_wait_patience_weeks
    for patient, u in zip(patients, patience_u.tolist(), strict=True):
        patient.gives_up_at = now - patience * math.log1p(-u)


class Referral:
    """The person's side: entering the pathway, waiting for a link worker, first contact."""

    def join_link_worker_queue(self: Patient, event: Event) -> None:
        """Wait for a link worker: new referrals at the back, people coming back at the front."""
        self.move_to(S.AWAITING_LINK_WORKER, event)
        self.model.workforce.queue(self, front=event is not Event.REFERRED)
        # a deadline, not an event: the weekly allocation checks it (most people are seen in time)
        self.gives_up_at = self.model.time - self.model.p.lw_wait_patience_weeks * math.log1p(-self.draw("lw_patience"))

    def give_up_waiting(self: Patient) -> None:
        if self.state is not S.AWAITING_LINK_WORKER:
            return
        if self.ever_supported:  # back in the queue after a setback or a lost link worker
            self.leave_unengaged(Event.GAVE_UP_LINK_WORKER)
        else:
            self.move_to(S.DECLINED, Event.GAVE_UP_LINK_WORKER)

    def first_contact(self: Patient, link_worker: LinkWorker) -> None:
        """A link worker takes the person on: a strengths-based first conversation."""
        p = self.model.p
        self.start_support_episode(link_worker)
        if self.ever_supported:  # back through the open door, or after a hand-over: no new first contact
            self.move_to(S.WITH_LINK_WORKER, Event.FIRST_CONTACT)
            self.support_begins()
            self.resume_with_link_worker()
            return
        self.ever_supported = True
        counters = self.model.counters
        counters.reached_link_worker += 1
        self.lw_wait_weeks = self.model.time - self.referred_week
        counters.link_worker_wait_weeks += self.lw_wait_weeks
        if self.declines_first_contact():
            self.move_to(S.DECLINED, Event.DECLINED)
            return
        self.move_to(S.WITH_LINK_WORKER, Event.FIRST_CONTACT)
        self.support_begins()
        self.schedule("assessment", p.assessment_weeks)

    def declines_first_contact(self: Patient) -> bool:
        """Does the person decline at first contact? (Their draw for it; in the supported pathway discharge is
        agreed with the person beforehand: Dayson 2020.)"""
        return self.draw("decline") < decline_chance(self.model.p, self.service, self.person.deprived)
