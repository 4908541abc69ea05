"""A room holds one patient at a time: what a call does to the patient who holds it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from server.domain.errors import DomainError, RoomOccupied
from server.domain.queue import (
    Action,
    PreviousPatient,
    RoomFreed,
    TicketState,
    TicketStatus,
    make_room_for_call,
)

ARRIVED = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)
CALLED_AT = ARRIVED + timedelta(minutes=20)
NOW = ARRIVED + timedelta(minutes=45)

WAITING = TicketState(
    status=TicketStatus.WAITING,
    priority=1,
    service_id=1,
    room_id=None,
    queue_at=ARRIVED,
    called_at=None,
    started_at=None,
    finished_at=None,
    recalls=0,
)
CALLED = replace(WAITING, status=TicketStatus.CALLED, room_id=7, called_at=CALLED_AT, recalls=1)
IN_SERVICE = replace(CALLED, status=TicketStatus.IN_SERVICE, started_at=CALLED_AT)
PREVIOUS = [None, *PreviousPatient]


@pytest.mark.parametrize("previous", PREVIOUS)
def test_a_free_room_takes_the_call_and_changes_nobody(previous):
    assert make_room_for_call(None, previous, NOW) is None


@pytest.mark.parametrize("previous", PREVIOUS)
def test_the_patient_in_service_is_done_when_the_room_calls_the_next(previous):
    freed = make_room_for_call(IN_SERVICE, previous, NOW)
    assert freed == RoomFreed(Action.COMPLETE, IN_SERVICE.complete(NOW))
    assert freed.state.status is TicketStatus.DONE
    assert freed.state.finished_at == NOW
    assert freed.state.room_id == 7  # the visit's room stays on the record


def test_a_called_patient_not_yet_seen_refuses_the_call_until_the_desk_decides():
    with pytest.raises(RoomOccupied) as refused:
        make_room_for_call(CALLED, None, NOW)
    assert isinstance(refused.value, DomainError)
    assert refused.value.code == "room_occupied"
    assert refused.value.status == 409
    assert "has not been seen" in refused.value.message
    assert "no-show" in refused.value.message


def test_a_called_patient_can_be_marked_a_no_show_by_the_call():
    freed = make_room_for_call(CALLED, PreviousPatient.NO_SHOW, NOW)
    assert freed == RoomFreed(Action.MARK_NO_SHOW, CALLED.mark_no_show(NOW))
    assert freed.state.status is TicketStatus.NO_SHOW
    assert freed.state.finished_at == NOW


def test_a_called_patient_sent_back_joins_the_back_of_the_line_like_a_returned_no_show():
    freed = make_room_for_call(CALLED, PreviousPatient.RETURN_TO_QUEUE, NOW)
    assert freed is not None
    assert freed.action is Action.RETURN_TO_QUEUE
    assert freed.state == CALLED.mark_no_show(NOW).return_to_queue(NOW)
    assert freed.state.status is TicketStatus.WAITING
    assert freed.state.queue_at == NOW
    assert freed.state.room_id is None
    assert freed.state.called_at is None
    assert freed.state.finished_at is None
    assert (freed.state.priority, freed.state.recalls) == (1, 1)  # kept


@pytest.mark.parametrize(
    "status",
    [
        TicketStatus.WAITING,
        TicketStatus.DONE,
        TicketStatus.NO_SHOW,
        TicketStatus.CANCELLED,
    ],
)
@pytest.mark.parametrize("previous", PREVIOUS)
def test_a_ticket_that_is_not_called_or_in_service_holds_no_room(status, previous):
    assert make_room_for_call(replace(CALLED, status=status), previous, NOW) is None


def test_every_status_is_decided():
    """Every state a ticket can be in is covered above, so a new state needs a decision."""
    covered = {
        TicketStatus.WAITING,
        TicketStatus.CALLED,
        TicketStatus.IN_SERVICE,
        TicketStatus.DONE,
        TicketStatus.NO_SHOW,
        TicketStatus.CANCELLED,
    }
    assert set(TicketStatus) == covered


def test_the_desk_sends_its_decision_by_these_names():
    assert [p.value for p in PreviousPatient] == ["no_show", "return"]
