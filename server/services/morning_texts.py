"""The morning link: on the day of an appointment whose file gave a mobile number, the
patient is texted once, from the site's hour and never at night, a link to /a/<token>
("Tap here when you arrive"), where they say "I'm here" with the arrival code
(services/appointment_links.py). The rules are domain/morning.py's.

Run by the slow tick (services/ticks.py), once per deployment; the text goes through the
outbox like every other message. The link's token is kept only as its digest.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import select

from server import clock
from server.domain import morning, queue
from server.domain.notify import SMS, Kind
from server.extensions import db
from server.notify import outbox
from server.services import audit
from server.sites.settings import SiteSettings
from server.storage import queries
from server.storage.models import Appointment, Site

LINK_PATH = "/a/"  # phone/appointment.py serves it
SCHEDULED = audit.Actor(username="morning link schedule")


def send_morning_links() -> int:
    """Write the morning links due now to the outbox, every site's; returns how many."""
    if not current_app.config.get("SMS_URL"):
        return 0  # no texts here: nothing to send, and nothing marked sent
    now = clock.now()
    written = 0
    for slug in list(db.session.scalars(select(Site.slug).order_by(Site.id))):
        written += _site_links(slug, now)
    if written:
        outbox.wake_sender()
    return written


def _site_links(slug: str, now: datetime) -> int:
    if not _due(queries.get_site(slug), now):
        db.session.rollback()  # nothing due: no write lock taken
        return 0
    site = queries.get_site(slug, lock=True)  # a check-in may be taking one meanwhile
    due = _due(site, now)
    base = _base_url(site) if due else None
    if base is None:
        db.session.rollback()
        return 0
    for appointment in due:
        token = queue.new_ticket_token()
        appointment.link_digest = queue.token_digest(token)
        appointment.link_sent_at = now
        outbox.add_to_address(
            site_id=site.id,
            ticket_id=None,
            channel=SMS,
            address=str(appointment.mobile),
            kind=Kind.ARRIVAL_LINK,
            body=_body(site, appointment, base + LINK_PATH + token),
            due=now,
        )
    # How many, never to whom.
    audit.record("appointment_links_texted", SCHEDULED, site_id=site.id, at=now, count=len(due))
    db.session.commit()
    return len(due)


def _due(site: Site, now: datetime) -> list[Appointment]:
    """The site's appointments whose morning link is to be texted now."""
    local = now.astimezone(site.zone)
    hour = morning.text_hour((site.settings or {}).get("appointment_text_hour"))
    late = SiteSettings.of(site).appointment_window.late
    waiting = db.session.scalars(
        select(Appointment).where(
            Appointment.site_id == site.id,
            Appointment.day == local.date(),
            Appointment.mobile.is_not(None),
            Appointment.link_sent_at.is_(None),
            Appointment.ticket_id.is_(None),
        )
    )
    return [
        appointment
        for appointment in waiting
        if morning.link_text_due(
            local, day=appointment.day, starts_at=appointment.starts_at, late=late, hour=hour
        )
    ]


def _body(site: Site, appointment: Appointment, link: str) -> str:
    """Short, in the site's first language (the file says no other), with no name."""
    with force_locale(site.languages[0]):
        return str(
            gettext(
                "%(clinic)s: your appointment is today at %(time)s. "
                "Tap here when you arrive: %(link)s",
                clinic=site.name,
                time=appointment.starts_at.astimezone(site.zone).strftime("%H:%M"),
                link=link,
            )
        )


def _base_url(site: Site) -> str | None:
    """The address phones reach us at: the site file's public_url, else PUBLIC_URL. The
    tick has no request to take one from; without either, no link can be sent."""
    configured = SiteSettings.of(site).public_url or current_app.config.get("PUBLIC_URL")
    if not configured:
        current_app.logger.warning(
            "morning links for %s are not sent: set public_url in the site file, or PUBLIC_URL",
            site.slug,
        )
        return None
    return str(configured).rstrip("/")
