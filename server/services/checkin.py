"""Checking in: a walk-in for a service, or a listed appointment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from server import clock, payloads
from server.domain import queue
from server.domain.errors import CheckInRefused, NotFound
from server.domain.needs import NO_NEEDS, CallNeeds
from server.domain.schedule import site_day
from server.extensions import db
from server.services.changes import SiteChange
from server.services.snapshots import site_info
from server.sites.settings import SiteSettings
from server.storage import queries
from server.storage.models import Appointment, Service, Site, Ticket
from server.wayfinding import hints


@dataclass(frozen=True)
class CheckIn:
    """The result of a check-in. The token is shown once, on the ticket; we keep only
    its digest."""

    token: str
    ticket_id: int
    seq: int
    ticket: dict[str, Any]
    # Where the patient waits (a destination of the site's map), for the way there.
    waiting_area: str | None = None


def check_in_walk_in(
    site_slug: str,
    service_key: str,
    *,
    language: str | None = None,
    patient_name: str | None = None,
    step_free: bool = False,
    needs: CallNeeds = NO_NEEDS,
    actor_id: int | None = None,
) -> CheckIn:
    """A walk-in for a service: from the kiosk, or added by hand at the desk (actor).
    `step_free`: the patient asked to be shown ways without stairs or escalators;
    `needs`: an interpreter, and how they may be called."""
    now = clock.now()
    site = queries.get_site(site_slug, lock=True)
    service = queries.get_service(site, service_key)
    settings = SiteSettings.of(site)
    if actor_id is None and not settings.hours.is_open(now.astimezone(site.zone)):
        raise CheckInRefused(
            "The clinic is closed for walk-ins now. Please see the front desk.", code="closed"
        )
    ticket, token = _issue_ticket(
        site, service, now, _language(site, language), source="desk" if actor_id else "kiosk"
    )
    ticket.patient_name = patient_name
    _ask_for(ticket, step_free, needs)
    return _finish(site, ticket, token, now, actor_id)


def check_in_appointment(
    site_slug: str,
    *,
    code: str | None = None,
    last_name: str | None = None,
    date_of_birth: date | None = None,
    language: str | None = None,
    step_free: bool = False,
    needs: CallNeeds = NO_NEEDS,
    actor_id: int | None = None,
) -> CheckIn:
    """A listed appointment, found by its code or by last name and date of birth."""
    now = clock.now()
    site = queries.get_site(site_slug, lock=True)
    appointment = _find_appointment(site, now, code, last_name, date_of_birth)
    _check_can_check_in(site, appointment, now, at_kiosk=actor_id is None)
    ticket, token = _issue_ticket(
        site,
        appointment.service,
        now,
        _language(site, language),
        source="appointment",
        appointment_at=appointment.starts_at,
    )
    ticket.patient_name = f"{appointment.first_name} {appointment.last_name}"
    _ask_for(ticket, step_free, needs)
    db.session.flush()
    appointment.ticket_id = ticket.id
    appointment.mobile = None  # here: the morning link's number is needed no more
    return _finish(site, ticket, token, now, actor_id)


def lookup_appointment(
    site_slug: str,
    *,
    code: str | None = None,
    last_name: str | None = None,
    date_of_birth: date | None = None,
) -> dict[str, Any]:
    """An appointment the kiosk may check in, shown to the patient to confirm it's theirs.

    Only what a patient needs to recognise it (first name, time, service): whoever
    stands at the kiosk may not be that patient. Refused exactly as the check-in would
    be (not found, too early, too late, already checked in), so the kiosk says so
    before asking the patient to confirm. Changes nothing.
    """
    now = clock.now()
    site = queries.get_site(site_slug)
    appointment = _find_appointment(site, now, code, last_name, date_of_birth)
    _check_can_check_in(site, appointment, now, at_kiosk=True)
    return {
        "first_name": appointment.first_name,
        "time": appointment.starts_at.astimezone(site.zone).strftime("%H:%M"),
        "service": payloads.service_brief(appointment.service),
    }


def kiosk_setup(site_slug: str, device: str | None = None) -> dict[str, Any]:
    """What a kiosk page starts with: the site's public facts, the device code it
    connects as (the site's first kiosk unless told), and the site's public_url."""
    site = queries.get_site(site_slug)
    kiosks = sorted((d for d in site.devices if d.kind == "kiosk" and d.active), key=lambda d: d.id)
    return {
        "site": site_info(site_slug),
        "device": device or (kiosks[0].code if kiosks else None),
        "public_url": SiteSettings.of(site).public_url,
    }


def _check_can_check_in(
    site: Site, appointment: Appointment, now: datetime, *, at_kiosk: bool
) -> None:
    if appointment.ticket_id is not None:
        raise CheckInRefused(
            "This appointment is already checked in. Please see the front desk.",
            code="already_checked_in",
        )
    # The desk may check a patient in at any time; the kiosk only within the window.
    if at_kiosk:
        SiteSettings.of(site).appointment_window.check(now, appointment.starts_at)


def _find_appointment(
    site: Site,
    now: datetime,
    code: str | None,
    last_name: str | None,
    date_of_birth: date | None,
) -> Appointment:
    query = select(Appointment).where(
        Appointment.site_id == site.id, Appointment.day == site_day(now, site.zone)
    )
    if code:
        query = query.where(Appointment.code == code.strip().upper())
    elif last_name and date_of_birth:
        query = query.where(
            Appointment.last_name_key == last_name.strip().casefold(),
            Appointment.date_of_birth == date_of_birth,
        )
    else:
        raise CheckInRefused(
            "Give the appointment code, or your last name and date of birth.",
            code="missing_identity",
        )
    matches = db.session.execute(query.order_by(Appointment.starts_at)).scalars().all()
    if not matches:
        raise NotFound(
            "We could not find an appointment today with these details. "
            "Please check them, or see the front desk.",
            code="appointment_not_found",
        )
    # Someone with two appointments today checks in for the next one not yet done.
    pending = [a for a in matches if a.ticket_id is None]
    return min(pending or matches, key=lambda a: abs(a.starts_at - now))


def _issue_ticket(
    site: Site,
    service: Service,
    now: datetime,
    language: str,
    *,
    source: str,
    appointment_at: datetime | None = None,
    token: str | None = None,
) -> tuple[Ticket, str]:
    """A new ticket; `token`: the one its page opens with, when one was given already
    (an appointment's morning link becomes its ticket's page: appointment_links.py)."""
    day = site.days.day_of(now)
    held = queries.numbers_held(site.id, service.prefix, site.days.line_days(day))
    grace = timedelta(minutes=SiteSettings.of(site).on_time_grace_minutes)
    token = token or queue.new_ticket_token()
    ticket = Ticket(
        site_id=site.id,
        service=service,
        day=day,
        number=queue.next_ticket_number(queries.last_number(site.id, service.prefix, day), held),
        number_prefix=service.prefix,
        token_digest=queue.token_digest(token),
        status=queue.TicketStatus.WAITING,
        priority=queue.NORMAL_PRIORITY,
        source=source,
        language=language,
        arrived_at=now,
        appointment_at=appointment_at,
        queue_at=queue.queue_anchor(now, appointment_at, grace),
    )
    db.session.add(ticket)
    return ticket, token


def _ask_for(ticket: Ticket, step_free: bool, needs: CallNeeds) -> None:
    """What the patient asked for at check-in goes with the ticket."""
    ticket.step_free = step_free
    ticket.interpreter = needs.interpreter
    ticket.may_not_hear = needs.may_not_hear
    ticket.may_not_see = needs.may_not_see


def _finish(site: Site, ticket: Ticket, token: str, now: datetime, actor_id: int | None) -> CheckIn:
    change = SiteChange(site, now, "checked_in", actor_id)
    db.session.flush()
    change.touch(ticket)
    change.audit("check_in", ticket, number=str(ticket.ticket_number), source=ticket.source)
    ticket_id = ticket.id
    site_map = hints.map_of(site.settings)
    area = hints.waiting_area(site_map, ticket.service.prefix) if site_map else None
    seq = change.finish()
    return CheckIn(
        token=token,
        ticket_id=ticket_id,
        seq=seq,
        ticket=change.sent_to(ticket_id),
        waiting_area=area,
    )


def _language(site: Site, asked: str | None) -> str:
    if asked is None:
        return site.languages[0]
    if asked not in site.languages:
        raise CheckInRefused(
            f"Language {asked!r} is not offered here; choose one of {', '.join(site.languages)}.",
            code="unknown_language",
        )
    return asked
