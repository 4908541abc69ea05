"""Whole-state reads, for a client that connects, reconnects or sees a gap."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server import clock, payloads
from server.extensions import db
from server.sites.settings import SiteSettings
from server.storage import queries
from server.storage.models import AuditEntry


def display_snapshot(site_slug: str) -> dict[str, Any]:
    site = queries.get_site(site_slug)
    view = payloads.QueueView.load(site, clock.now())
    state = payloads.display_state(view, queries.active_notices(site.id))
    return {"seq": site.seq, "kind": "snapshot", "state": state, "announce": None}


def staff_snapshot(site_slug: str) -> dict[str, Any]:
    site = queries.get_site(site_slug)
    view = payloads.QueueView.load(site, clock.now())
    notices = queries.active_notices(site.id)
    return {"seq": site.seq, "kind": "snapshot", **payloads.staff_snapshot(view, notices)}


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
            "user": e.user.username if e.user else None,
            "ticket_id": e.ticket_id,
            "action": e.action,
            "detail": e.detail,
        }
        for e in entries
    ]
