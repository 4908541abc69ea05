"""Delay notices and pausing rooms: what staff tell patients about the whole queue."""

from __future__ import annotations

from typing import Any

from server import clock, payloads
from server.domain import notices as domain
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
    reason_code: str | None,
    note: str | None,
    expected_minutes: int,
    actor_id: int,
) -> dict[str, Any]:
    """Post a delay for the site, one service (by prefix or code) or one room: a reason
    from the site's list, a note, or both. A notice already posted for the same place is
    updated instead (`updated` says which), so patients never read two for one delay."""
    now = clock.now()
    site = queries.get_site(site_slug, lock=True)
    words = domain.notice_words(site_delay_reasons(site), reason_code, note)
    place, affected = _place_of(site, scope, target)
    active = queries.active_notices(site.id)
    existing = domain.notice_to_update(((n, _place(n)) for n in active), place)
    notice = existing or DelayNotice(
        site_id=site.id, scope=scope, service_id=place.service_id, room_id=place.room_id
    )
    _say(notice, words, site.languages)
    notice.expected_minutes = expected_minutes
    # The length counts from now: "about 40 min longer" said again is from this moment.
    notice.posted_at = now
    notice.posted_by = actor_id
    db.session.add(notice)
    db.session.flush()
    kind = "notice_updated" if existing else "notice_posted"
    change = SiteChange(site, now, kind, actor_id, service_ids=affected, whole_views=True)
    change.audit(
        "update_notice" if existing else "post_notice",
        None,
        notice=notice.id,
        scope=scope,
        target=target,
        reason_code=reason_code,
        note=words.note,
        expected_minutes=expected_minutes,
    )
    notice_id = notice.id
    seq = change.finish()
    return {"seq": seq, "notice": _notice(notice_id), "updated": existing is not None}


def site_delay_reasons(site: Site) -> list[domain.DelayReasonWords]:
    """The site's usual reasons for a delay, from its site file, in the file's order."""
    listed = (site.settings or {}).get("delay_reasons") or []
    return [domain.DelayReasonWords(r["code"], dict(r["name"])) for r in listed]


def delay_reason_choices(site: Site, language: str) -> list[dict[str, str]]:
    """The desk's list: each reason's code and its words in the desk's language (else
    in the site's first language that has them)."""
    order = [language, *site.languages]
    return [
        {
            "code": r.code,
            "label": next((r.names[lang] for lang in order if lang in r.names), r.code),
        }
        for r in site_delay_reasons(site)
    ]


def _say(notice: DelayNotice, words: domain.NoticeWords, languages: list[str]) -> None:
    notice.reason_code = words.reason.code if words.reason else None
    # The words as the list says them now, in the site's languages only.
    notice.reason_names = (
        {lang: words.reason.names[lang] for lang in languages if lang in words.reason.names}
        if words.reason
        else None
    )
    notice.note = words.note
    notice.reason = words.summary(languages)[:200]


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


def _place_of(site: Site, scope: str, target: str | None) -> tuple[domain.NoticePlace, set[int]]:
    """Where the notice applies, and the services it affects."""
    if scope == "site":
        if target:
            raise InvalidTransition("A site-wide notice takes no target.")
        return domain.NoticePlace("site"), {s.id for s in site.services}
    if not target:
        raise InvalidTransition(f"Say which {scope} the notice is for.")
    if scope == "service":
        service = queries.get_service(site, target)
        return domain.NoticePlace("service", service_id=service.id), {service.id}
    room = queries.get_room(site, target)
    return domain.NoticePlace("room", room_id=room.id), {s.id for s in room.services}


def _place(notice: DelayNotice) -> domain.NoticePlace:
    return domain.NoticePlace(notice.scope, notice.service_id, notice.room_id)


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
