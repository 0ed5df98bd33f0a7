"""Open records and follow-up's chances (model/model.py, model/follow_up.py): ``model.open_records`` is made from the
follow-up lists when asked for, and must be everyone referred whose record is not closed, in the order referred;
follow-up's chances, worked out once per distinct number of weeks, must be one person's to the bit; a week's records
read as a stretch of the register's rows must be the records read person by person."""

from __future__ import annotations

import numpy as np

from spsim.model import SocialPrescribingModel
from spsim.model.follow_up import FollowUps, chances_within, close_records
from spsim.model.parameters import chance_within


def _open_rows(model: SocialPrescribingModel) -> list[int]:
    """The register's rows whose records are open (the register marks a row closed when its record is written)."""
    return np.flatnonzero(model.register.open[: model.register.size]).tolist()


def test_open_records_are_the_referred_people_not_yet_measured_in_the_order_referred():
    model = SocialPrescribingModel(rng=3, population=20_000, follow_up_weeks=8)
    model.run_for(30)
    open_records = model.open_records
    assert [patient.row for patient in open_records] == _open_rows(model)
    assert len(open_records) > 20  # (eight referral weeks within follow-up)
    assert not any(patient.record_closed for patient in open_records)
    early = next(iter(open_records))
    early.close_record()  # measured early (as a test or a view may): no longer open
    assert early not in model.open_records
    assert [patient.row for patient in model.open_records] == _open_rows(model)
    model.close_open_records()
    assert not model.open_records
    assert not _open_rows(model)


def test_chances_worked_out_once_per_value_are_each_persons_own():
    rng = np.random.default_rng(5)
    weeks = np.concatenate([np.full(30, 26.0), 26.0 + rng.exponential(4.0, 60), np.zeros(5), rng.uniform(0, 300, 40)])
    rng.shuffle(weeks)
    for rate in (0.05, 0.7, 3.1):
        chances = chances_within(rate, weeks)
        assert chances.dtype == np.float64 and len(chances) == len(weeks)
        assert chances.tolist() == [chance_within(rate, w) for w in weeks.tolist()]


def _run(person_by_person: bool, monkeypatch) -> tuple[SocialPrescribingModel, list[int]]:
    """A model run 40 weeks, its week's records closed as stretches of register rows, or person by person; and the
    people measured early."""
    if person_by_person:
        monkeypatch.setattr(FollowUps, "close_due", lambda self: close_records(self.model, self._due.pop(self.model.week)))
    model = SocialPrescribingModel(rng=4, population=50_000, follow_up_weeks=8)
    model.run_for(18)
    early = list(model.open_records)[3::17]  # some measured early, in the middle of their week's stretch
    for patient in early:
        patient.close_record()
    model.update_parameters(follow_up_weeks=5)  # weeks 22 to 24: two referral weeks' people close together
    model.run_for(22)
    monkeypatch.undo()
    assert [patient.row for patient in model.open_records] == _open_rows(model)
    return model, [patient.unique_id for patient in early]


def test_a_weeks_records_read_as_a_stretch_of_rows_are_those_read_person_by_person(monkeypatch):
    (by_stretch, early), (by_person, _) = _run(False, monkeypatch), _run(True, monkeypatch)
    outcomes = by_stretch.outcomes()
    assert outcomes.equals(by_person.outcomes())
    assert outcomes["patient"].is_unique and len(outcomes) > 300 and len(early) > 5
    assert set(early) <= set(outcomes["patient"])
    at_follow_up = outcomes[~outcomes["patient"].isin(early) & ~outcomes["censored"]]
    assert at_follow_up.groupby("closed_week")["referred_week"].nunique().max() == 2  # (a week's list of two weeks)
