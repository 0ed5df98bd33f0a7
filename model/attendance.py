"""Attendance: starting at a group, attending week by week (building the mechanisms of action), sustaining
engagement, becoming a peer supporter or volunteer, dropping out, and moving on (Aughterson 2024 for the
mechanisms; Dayson 2020 for peer support and volunteering; seeds/EVIDENCE-activity-kinds.md for how persistence
differs by kind of activity)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from .activities import dropout_ratios
from .due_weeks import NEVER
from .states import IN_GROUP, Event, PathwayState, Service
from .mechanisms import Mechanisms, build_sessions
from .session_shares import catalogue_shares
from .moves import move_many, move_many_from
from .streams import PURPOSES, PersonalDraws, weeks_until

if TYPE_CHECKING:
    from .model import SocialPrescribingModel
    from .parameters import Params
    from .patient import Patient
    from .vcse_group import VCSEGroup

S = PathwayState
ATTEND, DROPOUT = PURPOSES["attend"], PURPOSES["dropout"]
VOLUNTEER = PURPOSES["volunteer"]


def attend_the_week(model: SocialPrescribingModel) -> int:
    """Every group member's week; returns how many members there were.

    A person's weekly draws depend only on who they are and the week (``PersonalDraws``), and a session builds
    only that person's mechanisms (columns of the wellbeing register), so everyone's sessions are built at
    once, as arrays. What changes someone's state (dropping out, reaching sustained engagement) is then decided
    one by one, in the order people joined, for the few it can happen to: a volunteer made this week protects
    the members of their group who come after them, as it did when every member was stepped in turn, and a place
    freed or added is taken from the waiting list at once. The moves that touch nobody else (out of the pathway,
    to sustained) and the moving on made due are then done as batches, in the same order.
    """
    if not model.attending:
        return 0
    p, week, register = model.p, model.week, model.register
    rows = model.member_rows.now(register.state)  # (kept as an array: listing ``model.attending`` waits on memory)
    if len(rows) != len(model.attending):  # (its rows are members: fewer, and someone joined without a note)
        raise RuntimeError("a group's new member was not noted in model.member_rows (model/members.py)")
    shares, hazard_by_activity = _by_activity(p)
    activity, keys = register.activity[rows], register.key[rows]
    members = len(rows)
    came = PersonalDraws.uniforms(keys, ATTEND, week) < p.attend_prob
    build_sessions(register, rows[came], shares[:, activity[came]])
    register.work_seeking[rows] += (p.work_seeking_rate_ratio - 1) * register.level_behav[rows]
    # only those not yet sustained can drop out or reach it (about two in five members of a place a year on)
    at = (register.state[rows] == S.ATTENDING).nonzero()[0]
    if not len(at):
        return members
    rows, dropout = rows[at], PersonalDraws.uniforms(keys[at], DROPOUT, week)
    # the hazard with no volunteer in the group (the highest anyone can have this week): who cannot drop out is
    # skipped. The same product as one person's, so each member's own number: nothing that runs before their turn
    # changes their activity or belonging (places only grow here, so nobody is moved out of a group and back)
    hazard = hazard_by_activity[activity[at]] * (1 - p.belonging_protection * register.level_social[rows])
    reached = register.weeks_attended[rows] >= p.sustained_weeks
    may_change = ((dropout < hazard) | reached).nonzero()[0]
    if len(may_change):  # (most weeks of a small place: nobody)
        _changes(model, rows[may_change], dropout[may_change], hazard[may_change], reached[may_change])
    return members


def _changes(model: SocialPrescribingModel, rows: np.ndarray, draws: np.ndarray, highest: np.ndarray,
             reached: np.ndarray) -> None:  # fmt: skip
    """Who of the members in ``rows`` (in the order they joined; their drop-out ``draws``, their ``highest`` hazard
    and whether they ``reached`` sustained engagement) drops out, and who reaches sustained engagement.

    Looked up by row, not listed: listing every member touches every agent, and only these few are needed. Someone
    no longer in a group by their turn (another's change moved them) is no longer attending: nothing to do. Only
    what touches others happens at a person's turn: leaving the group (its place may be taken) and volunteering
    (places added; the members after them protected). The rest waits for the batches after the loop: the moves,
    and reaching sustained engagement (``_sustained``). Whether someone who reaches it volunteers is their own next
    draw, so everyone's who may is drawn at once, and counted only for those who do reach it."""
    p, register, attending = model.p, model.register, model.attending
    peers = 1 - p.peer_retention_effect  # a volunteer in the group protects its members
    volunteer_draws = np.ones(len(rows))  # (1.0: never below a chance; nobody's who has not reached it is read)
    if len(enough := rows[reached]):
        volunteer_draws[reached] = PersonalDraws.uniforms(register.key[enough], VOLUNTEER,
                                                          register.draws["volunteer"][enough])  # fmt: skip
    chances = volunteer_chances(p)
    dropped: list[Patient] = []
    sustained: list[Patient] = []
    for row, u, hazard, enough, v in zip(rows.tolist(), draws.tolist(), highest.tolist(), reached.tolist(),
                                         volunteer_draws.tolist(), strict=True):  # fmt: skip
        if (member := attending.get(row)) is None or member.state is not S.ATTENDING:
            continue
        if u < (hazard * peers if member.group.volunteers else hazard):
            member.group.leave(member)  # (``leave_group``: their mechanisms pause with the batch, ``_drop_out``)
            dropped.append(member)
        elif enough:
            sustained.append(member)
            if v < chances[member.service is Service.MENTAL_HEALTH]:
                member.start_volunteering()
    if dropped:
        _drop_out(model, dropped)
    _sustained(model, sustained)


def volunteer_chances(p: Params) -> tuple[float, float]:
    """The chance that someone reaching sustained engagement becomes a peer supporter or volunteer: on other services,
    and on the supported (mental health) pathway, which builds peer networks and volunteering on purpose (Dayson 2020;
    Rotherham 2016)."""
    boost = p.peer_programme_multiplier if p.peer_programme else 1.0
    return min(p.volunteer_prob * boost, 1.0), min(p.supported_volunteer_prob * boost, 1.0)


@lru_cache(maxsize=8)
def _by_activity(p: Params) -> tuple[np.ndarray, np.ndarray]:
    """Per activity of the catalogue, what a week of attendance reads: a session's shares (3 x activities,
    ``catalogue_shares``) and the weekly drop-out hazard before belonging and volunteers (``p.dropout_hazard`` times
    the activity's ratio: the product each member's hazard starts with). Worked out once per parameters."""
    shares, hazard = catalogue_shares(p.mechanism_growth), p.dropout_hazard * dropout_ratios(p)
    shares.flags.writeable = hazard.flags.writeable = False  # (kept: read, never written)
    return shares, hazard


def _drop_out(model: SocialPrescribingModel, dropped: list[Patient]) -> None:
    """The week's drop-outs (in the order they stopped) move out of the pathway as one batch (model/moves.py). The
    only thing the loop above did after a drop-out that such a move touches is the next drop-out's own move (a
    caseload place released, an account finished, in the same order): admitting someone to the freed place, or a
    new volunteer, reads nothing of theirs, nor does anyone's turn read their mechanisms, which pause here, before
    the move (their account reads them)."""
    Mechanisms.pause_many([patient.mechanisms for patient in dropped], model.week)
    rows = np.array([patient.row for patient in dropped], dtype=np.int64)
    move_many(model, dropped, rows, S.ATTENDING, S.DROPPED_OUT, Event.STOPPED)


def _sustained(model: SocialPrescribingModel, sustained: list[Patient]) -> None:
    """Sustained engagement reached, for the week's batch (in the order they reached it; the volunteers among them
    have volunteered at their turn): counted, their volunteer draw taken, a discharge from secondary mental health care
    considered; those who did not volunteer move to sustained, and everyone's moving on is made due (their own draw,
    by ``weeks_until``). All of it is their own (their rows, accounts and draws) and order-free counts, so each
    person's part is done in one pass over them, after the draws taken for all of them at once."""
    if not sustained:
        return
    p, register = model.p, model.register
    rows = np.array([patient.row for patient in sustained], dtype=np.int64)
    model.counters.sustained += len(sustained)
    register.draws["volunteer"][rows] += 1
    draws = register.next_draws(rows, "move_on").tolist()
    means = (move_on_weeks_mean(False, p), move_on_weeks_mean(True, p))  # how long they stay: a volunteer longer
    weeks, volunteer = [], []
    for patient, u in zip(sustained, draws, strict=True):
        patient.sustained = True
        if patient.service is Service.MENTAL_HEALTH:  # (no one else is discharged from secondary care)
            patient.consider_mh_discharge()
        volunteer.append(yes := patient.volunteer)
        weeks.append(weeks_until(u, means[yes]))
    staying = np.logical_not(volunteer)
    move_many(model, [patient for patient, no in zip(sustained, staying.tolist(), strict=True) if no], rows[staying],
              S.ATTENDING, S.SUSTAINED, Event.SUSTAINED)  # fmt: skip
    model.due.set_many("move_on", rows, model.week + np.array(weeks, dtype=np.int64), sustained)


def run_moves_on(model: SocialPrescribingModel, rows: np.ndarray, week: int) -> None:
    """``Attendance.move_on`` for the ``rows`` due to move on in ``week`` (in referral order; the due weeks' runner).

    Leaving their group touches others (the freed place goes to the group's waiting list; a volunteer's places go
    with them), so each still due at their turn leaves it in turn, as before. The pause of their mechanisms (their
    own row) and the move out of the pathway that follow are their own and order-free sums, but for what a terminal
    move releases (a caseload place, an account finished), which nothing done for the later leavers reads: they are
    done afterwards, as one batch in the same order (model/moves.py: from sustained engagement and from volunteering
    alike), as the week's drop-outs are (``_drop_out``). A leaver's move on stays due until then: only their own turn
    reads it, and their move out of the pathway cancels it with everything else of theirs."""
    column, patients = model.due.columns["move_on"], model.due.patients
    leaving: list[Patient] = []
    for row in rows.tolist():
        # still due at their turn (someone's leaving before them may have sent them back to a waiting list)
        if column.item(row) == week and (patient := patients.get(row)) is not None:
            if patient.state in IN_GROUP:
                patient.group.leave(patient)  # (``leave_group``: their mechanisms pause with the batch, below)
                leaving.append(patient)
            else:
                column[row] = NEVER
    Mechanisms.pause_many([patient.mechanisms for patient in leaving], model.week)  # (now: ``week`` may be past)
    move_many_from(model, leaving, np.array([patient.row for patient in leaving], dtype=np.int64),
                   [patient.state for patient in leaving], S.MOVED_ON, Event.MOVED_ON)  # fmt: skip


def move_on_weeks_mean(volunteer: bool, p: Params) -> float:
    """How long, on average, someone sustained stays in their group (a volunteer longer)."""
    return p.move_on_weeks_mean * (p.volunteer_move_on_factor if volunteer else 1.0)


class Attendance:
    def start_attending(self: Patient, group: VCSEGroup, event: Event = Event.ADMITTED) -> None:
        """Join ``group`` (a free place found by placement, or a place from its waiting list)."""
        model = self.model
        self.cancel("placement")
        self.group = group
        group.join(self)
        model.register.activity[self.row] = group.activity_index
        self.mechanisms.resume(model.week)
        if not self.took_up:
            # weeks from first being matched to starting: zero when a place was free (Mesa's time, a float of the whole
            # week: its observable attribute costs about a microsecond a read)
            now = float(model.week)
            self.group_wait_weeks = now - (self.matched_at or now)
            model.counters.group_wait_weeks += self.group_wait_weeks
            self.took_up = True
            model.register.took_up[self.row] = True
            model.counters.took_up_activity += 1
            model.community.pay_tariff(group)
        if self.state not in IN_GROUP:  # (a member re-placed after their group closed keeps their place in the order)
            model.member_rows.joined(self.row)
        if self.volunteer:
            group.add_volunteer(self)
            self.move_to(S.VOLUNTEERING, event)
            group.admit_from_waiting_list()  # the places a returning volunteer adds
        else:
            self.move_to(S.SUSTAINED if self.sustained else S.ATTENDING, event)
        if self.sustained:
            self.schedule_move_on()

    def moved_to_waiting_list(self: Patient, group: VCSEGroup) -> None:
        """The group's places shrank and this member was moved back to the front of its waiting list."""
        self.mechanisms.pause(self.week)
        self.cancel("attendance")
        self.move_to(S.AWAITING_GROUP, Event.PLACES_SHRANK)
        self.set_group_deadline()

    def start_volunteering(self: Patient) -> None:
        """On reaching sustained engagement, they become a peer supporter or volunteer (``attend_the_week`` decides
        by their draw, at their turn, and does the rest of reaching it for the week's batch): the places they add to
        the group count at once (its waiting list may be admitted, and the members after them are protected)."""
        self.volunteer = True
        self.model.counters.volunteered += 1
        self.group.add_volunteer(self)
        self.move_to(S.VOLUNTEERING, Event.VOLUNTEERS)
        self.group.admit_from_waiting_list()  # a volunteer adds places

    def schedule_move_on(self: Patient) -> None:
        self.schedule("move_on", weeks_until(self.draw("move_on"), move_on_weeks_mean(self.volunteer, self.model.p)))

    def move_on(self: Patient) -> None:
        if self.state in IN_GROUP:
            self.leave_group()
            self.move_to(S.MOVED_ON, Event.MOVED_ON)

    def leave_group(self: Patient) -> None:
        self.mechanisms.pause(self.week)
        self.group.leave(self)
