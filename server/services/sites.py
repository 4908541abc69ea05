"""Loading a site file and importing the day's appointments."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from sqlalchemy import select

from server import clock
from server.domain.errors import BadInput
from server.domain.schedule import local_to_utc, site_day
from server.domain.text import check_line
from server.extensions import db
from server.services import audit
from server.services.changes import SiteChange
from server.services.contacts import valid_number
from server.sites.schema import DeviceSpec, SiteFile
from server.storage import queries
from server.storage.models import Appointment, Device, Room, Service, Site

# The keys of a site file's [site] table kept in `Site.settings` (the rest are columns);
# the console writes them back to a site file (site_admin.py), so both read this one list.
SITE_SETTINGS = (
    "public_url",
    "on_time_grace_minutes",
    "early_checkin_minutes",
    "late_checkin_minutes",
    "delay_notice_minutes",
    "display_cycle_seconds",
    "display_languages",
    "personal_data_days",
    "phone_region",
    "text_next_place",
    "feedback_overdue_days",
    "feedback_text_days",
    "survey_text_minutes",
    "appointment_text_hour",
    "hours",
    "day_starts",
    "remote_grace_minutes",
    "remote_move_back_places",
    "remote_leave_margin_minutes",
    "remote_closes_before_minutes",
    "remote_cap",
    "latitude",
    "longitude",
    "arrival_radius_m",
)


def load_site(spec: SiteFile, *, actor: audit.Actor | None = None) -> dict[str, Any]:
    """Create the site, or update it in place: tickets and history are kept.

    Services, rooms and devices missing from the file are made inactive, not deleted,
    because tickets and calls of the past refer to them.
    """
    site = db.session.execute(
        select(Site).where(Site.slug == spec.site.slug).with_for_update()
    ).scalar_one_or_none()
    created = site is None
    if site is None:
        site = Site(slug=spec.site.slug, seq=0)
        db.session.add(site)
    site.name = spec.site.name
    site.timezone = spec.site.timezone
    site.languages = list(spec.site.languages)
    site.settings = spec.site.model_dump(include=set(SITE_SETTINGS))
    # The walking map for wayfinding, as checked with the file (None: the file has none).
    site.settings = {**site.settings, "map": spec.map_data()}
    # ...and as written, so that the console can write the site file back (site_admin.py).
    site.settings = {**site.settings, "map_source": spec.map_source()}
    # The usual reasons for a delay, the desk's list: [{code, name: {language: words}}].
    site.settings = {
        **site.settings,
        "delay_reasons": [r.model_dump(include={"code", "name"}) for r in spec.delay_reasons],
    }
    # Holidays and closed afternoons, as the site file writes them (sites/settings.py).
    site.settings = {
        **site.settings,
        "closures": [
            c.model_dump(mode="json", by_alias=True, exclude_none=True) for c in spec.closures
        ],
    }
    # The site's own yes/no question on the survey: {language: words}, or None.
    site.settings = {
        **site.settings,
        "feedback_question": spec.feedback_question.text if spec.feedback_question else None,
    }
    # Each service's wait target, for the reports: {service code: minutes}.
    site.settings = {
        **site.settings,
        "wait_targets": {
            s.code: s.wait_target_minutes for s in spec.services if s.wait_target_minutes
        },
    }
    # The services that take remote tickets (/join): [service code].
    site.settings = {
        **site.settings,
        "remote_services": [s.code for s in spec.services if s.remote_join],
    }
    for cached in ("zone", "days"):  # the cached time zone and day boundary may be stale
        site.__dict__.pop(cached, None)
    db.session.flush()
    services = _sync_services(site, spec)
    _sync_rooms(site, spec, services)
    _sync_devices(site, "kiosk", spec.kiosks)
    _sync_devices(site, "display", spec.displays)
    db.session.flush()
    db.session.refresh(site)
    now = clock.now()
    change = SiteChange(
        site,
        now,
        "site_loaded",
        None,
        service_ids={s.id for s in services.values()},
        whole_views=True,  # names and languages may have changed
    )
    audit.record(
        "site_loaded",
        actor,
        site_id=site.id,
        at=now,
        created=created,
        services=sorted({s.code for s in services.values()}),
        rooms=[r.code for r in site.rooms if r.active],
    )
    seq = change.finish()
    return {"slug": spec.site.slug, "created": created, "seq": seq}


def _sync_services(site: Site, spec: SiteFile) -> dict[str, Service]:
    existing = {
        s.code: s for s in db.session.scalars(select(Service).where(Service.site_id == site.id))
    }
    by_key: dict[str, Service] = {}
    for position, item in enumerate(spec.services):
        service = existing.pop(item.code, None) or Service(site_id=site.id, code=item.code)
        service.prefix = item.prefix
        service.names = dict(item.name)
        service.typical_minutes = item.typical_minutes
        service.colour = item.colour
        service.position = position
        service.active = True
        db.session.add(service)
        by_key[item.code] = by_key[item.prefix] = service
    for gone in existing.values():
        gone.active = False
    return by_key


def _sync_rooms(site: Site, spec: SiteFile, services: dict[str, Service]) -> None:
    existing = {r.code: r for r in db.session.scalars(select(Room).where(Room.site_id == site.id))}
    for position, item in enumerate(spec.rooms):
        room = existing.pop(item.code, None) or Room(site_id=site.id, code=item.code, paused=False)
        room.names = dict(item.name)
        room.services = list({services[k].id: services[k] for k in item.services}.values())
        room.position = position
        room.hours = item.hours
        room.active = True
        db.session.add(room)
    for gone in existing.values():
        gone.active = False


def _sync_devices(site: Site, kind: str, items: list[DeviceSpec]) -> None:
    existing = {
        d.code: d
        for d in db.session.scalars(
            select(Device).where(Device.site_id == site.id, Device.kind == kind)
        )
    }
    for item in items:
        device = existing.pop(item.code, None) or Device(site_id=site.id, kind=kind, code=item.code)
        device.name = item.name
        device.config = {"services": item.services} if item.services else {}
        device.active = True
        db.session.add(device)
    for gone in existing.values():
        gone.active = False


# --- Appointments -----------------------------------------------------------------

APPOINTMENT_COLUMNS = ("code", "last_name", "first_name", "date_of_birth", "service", "time")


class AppointmentFileError(ValueError):
    """A CSV that cannot be imported; nothing of it was saved."""


def appointments_text(data: bytes) -> str:
    """An appointments file as it was sent or read, as text: UTF-8, a byte-order mark
    dropped. Every way in (the API, the command) reads the file through this."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise AppointmentFileError(
            f"The CSV must be UTF-8 text: line {line} has byte 0x{data[error.start]:02x}."
        ) from None


@dataclass(frozen=True)
class AppointmentRow:
    code: str
    last_name: str
    first_name: str
    date_of_birth: date
    service: str
    day: date
    at: time
    mobile: str | None = None  # E.164, for the morning link (services/morning_texts.py)


def import_appointments(
    site_slug: str,
    csv_text: str,
    day: date | None = None,
    *,
    actor: audit.Actor | None = None,
) -> dict[str, int]:
    """Import appointments from CSV. Rows with a code already known are updated.

    Columns: code, last_name, first_name, date_of_birth (YYYY-MM-DD), service (prefix or
    code), time (HH:MM, site time), and optionally date (YYYY-MM-DD; else `day`, else
    the site's today) and mobile (a number typed without its country code is read in the
    site's `phone_region`; the morning link is texted to it). One bad row refuses the
    whole file.
    """
    site = queries.get_site(site_slug, lock=True)
    rows, problems = read_appointments(site, csv_text, day)
    if problems:
        raise AppointmentFileError("; ".join(problems[:20]))
    created = updated = 0
    for row in rows:
        service = queries.get_service(site, row.service)
        appointment = db.session.execute(
            select(Appointment).where(Appointment.site_id == site.id, Appointment.code == row.code)
        ).scalar_one_or_none()
        if appointment is None:
            appointment = Appointment(site_id=site.id, code=row.code)
            db.session.add(appointment)
            created += 1
        else:
            updated += 1
        appointment.service_id = service.id
        appointment.first_name = row.first_name
        appointment.last_name = row.last_name
        appointment.last_name_key = row.last_name.casefold()
        appointment.date_of_birth = row.date_of_birth
        if appointment.day != row.day or appointment.mobile != row.mobile:
            # Another day or number: the morning link is (re)sent, an old one ends.
            appointment.link_digest = appointment.link_sent_at = None
        appointment.mobile = row.mobile
        appointment.day = row.day
        appointment.starts_at = local_to_utc(row.day, row.at, site.zone)
    audit.record(
        "appointments_imported",
        actor,
        site_id=site.id,
        created=created,
        updated=updated,
        days=sorted({row.day.isoformat() for row in rows}),
    )
    db.session.commit()
    return {"created": created, "updated": updated}


def read_appointments(
    site: Site, csv_text: str, day: date | None = None
) -> tuple[list[AppointmentRow], list[str]]:
    """The file's rows, and a problem for each bad line ("line 7: ..."); nothing saved.
    A file that cannot be read at all (a missing column) raises AppointmentFileError."""
    default_day = day or site_day(clock.now(), site.zone)
    services = {s.prefix for s in site.services} | {s.code for s in site.services}
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    missing = [c for c in APPOINTMENT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise AppointmentFileError(f"line 1: missing column(s) {', '.join(missing)}")
    region = (site.settings or {}).get("phone_region")
    rows, problems, codes = [], [], set()
    for line, raw in enumerate(reader, start=2):
        try:
            row = _parse_row(raw, default_day, services, region)
        except ValueError as error:
            problems.append(f"line {line}: {error}")
            continue
        if row.code in codes:
            problems.append(f"line {line}: appointment code {row.code!r} appears twice")
        codes.add(row.code)
        rows.append(row)
    return rows, problems


def _parse_row(
    raw: dict[str, str | None], default_day: date, services: set[str], region: str | None
) -> AppointmentRow:
    def field(name: str, limit: int = 100) -> str:
        value = (raw.get(name) or "").strip()
        if not value:
            raise ValueError(f"{name} is empty")
        try:
            check_line(value, field=name)
        except BadInput as refused:
            raise ValueError(refused.message) from None
        if len(value) > limit:
            raise ValueError(f"{name} is longer than {limit} characters")
        return value

    def parsed(name: str, parse: Any, form: str) -> Any:
        try:
            return parse(field(name))
        except ValueError:
            raise ValueError(f"{name} {raw.get(name)!r} is not {form}") from None

    service = field("service")
    if service not in services:
        raise ValueError(f"unknown service {service!r}")
    return AppointmentRow(
        code=field("code", 32).upper(),
        last_name=field("last_name"),
        first_name=field("first_name"),
        date_of_birth=parsed("date_of_birth", date.fromisoformat, "a date (YYYY-MM-DD)"),
        service=service,
        day=parsed("date", date.fromisoformat, "a date (YYYY-MM-DD)")
        if raw.get("date")
        else default_day,
        at=parsed("time", time.fromisoformat, "a time (HH:MM)"),
        mobile=_mobile(raw.get("mobile"), region),
    )


def _mobile(typed: str | None, region: str | None) -> str | None:
    """The optional `mobile` column, in its international form; empty: no number."""
    typed = (typed or "").strip()
    if not typed:
        return None
    number = valid_number(typed, region)
    if number is None:
        where = f" (read in region {region})" if region else ""
        raise ValueError(f"mobile {typed!r} is not a mobile number we can text{where}")
    return number
