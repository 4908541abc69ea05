"""An appointment's morning link, /a/<token> (texted by morning_texts.py): the patient
says "I'm here" with the site's arrival code, in the same window as a check-in at the
kiosk (the same rule, refused with the same codes: too_early, too_late,
already_checked_in), and the link's page becomes the ticket's page, /t/<token>: the
ticket is issued with the link's own token.

The link works on its appointment's day only (domain/morning.link_works); the table
keeps only the token's digest.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import select

from server import clock, payloads
from server.domain import morning, queue, remote
from server.domain.errors import BadInput, CheckInRefused, Gone, NotFound
from server.domain.notify import SMS
from server.domain.schedule import site_day
from server.extensions import db
from server.services.arrival import arrival_code
from server.services.checkin import (
    CheckIn,
    _check_can_check_in,
    _finish,
    _issue_ticket,
    _language,
)
from server.services.contacts import texts_offered
from server.storage import queries
from server.storage.models import Appointment, Contact, Site, Ticket


def link_page(token: str) -> dict[str, Any]:
    """What /a/<token> shows: the clinic, the appointment's time and service (never the
    patient's name: a link may be passed on), and whether the patient may say "I'm here"
    now (`refusal`: too_early, too_late, already_checked_in; None: they may). `ticket`:
    this link checked in already, and its page is the ticket's."""
    appointment, site = _by_link(token)
    now = clock.now()
    refusal = None
    try:
        _check_can_check_in(site, appointment, now, at_kiosk=True)
    except CheckInRefused as refused:
        refusal = refused.code
    return {
        "site": {"slug": site.slug, "name": site.name},
        "languages": list(site.languages),
        "time": appointment.starts_at.astimezone(site.zone).strftime("%H:%M"),
        "service": payloads.service_brief(appointment.service),
        "refusal": refusal,
        "ticket": _checked_in_here(appointment, token),
    }


def check_in_by_link(token: str, code: str, *, language: str | None = None) -> CheckIn:
    """The patient says "I'm here" from the morning link with the code posted in the
    clinic: the appointment is checked in, as at the kiosk, and its ticket's page is the
    link's token. The number the link was texted to becomes the ticket's texts."""
    found, site = _by_link(token)
    site = queries.get_site(site.slug, lock=True)
    appointment = db.session.get_one(Appointment, found.id)
    db.session.refresh(appointment)  # re-read under the lock: a kiosk may have just taken it
    now = clock.now()
    # The kiosk's refusals (already checked in; the window: domain/schedule.py's
    # AppointmentWindow), then the code.
    _check_can_check_in(site, appointment, now, at_kiosk=True)
    if not remote.code_matches(code or "", arrival_code(site, now)):
        raise BadInput(
            str(gettext("This code is not right. Look for the code on the screen.")),
            code="wrong_arrival_code",
        )
    ticket, token = _issue_ticket(
        site,
        appointment.service,
        now,
        _language(site, language),
        source="appointment",
        appointment_at=appointment.starts_at,
        token=token,
    )
    ticket.patient_name = f"{appointment.first_name} {appointment.last_name}"
    if appointment.mobile and texts_offered():
        # The patient used the link texted to this number: their turn is texted there too
        # (the number goes with the visit, as every contact does).
        ticket.contacts.append(Contact(channel=SMS, address=appointment.mobile, added_at=now))
    db.session.flush()
    appointment.ticket_id = ticket.id
    appointment.mobile = None
    return _finish(site, ticket, token, now, None)


def _by_link(token: str) -> tuple[Appointment, Site]:
    """The link's appointment and its site; NotFound for a link we never sent, Gone once
    its day is over."""
    digest = queue.token_digest(token) if token else ""
    appointment = db.session.scalars(
        select(Appointment).where(Appointment.link_digest == digest)
    ).one_or_none()
    if appointment is None:
        raise NotFound("This link is not known.", code="link_not_found")
    site = db.session.get_one(Site, appointment.site_id)
    if not morning.link_works(site_day(clock.now(), site.zone), appointment.day):
        raise Gone("This link has ended with its day.", code="link_ended")
    return appointment, site


def _checked_in_here(appointment: Appointment, token: str) -> bool:
    """Whether the appointment's ticket is this link's (checked in from it)."""
    if appointment.ticket_id is None:
        return False
    ticket = db.session.get(Ticket, appointment.ticket_id)
    return ticket is not None and ticket.token_digest == queue.token_digest(token)
