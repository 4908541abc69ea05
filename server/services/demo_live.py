"""`waitroom demo --live`: the demo clinic's day keeps moving while someone looks.

The command marks the demo site as live (its settings' `demo_live`: the demo account
whose name the moves are made in). The server then plays it every few seconds, on its
own clock, through the same services the kiosk and the desk use, so the display, the
desk and the phones hear each move as they would a person's: patients walk in, free
rooms call the next one, a called patient comes in a minute later, and a visit ends
after about its service's typical time. Nothing is made up about the past; today's
tickets are real ones.

Run by the deployment's one tick holder (the lease), so two processes do not both
play. A site stops being live when its site file is loaded again.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from flask import Flask
from sqlalchemy import select

from server import clock
from server.domain.errors import DomainError
from server.domain.queue import TicketStatus
from server.extensions import db
from server.services import checkin, tickets
from server.services.turns import write_turn
from server.storage import queries
from server.storage.locks import Lease
from server.storage.models import Site, Ticket, User

LIVE = "demo_live"
STEP_SECONDS = 10
ARRIVALS_PER_HOUR = 40
MOST_WAITING = 25  # no more walk-ins while this many wait: the demo stays readable
WALK_IN_SECONDS = 60  # from the call to coming into the room
# How many times faster than real time walks to the room and visits pass. At 1 a visit
# lasts its typical minutes; a demo shown in a meeting may want a morning in minutes.
SPEED = 1.0


def set_live(site_slug: str, username: str | None) -> None:
    """Mark the site as live in `username`'s name, or (None) stop playing it."""
    site = queries.get_site(site_slug)
    settings = {k: v for k, v in (site.settings or {}).items() if k != LIVE}
    if username is not None:
        settings[LIVE] = {"actor": username}
    site.settings = settings
    db.session.commit()


def live_sites() -> list[tuple[str, str]]:
    """(site, the account the moves are made in) of every live site."""
    return [
        (slug, str(settings[LIVE]["actor"]))
        for slug, settings in db.session.execute(select(Site.slug, Site.settings))
        if isinstance((settings or {}).get(LIVE), dict)
    ]


def play(
    site_slug: str,
    username: str,
    seconds: float,
    rng: random.Random,
    *,
    arrivals_per_hour: float = ARRIVALS_PER_HOUR,
    speed: float = SPEED,
) -> list[str]:
    """One step of `seconds`: who walked in, who was called, came in, was seen, with
    walks and visits `speed` times faster than real time. Returns what happened, e.g.
    ["check_in", "call", "start", "complete"] (for the log)."""
    actor = db.session.scalar(select(User.id).where(User.username == username))
    db.session.rollback()
    if actor is None:
        return []
    done: list[str] = []
    now = clock.now()
    site = queries.get_site(site_slug)
    services = [s for s in site.services if s.active]
    today = site.days.day_of(now)
    mine = list(
        db.session.scalars(
            select(Ticket).where(
                Ticket.site_id == site.id,
                Ticket.day == today,
                Ticket.status.in_(
                    [TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.IN_SERVICE]
                ),
            )
        )
    )
    waiting = sum(t.status == TicketStatus.WAITING for t in mine)
    typical = {s.id: float(s.typical_minutes or 10) for s in services}
    moves: list[tuple[str, Callable[[], Any]]] = []
    for ticket in mine:
        moves.extend(_next_step(ticket, now, typical, site_slug, actor, speed=speed))
    busy = {t.room_id for t in mine if t.status != TicketStatus.WAITING}
    rooms = [r.code for r in site.rooms if r.id not in busy and not r.paused]
    arrivals = (
        _arrivals(rng, seconds, arrivals_per_hour) if waiting < MOST_WAITING and services else 0
    )
    prefixes = [s.prefix for s in rng.choices(services, k=arrivals)] if arrivals else []
    for prefix in prefixes:
        moves.append(("check_in", partial(checkin.check_in_walk_in, site_slug, prefix)))
    for room in rooms:
        moves.append(("call", partial(tickets.call_next, site_slug, room, actor_id=actor)))
    db.session.rollback()  # the reads end here: each move is a change of its own
    for name, move in moves:
        _try(move, name, done)
    return done


def _next_step(
    ticket: Ticket,
    now: datetime,
    typical: dict[int, float],
    site_slug: str,
    actor: int,
    *,
    speed: float,
) -> list[tuple[str, Callable[[], Any]]]:
    """A called patient comes in after WALK_IN_SECONDS; a visit ends after its length
    (both divided by `speed`)."""
    started, called = ticket.started_at, ticket.called_at
    if ticket.status == TicketStatus.IN_SERVICE and started is not None:
        if now < started + _length(ticket.id, typical.get(ticket.service_id, 10)) / speed:
            return []
        return [("complete", partial(tickets.complete, site_slug, ticket.id, actor_id=actor))]
    if ticket.status != TicketStatus.CALLED or called is None:
        return []
    if now < called + timedelta(seconds=WALK_IN_SECONDS / speed):
        return []
    return [("start", partial(tickets.start_service, site_slug, ticket.id, actor_id=actor))]


def _try(move: Callable[[], Any], name: str, done: list[str]) -> None:
    """One move in its turn; a refusal (nobody waiting, the room paused meanwhile) is
    not an error of the demo."""
    try:
        with write_turn():
            move()
        done.append(name)
    except DomainError:
        db.session.rollback()


def _length(ticket_id: int, typical: float) -> timedelta:
    """The visit's length, the same at every step: typical, from 0.6 to 1.5 times."""
    spread = (zlib.crc32(str(ticket_id).encode()) % 1000) / 1000
    return timedelta(minutes=typical * (0.6 + 0.9 * spread))


def _arrivals(rng: random.Random, seconds: float, per_hour: float) -> int:
    """Walk-ins in `seconds` at `per_hour` (at most one a step)."""
    return int(rng.random() < per_hour * seconds / 3600)


def play_forever(
    app: Flask,
    lease: Lease,
    sleep: Callable[[float], None],
    seconds: float = STEP_SECONDS,
    *,
    arrivals_per_hour: float = ARRIVALS_PER_HOUR,
    speed: float = SPEED,
) -> None:
    """The server's loop: every `seconds`, one step of each live site."""
    rng = random.Random()  # noqa: S311 - made-up arrivals, not secrets
    while True:
        sleep(seconds)
        with app.app_context():
            try:
                if lease.hold():
                    for slug, username in live_sites():
                        play(
                            slug,
                            username,
                            seconds,
                            rng,
                            arrivals_per_hour=arrivals_per_hour,
                            speed=speed,
                        )
            except Exception:  # the demo must outlive any one bad step
                app.logger.exception("demo live step failed")
            finally:
                db.session.remove()
