"""The site's arrival code of the day: posted at the entrance, shown on the display and at
the desk, and typed on a remote ticket's page to say "I'm here" (domain/remote.py)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from server import clock
from server.domain import remote
from server.storage.models import Site


def arrival_code(site: Site, now: datetime | None = None) -> str:
    """The code of the site's day at `now` (it changes when the site's day turns)."""
    day = site.days.day_of(now or clock.now())
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return remote.arrival_code(secret, site.slug, day)
