"""Patients' numbers for text messages: given at the kiosk or on the phone (with the
patient's consent), or by the desk for a patient added by hand; removed by the desk;
deleted when the visit ends (notifications.forget_ended, retention.py).

A number is checked and written in its international form with `phonenumbers`; a
number typed without its country code is read in the site's `phone_region`. The audit
log says who added or removed a number, never the number.
"""

from __future__ import annotations

from typing import Any

import phonenumbers
from flask import current_app
from flask_babel import gettext

from server import clock, payloads
from server.domain import queue
from server.domain.errors import BadInput, InvalidTransition, NotFound
from server.domain.notify import SMS, Kind, desk_message
from server.extensions import db
from server.services.changes import SiteChange
from server.services.tickets import ticket_id_for_token
from server.storage import queries
from server.storage.models import Contact, Site, Ticket

MAX_TYPED = 32  # characters of a typed number, spaces and dashes included


def texts_offered() -> bool:
    """Whether this deployment can send texts (an SMS_URL is configured)."""
    return bool(current_app.config.get("SMS_URL"))


def phone_number(typed: str, region: str | None) -> str:
    """The number in its international form (E.164), or BadInput saying what is wrong,
    in the reader's language."""
    number = valid_number(typed, region)
    if number is None:
        raise BadInput(_invalid_number(), code="invalid_phone_number")
    return number


def valid_number(typed: str, region: str | None) -> str | None:
    """The number in its international form (E.164), or None when it is not one we can
    text (also for an appointments file's `mobile` column: services/sites.py)."""
    if not typed or len(typed) > MAX_TYPED:
        return None
    try:
        parsed = phonenumbers.parse(typed, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _invalid_number() -> str:
    return str(gettext("This is not a phone number we can text. Check it and try again."))


def add_number_by_patient(token: str, typed: str, *, consent: bool) -> dict[str, Any]:
    """The patient asks for texts, from the kiosk's ticket screen or their phone."""
    _require_texts()
    if not consent:
        raise BadInput(
            str(gettext("Tick the box to agree to receive text messages.")),
            code="consent_required",
        )
    ticket_id = ticket_id_for_token(token)
    site = queries.get_site(db.session.get_one(Ticket, ticket_id).site.slug, lock=True)
    ticket = queries.get_ticket(site, ticket_id)
    number = phone_number(typed, _region(site))
    return _set_number(site, ticket, number, actor_id=None)


def add_number_by_staff(
    site_slug: str, ticket_id: int, typed: str, *, actor_id: int
) -> dict[str, Any]:
    """The desk adds a number, for a patient added by hand (who agreed to it)."""
    _require_texts()
    site = queries.get_site(site_slug, lock=True)
    ticket = queries.get_ticket(site, ticket_id)
    number = phone_number(typed, _region(site))
    return _set_number(site, ticket, number, actor_id=actor_id)


def remove_number(site_slug: str, ticket_id: int, *, actor_id: int) -> dict[str, Any]:
    """The desk removes a ticket's number: no more texts."""
    site = queries.get_site(site_slug, lock=True)
    ticket = queries.get_ticket(site, ticket_id)
    contact = _sms_contact(ticket)
    if contact is None:
        raise NotFound("This ticket has no number for texts.", code="no_texts")
    ticket.contacts.remove(contact)
    change = SiteChange(site, clock.now(), "texts_off", actor_id)
    change.touch(ticket)
    change.audit("text_number_removed", ticket)
    return _finish(change, ticket)


def message_patient(site_slug: str, ticket_id: int, text: str, *, actor_id: int) -> dict[str, Any]:
    """A message the desk types to one patient ("Please come to the front desk")."""
    message = desk_message(text)
    site = queries.get_site(site_slug, lock=True)
    ticket = queries.get_ticket(site, ticket_id)
    _require_open(site, ticket)
    if _sms_contact(ticket) is None:
        raise InvalidTransition("This patient has not asked for texts.", code="no_texts")
    change = SiteChange(site, clock.now(), "messaged", actor_id)
    change.touch(ticket)
    change.tell(ticket.id, Kind.DESK, message)
    # The clinic's own words, kept as it said them; the number is not.
    change.audit("patient_messaged", ticket, message=message)
    return _finish(change, ticket)


def _set_number(site: Site, ticket: Ticket, number: str, *, actor_id: int | None) -> dict[str, Any]:
    now = clock.now()
    _require_open(site, ticket)
    contact = _sms_contact(ticket)
    if contact is None:
        ticket.contacts.append(Contact(channel=SMS, address=number, added_at=now))
    else:  # a new number replaces the old, and starts with a clean record
        contact.address, contact.added_at, contact.last_outcome = number, now, None
    change = SiteChange(site, now, "texts_on", actor_id)
    change.touch(ticket)
    change.audit("text_number_added", ticket)
    return _finish(change, ticket)


def _finish(change: SiteChange, ticket: Ticket) -> dict[str, Any]:
    texts = payloads.texts_view(ticket)
    seq = change.finish()
    return {"seq": seq, "texts": texts}


def _sms_contact(ticket: Ticket) -> Contact | None:
    return next((c for c in ticket.contacts if c.channel == SMS), None)


def _require_texts() -> None:
    if not texts_offered():
        raise NotFound("Text messages are not offered here.", code="texts_not_offered")


def _require_open(site: Site, ticket: Ticket) -> None:
    if not queue.is_open(ticket.status) or not site.days.in_line(ticket.day, clock.now()):
        raise InvalidTransition("This visit has ended.", code="ticket_ended")


def _region(site: Site) -> str | None:
    return (site.settings or {}).get("phone_region")
