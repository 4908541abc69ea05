"""What the forecast is made from, read from the database: the site's queue now as the
domain's snapshot, and its last days as the history the domain learns its pace from."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from server.domain.estimate import (
    ExpectedAppointment,
    Occupant,
    PostedDelay,
    QueueSnapshot,
    RoomState,
    WaitingTicket,
)
from server.domain.history import History, PastAppointment, PastVisit, walk_in_rate
from server.domain.queue import TicketStatus
from server.domain.schedule import WEEKDAYS, local_to_utc, site_day
from server.extensions import db
from server.services.lines import Waiter
from server.sites.settings import SiteSettings
from server.storage import queries
from server.storage.models import Appointment, AuditEntry, DelayNotice, Site, Ticket

HISTORY_DAYS = 14


def build_snapshot(site: Site, now: datetime, waiting: Sequence[Waiter]) -> QueueSnapshot:
    today = site_day(now, site.zone)
    settings = SiteSettings.of(site)
    sessions = _sessions(site, settings, today)
    opened = max((a for a, _ in sessions if a <= now), default=None)
    closures = [(now, sessions[0][0])] if sessions and now < sessions[0][0] else []
    closures += [(b, a) for (_, b), (a, _) in itertools.pairwise(sessions) if a > now]
    busy = queries.tickets_in(site.id, today, [TicketStatus.CALLED, TicketStatus.IN_SERVICE])
    occupants: dict[int, Occupant] = {}
    for t in busy:
        if t.room_id is not None and t.called_at is not None:
            occupants[t.room_id] = Occupant(str(t.service_id), t.called_at, t.started_at)
    finished = db.session.execute(
        select(Ticket.room_id, Ticket.finished_at).where(
            Ticket.site_id == site.id,
            Ticket.day == today,
            Ticket.status.in_([TicketStatus.DONE, TicketStatus.NO_SHOW]),
            Ticket.room_id.is_not(None),
        )
    ).all()
    last_free: dict[int, datetime] = {}
    for room_id, at in finished:
        if room_id is not None and at is not None and (opened is None or at >= opened):
            last_free[room_id] = max(at, last_free.get(room_id, at))
    paused_since = _paused_since(site, now)
    rooms = tuple(
        RoomState(
            code=room.code,
            services=tuple(str(s.id) for s in room.services if s.active),
            paused=room.paused,
            paused_since=paused_since.get(room.code) if room.paused else None,
            occupant=occupants.get(room.id),
            free_since=last_free.get(room.id),
        )
        for room in site.rooms
        if room.active
    )
    return QueueSnapshot(
        now=now,
        waiting=tuple(
            WaitingTicket(
                t.id, str(t.service_id), t.queue_at, t.arrived_at, t.priority, t.appointment_at
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
    )


def _posted(notice: DelayNotice) -> PostedDelay:
    target = None
    if notice.scope == "service" and notice.service_id is not None:
        target = str(notice.service_id)
    elif notice.scope == "room" and notice.room is not None:
        target = notice.room.code
    return PostedDelay(notice.scope, target, notice.posted_at, notice.expected_minutes)


def _sessions(site: Site, settings: SiteSettings, day: date) -> list[tuple[datetime, datetime]]:
    """The site's opening intervals on `day`, in UTC; none if it gives no hours."""
    spans = settings.hours.intervals.get(WEEKDAYS[day.weekday()], ())
    found = []
    for start, end in spans:
        opens = local_to_utc(day, start, site.zone)
        closes = (
            local_to_utc(day + timedelta(days=1), time(0), site.zone)
            if end == time(0)
            else local_to_utc(day, end, site.zone)
        )
        found.append((opens, closes))
    return sorted(found)


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
    today = site_day(now, site.zone)
    first = today - timedelta(days=HISTORY_DAYS)
    tickets = db.session.scalars(
        select(Ticket).where(Ticket.site_id == site.id, Ticket.day >= first, Ticket.day <= today)
    ).all()
    settings = SiteSettings.of(site)
    session_starts = [
        opens
        for n in range(HISTORY_DAYS + 1)
        for opens, _ in _sessions(site, settings, first + timedelta(days=n))
        if opens <= now
    ]
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
        pause_minutes=_pause_lengths(site, first, now),
        appointments=_past_appointments(site, first, today),
        walk_ins_per_hour=_walk_in_rates(site, tickets, today, now),
    )


def _pause_lengths(site: Site, first: date, now: datetime) -> list[float]:
    start = local_to_utc(first, time(0), site.zone)
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
