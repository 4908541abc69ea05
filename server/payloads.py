"""What each audience is shown: plain dicts built from rows, one builder per audience.

The three audiences see different things on purpose (docs/architecture.md, "Rooms and privacy"):
- display: ticket numbers, rooms, counts, waits and notices; nothing about a person;
- phone: that one ticket, without a name;
- staff: everything, including the patient's name when one is known.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

from server.domain import remote
from server.domain.estimate import Estimate, naive_wait
from server.domain.notify import PUSH, SMS, last_digits
from server.domain.queue import OPEN_STATUSES, TicketStatus, in_call_order
from server.sites.settings import SiteSettings
from server.storage import queries
from server.storage.models import CallEvent, DelayNotice, Device, Room, Service, Site, Ticket
from server.wayfinding import hints as wayfinding_hints

if TYPE_CHECKING:
    from server.realtime.presence import DevicePresence

RECENT_CALLS_SHOWN = 9  # up to 3 calls side by side, and the 6 before them
ACTIVE = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.IN_SERVICE)


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


class Waiting(Protocol):
    """A ticket as a queue view places it: a Ticket, or a waiting one as plain data
    (services/lines.py)."""

    @property
    def id(self) -> int: ...
    @property
    def service_id(self) -> int: ...
    @property
    def status(self) -> TicketStatus: ...


@dataclass
class QueueView:
    """The site's waiting lines, computed once per change and shared by every payload."""

    site: Site
    now: datetime
    order: dict[int, list[Waiting]]  # service id -> waiting tickets in call order
    open_rooms: dict[int, int]  # service id -> rooms open for it
    positions: dict[int, int] = field(default_factory=dict)  # ticket id -> place in line
    # Filled by services.estimates; without it (estimated False) the naive rule is used.
    estimated: bool = False
    estimates: dict[int, Estimate] = field(default_factory=dict)  # ticket id -> shown
    service_waits: dict[int, Estimate] = field(default_factory=dict)  # for one arriving now
    delays: dict[int, dict[str, Any]] = field(default_factory=dict)  # ticket id -> notice

    def __post_init__(self) -> None:
        if not self.positions:
            for line in self.order.values():
                self.positions.update((t.id, i + 1) for i, t in enumerate(line))

    @classmethod
    def of(
        cls,
        site: Site,
        now: datetime,
        order: Mapping[int, Sequence[Waiting]],
        positions: Mapping[int, int] | None = None,
    ) -> QueueView:
        """The view of lines already in call order (services/lines.py reads them)."""
        open_rooms: dict[int, int] = defaultdict(int)
        for room in site.rooms:
            if room.active and not room.paused:
                for service in room.services:
                    open_rooms[service.id] += 1
        lines = {sid: list(line) for sid, line in order.items()}
        return cls(site, now, lines, open_rooms, dict(positions or {}))

    def position(self, ticket: Waiting) -> int | None:
        """1 for the next to be called; None unless waiting."""
        if ticket.status != TicketStatus.WAITING:
            return None
        return self.positions.get(ticket.id)

    def estimate(self, ticket: Waiting) -> Estimate | None:
        position = self.position(ticket)
        if position is None:
            return None
        if self.estimated:
            return self.estimates.get(ticket.id)
        return self.naive_wait(ticket.service_id, position - 1)

    def naive_wait(self, service_id: int, ahead: int) -> Estimate:
        """The rule of thumb, for a ticket with `ahead` patients before it."""
        return naive_wait(ahead, self._typical_minutes[service_id], self.open_rooms[service_id])

    @cached_property
    def notices(self) -> Sequence[DelayNotice]:
        """The site's active delay notices, read once per view: a delay sentence names
        the reasons of those that concern its ticket (services/promises.py)."""
        return queries.active_notices(self.site.id)

    @cached_property
    def _typical_minutes(self) -> dict[int, float]:
        # A lookup per placed ticket, a thousand per change: by id, not a scan.
        return {s.id: s.typical_minutes for s in self.site.services}

    def service_wait(self, service: Service) -> Estimate:
        """The wait of a patient who would join the service's line now."""
        wait = self.service_waits.get(service.id)
        if wait is not None:
            return wait
        return naive_wait(
            self.waiting_count(service), service.typical_minutes, self.open_rooms[service.id]
        )

    def waiting_count(self, service: Service) -> int:
        return len(self.order.get(service.id, []))


# --- Pieces -----------------------------------------------------------------------


def service_brief(service: Service) -> dict[str, Any]:
    return {"code": service.code, "prefix": service.prefix, "names": service.names}


def room_brief(room: Room | None) -> dict[str, Any] | None:
    if room is None:
        return None
    return {"code": room.code, "names": room.names}


def notice_view(notice: DelayNotice) -> dict[str, Any]:
    return {
        "id": notice.id,
        "scope": notice.scope,
        "service": notice.service.prefix if notice.service else None,
        "room": notice.room.code if notice.room else None,
        # The reason picked from the site's list, its words in each of the site's
        # languages ({} when none was picked), and the note as staff typed it.
        "reason_code": notice.reason_code,
        "reasons": dict(notice.reason_names or {}),
        "note": notice.note,
        # Both in one line, for clients written before the list (the site's first language).
        "reason": notice.reason,
        "expected_minutes": notice.expected_minutes,
        "posted_at": iso(notice.posted_at),
    }


def notice_concerns(notice: DelayNotice, ticket: Ticket | Any) -> bool:
    if notice.scope == "site":
        return True
    if notice.scope == "service":
        return notice.service_id == ticket.service_id
    room = notice.room
    if ticket.room_id is not None:
        return notice.room_id == ticket.room_id
    return room is not None and any(s.id == ticket.service_id for s in room.services)


def call_view(call: CallEvent, hints: Mapping[str, str] | None = None) -> dict[str, Any]:
    number = call.ticket.ticket_number
    return {
        "id": call.id,
        "number": str(number),
        "spoken": number.spoken(),
        # The ticket's service (its prefix), so a display for some services only can
        # tell which calls are for its waiting area; a transferred ticket keeps its number.
        "service": call.ticket.service.prefix,
        "room": room_brief(call.room),
        "at": iso(call.at),
        "recall": call.recall,
        # Where the room is, one line per language of the site ("Room 3, Level 1, take
        # the elevator"), from server/wayfinding/hints.py: rooms and floors only.
        "hints": dict(hints or {}),
    }


# --- Display ----------------------------------------------------------------------


def display_state(view: QueueView, notices: Sequence[DelayNotice]) -> dict[str, Any]:
    """Display-safe: numbers, rooms, counts, waits and notices only."""
    site = view.site
    day = site.days.day_of(view.now)
    services = []
    for service in site.services:
        if not service.active:
            continue
        waiting = view.waiting_count(service)
        wait = view.service_wait(service)
        services.append(
            {**service_brief(service), "waiting": waiting, "typical_wait": wait.central}
        )
    calls = queries.recent_calls(site.id, day, RECENT_CALLS_SHOWN)
    where = [(c.room.code, c.ticket.service.prefix) for c in calls]
    hints = wayfinding_hints.call_hints(
        wayfinding_hints.map_of(site.settings), site.languages, where
    )
    return {
        "site": {"slug": site.slug, "name": site.name, "languages": site.languages},
        "services": services,
        "calls": [call_view(c, hints.get(key)) for c, key in zip(calls, where, strict=True)],
        "notices": [notice_view(n) for n in notices],
    }


# --- Phone ------------------------------------------------------------------------


def ticket_view(ticket: Ticket, view: QueueView, notices: Sequence[DelayNotice]) -> dict[str, Any]:
    """What the patient's phone shows: their own ticket, with no name."""
    number = ticket.ticket_number
    estimate = view.estimate(ticket)
    return {
        "number": str(number),
        "spoken": number.spoken(),
        "status": str(ticket.status),
        "service": service_brief(ticket.service),
        "position": view.position(ticket),
        "estimate": estimate.as_dict() if estimate else None,
        "room": room_brief(ticket.room) if ticket.status in ACTIVE else None,
        "language": ticket.language,
        # The way to the room is shown without stairs or escalators (asked at check-in).
        "step_free": ticket.step_free,
        "arrived_at": iso(ticket.arrived_at),
        "called_at": iso(ticket.called_at),
        "notices": [notice_view(n) for n in notices if notice_concerns(n, ticket)],
        # The patient's own delay notice: {reason_code, message (their language), at}.
        "delay": view.delays.get(ticket.id) if ticket.status == TicketStatus.WAITING else None,
        "site": {"slug": view.site.slug, "name": view.site.name},
        # Whether the patient asked for texts (never the number).
        "texts": any(c.channel == SMS for c in ticket.contacts),
        # Whether a phone asked for notifications (never the subscription).
        "push": any(c.channel == PUSH for c in ticket.contacts),
        # A remote ticket: when to leave, or to come now, or that it is here.
        "remote": remote_view(ticket, estimate, view.now),
    }


# What the kiosk's "I joined online" shows of the ticket it marked arrived: its slip
# (number, service, place, wait), nothing more. Whoever stands at the kiosk typed the
# number; its language, step-free choice, texts and notices stay on the patient's page.
KIOSK_ARRIVAL_KEYS = ("number", "spoken", "status", "service", "position", "estimate")


def kiosk_arrival_view(phone_view: Mapping[str, Any]) -> dict[str, Any]:
    return {key: phone_view[key] for key in KIOSK_ARRIVAL_KEYS}


def remote_view(ticket: Ticket, estimate: Estimate | None, now: datetime) -> dict[str, Any] | None:
    """What a remote ticket's page and the desk say about its coming in (domain/remote.py)."""
    if not ticket.remote:
        return None
    travel = timedelta(minutes=ticket.travel_minutes or 0)
    waiting = ticket.status == TicketStatus.WAITING
    leave_at = leave_time(ticket, estimate, now)
    held = ticket.held_at is not None and not ticket.here
    return {
        "here": ticket.here,
        "held": held,
        "advice": remote.advice(now, here=ticket.here or not waiting, held=held, leave_at=leave_at),
        "leave_by": iso(leave_at),
        # The time to leave as the clinic's clock says it, "10:40".
        "leave_by_local": leave_at.astimezone(ticket.site.zone).strftime("%H:%M")
        if leave_at
        else None,
        "travel_minutes": ticket.travel_minutes,
        # When this was worked out: the page counts down to leave_by from it, not from
        # its own clock.
        "at": iso(now),
        "expected_at": iso(remote.expected_arrival(ticket.arrived_at, travel, leave_at)),
    }


def leave_time(ticket: Ticket, estimate: Estimate | None, now: datetime) -> datetime | None:
    """When a waiting remote ticket's patient is to set off (domain/remote.leave_by), as
    its page says "Leave by" and the estimate refresh tells it "leave now" (ticks.py)."""
    if estimate is None or ticket.status != TicketStatus.WAITING:
        return None
    rules = SiteSettings.of(ticket.site).remote
    travel = timedelta(minutes=ticket.travel_minutes or 0)
    return remote.leave_by(now, estimate.low, travel, rules.leave_margin)


def ticket_place(ticket: Waiting, view: QueueView) -> dict[str, Any]:
    """A waiting ticket's place and estimate, the part of its view a change behind or
    ahead of it moves (the phone keeps the rest from its last whole view)."""
    estimate = view.estimate(ticket)
    return {
        "position": view.position(ticket),
        "estimate": estimate.as_dict() if estimate else None,
        "delay": view.delays.get(ticket.id),
    }


# --- Staff ------------------------------------------------------------------------


def staff_ticket(ticket: Ticket, view: QueueView) -> dict[str, Any]:
    number = ticket.ticket_number
    estimate = view.estimate(ticket)
    return {
        "id": ticket.id,
        "number": str(number),
        "status": str(ticket.status),
        "service": service_brief(ticket.service),
        "priority": ticket.priority,
        "position": view.position(ticket),
        "estimate": estimate.as_dict() if estimate else None,
        "patient_name": ticket.patient_name,
        "source": ticket.source,
        "language": ticket.language,
        "step_free": ticket.step_free,
        # Asked at check-in (staff only: see server/domain/needs.py).
        "interpreter": ticket.interpreter,
        "may_not_hear": ticket.may_not_hear,
        "may_not_see": ticket.may_not_see,
        "arrived_at": iso(ticket.arrived_at),
        "queue_at": iso(ticket.queue_at),
        "appointment_at": iso(ticket.appointment_at),
        "called_at": iso(ticket.called_at),
        "started_at": iso(ticket.started_at),
        "finished_at": iso(ticket.finished_at),
        "room": room_brief(ticket.room),
        "recalls": ticket.recalls,
        "texts": texts_view(ticket),
        # A remote ticket: "not here yet" with its expected arrival, or held.
        "remote": remote_view(ticket, estimate, view.now),
        "push": push_view(ticket),
    }


def texts_view(ticket: Ticket) -> dict[str, Any] | None:
    """What the desk sees of a ticket's texts (None: off): the number's last two digits,
    and how the last message went (sent, failed, or None before the first)."""
    contact = next((c for c in ticket.contacts if c.channel == SMS), None)
    if contact is None:
        return None
    return {"last_digits": last_digits(contact.address), "last": contact.last_outcome}


def push_view(ticket: Ticket) -> dict[str, Any] | None:
    """What the desk sees of a ticket's Web Push (None: off): how the last push went
    (sent, failed, or None before the first); never the subscription."""
    contact = next((c for c in ticket.contacts if c.channel == PUSH), None)
    return None if contact is None else {"last": contact.last_outcome}


def staff_place(ticket_id: int, place: dict[str, Any]) -> dict[str, Any]:
    """The desk's copy of a ticket_place: which ticket, its place and estimate (the
    same objects: a change places a thousand tickets and estimates each once)."""
    return {"id": ticket_id, "position": place["position"], "estimate": place["estimate"]}


def staff_room(room: Room) -> dict[str, Any]:
    return {
        **(room_brief(room) or {}),
        "paused": room.paused,
        "services": [s.prefix for s in room.services],
    }


def staff_snapshot(view: QueueView, notices: Sequence[DelayNotice]) -> dict[str, Any]:
    site = view.site
    days = site.days.line_days(site.days.day_of(view.now))
    tickets = queries.tickets_in(site.id, days, OPEN_STATUSES, with_contacts=True)
    waiting = [t for t in tickets if t.status == TicketStatus.WAITING]
    others = [t for t in tickets if t.status != TicketStatus.WAITING]
    return {
        "site": {"slug": site.slug, "name": site.name, "timezone": site.timezone},
        "services": [
            {**service_brief(s), "typical_minutes": s.typical_minutes}
            for s in site.services
            if s.active
        ],
        "rooms": [staff_room(r) for r in site.rooms if r.active],
        "tickets": [staff_ticket(t, view) for t in in_call_order(waiting) + others],
        "notices": [notice_view(n) for n in notices],
    }


def device_list(
    devices: Iterable[Device], present: Sequence[DevicePresence]
) -> list[dict[str, Any]]:
    """The site's kiosks and displays, connected or not, then any unnamed device online.

    A named device that is not connected is listed too: that is how staff notice a
    dead screen. A socket whose code is not in the site file is listed without a name.
    Sockets say only their code, so a kiosk and a display sharing one code (the site
    file allows it) are both shown connected when either is.
    """
    online = {p.device: p for p in present}
    named = sorted((d for d in devices if d.active), key=lambda d: (d.kind, d.name))
    listed = [_device_entry(d.kind, d.code, d.name, online) for d in named]
    codes = {d.code for d in named}
    unnamed = [p.device for p in present if p.device not in codes]
    return listed + [_device_entry(None, code, None, online) for code in unnamed]


def _device_entry(
    kind: str | None, code: str | None, name: str | None, online: dict[str | None, DevicePresence]
) -> dict[str, Any]:
    here = online.get(code)
    return {
        "kind": kind,
        "code": code,
        "name": name,
        "connected": here is not None,
        "since": iso(here.since) if here else None,
        "sockets": here.sockets if here else 0,
    }
