"""The site's own calendar: its day, its opening hours, and appointment windows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.domain.errors import CheckInRefused

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MIDNIGHT = time(0)
NEVER = "never"  # a site file's `day_starts` for a site whose line is never cut


@dataclass(frozen=True)
class OpeningHours:
    """Opening intervals per weekday, in the site's local time. A missing day is closed."""

    intervals: dict[str, tuple[tuple[time, time], ...]] = field(default_factory=dict)
    # Days or parts of days the site is shut although its weekday is open (a holiday).
    closures: tuple[Closure, ...] = ()

    @classmethod
    def of(
        cls, spans: Mapping[str, Sequence[str]], closures: Sequence[Closure] = ()
    ) -> OpeningHours:
        """From a site file's table: {"mon": ["08:00-12:30", "13:30-18:00"]}."""
        intervals = {day: tuple(parse_interval(i) for i in texts) for day, texts in spans.items()}
        return cls(intervals, tuple(closures))

    @classmethod
    def always(cls, closures: Sequence[Closure] = ()) -> OpeningHours:
        """Open at all hours of every day, but for its closures."""
        return cls({day: ((MIDNIGHT, MIDNIGHT),) for day in WEEKDAYS}, tuple(closures))

    def is_closed(self, local: datetime) -> bool:
        """Whether a closure covers the moment (the site's local time)."""
        return any(closure.covers(local) for closure in self.closures)

    def is_open(self, local: datetime) -> bool:
        if self.is_closed(local):
            return False
        moment = local.time()
        for start, end in self.intervals.get(WEEKDAYS[local.weekday()], ()):
            # An end of 00:00 means midnight at the end of the day.
            if start <= moment and (moment < end or end == time(0)):
                return True
        return False

    def spans(self, first: date, last: date, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
        """The open intervals of the calendar days `first` to `last`, in UTC, in order;
        one that runs to midnight and the next day's that starts there are one."""
        found: list[tuple[datetime, datetime]] = []
        day = first
        while day <= last:
            for start, end in sorted(self.intervals.get(WEEKDAYS[day.weekday()], ())):
                opens = local_to_utc(day, start, zone)
                ends_on = day + timedelta(days=1) if end == MIDNIGHT else day
                closes = local_to_utc(ends_on, end, zone)
                if found and found[-1][1] >= opens:
                    found[-1] = (found[-1][0], max(found[-1][1], closes))
                else:
                    found.append((opens, closes))
            day += timedelta(days=1)
        shut = sorted(c.span(zone) for c in self.closures if first <= c.day <= last)
        return closed_spans(shut, found) if shut else found


def room_is_open(local: datetime, site: OpeningHours, room: OpeningHours | None = None) -> bool:
    """Whether a room serves at a moment (the site's local time): within the site's
    hours, when it gives any (a site that gives none is always open), and within the
    room's own sessions, when it has them (else the site's hours are the room's)."""
    site_open = site.is_open(local) if site.intervals else not site.is_closed(local)
    return site_open and (room is None or room.is_open(local))


@dataclass(frozen=True)
class Closure:
    """A day the site is shut (a public holiday), or part of one (`start` to `end`, a
    closed afternoon), in the site's local time; an `end` of 00:00 is the day's end."""

    day: date
    start: time = MIDNIGHT
    end: time = MIDNIGHT

    @classmethod
    def of(cls, data: Mapping[str, str]) -> Closure:
        """From a site file's `[[closures]]` item: {"date": "2026-12-24", "from": "13:00",
        "to": "24:00"}; without `from` and `to`, the whole day."""
        day = date.fromisoformat(str(data["date"]))
        if data.get("from") is None and data.get("to") is None:
            return cls(day)
        start, end = parse_interval(f"{data.get('from')}-{data.get('to')}")
        return cls(day, start, end)

    def covers(self, local: datetime) -> bool:
        moment = local.time()
        return (
            local.date() == self.day
            and self.start <= moment
            and (moment < self.end or self.end == MIDNIGHT)
        )

    def span(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The closure in UTC."""
        ends_on = self.day + timedelta(days=1) if self.end == MIDNIGHT else self.day
        return local_to_utc(self.day, self.start, zone), local_to_utc(ends_on, self.end, zone)


def closed_spans(
    open_spans: Sequence[tuple[datetime, datetime]], within: Sequence[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """The parts of `within` (say, the site's open hours) outside `open_spans` (say, a
    room's own sessions): when the site is open but the room is not."""
    closed: list[tuple[datetime, datetime]] = []
    for start, end in within:
        at = start
        for opens, closes in open_spans:
            if closes <= at or opens >= end:
                continue
            if opens > at:
                closed.append((at, opens))
            at = max(at, closes)
        if at < end:
            closed.append((at, end))
    return closed


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
    """The site's calendar date: 'today' is the site's today, not the server's."""
    return now.astimezone(zone).date()


@dataclass(frozen=True)
class SiteDays:
    """The site's own days: when one ends and the next begins, in its time zone.

    A ticket belongs to the day it was checked in on: its number counts from 1 on that
    day, and its line is that day's line. A clinic's day turns at local midnight. A site
    open past midnight moves the turn (`starts` = 06:00): a moment before it belongs to
    the day before, so a ticket checked in at 23:50 is still in line at 00:10, keeps its
    link, and numbers restart at 06:00. A 24-hour site never cuts its line
    (`carries_over`): its numbers still restart at `starts`, but the tickets of the day
    before stay in line and keep their links until the next turn after that (a ticket
    stays in line for 24 hours at least, 48 at most).
    """

    zone: ZoneInfo
    starts: time = MIDNIGHT
    carries_over: bool = False

    @classmethod
    def of(cls, zone: ZoneInfo, day_starts: str | None) -> SiteDays:
        """From a site file's `day_starts`: "HH:MM", "never", or None (midnight)."""
        if day_starts is None:
            return cls(zone)
        if day_starts == NEVER:
            return cls(zone, MIDNIGHT, carries_over=True)
        return cls(zone, parse_day_start(day_starts))

    def day_of(self, moment: datetime) -> date:
        """The site's day a moment belongs to."""
        day = moment.astimezone(self.zone).date()
        return day if moment >= self.start_of(day) else day - timedelta(days=1)

    def start_of(self, day: date) -> datetime:
        """The first moment (UTC) of a site's day: the first instant at which the local
        clock reads `starts` or later on that date. Where the clocks go back, a wall
        time happens twice and the day starts at the first; where they go forward past
        it, the day starts when the clocks jump."""
        wall = datetime.combine(day, self.starts)
        found = [
            instant
            for fold in (0, 1)
            if (instant := wall.replace(tzinfo=self.zone, fold=fold).astimezone(UTC))
            .astimezone(self.zone)
            .replace(tzinfo=None)
            == wall
        ]
        if found:
            return min(found)
        # Inside a spring-forward gap: the jump itself. fold=1 reads the wall time with
        # the offset after the change, which lands before the jump by the gap's length;
        # step on to the first minute the local clock has passed the wall time.
        instant = wall.replace(tzinfo=self.zone, fold=1).astimezone(UTC)
        while instant.astimezone(self.zone).replace(tzinfo=None) < wall:
            instant += timedelta(minutes=1)
        return instant

    def next_turn(self, moment: datetime) -> datetime:
        """The first moment of the site's day after the one `moment` belongs to: when
        numbers restart and the day's arrival code changes."""
        return self.start_of(self.day_of(moment) + timedelta(days=1))

    def line_days(self, day: date) -> tuple[date, date]:
        """The first and last day whose open tickets are in the line on `day`."""
        return (day - timedelta(days=1) if self.carries_over else day), day

    def in_line(self, ticket_day: date, moment: datetime) -> bool:
        """Whether a ticket of `ticket_day` may still be in line (and its link work) at
        `moment`."""
        first, last = self.line_days(self.day_of(moment))
        return first <= ticket_day <= last


def parse_day_start(text: str) -> time:
    """'06:00' -> 06:00; seconds are not a site's business."""
    try:
        start = time.fromisoformat(text)
    except ValueError:
        raise ValueError(f"expected HH:MM or {NEVER!r}, got {text!r}") from None
    if start.second or start.microsecond or len(text) != 5:
        raise ValueError(f"expected HH:MM or {NEVER!r}, got {text!r}")
    return start


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
