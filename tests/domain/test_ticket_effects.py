"""What each transition does to a ticket's fields (TicketState), besides its status."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from server.domain.errors import InvalidTransition
from server.domain.queue import TicketState, TicketStatus

W = TicketStatus.WAITING
C = TicketStatus.CALLED
S = TicketStatus.IN_SERVICE

ARRIVED = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)
CALLED = ARRIVED + timedelta(minutes=20)
NOW = ARRIVED + timedelta(minutes=45)

WAITING = TicketState(
    status=W,
    priority=0,
    service_id=1,
    room_id=None,
    queue_at=ARRIVED,
    called_at=None,
    started_at=None,
    finished_at=None,
    recalls=0,
)
CALLED_TO_7 = replace(WAITING, status=C, room_id=7, called_at=CALLED, recalls=1)
IN_SERVICE = replace(CALLED_TO_7, status=S, started_at=CALLED + timedelta(minutes=2))
NO_SHOW = replace(CALLED_TO_7, status=TicketStatus.NO_SHOW, finished_at=CALLED)


def test_a_call_sets_the_room_and_the_time_and_keeps_the_recalls():
    ticket = replace(WAITING, recalls=2)  # called, no-show and returned before
    after = ticket.call(9, NOW)
    assert after.status is C
    assert after.room_id == 9
    assert after.called_at == NOW
    assert after.recalls == 2
    assert after.queue_at == ARRIVED
    assert after.service_id == 1
    assert after.priority == 0
    assert after.started_at is None
    assert after.finished_at is None


def test_a_recall_counts_and_moves_the_call_time_but_not_the_room():
    after = CALLED_TO_7.recall(NOW)
    assert after.status is C
    assert after.recalls == 2
    assert after.called_at == NOW
    assert after.room_id == 7
    assert after.queue_at == ARRIVED
    assert after.started_at is None
    assert after.finished_at is None


def test_a_start_stamps_the_start_only():
    after = CALLED_TO_7.start(NOW)
    assert after.status is S
    assert after.started_at == NOW
    assert after.called_at == CALLED
    assert after.room_id == 7
    assert after.recalls == 1
    assert after.finished_at is None


@pytest.mark.parametrize(
    ("before", "method", "status"),
    [
        (IN_SERVICE, TicketState.complete, TicketStatus.DONE),
        (CALLED_TO_7, TicketState.mark_no_show, TicketStatus.NO_SHOW),
        (WAITING, TicketState.cancel, TicketStatus.CANCELLED),
        (CALLED_TO_7, TicketState.cancel, TicketStatus.CANCELLED),
        (NO_SHOW, TicketState.cancel, TicketStatus.CANCELLED),
    ],
    ids=["complete", "no-show", "cancel-waiting", "cancel-called", "cancel-no-show"],
)
def test_an_ending_stamps_the_finish_and_keeps_the_rest(before, method, status):
    after = method(before, NOW)
    assert after.status is status
    assert after.finished_at == NOW
    assert replace(after, status=before.status, finished_at=before.finished_at) == before


def test_a_return_to_the_queue_goes_to_the_back_of_the_line_with_no_room():
    after = NO_SHOW.return_to_queue(NOW)
    assert after.status is W
    assert after.queue_at == NOW
    assert after.called_at is None
    assert after.finished_at is None
    assert after.room_id is None
    assert after.recalls == 1
    assert after.service_id == 1
    assert after.priority == 0


@pytest.mark.parametrize("before", [WAITING, CALLED_TO_7, IN_SERVICE], ids=["w", "c", "s"])
def test_a_transfer_waits_for_the_other_service_keeping_its_place(before):
    after = before.transfer(2)
    assert after.status is W
    assert after.service_id == 2
    assert after.room_id is None
    assert after.called_at is None
    assert after.started_at is None
    assert after.queue_at == ARRIVED  # the place it earned
    assert after.recalls == before.recalls
    assert after.priority == before.priority
    assert after.finished_at is None


def test_a_called_ticket_may_be_sent_back_to_its_own_service():
    after = CALLED_TO_7.transfer(1)
    assert after.status is W
    assert after.service_id == 1
    assert after.room_id is None


def test_a_transfer_to_the_line_it_waits_in_is_refused():
    with pytest.raises(InvalidTransition) as caught:
        WAITING.transfer(1)
    assert caught.value.message == "The ticket is already waiting for that service."
    assert caught.value.code == "invalid_transition"


def test_a_priority_change_sets_the_level_only():
    after = WAITING.set_priority(3)
    assert after.priority == 3
    assert after.status is W
    assert replace(after, priority=0) == WAITING


def test_a_priority_out_of_range_is_refused():
    with pytest.raises(InvalidTransition, match=r"between 0 and 3, not 4"):
        WAITING.set_priority(4)


def test_the_transition_is_checked_before_the_priority_level():
    with pytest.raises(InvalidTransition, match=r"^Cannot change the priority of .* called\.$"):
        CALLED_TO_7.set_priority(9)


@pytest.mark.parametrize(
    ("before", "apply", "message"),
    [
        (WAITING, lambda t: t.recall(NOW), "Cannot recall a ticket that is waiting."),
        (CALLED_TO_7, lambda t: t.call(9, NOW), "Cannot call a ticket that is called."),
        (WAITING, lambda t: t.complete(NOW), "Cannot complete a ticket that is waiting."),
        (IN_SERVICE, lambda t: t.cancel(NOW), "Cannot cancel a ticket that is in service."),
        (
            WAITING,
            lambda t: t.return_to_queue(NOW),
            "Cannot return to the queue a ticket that is waiting.",
        ),
        (NO_SHOW, lambda t: t.transfer(2), "Cannot transfer a ticket that is a no-show."),
    ],
    ids=["recall", "call", "complete", "cancel", "return", "transfer"],
)
def test_a_refused_transition_says_why(before, apply, message):
    with pytest.raises(InvalidTransition) as caught:
        apply(before)
    assert caught.value.message == message


def test_the_state_is_frozen():
    with pytest.raises(AttributeError):
        WAITING.status = C  # type: ignore[misc]
