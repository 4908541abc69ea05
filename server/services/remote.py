"""Waiting from anywhere: joining a line remotely, saying "I'm here" (on the phone with
the arrival code, at the desk, or at the kiosk's "I joined online"), the desk's pause.

The rules are the domain's (server/domain/remote.py); this module loads, applies them,
commits and publishes like every other use case. "Call next" passing over remote tickets
not yet here, holding them and moving them back is `pass_over` (called by
tickets.call_next, under the same lock and in the same change).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select

from server import clock, payloads
from server.domain import queue, remote
from server.domain.errors import BadInput, CheckInRefused, InvalidTransition, NotFound
from server.domain.notify import SMS
from server.domain.remote import JoinClosed
from server.extensions import db
from server.services.arrival import arrival_code
from server.services.changes import SiteChange
from server.services.checkin import CheckIn, _finish, _issue_ticket, _language
from server.services.contacts import phone_number, texts_offered
from server.services.tickets import ticket_id_for_token
from server.sites.settings import SiteSettings
from server.storage import queries
from server.storage.models import REMOTE, Contact, Service, Site, Ticket
from server.wayfinding import hints


def _refusal_words(reason: JoinClosed, site: Site) -> str:
    """What the patient is told, in their language (plain words: the join page)."""
    if reason is JoinClosed.PAUSED:
        return site.remote_pause or str(gettext("Joining from home is paused. Please come in."))
    words = {
        JoinClosed.NOT_OFFERED: gettext("You cannot join this line from home."),
        JoinClosed.CLOSED: gettext("Joining from home is closed now."),
        JoinClosed.FULL: gettext("This line is full for now. Please try again later."),
        JoinClosed.NUMBER_HAS_TICKET: gettext("This number is already in line here."),
    }
    return str(words[reason])


# --- The public join page ------------------------------------------------------------


def join_page(site_slug: str) -> dict[str, Any]:
    """What /join shows: the services that take remote tickets, with their wait, the
    site's hours today, when joining closes, and the desk's pause reason."""
    site = queries.get_site(site_slug)
    now = clock.now()
    settings = SiteSettings.of(site)
    open_until = _open_until(site, settings, now)
    closes_at = remote.join_closes_at(open_until, settings.remote)
    counts = _remote_waiting(site, now)
    waits = site.service_waits or {}
    services = []
    for service in site.services:
        if not service.active or service.code not in settings.remote_services:
            continue
        refusal = _refusal(
            site, settings, service=service, now=now, open_until=open_until, counts=counts
        )
        wait = waits.get(str(service.id))
        services.append(
            {
                **payloads.service_brief(service),
                "wait": {"central": wait[0], "low": wait[1], "high": wait[2]} if wait else None,
                "open": refusal is None,
                "refusal": refusal.value if refusal else None,
            }
        )
    local_day = now.astimezone(site.zone).date()
    return {
        "slug": site.slug,
        "name": site.name,
        "languages": site.languages,
        "services": services,
        "hours": [
            [_clock_time(site, start), _closing_time(site, end, local_day)]
            for start, end in settings.hours.spans(local_day, local_day, site.zone)
        ],
        "closes_at": payloads.iso(closes_at) if closes_at else None,
        "closes_at_local": _clock_time(site, closes_at) if closes_at else None,
        "paused": site.remote_pause,
        "texts": texts_offered(),
        "travel_minutes": remote.DEFAULT_TRAVEL_MINUTES,
    }


def _clock_time(site: Site, moment: datetime) -> str:
    return moment.astimezone(site.zone).strftime("%H:%M")


def _closing_time(site: Site, end: datetime, day: date) -> str:
    """A span's end; one at the midnight that ends the day reads "24:00", so that a site
    open all day says 00:00-24:00, not 00:00-00:00."""
    local = end.astimezone(site.zone)
    if local.date() > day and local.time() == time(0):
        return "24:00"
    return local.strftime("%H:%M")


# --- Joining --------------------------------------------------------------------------


def join_remotely(
    site_slug: str,
    service_key: str,
    *,
    language: str | None = None,
    travel_minutes: int = remote.DEFAULT_TRAVEL_MINUTES,
    mobile: str | None = None,
    consent: bool = False,
) -> CheckIn:
    """A patient joins a line from home: a ticket that keeps its place by the time it
    joined and is called once the patient has said "I'm here"."""
    now = clock.now()
    site = queries.get_site(site_slug, lock=True)
    service = queries.get_service(site, service_key)
    settings = SiteSettings.of(site)
    travel = remote.check_travel_minutes(travel_minutes)
    number = None
    if mobile:
        if not texts_offered():
            raise CheckInRefused(
                str(gettext("We cannot send texts here.")), code="texts_not_offered"
            )
        if not consent:
            raise BadInput(
                str(gettext("Tick the box to agree to receive text messages.")),
                code="consent_required",
            )
        number = phone_number(mobile, (site.settings or {}).get("phone_region"))
    refusal = _refusal(
        site,
        settings,
        service=service,
        now=now,
        open_until=_open_until(site, settings, now),
        counts=None,
    )
    if refusal is None and number is not None and _number_in_line(site, number, now):
        refusal = JoinClosed.NUMBER_HAS_TICKET
    if refusal is not None:
        raise CheckInRefused(_refusal_words(refusal, site), code=refusal.value)
    ticket, token = _issue_ticket(site, service, now, _language(site, language), source=REMOTE)
    ticket.travel_minutes = travel
    if number is not None:
        ticket.contacts.append(Contact(channel=SMS, address=number, added_at=now))
    return _finish(site, ticket, token, now, None)


def _refusal(
    site: Site,
    settings: SiteSettings,
    *,
    service: Service,
    now: datetime,
    open_until: datetime | None,
    counts: dict[int, int] | None,
) -> JoinClosed | None:
    waiting = (counts if counts is not None else _remote_waiting(site, now)).get(service.id, 0)
    return remote.join_refusal(
        offered=service.code in settings.remote_services,
        open_until=open_until,
        now=now,
        paused=site.remote_pause is not None,
        remote_waiting=waiting,
        rules=settings.remote,
    )


def _open_until(site: Site, settings: SiteSettings, now: datetime) -> datetime | None:
    local_day = now.astimezone(site.zone).date()
    spans = settings.hours.spans(local_day - timedelta(days=1), local_day, site.zone)
    return remote.end_of_span(spans, now)


def _remote_waiting(site: Site, now: datetime) -> dict[int, int]:
    """Per service, the remote tickets in line not yet here."""
    days = site.days.line_days(site.days.day_of(now))
    rows = db.session.execute(
        select(Ticket.service_id, func.count())
        .where(
            Ticket.site_id == site.id,
            Ticket.day.between(*days),
            Ticket.source == REMOTE,
            Ticket.here_at.is_(None),
            Ticket.status == queue.TicketStatus.WAITING,
        )
        .group_by(Ticket.service_id)
    )
    return {service_id: count for service_id, count in rows}


def _number_in_line(site: Site, number: str, now: datetime) -> bool:
    """Whether this mobile number holds a remote ticket of this site still open."""
    days = site.days.line_days(site.days.day_of(now))
    found = db.session.execute(
        select(Ticket.id)
        .join(Contact, Contact.ticket_id == Ticket.id)
        .where(
            Ticket.site_id == site.id,
            Ticket.day.between(*days),
            Ticket.source == REMOTE,
            Ticket.status.in_(list(queue.OPEN_STATUSES)),
            Contact.channel == SMS,
            Contact.address == number,
        )
        .limit(1)
    ).first()
    return found is not None


# --- "I'm here" -------------------------------------------------------------------------


def arrive_by_patient(token: str, code: str = "", *, key: str = "") -> dict[str, Any]:
    """The patient types the code posted in the clinic on their ticket page, or taps
    "I'm here" on the page the arrival poster's QR code opened (its `key`)."""
    site, ticket = _ticket_of(token)
    now = clock.now()
    by_code = bool(code) and remote.code_matches(code, arrival_code(site, now))
    if not by_code and not (key and remote.poster_key_matches(key, site.poster_key)):
        raise BadInput(
            str(gettext("This code is not right. Look for the code on the screen.")),
            code="wrong_arrival_code",
        )
    return _arrive(site, ticket, now, actor_id=None, how="code" if by_code else "poster")


def arrive_by_location(
    token: str, latitude: float, longitude: float, accuracy_m: float
) -> dict[str, Any]:
    """ "Use my location": the browser's position, sent once after a tap. Accepted within
    the site's radius; it is compared and forgotten, never stored or logged."""
    here = remote.check_place(latitude, longitude)
    site, ticket = _ticket_of(token)
    settings = SiteSettings.of(site)
    if settings.location is None:
        raise CheckInRefused(
            str(gettext("Please type the code you see on the screen.")),
            code="location_not_offered",
        )
    if not remote.is_at_site(here, accuracy_m, settings.location, settings.arrival_radius_m):
        raise BadInput(
            str(gettext("We could not tell that you are here. Please type the code instead.")),
            code="not_at_site",
        )
    return _arrive(site, ticket, clock.now(), actor_id=None, how="location")


def location_offered(site_slug: str) -> bool:
    """Whether the ticket page may offer "Use my location": the site file gives where
    the site is (latitude, longitude)."""
    return SiteSettings.of(queries.get_site(site_slug)).location is not None


def _ticket_of(token: str) -> tuple[Site, Ticket]:
    ticket_id = ticket_id_for_token(token)
    site = queries.get_site(db.session.get_one(Ticket, ticket_id).site.slug, lock=True)
    return site, queries.get_ticket(site, ticket_id)


def arrive_by_staff(site_slug: str, ticket_id: int, *, actor_id: int) -> dict[str, Any]:
    """The desk marks a remote ticket arrived (the kiosk's "I joined online" is
    `arrive_at_kiosk`, below: the same change, found by what the patient types)."""
    site = queries.get_site(site_slug, lock=True)
    ticket = queries.get_ticket(site, ticket_id)
    return _arrive(site, ticket, clock.now(), actor_id=actor_id, how="staff")


def _arrive(
    site: Site, ticket: Ticket, now: datetime, *, actor_id: int | None, how: str
) -> dict[str, Any]:
    if not ticket.remote or ticket.status != queue.TicketStatus.WAITING:
        raise InvalidTransition("Only a remote ticket still waiting can arrive.", code="not_remote")
    if ticket.here_at is None:
        ticket.here_at = now
        ticket.held_at = None
    change = SiteChange(site, now, "arrived", actor_id)
    change.touch(ticket)
    change.audit("remote_arrived", ticket, by=how)  # how, never where
    ticket_id = ticket.id
    seq = change.finish()
    return {
        "seq": seq,
        "ticket": change.sent_to(ticket_id) if actor_id is None else change.staff_view(ticket_id),
    }


# --- "I joined online" at the kiosk ------------------------------------------------------


def arrive_at_kiosk(
    site_slug: str, *, ticket_number: str | None = None, mobile: str | None = None
) -> dict[str, Any]:
    """The kiosk's "I joined online": the patient types their ticket number or the
    mobile number they joined with, and their remote ticket is marked arrived.

    Only an exact match is ever used, and a number that matches nothing here (another
    site's ticket, a mistyped number) is answered the same way whatever exists
    elsewhere: the answer tells nothing about anyone else's ticket. The kiosk never
    learns the ticket's token (only its digest is kept): it shows the ticket screen
    without the phone link, which the patient has already."""
    site = queries.get_site(site_slug, lock=True)
    now = clock.now()
    if ticket_number is not None:
        ticket = _ticket_numbered(site, now, ticket_number)
    else:
        number = phone_number(mobile or "", (site.settings or {}).get("phone_region"))
        ticket = _remote_ticket_of_number(site, now, number)
    if ticket is None:
        raise NotFound(
            str(gettext("We cannot find a ticket from home with this number here.")),
            code="remote_ticket_not_found",
        )
    refusal = remote.kiosk_arrival_refusal(
        remote=ticket.remote, status=queue.TicketStatus(ticket.status), here=ticket.here
    )
    if refusal is not None:
        raise InvalidTransition(_arrival_refusal_words(refusal), code=refusal.value)
    site_map = hints.map_of(site.settings)
    area = hints.waiting_area(site_map, ticket.service.prefix) if site_map else None
    answer = _arrive(site, ticket, now, actor_id=None, how="kiosk")
    return {
        "seq": answer["seq"],
        "ticket": payloads.kiosk_arrival_view(answer["ticket"]),
        "waiting_area": area,
    }


def _arrival_refusal_words(reason: remote.ArrivalRefused) -> str:
    words = {
        remote.ArrivalRefused.NOT_REMOTE: gettext(
            "This ticket was not taken from home: you are checked in already."
        ),
        remote.ArrivalRefused.ALREADY_ARRIVED: gettext("We know you are here already."),
        remote.ArrivalRefused.ALREADY_CALLED: gettext(
            "This number has been called already. Please see the front desk."
        ),
        remote.ArrivalRefused.ENDED: gettext("This visit is over. Please see the front desk."),
    }
    return str(words[reason])


def _ticket_numbered(site: Site, now: datetime, typed: str) -> Ticket | None:
    """The ticket of the line's days with exactly this number (an open one first)."""
    number = remote.parse_ticket_number(typed)
    if number is None:
        raise BadInput(
            str(gettext("Type the number on your ticket page, for example G-012.")),
            code="invalid_ticket_number",
        )
    days = site.days.line_days(site.days.day_of(now))
    found = db.session.scalars(
        select(Ticket).where(
            Ticket.site_id == site.id,
            Ticket.day.between(*days),
            Ticket.number_prefix == number.prefix,
            Ticket.number == number.number,
        )
    ).all()
    return _likeliest(found)


def _remote_ticket_of_number(site: Site, now: datetime, number: str) -> Ticket | None:
    """The remote ticket of the line's days that joined with this mobile number (a
    number holds one open remote ticket per site: `_number_in_line`)."""
    days = site.days.line_days(site.days.day_of(now))
    found = db.session.scalars(
        select(Ticket)
        .join(Contact, Contact.ticket_id == Ticket.id)
        .where(
            Ticket.site_id == site.id,
            Ticket.day.between(*days),
            Ticket.source == REMOTE,
            Contact.channel == SMS,
            Contact.address == number,
        )
    ).all()
    return _likeliest(found)


def _likeliest(tickets: Sequence[Ticket]) -> Ticket | None:
    """Of the tickets that match exactly, the one in line (or else the latest)."""
    return max(tickets, key=lambda t: (t.status in queue.OPEN_STATUSES, t.day, t.id), default=None)


# --- The desk's pause -------------------------------------------------------------------


def pause_remote_joining(site_slug: str, reason: str, *, actor_id: int) -> dict[str, Any]:
    site = queries.get_site(site_slug, lock=True)
    site.remote_pause = remote.check_pause_reason(reason)
    return _site_changed(site, "remote_paused", actor_id, reason=site.remote_pause)


def resume_remote_joining(site_slug: str, *, actor_id: int) -> dict[str, Any]:
    site = queries.get_site(site_slug, lock=True)
    site.remote_pause = None
    return _site_changed(site, "remote_resumed", actor_id)


def _site_changed(site: Site, action: str, actor_id: int, **detail: Any) -> dict[str, Any]:
    change = SiteChange(site, clock.now(), action, actor_id)
    change.audit(action, **detail)
    paused = site.remote_pause
    seq = change.finish()
    return {"seq": seq, "paused": paused}
