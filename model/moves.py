"""Many people's moves at once (DESIGN.md 15): ``Patient.move_to`` for a batch of people who make the same move,
counted as arrays where the one-by-one code counts a person at a time.

A move changes the mover's own row and agent, sums that do not depend on order (people in each state, the moves
made, the exits by reason) and, into a terminal state, what the person holds (a caseload place, pending changes)
and their economic account. None of it reads another mover's state, so a batch in referral order gives the
numbers of the same moves made one after the other: a link worker's load, a float sum, is released in the same
order as before.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

from . import states
from .states import IN_GROUP, TERMINAL, Event, PathwayState

if TYPE_CHECKING:
    from .model import SocialPrescribingModel
    from .patient import Patient

# fewer ends of support than this in a batch leaving the pathway are written one by one (a speed setting only, the same
# numbers: the arrays cost about what four people's own writes cost)
FEWEST_ENDED = 4


def move_many(model: SocialPrescribingModel, patients: list[Patient], rows: np.ndarray, old: PathwayState | None,
              new: PathwayState, event: Event) -> None:  # fmt: skip
    """Each of ``patients`` (register ``rows``, in referral order), now in ``old``, moves to ``new`` because of
    ``event``: ``Patient.move_to`` for all of them (a move not in the pathway's table raises)."""
    if not patients:
        return
    if (old, new, event) not in states.LEGAL:
        states.check(old, new, event)  # raises, saying which move
    _counted(model, old, new, event, len(patients))
    _moved(model, patients, rows, new)
    if new in IN_GROUP:
        if old not in IN_GROUP:  # (moving within a group: their place in the order and in ``attending`` stays)
            listed = rows.tolist()
            model.attending.update(zip(listed, patients, strict=True))
            for row in listed:
                model.member_rows.joined(row)
    elif old in IN_GROUP:
        _left_groups(model, rows)
    if new in TERMINAL:
        _leave_pathway(model, patients, rows, event)


def move_many_from(model: SocialPrescribingModel, patients: list[Patient], rows: np.ndarray,
                   olds: list[PathwayState], new: PathwayState, event: Event) -> None:  # fmt: skip
    """``move_many`` for people in different states (``olds``, each one's, in the same order) moving to ``new``, a
    state outside the groups: one batch, the numbers of one batch per run of people in the same state (the counting
    is order-free, and what a terminal move releases is released in the same order)."""
    if not patients:
        return
    counts = Counter(olds)  # (states in the order they first come: the counters' keys as the runs' batches made them)
    for old in counts:
        if (old, new, event) not in states.LEGAL:
            states.check(old, new, event)  # raises, saying which move
    if new in IN_GROUP:
        raise ValueError(f"a batch from several states moves out of the groups, not to {new.name}")
    for old, n in counts.items():
        _counted(model, old, new, event, n)
    _moved(model, patients, rows, new)
    if not IN_GROUP.isdisjoint(counts):
        _left_groups(model, rows)
    if new in TERMINAL:
        _leave_pathway(model, patients, rows, event)


def _counted(model: SocialPrescribingModel, old: PathwayState | None, new: PathwayState, event: Event,
             n: int) -> None:  # fmt: skip
    """``SocialPrescribingModel.on_state_change``'s counts, for ``n`` people making the same move."""
    counters = model.counters
    if old is not None:
        counters.in_state[old] -= n
    counters.in_state[new] += n
    model.transitions[old, new, event] += n


def _moved(model: SocialPrescribingModel, patients: list[Patient], rows: np.ndarray, new: PathwayState) -> None:
    """The movers' own state, on their agents and their rows; the drop-outs counted."""
    for patient in patients:
        patient.state = new
    model.register.state[rows] = new
    if new is PathwayState.DROPPED_OUT:
        model.counters.dropped_out += len(patients)


def _left_groups(model: SocialPrescribingModel, rows: np.ndarray) -> None:
    """Out of ``model.attending`` (a row not in it stays out)."""
    leave = model.attending.pop
    for row in rows.tolist():
        leave(row, None)


def _leave_pathway(model: SocialPrescribingModel, patients: list[Patient], rows: np.ndarray, event: Event) -> None:
    """What a terminal move does after the counting (``Patient.move_to``, then ``leave_pathway``). For those still
    with a link worker, the end of their support episode (``Support.end_support_episode``): its cancelling is part of
    everyone's, done first; each caseload place is released in turn (a link worker's load is a float sum: the same
    order, the same sum); their register rows (off the caseload, support ended now) are written after the loop."""
    model.due.cancel_many(rows)  # every stage's pending changes
    reason = event.value
    ended: list[int] = []  # the rows of those whose support episode ends now
    for patient in patients:
        patient.exit_reason = reason
        if (worker := patient.link_worker) is not None:
            worker.release(patient)
            patient.link_worker = None
            ended.append(patient.row)
    register, week = model.register, model.week
    if len(ended) < FEWEST_ENDED:  # (a few: one by one; most batches at a place of 150,000 adults)
        for row in ended:
            register.on_caseload[row] = False
            register.support_ends(row, week)
    else:
        at = np.array(ended, dtype=np.int64)
        register.on_caseload[at] = False
        register.support_ends_many(at, week)
    model.leave_pathway_many(patients, rows, reason)


def leave_unengaged_many(model: SocialPrescribingModel, patients: list[Patient], rows: np.ndarray,
                         leaving: np.ndarray, old: PathwayState, event: Event) -> None:  # fmt: skip
    """``Support.leave_unengaged`` for the ``leaving`` ones of ``patients`` (all in ``old``): as two batches, those
    who had started an activity drop out, the rest end with none."""
    if not leaving.any():  # (often nobody, in a week of a few)
        return
    took_up = model.register.took_up[rows]
    for started, new in ((True, PathwayState.DROPPED_OUT), (False, PathwayState.NO_ACTIVITY)):
        chosen = np.flatnonzero(leaving & (took_up == started))
        move_many(model, [patients[i] for i in chosen.tolist()], rows[chosen], old, new, event)


def give_up_waiting_many(model: SocialPrescribingModel, patients: list[Patient]) -> None:
    """``Referral.give_up_waiting`` for ``patients``, all waiting for a link worker (in queue order): someone back in
    the queue after a setback or a lost link worker leaves unengaged, anyone else declines."""
    if not patients:
        return
    rows = np.array([patient.row for patient in patients], dtype=np.int64)
    returning = model.register.ever_supported[rows]
    new = np.flatnonzero(~returning)
    move_many(model, [patients[i] for i in new.tolist()], rows[new], PathwayState.AWAITING_LINK_WORKER,
              PathwayState.DECLINED, Event.GAVE_UP_LINK_WORKER)  # fmt: skip
    leave_unengaged_many(model, patients, rows, returning, PathwayState.AWAITING_LINK_WORKER, Event.GAVE_UP_LINK_WORKER)


def moved_into_groups(model: SocialPrescribingModel, rows: np.ndarray, olds: list[PathwayState], new: PathwayState,
                      event: Event) -> None:  # fmt: skip
    """The moves of people who have each joined a group at their turn (their agent's state, ``model.attending`` and
    the member rows set then: model/starts.py), from ``olds`` (each one's) to ``new``: counted per old state, and their
    rows' state."""
    if new not in IN_GROUP:
        raise ValueError(f"a batch of joinings moves into a group, not to {new.name}")
    counts = Counter(olds)
    for old, n in counts.items():
        if (old, new, event) not in states.LEGAL:
            states.check(old, new, event)  # raises, saying which move
        _counted(model, old, new, event, n)
    model.register.state[rows] = new
