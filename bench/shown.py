"""Score what was shown: the simulated clinics' days driven through the real service layer.

    python -m bench.shown                  # 4 test days per clinic (seeds 2000+)
    python -m bench.shown --days 1         # a smoke run

bench/estimates.py scores the predictor: its estimate for each patient at check-in,
worked out from a replay of the log. A patient is shown something else: the check-in's
answer, the promise the refresh after it made, every promise a later refresh moved
(server/services/promises.py). Here every event of a simulated day goes through the
service functions a kiosk and a desk call (check-in, call, start, complete, no-show,
cancel, pause, resume, delay notices), on a SQLite database in a temporary folder, on a
controlled clock (app.extensions["waitroom.clock"], as the tests set it). Estimates are
refreshed as `waitroom serve` refreshes them (server/services/refresher.py): shortly
after a change, at most once a second while changes keep coming, and on the slow tick
(ESTIMATE_TICK_SECONDS, 60). What the patients were shown is then read back from the
`shown_estimates` table, as the accuracy report reads it, and scored with the same
columns as the predictor: each patient's first estimate, and every estimate shown.

The days are the benchmark's test days with bursts added: ten walk-ins within a minute
at opening and a coach of fifteen at midday. The five days before each day (its
history) are written straight into the database as the tickets and appointments the
server would have kept; only the day scored goes through the services.
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from bench.clinic import Burst, DayLog, Event, Scenario, hm, simulate_day
from bench.estimates import (
    HISTORY_DAYS,
    SCENARIOS,
    PastDay,
    Row,
    ServerView,
    score,
    score_day,
)
from server import create_app, services
from server.config import TestConfig
from server.domain.estimate import DEFAULT_CALIBRATION, DEFAULT_RUNS, Estimate, naive_estimates
from server.domain.queue import TicketStatus, token_digest
from server.extensions import db
from server.services import audit
from server.services.ticks import refresh_estimates
from server.sites.schema import parse_site_text
from server.storage.models import Appointment, CallEvent, Room, Service, ShownEstimate, Site, Ticket

SITE = "bench"
STAFF = "bench-desk"
TICK = timedelta(seconds=60)  # waitroom serve's ESTIMATE_TICK_SECONDS
SETTLE = timedelta(seconds=0.05)  # refresher.SETTLE_SECONDS: a change, then its refresh
BURST_GAP = timedelta(seconds=1)  # refresher.BURST_GAP_SECONDS: between two while busy
BUSY = timedelta(seconds=0.2)  # a refresh running (its simulation and its rest)
LABELS = ("predictor", "first shown", "every shown")


# --- The days: the benchmark's clinics, with bursts -----------------------------------


def with_bursts(scenario: Scenario) -> Scenario:
    """Ten walk-ins within a minute at opening and a coach of 15 at midday, for the
    clinic's busiest walk-in line."""
    service = max(scenario.services, key=lambda s: s.walk_ins(hm("08:30"))).key
    opening = scenario.sessions[0][0]
    return replace(
        scenario,
        bursts=(Burst(service, opening + 0.5, 10, 1.0), Burst(service, hm("12:00"), 15, 3.0)),
    )


# --- The site, and its past -----------------------------------------------------------


def site_text(scenario: Scenario) -> str:
    """The scenario as a site file: its services, rooms and opening hours, in UTC."""
    hours = [f"{_clock(a)}-{_clock(b)}" for a, b in scenario.sessions]
    days = "\n".join(f"{d} = {hours!r}".replace("'", '"') for d in _WEEKDAYS)
    parts = [
        "[site]",
        f'slug = "{SITE}"',
        'name = "Benchmark clinic"',
        'timezone = "UTC"',
        'languages = ["en"]',
        f"on_time_grace_minutes = {round(scenario.grace)}",
        "[site.hours]",
        days,
    ]
    for s in scenario.services:
        parts += [
            "[[services]]",
            f'code = "{s.key.lower()}"',
            f'prefix = "{s.key}"',
            f"typical_minutes = {s.typical_minutes}",
            f'name = {{ en = "Service {s.key}" }}',
        ]
    for code, served in scenario.rooms:
        parts += [
            "[[rooms]]",
            f'code = "{code}"',
            f'name = {{ en = "Room {code}" }}',
            f"services = {list(served)!r}".replace("'", '"'),
        ]
    return "\n".join(parts) + "\n"


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _clock(minute: float) -> str:
    return f"{int(minute // 60):02d}:{int(minute % 60):02d}"


def appointment_code(log: DayLog, booking: int) -> str:
    return f"D{log.day:%m%d}A{booking:04d}"


def appointments_csv(log: DayLog) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", "last_name", "first_name", "date_of_birth", "service", "time", "date"])
    for booking, (service, at) in enumerate(log.appointments):
        code = appointment_code(log, booking)
        writer.writerow(
            [code, "Patient", code, "1980-01-01", service, f"{at:%H:%M}", f"{at:%Y-%m-%d}"]
        )
    return out.getvalue()


def make_app(folder: Path, clock: SimClock) -> Flask:
    """The app as the tests make it, on a SQLite file, estimates refreshed by the driver."""
    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    settings |= {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
        "ESTIMATE_REFRESH": "off",  # the driver refreshes as the refresher would
    }
    app = create_app(settings)
    app.extensions["waitroom.clock"] = clock
    return app


@dataclass
class SimClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


def write_history(past: Sequence[PastDay]) -> None:
    """The days before, as the server would have kept them: tickets with their times,
    appointments linked to the ticket that came for them, pauses in the audit log."""
    site = db.session.scalar(select(Site).where(Site.slug == SITE))
    assert site is not None
    service_ids = {s.prefix: s.id for s in db.session.scalars(select(Service))}
    room_ids = {r.code: r.id for r in db.session.scalars(select(Room))}
    for day in past:
        log = day.view.log
        services.import_appointments(SITE, appointments_csv(log), log.day.date())
        tickets: dict[int, Ticket] = {}
        numbers: dict[str, int] = defaultdict(int)
        for sim_id, t in day.view.tickets.items():
            numbers[t.service] += 1
            status = {"done": TicketStatus.DONE, "no_show": TicketStatus.NO_SHOW}.get(
                t.status, TicketStatus.CANCELLED
            )
            tickets[sim_id] = Ticket(
                site_id=site.id,
                service_id=service_ids[t.service],
                day=log.day.date(),
                number=numbers[t.service],
                number_prefix=t.service,
                token_digest=token_digest(f"history-{log.day:%Y%m%d}-{sim_id}"),
                status=status,
                priority=0,
                source="appointment" if t.appointment_at else "kiosk",
                language="en",
                arrived_at=t.arrived,
                queue_at=t.queue_at,
                appointment_at=t.appointment_at,
                called_at=t.called_at,
                started_at=t.started_at,
                finished_at=t.finished_at,
                room_id=room_ids[t.room] if t.room else None,
            )
        db.session.add_all(tickets.values())
        db.session.flush()
        by_booking = {
            e.appointment: tickets[e.ticket].id
            for e in log.events
            if e.kind == "check_in" and e.appointment is not None and e.ticket is not None
        }
        codes = {appointment_code(log, b): ticket for b, ticket in by_booking.items()}
        for appointment in db.session.scalars(
            select(Appointment).where(Appointment.code.in_(list(codes)))
        ):
            appointment.ticket_id = codes[appointment.code]
        for e in log.events:
            if e.kind in ("pause", "resume"):
                action = "pause_room" if e.kind == "pause" else "resume_room"
                audit.record(action, site_id=site.id, at=e.at, room=e.room)
        db.session.commit()


# --- Driving one day --------------------------------------------------------------------


@dataclass
class Driver:
    """Feeds one day's events to the services, and refreshes as the server would."""

    log: DayLog
    clock: SimClock
    staff_id: int
    tickets: dict[int, int] = field(default_factory=dict)  # sim id -> server id
    tokens: dict[int, str] = field(default_factory=dict)
    notices: dict[int, int] = field(default_factory=dict)  # sim notice -> server notice
    pending: datetime | None = None  # a refresh asked for, to run at this time
    last_refresh: datetime | None = None
    next_tick: datetime | None = None
    refreshes: int = 0  # after changes (ticks not counted)
    ticks: int = 0

    def run(self) -> None:
        # Ticks from the day's first event to its last: outside that nobody waits, and a
        # tick would change nothing (a fifth of the run time for the hours of night).
        if not self.log.events:
            return
        self.next_tick = self.log.events[0].at + TICK
        for event in self.log.events:
            self.catch_up(event.at)
            self.clock.now = event.at
            if self.apply(event):
                self.changed(event.at)
        self.next_tick = None
        self.catch_up(self.log.events[-1].at + timedelta(hours=1))

    def changed(self, at: datetime) -> None:
        """A change committed: the refresher runs soon, or folds it into its next run."""
        if self.pending is not None:
            return
        busy = self.last_refresh is not None and at < self.last_refresh + BUSY
        self.pending = self.last_refresh + BURST_GAP if busy and self.last_refresh else at + SETTLE

    def catch_up(self, until: datetime) -> None:
        """Run the refreshes and ticks due before `until`, in time order."""
        while True:
            due = [t for t in (self.pending, self.next_tick) if t is not None and t < until]
            if not due:
                return
            at = min(due)
            if at == self.pending:
                self.pending = None
                self.refreshes += 1
            else:
                assert self.next_tick is not None
                self.next_tick += TICK
                self.ticks += 1
            self.refresh(at)

    def refresh(self, at: datetime) -> None:
        self.clock.now = at
        refresh_estimates(SITE)
        db.session.remove()
        self.last_refresh = at

    def apply(self, event: Event) -> bool:
        """One event through its service; False for what changes nothing on the server."""
        kind, staff = event.kind, self.staff_id
        ticket = self.tickets.get(event.ticket) if event.ticket is not None else None
        if kind == "check_in":
            assert event.ticket is not None and event.service is not None
            if event.appointment is not None:
                done = services.check_in_appointment(
                    SITE, code=appointment_code(self.log, event.appointment)
                )
            else:
                done = services.check_in_walk_in(SITE, event.service)
            self.tickets[event.ticket], self.tokens[event.ticket] = done.ticket_id, done.token
        elif kind == "call" and ticket is not None:
            assert event.room is not None
            services.call_ticket(SITE, ticket, event.room, actor_id=staff)
        elif kind == "start" and ticket is not None:
            services.start_service(SITE, ticket, actor_id=staff)
        elif kind == "complete" and ticket is not None:
            services.complete(SITE, ticket, actor_id=staff)
        elif kind == "no_show" and ticket is not None:
            services.mark_no_show(SITE, ticket, actor_id=staff)
        elif kind == "cancel" and event.ticket in self.tokens:
            services.cancel_by_patient(self.tokens[event.ticket])
        elif kind in ("pause", "resume"):
            assert event.room is not None
            act = services.pause_room if kind == "pause" else services.resume_room
            act(SITE, event.room, actor_id=staff)
        elif kind == "notice":
            assert event.notice is not None and event.scope and event.minutes is not None
            posted = services.post_notice(
                SITE,
                scope=event.scope,
                target=event.room,
                reason_code=None,
                note="Running late",
                expected_minutes=event.minutes,
                actor_id=staff,
            )
            self.notices[event.notice] = posted["notice"]["id"]
        elif kind == "clear" and event.notice in self.notices:
            services.clear_notice(SITE, self.notices.pop(event.notice), actor_id=staff)
        else:
            return False
        db.session.remove()
        return True


# --- Scoring what was shown -------------------------------------------------------------


@dataclass
class ShownDay:
    """One day's rows: the predictor's at check-in, each patient's first shown estimate,
    and every estimate shown; each row also carries the naive rule at the same moment."""

    rows: dict[str, list[Row]]
    refreshes: int  # after changes
    ticks: int
    events: int
    seconds: float


def shown_rows(log: DayLog, tickets: dict[int, int]) -> tuple[list[Row], list[Row]]:
    """Read back what was shown (shown_estimates) and when each ticket was first called
    (call_events); score it, with the naive rule worked out at each estimate's moment."""
    sim_of = {server: sim for sim, server in tickets.items()}
    calls: dict[int, datetime] = {}
    for ticket_id, at in db.session.execute(
        select(CallEvent.ticket_id, CallEvent.at)
        .where(CallEvent.recall.is_(False))
        .order_by(CallEvent.at)
    ):
        calls.setdefault(ticket_id, at)
    shown = [
        r
        for r in db.session.scalars(
            select(ShownEstimate).order_by(ShownEstimate.at, ShownEstimate.id)
        )
        if r.ticket_id in calls and r.ticket_id in sim_of
    ]
    typical = {s.key: s.typical_minutes for s in log.scenario.services}
    view = ServerView(log)
    events = iter(log.events)
    upcoming = next(events, None)
    first: list[Row] = []
    every: list[Row] = []
    seen: set[int] = set()
    for row in shown:
        while upcoming is not None and upcoming.at <= row.at:
            view.apply(upcoming)
            upcoming = next(events, None)
        naive = naive_estimates(view.snapshot(row.at), typical).tickets.get(sim_of[row.ticket_id])
        if naive is None:  # no longer waiting in the replay (the same instant as its call)
            continue
        actual = (calls[row.ticket_id] - row.at).total_seconds() / 60
        estimate = Estimate(row.central, row.low, row.high)
        scored = Row(actual, {"shown": estimate, "naive": naive})
        every.append(scored)
        if row.ticket_id not in seen:
            seen.add(row.ticket_id)
            first.append(scored)
    return first, every


def run_day(scenario: Scenario, seed: int, runs: int = DEFAULT_RUNS) -> ShownDay:
    started = time.perf_counter()
    day_index = seed % 1000
    past = [
        PastDay.of(simulate_day(scenario, day_index - k, seed * 100 + k))
        for k in range(HISTORY_DAYS, 0, -1)
    ]
    log = simulate_day(scenario, day_index, seed)
    predictor = [
        Row(r.actual, {"shown": r.estimates["simulation"], "naive": r.estimates["naive"]})
        for r in score_day(scenario, seed, DEFAULT_CALIBRATION, runs)
    ]
    with tempfile.TemporaryDirectory(prefix="waitroom-shown-") as folder:
        clock = SimClock(log.day)
        app = make_app(Path(folder), clock)
        with app.app_context():
            db.create_all()
            services.load_site(parse_site_text(site_text(scenario)))
            staff = services.add_user(STAFF, "bench password, not a secret", "staff", [SITE])
            write_history(past)
            services.import_appointments(SITE, appointments_csv(log), log.day.date())
            driver = Driver(log, clock, staff.id)
            driver.run()
            first, every = shown_rows(log, driver.tickets)
            db.session.remove()
            db.engine.dispose()
    rows = {"predictor": predictor, "first shown": first, "every shown": every}
    return ShownDay(
        rows, driver.refreshes, driver.ticks, len(log.events), time.perf_counter() - started
    )


# --- The table and the targets ----------------------------------------------------------


def table(results: dict[str, dict[str, list[Row]]]) -> str:
    header = (
        f"| {'scenario':<20} | {'estimate':<12} | {'patients':>8} | {'mean wait':>9} | "
        f"{'MAE':>5} | {'bias':>6} | {'within ±10':>10} | {'coverage':>8} | {'past high':>9} |"
        f" {'naive MAE':>9} |"
    )
    lines = [header, "|" + "|".join("-" * len(c) for c in header.split("|")[1:-1]) + "|"]
    for name, by_label in [*results.items(), ("all, pooled", pooled(results))]:
        for label in LABELS:
            rows = by_label[label]
            s, n = score(rows, "shown"), score(rows, "naive")
            lines.append(
                f"| {name:<20} | {label:<12} | {s.patients:>8} | {s.mean_wait:>9.1f} | "
                f"{s.mae:>5.1f} | {s.bias:>+6.1f} | {s.within_10:>10.0%} | {s.coverage:>8.0%} | "
                f"{s.past_high:>9.0%} | {n.mae:>9.1f} |"
            )
    return "\n".join(lines)


def pooled(results: dict[str, dict[str, list[Row]]]) -> dict[str, list[Row]]:
    return {label: [r for by in results.values() for r in by[label]] for label in LABELS}


def targets(results: dict[str, dict[str, list[Row]]]) -> list[tuple[str, bool]]:
    """The issue's targets for the estimates shown, each with whether this run met it."""
    checks: list[tuple[str, bool]] = []

    def ratio(rows: list[Row], limit: float, what: str) -> None:
        s, n = score(rows, "shown"), score(rows, "naive")
        r = s.mae / n.mae if n.mae else float("inf")
        checks.append(
            (f"{what}: MAE {s.mae:.1f} <= {limit} x naive {n.mae:.1f} (ratio {r:.2f})", r <= limit)
        )

    every = pooled(results)["every shown"]
    ratio(every, 0.75, "every shown, pooled")
    for name, by in results.items():
        if "disrupted" in name:
            ratio(by["every shown"], 0.65, f"{name}, every shown")
    for name, by in [*results.items(), ("all, pooled", pooled(results))]:
        s = score(by["every shown"], "shown")
        checks.append(
            (
                f"{name}, every shown: coverage {s.coverage:.1%} in [78%, 85%]",
                0.78 <= s.coverage <= 0.85,
            )
        )
        checks.append(
            (
                f"{name}, every shown: called after the latest time {s.past_high:.1%} <= 12%",
                s.past_high <= 0.12,
            )
        )
        first, own = score(by["first shown"], "shown"), score(by["predictor"], "shown")
        checks.append(
            (
                f"{name}: first shown MAE {first.mae:.1f} <= 1.1 x predictor {own.mae:.1f} "
                f"(ratio {first.mae / own.mae if own.mae else float('inf'):.2f})",
                first.mae <= 1.1 * own.mae,
            )
        )
    s = score(every, "shown")
    checks.append(
        (f"every shown, pooled: within ±10 min {s.within_10:.1%} >= 70%", s.within_10 >= 0.70)
    )
    return checks


# --- Running it -------------------------------------------------------------------------


def _job(job: tuple[int, int, int]) -> tuple[int, ShownDay]:
    index, seed, runs = job
    return index, run_day(with_bursts(SCENARIOS[index]), seed, runs)


def run_shown(
    days: int,
    scenarios: Sequence[int],
    jobs: int = 1,
    first_seed: int = 2000,
    runs: int = DEFAULT_RUNS,
) -> tuple[dict[str, dict[str, list[Row]]], list[ShownDay]]:
    work = [(i, first_seed + d, runs) for i in scenarios for d in range(days)]
    found: dict[int, dict[str, list[Row]]] = {i: {label: [] for label in LABELS} for i in scenarios}
    done: list[ShownDay] = []

    def results() -> Iterator[tuple[int, ShownDay]]:
        if jobs <= 1:
            yield from map(_job, work)
        else:
            with ProcessPoolExecutor(jobs) as pool:
                yield from pool.map(_job, work, chunksize=1)

    for index, day in results():
        done.append(day)
        for label in LABELS:
            found[index][label].extend(day.rows[label])
    return {SCENARIOS[i].name: found[i] for i in scenarios}, done


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--days", type=int, default=4, help="test days per clinic")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these scenarios (by name)")
    args = parser.parse_args(argv)
    chosen = [i for i, s in enumerate(SCENARIOS) if not args.only or s.name in args.only]
    if not chosen:
        parser.error(f"--only: choose among {', '.join(s.name for s in SCENARIOS)}")
    started = time.perf_counter()
    results, days = run_shown(args.days, chosen, args.jobs)
    print(
        f"{args.days} test days (seeds 2000+) per clinic, each with ten walk-ins at opening "
        "and a coach of 15 at midday; driven through the services on SQLite"
    )
    print()
    print(table(results))
    print()
    for text, met in targets(results):
        print(f"[{'met' if met else 'MISSED'}] {text}")
    events = sum(d.events for d in days)
    refreshes = sum(d.refreshes for d in days)
    ticks = sum(d.ticks for d in days)
    print(
        f"\n{len(days)} days, {events} events, {refreshes} refreshes after changes and "
        f"{ticks} on the tick; "
        f"{statistics.fmean(d.seconds for d in days):.0f} s a day; "
        f"{time.perf_counter() - started:.0f} s in all"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
