"""Reads that more than one service needs. Each runs in the caller's transaction."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from server.domain.errors import NotFound
from server.domain.queue import OPEN_STATUSES, TicketStatus
from server.extensions import db
from server.storage.models import CallEvent, DelayNotice, Room, Service, Site, Ticket


def get_site(slug: str, *, lock: bool = False) -> Site:
    """The site, optionally locked for a change.

    Every change to a site's queue locks its row first (SELECT ... FOR UPDATE on
    PostgreSQL; BEGIN IMMEDIATE already serialises SQLite). Changes to one site then
    happen one at a time, which is what makes two simultaneous "call next" presses
    pick two different patients, and keeps the site's sequence number gap-free.
    """
    # Rooms, their services, and the site's services in three more queries rather than
    # one per room: every change and snapshot goes through them.
    query = (
        select(Site)
        .where(Site.slug == slug)
        .options(selectinload(Site.rooms).selectinload(Room.services), selectinload(Site.services))
    )
    if lock:
        # populate_existing: a site read earlier in this transaction (staff_for reads it
        # to check the user) would otherwise keep the values it had then, and on
        # PostgreSQL another process may have moved its `seq` on since; the kept lines
        # (services/lines.py) and the gap-free sequence trust the locked read.
        query = query.with_for_update().execution_options(populate_existing=True)
    site = db.session.execute(query).scalar_one_or_none()
    if site is None:
        raise NotFound(f"There is no site called {slug!r}.", code="unknown_site")
    return site


def get_service(site: Site, prefix_or_code: str) -> Service:
    for service in site.services:
        if service.active and prefix_or_code in (service.prefix, service.code):
            return service
    raise NotFound(f"There is no open service {prefix_or_code!r} here.", code="unknown_service")


def get_room(site: Site, code: str) -> Room:
    for room in site.rooms:
        if room.active and room.code == code:
            return room
    raise NotFound(f"There is no room {code!r} here.", code="unknown_room")


def get_ticket(site: Site, ticket_id: int) -> Ticket:
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or ticket.site_id != site.id:
        raise NotFound(f"There is no ticket {ticket_id} here.", code="unknown_ticket")
    return ticket


def ticket_by_digest(digest: str) -> Ticket | None:
    return db.session.execute(
        select(Ticket).where(Ticket.token_digest == digest)
    ).scalar_one_or_none()


def last_number(site_id: int, prefix: str, day: date) -> int | None:
    return db.session.execute(
        select(func.max(Ticket.number)).where(
            Ticket.site_id == site_id, Ticket.number_prefix == prefix, Ticket.day == day
        )
    ).scalar_one()


def numbers_held(site_id: int, prefix: str, days: tuple[date, date]) -> set[int]:
    """The numbers of a prefix held by open tickets of the line's days, `day` excluded:
    on a site that never cuts its line, yesterday's patients still in line keep theirs."""
    first, day = days
    if first == day:
        return set()
    rows = db.session.scalars(
        select(Ticket.number).where(
            Ticket.site_id == site_id,
            Ticket.number_prefix == prefix,
            Ticket.day >= first,
            Ticket.day < day,
            Ticket.status.in_(list(OPEN_STATUSES)),
        )
    )
    return set(rows)


def tickets_in(
    site_id: int,
    days: tuple[date, date],
    statuses: Collection[TicketStatus],
    service_ids: Collection[int] | None = None,
    *,
    with_contacts: bool = False,
) -> Sequence[Ticket]:
    """The site's tickets of the site's days `days` (first, last) in the given states
    (`with_contacts`: and their contacts, in one more query, for the desk's whole view).

    Only the days of the line now (Site.days.line_days): a ticket left waiting when the
    clinic closed belongs to that day's queue, not today's, and is never called tomorrow.
    """
    # No eager loading of service and room: a change has its site's services and rooms
    # loaded already, and a many-to-one lazy load finds them in the session without a
    # query (with a thousand waiting, the two extra queries were a fifth of a change).
    query = select(Ticket).where(
        Ticket.site_id == site_id, Ticket.day.between(*days), Ticket.status.in_(list(statuses))
    )
    if service_ids is not None:
        query = query.where(Ticket.service_id.in_(list(service_ids)))
    if with_contacts:
        query = query.options(selectinload(Ticket.contacts))
    return db.session.execute(query).scalars().all()


def recent_calls(site_id: int, day: date, limit: int) -> Sequence[CallEvent]:
    """Today's calls, newest first; a recall is a call of its own."""
    return (
        db.session.execute(
            select(CallEvent)
            .where(CallEvent.site_id == site_id, CallEvent.day == day)
            .order_by(CallEvent.at.desc(), CallEvent.id.desc())
            .limit(limit)
            .options(selectinload(CallEvent.ticket), selectinload(CallEvent.room))
        )
        .scalars()
        .all()
    )


def active_notices(site_id: int) -> Sequence[DelayNotice]:
    return (
        db.session.execute(
            select(DelayNotice)
            .where(DelayNotice.site_id == site_id, DelayNotice.cleared_at.is_(None))
            .order_by(DelayNotice.posted_at)
        )
        .scalars()
        .all()
    )


def room_occupants(room: Room, days: tuple[date, date]) -> Sequence[Ticket]:
    """The tickets of the line's days called to a room or in service there, first called first.

    One at most, from the day the rule was kept (queue.make_room_for_call); a room may
    hold several from before it.
    """
    query = (
        select(Ticket)
        .where(
            Ticket.site_id == room.site_id,
            Ticket.day.between(*days),
            Ticket.status.in_([TicketStatus.CALLED, TicketStatus.IN_SERVICE]),
            Ticket.room_id == room.id,
        )
        .order_by(Ticket.called_at, Ticket.id)
    )
    return db.session.execute(query).scalars().all()
