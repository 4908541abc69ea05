"""The clinic manager's reports: visits, waits, flow and promises kept, for a site and
a period of its days, against the period of the same length before it.

Every figure is counted by the database with grouped SQL (the same query on SQLite
and PostgreSQL; storage/report_sql.py): a month of a busy site is never loaded into
Python. Python only names the rows and turns UTC hours into the site's local hours.
The reports never read a name: only services, times, outcomes, sources and rooms,
which the retention purge (services/retention.py) leaves in place.

A section is one function here returning a dict and one block in the page's template
(desk/templates/reports.html); `SECTIONS` lists them.
"""

from __future__ import annotations

import csv
import functools
import io
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import and_, case, func, select
from sqlalchemy.sql.expression import ColumnElement

from server import clock
from server.domain import feedback as feedback_rules
from server.domain import reports as rules
from server.domain.errors import BadInput
from server.domain.queue import TicketStatus
from server.domain.schedule import WEEKDAYS as DAY_NAMES
from server.domain.schedule import OpeningHours, site_day
from server.extensions import db
from server.storage import queries
from server.storage.models import (
    AuditEntry,
    CallEvent,
    DelayNotice,
    FeedbackAnswer,
    Room,
    Service,
    ShownEstimate,
    Site,
    Ticket,
)
from server.storage.report_sql import as_utc, hour_start, minutes

MAX_DAYS = 366
Pick = TypeVar("Pick", Service, Room)
Found = TypeVar("Found")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Period:
    """A site, its days `first` to `last` (both included), and the filters."""

    site: Site
    first: date
    last: date
    service: Service | None = None
    room: Room | None = None
    # What `_once` counted for this period: the headline and the sections share it.
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def start(self) -> datetime:
        return self.site.days.start_of(self.first)

    @property
    def end(self) -> datetime:
        return self.site.days.start_of(self.last + timedelta(days=1))

    def previous(self) -> Period:
        length = (self.last - self.first).days + 1
        return replace(
            self,
            first=self.first - timedelta(days=length),
            last=self.first - timedelta(days=1),
            memo={},
        )

    def tickets(self) -> list[ColumnElement[bool]]:
        """The tickets of the period, with the filters."""
        where = [
            Ticket.site_id == self.site.id,
            Ticket.day >= self.first,
            Ticket.day <= self.last,
        ]
        if self.service is not None:
            where.append(Ticket.service_id == self.service.id)
        if self.room is not None:
            where.append(Ticket.room_id == self.room.id)
        return where


def _once(count: Callable[..., Found]) -> Callable[..., Found]:
    """Count once per period: the headline figures are also in the sections (the
    visits, the share over target, the promises, the notices, the ratings), and a
    report asks for each twice."""

    @functools.wraps(count)
    def once(period: Period, **options: Any) -> Found:
        key = (count.__name__, tuple(sorted(options.items())))
        if key not in period.memo:
            period.memo[key] = count(period, **options)
        return period.memo[key]  # type: ignore[no-any-return]

    return once


def report(
    site_slug: str,
    first: date | None = None,
    last: date | None = None,
    *,
    service: str | None = None,
    room: str | None = None,
) -> dict[str, Any]:
    """The whole report: every section, the headline figures, and their change from
    the previous period of the same length. Without dates: the last 7 days."""
    period = _period(site_slug, first, last, service, room)
    previous = period.previous()
    sections = {name: build(period) for name, build in SECTIONS.items()}
    before = _headline(previous)
    now = _headline(period)
    return {
        "site": period.site.slug,
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "service": period.service.code if period.service else None,
        "room": period.room.code if period.room else None,
        "headline": now,
        "previous": {
            "from": previous.first.isoformat(),
            "to": previous.last.isoformat(),
            "headline": before,
        },
        "change": rules.changes(now, before),
        **sections,
    }


def _period(
    site_slug: str, first: date | None, last: date | None, service: str | None, room: str | None
) -> Period:
    site = queries.get_site(site_slug)
    today = site.days.day_of(clock.now())
    last = last or today
    first = first or last - timedelta(days=6)
    if first > last:
        raise BadInput("from: the first day comes after the last.")
    if (last - first).days + 1 > MAX_DAYS:
        raise BadInput(f"A report covers at most {MAX_DAYS} days.")
    chosen_service = _pick(site.services, service, "service")
    chosen_room = _pick(site.rooms, room, "room")
    return Period(site, first, last, chosen_service, chosen_room)


def _pick(items: Sequence[Pick], code: str | None, what: str) -> Pick | None:
    if not code:
        return None
    found = next((item for item in items if item.code == code), None)
    if found is None:
        raise BadInput(f"{what}: this site has no {what} {code!r}.")
    return found


# --- Headline ------------------------------------------------------------------------


def _headline(period: Period) -> dict[str, float | None]:
    """The figures a manager reads first, each also in a section below."""
    visits = _visit_counts(period)
    waits = _wait_percentiles(period, by_service=False)
    overall = waits.get(None, {})
    promise = _promises_overall(period) or {}
    return {
        "checked_in": visits["checked_in"],
        "seen": visits["seen"],
        "no_shows": visits["no_shows"],
        "left_unseen": visits["left_unseen"],
        "median_wait": overall.get("median"),
        "p90_wait": overall.get("p90"),
        "over_target_share": _over_target(period)["share"],
        "mae": promise.get("mae"),
        "within_10": promise.get("within_10"),
        "delay_notices": sum(row["count"] for row in _notice_rows(period)),
        "positive_share": _ratings(period)["positive_share"],
    }


# --- Visits --------------------------------------------------------------------------


@_once
def _visit_counts(period: Period) -> dict[str, int]:
    status = Ticket.status
    row = db.session.execute(
        select(
            func.count(),
            func.count(Ticket.started_at),
            func.sum(case((status == TicketStatus.NO_SHOW.value, 1), else_=0)),
            func.sum(
                case(
                    (and_(status == TicketStatus.CANCELLED.value, Ticket.started_at.is_(None)), 1),
                    else_=0,
                )
            ),
            func.sum(case((Ticket.source == "desk", 1), else_=0)),
        ).where(*period.tickets())
    ).one()
    checked_in, seen, no_shows, left, by_hand = (int(value or 0) for value in row)
    return {
        "checked_in": checked_in,
        "seen": seen,
        "no_shows": no_shows,
        "left_unseen": left,
        "by_hand": by_hand,
    }


def visits(period: Period) -> dict[str, Any]:
    """Checked in, seen (a visit that started), no-shows, left before being seen
    (cancelled before starting), added by hand (at the desk); and by source."""
    by_source = db.session.execute(
        select(Ticket.source, func.count())
        .where(*period.tickets())
        .group_by(Ticket.source)
        .order_by(Ticket.source)
    ).all()
    return {
        **_visit_counts(period),
        "by_source": [{"source": source, "count": count} for source, count in by_source],
    }


# --- Waits ---------------------------------------------------------------------------


def _wait() -> Any:
    """Minutes from joining the line (check-in, or the placement time of an early
    appointment: `queue_at`) to the call."""
    return minutes(Ticket.called_at, Ticket.queue_at)


@_once
def _wait_percentiles(period: Period, *, by_service: bool) -> dict[int | None, dict[str, Any]]:
    """Median and 90th percentile of the waits, per service or overall.

    Portable percentiles: number the waits in order within each group (row_number
    over an ordered window, which SQLite 3.25+ and PostgreSQL both have), count the
    group (count over the same partition), then keep the rows whose number is the
    nearest rank of 50% and of 90% (domain/reports.py). The database sorts; Python
    receives two rows per group.
    """
    wait = _wait()
    partition: Any = Ticket.service_id if by_service else None
    ranked = (
        select(
            Ticket.service_id.label("grp"),
            wait.label("wait"),
            func.row_number().over(order_by=wait, partition_by=partition).label("rank"),
            func.count().over(partition_by=partition).label("n"),
        )
        .where(*period.tickets(), Ticket.called_at.is_not(None))
        .subquery()
    )
    # The nearest rank, ceil(n * p / 100), in integer arithmetic as in the domain rule.
    rows = db.session.execute(
        select(ranked.c.grp, ranked.c.n, ranked.c.rank, ranked.c.wait).where(
            (ranked.c.rank == (ranked.c.n * 50 + 99) // 100)
            | (ranked.c.rank == (ranked.c.n * 90 + 99) // 100)
        )
    ).all()
    found: dict[int | None, dict[str, Any]] = {}
    for grp, n, rank, wait_minutes in rows:
        entry = found.setdefault(grp if by_service else None, {"patients": int(n)})
        for percent, name in ((50, "median"), (90, "p90")):
            if rank == rules.nearest_rank(percent, int(n)):
                entry[name] = round(float(wait_minutes), 1)
    return found


def _targets(period: Period) -> dict[int, int]:
    """Each service's wait target (minutes), by service id."""
    by_code = (period.site.settings or {}).get("wait_targets", {})
    return {s.id: by_code[s.code] for s in period.site.services if by_code.get(s.code)}


@_once
def _over_target(period: Period) -> dict[str, Any]:
    """How many called patients of services with a target waited longer than it."""
    targets = _targets(period)
    if not targets:
        return {"patients": 0, "over": 0, "share": None, "by_service": {}}
    target = case(
        *((Ticket.service_id == sid, minutes_) for sid, minutes_ in targets.items()),
        else_=None,
    )
    rows = db.session.execute(
        select(
            Ticket.service_id,
            func.count(),
            func.sum(case((_wait() > target, 1), else_=0)),
        )
        .where(
            *period.tickets(),
            Ticket.called_at.is_not(None),
            Ticket.service_id.in_(targets),
        )
        .group_by(Ticket.service_id)
    ).all()
    by_service = {sid: (int(n), int(over or 0)) for sid, n, over in rows}
    patients = sum(n for n, _ in by_service.values())
    over = sum(o for _, o in by_service.values())
    return {
        "patients": patients,
        "over": over,
        "share": rules.share(over, patients),
        "by_service": by_service,
    }


def waits(period: Period) -> dict[str, Any]:
    """Per service: median, 90th percentile, target and the share over it; waits by
    the hour of day the patient joined the line; arrivals by weekday and hour."""
    percentiles = _wait_percentiles(period, by_service=True)
    targets = _targets(period)
    over = _over_target(period)["by_service"]
    by_service = []
    for service in period.site.services:
        if service.id not in percentiles:
            continue
        n, late = over.get(service.id, (0, 0))
        by_service.append(
            {
                "service": service.code,
                **percentiles[service.id],
                "target": targets.get(service.id),
                "over_target_share": rules.share(late, n) if service.id in targets else None,
            }
        )
    return {
        "by_service": by_service,
        "by_hour": _waits_by_hour(period),
        "arrivals": _arrivals(period),
    }


def _local_hour(period: Period, bucket: datetime | str) -> datetime:
    return as_utc(bucket).astimezone(period.site.zone)


def _waits_by_hour(period: Period) -> list[dict[str, Any]]:
    """Mean wait by the local hour the patient joined the line. The database groups
    by UTC hour (one row per hour of the period); the local hour is read here."""
    bucket = hour_start(Ticket.queue_at)
    rows = db.session.execute(
        select(bucket, func.count(), func.sum(_wait()))
        .where(*period.tickets(), Ticket.called_at.is_not(None))
        .group_by(bucket)
    ).all()
    totals: dict[int, list[float]] = defaultdict(lambda: [0, 0.0])
    for hour, n, total in rows:
        entry = totals[_local_hour(period, hour).hour]
        entry[0] += n
        entry[1] += float(total or 0)
    return [
        {"hour": hour, "patients": int(n), "mean_wait": round(total / n, 1)}
        for hour, (n, total) in sorted(totals.items())
    ]


def _arrivals(period: Period) -> list[dict[str, Any]]:
    """Check-ins by local weekday and hour: the heat map's cells that are not empty."""
    bucket = hour_start(Ticket.arrived_at)
    rows = db.session.execute(
        select(bucket, func.count()).where(*period.tickets()).group_by(bucket)
    ).all()
    cells: dict[tuple[int, int], int] = defaultdict(int)
    for hour, n in rows:
        local = _local_hour(period, hour)
        cells[(local.weekday(), local.hour)] += n
    return [
        {"weekday": WEEKDAYS[day], "hour": hour, "count": n}
        for (day, hour), n in sorted(cells.items())
    ]


# --- Flow ----------------------------------------------------------------------------


def flow(period: Period) -> dict[str, Any]:
    """Time in room per service and room; each room's busy and open time; call to
    start per service; pauses per room."""
    in_room = minutes(Ticket.finished_at, Ticket.started_at)
    rows = db.session.execute(
        select(
            Ticket.service_id, Ticket.room_id, func.count(), func.avg(in_room), func.sum(in_room)
        )
        .where(*period.tickets(), Ticket.finished_at.is_not(None), Ticket.started_at.is_not(None))
        .group_by(Ticket.service_id, Ticket.room_id)
        .order_by(Ticket.service_id, Ticket.room_id)
    ).all()
    services = {s.id: s.code for s in period.site.services}
    rooms = {r.id: r for r in period.site.rooms}
    busy: dict[int, float] = defaultdict(float)
    time_in_room = []
    for sid, rid, n, mean, total in rows:
        busy[rid] += float(total or 0)
        time_in_room.append(
            {
                "service": services.get(sid),
                "room": rooms[rid].code if rid in rooms else None,
                "patients": int(n),
                "mean_minutes": round(float(mean), 1),
            }
        )
    to_start = minutes(Ticket.started_at, Ticket.called_at)
    starts = db.session.execute(
        select(Ticket.service_id, func.count(), func.avg(to_start))
        .where(*period.tickets(), Ticket.started_at.is_not(None), Ticket.called_at.is_not(None))
        .group_by(Ticket.service_id)
        .order_by(Ticket.service_id)
    ).all()
    return {
        "time_in_room": time_in_room,
        "utilisation": _utilisation(period, busy),
        "call_to_start": [
            {
                "service": services.get(sid),
                "patients": int(n),
                "mean_minutes": round(float(mean), 1),
            }
            for sid, n, mean in starts
        ],
        "pauses": _pauses(period),
    }


def _utilisation(period: Period, busy: dict[int, float]) -> list[dict[str, Any]]:
    """Busy time (patients in the room) over open time (the room's own hours, else
    the site's), up to now."""
    site_hours = OpeningHours.of((period.site.settings or {}).get("hours") or {})
    end = min(period.end, clock.now())
    found = []
    for room in period.site.rooms:
        if period.room is not None and room.id != period.room.id:
            continue
        hours = OpeningHours.of(room.hours) if room.hours is not None else site_hours
        spans = hours.spans(period.first, period.last, period.site.zone)
        open_minutes = rules.open_minutes(spans, period.start, end)
        if not open_minutes and not busy.get(room.id):
            continue
        found.append(
            {
                "room": room.code,
                "busy_minutes": round(busy.get(room.id, 0.0), 1),
                "open_minutes": round(open_minutes, 1),
                "utilisation": rules.share(busy.get(room.id, 0.0), open_minutes),
            }
        )
    return found


def _pauses(period: Period) -> list[dict[str, Any]]:
    """How often each room was paused (the desk's pause, from the audit log)."""
    room = AuditEntry.detail["room"].as_string()
    where = [
        AuditEntry.site_id == period.site.id,
        AuditEntry.action == "pause_room",
        AuditEntry.at >= period.start,
        AuditEntry.at < period.end,
    ]
    if period.room is not None:
        where.append(room == period.room.code)
    rows = db.session.execute(
        select(room, func.count()).where(*where).group_by(room).order_by(room)
    ).all()
    return [{"room": code, "count": n} for code, n in rows]


# --- Promises ------------------------------------------------------------------------


@dataclass(frozen=True)
class PromiseSums:
    """A day's first shown estimates against the calls: the patients, the sum of
    absolute errors (minutes), and how many were within 10 minutes, inside the range,
    called after its upper end."""

    day: date
    patients: int
    errors: float
    within: int
    covered: int
    late: int


@_once
def _promise_sums(period: Period) -> list[PromiseSums]:
    """How each patient's first shown estimate held, as the accuracy report scores it
    (services/accuracy.py), summed per day: (day, patients, sum of absolute errors,
    within 10 minutes, inside the range, called after the latest promised time). One
    grouped query gives the days and, added up, the period (`_promise_figures`)."""
    first_shown = (
        select(
            ShownEstimate.ticket_id,
            ShownEstimate.day,
            ShownEstimate.at,
            ShownEstimate.central,
            ShownEstimate.low,
            ShownEstimate.high,
            func.row_number()
            .over(
                partition_by=ShownEstimate.ticket_id, order_by=(ShownEstimate.at, ShownEstimate.id)
            )
            .label("nth"),
        )
        .join(Ticket, Ticket.id == ShownEstimate.ticket_id)
        .where(
            ShownEstimate.site_id == period.site.id,
            ShownEstimate.day >= period.first,
            ShownEstimate.day <= period.last,
            *period.tickets(),
        )
        .subquery()
    )
    calls = (
        select(CallEvent.ticket_id, func.min(CallEvent.at).label("called"))
        .where(
            CallEvent.site_id == period.site.id,
            CallEvent.day >= period.first,
            CallEvent.day <= period.last,
            CallEvent.recall.is_(False),
        )
        .group_by(CallEvent.ticket_id)
        .subquery()
    )
    actual = minutes(calls.c.called, first_shown.c.at)
    error = first_shown.c.central - actual
    rows = db.session.execute(
        select(
            first_shown.c.day,
            func.count(),
            func.sum(func.abs(error)),
            func.sum(case((func.abs(error) <= 10, 1), else_=0)),
            func.sum(
                case((and_(first_shown.c.low <= actual, actual <= first_shown.c.high), 1), else_=0)
            ),
            func.sum(case((actual > first_shown.c.high, 1), else_=0)),
        )
        .select_from(first_shown)
        .join(calls, calls.c.ticket_id == first_shown.c.ticket_id)
        .where(first_shown.c.nth == 1, calls.c.called >= first_shown.c.at)
        .group_by(first_shown.c.day)
        .order_by(first_shown.c.day)
    ).all()
    return [
        PromiseSums(
            day if isinstance(day, date) else date.fromisoformat(str(day)),
            int(n),
            float(errors or 0),
            int(within or 0),
            int(covered or 0),
            int(late or 0),
        )
        for day, n, errors, within, covered, late in rows
        if n
    ]


def _promise_figures(sums: PromiseSums) -> dict[str, Any]:
    n = sums.patients
    return {
        "patients": n,
        "mae": round(sums.errors / n, 1),
        "within_10": rules.share(sums.within, n),
        "coverage": rules.share(sums.covered, n),
        "past_latest": rules.share(sums.late, n),
    }


def _promises_by_day(period: Period) -> list[dict[str, Any]]:
    return [
        {"day": sums.day.isoformat(), **_promise_figures(sums)} for sums in _promise_sums(period)
    ]


def _promises_overall(period: Period) -> dict[str, Any] | None:
    """The period's figures: the days' sums added up (a row a day)."""
    days = _promise_sums(period)
    if not days:
        return None
    return _promise_figures(
        PromiseSums(
            period.first,
            sum(d.patients for d in days),
            sum(d.errors for d in days),
            sum(d.within for d in days),
            sum(d.covered for d in days),
            sum(d.late for d in days),
        )
    )


@_once
def _notice_rows(period: Period) -> list[dict[str, Any]]:
    """Delay notices posted in the period, by reason (the reason's code, or its words
    when staff typed one)."""
    reason = func.coalesce(DelayNotice.reason_code, DelayNotice.reason)
    where = [
        DelayNotice.site_id == period.site.id,
        DelayNotice.posted_at >= period.start,
        DelayNotice.posted_at < period.end,
    ]
    if period.service is not None:
        where.append(DelayNotice.service_id == period.service.id)
    if period.room is not None:
        where.append(DelayNotice.room_id == period.room.id)
    rows = db.session.execute(
        select(reason, func.count())
        .where(*where)
        .group_by(reason)
        .order_by(func.count().desc(), reason)
    ).all()
    return [{"reason": text, "count": n} for text, n in rows]


def promises(period: Period) -> dict[str, Any]:
    return {
        "overall": _promises_overall(period),
        "by_day": _promises_by_day(period),
        "notices": _notice_rows(period),
    }


# --- Patients' voice ----------------------------------------------------------------


def _answers(period: Period) -> list[ColumnElement[bool]]:
    """The feedback answers about the period's visits (by the day of the visit, or of
    the answer for one given at the kiosk), with the filters. A kiosk answer has no
    service nor room, so a filter leaves it out."""
    where = [
        FeedbackAnswer.site_id == period.site.id,
        FeedbackAnswer.visit_day >= period.first,
        FeedbackAnswer.visit_day <= period.last,
    ]
    if period.service is not None:
        where.append(FeedbackAnswer.service_id == period.service.id)
    if period.room is not None:
        where.append(
            FeedbackAnswer.ticket_id.in_(select(Ticket.id).where(Ticket.room_id == period.room.id))
        )
    return where


def _positive() -> Any:
    good = [r.value for r in feedback_rules.POSITIVE]
    return func.sum(case((FeedbackAnswer.rating.in_(good), 1), else_=0))


def _negative() -> Any:
    poor = [r.value for r in feedback_rules.NEGATIVE]
    return func.sum(case((FeedbackAnswer.rating.in_(poor), 1), else_=0))


@_once
def _ratings(period: Period) -> dict[str, Any]:
    """Responses, and the Friends and Family Test's shares of positive and negative
    answers (of all responses, "Don't know" included, the NHS way)."""
    n, good, poor, complaints = db.session.execute(
        select(
            func.count(),
            _positive(),
            _negative(),
            func.sum(case((FeedbackAnswer.complaint.is_(True), 1), else_=0)),
        ).where(*_answers(period))
    ).one()
    return {
        "responses": int(n),
        "positive_share": rules.share(good, n),
        "negative_share": rules.share(poor, n),
        "complaints": int(complaints or 0),
    }


def _wait_band() -> Any:
    """The wait bands of domain/feedback.py (wait_band), written in SQL."""
    wait = FeedbackAnswer.wait_minutes
    return case(
        (wait < 15, "under_15"),
        (wait < 30, "15_30"),
        (wait < 60, "30_60"),
        else_="over_60",
    )


def _cases(period: Period) -> dict[str, Any]:
    """The cases the period's answers opened: still open, overdue (still new past the
    site's `feedback_overdue_days` working days), and the replied ones that were
    replied within that limit. Only cases are read (poor answers and complaints,
    a few a day), with their open and close times."""
    rows = db.session.execute(
        select(
            FeedbackAnswer.case_status, FeedbackAnswer.case_opened_at, FeedbackAnswer.case_closed_at
        ).where(*_answers(period), FeedbackAnswer.case_status.is_not(None))
    ).all()
    settings = period.site.settings or {}
    limit = int(settings.get("feedback_overdue_days", feedback_rules.DEFAULT_OVERDUE_WORKING_DAYS))
    hours = settings.get("hours") or {}
    open_days = frozenset(DAY_NAMES.index(day) for day, spans in hours.items() if spans)
    zone = period.site.zone
    today = site_day(clock.now(), zone)

    def working_days(start: datetime, end: datetime | date) -> int:
        last = end if not isinstance(end, datetime) else site_day(end, zone)
        return feedback_rules.working_days_between(site_day(start, zone), last, open_days)

    new = feedback_rules.CaseStatus.NEW.value
    replied = feedback_rules.CaseStatus.REPLIED.value
    opened = len(rows)
    still_open = sum(closed is None for _, _, closed in rows)
    overdue = sum(
        status == new and at is not None and working_days(at, today) > limit
        for status, at, _ in rows
    )
    answered = [(at, closed) for status, at, closed in rows if status == replied and at and closed]
    in_time = sum(working_days(at, closed) <= limit for at, closed in answered)
    return {
        "cases": opened,
        "open_cases": still_open,
        "overdue_cases": overdue,
        "replied": len(answered),
        "replied_in_time_share": rules.share(in_time, len(answered)),
        "overdue_days": limit,
    }


def voice(period: Period) -> dict[str, Any]:
    """Patients' voice: the Friends and Family Test answers about the period's visits
    (positive and negative shares, complaints), the cases they opened, each answer by
    rating, and the shares by the wait the patient had."""
    by_rating = dict(
        db.session.execute(
            select(FeedbackAnswer.rating, func.count())
            .where(*_answers(period))
            .group_by(FeedbackAnswer.rating)
        ).all()
    )
    band = _wait_band()
    bands = {
        name: (int(n), good, poor)
        for name, n, good, poor in db.session.execute(
            select(band, func.count(), _positive(), _negative())
            .where(*_answers(period), FeedbackAnswer.wait_minutes.is_not(None))
            .group_by(band)
        ).all()
    }
    return {
        **_ratings(period),
        **_cases(period),
        "by_rating": [
            {"rating": rating.value, "count": int(by_rating.get(rating.value, 0))}
            for rating in feedback_rules.Rating
            if by_rating
        ],
        "by_wait_band": [
            {
                "band": name,
                "responses": bands[name][0],
                "positive_share": rules.share(bands[name][1], bands[name][0]),
                "negative_share": rules.share(bands[name][2], bands[name][0]),
            }
            for name in feedback_rules.WAIT_BANDS
            if name in bands
        ],
    }


# One function and one template block per section.
SECTIONS: dict[str, Callable[[Period], dict[str, Any]]] = {
    "visits": visits,
    "waits": waits,
    "flow": flow,
    "promises": promises,
    "voice": voice,
}


# --- Tables --------------------------------------------------------------------------

# Each table of the report: where its rows are, and their columns. The CLI writes each
# as a CSV file; the page shows the same tables (desk/templates/reports.html).
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "visits_by_source": (("visits", "by_source"), ("source", "count")),
    "waits_by_service": (
        ("waits", "by_service"),
        ("service", "patients", "median", "p90", "target", "over_target_share"),
    ),
    "waits_by_hour": (("waits", "by_hour"), ("hour", "patients", "mean_wait")),
    "arrivals": (("waits", "arrivals"), ("weekday", "hour", "count")),
    "time_in_room": (("flow", "time_in_room"), ("service", "room", "patients", "mean_minutes")),
    "utilisation": (
        ("flow", "utilisation"),
        ("room", "busy_minutes", "open_minutes", "utilisation"),
    ),
    "call_to_start": (("flow", "call_to_start"), ("service", "patients", "mean_minutes")),
    "pauses": (("flow", "pauses"), ("room", "count")),
    "accuracy_by_day": (
        ("promises", "by_day"),
        ("day", "patients", "mae", "within_10", "coverage", "past_latest"),
    ),
    "delay_notices": (("promises", "notices"), ("reason", "count")),
    "voice_by_rating": (("voice", "by_rating"), ("rating", "count")),
    "voice_by_wait_band": (
        ("voice", "by_wait_band"),
        ("band", "responses", "positive_share", "negative_share"),
    ),
}


def headline_rows(data: dict[str, Any]) -> list[tuple[str, Any, Any, Any]]:
    """(figure, this period, previous period, signed change) per headline figure."""
    before = data["previous"]["headline"]
    return [
        (key, value, before.get(key), data["change"].get(key))
        for key, value in data["headline"].items()
    ]


def report_csvs(data: dict[str, Any]) -> dict[str, str]:
    """The report's tables as CSV texts, by file name (headline.csv first)."""
    files = {"headline.csv": _csv(("figure", "value", "previous", "change"), headline_rows(data))}
    for name, ((section, part), columns) in TABLES.items():
        rows = data[section][part]
        files[f"{name}.csv"] = _csv(columns, [tuple(row.get(c) for c in columns) for row in rows])
    return files


def _csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return out.getvalue()


def _cell(value: Any) -> Any:
    """A text a spreadsheet would run as a formula (a delay reason typed at the desk)
    starts with a quote, as in the audit log's CSV; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value
