"""Shared builders for the mechanism tests: a calm model in which only the mechanism under test acts, a group
placed where the test wants it, and referred people who want its activity and live within reach of it."""

from __future__ import annotations

from collections.abc import Iterable

from spsim.model import Cohort, Patient, PathwayState, ReferralSource, SocialPrescribingModel, VCSEGroup
from spsim.model.states import Event
from spsim.model.referral import refer as refer_to_pathway


# The calm catchment every mechanism test starts from: nobody is referred by the background rate, no group opens
# or is there at the start, nobody has a setback, drops out, declines or is judged not right for social
# prescribing, and link workers neither leave nor lose the people waiting for them. A test module adds what its
# mechanism needs (calm(...)) and then refers people and places groups itself, so it can follow them exactly.
CALM = {
    "population": 5_000,
    "referral_rate_per_1000": 0.0,
    "groups_per_100k": 0.0,
    "new_groups_per_100k_year": 0.0,
    "setback_rate_per_year": 0.0,
    "dropout_hazard": 0.0,
    "referral_decline_prob": 0.0,
    "appropriate_share_min": 1.0,
    "appropriate_share_max": 1.0,
    "lw_quit_rate_per_year": 0.0,
    "lw_wait_patience_weeks": 520.0,
    "lw_training": 0.0,
}
# Link workers never the bottleneck: at 5,000 adults, 5 link workers x 231 places, so nobody waits
NOBODY_WAITS = {"link_workers_per_100k": 100.0, "lw_new_people_per_year": 1000.0}


def calm(**settings) -> dict:
    """CALM with a module's own settings on top."""
    return {**CALM, **settings}


# Timings the mechanism tests count weeks with, pinned so that a recalibration (seeds/calibrated.toml) does
# not move them: the tests check mechanisms, not fitted values.
PINNED = {"assessment_weeks": 2}


def calm_model(settings: dict = CALM, seed: int = 1, **overrides) -> SocialPrescribingModel:
    """The model with a test module's calm settings (no background referrals, groups or chance events)."""
    return SocialPrescribingModel(rng=seed, **{**PINNED, **settings, **overrides})


def add_group(model: SocialPrescribingModel, activity: int = 0, x: float = 0.0, y: float = 0.0, places: int = 1_000,
              charges: bool = False, income: float = 10_000.0, margin: float = 0.0,
              reserves: float = 1e6) -> VCSEGroup:  # fmt: skip
    """A group of one activity at (x, y) km, with fixed finances (a large reserve: it never closes unless
    the test says so)."""
    return model.community.add_group(
        activity, x=x, y=y, base_places=places, charges=charges, income_per_year=income, margin=margin,
        reserves=reserves,
    )  # fmt: skip


def refer(model: SocialPrescribingModel, index: int, activity: int = 0, cohort: Cohort = Cohort.LTC,
          x: float = 0.1, reach_km: float = 1.0) -> Patient:  # fmt: skip
    """Refer catchment person `index`, moved to (x, 0) with the given reach, wanting only `activity` and able
    to pay for it; mental-health cohort referrals come from the community mental health team."""
    source = ReferralSource.CMHT if cohort is Cohort.MENTAL_HEALTH else ReferralSource.GP
    person = model.catchment.person(int(index))._replace(x=x, y=0.0, reach_km=reach_km)
    patient = refer_to_pathway(model, person, source, cohort)
    patient.preferences = (activity,)
    patient.cannot_pay = False
    return patient


def refer_people(model: SocialPrescribingModel, indices: Iterable[int], activity: int = 0, x: float = 0.1,
                 reach_km: float = 1.0) -> list[Patient]:  # fmt: skip
    return [refer(model, i, activity, x=x, reach_km=reach_km) for i in indices]


def stop_attending(patient: Patient) -> None:
    """A member leaves their group the way the model has them drop out (the pathway's own move)."""
    patient.leave_group()
    patient.move_to(PathwayState.DROPPED_OUT, Event.STOPPED)
