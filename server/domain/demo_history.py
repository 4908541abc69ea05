"""The demo clinic's past: days of visits made up from a seed, so that a manager who
opens the reports of a fresh demo reads real-looking figures (issue 19).

Each day, patients arrive over the opening hours (more in the morning and early in the
week, fewer at weekends), wait longer in the busy hours, are seen for about their
service's typical time, and some do not come when called or leave before. Each was
shown an estimate near the wait they then had; about one in four answered the survey
afterwards, less kindly the longer they waited. A few days had a delay notice.

Pure: no clock, no database; services/demo_history.py writes the visits.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.domain.feedback import NEGATIVE, Rating, opens_case

OPENS, CLOSES = 8, 18  # local hours of the made-up day (the demo itself never closes)
# Arrivals per hour of the day, relative: a morning peak, a quieter lunch.
HOUR_WEIGHTS = (1.6, 1.8, 1.5, 1.2, 0.8, 0.9, 1.1, 1.0, 0.8, 0.5)
# Visits a day by weekday (Monday first): busy Mondays, quiet weekends.
DAY_VISITS = (80, 70, 66, 68, 62, 26, 14)
SOURCES = (("kiosk", 55), ("appointment", 30), ("desk", 15))
ANSWER_SHARE = 0.25
NOTICE_DAY_SHARE = 0.2


@dataclass(frozen=True)
class ServiceLine:
    """A service as the made-up day needs it."""

    code: str
    typical_minutes: float
    rooms: tuple[str, ...]
    share: float  # of the day's visits


@dataclass(frozen=True)
class Answer:
    rating: Rating
    complaint: bool
    case_status: str | None
    answered_at: datetime
    case_closed_at: datetime | None


@dataclass(frozen=True)
class Visit:
    day: date
    service: str
    number: int
    source: str
    status: str  # done, no_show or cancelled
    arrived_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    room: str | None
    estimate: tuple[int, int, int]  # central, low, high, shown at check-in
    answer: Answer | None


@dataclass(frozen=True)
class Notice:
    reason_code: str
    posted_at: datetime
    expected_minutes: int


def history(
    services: Sequence[ServiceLine],
    reasons: Sequence[str],
    zone: ZoneInfo,
    *,
    today: date,
    days: int,
    seed: int = 19,
) -> tuple[list[Visit], list[Notice]]:
    """The visits and delay notices of the `days` days before `today`."""
    rng = random.Random(seed)  # noqa: S311 - made-up visits, not secrets
    visits: list[Visit] = []
    notices: list[Notice] = []
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        numbers = {s.code: 0 for s in services}
        for arrived, service in _arrivals(rng, services, day, zone):
            numbers[service.code] += 1
            visit = _visit(
                rng,
                service,
                day=day,
                number=numbers[service.code],
                arrived=arrived,
                zone=zone,
                recent=back <= 4,
            )
            visits.append(visit)
        if reasons and rng.random() < NOTICE_DAY_SHARE:
            at = _local(day, rng.uniform(OPENS + 1, CLOSES - 2), zone)
            notices.append(Notice(rng.choice(reasons), at, rng.choice((10, 15, 20, 30))))
    return visits, notices


def _local(day: date, hour: float, zone: ZoneInfo) -> datetime:
    local = datetime.combine(day, time(), tzinfo=zone) + timedelta(hours=hour)
    return local.astimezone(UTC)


def _arrivals(
    rng: random.Random, services: Sequence[ServiceLine], day: date, zone: ZoneInfo
) -> list[tuple[datetime, ServiceLine]]:
    count = max(0, round(rng.gauss(DAY_VISITS[day.weekday()], 6)))
    hours = rng.choices(range(OPENS, CLOSES), HOUR_WEIGHTS, k=count)
    picked = rng.choices(services, [s.share for s in services], k=count)
    found = [
        (_local(day, hour + rng.random(), zone), service)
        for hour, service in zip(hours, picked, strict=True)
    ]
    return sorted(found, key=lambda item: item[0])


def _visit(
    rng: random.Random,
    service: ServiceLine,
    *,
    day: date,
    number: int,
    arrived: datetime,
    zone: ZoneInfo,
    recent: bool,
) -> Visit:
    local_hour = arrived.astimezone(zone).hour
    busy = HOUR_WEIGHTS[min(max(local_hour - OPENS, 0), len(HOUR_WEIGHTS) - 1)]
    # Waits: about two typical visits, longer in a busy hour, a long tail.
    wait = service.typical_minutes * 2 * busy * math.exp(rng.gauss(0, 0.55))
    central = max(0, round(wait + rng.gauss(0, 0.25 * wait + 3)))
    spread = max(5, round(central * 0.3))
    estimate = (central, max(0, central - spread), central + spread)
    outcome = rng.random()
    room = rng.choice(service.rooms) if service.rooms else None
    status = "done" if outcome < 0.9 else ("no_show" if outcome < 0.95 else "cancelled")
    if status == "cancelled" or room is None:  # left before being called
        return Visit(
            day, service.code, number, _source(rng), "cancelled", arrived,
            None, None, None, None, estimate, None,
        )  # fmt: skip
    called = arrived + timedelta(minutes=wait)
    if status == "no_show":
        return Visit(
            day, service.code, number, _source(rng), status, arrived,
            called, None, None, room, estimate, None,
        )  # fmt: skip
    started = called + timedelta(minutes=rng.uniform(0.5, 3))
    length = service.typical_minutes * math.exp(rng.gauss(0, 0.35))
    finished = started + timedelta(minutes=length)
    answer = _answer(rng, wait, finished, recent) if rng.random() < ANSWER_SHARE else None
    return Visit(
        day, service.code, number, _source(rng), status, arrived,
        called, started, finished, room, estimate, answer,
    )  # fmt: skip


def _source(rng: random.Random) -> str:
    return rng.choices([s for s, _ in SOURCES], [w for _, w in SOURCES])[0]


def _answer(rng: random.Random, wait: float, finished: datetime, recent: bool) -> Answer:
    """Kinder after a short wait: the chance of a good answer falls with the wait. The
    cases of the last few days may still be open; older ones were worked."""
    good = 0.93 - min(wait, 90) / 90 * 0.45
    roll = rng.random()
    if roll < good:
        rating = Rating.VERY_GOOD if rng.random() < 0.65 else Rating.GOOD
    elif roll < good + (1 - good) * 0.35:
        rating = Rating.NEITHER if rng.random() < 0.8 else Rating.DONT_KNOW
    else:
        rating = Rating.POOR if rng.random() < 0.6 else Rating.VERY_POOR
    complaint = rating in NEGATIVE and rng.random() < 0.3
    answered = finished + timedelta(hours=rng.uniform(0.2, 30))
    status, closed = None, None
    if opens_case(rating, complaint):
        # Most cases were worked within a few days; the rest are still on the list.
        worked = answered + timedelta(days=rng.choice((0.5, 1, 1, 2, 3, 6)))
        steps = ("action_taken", "replied", "acknowledged", "new")
        status = rng.choices(steps, (5, 2, 1, 1) if recent else (5, 2, 0, 0))[0]
        closed = worked if status in ("action_taken", "replied") else None
    return Answer(rating, complaint, status, answered, closed)
