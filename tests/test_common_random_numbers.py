"""Common random numbers per person: a lever changes only what it causes. With one seed, the same person's
k-th referral gets the same draws for every purpose in every scenario, whatever else happened first."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

import spsim.model.referral as referral_module
from spsim.model import SocialPrescribingModel
from spsim.model.streams import FEW_DRAWS, PURPOSES, PersonalDraws, purpose_constant, weeks_until


def _appropriateness(monkeypatch, **params) -> dict[tuple[int, int], bool]:
    seen: dict[tuple[int, int], bool] = {}
    original = referral_module.appropriate_referrals

    def record(model, services, u):
        decisions = original(model, services, u)
        rows = np.arange(model.register.size - len(services), model.register.size)  # (the week's, just enrolled)
        people = model.register.person[rows].astype(int).tolist()
        episodes = model.catchment.episodes[people].tolist()
        seen.update(zip(zip(people, episodes), decisions, strict=True))
        return decisions

    monkeypatch.setattr(referral_module, "appropriate_referrals", record)
    SocialPrescribingModel(rng=11, population=30_000, **params).run_for(104)
    return seen


def test_a_link_worker_lever_leaves_each_persons_appropriateness_alone(monkeypatch):
    base = _appropriateness(monkeypatch)
    more = _appropriateness(monkeypatch, link_workers_per_100k=9.0)
    both = base.keys() & more.keys()
    assert len(both) > 300
    assert all(base[k] == more[k] for k in both)


def _draws(monkeypatch, **params) -> dict[tuple, float]:
    """Every keyed draw of a 2-year run, one by one (``Patient.draw``) or as arrays (a stage run over rows, e.g.
    model/setback_rows.py), by (person, episode, purpose, counter)."""
    seen: dict[tuple, float] = {}
    names = {constant: name for name, constant in PURPOSES.items()}
    one, many, by_purpose = PersonalDraws.uniform, PersonalDraws.uniforms, PersonalDraws.uniforms_by_purpose

    def uniform(key, purpose, n):
        u = one(key, purpose, n)
        if purpose in names:
            seen[(int(key), names[purpose], int(n))] = u
        return u

    def uniforms(keys, purpose, n):
        u = many(keys, purpose, n)
        if purpose in names:
            keys = np.atleast_1d(keys)
            counters = np.broadcast_to(np.asarray(n), keys.shape).tolist()
            seen.update(zip(((k, names[purpose], c) for k, c in zip(keys.tolist(), counters)), u.tolist()))
        return u

    def uniforms_by_purpose(keys, purposes, n):  # (a row of draws per purpose: each recorded as ``uniforms``')
        u = by_purpose(keys, purposes, n)
        if isinstance(purposes, np.ndarray) and purposes.ndim == 2 and np.ndim(n) <= 1:
            counters = np.broadcast_to(np.asarray(n), np.shape(keys)).tolist()
            for purpose, row in zip(purposes[:, 0].tolist(), u, strict=True):
                if purpose in names:
                    seen.update(zip(((k, names[purpose], c) for k, c in zip(keys.tolist(), counters)), row.tolist()))
        return u

    monkeypatch.setattr(PersonalDraws, "uniform", staticmethod(uniform))
    monkeypatch.setattr(PersonalDraws, "uniforms", staticmethod(uniforms))
    monkeypatch.setattr(PersonalDraws, "uniforms_by_purpose", staticmethod(uniforms_by_purpose))
    model = SocialPrescribingModel(rng=11, population=30_000, **params)
    model.run_for(104)
    register = model.register
    episode, referrals = {}, Counter()
    for key, person in zip(register.key[: register.size].tolist(), register.person[: register.size].tolist()):
        referrals[person] += 1  # rows are in referral order: a person's k-th row is their k-th referral
        episode[key] = (int(person), referrals[person])
    return {(*episode[key], purpose, n): u for (key, purpose, n), u in seen.items() if key in episode}


@pytest.mark.parametrize("lever", [{"link_workers_per_100k": 9.0}, {"vcse_grant_per_100k_year_gbp": 100_000.0},
                                   {"support_weeks": 52, "open_door": True}])  # fmt: skip
def test_every_draw_a_person_shares_across_a_lever_change_is_the_same(monkeypatch, lever):
    base = _draws(monkeypatch)
    other = _draws(monkeypatch, **lever)
    both = base.keys() & other.keys()
    purposes = {k[2] for k in both}
    assert {"appropriate", "lw_patience", "decline", "uptake", "setback_gap", "setback_keep"} <= purposes
    assert all(base[k] == other[k] for k in both)


def test_keyed_draws_are_uniform_independent_and_vectorise():
    draws = PersonalDraws(np.random.SeedSequence(3))
    purpose = purpose_constant("attend")
    keys = np.array([draws.key(i, 1) for i in range(20_000)], dtype=np.uint64)
    u = draws.uniforms(keys, purpose, 7)
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.01 and abs(u.std() - 12**-0.5) < 0.01
    assert u[5] == draws.uniform(int(keys[5]), purpose, 7)
    v = draws.uniforms(keys, purpose, 8)  # the next week's draws are unrelated to this week's
    assert abs(np.corrcoef(u, v)[0, 1]) < 0.03
    assert draws.key(1, 1) != draws.key(1, 2) != draws.key(2, 1)
    # a week's referrals get their keys at once, each person with their own episode (referral.refer_many)
    people, episodes = np.array([0, 7, 2**31 + 5, 1_499_999]), np.array([1, 3, 2, 40])
    assert draws.keys(people, episodes).tolist() == [draws.key(int(i), int(k)) for i, k in zip(people, episodes)]
    assert draws.keys(people, 2).tolist() == [draws.key(int(i), 2) for i in people]


def test_a_few_keyed_draws_worked_out_in_python_are_the_arrays_bytes():
    """Up to FEW_DRAWS keys or draws are worked out in Python integers: the bytes of a long array's, empty included."""
    draws = PersonalDraws(np.random.SeedSequence(5))
    rng = np.random.default_rng(5)
    people = rng.integers(0, 2_000_000, 40 * FEW_DRAWS)
    episodes = rng.integers(0, 9, len(people)).astype(np.int32)
    keys, counts = draws.keys(people, episodes), rng.integers(0, 3_000, len(people)).astype(np.int32)
    for n in (0, 1, 2, FEW_DRAWS):
        for start in range(0, len(people), FEW_DRAWS):
            few = slice(start, start + n)
            assert draws.keys(people[few], episodes[few]).tobytes() == keys[few].tobytes()
            assert draws.keys(people[few], 0).tobytes() == draws.keys(people, 0)[few].tobytes()
            for n_each in (counts, 2**40):
                whole = draws.uniforms(keys, PURPOSES["decline"], n_each)
                n_few = n_each if isinstance(n_each, int) else n_each[few]
                part = draws.uniforms(keys[few], PURPOSES["decline"], n_few)
                assert part.dtype == np.float64 and part.tobytes() == whole[few].tobytes()
                purposes = np.array([[PURPOSES["decline"]], [PURPOSES["attend"]]], dtype=np.uint64)
                by_purpose = draws.uniforms_by_purpose(keys[few], purposes, n_few)
                assert by_purpose.shape == (2, n) and by_purpose[0].tobytes() == part.tobytes()
                assert by_purpose[1].tobytes() == draws.uniforms(keys, PURPOSES["attend"], n_each)[few].tobytes()
                # one purpose as an int (the natural course's spell gaps) takes the array path: the same bytes
                one = draws.uniforms_by_purpose(keys[few], PURPOSES["decline"], n_few)
                assert one.tobytes() == part.tobytes()


def test_a_batch_of_referrals_is_the_same_people_as_referrals_one_by_one():
    """Everything a referral reads when a week's referrals are made at once is what it read one by one."""
    from spsim.model.referral import cohort_of, refer, refer_many
    from spsim.model.states import ReferralSource

    batch, single = (SocialPrescribingModel(rng=5, population=20_000, referral_rate_per_1000=0.0) for _ in "ab")
    chosen = [11, 4_000, 7, 19_999, 123]
    made = refer_many(batch, batch.catchment.people(chosen), [ReferralSource.GP] * 5,
                      [cohort_of(batch.catchment.person(i), ReferralSource.GP) for i in chosen])  # fmt: skip
    one_by_one = [refer(single, single.catchment.person(i), ReferralSource.GP,
                        cohort_of(single.catchment.person(i), ReferralSource.GP)) for i in chosen]  # fmt: skip
    for a, b in zip(made, one_by_one, strict=True):
        assert (a.person, a.key, a.row, a.preferences, a.swemwbs0, a.ucla0, a.appropriate, a.state) == (
            b.person, b.key, b.row, b.preferences, b.swemwbs0, b.ucla0, b.appropriate, b.state)
        assert a.key == batch.streams.persons.key(a.person.index, 1)
        assert (a.swemwbs0, a.ucla0) == batch.course.score(a.person.index, batch.week)
    for column in ("person", "swemwbs0", "ucla0", "gain_scale", "key"):
        assert getattr(batch.register, column)[:5].tolist() == getattr(single.register, column)[:5].tolist()


def test_whole_week_waiting_times_keep_their_mean():
    rng = np.random.default_rng(0)
    for mean in (1.5, 2.0, 5.0, 26.0):
        times = [weeks_until(u, mean) for u in rng.random(100_000)]
        assert min(times) >= 1 and np.mean(times) == pytest.approx(mean, rel=0.02)
    assert weeks_until(0.3, 0.5) == 1
