"""Domain errors: a rule said no. Transports turn them into 4xx answers."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A request that the queue rules refuse. `code` is stable; `message` is for people."""

    code = "domain_error"
    status = 409

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        # Facts a client acts on (e.g. which ticket holds a room); never personal data.
        self.details = details
        if code is not None:
            self.code = code


class InvalidTransition(DomainError):
    code = "invalid_transition"


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Gone(DomainError):
    """The thing existed but may no longer be used (an expired ticket link)."""

    code = "gone"
    status = 410


class CheckInRefused(DomainError):
    """The patient cannot check in now; the message says what to do instead."""

    code = "check_in_refused"
    status = 422


class NothingToCall(DomainError):
    code = "nothing_to_call"


class RoomPaused(DomainError):
    code = "room_paused"


class RoomOccupied(DomainError):
    """The room's last patient was called and has not been seen; the desk must say what
    became of them (a no-show, or back to the queue) before the room takes the next."""

    code = "room_occupied"


class BadInput(DomainError):
    """Text or a number the server cannot take as it is (a control character, too long)."""

    code = "invalid_input"
    status = 400
