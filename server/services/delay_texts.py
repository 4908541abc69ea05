"""The delay notice in the patient's words: the domain says whether and why
(domain/delay.py); this says it in the ticket's language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import force_locale, gettext

from server import payloads
from server.domain.delay import DelayReason


def delay_view(reason: str, at: datetime, language: str) -> dict[str, Any]:
    """The delay notice as the phone shows it, in the ticket's language."""
    with force_locale(language):
        message = _delay_message(reason)
    return {"reason_code": reason, "message": message, "at": payloads.iso(at)}


def _delay_message(reason: str) -> str:
    if reason == DelayReason.POSTED_DELAY:
        return str(gettext("Your wait is longer than we said: the clinic has posted a delay."))
    if reason == DelayReason.ROOM_PAUSED:
        return str(
            gettext(
                "Your wait is longer than we said: a room that serves your line is paused for now."
            )
        )
    return str(gettext("Your wait is longer than we said: there are more patients than usual."))
