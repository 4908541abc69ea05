"""Removing patients' personal data once a site's retention period is over.

What is removed, from visits of days before the site's cut-off (domain/retention.py):
a ticket's patient name and its step-free request, and an appointment's names and
birth date. A patient's number for texts goes sooner: with the visit, or at the latest
when its day is over (an appointment's number for its morning link too). Feedback's free
text (with any contact left) goes after the site's own `feedback_text_days`, keeping the
rating. What stays: the visit's times, calls,
waits and estimates, the service and the appointment code, so the reports still count
it. Each removal is an audit entry (how many of each, and up to which day), never with
what was removed.

The server runs it on its slow tick (services/ticks.py, once per deployment), at most
once every PURGE_EVERY; `waitroom purge-personal-data` runs it at once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, delete, false, func, or_, select, update

from server import clock
from server.domain.retention import DEFAULT_KEEP_DAYS, clear_visits_before
from server.domain.schedule import site_day
from server.extensions import db
from server.services import audit, feedback
from server.storage import queries
from server.storage.models import Appointment, Contact, Site, Ticket

PURGE_EVERY = timedelta(hours=1)
_LAST_PURGE = "waitroom.personal_data_purged_at"
# Who the scheduled removal is, in the audit log.
SCHEDULED = audit.Actor(username="retention schedule")


@dataclass(frozen=True)
class Removal:
    """What was (or, in a dry run, would be) removed from one site."""

    site: str
    before: date  # visits of days before this one
    tickets: int
    appointments: int
    numbers: int = 0  # patients' numbers for texts, of visits of days before today
    feedback_texts: int = 0  # answers whose free text (and any contact) went

    @property
    def anything(self) -> bool:
        return bool(self.tickets or self.appointments or self.numbers or self.feedback_texts)


def purge_personal_data(
    site_slug: str | None = None, *, dry_run: bool = False, actor: audit.Actor | None = None
) -> list[Removal]:
    """Remove the personal data of visits past each site's retention period (or one
    site's); `dry_run` only counts. Returns one Removal per site."""
    sites = [queries.get_site(site_slug)] if site_slug else _all_sites()
    now = clock.now()
    removals = []
    for site in sites:
        keep_days = int((site.settings or {}).get("personal_data_days", DEFAULT_KEEP_DAYS))
        before = clear_visits_before(site_day(now, site.zone), keep_days)
        first_in_line, _ = site.days.line_days(site.days.day_of(now))
        removal = _remove(site, before, dry_run=dry_run)
        numbers = _forget_numbers(site, first_in_line, dry_run=dry_run)
        numbers += _forget_appointment_numbers(site, site_day(now, site.zone), dry_run=dry_run)
        removal = replace(removal, numbers=numbers)
        # Feedback's free text has its own, longer period (feedback_text_days).
        texts = feedback.remove_old_feedback_text(site, now)
        removal = replace(removal, feedback_texts=texts)
        if removal.anything and not dry_run:
            audit.record(
                "personal_data_removed",
                actor,
                site_id=site.id,
                at=now,
                before=before.isoformat(),
                tickets=removal.tickets,
                appointments=removal.appointments,
                **({"numbers": removal.numbers} if removal.numbers else {}),
                # Named only when there were some: earlier entries keep their shape.
                **({"feedback_texts": removal.feedback_texts} if removal.feedback_texts else {}),
            )
        removals.append(removal)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return removals


def purge_when_due() -> list[Removal]:
    """The slow tick's share: purge if this process has not for PURGE_EVERY."""
    now = clock.now()
    last = current_app.extensions.get(_LAST_PURGE)
    if last is not None and now - last < PURGE_EVERY:
        return []
    current_app.extensions[_LAST_PURGE] = now
    return purge_personal_data(actor=SCHEDULED)


# What a patient asked for at check-in, about their body or their language: personal.
_TICKET_FLAGS = (Ticket.step_free, Ticket.interpreter, Ticket.may_not_hear, Ticket.may_not_see)


def _remove(site: Site, before: date, *, dry_run: bool) -> Removal:
    tickets = [
        Ticket.site_id == site.id,
        Ticket.day < before,
        or_(
            Ticket.patient_name.is_not(None),
            *(flag.is_not(false()) for flag in _TICKET_FLAGS),
        ),
    ]
    appointments = [
        Appointment.site_id == site.id,
        Appointment.day < before,
        or_(
            Appointment.first_name.is_not(None),
            Appointment.last_name.is_not(None),
            Appointment.last_name_key.is_not(None),
            Appointment.date_of_birth.is_not(None),
        ),
    ]
    removal = Removal(site.slug, before, _count(Ticket, tickets), _count(Appointment, appointments))
    if removal.anything and not dry_run:
        db.session.execute(
            update(Ticket)
            .where(*tickets)
            .values(patient_name=None, **{flag.key: False for flag in _TICKET_FLAGS})
        )
        db.session.execute(
            update(Appointment)
            .where(*appointments)
            .values(first_name=None, last_name=None, last_name_key=None, date_of_birth=None)
        )
    return removal


def _forget_numbers(site: Site, first_in_line: date, *, dry_run: bool) -> int:
    """A number for texts lives as long as its visit: the visits that ended delete theirs
    at once (services/notifications.py); those of past days (a no-show who did not come
    back, a ticket left waiting at closing) are deleted here, once their tickets have left
    the line (the site's day is over; a 24-hour site keeps yesterday's line too)."""
    past = select(Ticket.id).where(Ticket.site_id == site.id, Ticket.day < first_in_line)
    where: list[ColumnElement[bool]] = [Contact.ticket_id.in_(past)]
    count = _count(Contact, where)
    if count and not dry_run:
        db.session.execute(delete(Contact).where(*where))
    return count


def _forget_appointment_numbers(site: Site, today: date, *, dry_run: bool) -> int:
    """An appointment's mobile number (for its morning link: services/morning_texts.py)
    goes when the patient checks in (services/checkin.py), and at the latest when its
    day is over: here."""
    where: list[ColumnElement[bool]] = [
        Appointment.site_id == site.id,
        Appointment.day < today,
        Appointment.mobile.is_not(None),
    ]
    count = _count(Appointment, where)
    if count and not dry_run:
        db.session.execute(update(Appointment).where(*where).values(mobile=None))
    return count


def _count(model: Any, where: list[ColumnElement[bool]]) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _all_sites() -> list[Site]:
    return list(db.session.scalars(select(Site).order_by(Site.id)))
