"""Delay notices: which reason staff picked, the note they may add, and whether a new
notice is a second one or an update of the one already posted for the same place.

The reasons are the site's own list (its site file), each with its words in every
language of the site, so that each patient reads the reason in their language. The
note is what staff typed: it is shown as typed, marked as the clinic's words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from server.domain.errors import BadInput
from server.domain.text import check_line

NOTE_MAX_LENGTH = 140  # a short line: it is read from a waiting-room screen


class UnknownDelayReason(BadInput):
    code = "unknown_delay_reason"
    status = 422


@dataclass(frozen=True)
class DelayReasonWords:
    """One of the site's usual reasons, e.g. code "emergency" and its words by language."""

    code: str
    names: Mapping[str, str]


@dataclass(frozen=True)
class NoticeWords:
    """What a notice says: a reason from the list (or none), and a note (or none)."""

    reason: DelayReasonWords | None
    note: str | None

    def summary(self, languages: Iterable[str]) -> str:
        """One line in the site's first language, for older clients that read `reason`."""
        first = next(iter(languages), None)
        said = self.reason.names.get(first or "") if self.reason else None
        parts = [said, f'"{self.note}"' if said and self.note else self.note]
        return ". ".join(p for p in parts if p)


def notice_words(
    reasons: Iterable[DelayReasonWords], code: str | None, note: str | None
) -> NoticeWords:
    """The picked reason and the note, checked: an unknown code or an empty notice is
    refused. Both may be given; at least one must be."""
    picked = None
    if code is not None:
        picked = next((r for r in reasons if r.code == code), None)
        if picked is None:
            raise UnknownDelayReason(f"There is no delay reason {code!r} in this site's list.")
    cleaned = check_note(note)
    if picked is None and cleaned is None:
        raise BadInput("Pick a reason from the list, or write a note.")
    return NoticeWords(picked, cleaned)


def check_note(note: str | None) -> str | None:
    """A note is one line of at most NOTE_MAX_LENGTH characters; blank means none."""
    if note is None or not note.strip():
        return None
    return check_line(note.strip(), field="note", max_length=NOTE_MAX_LENGTH)


@dataclass(frozen=True)
class NoticePlace:
    """Where a notice applies: the whole site, one service or one room."""

    scope: str
    service_id: int | None = None
    room_id: int | None = None


Id = TypeVar("Id")


def notice_to_update(active: Iterable[tuple[Id, NoticePlace]], place: NoticePlace) -> Id | None:
    """The active notice a new one for `place` replaces, or None to post a new one.

    There is one notice per place: posting again for the same place means the delay
    changed (its length, its reason), not that there are two delays.
    """
    return next((key for key, where in active if where == place), None)
