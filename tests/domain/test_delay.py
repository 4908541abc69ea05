"""The delay notice rule: threshold since the patient was last told, rate limit, reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.domain.delay import DelayReason, PromisedDeadline, delay_reason, review_promise

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def later(minutes):
    return NOW + timedelta(minutes=minutes)


def test_the_first_estimate_becomes_the_promise_without_a_notice():
    review = review_promise(PromisedDeadline(), NOW, 30)
    assert not review.notify
    assert review.promise.deadline == later(30)


def test_a_bound_moving_out_by_the_threshold_or_less_sends_nothing():
    review = review_promise(PromisedDeadline(later(30)), later(5), 35)  # deadline now 09:40, +10
    assert not review.notify
    assert review.promise.deadline == later(30)  # still what they were told


def test_a_bound_moving_out_by_more_than_the_threshold_sends_a_notice():
    review = review_promise(PromisedDeadline(later(30)), later(5), 36)  # 09:41, 11 minutes later
    assert review.notify
    assert review.promise == PromisedDeadline(later(41), later(5))


def test_the_threshold_is_per_site():
    promise = PromisedDeadline(later(30))
    assert review_promise(promise, NOW, 36, threshold=timedelta(minutes=5)).notify
    assert not review_promise(promise, NOW, 36, threshold=timedelta(minutes=15)).notify


def test_no_more_than_one_notice_per_five_minutes_then_the_next_one_comes():
    told = review_promise(PromisedDeadline(later(30)), NOW, 45).promise  # a notice at 09:00
    soon = review_promise(told, later(4), 60)  # 09:64 vs 09:45: but only 4 minutes on
    assert not soon.notify
    assert soon.promise == told
    after = review_promise(soon.promise, later(5), 60)
    assert after.notify
    assert after.promise.deadline == later(65)


def test_a_better_estimate_shown_in_between_becomes_what_the_patient_holds():
    better = review_promise(PromisedDeadline(later(40)), later(1), 20).promise
    assert better.deadline == later(21)
    # Growing back to the first promise is more than 10 minutes past the better one.
    assert review_promise(better, later(2), 38).notify


def test_the_reason_prefers_staffs_own_word_then_a_paused_room():
    assert delay_reason(posted_delay=True, room_paused=True) == DelayReason.POSTED_DELAY
    assert delay_reason(posted_delay=False, room_paused=True) == DelayReason.ROOM_PAUSED
    assert delay_reason(posted_delay=False, room_paused=False) == DelayReason.BUSIER
