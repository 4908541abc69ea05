"""Each site's waiting lines, and the promises their patients hold, kept between changes.

Reading a thousand waiting tickets and their promises through the ORM cost a change
more than all the rest of it: at 1,000 waiting, 45 of a check-in's 55 ms. But every
change to a site's queue happens under the site's lock and moves its sequence number
(queue_update.py), so the lines the last change of this process left behind are still the
lines while the site's `seq`, read in the current transaction, is the one that change
committed. A change then starts from them and lays over them only what its own
transaction wrote (every Ticket and TicketPromise flushed, captured by a session
event, so no use case has to remember to report what it touched). Anything else (a
change made by another process, a new day, the first change after a start) reads the
database, as before.

Only a change stores what it leaves (`keep`, after its commit): it holds the site's
lock, so what it read and wrote is exactly the state at its new `seq`. A read outside
a change uses the kept lines when their `seq` matches and otherwise reads the database
without keeping anything.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, ClassVar

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from server.domain.queue import TicketStatus, call_order_key, in_call_order
from server.extensions import db
from server.storage.models import REMOTE, Site, Ticket, TicketPromise

_WRITTEN = "waitroom.lines.written"  # session.info: what this transaction flushed
_READ = "waitroom.lines.read"  # session.info: the lines this transaction read first
_OVERLAID = "waitroom.lines.overlaid"  # session.info: the last read, with its writes
_KEPT = "waitroom.lines"  # app.extensions: site id -> Lines


@dataclass(frozen=True, slots=True)
class Waiter:
    """A waiting ticket, as the lines need it. Plain data: it outlives the session."""

    id: int
    service_id: int
    priority: int
    queue_at: datetime
    arrived_at: datetime
    appointment_at: datetime | None
    language: str
    room_id: int | None
    # A remote ticket not yet arrived is passed over by "call next" (domain/remote.py).
    here: bool = True
    held_at: datetime | None = None
    # A remote ticket's travel time, and when it was told to leave: when the forecast
    # expects it (forecast_inputs.py). None for the other tickets.
    travel_minutes: int | None = None
    leave_told_at: datetime | None = None

    status: ClassVar[TicketStatus] = TicketStatus.WAITING

    @classmethod
    def of(cls, ticket: Any) -> Waiter:
        return cls(
            ticket.id,
            ticket.service_id,
            ticket.priority,
            ticket.queue_at,
            ticket.arrived_at,
            ticket.appointment_at,
            ticket.language,
            ticket.room_id,
            ticket.source != REMOTE or ticket.here_at is not None,
            ticket.held_at,
            ticket.travel_minutes,
            ticket.leave_told_at,
        )


@dataclass(frozen=True, slots=True)
class HeldPromise:
    """What a waiting ticket was promised (a TicketPromise: promises.py), as plain data."""

    service_id: int
    queue_at: datetime
    expected_at: datetime
    earliest_at: datetime
    latest_at: datetime
    notice_at: datetime | None
    notice_reason: str | None

    @classmethod
    def of(cls, row: Any) -> HeldPromise:
        return cls(
            row.service_id,
            row.queue_at,
            row.expected_at,
            row.earliest_at,
            row.latest_at,
            row.notice_at,
            row.notice_reason,
        )


_PROMISE_COLUMNS = (
    TicketPromise.ticket_id,
    TicketPromise.service_id,
    TicketPromise.queue_at,
    TicketPromise.expected_at,
    TicketPromise.earliest_at,
    TicketPromise.latest_at,
    TicketPromise.notice_at,
    TicketPromise.notice_reason,
)
_WAITER_COLUMNS = (
    Ticket.id,
    Ticket.service_id,
    Ticket.priority,
    Ticket.queue_at,
    Ticket.arrived_at,
    Ticket.appointment_at,
    Ticket.language,
    Ticket.room_id,
    Ticket.source,
    Ticket.here_at,
    Ticket.held_at,
    Ticket.travel_minutes,
    Ticket.leave_told_at,
)


@dataclass(frozen=True)
class Lines:
    """A site's waiting tickets of one day, in call order per service, with their
    promises (a ticket with none has no entry). On a site that never cuts its line, the
    day before's tickets still waiting are in it too (from `first_day`)."""

    site_id: int
    seq: int
    day: date
    order: Mapping[int, tuple[Waiter, ...]]  # service id -> waiting, in call order
    promises: Mapping[int, HeldPromise]  # kept for the tickets in the lines only
    first_day: date | None = None  # the first day whose tickets are in line; None: `day`
    positions: Mapping[int, int] = field(init=False)  # ticket id -> place in its line
    services: Mapping[int, int] = field(init=False)  # ticket id -> the line it is in

    def __post_init__(self) -> None:
        positions: dict[int, int] = {}
        services: dict[int, int] = {}
        for service_id, line in self.order.items():
            for place, waiter in enumerate(line, 1):
                positions[waiter.id] = place
                services[waiter.id] = service_id
        held = {tid: p for tid, p in self.promises.items() if tid in positions}
        object.__setattr__(self, "positions", positions)
        object.__setattr__(self, "services", services)
        object.__setattr__(self, "promises", held)

    @property
    def waiting(self) -> list[Waiter]:
        return [w for line in self.order.values() for w in line]

    def overlaid(self, written: _Written) -> Lines:
        """These lines with a transaction's own writes laid over them.

        A change writes a ticket or two: only their lines are redone, each by taking
        the written tickets out and putting them back in call order (bisect), not by
        sorting the whole site again.
        """
        if not written.tickets and not written.promises:
            return self
        gone = set(written.tickets)
        edited: dict[int, list[Waiter]] = {}

        def line(service_id: int) -> list[Waiter]:
            if service_id not in edited:
                kept = self.order.get(service_id, ())
                edited[service_id] = [w for w in kept if w.id not in gone]
            return edited[service_id]

        for ticket_id in gone:
            if ticket_id in self.services:
                line(self.services[ticket_id])
        fresh: list[int] = []
        for ticket_id, (waiter, day, new) in written.tickets.items():
            if waiter is None or not (self.first_day or self.day) <= day <= self.day:
                continue
            if ticket_id not in self.positions and not new:
                fresh.append(ticket_id)  # back in a line: it may hold an old promise
            insort(line(waiter.service_id), waiter, key=call_order_key)
        order = dict(self.order)
        for service_id, waiters in edited.items():
            if waiters:
                order[service_id] = tuple(waiters)
            else:
                order.pop(service_id, None)
        promises = dict(self.promises)
        promises.update(_read_promises([i for i in fresh if i not in written.promises]))
        for ticket_id, promise in written.promises.items():
            if promise is None:
                promises.pop(ticket_id, None)
            else:
                promises[ticket_id] = promise
        return Lines(self.site_id, self.seq, self.day, order, promises, self.first_day)


def _build(
    site_id: int,
    seq: int,
    day: date,
    waiting: Iterable[Waiter],
    promises: Mapping[int, HeldPromise],
    *,
    first_day: date | None = None,
) -> Lines:
    by_service: dict[int, list[Waiter]] = {}
    for waiter in waiting:
        by_service.setdefault(waiter.service_id, []).append(waiter)
    order = {sid: tuple(in_call_order(line)) for sid, line in by_service.items()}
    return Lines(site_id, seq, day, order, promises, first_day)


def read(site: Site, day: date) -> Lines:
    """The site's lines of `day` as this transaction sees them, its own writes included.

    The first read of a transaction takes the kept lines if the site's `seq` is theirs,
    else reads the database; later reads in the same transaction start from that first
    one, so a change that picks from the lines and then places everyone reads once.
    """
    db.session.flush()
    first = db.session.info.get(_READ)
    if first is None or (first.site_id, first.day) != (site.id, day):
        kept = _kept().get(site.id)
        if kept is not None and (kept.seq, kept.day) == (site.seq, day):
            first = kept
        else:
            first = _from_database(site, day)
        db.session.info[_READ] = first
    written = _written(db.session())
    # A change reads its lines three or four times; between its flushes they are the same.
    last: tuple[Lines, int, Lines] | None = db.session.info.get(_OVERLAID)
    if last is not None and last[0] is first and last[1] == written.flushes:
        return last[2]
    overlaid = first.overlaid(written)
    db.session.info[_OVERLAID] = (first, written.flushes, overlaid)
    return overlaid


def keep(lines: Lines, seq: int) -> None:
    """After a change committed at `seq` under the site's lock: its lines, for the next."""
    _kept()[lines.site_id] = replace(lines, seq=seq)


def _kept() -> dict[int, Lines]:
    kept: dict[int, Lines] = current_app.extensions.setdefault(_KEPT, {})
    return kept


def _from_database(site: Site, day: date) -> Lines:
    first, _ = site.days.line_days(day)
    rows = db.session.execute(
        select(*_WAITER_COLUMNS).where(
            Ticket.site_id == site.id,
            Ticket.day.between(first, day),
            Ticket.status == TicketStatus.WAITING,
        )
    )
    waiting = [Waiter.of(row) for row in rows]
    promises = _read_promises([w.id for w in waiting])
    return _build(site.id, site.seq, day, waiting, promises, first_day=first)


def _read_promises(ticket_ids: list[int]) -> dict[int, HeldPromise]:
    if not ticket_ids:
        return {}
    rows = db.session.execute(
        select(*_PROMISE_COLUMNS).where(TicketPromise.ticket_id.in_(ticket_ids))
    )
    return {row.ticket_id: HeldPromise.of(row) for row in rows}


# --- What a transaction wrote ------------------------------------------------------


@dataclass
class _Written:
    # ticket id -> (the ticket as a waiter, or None when it is not waiting; its day;
    # whether this transaction created it)
    tickets: dict[int, tuple[Waiter | None, date, bool]] = field(default_factory=dict)
    promises: dict[int, HeldPromise | None] = field(default_factory=dict)  # None: deleted
    flushes: int = 0  # flushes that wrote a ticket or a promise


def _written(session: Session) -> _Written:
    written: _Written = session.info.setdefault(_WRITTEN, _Written())
    return written


@event.listens_for(Session, "after_flush")
def _capture(session: Session, _context: Any) -> None:
    """Note every ticket and promise a flush wrote, as it is now (plain data)."""
    written = _written(session)
    new = set(map(id, session.new))
    touched = [*session.new, *session.dirty, *session.deleted]
    if any(isinstance(obj, Ticket | TicketPromise) for obj in touched):
        written.flushes += 1
    for obj in [*session.new, *session.dirty]:
        if isinstance(obj, Ticket):
            was_new = id(obj) in new or written.tickets.get(obj.id, (None, None, False))[2]
            waiter = Waiter.of(obj) if obj.status == TicketStatus.WAITING else None
            written.tickets[obj.id] = (waiter, obj.day, was_new)
        elif isinstance(obj, TicketPromise):
            written.promises[obj.ticket_id] = HeldPromise.of(obj)
    for obj in session.deleted:
        if isinstance(obj, TicketPromise):
            written.promises[obj.ticket_id] = None
        elif isinstance(obj, Ticket):
            written.tickets[obj.id] = (None, obj.day, False)


@event.listens_for(Session, "after_transaction_end")
def _end_of_transaction(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the transaction itself, not a savepoint in it
        for key in (_WRITTEN, _READ, _OVERLAID):
            session.info.pop(key, None)
