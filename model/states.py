"""The pathway as data: the states a referred person moves through and every legal move between them.

``TRANSITIONS`` is the single statement of the pathway. ``Patient.move_to`` refuses any move that is not
in it, the README and docs/model.md show the diagram drawn from it (``mermaid``), and a test checks that the runs
use every row and nothing else.
"""

from __future__ import annotations

from enum import Enum, IntEnum, StrEnum
from typing import NamedTuple


class Cohort(Enum):
    """Who the person is, as a social prescribing service sees them."""

    LTC = "primary-care long-term conditions"  # Wildman 2019, Ways to Wellness
    MENTAL_HEALTH = "secondary mental health"  # Dayson 2020, Aughterson 2024
    COMMON_MENTAL = "primary-care anxiety or depression"  # Bu 2024: mental health the commonest reason


class ReferralSource(Enum):
    GP = "GP or primary care"
    CMHT = "community mental health team"
    SELF = "self-referral"


class SetbackKind(Enum):
    HEALTH = "health"
    FAMILY = "family"
    MONEY = "money"


class Service(Enum):
    """Which link worker service a referral goes to."""

    PRIMARY_CARE = "primary-care link workers"
    MENTAL_HEALTH = "link advisors (supported discharge pathway)"


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
    NO_ACTIVITY = 8  # left without ever starting an activity (support ended, gave up, did not come back)
    DROPPED_OUT = 9  # started an activity, then stopped (or did not come back after a setback)
    MOVED_ON = 10  # left their group after sustained engagement
    USUAL_CARE = 11  # counterfactual: no social prescribing service exists

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").lower()


S = PathwayState
TERMINAL = frozenset({S.DECLINED, S.NO_ACTIVITY, S.DROPPED_OUT, S.MOVED_ON, S.USUAL_CARE})
#: states in which a person is a member of a group and attends weekly
IN_GROUP = frozenset({S.ATTENDING, S.SUSTAINED, S.VOLUNTEERING})
#: where a person who leaves without an activity ends: "dropped out" once they had started one
UNENGAGED_EXIT = (S.NO_ACTIVITY, S.DROPPED_OUT)


class Event(StrEnum):
    """What moves a person. A terminal move's event is the exit reason written in their record."""

    REFERRED = "referred"
    NO_SERVICE = "no social prescribing service"
    FIRST_CONTACT = "a link worker takes them on"
    DECLINED = "declined at first contact"
    GAVE_UP_LINK_WORKER = "gave up waiting for a link worker"
    LINK_WORKER_LEFT = "their link worker left, none free"
    NOT_APPROPRIATE = "referral not appropriate"
    SUPPORT_ENDED = "support ended without an activity"
    PLACE_FREE = "starts at a group with a free place"
    GROUP_FULL = "joins a group's waiting list"
    ADMITTED = "a place came free"
    GAVE_UP_GROUP = "gave up waiting for a group"
    PLACES_SHRANK = "places shrank: back to the waiting list"
    GROUP_CLOSED = "group closed: the link worker looks again"
    NOTHING_IN_REACH = "group closed and nothing suitable in reach"
    SUSTAINED = "sustained engagement"
    VOLUNTEERS = "becomes a peer supporter or volunteer"
    STOPPED = "stopped attending"
    MOVED_ON = "moved on after sustained engagement"
    SETBACK = "a health, family or money setback"
    NO_RETURN = "did not come back after a setback"
    BACK_TO_LINK_WORKER = "back with their link worker after a setback"
    OPEN_DOOR = "back through the open door"
    NOTHING_TO_RETURN_TO = "no support or group to return to after a setback"


class Transition(NamedTuple):
    source: PathwayState | None  # None: not yet in the pathway
    target: PathwayState
    event: Event


E = Event
_IN_GROUP = tuple(sorted(IN_GROUP))  # a sustained person or a volunteer (re)starts as one
_ROWS: list[tuple[tuple, tuple, Event]] = [
    # from                                  to                                    caused by
    ((None,),                               (S.AWAITING_LINK_WORKER,),            E.REFERRED),
    ((None,),                               (S.USUAL_CARE,),                      E.NO_SERVICE),
    # referral and first contact (referral.py), the support episode (support.py)
    ((S.AWAITING_LINK_WORKER,),             (S.WITH_LINK_WORKER,),                E.FIRST_CONTACT),
    ((S.AWAITING_LINK_WORKER,),             (S.DECLINED,),                        E.DECLINED),
    ((S.AWAITING_LINK_WORKER,),             (S.DECLINED, *UNENGAGED_EXIT),        E.GAVE_UP_LINK_WORKER),
    ((S.WITH_LINK_WORKER,),                 (S.AWAITING_LINK_WORKER,),            E.LINK_WORKER_LEFT),
    ((S.WITH_LINK_WORKER,),                 UNENGAGED_EXIT,                       E.SUPPORT_ENDED),
    # assessment and goals (assessment.py)
    ((S.WITH_LINK_WORKER,),                 (S.NO_ACTIVITY,),                     E.NOT_APPROPRIATE),
    # placement (placement.py): start, wait, look again, re-match after a closure
    ((S.WITH_LINK_WORKER, S.AWAITING_GROUP, S.SETBACK), _IN_GROUP,                E.PLACE_FREE),
    *[((state,),                            (state,),                             E.PLACE_FREE) for state in _IN_GROUP],
    ((S.WITH_LINK_WORKER, S.AWAITING_GROUP, S.SETBACK, *_IN_GROUP), (S.AWAITING_GROUP,), E.GROUP_FULL),
    ((S.AWAITING_GROUP,),                   _IN_GROUP,                            E.ADMITTED),
    ((S.AWAITING_GROUP,),                   (S.WITH_LINK_WORKER, *UNENGAGED_EXIT), E.GAVE_UP_GROUP),
    ((*_IN_GROUP, S.AWAITING_GROUP),        (S.WITH_LINK_WORKER,),                E.GROUP_CLOSED),
    (_IN_GROUP,                             (S.DROPPED_OUT,),                     E.NOTHING_IN_REACH),
    ((S.AWAITING_GROUP,),                   UNENGAGED_EXIT,                       E.NOTHING_IN_REACH),
    # attendance (attendance.py)
    (_IN_GROUP,                             (S.AWAITING_GROUP,),                  E.PLACES_SHRANK),
    ((S.ATTENDING,),                        (S.SUSTAINED,),                       E.SUSTAINED),
    ((S.ATTENDING,),                        (S.VOLUNTEERING,),                    E.VOLUNTEERS),
    ((S.ATTENDING,),                        (S.DROPPED_OUT,),                     E.STOPPED),
    ((S.SUSTAINED, S.VOLUNTEERING),         (S.MOVED_ON,),                        E.MOVED_ON),
    # setbacks and return (setbacks.py)
    ((S.WITH_LINK_WORKER, S.AWAITING_GROUP, *_IN_GROUP), (S.SETBACK,),            E.SETBACK),
    ((S.SETBACK,),                          UNENGAGED_EXIT,                       E.NO_RETURN),
    ((S.SETBACK,),                          (S.WITH_LINK_WORKER,),                E.BACK_TO_LINK_WORKER),
    ((S.SETBACK,),                          (S.AWAITING_LINK_WORKER,),            E.OPEN_DOOR),
    ((S.SETBACK,),                          UNENGAGED_EXIT,                       E.NOTHING_TO_RETURN_TO),
]  # fmt: skip
TRANSITIONS: tuple[Transition, ...] = tuple(
    Transition(source, target, event)
    for sources, targets, event in _ROWS
    for source in sources
    for target in targets
)
LEGAL = frozenset(TRANSITIONS)


class IllegalTransition(RuntimeError):
    """A move the pathway does not have: a bug in the model, never a user's mistake."""


def check(source: PathwayState | None, target: PathwayState, event: Event) -> None:
    if (source, target, event) not in LEGAL:
        raise IllegalTransition(f"{source.name if source is not None else 'new'} -> {target.name} on {event.name}")


def mermaid() -> str:
    """The state diagram (Mermaid ``stateDiagram-v2``, which GitHub renders), one arrow per state pair."""
    events: dict[tuple[str, str], list[str]] = {}
    for t in TRANSITIONS:
        key = ("[*]" if t.source is None else t.source.name, t.target.name)
        events.setdefault(key, []).append(t.event.name.lower())
    lines = ["stateDiagram-v2"]
    lines += [f"    {a} --> {b}: {', '.join(names)}" for (a, b), names in events.items()]
    lines += [f"    {state.name} --> [*]" for state in sorted(TERMINAL)]
    return "\n".join(lines) + "\n"
