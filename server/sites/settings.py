"""A site's settings, read from the JSON stored with the site into domain objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

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
        )
