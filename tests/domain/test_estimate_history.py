"""Learning a site's pace from its own history, starting from the site file's prior."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from server.domain.history import (
    Empirical,
    History,
    LogNormal,
    NoShowByWait,
    PastVisit,
    learn,
    learn_visit_length,
    room_gaps,
    walk_in_rate,
)

T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def at(minutes):
    return T0 + timedelta(minutes=minutes)


def test_with_no_history_the_typical_length_is_the_mean():
    assert learn_visit_length([], 15).mean == pytest.approx(15)


def test_enough_history_outweighs_the_prior():
    learnt = learn_visit_length([25.0] * 200, 15)
    assert learnt.median == pytest.approx(25, rel=0.05)


def test_a_few_visits_left_open_for_hours_barely_move_the_learnt_length():
    clean = learn_visit_length([10.0, 12.0, 14.0] * 30, 12)
    dirty = learn_visit_length([10.0, 12.0, 14.0] * 30 + [300.0] * 5 + [0.3] * 3, 12)
    assert dirty.median == pytest.approx(clean.median, rel=0.05)


def test_the_remaining_visit_is_longer_the_longer_it_has_lasted():
    visit = LogNormal.from_mean(15)
    rng = random.Random(1)
    mean_left = {e: sum(visit.remaining(rng, e) for _ in range(2000)) / 2000 for e in (0, 30)}
    assert mean_left[0] == pytest.approx(15, rel=0.1)
    assert mean_left[30] > 5
    assert all(visit.remaining(rng, 30) >= 0 for _ in range(100))


def test_empirical_remaining_draws_from_what_lasted_longer():
    gaps = Empirical((1.0, 1.0, 2.0, 20.0, 30.0))
    rng = random.Random(2)
    assert {round(gaps.remaining(rng, 5), 6) for _ in range(50)} <= {15.0, 25.0}
    assert gaps.remaining(rng, 60) > 0  # beyond anything seen: still some more


def test_room_gaps_tell_a_late_start_from_a_turnaround():
    visits = [
        PastVisit("G", "r1", at(-10), at(25), at(26), at(40)),  # room opened at 0, late
        PastVisit("G", "r1", at(-5), at(41), at(42), at(55)),  # 1 minute after the last
    ]
    turnarounds, starts = room_gaps(visits, [at(0)])
    assert turnarounds == [pytest.approx(1)]
    assert starts == [pytest.approx(25)]


def test_learn_counts_no_shows_and_booked_patients_who_came():
    visits = [PastVisit("G", "r1", at(0), at(m), at(m + 1), at(m + 10)) for m in range(0, 90, 10)]
    visits.append(PastVisit("G", "r1", at(0), at(95), None, at(99), no_show=True))
    model = learn(History(typical_minutes={"G": 15}, visits=visits))
    assert 0.05 < model.no_show_rate < 0.1  # 1 in 10, shrunk towards the 5% prior
    assert model.visit("G").median < 15  # 9-minute visits pull it down


def test_walk_in_rate_steadies_today_with_past_days():
    assert walk_in_rate(6, 60, 0, 0) == 6
    assert walk_in_rate(6, 60, 20, 10) == 4  # (6 + 2) / 2


def test_the_leaving_rate_is_patients_who_left_unseen_per_minute_waited():
    called = [PastVisit("G", "r1", at(0), at(30), at(31), at(40)) for _ in range(8)]
    cancelled = [PastVisit("G", None, at(0), None, None, at(30)) for _ in range(2)]
    still_waiting = [PastVisit("G", None, at(0), None)]  # no end yet: not counted
    model = learn(History(typical_minutes={"G": 15}, visits=called + cancelled + still_waiting))
    assert model.leave_per_minute == pytest.approx(2 / 300)
    assert learn(History(typical_minutes={"G": 15})).leave_per_minute == 0.0


def _called_after(waited, no_show=False):
    if no_show:
        return PastVisit("G", "r1", at(0), at(waited), None, at(waited + 3), no_show=True)
    return PastVisit("G", "r1", at(0), at(waited), at(waited + 1), at(waited + 10))


def test_a_no_show_is_likelier_the_longer_the_patient_had_waited():
    # 2 in 100 called within a quarter of an hour did not come, 20 in 100 after an hour.
    visits = [_called_after(10, no_show=i < 2) for i in range(100)]
    visits += [_called_after(75, no_show=i < 20) for i in range(100)]
    model = learn(History(typical_minutes={"G": 15}, visits=visits))
    assert model.no_show_rate == pytest.approx((0.05 * 20 + 22) / 220)
    assert model.no_show_chance(10) == pytest.approx((model.no_show_rate * 20 + 2) / 120)
    assert model.no_show_chance(75) == pytest.approx((model.no_show_rate * 20 + 20) / 120)
    # A band with no calls of its own says the site's rate.
    assert model.no_show_chance(200) == pytest.approx(model.no_show_rate)


def test_with_no_history_every_wait_has_the_prior_no_show_rate():
    model = learn(History(typical_minutes={"G": 15}))
    assert {model.no_show_chance(w) for w in (0, 20, 45, 90, 500)} == {model.no_show_rate}


def test_the_wait_bands_include_their_upper_bound():
    bands = NoShowByWait((15.0, 30.0), (0.1, 0.2, 0.3))
    assert [bands.rate(w) for w in (0, 15, 15.5, 30, 31)] == [0.1, 0.1, 0.2, 0.2, 0.3]
