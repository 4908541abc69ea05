"""Ticket states, the call order, numbering and tokens.

Every rule about who is called next lives here, in one place, so that the API, the
desk and the estimators can never disagree about the order of the queue.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol, TypeVar

from server.domain.errors import InvalidTransition, RoomOccupied


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    IN_SERVICE = "in_service"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class Action(StrEnum):
    CALL = "call"
    RECALL = "recall"
    START = "start"
    COMPLETE = "complete"
    MARK_NO_SHOW = "mark_no_show"
    RETURN_TO_QUEUE = "return_to_queue"
    TRANSFER = "transfer"
    SET_PRIORITY = "set_priority"
    CANCEL = "cancel"


W, C, S = TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.IN_SERVICE
TRANSITIONS: dict[tuple[TicketStatus, Action], TicketStatus] = {
    (W, Action.CALL): C,
    (C, Action.RECALL): C,
    (C, Action.START): S,
    (S, Action.COMPLETE): TicketStatus.DONE,
    (C, Action.MARK_NO_SHOW): TicketStatus.NO_SHOW,
    (TicketStatus.NO_SHOW, Action.RETURN_TO_QUEUE): W,
    # A transfer sends the patient on to another service, e.g. from the GP to blood
    # tests, so it is allowed from every state of an unfinished visit.
    (W, Action.TRANSFER): W,
    (C, Action.TRANSFER): W,
    (S, Action.TRANSFER): W,
    (W, Action.SET_PRIORITY): W,
    (W, Action.CANCEL): TicketStatus.CANCELLED,
    (C, Action.CANCEL): TicketStatus.CANCELLED,
    (TicketStatus.NO_SHOW, Action.CANCEL): TicketStatus.CANCELLED,
}

# States in which the patient's phone link still works: the visit has not ended.
# A no-show may still come back to the desk and be returned to the queue.
OPEN_STATUSES = frozenset({W, C, S, TicketStatus.NO_SHOW})

_ACTION_WORDS = {
    Action.CALL: "call",
    Action.RECALL: "recall",
    Action.START: "start",
    Action.COMPLETE: "complete",
    Action.MARK_NO_SHOW: "mark as a no-show",
    Action.RETURN_TO_QUEUE: "return to the queue",
    Action.TRANSFER: "transfer",
    Action.SET_PRIORITY: "change the priority of",
    Action.CANCEL: "cancel",
}
_STATUS_WORDS = {
    W: "waiting",
    C: "called",
    S: "in service",
    TicketStatus.DONE: "done",
    TicketStatus.NO_SHOW: "a no-show",
    TicketStatus.CANCELLED: "cancelled",
}


def next_status(current: TicketStatus, action: Action) -> TicketStatus:
    """The state after `action`, or InvalidTransition if the action makes no sense now."""
    try:
        return TRANSITIONS[(current, action)]
    except KeyError:
        raise InvalidTransition(
            f"Cannot {_ACTION_WORDS[action]} a ticket that is {_STATUS_WORDS[current]}."
        ) from None


def is_open(status: TicketStatus) -> bool:
    return status in OPEN_STATUSES


# --- Priority ---------------------------------------------------------------------

NORMAL_PRIORITY = 0
MAX_PRIORITY = 3


def check_priority(level: int) -> int:
    if not NORMAL_PRIORITY <= level <= MAX_PRIORITY:
        raise InvalidTransition(
            f"Priority must be between {NORMAL_PRIORITY} and {MAX_PRIORITY}, not {level}."
        )
    return level


# --- What each transition changes ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class TicketState:
    """The fields of a ticket that staff and patient actions change.

    Each action is a method that checks the transition and returns the ticket as it
    is after it; the ticket itself (a database row) is left to the caller to update.
    """

    status: TicketStatus
    priority: int
    service_id: int
    room_id: int | None
    queue_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    recalls: int

    def call(self, room_id: int, now: datetime) -> TicketState:
        """Called to a room. A ticket called again after a return keeps its recalls."""
        return replace(self, status=self._next(Action.CALL), room_id=room_id, called_at=now)

    def recall(self, now: datetime) -> TicketState:
        """Announced again, to the same room."""
        return replace(
            self, status=self._next(Action.RECALL), called_at=now, recalls=self.recalls + 1
        )

    def start(self, now: datetime) -> TicketState:
        return replace(self, status=self._next(Action.START), started_at=now)

    def complete(self, now: datetime) -> TicketState:
        return replace(self, status=self._next(Action.COMPLETE), finished_at=now)

    def mark_no_show(self, now: datetime) -> TicketState:
        return replace(self, status=self._next(Action.MARK_NO_SHOW), finished_at=now)

    def cancel(self, now: datetime) -> TicketState:
        return replace(self, status=self._next(Action.CANCEL), finished_at=now)

    def return_to_queue(self, now: datetime) -> TicketState:
        """A no-show who turns up after all joins the back of the line."""
        return replace(
            self,
            status=self._next(Action.RETURN_TO_QUEUE),
            queue_at=now,
            called_at=None,
            finished_at=None,
            room_id=None,
        )

    def transfer(self, service_id: int) -> TicketState:
        """Sent to another service's line, keeping the place it earned (`queue_at`)."""
        if service_id == self.service_id and self.status == TicketStatus.WAITING:
            raise InvalidTransition("The ticket is already waiting for that service.")
        return replace(
            self,
            status=self._next(Action.TRANSFER),
            service_id=service_id,
            room_id=None,
            called_at=None,
            started_at=None,
        )

    def set_priority(self, level: int) -> TicketState:
        status = self._next(Action.SET_PRIORITY)
        return replace(self, status=status, priority=check_priority(level))

    def _next(self, action: Action) -> TicketStatus:
        return next_status(self.status, action)


# --- One patient per room ---------------------------------------------------------


class PreviousPatient(StrEnum):
    """What the desk says became of a room's patient who was called and never started."""

    NO_SHOW = "no_show"
    RETURN_TO_QUEUE = "return"


@dataclass(frozen=True, slots=True)
class RoomFreed:
    """What calling into a room did to the patient who held it."""

    action: Action
    state: TicketState


ROOM_OCCUPIED = (
    "{number} was called to {room} and has not been seen: mark them as a no-show or "
    "send them back to the queue first."
)


def make_room_for_call(
    occupant: TicketState | None, previous: PreviousPatient | None, now: datetime
) -> RoomFreed | None:
    """A room holds one patient at a time: what a new call does to the one it holds.

    A patient in service is done when the room calls the next one. A patient called but
    not started (not come yet, or never) is the desk's decision: without `previous` the
    call is refused (RoomOccupied); with it, they are marked a no-show, or sent to the
    back of the line, as part of the same change. `previous` is not needed (and not
    used) for a patient in service, nor when the room is free.
    """
    if occupant is None:
        return None
    if occupant.status == TicketStatus.IN_SERVICE:
        return RoomFreed(Action.COMPLETE, occupant.complete(now))
    if occupant.status != TicketStatus.CALLED:
        return None  # a finished or waiting ticket holds no room
    if previous is None:
        raise RoomOccupied(ROOM_OCCUPIED.format(number="The patient", room="this room"))
    no_show = occupant.mark_no_show(now)
    if previous == PreviousPatient.NO_SHOW:
        return RoomFreed(Action.MARK_NO_SHOW, no_show)
    # The same way back as a no-show who turns up: the back of the line.
    return RoomFreed(Action.RETURN_TO_QUEUE, no_show.return_to_queue(now))


# --- Call order -------------------------------------------------------------------


def queue_anchor(
    arrived_at: datetime, appointment_at: datetime | None, on_time_grace: timedelta
) -> datetime:
    """The moment a patient's place in line is measured from.

    An appointment patient who arrives on time (no later than the grace period after
    the appointment) is placed at the appointment time, even if they came early;
    everyone else, late appointment patients included, is placed at arrival.
    """
    if appointment_at is not None and arrived_at <= appointment_at + on_time_grace:
        return appointment_at
    return arrived_at


class Queued(Protocol):
    """What the call order needs to know about a waiting ticket."""

    @property
    def id(self) -> int: ...
    @property
    def priority(self) -> int: ...
    @property
    def queue_at(self) -> datetime: ...
    @property
    def arrived_at(self) -> datetime: ...


QueuedT = TypeVar("QueuedT", bound=Queued)


def call_order_key(ticket: Queued) -> tuple[int, datetime, datetime, int]:
    """Priority first (higher first), then the place earned, then arrival, then id."""
    return (-ticket.priority, ticket.queue_at, ticket.arrived_at, ticket.id)


def in_call_order(tickets: Iterable[QueuedT]) -> list[QueuedT]:
    return sorted(tickets, key=call_order_key)


def pick_next(waiting: Iterable[QueuedT]) -> QueuedT | None:
    """The ticket to call next among `waiting`, or None when nobody waits."""
    return min(waiting, key=call_order_key, default=None)


# --- Numbers ----------------------------------------------------------------------


@dataclass(frozen=True)
class TicketNumber:
    prefix: str
    number: int

    def __str__(self) -> str:
        return f"{self.prefix}-{self.number:03d}"

    def spoken(self) -> str:
        """How a display reads it aloud: "B 17" rather than "B minus zero one seven"."""
        return f"{self.prefix} {self.number}"


def next_ticket_number(last_today: int | None, held: Collection[int] = ()) -> int:
    """Numbers start at 1 for each service on each of the site's days, passing over any
    `held` by a patient of the day before still in line (a site that never cuts its
    line), so that two people in line never hold the same number."""
    number = 1 if last_today is None else last_today + 1
    while number in held:
        number += 1
    return number


# --- Tokens -----------------------------------------------------------------------

TOKEN_BYTES = 24  # 192 bits, above the 128 the design asks for


def new_ticket_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    """Only the digest is stored, so a copy of the database opens no phone page."""
    return hashlib.sha256(token.encode()).hexdigest()
