"""The forward simulation with remote patients not here yet (domain/remote.py): they
cannot be called before they arrive, those behind them may be called first, and one
held past its grace period is moved back."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from server.domain.estimate import (
    Coming,
    Occupant,
    QueueSnapshot,
    RoomState,
    WaitingTicket,
    simulated_estimates,
    simulated_waits,
)
from server.domain.history import History, learn

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
MODEL = learn(History(typical_minutes={"G": 15}))


def at(m):
    return NOW + timedelta(minutes=m)


def ticket(ticket_id, joined, coming=None):
    return WaitingTicket(ticket_id, "G", at(joined), at(joined), coming=coming)


def busy_room():
    return RoomState("r1", ("G",), occupant=Occupant("G", at(-6), at(-5)), free_since=at(-20))


def idle_room():
    return RoomState("r1", ("G",), free_since=NOW)


def snap(tickets, rooms, **extra):
    return QueueSnapshot(NOW, tuple(tickets), tuple(rooms), **extra)


def test_a_patient_behind_a_remote_patient_not_here_yet_is_called_sooner():
    coming = Coming(expected_at=at(60), travel_minutes=20)
    line = [ticket(1, -30, coming), ticket(2, -20), ticket(3, -10)]
    here = [replace(t, coming=None) for t in line]
    with_remote = simulated_estimates(snap(line, [busy_room()]), MODEL).tickets
    all_here = simulated_estimates(snap(here, [busy_room()]), MODEL).tickets
    assert with_remote[2].central < all_here[2].central
    assert with_remote[3].central < all_here[3].central
    # The patient ahead who is here is not moved: nobody not here was ahead of them.
    assert with_remote[2].central <= all_here[1].central + 1


def test_a_remote_patient_is_never_called_before_they_arrive():
    expected, travel = 40, 10
    line = [ticket(1, -5, Coming(expected_at=at(expected), travel_minutes=travel))]
    waits = simulated_waits(snap(line, [idle_room()]), MODEL)[1]
    # Their own travel time's error is all that spreads their arrival: never before
    # they could have come had the trip been much quicker than they said.
    assert min(waits) >= expected - travel
    estimate = simulated_estimates(snap(line, [idle_room()]), MODEL).tickets[1]
    assert estimate.central >= expected
    assert estimate.low >= expected - travel / 2


def test_a_remote_patient_later_than_expected_is_still_expected_from_now_on():
    line = [ticket(1, -30, Coming(expected_at=at(-10), travel_minutes=20))]
    waits = simulated_waits(snap(line, [idle_room()]), MODEL)[1]
    assert min(waits) > 0
    assert sorted(waits)[len(waits) // 2] < 20  # on the way: soon, not a whole trip


def test_a_held_patient_past_the_grace_period_lets_others_by_when_they_come():
    def line(held_minutes_ago):
        coming = Coming(expected_at=at(5), travel_minutes=10, held_at=at(-held_minutes_ago))
        return [ticket(1, -40, coming), *(ticket(i, -30 + i, None) for i in range(2, 7))]

    rules = {"remote_grace_minutes": 10, "remote_move_back": 3}
    within = simulated_estimates(snap(line(2), [idle_room()], **rules), MODEL).tickets
    past = simulated_estimates(snap(line(15), [idle_room()], **rules), MODEL).tickets
    # Within its grace period it keeps its place: called as soon as the room is free
    # after it comes, before those behind it who are still waiting.
    assert within[1].central < within[3].central
    # Past it, it is moved back three places: those it let by are called before it.
    assert past[1].central > past[4].central
    assert past[1].central > within[1].central
    assert past[3].central < within[3].central


def test_a_queue_with_no_remote_patient_gives_the_same_estimates_as_before():
    line = [ticket(1, -30), ticket(2, -20)]
    plain = simulated_estimates(snap(line, [busy_room()]), MODEL)
    marked = simulated_estimates(snap(line, [busy_room()], remote_move_back=1), MODEL)
    assert plain.tickets == marked.tickets
