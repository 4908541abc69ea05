"""A patient's text message to us (the provider's incoming-message webhook): read its
keyword (domain/replies.py), act on the live ticket of that site that holds the number,
answer through the outbox, and tell the desk what it should know.

STATUS: their place and estimate (or the call). LEAVE: "reply YES to leave"; a YES
soon after leaves the queue. STOP: the number is removed from every live ticket of the
site that holds it, and nothing more is sent (the provider stops texts to a number that
sent STOP, and sends its own confirmation). HELP: the keywords. LATE: the desk is told.
Anything else: "we cannot read replies; please see the front desk", and the desk sees
the text. A number that no live ticket holds gets no answer: we text only patients who
asked for texts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import phonenumbers
from flask_babel import force_locale, gettext
from sqlalchemy import select

from server import clock
from server.domain import queue, replies
from server.domain.errors import DomainError
from server.domain.notify import SMS, Kind
from server.domain.queue import TicketStatus
from server.domain.replies import Keyword
from server.extensions import db
from server.notify import outbox
from server.realtime import rooms
from server.realtime.publish import STAFF_UPDATE, Message, publish
from server.services import estimates, notifications, tickets
from server.services.changes import SiteChange
from server.storage import queries
from server.storage.models import Contact, OutboxMessage, Site, Ticket

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Received:
    """What became of a text: the keyword read, and the ticket it was about (None: no
    live ticket holds the number)."""

    keyword: Keyword
    ticket_id: int | None


def receive_text(site_slug: str, sender: str, text: str) -> Received:
    """Act on one text from `sender` to the site's number."""
    now = clock.now()
    keyword = replies.read_reply(text)
    site = queries.get_site(site_slug, lock=True)
    held = _live_contacts(site, _e164(sender, site), now)
    if not held:
        db.session.rollback()
        log.info("a text from a number no live ticket holds: no answer")
        return Received(keyword, None)
    # A number on two tickets (a parent with two children): the newest is the one
    # the text is about; STOP is for all of them.
    contact, ticket = held[-1]
    if keyword is Keyword.STOP:
        _stop(site, now, held)
    elif keyword is Keyword.YES and _asked_to_leave(contact, now):
        _leave(site, now, contact, ticket)
    elif keyword is Keyword.LEAVE:
        _answer(site, now, contact, _leave_question(ticket), kind=Kind.ASK_LEAVE)
    else:
        if keyword is Keyword.YES:  # with no question of ours to answer
            keyword = Keyword.OTHER
        answer = _answer_for(site, now, ticket, keyword)
        told = keyword in (Keyword.LATE, Keyword.OTHER)
        news = _desk_news(site, ticket, keyword, text) if told else None
        _answer(site, now, contact, answer, news=news)
    return Received(keyword, ticket.id)


def _e164(sender: str, site: Site) -> str:
    try:
        parsed = phonenumbers.parse(sender, (site.settings or {}).get("phone_region"))
    except phonenumbers.NumberParseException:
        return sender
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _live_contacts(site: Site, number: str, now: datetime) -> list[tuple[Contact, Ticket]]:
    rows = db.session.execute(
        select(Contact, Ticket)
        .join(Ticket)
        .where(Ticket.site_id == site.id, Contact.channel == SMS, Contact.address == number)
        .order_by(Ticket.id)
    )
    return [
        (contact, ticket)
        for contact, ticket in rows
        if queue.is_open(ticket.status) and site.days.in_line(ticket.day, now)
    ]


def _stop(site: Site, now: datetime, held: list[tuple[Contact, Ticket]]) -> None:
    change = SiteChange(site, now, "texts_off", None)
    for contact, ticket in held:
        ticket.contacts.remove(contact)
        change.touch(ticket)
        change.audit("text_number_removed", ticket, by="text")
    _, newest = held[-1]
    news = _desk_news(site, newest, Keyword.STOP, "")
    change.finish()
    publish([news])


def _asked_to_leave(contact: Contact, now: datetime) -> bool:
    """Whether the last message we wrote to this number asked "reply YES to leave"."""
    last = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.contact_id == contact.id)
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    ).first()
    return (
        last is not None
        and last.kind == Kind.ASK_LEAVE
        and replies.confirms_leaving(last.created_at, now)
    )


def _leave(site: Site, now: datetime, contact: Contact, ticket: Ticket) -> None:
    news = _desk_news(site, ticket, Keyword.LEAVE, "")
    try:
        tickets.leave_by_text(site, ticket, now)
    except DomainError:  # in the room already, say: the desk will sort it out
        _answer(site, now, contact, _see_the_desk(ticket))
        return
    publish([news])


def _answer(
    site: Site,
    now: datetime,
    contact: Contact,
    body: str,
    *,
    kind: Kind = Kind.ANSWER,
    news: Message | None = None,
) -> None:
    outbox.add(contact, site.id, kind, body, now)
    db.session.commit()
    outbox.wake_sender()
    if news is not None:
        publish([news])


def _desk_news(site: Site, ticket: Ticket, keyword: Keyword, text: str) -> Message:
    """For the desks: what a patient said by text. Not a queue change: it carries the
    site's `seq` unchanged ("kind": "reply"), and the patient's own words only when
    they are not a keyword the desk need not read."""
    data = {
        "seq": site.seq,
        "kind": "reply",
        "ticket": {"id": ticket.id, "number": str(ticket.ticket_number)},
        "keyword": str(keyword),
        "text": replies.for_the_desk(text) if keyword is Keyword.OTHER else None,
    }
    return Message(STAFF_UPDATE, rooms.staff_room(site.slug), data)


# --- The answers, in the ticket's language -------------------------------------------


def _answer_for(site: Site, now: datetime, ticket: Ticket, keyword: Keyword) -> str:
    number = str(ticket.ticket_number)
    words = replies.keywords_in(ticket.language)
    with force_locale(ticket.language):
        if keyword is Keyword.STATUS:
            return _status(site, now, ticket)
        if keyword is Keyword.HELP:
            return str(
                gettext(
                    "%(number)s: reply %(status)s to see your place. "
                    "Reply %(leave)s to leave the line. Reply %(stop)s to stop texts.",
                    number=number,
                    status=words[Keyword.STATUS],
                    leave=words[Keyword.LEAVE],
                    stop=words[Keyword.STOP],
                )
            )
        if keyword is Keyword.LATE:
            return str(
                gettext("%(number)s: thank you. We have told the front desk.", number=number)
            )
    return _see_the_desk(ticket)


def _status(site: Site, now: datetime, ticket: Ticket) -> str:
    number = str(ticket.ticket_number)
    if ticket.status == TicketStatus.CALLED:
        return notifications.called_text(site, ticket)
    view = estimates.view_for_ticket(site, now, ticket)
    place = view.positions.get(ticket.id)
    estimate = view.estimates.get(ticket.id)
    if ticket.status != TicketStatus.WAITING or place is None:
        return str(gettext("%(number)s: please see the front desk.", number=number))
    if estimate is None or estimate.central < 1:
        return str(
            gettext("%(number)s: you are number %(place)s in line.", number=number, place=place)
        )
    return str(
        gettext(
            "%(number)s: you are number %(place)s in line. We think you will wait about "
            "%(minutes)s minutes.",
            number=number,
            place=place,
            minutes=estimate.central,
        )
    )


def _leave_question(ticket: Ticket) -> str:
    yes = replies.keywords_in(ticket.language)[Keyword.YES]
    with force_locale(ticket.language):
        return str(
            gettext(
                "%(number)s: do you want to leave the line? Reply %(yes)s to leave.",
                number=str(ticket.ticket_number),
                yes=yes,
            )
        )


def _see_the_desk(ticket: Ticket) -> str:
    with force_locale(ticket.language):
        return str(
            gettext(
                "%(number)s: we cannot read replies. Please see the front desk.",
                number=str(ticket.ticket_number),
            )
        )
