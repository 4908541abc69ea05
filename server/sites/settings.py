"""A site's settings, read from the JSON stored with the site into domain objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from server.domain import remote
from server.domain.remote import DEFAULT_ARRIVAL_RADIUS_M, Place, RemoteRules
from server.domain.schedule import AppointmentWindow, Closure, OpeningHours
from server.storage.models import Site

DEFAULTS: dict[str, Any] = {
    "on_time_grace_minutes": 10,
    "early_checkin_minutes": 60,
    "late_checkin_minutes": 30,
    "delay_notice_minutes": 10,
    "display_cycle_seconds": 30,
    "hours": {},
    "closures": [],
    "public_url": None,
}


@dataclass(frozen=True)
class SiteSettings:
    on_time_grace_minutes: int
    appointment_window: AppointmentWindow
    hours: OpeningHours
    public_url: str | None
    delay_notice_minutes: int = 10
    display_cycle_seconds: int = 30
    # What a waiting-room display shows and speaks, in this order.
    display_languages: tuple[str, ...] = ()
    remote: RemoteRules = field(default_factory=RemoteRules)
    remote_services: tuple[str, ...] = ()  # codes of the services that take remote tickets
    # Where the door is, for "I'm here" by the phone's location (None: by code only).
    location: Place | None = None
    arrival_radius_m: int = DEFAULT_ARRIVAL_RADIUS_M

    @classmethod
    def of(cls, site: Site) -> SiteSettings:
        raw = {**DEFAULTS, **(site.settings or {})}
        closures = [Closure.of(item) for item in raw["closures"] or []]
        hours = OpeningHours.of(raw["hours"], closures)
        return cls(
            on_time_grace_minutes=raw["on_time_grace_minutes"],
            appointment_window=AppointmentWindow(
                early=timedelta(minutes=raw["early_checkin_minutes"]),
                late=timedelta(minutes=raw["late_checkin_minutes"]),
            ),
            hours=hours,
            public_url=raw["public_url"],
            delay_notice_minutes=raw["delay_notice_minutes"],
            display_cycle_seconds=raw["display_cycle_seconds"],
            display_languages=tuple(raw.get("display_languages") or site.languages[:2]),
            remote=RemoteRules(
                grace=timedelta(
                    minutes=raw.get("remote_grace_minutes", remote.DEFAULT_GRACE_MINUTES)
                ),
                move_back_places=raw.get(
                    "remote_move_back_places", remote.DEFAULT_MOVE_BACK_PLACES
                ),
                leave_margin=timedelta(
                    minutes=raw.get(
                        "remote_leave_margin_minutes", remote.DEFAULT_LEAVE_MARGIN_MINUTES
                    )
                ),
                closes_before=timedelta(
                    minutes=raw.get(
                        "remote_closes_before_minutes", remote.DEFAULT_CLOSES_BEFORE_MINUTES
                    )
                ),
                cap=raw.get("remote_cap", remote.DEFAULT_CAP),
            ),
            remote_services=tuple(raw.get("remote_services") or ()),
            location=_place(raw),
            arrival_radius_m=raw.get("arrival_radius_m") or remote.DEFAULT_ARRIVAL_RADIUS_M,
        )


def _place(raw: dict[str, Any]) -> Place | None:
    latitude, longitude = raw.get("latitude"), raw.get("longitude")
    if latitude is None or longitude is None:
        return None
    return Place(float(latitude), float(longitude))
