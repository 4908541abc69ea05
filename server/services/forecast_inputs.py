"""What the forecast is made from, read from the database: the site's queue now as the
domain's snapshot, and its last days as the history the domain learns its pace from."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from server.domain import remote
from server.domain.estimate import (
    Coming,
    ExpectedAppointment,
    Occupant,
    PostedDelay,
    QueueSnapshot,
    RoomState,
    WaitingTicket,
)
from server.domain.history import History, PastAppointment, PastVisit, walk_in_rate
from server.domain.queue import TicketStatus
from server.domain.schedule import MIDNIGHT, OpeningHours, closed_spans, local_to_utc, site_day
from server.extensions import db
from server.services.lines import HeldPromise, Waiter
from server.sites.settings import SiteSettings
from server.storage import queries
from server.storage.models import Appointment, AuditEntry, DelayNotice, Room, Site, Ticket

HISTORY_DAYS = 14


def build_snapshot(
    site: Site,
    now: datetime,
    waiting: Sequence[Waiter],
    promises: Mapping[int, HeldPromise] | None = None,
) -> QueueSnapshot:
    """The site's queue now. `promises` (the lines' kept promises) give a remote ticket
    not here yet its time to set off, and so when it is expected (`_coming`)."""
    line_days = site.days.line_days(site.days.day_of(now))
    today = site_day(now, site.zone)  # the calendar's: opening hours and bookings go by it
    settings = SiteSettings.of(site)
    sessions = settings.hours.spans(today - timedelta(days=1), today, site.zone)
    opened = max((a for a, _ in sessions if a <= now), default=None)
    upcoming = [(a, b) for a, b in sessions if b > now]
    closures = [(now, upcoming[0][0])] if upcoming and now < upcoming[0][0] else []
    closures += [(b, a) for (_, b), (a, _) in itertools.pairwise(upcoming)]
    busy = queries.tickets_in(site.id, line_days, [TicketStatus.CALLED, TicketStatus.IN_SERVICE])
    occupants: dict[int, Occupant] = {}
    for t in busy:
        if t.room_id is not None and t.called_at is not None:
            occupants[t.room_id] = Occupant(
                str(t.service_id), t.called_at, t.started_at, t.arrived_at
            )
    own_hours = {
        room.id: _room_hours(site, settings, room, today, now)
        for room in site.rooms
        if room.active and room.hours is not None
    }
    last_free = _last_free(site, line_days, {r: h.opened for r, h in own_hours.items()}, opened)
    paused_since = _paused_since(site, now)
    rooms = tuple(
        RoomState(
            code=room.code,
            services=tuple(str(s.id) for s in room.services if s.active),
            paused=room.paused,
            paused_since=paused_since.get(room.code) if room.paused else None,
            occupant=occupants.get(room.id),
            free_since=last_free.get(room.id),
            closures=own_hours[room.id].closures if room.id in own_hours else (),
            session_opened_at=own_hours[room.id].opened if room.id in own_hours else None,
        )
        for room in site.rooms
        if room.active
    )
    return QueueSnapshot(
        now=now,
        waiting=tuple(
            WaitingTicket(
                t.id,
                str(t.service_id),
                t.queue_at,
                t.arrived_at,
                t.priority,
                t.appointment_at,
                _coming(t, (promises or {}).get(t.id), now, settings.remote),
            )
            for t in waiting
        ),
        rooms=rooms,
        delays=tuple(_posted(n) for n in queries.active_notices(site.id)),
        appointments=tuple(
            ExpectedAppointment(str(a.service_id), a.starts_at)
            for a in db.session.scalars(
                select(Appointment).where(
                    Appointment.site_id == site.id,
                    Appointment.day == today,
                    Appointment.ticket_id.is_(None),
                )
            )
        ),
        closures=tuple(closures),
        session_opened_at=opened,
        on_time_grace_minutes=settings.on_time_grace_minutes,
        remote_grace_minutes=settings.remote.grace.total_seconds() / 60,
        remote_move_back=settings.remote.move_back_places,
    )


def _coming(
    ticket: Waiter, promise: HeldPromise | None, now: datetime, rules: remote.RemoteRules
) -> Coming | None:
    """A remote ticket not here yet, as the forecast sees it: expected its travel time
    after it was told to leave; not told yet, after the time to set off its page shows
    (the low end of its promise: payloads.leave_time); with no estimate yet, after it
    joined. None for a ticket here."""
    if ticket.here:
        return None
    travel = timedelta(minutes=ticket.travel_minutes or 0)
    leave_at = ticket.leave_told_at
    if leave_at is None and promise is not None and _promised_for(promise, ticket):
        low = max(0, round((promise.earliest_at - now).total_seconds() / 60))
        leave_at = remote.leave_by(now, low, travel, rules.leave_margin)
    expected = remote.expected_arrival(ticket.arrived_at, travel, leave_at)
    return Coming(expected, float(ticket.travel_minutes or 0), ticket.held_at)


def _promised_for(promise: HeldPromise, ticket: Waiter) -> bool:
    """Whether the promise was made for the wait the ticket is in (promises.current)."""
    return (promise.service_id, promise.queue_at) == (ticket.service_id, ticket.queue_at)


@dataclass(frozen=True)
class _RoomHours:
    closures: tuple[tuple[datetime, datetime], ...]  # the site open, the room not, from now
    opened: datetime | None  # the start of the room's current or last session


def _room_hours(
    site: Site, settings: SiteSettings, room: Room, today: date, now: datetime
) -> _RoomHours:
    """A room's own sessions around now: when it is shut while the site is open (its
    lunch, a late start, an early finish), and when its session began."""
    first, last = today - timedelta(days=1), today + timedelta(days=1)
    own = OpeningHours.of(room.hours or {}, settings.hours.closures).spans(first, last, site.zone)
    if settings.hours.intervals:
        site_open = settings.hours.spans(first, last, site.zone)
    else:  # a site that gives no hours is open at all times, but for its closures
        always = OpeningHours.always(settings.hours.closures)
        site_open = always.spans(first, last, site.zone)
    shut = [(a, b) for a, b in closed_spans(own, site_open) if b > now]
    return _RoomHours(tuple(shut), max((a for a, _ in own if a <= now), default=None))


def _last_free(
    site: Site,
    line_days: tuple[date, date],
    room_opened: dict[int, datetime | None],
    site_opened: datetime | None,
) -> dict[int, datetime]:
    """When each room last finished a patient in its current session (a room with none
    is starting its session: late, if patients wait)."""
    finished = db.session.execute(
        select(Ticket.room_id, Ticket.finished_at).where(
            Ticket.site_id == site.id,
            Ticket.day.between(*line_days),
            Ticket.status.in_([TicketStatus.DONE, TicketStatus.NO_SHOW]),
            Ticket.room_id.is_not(None),
        )
    ).all()
    last_free: dict[int, datetime] = {}
    for room_id, at in finished:
        if room_id is None or at is None:
            continue
        opened = room_opened.get(room_id, site_opened)
        if opened is None or at >= opened:
            last_free[room_id] = max(at, last_free.get(room_id, at))
    return last_free


def _posted(notice: DelayNotice) -> PostedDelay:
    target = None
    if notice.scope == "service" and notice.service_id is not None:
        target = str(notice.service_id)
    elif notice.scope == "room" and notice.room is not None:
        target = notice.room.code
    return PostedDelay(notice.scope, target, notice.posted_at, notice.expected_minutes)


def _paused_since(site: Site, now: datetime) -> dict[str, datetime]:
    """When each room was last paused, from the audit log."""
    entries = db.session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.site_id == site.id,
            AuditEntry.action == "pause_room",
            AuditEntry.at >= now - timedelta(days=1),
        )
        .order_by(AuditEntry.at)
    )
    return {str(e.detail.get("room")): e.at for e in entries}


def site_history(site: Site, now: datetime) -> History:
    """The site's last HISTORY_DAYS days as the plain records the domain learns from."""
    today = site.days.day_of(now)
    first = today - timedelta(days=HISTORY_DAYS)
    tickets = db.session.scalars(
        select(Ticket).where(Ticket.site_id == site.id, Ticket.day >= first, Ticket.day <= today)
    ).all()
    settings = SiteSettings.of(site)
    # Calendar days: a site's day may start after midnight, its hours go by the calendar.
    last = site_day(now, site.zone)
    session_starts = [
        opens for opens, _ in settings.hours.spans(first, last, site.zone) if opens <= now
    ]
    room_sessions = {
        str(room.id): [
            (a, b)
            for a, b in OpeningHours.of(room.hours, settings.hours.closures).spans(
                first, last, site.zone
            )
            if a <= now
        ]
        for room in site.rooms
        if room.hours is not None
    }
    visits = [
        PastVisit(
            service=str(t.service_id),
            room=str(t.room_id) if t.room_id is not None else None,
            arrived_at=t.arrived_at,
            called_at=t.called_at,
            started_at=t.started_at,
            finished_at=t.finished_at,
            no_show=t.status == TicketStatus.NO_SHOW,
        )
        for t in tickets
    ]
    return History(
        typical_minutes={str(s.id): s.typical_minutes for s in site.services if s.active},
        visits=visits,
        session_starts=session_starts,
        room_sessions=room_sessions,
        pause_minutes=_pause_lengths(site, first, now),
        appointments=_past_appointments(site, first, today),
        walk_ins_per_hour=_walk_in_rates(site, tickets, today, now),
    )


def _pause_lengths(site: Site, first: date, now: datetime) -> list[float]:
    start = local_to_utc(first, MIDNIGHT, site.zone)
    entries = db.session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.site_id == site.id,
            AuditEntry.action.in_(["pause_room", "resume_room"]),
            AuditEntry.at >= start,
            AuditEntry.at <= now,
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    paused: dict[str, datetime] = {}
    lengths = []
    for entry in entries:
        room = str(entry.detail.get("room"))
        if entry.action == "pause_room":
            paused[room] = entry.at
        elif room in paused:
            lengths.append((entry.at - paused.pop(room)).total_seconds() / 60)
    return lengths


def _past_appointments(site: Site, first: date, today: date) -> list[PastAppointment]:
    rows = db.session.execute(
        select(Appointment.starts_at, Ticket.arrived_at)
        .outerjoin(Ticket, Appointment.ticket_id == Ticket.id)
        .where(Appointment.site_id == site.id, Appointment.day >= first, Appointment.day < today)
    ).all()
    return [PastAppointment(starts_at, arrived_at) for starts_at, arrived_at in rows]


def _walk_in_rates(
    site: Site, tickets: Sequence[Ticket], today: date, now: datetime
) -> dict[str, float]:
    """Walk-ins per hour now: the last hour today, steadied by the same hour of past days."""
    hour = timedelta(hours=1)
    recent: dict[str, int] = defaultdict(int)
    earlier: dict[str, int] = defaultdict(int)
    past_days = {t.day for t in tickets if t.day < today}
    for t in tickets:
        if t.appointment_at is not None:
            continue
        back = timedelta(days=(today - t.day).days)
        if now - hour - back <= t.arrived_at < now - back:
            (recent if t.day == today else earlier)[str(t.service_id)] += 1
    return {
        str(s.id): walk_in_rate(recent[str(s.id)], 60.0, earlier[str(s.id)], len(past_days))
        for s in site.services
        if s.active
    }
