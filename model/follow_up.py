"""Follow-up: the records of everyone referred in one week are measured and written together, as arrays.

At follow-up (or at the end of the run, censored) each person's record is written once: discharge from
secondary mental health care by then (Dayson 2020), work found, true wellbeing and loneliness read from the
wellbeing register, GP and A&E use a year at referral and now, and what an evaluation's questionnaires would
record, each with its measurement error. The few draws that only some people need (discharge at follow-up,
work) are made one by one; everything else is one array operation for the week's people. The record's economic
columns are filled in later, when the person's economic account is finished (model/health_economics.py): the
account goes on while they are in the pathway.
"""

from __future__ import annotations

from functools import lru_cache
from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np

from .activities import catalogue
from .mechanisms import SWEMWBS_RANGE, UCLA_RANGE
from .service_use import service_use_change
from .course_draws import normal_of
from .parameters import Params, chance_within
from .states import Cohort, PathwayState
from .streams import PURPOSES, PersonalDraws

if TYPE_CHECKING:
    from .model import SocialPrescribingModel
    from .patient import Patient

_row = attrgetter("row")
ACTIVITY_KEYS = tuple(a.key for a in catalogue())  # by catalogue index
# each pathway state's name at its value: the register holds a person's state as its value, so a week's records read
# their states as one gather of that column
STATE_NAMES = np.empty(max(PathwayState) + 1, dtype=object)
STATE_NAMES[list(PathwayState)] = [state._name_ for state in PathwayState]
# the four questionnaire readings of a record, one row each: (scale, occasion)
READINGS = (("wellbeing", 0), ("wellbeing", 1), ("loneliness", 0), ("loneliness", 1))
_PURPOSES = np.array([[PURPOSES[f"measure_{scale}"]] for scale, _ in READINGS], dtype=np.uint64)
_OCCASIONS = np.array([[occasion] for _, occasion in READINGS], dtype=np.int64)
_RANGES = {"wellbeing": SWEMWBS_RANGE, "loneliness": UCLA_RANGE}
_LOW, _HIGH = (np.array([[_RANGES[scale][end]] for scale, _ in READINGS]) for end in (0, 1))


def questionnaires(keys: np.ndarray, sw_start: np.ndarray, sw_end: np.ndarray, lo_start: np.ndarray,
                   lo_end: np.ndarray, p: Params) -> np.ndarray:  # fmt: skip
    """The scores as questionnaires record them, the four readings of ``READINGS`` (one row each, in that order): with
    measurement error (test-retest: Shah 2018 for SWEMWBS), the same error for a person, scale and occasion in every
    scenario, so it cancels out of paired comparisons but not out of before-and-after ones. One pass over a 4 x n
    block (a week closes a few records, and each pass costs about the same for a few people as for many)."""
    # (``np.array`` of equal rows: ``np.stack`` without its Python layer)
    return _as_recorded(keys, np.array((sw_start, sw_end, lo_start, lo_end)), p)


def _as_recorded(keys: np.ndarray, scores: np.ndarray, p: Params) -> np.ndarray:
    """``questionnaires`` of the true ``scores``, a 4 x n block in ``READINGS``' order."""
    z = normal_of(PersonalDraws.uniforms_by_purpose(keys, _PURPOSES, _OCCASIONS))
    sd = _measurement_sd(p.swemwbs_measurement_sd, p.ucla_measurement_sd)
    return (scores + sd * z).clip(_LOW, _HIGH)  # (the array's ``clip``: ``np.clip`` without its Python layer)


@lru_cache(maxsize=8)
def _measurement_sd(swemwbs_sd: float, ucla_sd: float) -> np.ndarray:
    """Each reading's measurement error (a column, ``READINGS``' order): made once for a run's parameters, not for
    every week's records (read only: the cache hands the same array to every caller)."""
    sd = np.array([[swemwbs_sd]] * 2 + [[ucla_sd]] * 2)
    sd.flags.writeable = False
    return sd


def discharged_and_work(model: SocialPrescribingModel, patients: list[Patient], rows: np.ndarray,
                        weeks_since: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """At follow-up (``weeks_since`` referral, one each): discharged from secondary mental health care by now (that
    cohort's people not yet discharged)? Of working age and not in work at referral, and found work since? Each
    person's next draw for each purpose is taken for all of them at once (``next_draws``: the same numbers as
    ``Patient.draw``), each compared with their chance (``chances_within``)."""
    p, register = model.p, model.register
    undischarged = [pt.cohort is Cohort.MENTAL_HEALTH and not pt.mh_discharged for pt in patients]
    mental_health = np.array(undischarged, dtype=bool).nonzero()[0]  # (``np.flatnonzero`` without its Python layers)
    if len(mental_health):  # (no draws for no one: most weeks, a few people at most)
        u = register.next_draws(rows[mental_health], "mh_discharge_followup")
        discharged = u < chances_within(p.mh_discharge_rate_per_year, weeks_since[mental_health])
        for i in mental_health[discharged].tolist():
            patients[i].discharge_from_secondary_care()
    looking = np.array([pt.working_age and not pt.employed_at_referral for pt in patients], dtype=bool)
    found = np.zeros(len(patients), dtype=bool)  # (no one not looking)
    seeking = looking.nonzero()[0]  # (``np.flatnonzero`` without its Python layers)
    if len(seeking):
        at = rows[seeking]
        u = register.next_draws(at, "found_work")
        exposure = weeks_since[seeking] + register.work_seeking[at]  # (attending builds extra job-search weeks)
        found[seeking] = u < chances_within(p.job_finding_rate_per_year, exposure)
    return looking, found


def chances_within(rate_per_year: float, weeks: np.ndarray) -> np.ndarray:
    """``chance_within(rate_per_year, w)`` for each of ``weeks``: one person's Python ``expm1``, kept (NumPy's may
    differ in the last bit), worked out once for each different value (a week's records share their weeks since
    referral, and most people built no extra job-search weeks)."""
    values = weeks.tolist()
    chance = {w: chance_within(rate_per_year, w) for w in set(values)}
    return np.array(list(map(chance.__getitem__, values)))


class FollowUps:
    """Everyone referred and not yet measured, by the week their records close: a referral week's people, closed
    together (``close_records``) by one entry on the model's agenda. A week's people are one stretch of register rows
    (a referral batch's rows are consecutive, in order: model/referral.py), which their records read as views of the
    register's columns, not person by person; a week's list that is not (a change of follow-up weeks may add another
    referral week's people to it) is read person by person."""

    def __init__(self, model: SocialPrescribingModel):
        self.model = model
        self._due: dict[int, list[Patient]] = {}  # when a referral week's records close -> its people
        self._first: dict[int, int | None] = {}  # -> the first one's register row, if they are one stretch (else None)

    def add(self, patients: list[Patient], when: int) -> None:
        """``patients``, a referral batch (consecutive register rows, in order), are measured in week ``when``."""
        if when not in self._due:
            self._due[when], self._first[when] = [], None
            self.model.due_at(when, self.close_due)
        people, first = self._due[when], self._first[when]
        if patients and (first is not None or not people):
            start = patients[0].row
            first = start if not people else first
            one_stretch = start == first + len(people) and patients[-1].row == start + len(patients) - 1
            self._first[when] = first if one_stretch else None
        people.extend(patients)

    def close_due(self) -> None:
        """Close the records due this week (an agenda entry: after the week's step)."""
        week = self.model.week
        close_records(self.model, self._due.pop(week), first_row=self._first.pop(week))

    def waiting(self) -> dict[Patient, None]:
        """Everyone whose record is not closed yet, in the order referred (their register rows' order): the lists'
        people less those measured early."""
        waiting = (patient for people in self._due.values() for patient in people if not patient.record_closed)
        return dict.fromkeys(sorted(waiting, key=_row))  # (sorted: a change of follow-up weeks may share a week's list)


def _the_open(model: SocialPrescribingModel, patients: list[Patient],
              first_row: int | None) -> tuple[list[Patient], np.ndarray, np.ndarray | slice]:  # fmt: skip
    """``patients`` whose records are still open, their register rows, and those rows as the register's columns are
    read: a slice (views) if they are the stretch from ``first_row`` on, else the rows."""
    if first_row is None:
        patients = [patient for patient in patients if not patient.record_closed]
        rows = np.array([patient.row for patient in patients], dtype=np.int64)
        return patients, rows, rows
    stretch = slice(first_row, first_row + len(patients))
    still_open = model.register.open[stretch]  # (a record is closed when, and only when, its row is: records_written)
    if still_open.all():
        return patients, np.arange(stretch.start, stretch.stop), stretch
    kept = still_open.nonzero()[0]  # (someone was measured early, as a test or a view may)
    rows = first_row + kept
    return [patients[i] for i in kept.tolist()], rows, rows


def close_records(model: SocialPrescribingModel, patients: list[Patient], censored: bool = False,
                  first_row: int | None = None) -> None:  # fmt: skip
    """Measure ``patients`` now and write their records, in the order given (see the module's docstring); ``first_row``:
    the register row of ``patients[0]`` when they are one stretch of consecutive rows (``FollowUps``)."""
    patients, rows, at = _the_open(model, patients, first_row)
    if not patients:
        return
    p, week, register, catchment = model.p, model.week, model.register, model.catchment
    keys = register.key[at]  # (each person's episode key, as the register holds it for their draws)
    referred_week = register.referred_week[at]  # (whole weeks, held as floats)
    looking_for_work, found_work = discharged_and_work(model, patients, rows, week - referred_week)
    people = register.person[at].astype(np.int64)
    sw_start, lo_start = register.swemwbs0[at], register.ucla0[at]
    sw_end, lo_end, natural_sw_end, _ = register.scores_and_natural(rows, week, model.course, p)
    ltc = catchment.ltc_count[people]
    # the true scores at referral and now, one block in ``READINGS``' order (SWEMWBS rows, then UCLA-3 rows)
    scores = np.array((sw_start, sw_end, lo_start, lo_end))
    # GP and A&E use a year now less at referral (the economics account uses the same formula), both in one pass
    gp_change, ae_change = service_use_change(scores[:2], scores[2:], ltc, p)
    # what an evaluation would record: the questionnaires, each with its measurement error
    seen = _as_recorded(keys, scores, p)
    sw_start_seen, sw_end_seen, lo_start_seen, lo_end_seen = seen
    # better by the threshold: (SWEMWBS end - start, UCLA-3 start - end) as one subtraction of the block's rows
    improved, improved_loneliness = seen[1:3] - seen[0::3] >= p.improvement_threshold
    # (an enum member's ``_name_`` is its ``name``, read without the call of the ``name`` property)
    columns = {
        "patient": [pt.unique_id for pt in patients], "referred_week": referred_week.astype(np.int64),
        "closed_week": np.full(len(patients), week), "censored": np.full(len(patients), censored),
        "cohort": [pt.cohort._name_ for pt in patients], "source": [pt.source._name_ for pt in patients],
        "age": catchment.age[people], "ltc_count": ltc, "deprived": catchment.deprived[people],
        "imd_quintile": catchment.imd_quintile[people], "state": STATE_NAMES[register.state[at]].tolist(),
        "exit_reason": [pt.exit_reason for pt in patients],
        "reached_link_worker": register.ever_supported[at], "offered": [pt.offered for pt in patients],
        "offered_activity": [ACTIVITY_KEYS[pt.offered_activity] if pt.offered else "" for pt in patients],
        "took_up": register.took_up[at],
        "sustained": [pt.sustained for pt in patients], "volunteer": [pt.volunteer for pt in patients],
        "weeks_attended": register.weeks_attended[at], "lw_wait_weeks": [pt.lw_wait_weeks for pt in patients],
        "group_wait_weeks": [pt.group_wait_weeks for pt in patients],
        "short_of_provision": [pt.short_of_provision for pt in patients],
        "setbacks": [pt.setbacks for pt in patients], "reengaged": [pt.reengaged for pt in patients],
        "continuity_broken": register.continuity_broken[at],
        "swemwbs_start": sw_start_seen, "swemwbs_end": sw_end_seen, "ucla_start": lo_start_seen, "ucla_end": lo_end_seen,
        "improved": improved, "improved_loneliness": improved_loneliness,
        "working_age_not_employed": looking_for_work, "found_work": found_work,
        "mh_discharged": [pt.mh_discharged for pt in patients],
        "gp_change_per_year": gp_change, "ae_change_per_year": ae_change,
    }  # fmt: skip
    first = model.observers.records.extend(columns)
    for patient in patients:
        patient.record_closed = True
    # the net effect now, read above: the economics account writes it into the records (records_written) unread again
    model.economics.measured_at_close(rows, week, sw_end - natural_sw_end)
    model.records_written(patients, rows, first)
