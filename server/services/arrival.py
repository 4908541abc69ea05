"""The site's arrival code of the day: posted at the entrance, shown on the display and at
the desk, and typed on a remote ticket's page to say "I'm here" (domain/remote.py).

At the site's turn of the day the code changes: `turn_codes_forever` (one process of the
deployment, holding a lease) wakes at the next turn and publishes the new code to the
display's room and the desks', so a screen that runs for weeks never shows yesterday's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import select

from server import clock
from server.domain import remote
from server.extensions import db
from server.realtime import rooms
from server.realtime.publish import STAFF_UPDATE, Message, publish
from server.sites.settings import SiteSettings
from server.storage.locks import Lease
from server.storage.models import Site

DISPLAY_ARRIVAL = "display_arrival"
# Woken at least this often, to see sites added or days moved since it last looked.
MOST_SLEEP = timedelta(minutes=5)

# The code each site's displays were last sent, by this process (a process that takes
# the lease over sends every code once: sending the same code again changes nothing).
_published: dict[str, str] = {}


def arrival_code(site: Site, now: datetime | None = None) -> str:
    """The code of the site's day at `now` (it changes when the site's day turns)."""
    day = site.days.day_of(now or clock.now())
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return remote.arrival_code(secret, site.slug, day)


def shows_arrival_code(site: Site) -> bool:
    """Only a site where some service takes remote tickets has a code to show."""
    return bool(SiteSettings.of(site).remote_services)


def publish_new_codes(now: datetime) -> list[str]:
    """Send each site's displays its code when it differs from the one last sent.
    Not a queue change: it carries the site's seq unchanged. Returns the sites sent to."""
    messages = []
    for site in db.session.scalars(select(Site).order_by(Site.id)):
        if not shows_arrival_code(site):
            continue
        code = arrival_code(site, now)
        if _published.get(site.slug) == code:
            continue
        _published[site.slug] = code
        message = {"seq": site.seq, "kind": "arrival_code", "code": code}
        messages.append(Message(DISPLAY_ARRIVAL, rooms.display_room(site.slug), message))
        # The desks show it too ("Joining from home"), as a staff_update of its own kind.
        messages.append(Message(STAFF_UPDATE, rooms.staff_room(site.slug), message))
    db.session.rollback()  # only read
    publish(messages)
    return [m.room for m in messages if m.event == DISPLAY_ARRIVAL]


def until_next_turn(now: datetime, most: timedelta = MOST_SLEEP) -> timedelta:
    """How long until the first site's day turns (at most `most`)."""
    turns = [site.days.next_turn(now) for site in db.session.scalars(select(Site))]
    db.session.rollback()
    return min([most, *(turn - now for turn in turns)])


def turn_codes_forever(
    app: Flask, lease: Lease, sleep: Callable[[float], None], most: timedelta = MOST_SLEEP
) -> None:
    """Every process runs this loop; only the lease's holder publishes. It also wakes
    every `most`, for a site added, or a day's start moved, since it last looked."""
    while True:
        with app.app_context():
            try:
                wait = until_next_turn(clock.now(), most)
            except Exception:  # the loop must outlive a database that is away
                app.logger.exception("arrival code turn failed")
                wait = most
            finally:
                db.session.remove()
        # A second past the turn, so that the clock reads the new day.
        sleep(max(wait.total_seconds(), 0) + 1)
        with app.app_context():
            try:
                if lease.hold():
                    publish_new_codes(clock.now())
            except Exception:
                app.logger.exception("arrival code turn failed")
            finally:
                db.session.remove()
