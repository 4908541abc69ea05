"""The end of every queue update: bump the sequence, audit, commit, then publish.

A use case ends with a SiteChange (changes.py), which asks for the estimates to be
refreshed after it; the refresh itself (ticks.py) ends with a plain QueueUpdate, which
carries the estimates it made and asks for nothing more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from server import payloads
from server.domain.notify import Kind
from server.extensions import db
from server.notify import outbox
from server.payloads import Waiting
from server.realtime import rooms
from server.realtime.publish import (
    DISPLAY_UPDATE,
    STAFF_UPDATE,
    TICKET_PLACE,
    TICKET_UPDATE,
    Message,
    publish,
)
from server.services import audit, estimates, lines, notifications
from server.storage import queries
from server.storage.models import Site, Ticket


@dataclass
class QueueUpdate:
    """Collects what changed in one site's queue, then finishes it.

    Payloads are built inside the transaction (so they match what is committed) and
    sent only after the commit succeeds, so nobody is ever told of a change that was
    rolled back.

    Phones hear of a change in two sizes. A ticket the change touched gets its whole
    view (`ticket_update`); the others whose place or estimate moved (everyone behind a
    called patient) get only those few fields (`ticket_place`), and the desks get them
    as `places`. With a thousand phones in one line that is the difference between a
    few hundred kilobytes built and sent per call and a few dozen.
    """

    site: Site
    now: datetime
    kind: str
    actor_id: int | None = None
    tickets: list[Ticket] = field(default_factory=list)
    # Services whose waiting lines moved: every waiting ticket in them hears its place.
    service_ids: set[int] = field(default_factory=set)
    # Waiting tickets whose estimate or delay notice moved (from the estimate refresh).
    moved: Sequence[Waiting] = ()
    # What the lines' tickets see besides their place changed (a notice was posted):
    # every ticket in them gets its whole view.
    whole_views: bool = False
    announce: dict[str, Any] | None = None
    # Built by the estimate refresh, which has estimated the queue already; an update
    # without one shows the promises patients hold.
    view: payloads.QueueView | None = None
    # What patients are told outside the page (texts), written to the outbox with the
    # change (services/notifications.py).
    told: list[notifications.Tell] = field(default_factory=list)
    _view: payloads.QueueView | None = None
    _ticket_views: dict[int, dict[str, Any]] = field(default_factory=dict)
    _staff_views: dict[int, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.service_ids = set(self.service_ids)

    def touch(self, ticket: Ticket, *service_ids: int) -> None:
        self.tickets.append(ticket)
        self.service_ids.update(service_ids or (ticket.service_id,))

    def tell(self, ticket_id: int, kind: Kind, text: str | None = None) -> None:
        """Tell the ticket's patient on their channels (if they gave any)."""
        self.told.append(notifications.Tell(ticket_id, kind, text))

    def audit(self, action: str, ticket: Ticket | None = None, **detail: Any) -> None:
        """Record who did what; actor None is the patient (kiosk or phone), whose
        address is not kept."""
        staff = self.actor_id is not None
        audit.record(
            action,
            audit.Actor(self.actor_id, None, audit.request_address() if staff else None),
            site_id=self.site.id,
            ticket_id=ticket.id if ticket else None,
            at=self.now,
            **detail,
        )

    def finish(self) -> int:
        """Commit and publish; returns the site's new sequence number."""
        day = self.site.days.day_of(self.now)
        # The lines at the seq this transaction read (kept since the last change, or
        # read now), before the seq moves on: lines.py.
        lines.read(self.site, day)
        self.site.seq += 1
        seq = self.site.seq
        db.session.flush()
        messages = self._messages()
        assert self._view is not None
        texts = notifications.write(self.site, self.now, self.told, self._view, self.service_ids)
        notifications.forget_ended(self.tickets)
        left = lines.read(self.site, day)  # with the promises the messages recorded
        db.session.commit()
        lines.keep(left, seq)
        publish(messages)
        if texts:
            outbox.wake_sender()
        return seq

    def _messages(self) -> list[Message]:
        seq, slug = self.site.seq, self.site.slug
        view = self.view or estimates.shown_view(self.site, self.now, record=True)
        self._view = view
        notices = queries.active_notices(self.site.id)
        whole: dict[int, Ticket] = {t.id: t for t in self.tickets}
        placed: dict[int, Waiting] = {}
        for ticket in [*self._moved_places(view, whole), *self.moved]:
            if ticket.id not in whole:
                placed.setdefault(ticket.id, ticket)
        if self.whole_views:
            whole.update((t.id, t) for t in _tickets(placed))
            placed = {}
        head = {"seq": seq, "kind": self.kind}
        places = {tid: payloads.ticket_place(t, view) for tid, t in placed.items()}
        self._staff_views = {t.id: payloads.staff_ticket(t, view) for t in whole.values()}
        messages = [
            Message(
                DISPLAY_UPDATE,
                rooms.display_room(slug),
                {**head, "state": payloads.display_state(view, notices), "announce": self.announce},
            ),
            Message(
                STAFF_UPDATE,
                rooms.staff_room(slug),
                {
                    **head,
                    "tickets": list(self._staff_views.values()),
                    "places": [payloads.staff_place(tid, p) for tid, p in places.items()],
                    "rooms": [payloads.staff_room(r) for r in self.site.rooms if r.active],
                    "notices": [payloads.notice_view(n) for n in notices],
                    "announce": self.announce,
                },
            ),
        ]
        for ticket in whole.values():
            self._ticket_views[ticket.id] = payloads.ticket_view(ticket, view, notices)
            messages.append(
                Message(
                    TICKET_UPDATE,
                    rooms.ticket_room(ticket.id),
                    {**head, "ticket": self._ticket_views[ticket.id]},
                )
            )
        messages += [
            Message(TICKET_PLACE, rooms.ticket_room(tid), {**head, **place})
            for tid, place in places.items()
        ]
        return messages

    def _moved_places(self, view: payloads.QueueView, touched: dict[int, Ticket]) -> list[Waiting]:
        """The waiting tickets of the changed lines whose place may have moved.

        In a line that a touched ticket joined or moved within (a check-in, a return
        to the queue, a transfer in, a raised priority), only those behind it moved;
        in a line someone left (called, cancelled, sent on), everyone behind moved up,
        and where they stood is no longer known: the whole line is sent.
        """
        moved: list[Waiting] = []
        for service_id in self.service_ids:
            line = view.order.get(service_id, [])
            first = next((i for i, t in enumerate(line) if t.id in touched), None)
            moved += line if first is None else line[first + 1 :]
        return moved

    def sent_to(self, ticket_id: int) -> dict[str, Any]:
        """The phone view that finish() sent to a ticket's room."""
        return self._ticket_views[ticket_id]

    def staff_view(self, ticket_id: int) -> dict[str, Any]:
        """The staff view that finish() sent to the staff room."""
        return self._staff_views[ticket_id]


def _tickets(waiting: dict[int, Waiting]) -> list[Ticket]:
    """The tickets themselves, for their whole views (a notice was posted: rare)."""
    if not waiting:
        return []
    query = (
        select(Ticket).where(Ticket.id.in_(list(waiting))).options(selectinload(Ticket.contacts))
    )
    return list(db.session.scalars(query))
