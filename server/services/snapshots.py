"""Whole-state reads, for a client that connects, reconnects or sees a gap."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from server import clock, payloads
from server.domain.errors import DomainError, NotFound
from server.extensions import db
from server.realtime import presence
from server.services import estimates, feedback
from server.services.arrival import arrival_code, shows_arrival_code
from server.sites.settings import SiteSettings
from server.storage import queries
from server.storage.models import AuditEntry, Site


def display_snapshot(site_slug: str) -> dict[str, Any]:
    site = queries.get_site(site_slug)
    view = estimates.shown_view(site, clock.now(), record=False)
    state = payloads.display_state(view, queries.active_notices(site.id))
    return {
        "seq": site.seq,
        "kind": "snapshot",
        "state": state,
        "announce": None,
        # "You said, we did": staff's published words only (services/feedback.py).
        "statements": feedback.published_statements(site.id),
        # The day's code: a screen that reconnects after the day turned shows the new one.
        "arrival_code": arrival_code(site) if shows_arrival_code(site) else None,
    }


def staff_snapshot(site_slug: str) -> dict[str, Any]:
    site = queries.get_site(site_slug)
    view = estimates.shown_view(site, clock.now(), record=False)
    notices = queries.active_notices(site.id)
    return {
        "seq": site.seq,
        "kind": "snapshot",
        **payloads.staff_snapshot(view, notices),
        "devices": _devices(site),
        "arrival_code": arrival_code(site) if shows_arrival_code(site) else None,
    }


def presence_update(site_slug: str) -> dict[str, Any]:
    """For the desks: the site's kiosks and displays changed connection.

    It carries the current `seq` unchanged: presence is not a queue change, so it is
    not numbered, and a desk that applies it has missed nothing.
    """
    site = queries.get_site(site_slug)
    return {"seq": site.seq, "kind": "presence", "devices": _devices(site)}


def _devices(site: Site) -> list[dict[str, Any]]:
    return payloads.device_list(site.devices, presence.registry().of_site(site.slug))


def display_setup(
    site_slug: str, *, device: str | None = None, services: Sequence[str] | None = None
) -> dict[str, Any]:
    """What a display page needs before its socket connects: names, and what it shows.

    A display shows every service unless told some: by `services` (prefixes or codes),
    or by its `device` code when the site file gives that display a list. An unknown
    device code is allowed (it shows everything, and desks list it as unnamed).
    """
    site = queries.get_site(site_slug)
    active = [s for s in site.services if s.active]
    named = next((d for d in site.devices if d.active and d.code == device), None)
    wanted = services or (named.config.get("services") if named else None)
    shown = [queries.get_service(site, key).prefix for key in wanted] if wanted else None
    return {
        "site": {"slug": site.slug, "name": site.name, "languages": site.languages},
        "services": [payloads.service_brief(s) for s in active],
        "rooms": {
            r.code: {"names": r.names, "services": [s.prefix for s in r.services]}
            for r in site.rooms
            if r.active
        },
        "shown_services": shown,
        # Every notice (and every page of services) is shown once within this cycle.
        "cycle_seconds": SiteSettings.of(site).display_cycle_seconds,
        # The few languages it shows room names and reasons in, and says each call in.
        "display_languages": list(SiteSettings.of(site).display_languages),
        "device": {"code": device, "name": named.name if named else None} if device else None,
        # For patients who joined from home to say "I'm here" (services/remote.py); only
        # where a service takes remote tickets.
        "arrival_code": arrival_code(site) if shows_arrival_code(site) else None,
    }


class SiteRequired(DomainError):
    code = "site_required"
    status = 400


def sole_site() -> str:
    """The slug of the only site, so a one-site install needs no ?site= in its URLs."""
    slugs = db.session.scalars(select(Site.slug).order_by(Site.id).limit(2)).all()
    if not slugs:
        raise NotFound("No site is set up yet.", code="unknown_site")
    if len(slugs) > 1:
        raise SiteRequired("This server runs several sites: say which, with ?site=.")
    return slugs[0]


def site_info(site_slug: str) -> dict[str, Any]:
    """Public facts a kiosk needs: names, languages, services and whether they are open."""
    site = queries.get_site(site_slug)
    now = clock.now()
    open_now = SiteSettings.of(site).hours.is_open(now.astimezone(site.zone))
    return {
        "slug": site.slug,
        "name": site.name,
        "timezone": site.timezone,
        "languages": site.languages,
        "open": open_now,
        "services": [payloads.service_brief(s) for s in site.services if s.active],
    }


def audit_log(site_slug: str, limit: int) -> list[dict[str, Any]]:
    """Who did what to which ticket, newest first."""
    site = queries.get_site(site_slug)
    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.site_id == site.id)
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    return [
        {
            "at": payloads.iso(e.at),
            "user": e.username or (e.user.username if e.user else None),
            "ticket_id": e.ticket_id,
            "action": e.action,
            "detail": e.detail,
        }
        for e in entries
    ]
