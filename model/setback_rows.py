"""The setback stage over rows (DESIGN.md 15): a week's setback candidates decided as arrays, and the next candidate
of many people made due at once.

A candidate setback (``Setbacks.setback_candidate``) is kept with the chance that belonging does not protect against
it; one not kept, or met by someone not susceptible, only draws the person's next candidate: their own columns (a
draw counter, the setback column of the due weeks) and nobody else's. So a week's candidates are decided for all of
them at once from the register's columns (state, key, belonging, draw counters), the ones not kept are rescheduled
as one batch once the week's setbacks have begun. Of a setback that begins, only what touches others (leaving a
group frees a place someone else may take; leaving its waiting list) runs person by person, in referral order
(``Setbacks.interrupt``); the rest of each (their mechanisms' pause, counts, draws, cancelled changes, the move, when
it ends) is the person's own and is done for the week's setbacks at once. At the end of a setback, those who come back
do so one by one (they may take a place) and their next candidates are made due together afterwards.

The numbers are those of the one-by-one code: each draw is the same keyed function of (person, episode, purpose,
counter), and a setback that begins may change someone due later in the week (their group closes, they give up), so
at each person's turn their state and due week are checked unchanged since the decision; if not, the rest of the
week's candidates run one by one. The fading of belonging is worked out with
Python's powers, whose last bit NumPy's vectorised ones do not always share (a different last bit could flip a draw).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from .arrays import code_table
from .due_weeks import NEVER
from .mechanisms import Mechanisms
from .moves import leave_unengaged_many, move_many
from .setbacks import return_chance, setback_rate, setback_weeks_means
from .states import IN_GROUP, TERMINAL, Event, PathwayState
from .streams import NEVER_WEEKS, PURPOSES, PersonalDraws, weeks_until

if TYPE_CHECKING:
    from .model import SocialPrescribingModel
    from .patient import Patient



_TERMINAL, _IN_GROUP = code_table(TERMINAL), code_table(IN_GROUP)
_SUSCEPTIBLE = code_table(IN_GROUP | {PathwayState.WITH_LINK_WORKER, PathwayState.AWAITING_GROUP})
# fewer rows due in a week than these run one by one (``DueWeeks.fewest``: a speed setting only, the same numbers). At
# 150,000 adults a week has about 12 candidates and 9 ends: as arrays they cost about 100 us and 45 us a week whatever
# their number plus 5-10 us a person, one by one about 10 us a person (the two cost the same at about 20 and 35 a week)
FEWEST_CANDIDATES, FEWEST_ENDS = 20, 32


def terminal(codes: np.ndarray) -> np.ndarray:
    """Which of the register's state ``codes`` are terminal (``np.isin`` on ``TERMINAL``'s answer, in one lookup)."""
    return _TERMINAL[codes]


def weeks_until_many(u: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """``streams.weeks_until`` for many draws. NumPy's logarithms may differ from ``math``'s in the last bit, which
    could move a time only when it falls within a rounding error of a whole week (the fingerprint saw none)."""
    out = np.ones(len(u), dtype=np.int64)
    some = (mean > 1.0) & (u > 0.0)
    with np.errstate(divide="ignore"):
        per_week = np.log1p(-1.0 / mean[some])  # log of the chance that a week passes without the event
        weeks = np.log1p(-u[some]) / per_week
    out[some] = np.where((per_week == 0.0) | (weeks >= NEVER_WEEKS), NEVER_WEEKS, np.maximum(np.ceil(weeks), 1))
    return out


def schedule_next_setbacks(model: SocialPrescribingModel, rows: np.ndarray, patients: list | None = None) -> None:
    """``Setbacks.schedule_next_setback`` for ``rows`` at once: each person's next candidate, drawn at their
    highest possible rate (more with two or more long-term conditions, in a deprived area); ``patients``:
    theirs, if the due weeks do not know them yet."""
    if not len(rows):
        return
    p = model.p
    rate = np.full(len(rows), p.setback_rate_per_year / 52)
    people = model.register.person[rows].astype(np.int64)
    catchment = model.catchment
    rate = np.where(catchment.ltc_count[people] >= 2, rate * p.setback_rr_multimorbidity, rate)
    rate = np.where(catchment.deprived[people], rate * p.setback_rr_deprived, rate)
    some = rate > 0
    rows, rate = rows[some], rate[some]
    if patients is not None:
        patients = [pt for pt, kept in zip(patients, some.tolist(), strict=True) if kept]
    if not len(rows):
        return
    u = model.register.next_draws(rows, "setback_gap")
    model.due.set_many("setback", rows, model.week + weeks_until_many(u, 1 / rate), patients)


def belonging(model: SocialPrescribingModel, rows: np.ndarray) -> np.ndarray:
    """``Mechanisms.at(week)[1]`` for ``rows``: the social mechanism's level now, faded since attendance paused.
    (``at`` gives 0.0 for someone who never attended, all three levels 0: their social level is a zero already, read
    alone; at most its sign may differ, which the comparison with a draw does not see.)"""
    columns, week = model.register.columns, model.week
    social = columns["level_social"][rows]
    since = model.register.paused_at[rows]
    fading = np.flatnonzero((social != 0) & (week > since))  # the rest keep their level (r == 1)
    if len(fading):
        half_life = model.register.half_life[rows[fading]].tolist()
        r = np.array([0.5 ** ((week - s) / h) for s, h in zip(since[fading].tolist(), half_life, strict=True)])
        floor = columns["floor_social"][rows[fading]]
        social[fading] = floor + (social[fading] - floor) * r
    return social


def run_candidates(model: SocialPrescribingModel, rows: np.ndarray, week: int) -> None:
    """The setback candidates due in ``week`` for ``rows`` (due then, in referral order)."""
    register, due = model.register, model.due
    column = due.columns["setback"]
    state = register.state[rows]
    live = ~_TERMINAL[state]
    susceptible = _SUSCEPTIBLE[state]
    keep_n = register.draws["setback_keep"][rows]
    u = PersonalDraws.uniforms(register.key[rows], PURPOSES["setback_keep"], keep_n)
    begins = susceptible & (u >= model.p.belonging_protection * belonging(model, rows))
    # a week has a few candidates between two setbacks that begin: they are checked in Python, not by NumPy calls
    rows_list, state_then, state_now = rows.tolist(), state.tolist(), register.state
    not_kept: list[int] = []  # settled, their next candidate drawn after the loop
    begun: list[int] = []  # out of their group or its waiting list; the rest of their setback done after the loop
    start = 0
    for at in [*np.flatnonzero(begins).tolist(), len(rows)]:
        # candidates not kept (or not met) since the last setback: only the person's own columns change
        for i in range(start, at):
            row = rows_list[i]
            if state_now[row] != state_then[i] or column[row] != week:
                _setbacks_begun(model, rows[begun], state[begun])
                model.due.run_each("setback", rows_list[start:], week)  # a setback before them changed them
                return _next_candidates(model, rows[not_kept], susceptible[not_kept], live[not_kept])
        not_kept.extend(range(start, at))
        if at < len(rows):  # a setback begins, as decided if nothing before them changed them
            row = rows_list[at]
            if state_now[row] != state_then[at] or column[row] != week or (patient := due.patients.get(row)) is None:
                _setbacks_begun(model, rows[begun], state[begun])
                model.due.run_each("setback", rows_list[at:], week)
                return _next_candidates(model, rows[not_kept], susceptible[not_kept], live[not_kept])
            column[row] = NEVER
            if _IN_GROUP[state_then[at]]:  # out of their group (its place may be taken); their mechanisms pause later
                patient.group.leave(patient)
            else:
                patient.interrupt()  # (off its waiting list, if on one)
            begun.append(at)
        start = at + 1
    _setbacks_begun(model, rows[begun], state[begun])
    _next_candidates(model, rows[not_kept], susceptible[not_kept], live[not_kept])


def _setbacks_begun(model: SocialPrescribingModel, rows: np.ndarray, old: np.ndarray) -> None:
    """``Setbacks.begin_setback`` for the week's setbacks that began (``rows``, in referral order, in states ``old``),
    once they have left their group or its waiting list (``Setbacks.interrupt``, at their turn: a place freed may go
    to someone waiting): the rest is their own (their mechanisms' pause, counts, draws, pending changes and move, and
    order-free sums), so it is done for all of them at once."""
    if not len(rows):
        return
    p, register, due, counters = model.p, model.register, model.due, model.counters
    patients = [due.patients[row] for row in rows.tolist()]
    in_group = _IN_GROUP[old]
    Mechanisms.pause_many([patients[i].mechanisms for i in np.flatnonzero(in_group).tolist()], model.week)
    register.draws["setback_keep"][rows] += 1  # the draws that kept them
    means = setback_weeks_means(register.next_draws(rows, "setback_kind").tolist(), p)
    counters.setbacks += len(patients)
    for patient in patients:
        if patient.setbacks == 0:
            counters.people_with_setback += 1
        patient.setbacks += 1
    of_attendance, of_placement = _cancelled_by_setback()
    for kind in of_attendance:
        due.columns[kind][rows[in_group]] = NEVER
    for kind in of_placement:
        due.columns[kind][rows] = NEVER
    for code in sorted(set(old.tolist())):  # (``np.unique``'s order, for a few codes)
        chosen = np.flatnonzero(old == code)
        move_many(model, [patients[i] for i in chosen.tolist()], rows[chosen], PathwayState(code), PathwayState.SETBACK,
                  Event.SETBACK)  # fmt: skip
    length_u = register.next_draws(rows, "setback_length").tolist()
    weeks = [weeks_until(u, mean) for u, mean in zip(length_u, means, strict=True)]
    due.set_many("setback_end", rows, model.week + np.array(weeks, dtype=np.int64))


@cache
def _cancelled_by_setback() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The kinds of change a setback cancels: the attendance stage's (if in a group), the placement and assessment
    stages' (worked out once)."""
    from .patient import kinds_of  # (patient.py imports this module's stage through referral.py)

    return kinds_of(("attendance",)), kinds_of(("placement", "assessment"))


def _next_candidates(model: SocialPrescribingModel, rows: np.ndarray, susceptible: np.ndarray,
                     live: np.ndarray) -> None:
    """The week's candidates not kept (``rows``; ``susceptible`` and ``live`` when the week began): settled and their
    next candidates drawn, for all of them at once after the setbacks that began. Only their own columns change, which
    nobody else's setback reads or writes, except that a setback beginning may have ended someone's pathway since
    their turn: everything of theirs was cancelled then, so their new candidate is cancelled too (drawn, as before)."""
    model.due.columns["setback"][rows] = NEVER
    model.register.draws["setback_keep"][rows[susceptible]] += 1
    live = rows[live]
    schedule_next_setbacks(model, live)
    ended = live[_TERMINAL[model.register.state[live]]]
    model.due.columns["setback"][ended] = NEVER


def run_ends(model: SocialPrescribingModel, rows: np.ndarray, week: int) -> None:
    """The ends of setbacks due in ``week`` for ``rows`` (in referral order): whether each comes back is decided
    as arrays (their own draw against ``Setbacks.return_chance``); those who do come back one by one, in referral
    order (they may take a group's place or the front of the queue), and those who do not leave as two batches
    (model/moves.py). Leaving frees only a caseload place, and the places are released in referral order."""
    register, due = model.register, model.due
    rows, patients = due.take("setback_end", rows, register.state, PathwayState.SETBACK)  # the rest: nothing to end
    if not patients:
        return
    chance = return_chance(register.on_caseload[rows], register.ever_supported[rows], register.continuity_broken[rows],
                           model.p)  # fmt: skip
    back = register.next_draws(rows, "setback_return") < chance
    for i in np.flatnonzero(back).tolist():
        patients[i].return_after_setback()
    _next_setbacks_of_returners(model, rows[back], [patients[i] for i in np.flatnonzero(back).tolist()])
    leave_unengaged_many(model, patients, rows, ~back, PathwayState.SETBACK, Event.NO_RETURN)


def _next_setbacks_of_returners(model: SocialPrescribingModel, rows: np.ndarray, patients: list[Patient]) -> None:
    """The next setback candidate of everyone who came back this week (``Setbacks.come_back``'s first step), made due
    for all of them after their returns: their own draw, and math's ``weeks_until`` as one person's code has it. Someone
    whose return ended their pathway had everything of theirs cancelled then, so their candidate is cancelled too."""
    p = model.p
    rates = [setback_rate(patient.person, p) for patient in patients]
    chosen = [i for i, rate in enumerate(rates) if rate > 0]
    if not chosen:  # nobody came back (or nobody can have a setback): no draws
        return
    rows = rows[chosen]
    draws = model.register.next_draws(rows, "setback_gap").tolist()
    weeks = [weeks_until(u, 1 / rates[i]) for u, i in zip(draws, chosen, strict=True)]
    model.due.set_many("setback", rows, model.week + np.array(weeks, dtype=np.int64))
    model.due.columns["setback"][rows[_TERMINAL[model.register.state[rows]]]] = NEVER
