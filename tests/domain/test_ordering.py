"""The call order: priority, then the place earned, then arrival, then id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from server.domain.queue import call_order_key, in_call_order, pick_next, queue_anchor

GRACE = timedelta(minutes=10)


def at(hour, minute=0):
    return datetime(2026, 3, 10, hour, minute, tzinfo=UTC)


@dataclass(frozen=True)
class Ticket:
    id: int
    arrived_at: datetime
    appointment_at: datetime | None = None
    priority: int = 0

    @property
    def queue_at(self):
        return queue_anchor(self.arrived_at, self.appointment_at, GRACE)


def ids(tickets):
    return [t.id for t in tickets]


def test_higher_priority_is_called_first_even_if_it_came_later():
    early = Ticket(1, at(9, 0))
    urgent = Ticket(2, at(9, 30), priority=2)
    assert ids(in_call_order([early, urgent])) == [2, 1]
    assert pick_next([early, urgent]) is urgent


def test_walk_ins_are_called_in_order_of_arrival():
    tickets = [Ticket(3, at(9, 20)), Ticket(1, at(9, 0)), Ticket(2, at(9, 10))]
    assert ids(in_call_order(tickets)) == [1, 2, 3]


def test_early_appointment_patient_is_placed_at_the_appointment_time():
    assert queue_anchor(at(9, 0), at(9, 30), GRACE) == at(9, 30)


def test_walk_in_who_arrived_before_the_appointment_time_goes_first():
    patient = Ticket(1, arrived_at=at(9, 0), appointment_at=at(9, 30))
    walk_in = Ticket(2, arrived_at=at(9, 15))
    assert ids(in_call_order([patient, walk_in])) == [2, 1]


def test_walk_in_who_arrived_after_the_appointment_time_goes_after():
    patient = Ticket(1, arrived_at=at(9, 0), appointment_at=at(9, 30))
    walk_in = Ticket(2, arrived_at=at(9, 31))
    assert ids(in_call_order([walk_in, patient])) == [1, 2]


def test_appointment_patient_within_grace_keeps_the_appointment_slot():
    assert queue_anchor(at(9, 38), at(9, 30), GRACE) == at(9, 30)
    patient = Ticket(1, arrived_at=at(9, 38), appointment_at=at(9, 30))
    walk_in = Ticket(2, arrived_at=at(9, 35))
    assert ids(in_call_order([walk_in, patient])) == [1, 2]


def test_appointment_patient_exactly_at_the_end_of_grace_keeps_the_slot():
    assert queue_anchor(at(9, 40), at(9, 30), GRACE) == at(9, 30)


def test_appointment_patient_past_grace_is_placed_at_arrival():
    assert queue_anchor(at(9, 41), at(9, 30), GRACE) == at(9, 41)
    late = Ticket(1, arrived_at=at(9, 41), appointment_at=at(9, 30))
    walk_in = Ticket(2, arrived_at=at(9, 35))
    assert ids(in_call_order([late, walk_in])) == [2, 1]


def test_walk_in_is_placed_at_arrival():
    assert queue_anchor(at(9, 5), None, GRACE) == at(9, 5)


def test_same_place_is_broken_by_arrival():
    # Both hold the 09:30 slot; the one who came first goes first.
    first = Ticket(2, arrived_at=at(9, 0), appointment_at=at(9, 30))
    second = Ticket(1, arrived_at=at(9, 10), appointment_at=at(9, 30))
    assert ids(in_call_order([second, first])) == [2, 1]


def test_same_place_and_arrival_is_broken_by_id():
    tickets = [Ticket(7, at(9, 0)), Ticket(3, at(9, 0)), Ticket(5, at(9, 0))]
    assert ids(in_call_order(tickets)) == [3, 5, 7]
    assert pick_next(tickets).id == 3


def test_call_order_key_puts_priority_before_everything_else():
    assert call_order_key(Ticket(9, at(10), priority=1)) < call_order_key(Ticket(1, at(8)))


def test_pick_next_agrees_with_the_head_of_the_call_order():
    tickets = [
        Ticket(1, at(9, 0), appointment_at=at(9, 45)),
        Ticket(2, at(9, 20)),
        Ticket(3, at(9, 50), appointment_at=at(9, 30)),
        Ticket(4, at(9, 25), priority=1),
    ]
    assert pick_next(tickets) is in_call_order(tickets)[0]
    assert ids(in_call_order(tickets)) == [4, 2, 1, 3]


def test_pick_next_of_nobody_is_none():
    assert pick_next([]) is None
    assert pick_next(iter(())) is None
