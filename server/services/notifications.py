"""What patients are told outside the page, written to the outbox with the change.

A change says whom it tells what (`QueueUpdate.tell`); `write` turns that, and "you are
next" for whoever reached the site's place in a line that moved, into outbox rows in
the change's transaction. The sender (server/notify/sender.py) sends them after the
commit. Each message is short, carries the ticket number (and the room when there is
one), never a name, and is in the ticket's language.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import has_request_context, request, url_for
from flask_babel import force_locale, gettext
from sqlalchemy import select

from server import payloads, qr
from server.domain import queue
from server.domain.feedback import survey_text_at
from server.domain.notify import PUSH, SMS, Kind, next_place
from server.domain.queue import TicketStatus
from server.extensions import db
from server.notify import outbox
from server.storage.models import Contact, Site, Ticket
from server.wayfinding import hints


@dataclass(frozen=True)
class Tell:
    """One thing to tell one ticket's patient; `text` for a delay or a desk message."""

    ticket_id: int
    kind: Kind
    text: str | None = None


def write(
    site: Site,
    now: datetime,
    told: Sequence[Tell],
    view: payloads.QueueView,
    moved_lines: Iterable[int],
) -> int:
    """Write the outbox rows of one change; returns how many were written."""
    nearly = _reached_next_place(site, view, moved_lines)
    ids = {t.ticket_id for t in told} | set(nearly)
    if not ids:
        return 0
    written = 0
    contacts = _contacts_of(ids)
    for tell in told:
        text = None  # one wording for all the ticket's channels (the way costs a route)
        for contact, ticket in contacts.get(tell.ticket_id, ()):
            if tell.kind is Kind.SURVEY:
                written += _survey_link(site, ticket, contact)
                continue
            if tell.kind in (Kind.CALLED, Kind.RECALLED):
                contact.told_next = False  # a return to the queue is a new wait
            text = text or _body(site, ticket, tell)
            outbox.add(contact, site.id, tell.kind, _for_channel(contact, site, ticket, text), now)
            written += 1
    for ticket_id, place in nearly.items():
        for contact, ticket in contacts.get(ticket_id, ()):
            if contact.told_next or ticket.status != TicketStatus.WAITING:
                continue
            contact.told_next = True
            body = _for_channel(contact, site, ticket, _next_body(ticket, place))
            outbox.add(contact, site.id, Kind.NEXT, body, now)
            written += 1
    return written


# A visit that ended this way needs no more messages: its addresses are deleted in
# the same transaction (a message about its end is in the outbox already, with its own
# copy of the address). A no-show may still come back today: theirs go with the day.
_ENDED = (TicketStatus.DONE, TicketStatus.CANCELLED)


def forget_ended(tickets: Iterable[Ticket]) -> None:
    """Delete the contacts of the touched tickets whose visit ended."""
    for ticket in tickets:
        if ticket.status in _ENDED and ticket.contacts:
            ticket.contacts.clear()


def _reached_next_place(
    site: Site, view: payloads.QueueView, moved_lines: Iterable[int]
) -> dict[int, int]:
    """The tickets at or before the site's "you are next" place in the lines that moved."""
    place = next_place((site.settings or {}).get("text_next_place"))
    return {
        waiting.id: index + 1
        for service_id in moved_lines
        for index, waiting in enumerate(view.order.get(service_id, [])[:place])
    }


def _contacts_of(ticket_ids: set[int]) -> dict[int, list[tuple[Contact, Ticket]]]:
    """One query: the contacts of these tickets, with their tickets."""
    found: dict[int, list[tuple[Contact, Ticket]]] = {}
    rows = db.session.execute(
        select(Contact, Ticket).join(Ticket).where(Contact.ticket_id.in_(ticket_ids))
    )
    for contact, ticket in rows:
        found.setdefault(ticket.id, []).append((contact, ticket))
    return found


def _for_channel(contact: Contact, site: Site, ticket: Ticket, text: str) -> str:
    """The message as the contact's channel carries it: a text as it is; a push as the
    notification the phone's service worker shows (static/js/push-worker.js): the
    clinic's name, the text, and a tag, so that a newer message about the ticket
    replaces the older one on the screen. The ticket page a tap opens is added by the
    channel from the address (channels.push_channel): its token is not kept with the
    message's record once the address is cleared."""
    if contact.channel != PUSH:
        return text
    return json.dumps({"title": site.name, "body": text, "tag": f"waitroom-{ticket.id}"})


def _body(site: Site, ticket: Ticket, tell: Tell) -> str:
    number = str(ticket.ticket_number)
    if tell.kind in (Kind.DELAY, Kind.DESK):  # in the ticket's language already
        return f"{number}: {tell.text}"
    way = _way(site, ticket)
    with force_locale(ticket.language):
        if tell.kind is Kind.CALLED:
            return str(
                gettext(
                    "%(number)s: it is your turn. Please go to %(way)s.", number=number, way=way
                )
            )
        if tell.kind is Kind.COME_NOW:
            return str(gettext("%(number)s: you are next. Please come now.", number=number))
        if tell.kind is Kind.LEAVE_NOW:
            return str(
                gettext(
                    "%(number)s: please leave now to be here in time for your turn.", number=number
                )
            )
        if tell.kind is Kind.RECALLED:
            return str(
                gettext(
                    "%(number)s: we are calling you again. Please go to %(way)s now.",
                    number=number,
                    way=way,
                )
            )
        return str(
            gettext(
                "%(number)s: you are no longer in the queue. "
                "If this is a mistake, please see the front desk.",
                number=number,
            )
        )


def _survey_link(site: Site, ticket: Ticket, contact: Contact) -> int:
    """The survey's link, texted after the visit (once), at the site's delay and never
    at night. Its own token: the phone page's is kept only as a digest. The message
    keeps its copy of the number; the contact goes with the end of the visit."""
    if contact.channel != SMS or ticket.survey_digest is not None or ticket.finished_at is None:
        return 0
    if not has_request_context():  # a visit ends at the desk, in a request
        return 0
    token = queue.new_ticket_token()
    ticket.survey_digest = queue.token_digest(token)
    path = url_for("feedback.survey", token=token)[len(request.script_root) :]
    link = qr.public_base_url((site.settings or {}).get("public_url")) + path
    with force_locale(ticket.language):
        body = str(
            gettext(
                "%(number)s: thank you for coming. Please tell us how your visit went: %(link)s",
                number=str(ticket.ticket_number),
                link=link,
            )
        )
    due = survey_text_at(
        ticket.finished_at, (site.settings or {}).get("survey_text_minutes"), site.zone
    )
    outbox.add_to_address(
        site_id=site.id,
        ticket_id=ticket.id,
        channel=SMS,
        address=contact.address,
        kind=Kind.SURVEY,
        body=body,
        due=due,
    )
    return 1


def called_text(site: Site, ticket: Ticket) -> str:
    """The text of a called ticket's call, in its language (also the answer to STATUS)."""
    return _body(site, ticket, Tell(ticket.id, Kind.CALLED))


def _next_body(ticket: Ticket, place: int) -> str:
    with force_locale(ticket.language):
        return str(
            gettext(
                "%(number)s: you are number %(place)s in line. Please be in the waiting area.",
                number=str(ticket.ticket_number),
                place=place,
            )
        )


def _way(site: Site, ticket: Ticket) -> str:
    """The room, and the first step of the way there when the site has a map."""
    room = ticket.room
    if room is None:
        return ""
    found = hints.call_hints(
        hints.map_of(site.settings), [ticket.language], [(room.code, ticket.number_prefix)]
    )
    hint = found.get((room.code, ticket.number_prefix), {}).get(ticket.language)
    return hint or room.names.get(ticket.language) or next(iter(room.names.values()), room.code)
