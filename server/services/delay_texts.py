"""The delay notice in the patient's words: the domain says whether and why
(domain/delay.py); this says it in the ticket's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from flask_babel import force_locale, gettext

from server import payloads
from server.domain.delay import DelayReason


def delay_view(
    reason: str,
    at: datetime,
    language: str,
    posted: Sequence[Mapping[str, str]] = (),
) -> dict[str, Any]:
    """The delay notice as the phone shows it, in the ticket's language. `posted`: the
    words, by language, of the reasons staff picked for the delays that concern it."""
    with force_locale(language):
        message = _delay_message(reason, [_in_language(names, language) for names in posted])
    return {"reason_code": reason, "message": message, "at": payloads.iso(at)}


def _in_language(names: Mapping[str, str], language: str) -> str:
    """The site file has every reason in each of its languages; a ticket in a language
    the site does not offer reads the first one stored."""
    return names.get(language) or next(iter(names.values()), "")


def _delay_message(reason: str, posted: list[str]) -> str:
    if reason == DelayReason.POSTED_DELAY:
        said = str(gettext("Your wait is longer than we said: the clinic has posted a delay."))
        return " ".join([said, *(f"{why}." for why in posted if why)])
    if reason == DelayReason.ROOM_PAUSED:
        return str(
            gettext(
                "Your wait is longer than we said: a room that serves your line is paused for now."
            )
        )
    return str(gettext("Your wait is longer than we said: there are more patients than usual."))
