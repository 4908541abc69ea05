"""The current time, replaceable in tests (app.extensions["waitroom.clock"]).

Tests of the app in-process put a clock there they move by hand (tests/conftest.py).
Tests of a whole server process (tests/e2e) cannot reach into it: for them the server
reads its time as the system's plus an offset in seconds written in a file
(WAITROOM_CLOCK_OFFSET_FILE), which the test rewrites to move time forward. It is for
tests only: a deployment never sets it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app


def system_now() -> datetime:
    return datetime.now(UTC)


def now() -> datetime:
    read: Callable[[], datetime] = current_app.extensions.get("waitroom.clock", system_now)
    return read()


class OffsetClock:
    """The system's time plus the seconds written in a file (none, or no file: zero).

    The file is read again only when it changed (its modification time and size), so
    that reading the time stays cheap; a test writes it whole (a rename) to move time."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._seen: tuple[int, int] | None = None
        self._offset = timedelta()

    def __call__(self) -> datetime:
        try:
            status = self.path.stat()
        except FileNotFoundError:
            return system_now()
        seen = (status.st_mtime_ns, status.st_size)
        if seen != self._seen:
            text = self.path.read_text().strip()
            self._offset = timedelta(seconds=float(text or 0))
            self._seen = seen
        return system_now() + self._offset
