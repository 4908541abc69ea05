"""Every (status, action) pair: the allowed ones move the ticket on, the rest are refused."""

from __future__ import annotations

import itertools

import pytest

from server.domain.errors import InvalidTransition
from server.domain.queue import (
    MAX_PRIORITY,
    NORMAL_PRIORITY,
    Action,
    TicketStatus,
    check_priority,
    is_open,
    next_status,
)

W = TicketStatus.WAITING
C = TicketStatus.CALLED
S = TicketStatus.IN_SERVICE
DONE = TicketStatus.DONE
NO_SHOW = TicketStatus.NO_SHOW
CANCELLED = TicketStatus.CANCELLED

# Written out by hand, not read from queue.TRANSITIONS, so that a change to the rules
# has to be made in both places on purpose.
ALLOWED = {
    (W, Action.CALL): C,
    (C, Action.RECALL): C,
    (C, Action.START): S,
    (S, Action.COMPLETE): DONE,
    (C, Action.MARK_NO_SHOW): NO_SHOW,
    (NO_SHOW, Action.RETURN_TO_QUEUE): W,
    (W, Action.TRANSFER): W,
    (C, Action.TRANSFER): W,
    (S, Action.TRANSFER): W,
    (W, Action.SET_PRIORITY): W,
    (W, Action.CANCEL): CANCELLED,
    (C, Action.CANCEL): CANCELLED,
    (NO_SHOW, Action.CANCEL): CANCELLED,
}
ALL_PAIRS = list(itertools.product(TicketStatus, Action))
REFUSED = [pair for pair in ALL_PAIRS if pair not in ALLOWED]


def _ids(pairs):
    return [f"{status.value}-{action.value}" for status, action in pairs]


def test_the_cross_product_is_split_between_allowed_and_refused():
    assert len(ALL_PAIRS) == len(TicketStatus) * len(Action)
    assert len(ALLOWED) + len(REFUSED) == len(ALL_PAIRS)


@pytest.mark.parametrize(
    ("status", "action", "expected"),
    [(status, action, after) for (status, action), after in ALLOWED.items()],
    ids=_ids(ALLOWED),
)
def test_allowed_action_gives_the_documented_next_state(status, action, expected):
    assert next_status(status, action) is expected


@pytest.mark.parametrize(("status", "action"), REFUSED, ids=_ids(REFUSED))
def test_every_other_action_is_refused_with_a_readable_message(status, action):
    with pytest.raises(InvalidTransition) as caught:
        next_status(status, action)
    message = caught.value.message
    assert message.startswith("Cannot ")
    assert message.endswith(".")
    assert "_" not in message  # words for people, not enum values
    assert caught.value.code == "invalid_transition"
    assert str(caught.value) == message


def test_completing_a_ticket_that_was_never_called_is_refused():
    with pytest.raises(InvalidTransition, match=r"^Cannot complete a ticket that is waiting\.$"):
        next_status(W, Action.COMPLETE)


def test_calling_a_cancelled_ticket_is_refused():
    with pytest.raises(InvalidTransition, match=r"^Cannot call a ticket that is cancelled\.$"):
        next_status(CANCELLED, Action.CALL)


def test_no_show_message_reads_as_a_sentence():
    expected = r"^Cannot mark as a no-show a ticket that is done\.$"
    with pytest.raises(InvalidTransition, match=expected):
        next_status(DONE, Action.MARK_NO_SHOW)


def test_finished_visits_accept_no_action_at_all():
    for status in (DONE, CANCELLED):
        for action in Action:
            with pytest.raises(InvalidTransition):
                next_status(status, action)


@pytest.mark.parametrize(
    ("status", "expected"),
    [(W, True), (C, True), (S, True), (NO_SHOW, True), (DONE, False), (CANCELLED, False)],
)
def test_a_visit_is_open_until_it_is_done_or_cancelled(status, expected):
    assert is_open(status) is expected


@pytest.mark.parametrize("level", range(NORMAL_PRIORITY, MAX_PRIORITY + 1))
def test_priority_levels_in_range_are_accepted(level):
    assert check_priority(level) == level


@pytest.mark.parametrize("level", [NORMAL_PRIORITY - 1, MAX_PRIORITY + 1])
def test_priority_levels_out_of_range_are_refused(level):
    with pytest.raises(InvalidTransition, match=str(level)):
        check_priority(level)
