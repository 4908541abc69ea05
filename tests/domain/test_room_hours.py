"""A room's own sessions in the forecast and in what the site learns: the simulation
calls nobody to a room on its break, and a planned break is not a turnaround or part of
a visit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.domain.estimate import (
    Occupant,
    QueueSnapshot,
    RoomState,
    WaitingTicket,
    simulated_estimates,
)
from server.domain.history import (
    TURNAROUND_PRIOR,
    History,
    PastVisit,
    break_minutes,
    learn,
    room_gaps,
)

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
MODEL = learn(History(typical_minutes={"G": 15}))


def at(minutes):
    return NOW + timedelta(minutes=minutes)


LUNCH = ((at(30), at(90)),)  # 12:30 to 13:30


def line(count):
    return tuple(WaitingTicket(i + 1, "G", at(-20 + i), at(-20 + i)) for i in range(count))


def room(closures=()):
    seeing = Occupant("G", at(-6), at(-5))
    return RoomState("r1", ("G",), occupant=seeing, closures=closures)


def central_waits(closures, count=4):
    snapshot = QueueSnapshot(NOW, line(count), (room(closures),))
    predictions = simulated_estimates(snapshot, MODEL, seed=3)
    return {tid: estimate.central for tid, estimate in predictions.tickets.items()}


def test_a_patient_whose_only_room_breaks_for_lunch_waits_the_break_longer():
    without, with_lunch = central_waits(()), central_waits(LUNCH)
    # The first is called before lunch either way; the fourth, due near 13:00, after it.
    assert with_lunch[1] == without[1]
    assert without[4] < 90
    assert with_lunch[4] - without[4] == pytest.approx(60, abs=8)


def test_a_room_that_starts_late_calls_nobody_before_its_session():
    snapshot = QueueSnapshot(
        NOW, line(1), (RoomState("r1", ("G",), closures=((at(-60), at(45)),)),)
    )
    assert simulated_estimates(snapshot, MODEL, seed=1).tickets[1].central >= 45


def test_the_snapshot_says_whether_a_room_is_open_by_its_own_and_the_sites_hours():
    snapshot = QueueSnapshot(NOW, (), (room(LUNCH), room()), closures=((at(200), at(260)),))
    with_lunch, plain = snapshot.rooms
    assert snapshot.room_is_open(with_lunch)
    assert not snapshot.room_is_open(with_lunch, at(30))
    assert snapshot.room_is_open(plain, at(30))
    assert not snapshot.room_is_open(plain, at(200))


# --- What the site learns ---------------------------------------------------------------


def day_of_calls(lunch_gap):
    """A room seeing a 14-minute patient after a 1-minute turnaround, 09:00 to 16:00,
    patients waiting all along; with `lunch_gap`, its calls after 12:30 come an hour
    later (a planned lunch)."""
    visits, call = [], at(-180)
    while call < at(240):
        shifted = call + (timedelta(minutes=60) if lunch_gap and call >= at(30) else timedelta())
        visits.append(
            PastVisit(
                "G",
                "r1",
                at(-200),
                shifted,
                shifted,
                shifted + timedelta(minutes=14),
            )
        )
        call += timedelta(minutes=15)
    return visits


SESSIONS = {"r1": [(at(-180), at(30)), (at(90), at(300))]}


def test_the_learnt_turnaround_is_unchanged_by_a_planned_lunch_gap():
    steady = learn(History({"G": 15}, day_of_calls(False), [at(-180)]))
    lunch = learn(History({"G": 15}, day_of_calls(True), [at(-180)], room_sessions=SESSIONS))
    assert max(lunch.turnaround.values) == max(steady.turnaround.values)
    assert lunch.turnaround.mean == pytest.approx(steady.turnaround.mean, abs=0.01)
    # Without the room's sessions the lunch was taken for an hour's turnaround.
    unplanned = learn(History({"G": 15}, day_of_calls(True), [at(-180)]))
    assert max(unplanned.turnaround.values) == pytest.approx(61)


def test_the_first_call_after_lunch_is_a_session_start():
    turnarounds, starts = room_gaps(day_of_calls(True), [at(-180)], SESSIONS)
    assert max(turnarounds) == pytest.approx(1)
    assert starts == [pytest.approx(0), pytest.approx(0)]  # 09:00 and 13:30, on time


def test_a_visit_left_open_over_lunch_does_not_count_the_lunch():
    assert break_minutes(SESSIONS["r1"], at(20), at(95)) == pytest.approx(60)
    assert break_minutes(SESSIONS["r1"], at(0), at(20)) == 0
    # Four short visits and four long ones: the ninth decides the median.
    morning = [visit(-150 + 21 * i, 10 if i % 2 else 20) for i in range(8)]
    over_lunch = visit(25, 70)  # 10 minutes' work, and the hour's lunch
    clean = learn(History({"G": 15}, [*morning, visit(25, 10)]))
    planned = learn(History({"G": 15}, [*morning, over_lunch], room_sessions=SESSIONS))
    unplanned = learn(History({"G": 15}, [*morning, over_lunch]))
    assert planned.visit("G").mu == pytest.approx(clean.visit("G").mu)
    assert planned.visit("G").sigma == pytest.approx(clean.visit("G").sigma)
    assert unplanned.visit("G").median > clean.visit("G").median * 1.1


def visit(start, length):
    """A patient in room r1 from `start` for `length` minutes (from NOW)."""
    return PastVisit("G", "r1", at(start - 1), at(start), at(start), at(start + length))


def test_turnaround_prior_is_what_a_room_with_no_history_draws():
    assert learn(History({"G": 15}, room_sessions=SESSIONS)).turnaround.values == tuple(
        sorted(TURNAROUND_PRIOR)
    )
