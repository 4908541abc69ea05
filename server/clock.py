"""The current time, replaceable in tests (app.extensions["waitroom.clock"])."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app


def system_now() -> datetime:
    return datetime.now(UTC)


def now() -> datetime:
    return current_app.extensions.get("waitroom.clock", system_now)()
