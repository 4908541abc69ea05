"""Delay notices and pausing rooms: what staff tell patients about the whole queue."""

from __future__ import annotations

from typing import Any

from server import clock, payloads
from server.domain.errors import InvalidTransition, NotFound
from server.extensions import db
from server.services.changes import SiteChange
from server.storage import queries
from server.storage.models import DelayNotice, Site

SCOPES = ("site", "service", "room")


def post_notice(
    site_slug: str,
    *,
    scope: str,
    target: str | None,
    reason: str,
    expected_minutes: int,
    actor_id: int,
) -> dict[str, Any]:
    """Post a delay for the site, one service (by prefix or code) or one room."""
    now = clock.now()
    site = queries.get_site(site_slug, lock=True)
    notice = DelayNotice(
        site_id=site.id,
        scope=scope,
        reason=reason.strip(),
        expected_minutes=expected_minutes,
        posted_at=now,
        posted_by=actor_id,
    )
    affected = _attach_target(site, notice, scope, target)
    db.session.add(notice)
    db.session.flush()
    change = SiteChange(
        site, now, "notice_posted", actor_id, service_ids=affected, whole_views=True
    )
    change.audit("post_notice", None, notice=notice.id, scope=scope, target=target, reason=reason)
    notice_id = notice.id
    seq = change.finish()
    return {"seq": seq, "notice": _notice(notice_id)}


def clear_notice(site_slug: str, notice_id: int, *, actor_id: int) -> dict[str, Any]:
    now = clock.now()
    site = queries.get_site(site_slug, lock=True)
    notice = db.session.get(DelayNotice, notice_id)
    if notice is None or notice.site_id != site.id:
        raise NotFound(f"There is no notice {notice_id} here.", code="unknown_notice")
    if notice.cleared_at is not None:
        raise InvalidTransition("This notice is already cleared.")
    notice.cleared_at = now
    change = SiteChange(
        site, now, "notice_cleared", actor_id, service_ids=_services_of(notice), whole_views=True
    )
    change.audit("clear_notice", None, notice=notice_id)
    seq = change.finish()
    return {"seq": seq, "notice": _notice(notice_id)}


def pause_room(site_slug: str, room_code: str, *, actor_id: int) -> dict[str, Any]:
    return _set_paused(site_slug, room_code, True, actor_id)


def resume_room(site_slug: str, room_code: str, *, actor_id: int) -> dict[str, Any]:
    return _set_paused(site_slug, room_code, False, actor_id)


def _set_paused(site_slug: str, room_code: str, paused: bool, actor_id: int) -> dict[str, Any]:
    now = clock.now()
    site = queries.get_site(site_slug, lock=True)
    room = queries.get_room(site, room_code)
    if room.paused == paused:
        raise InvalidTransition(f"The room is already {'paused' if paused else 'open'}.")
    room.paused = paused
    kind = "room_paused" if paused else "room_resumed"
    # Estimates of everyone waiting for the room's services change.
    change = SiteChange(site, now, kind, actor_id, service_ids={s.id for s in room.services})
    change.audit("pause_room" if paused else "resume_room", None, room=room_code)
    room_view = payloads.staff_room(room)
    seq = change.finish()
    return {"seq": seq, "room": room_view}


def _attach_target(site: Site, notice: DelayNotice, scope: str, target: str | None) -> set[int]:
    """Point the notice at its service or room; returns the services it affects."""
    if scope == "site":
        if target:
            raise InvalidTransition("A site-wide notice takes no target.")
        return {s.id for s in site.services}
    if not target:
        raise InvalidTransition(f"Say which {scope} the notice is for.")
    if scope == "service":
        notice.service = queries.get_service(site, target)
        return {notice.service.id}
    notice.room = queries.get_room(site, target)
    return {s.id for s in notice.room.services}


def _services_of(notice: DelayNotice) -> set[int]:
    if notice.scope == "service" and notice.service_id is not None:
        return {notice.service_id}
    if notice.scope == "room" and notice.room is not None:
        return {s.id for s in notice.room.services}
    site = db.session.get(Site, notice.site_id)
    return {s.id for s in site.services} if site else set()


def _notice(notice_id: int) -> dict[str, Any]:
    notice = db.session.get(DelayNotice, notice_id)
    assert notice is not None
    return {**payloads.notice_view(notice), "cleared_at": payloads.iso(notice.cleared_at)}
