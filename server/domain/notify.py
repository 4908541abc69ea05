"""The rules of messages to patients outside the page: when a failed send is tried
again, when it is given up, what the desk may see of an address, what staff may type.

Pure: the outbox (server/notify/) and the services hand in `now` and plain values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from server.domain.errors import BadInput
from server.domain.text import check_text

SMS = "sms"  # the text-message channel's name

# How long a message is worth sending: a call texted twenty minutes late is noise.
GIVE_UP_AFTER = timedelta(minutes=15)
FIRST_RETRY = timedelta(seconds=5)
LONGEST_WAIT = timedelta(minutes=2)
DESK_MESSAGE_LIMIT = 160  # one SMS segment
DEFAULT_NEXT_PLACE = 3  # "you are next" when the patient reaches this place in line


class Outcome(StrEnum):
    """What a channel says of one send."""

    DELIVERED = "delivered"  # handed to the provider: done
    GONE = "gone"  # the address is rejected for good: forget it, do not retry
    FAILED = "failed"  # may work later: retry with backoff


class Kind(StrEnum):
    """Why a message is sent."""

    CALLED = "called"
    RECALLED = "recalled"
    NEXT = "next"
    DELAY = "delay"
    LEFT = "left"
    DESK = "desk"
    ANSWER = "answer"  # an answer to the patient's text (STATUS, HELP, ...)
    ASK_LEAVE = "ask_leave"  # "reply YES to leave": a YES soon after confirms it
    REPLY = "reply"  # staff's reply to the patient's feedback
    SURVEY = "survey"  # the feedback survey's link, after the visit


@dataclass(frozen=True)
class Retry:
    """After a failed send: try again at `at`, or (at None) give up."""

    at: datetime | None


def after_failure(created_at: datetime, attempts: int, now: datetime) -> Retry:
    """Exponential backoff from FIRST_RETRY, at most LONGEST_WAIT between tries, until
    the message is GIVE_UP_AFTER old. `attempts` counts the tries made, this one too."""
    wait = min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)
    at = now + wait
    if at - created_at > GIVE_UP_AFTER:
        return Retry(None)
    return Retry(at)


def last_digits(address: str) -> str:
    """What the desk sees of a phone number: its last two digits."""
    digits = [c for c in address if c.isdigit()]
    return "".join(digits[-2:])


def desk_message(text: str) -> str:
    """A message staff typed to one patient: one line, not empty, one SMS segment."""
    cleaned = " ".join(check_text(text, field="text").split())
    if not cleaned:
        raise BadInput("Type the message to send.", code="empty_message")
    if len(cleaned) > DESK_MESSAGE_LIMIT:
        raise BadInput(
            f"A message is at most {DESK_MESSAGE_LIMIT} characters.", code="message_too_long"
        )
    return cleaned


def next_place(setting: object) -> int:
    """The site's place for "you are next" (the site file's `text_next_place`)."""
    return setting if isinstance(setting, int) and setting > 0 else DEFAULT_NEXT_PLACE
