"""The site's own calendar: its day, its opening hours, and appointment windows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.domain.errors import CheckInRefused

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class OpeningHours:
    """Opening intervals per weekday, in the site's local time. A missing day is closed."""

    intervals: dict[str, tuple[tuple[time, time], ...]] = field(default_factory=dict)

    def is_open(self, local: datetime) -> bool:
        moment = local.time()
        for start, end in self.intervals.get(WEEKDAYS[local.weekday()], ()):
            # An end of 00:00 means midnight at the end of the day.
            if start <= moment and (moment < end or end == time(0)):
                return True
        return False


def parse_interval(text: str) -> tuple[time, time]:
    """'08:00-12:30' -> (08:00, 12:30); '00:00-24:00' is the whole day."""
    start_text, sep, end_text = text.partition("-")
    if not sep:
        raise ValueError(f"expected HH:MM-HH:MM, got {text!r}")
    start = time.fromisoformat(start_text.strip())
    end_text = end_text.strip()
    end = time(0) if end_text == "24:00" else time.fromisoformat(end_text)
    if end != time(0) and end <= start:
        raise ValueError(f"the interval {text!r} ends before it starts")
    return start, end


def site_day(now: datetime, zone: ZoneInfo) -> date:
    """'Today' is the site's today, not the server's."""
    return now.astimezone(zone).date()


def local_to_utc(day: date, clock_time: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock_time, tzinfo=zone).astimezone(ZoneInfo("UTC"))


@dataclass(frozen=True)
class AppointmentWindow:
    """How early and how late an appointment patient may check in at the kiosk."""

    early: timedelta
    late: timedelta

    def check(self, now: datetime, starts_at: datetime) -> None:
        if now < starts_at - self.early:
            minutes = int(self.early.total_seconds() // 60)
            raise CheckInRefused(
                f"It is too early to check in for this appointment. Please come back "
                f"no more than {minutes} minutes before it, or ask at the front desk.",
                code="too_early",
            )
        if now > starts_at + self.late:
            raise CheckInRefused(
                "It is too late to check in for this appointment. Please see the front desk.",
                code="too_late",
            )
