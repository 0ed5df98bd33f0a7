"""A week's caseload places handed out over rows (DESIGN.md 15): ``Workforce._take_on``'s order worked out at once.

The allocation gives the person at the front of the queue to the link worker with most free room (ties: the longest
in post), one place at a time, through a heap. While every link worker's load is a whole number (every share of a
place is 1: no lighter maintenance phase) that arithmetic is exact, so the order of the places is known before anyone
is taken: a link worker's k-th place (from 0) leaves ``caseload_limit - (load + k)`` room before it is taken, and the
places go out largest room first. A person who declines at first contact gives their place back at once (the same
room as before), so the next person takes the same place; everyone else takes the next place. What is left per
person is only their own entry in their link worker's caseload, in queue order (a hand-over reads that order).

People coming back (a setback, a lost link worker) are taken on one by one, at their turn: they may look for a group
at once, and leaving the pathway then gives their place back. If their turn changed any link worker's load otherwise
than by their own place, the rest of the week's places go through the heap as it would stand then.
"""

from __future__ import annotations

from collections import deque
from itertools import islice
from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np

from .arrays import counting_within
from .contact_rows import FirstContactDecisions

if TYPE_CHECKING:
    from .link_worker import LinkWorker
    from .model import SocialPrescribingModel
    from .patient import Patient
    from .states import Service

_LOAD = attrgetter("load")
Room = list[tuple[float, int, "LinkWorker"]]  # the heap's entries: (-free room, unique_id, link worker)


def hand_out_places(model: SocialPrescribingModel, service: Service, live: deque[Patient], room: Room,
                    taken: list[Patient], by: list[LinkWorker], declined: list[bool]) -> Room:  # fmt: skip
    """Take people from the front of ``live`` into ``room``'s places in the heap's order (see above); those taken
    for the first time are added to ``taken``, with their link workers to ``by`` and their decisions to
    ``declined``. Returns the heap's entries left for ``Workforce`` to carry on from (none: the week is done; all of
    ``room``: a load is not a whole number, nothing was taken here)."""
    workers = [worker for _, _, worker in room]
    loads = [worker.load for worker in workers]
    if not all(map(float.is_integer, loads)):  # (a load is a float: a sum of shares)
        return room
    # the link workers' limits, loads and ids (whole numbers, exact as floats), each from a flat list of a type given
    # (from a list of tuples NumPy would discover the shape and type of each tuple: twice the instructions)
    limit = np.array([worker.caseload_limit for worker in workers], dtype=np.float64)
    load = np.array(loads, dtype=np.float64)
    unique_id = np.array([worker.unique_id for worker in workers], dtype=np.float64)
    who, left = _places(limit, load, unique_id, len(live))
    returning, declines, place = _decided(model, service, live, len(who))
    people = [live.popleft() for _ in range(len(place))]
    by_place = [workers[i] for i in who[place].tolist()]
    declines = declines.tolist()
    start = 0
    for i in np.flatnonzero(returning).tolist():  # (most weeks, nobody)
        _take(people[start:i], by_place[start:i], declines[start:i], taken, by, declined)
        start, own = i + 1, int(who[place[i]])
        expected = list(map(_LOAD, workers))
        expected[own] += 1.0
        workers[own].take_on(people[i])
        if list(map(_LOAD, workers)) != expected:  # their turn gave a place back, or changed another's load
            live.extendleft(reversed(people[start:]))
            return _heap_now(workers, own, who[place[i] + 1 :], left[place[i] + 1 :])
    _take(people[start:], by_place[start:], declines[start:], taken, by, declined)
    return []


def _places(limit: np.ndarray, load: np.ndarray, unique_id: np.ndarray,
            waiting: int) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Every whole place free, in the order the heap hands them out: the link worker (an index) of each and the
    room it leaves before it is taken, ``limit - (load + k)`` for a link worker's k-th (exactly the heap's
    ``free_room`` after k places taken, the loads being whole numbers). A link worker's places after its first
    ``waiting`` are left out: ``waiting`` people take no more (and no later place comes before its own first)."""
    counts = np.minimum(limit - load, waiting).astype(np.int64) + 1  # (one more than can be: masked below)
    who = np.repeat(np.arange(len(limit)), counts)
    k = counting_within(counts)  # (a link worker's k-th place)
    left = limit[who] - (load[who] + k)
    whole = left >= 1
    who, left = who[whole], left[whole]
    order = np.lexsort((unique_id[who], -left))  # the heap's key: most room first, then the longest in post
    return who[order], left[order]


def _decided(model: SocialPrescribingModel, service: Service, live: deque[Patient],
             places: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """For the people the week's ``places`` take from the front of ``live``: whether each comes back, whether each
    would decline, and the place each takes (its index in the order): a decliner leaves it for the next person."""
    decisions = FirstContactDecisions(model, service, live)
    count = min(len(live), places + places // 4 + 8)  # (about one in nine declines: rarely a second look)
    while True:
        returning, declines = decisions.front(list(islice(live, count)))
        takes = returning | ~declines
        place = np.cumsum(takes) - takes  # places taken before each person
        if count == len(live) or place[-1] + takes[-1] >= places:
            break
        count = min(len(live), 2 * count)
    taken = int(np.searchsorted(place, places))  # everyone before the place after the last
    return returning[:taken], declines[:taken], place[:taken]


def _take(people: list[Patient], workers: list[LinkWorker], declines: list[bool], taken: list[Patient],
          by: list[LinkWorker], declined: list[bool]) -> None:  # fmt: skip
    """First contacts in queue order: ``LinkWorker.take`` for each who stays (a new person holds no place yet, so a
    whole one is added); a decliner's place, taken and given back, leaves the load as it was (whole numbers)."""
    for patient, worker, declining in zip(people, workers, declines):  # (one pass: cheaper than two compresses)
        if not declining:
            worker.caseload[patient] = 1.0
            worker.load += 1.0
    taken.extend(people)
    by.extend(workers)
    declined.extend(declines)


def _heap_now(workers: list[LinkWorker], last: int, who: np.ndarray, left: np.ndarray) -> Room:
    """The heap as it stands after link worker ``last`` took a place and the places ``who``/``left`` are still to
    go: each other link worker's entry is its next place (the room it was pushed with), ``last``'s its room now."""
    room = {}
    for i, free in zip(who.tolist(), left.tolist(), strict=True):
        if i != last and i not in room:
            room[i] = free
    entries = [(-free, workers[i].unique_id, workers[i]) for i, free in room.items()]
    if (free := workers[last].free_room) >= 1:
        entries.append((-free, workers[last].unique_id, workers[last]))
    return entries
