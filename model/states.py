"""The pathway states a referred person moves through, and the two cohorts."""

from __future__ import annotations

from enum import Enum, IntEnum


class Cohort(Enum):
    """Who the person is, as a social prescribing service sees them."""

    LTC = "primary-care long-term conditions"  # Wildman 2019, Ways to Wellness
    MENTAL_HEALTH = "secondary mental health"  # Dayson 2020, Aughterson 2024


class ReferralSource(Enum):
    GP = "GP or primary care"
    CMHT = "community mental health team"
    SELF = "self-referral"


class PathwayState(IntEnum):
    """Exactly one of these holds for every referred person at every moment."""

    AWAITING_LINK_WORKER = 0  # referred; no link worker has room yet
    WITH_LINK_WORKER = 1  # assessment, goals, looking for a group
    AWAITING_GROUP = 2  # matched to a group that is full: on its waiting list
    ATTENDING = 3  # attending a group week by week, not yet sustained
    SUSTAINED = 4  # engagement sustained past the threshold; still attending
    VOLUNTEERING = 5  # peer supporter or volunteer in their group
    SETBACK = 6  # attendance interrupted by a health, family or money shock
    # terminal states: the person has left the pathway
    DECLINED = 7  # declined at first contact, or gave up waiting for a link worker
    NO_ACTIVITY = 8  # link worker support ended without an onward activity
    DROPPED_OUT = 9  # stopped attending, or did not come back after a setback
    MOVED_ON = 10  # left their group after sustained engagement
    USUAL_CARE = 11  # counterfactual: no social prescribing service exists

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").lower()


TERMINAL = frozenset(
    {
        PathwayState.DECLINED,
        PathwayState.NO_ACTIVITY,
        PathwayState.DROPPED_OUT,
        PathwayState.MOVED_ON,
        PathwayState.USUAL_CARE,
    }
)
#: states in which a person is a member of a group and attends weekly
IN_GROUP = frozenset({PathwayState.ATTENDING, PathwayState.SUSTAINED, PathwayState.VOLUNTEERING})


class SetbackKind(Enum):
    HEALTH = "health"
    FAMILY = "family"
    MONEY = "money"


class Service(Enum):
    """Which link worker service a referral goes to."""

    PRIMARY_CARE = "primary-care link workers"
    MENTAL_HEALTH = "link advisors (supported discharge pathway)"
