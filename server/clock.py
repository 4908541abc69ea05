"""The current time, replaceable in tests (app.extensions["waitroom.clock"])."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app


def system_now() -> datetime:
    return datetime.now(UTC)


def now() -> datetime:
    read: Callable[[], datetime] = current_app.extensions.get("waitroom.clock", system_now)
    return read()
