"""The one rule for text from outside: no control characters where they have no use.

A NUL or another control character in a name, a code or a slug is never meant; PostgreSQL
refuses NUL outright, SQLite would store it. One-line fields allow no control character;
multi-line free text allows newline and tab only.
"""

from __future__ import annotations

import unicodedata

from server.domain.errors import BadInput

MULTI_LINE_ALLOWED = frozenset("\n\t")


def _control(char: str) -> bool:
    # Cc: C0 and C1 controls (NUL included), DEL; Cs: lone surrogates, which no database
    # stores as text.
    return unicodedata.category(char) in ("Cc", "Cs")


def find_control(value: str, *, allowed: frozenset[str] = frozenset()) -> int | None:
    """The index of the first control character not in `allowed`, or None."""
    for index, char in enumerate(value):
        if char not in allowed and _control(char):
            return index
    return None


def _check(value: str, field: str, max_length: int | None, allowed: frozenset[str]) -> str:
    if find_control(value, allowed=allowed) is not None:
        kind = (
            "control characters" if not allowed else "control characters other than newline and tab"
        )
        raise BadInput(f"{field}: {kind} are not allowed.")
    if max_length is not None and len(value) > max_length:
        raise BadInput(f"{field}: at most {max_length} characters.")
    return value


def check_line(value: str, *, field: str, max_length: int | None = None) -> str:
    """A one-line field (a name, a code, a slug): returned as it is, or BadInput."""
    return _check(value, field, max_length, frozenset())


def check_text(value: str, *, field: str, max_length: int | None = None) -> str:
    """Multi-line free text: newline and tab allowed, other control characters refused."""
    return _check(value, field, max_length, MULTI_LINE_ALLOWED)
