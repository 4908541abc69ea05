"""How accurate are the wait estimates? Four simulated clinics, three predictors.

    python -m bench.estimates                 # the full run (a few minutes on 2 cores)
    python -m bench.estimates --quick         # a smoke run
    python -m bench.estimates --fit           # also print the calibration fitted

Each scenario is simulated over many days with fixed seeds: calibration days (seeds
1000+) fit the forward simulation's interval, test days (seeds 2000+) are scored. Every
day's history (the five days before it) is simulated too. The predictors see only the
event log the server would keep (bench/clinic.py), replayed up to each check-in; each
patient's estimate at check-in is compared with the minutes until they were called.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bench.clinic import DayLog, Event, RemoteOutcome, Scenario, ServiceSpec, hm, simulate_day
from server.domain import remote
from server.domain.estimate import (
    DEFAULT_CALIBRATION,
    Calibration,
    Coming,
    Estimate,
    ExpectedAppointment,
    Occupant,
    PostedDelay,
    QueueSnapshot,
    RoomState,
    WaitingTicket,
    fit_calibration,
    naive_estimates,
    quantile,
    queue_length_estimates,
    simulated_waits,
    summarise,
)
from server.domain.history import (
    ClinicModel,
    History,
    PastAppointment,
    PastVisit,
    learn,
    minutes,
    walk_in_rate,
)

HISTORY_DAYS = 5
ADVISOR_RUNS = 40  # simulation runs for each minute's "Leave by" of remote patients
PREDICTORS = ("naive", "queue length", "simulation")


def _steps(*pairs: tuple[str, float]) -> object:
    """A rate per hour that changes at given clock times: ('08:00', 9), ('10:00', 7)..."""
    points = sorted((hm(t), rate) for t, rate in pairs)

    def rate(minute: float) -> float:
        current = 0.0
        for start, value in points:
            if minute >= start:
                current = value
        return current

    return rate


# The scenarios read as tables, one service a line.
# fmt: off
URGENT_CARE = Scenario(
    name="walk-in urgent care",
    services=(
        ServiceSpec(
            "U", 20, median=16, sigma=0.55,
            walk_ins=_steps(("08:00", 13), ("10:00", 11), ("12:00", 8), ("14:00", 9),
                            ("17:00", 12), ("19:00", 7), ("20:00", 0)),
        ),
        ServiceSpec("X", 10, median=8, sigma=0.5, walk_ins=_steps(("08:00", 3), ("20:00", 0))),
    ),
    rooms=(("u1", ("U",)), ("u2", ("U",)), ("u3", ("U",)), ("u4", ("U", "X")), ("x1", ("X",))),
    sessions=((hm("08:00"), hm("20:00")),),
)

# Busier: the same rooms and visits, about 60% more arrivals, open until 22:00 with the
# peak in the evening (after work): waits of about 50 minutes on average (51 over seeds
# 5000-5009, 48 over the test days 2000-2009; plain simulation runs), 80 after 18:00.
BUSY_URGENT_CARE = Scenario(
    name="busy urgent care",
    services=(
        ServiceSpec(
            "U", 20, median=16, sigma=0.55,
            walk_ins=_steps(("08:00", 16), ("10:00", 14), ("12:00", 11), ("14:00", 13),
                            ("16:00", 17), ("17:00", 22), ("19:00", 19), ("21:00", 10),
                            ("22:00", 0)),
        ),
        ServiceSpec("X", 10, median=8, sigma=0.5, walk_ins=_steps(("08:00", 3), ("22:00", 0))),
    ),
    rooms=(("u1", ("U",)), ("u2", ("U",)), ("u3", ("U",)), ("u4", ("U", "X")), ("x1", ("X",))),
    sessions=((hm("08:00"), hm("22:00")),),
)

_MIXED = dict(
    services=(
        ServiceSpec("G", 15, median=13, sigma=0.45, walk_ins=_steps(("08:00", 1.5), ("17:00", 0)),
                    slot_minutes=15, booked_share=0.95),
        ServiceSpec("N", 12, median=10, sigma=0.5, walk_ins=_steps(("08:00", 1.5), ("17:00", 0)),
                    slot_minutes=20, booked_share=0.8),
        ServiceSpec("B", 6, median=5, sigma=0.45,
                    walk_ins=_steps(("08:00", 14), ("10:00", 8), ("13:30", 6), ("17:00", 0))),
    ),
    rooms=(("g1", ("G",)), ("g2", ("G",)), ("g3", ("G",)), ("n1", ("N",)), ("lab1", ("B",)),
           ("lab2", ("B", "N"))),
    sessions=((hm("08:00"), hm("12:30")), (hm("13:30"), hm("17:00"))),
    booked_rooms={"G": ("g1", "g2", "g3"), "N": ("n1",)},
)
# fmt: on
MIXED = Scenario(name="mixed clinic", **_MIXED)  # type: ignore[arg-type]
DISRUPTED = Scenario(name="mixed, disrupted", disrupted=True, **_MIXED)  # type: ignore[arg-type]
SCENARIOS = (URGENT_CARE, MIXED, DISRUPTED, BUSY_URGENT_CARE)


# --- What the server would know --------------------------------------------------


@dataclass
class _Ticket:
    service: str
    arrived: datetime
    queue_at: datetime
    appointment_at: datetime | None
    status: str = "waiting"
    room: str | None = None
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    # A remote ticket: its stated travel time, whether it has come in, since when it is
    # held, its time to set off as shown, and when it was told to leave.
    travel: int | None = None
    here: bool = True
    held_at: datetime | None = None
    leave_at: datetime | None = None
    told_at: datetime | None = None

    def coming(self) -> Coming | None:
        """As the server's forecast sees it (services/forecast_inputs.py _coming)."""
        if self.here or self.travel is None:
            return None
        leave = self.told_at or self.leave_at
        expected = remote.expected_arrival(self.arrived, timedelta(minutes=self.travel), leave)
        return Coming(expected, float(self.travel), self.held_at)


@dataclass
class _Room:
    services: tuple[str, ...]
    paused_since: datetime | None = None
    ticket: int | None = None
    free_since: datetime | None = None


@dataclass
class ServerView:
    """The queue as the server sees it, rebuilt from the day's log event by event."""

    log: DayLog
    tickets: dict[int, _Ticket] = field(default_factory=dict)
    rooms: dict[str, _Room] = field(default_factory=dict)
    notices: dict[int, PostedDelay] = field(default_factory=dict)
    pauses: list[float] = field(default_factory=list)
    # Each booking by itself (its index in the day's book), as the server links an
    # appointment to the ticket that checked in for it: several rooms share a slot grid.
    arrived_appointments: dict[int, datetime] = field(default_factory=dict)
    # The forecast as it was before it knew remote tickets: a remote patient not here
    # yet counted as waiting in the room (--remote-blind, for comparison).
    remote_blind: bool = False

    def __post_init__(self) -> None:
        self.rooms = {code: _Room(services) for code, services in self.log.scenario.rooms}

    def apply(self, event: Event) -> None:
        kind, at = event.kind, event.at
        ticket = self.tickets.get(event.ticket) if event.ticket is not None else None
        if kind == "check_in":
            assert event.ticket is not None and event.service and event.queue_at
            self.tickets[event.ticket] = _Ticket(
                event.service, at, event.queue_at, event.appointment_at
            )
            if event.travel_minutes is not None:
                self.tickets[event.ticket].travel = event.travel_minutes
                self.tickets[event.ticket].here = False
            if event.appointment is not None:
                self.arrived_appointments[event.appointment] = at
        elif kind == "call" and ticket is not None:
            assert event.room is not None
            ticket.status, ticket.room, ticket.called_at = "called", event.room, at
            self.rooms[event.room].ticket = event.ticket
        elif kind == "start" and ticket is not None:
            ticket.status, ticket.started_at = "in_service", at
        elif kind in ("complete", "no_show") and ticket is not None:
            ticket.status, ticket.finished_at = ("done" if kind == "complete" else kind), at
            if ticket.room is not None:
                room = self.rooms[ticket.room]
                room.ticket, room.free_since = None, at
        elif kind == "advice" and ticket is not None:
            ticket.leave_at = event.leave_at
        elif kind == "leave" and ticket is not None:
            ticket.told_at = at
        elif kind == "arrive" and ticket is not None:
            ticket.here, ticket.held_at = True, None
        elif kind == "held" and ticket is not None:
            ticket.held_at = at
        elif kind == "moved_back" and ticket is not None:
            assert event.queue_at is not None
            ticket.queue_at, ticket.held_at = event.queue_at, None
        elif kind == "cancel" and ticket is not None:
            ticket.status, ticket.finished_at = "cancelled", at
        elif kind == "pause":
            assert event.room is not None
            self.rooms[event.room].paused_since = at
        elif kind == "resume":
            assert event.room is not None
            room = self.rooms[event.room]
            if room.paused_since is not None:
                self.pauses.append(minutes(at, room.paused_since))
            room.paused_since = None
        elif kind == "notice":
            assert event.notice is not None and event.scope and event.minutes is not None
            self.notices[event.notice] = PostedDelay(event.scope, event.room, at, event.minutes)
        elif kind == "clear" and event.notice is not None:
            self.notices.pop(event.notice, None)

    def sessions(self) -> list[tuple[datetime, datetime]]:
        return [(self.log.at(a), self.log.at(b)) for a, b in self.log.scenario.sessions]

    def snapshot(self, now: datetime) -> QueueSnapshot:
        sessions = self.sessions()
        opened = max((a for a, _ in sessions if a <= now), default=None)
        closures = [(now, sessions[0][0])] if now < sessions[0][0] else []
        closures += [(b, a2) for (_, b), (a2, _) in itertools.pairwise(sessions)]
        rooms = []
        for code, room in self.rooms.items():
            occupant = None
            if room.ticket is not None:
                t = self.tickets[room.ticket]
                assert t.called_at is not None
                occupant = Occupant(t.service, t.called_at, t.started_at, t.arrived)
            free = room.free_since
            if free is None or opened is None or free < opened:
                free = None  # not used since this session opened
            rooms.append(
                RoomState(
                    code,
                    room.services,
                    room.paused_since is not None,
                    room.paused_since,
                    occupant,
                    free,
                )
            )
        return QueueSnapshot(
            now=now,
            waiting=tuple(
                WaitingTicket(
                    i,
                    t.service,
                    t.queue_at,
                    t.arrived,
                    0,
                    t.appointment_at,
                    None if self.remote_blind else t.coming(),
                )
                for i, t in self.tickets.items()
                if t.status == "waiting"
            ),
            rooms=tuple(rooms),
            delays=tuple(self.notices.values()),
            appointments=tuple(
                ExpectedAppointment(s, at)
                for booking, (s, at) in enumerate(self.log.appointments)
                if booking not in self.arrived_appointments
            ),
            closures=tuple((a, b) for a, b in closures if b > now),
            session_opened_at=opened,
            on_time_grace_minutes=self.log.scenario.grace,
            remote_grace_minutes=self.log.scenario.remote_grace,
            remote_move_back=self.log.scenario.remote_move_back,
        )

    def visits(self) -> list[PastVisit]:
        return [
            PastVisit(
                t.service,
                t.room,
                t.arrived,
                t.called_at,
                t.started_at,
                t.finished_at,
                t.status == "no_show",
            )
            for t in self.tickets.values()
        ]

    def walk_ins_between(self, start: datetime, end: datetime) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for t in self.tickets.values():
            if t.appointment_at is None and start <= t.arrived < end:
                counts[t.service] += 1
        return counts


@dataclass
class PastDay:
    view: ServerView  # at the end of the day

    @classmethod
    def of(cls, log: DayLog) -> PastDay:
        view = ServerView(log)
        for event in log.events:
            view.apply(event)
        return cls(view)


def history_at(now: datetime, today: ServerView, past: Sequence[PastDay]) -> History:
    scenario = today.log.scenario
    visits = [v for day in past for v in day.view.visits()] + today.visits()
    starts = [a for day in [*(p.view for p in past), today] for a, _ in day.sessions() if a <= now]
    appointments = [
        PastAppointment(at, day.view.arrived_appointments.get(booking))
        for day in past
        for booking, (_, at) in enumerate(day.view.log.appointments)
    ]
    rates = {}
    for spec in scenario.services:
        recent = today.walk_ins_between(now - timedelta(hours=1), now).get(spec.key, 0)
        earlier = sum(
            day.view.walk_ins_between(
                now - timedelta(hours=1) - (today.log.day - day.view.log.day),
                now - (today.log.day - day.view.log.day),
            ).get(spec.key, 0)
            for day in past
        )
        rates[spec.key] = walk_in_rate(recent, 60.0, earlier, len(past))
    return History(
        typical_minutes={s.key: s.typical_minutes for s in scenario.services},
        visits=visits,
        session_starts=starts,
        pause_minutes=[m for day in past for m in day.view.pauses] + today.pauses,
        appointments=appointments,
        walk_ins_per_hour=rates,
    )


# --- What remote patients are shown ----------------------------------------------


@dataclass
class Advisor:
    """The server's estimates while the day is being simulated, for remote patients'
    "Leave by": the log so far replayed into a ServerView, and the forward simulation's
    low end (the calibration the server ships) for every waiting ticket. The model is
    learnt again every half hour, as a server's is kept for a while."""

    scenario: Scenario
    past: Sequence[PastDay]
    runs: int
    remote_blind: bool = False
    view: ServerView | None = None
    applied: int = 0
    model: tuple[datetime, ClinicModel] | None = None

    def __call__(
        self, events: list[Event], book: list[tuple[str, datetime]], now: datetime
    ) -> dict[int, int]:
        if self.view is None:
            day = DayLog(self.scenario, _midnight(now), book, [])
            self.view = ServerView(day, remote_blind=self.remote_blind)
        while self.applied < len(events) and events[self.applied].at <= now:
            self.view.apply(events[self.applied])
            self.applied += 1
        if self.model is None or now - self.model[0] >= timedelta(minutes=30):
            self.model = (now, learn(history_at(now, self.view, self.past)))
        snapshot = self.view.snapshot(now)
        draws = simulated_waits(snapshot, self.model[1], runs=self.runs, seed=0)
        return {
            key: summarise(values, DEFAULT_CALIBRATION).low
            for key, values in draws.items()
            if isinstance(key, int)
        }


def _midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


# --- One scored day --------------------------------------------------------------


@dataclass
class Row:
    """One patient: the three estimates at check-in, and the wait that followed."""

    actual: float
    estimates: dict[str, Estimate]
    draws: tuple[float, ...] = ()  # the simulated waits, kept on calibration days
    remote: bool = False  # joined from home
    # The simulation's own expected error: the mean distance of its draws from their
    # median. Were its forecast the truth, its MAE would be this; no predictor that
    # knows what it knows can do much better.
    spread: float = 0.0


@dataclass
class DayScore:
    rows: list[Row]
    remote: list[RemoteOutcome] = field(default_factory=list)  # remote patients' days
    # Minutes in the room before being called, of the walk-ins who came in person.
    in_person_waits: list[float] = field(default_factory=list)


def score_day(
    scenario: Scenario, seed: int, calibration: Calibration, runs: int, keep_draws: bool = False
) -> list[Row]:
    return score_day_with_remote(scenario, seed, calibration, runs, keep_draws).rows


def score_day_with_remote(
    scenario: Scenario,
    seed: int,
    calibration: Calibration,
    runs: int,
    keep_draws: bool = False,
    remote_blind: bool = False,
) -> DayScore:
    day_index = seed % 1000
    past = [
        PastDay.of(simulate_day(scenario, day_index - k, seed * 100 + k))
        for k in range(HISTORY_DAYS, 0, -1)
    ]
    # Remote patients go by the server's estimates: a smaller simulation for each minute.
    advisor = None
    if scenario.remote_share > 0:
        advisor = Advisor(scenario, past, ADVISOR_RUNS, remote_blind)
    log = simulate_day(scenario, day_index, seed, advisor)
    calls: dict[int, datetime] = {}
    for event in log.events:
        if event.kind == "call" and event.ticket is not None:
            calls.setdefault(event.ticket, event.at)
    typical = {s.key: s.typical_minutes for s in scenario.services}
    view = ServerView(log, remote_blind=remote_blind)
    rows = []
    for event in log.events:
        view.apply(event)
        if event.kind != "check_in" or event.ticket not in calls:
            continue
        ticket = event.ticket
        now = event.at
        snapshot = view.snapshot(now)
        model = learn(history_at(now, view, past))
        run_seed = zlib.crc32(f"{seed}:{ticket}".encode())
        draws = simulated_waits(snapshot, model, runs=runs, seed=run_seed)
        rows.append(
            Row(
                actual=minutes(calls[ticket], now),
                estimates={
                    "naive": naive_estimates(snapshot, typical).tickets[ticket],
                    "queue length": queue_length_estimates(snapshot, model).tickets[ticket],
                    "simulation": summarise(draws[ticket], calibration),
                },
                draws=tuple(draws[ticket]) if keep_draws else (),
                spread=_spread(draws[ticket]),
                remote=event.travel_minutes is not None,
            )
        )
    in_person = [
        minutes(calls[e.ticket], e.at)
        for e in log.events
        if e.kind == "check_in"
        and e.ticket in calls
        and e.appointment_at is None
        and e.travel_minutes is None
    ]
    return DayScore(rows, log.remote, in_person)


def _spread(draws: Sequence[float]) -> float:
    ordered = sorted(draws)
    middle = quantile(ordered, 0.5)
    return statistics.fmean(abs(d - middle) for d in ordered) if ordered else 0.0


# --- Scores and the table --------------------------------------------------------


@dataclass(frozen=True)
class Score:
    patients: int
    mean_wait: float
    mae: float
    bias: float  # estimate minus actual: negative means waits were underestimated
    within_10: float
    coverage: float
    past_high: float


def score(rows: Sequence[Row], predictor: str) -> Score:
    errors = [r.estimates[predictor].central - r.actual for r in rows]
    n = max(1, len(rows))
    return Score(
        patients=len(rows),
        mean_wait=statistics.fmean(r.actual for r in rows) if rows else 0.0,
        mae=statistics.fmean(abs(e) for e in errors) if rows else 0.0,
        bias=statistics.fmean(errors) if rows else 0.0,
        within_10=sum(abs(e) <= 10 for e in errors) / n,
        coverage=sum(
            r.estimates[predictor].low <= r.actual <= r.estimates[predictor].high for r in rows
        )
        / n,
        past_high=sum(r.actual > r.estimates[predictor].high for r in rows) / n,
    )


def table(results: dict[str, list[Row]]) -> str:
    header = (
        f"| {'scenario':<20} | {'predictor':<12} | {'patients':>8} | {'mean wait':>9} | "
        f"{'MAE':>5} | {'bias':>6} | {'within ±10':>10} | {'coverage':>8} | {'past high':>9} |"
    )
    lines = [header, "|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|"]
    pooled = [r for rows in results.values() for r in rows]
    for name, rows in [*results.items(), ("all, pooled", pooled)]:
        for predictor in PREDICTORS:
            s = score(rows, predictor)
            lines.append(
                f"| {name:<20} | {predictor:<12} | {s.patients:>8} | {s.mean_wait:>9.1f} | "
                f"{s.mae:>5.1f} | {s.bias:>+6.1f} | {s.within_10:>10.0%} | {s.coverage:>8.0%} | "
                f"{s.past_high:>9.0%} |"
            )
    return "\n".join(lines)


def targets(results: dict[str, list[Row]]) -> list[tuple[str, bool]]:
    """The issue's targets, each with whether this run met it."""
    checks = []
    pooled = [r for rows in results.values() for r in rows]
    sim, naive = score(pooled, "simulation"), score(pooled, "naive")
    checks.append(
        (
            f"pooled MAE {sim.mae:.1f} <= 0.75 x naive {naive.mae:.1f} "
            f"(ratio {sim.mae / naive.mae:.2f})",
            sim.mae <= 0.75 * naive.mae,
        )
    )
    for name, rows in results.items():
        s, n, q = (score(rows, p) for p in ("simulation", "naive", "queue length"))
        if "disrupted" in name:
            checks.append(
                (
                    f"{name}: MAE {s.mae:.1f} <= 0.65 x naive {n.mae:.1f} "
                    f"(ratio {s.mae / n.mae:.2f})",
                    s.mae <= 0.65 * n.mae,
                )
            )
        checks.append(
            (
                f"{name}: MAE {s.mae:.1f} <= 1.05 x queue length {q.mae:.1f} "
                f"(ratio {s.mae / q.mae:.2f})",
                s.mae <= 1.05 * q.mae,
            )
        )
        checks.append(
            (f"{name}: coverage {s.coverage:.1%} in [78%, 85%]", 0.78 <= s.coverage <= 0.85)
        )
        checks.append(
            (f"{name}: past the upper bound {s.past_high:.1%} <= 12%", s.past_high <= 0.12)
        )
    checks.append((f"pooled within ±10 min {sim.within_10:.1%} >= 70%", sim.within_10 >= 0.70))
    return checks


# --- Running it ------------------------------------------------------------------


def with_load(scenario: Scenario, factor: float) -> Scenario:
    """The clinic with its walk-in rates multiplied by `factor` (bookings unchanged)."""
    if factor == 1.0:
        return scenario

    def scaled(rate: Callable[[float], float]) -> Callable[[float], float]:
        return lambda minute: factor * rate(minute)

    services = tuple(replace(s, walk_ins=scaled(s.walk_ins)) for s in scenario.services)
    return replace(scenario, services=services)


def _score_job(
    job: tuple[int, int, Calibration | None, int, float, float, bool],
) -> tuple[int, DayScore]:
    """One day; with no calibration it is a calibration day and keeps the draws."""
    index, seed, calibration, runs, load, remote_share, blind = job
    scenario = replace(with_load(SCENARIOS[index], load), remote_share=remote_share)
    found = score_day_with_remote(
        scenario, seed, calibration or Calibration(), runs, not calibration, blind
    )
    return index, found


def run_days(
    seeds: Iterable[tuple[int, int]],
    calibration: Calibration | None,
    runs: int,
    jobs: int,
    load: float = 1.0,
    remote_share: float = 0.0,
    remote_blind: bool = False,
) -> dict[int, DayScore]:
    work = [
        (index, seed, calibration, runs, load, remote_share, remote_blind) for index, seed in seeds
    ]
    found: dict[int, DayScore] = defaultdict(lambda: DayScore([]))
    if jobs <= 1:
        results: Iterable[tuple[int, DayScore]] = map(_score_job, work)
    else:
        pool = ProcessPoolExecutor(jobs)
        results = pool.map(_score_job, work, chunksize=1)
    for index, day in results:
        found[index].rows.extend(day.rows)
        found[index].remote.extend(day.remote)
        found[index].in_person_waits.extend(day.in_person_waits)
    if jobs > 1:
        pool.shutdown()
    return found


@dataclass
class Benchmark:
    calibration: Calibration
    results: dict[str, list[Row]]
    # Per scenario, on the test days: remote patients' days and in-person walk-ins' waits.
    remote: dict[str, DayScore] = field(default_factory=dict)


def run_benchmark(
    calibration_days: int,
    test_days: int,
    runs: int = 200,
    jobs: int = 1,
    scenarios: Sequence[int] = tuple(range(len(SCENARIOS))),
    test_seed: int = 2000,
    load: float = 1.0,
    remote_share: float = 0.0,
    remote_blind: bool = False,
) -> Benchmark:
    """Fit the interval on calibration days (pooled over the scenarios), then score
    every predictor on the test days with it."""
    cal_seeds = [(i, 1000 + d) for i in scenarios for d in range(calibration_days)]
    calibrating = run_days(cal_seeds, None, runs, jobs, load, remote_share, remote_blind)
    calibration = fit_calibration(
        [(r.draws, r.actual) for day in calibrating.values() for r in day.rows]
    )
    test_seeds = [(i, test_seed + d) for i in scenarios for d in range(test_days)]
    tested = run_days(test_seeds, calibration, runs, jobs, load, remote_share, remote_blind)
    return Benchmark(
        calibration,
        {SCENARIOS[i].name: tested[i].rows for i in scenarios},
        {SCENARIOS[i].name: tested[i] for i in scenarios},
    )


@dataclass(frozen=True)
class RemoteFigures:
    """How remote patients fared who set off when told ("Leave by")."""

    joined: int  # remote patients called (their day is complete)
    in_time: float  # share who arrived before their turn came (never held)
    room_wait: float  # their mean minutes in the room before being called
    held: float  # share held: their turn came before they did
    moved_back: float  # share moved back after the grace period
    late_room_wait: float  # the mean minutes in the room of those who came late
    in_person_wait: float  # for comparison: walk-ins who came in person, mean wait
    # Those whose "Leave by" was at least a minute after they joined (their wait was
    # longer than their trip): the others were told to come at once.
    waited_home: int
    waited_home_in_time: float
    waited_home_room_wait: float


def remote_figures(day: DayScore) -> RemoteFigures | None:
    called = [r for r in day.remote if r.called is not None and r.arrived is not None]
    if not called:
        return None
    in_time = [r for r in called if not r.held]
    late = [r for r in called if r.held]

    def room_wait(rs: Sequence[RemoteOutcome]) -> float:
        waits = [r.called - r.arrived for r in rs if r.called is not None and r.arrived is not None]
        return statistics.fmean(waits) if waits else 0.0

    n = len(called)
    home = [r for r in called if r.set_off is not None and r.set_off - r.joined >= 1]
    home_in_time = [r for r in home if not r.held]
    return RemoteFigures(
        joined=n,
        in_time=len(in_time) / n,
        room_wait=room_wait(in_time),
        held=len(late) / n,
        moved_back=sum(r.moved_back for r in called) / n,
        late_room_wait=room_wait(late),
        in_person_wait=statistics.fmean(day.in_person_waits) if day.in_person_waits else 0.0,
        waited_home=len(home),
        waited_home_in_time=len(home_in_time) / len(home) if home else 0.0,
        waited_home_room_wait=room_wait(home_in_time),
    )


def remote_lines(bench: Benchmark) -> list[str]:
    lines = []
    for name, day in bench.remote.items():
        f = remote_figures(day)
        if f is None:
            continue
        joined = score([r for r in day.rows if r.remote], "simulation")
        others = score([r for r in day.rows if not r.remote], "simulation")
        lines.append(
            f"{name}: the simulation's estimates at joining: remote patients MAE "
            f"{joined.mae:.1f}, bias {joined.bias:+.1f}, coverage {joined.coverage:.0%} "
            f"({joined.patients}); the others MAE {others.mae:.1f}, bias {others.bias:+.1f}, "
            f"coverage {others.coverage:.0%} ({others.patients})"
        )
        lines.append(
            f"{name}: {f.joined} remote patients; {f.in_time:.0%} arrived before their turn "
            f"and then waited {f.room_wait:.1f} min in the room (mean); {f.held:.0%} held, "
            f"{f.moved_back:.0%} moved back, those waited {f.late_room_wait:.1f} min; "
            f"walk-ins in person waited {f.in_person_wait:.1f} min. "
            f"Told to wait at home first: {f.waited_home}, of whom {f.waited_home_in_time:.0%} "
            f"arrived before their turn and waited {f.waited_home_room_wait:.1f} min"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calibration-days", type=int, default=30)
    parser.add_argument("--test-days", type=int, default=60)
    parser.add_argument("--runs", type=int, default=200, help="simulation runs per estimate")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="2 + 3 days, 100 runs")
    parser.add_argument("--fit", action="store_true", help="print the fitted calibration")
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        help="only these scenarios (by name), e.g. 'mixed clinic'",
    )
    parser.add_argument(
        "--dev", action="store_true", help="score development days (seeds 3000+), not test days"
    )
    parser.add_argument(
        "--load", type=float, default=1.0, help="multiply every walk-in rate, e.g. 1.3"
    )
    parser.add_argument(
        "--remote-share",
        type=float,
        default=0.0,
        help="the share of walk-ins who join from home, e.g. 0.2",
    )
    parser.add_argument(
        "--remote-blind",
        action="store_true",
        help="forecast as before remote tickets were known: not here counted as here",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.calibration_days, args.test_days, args.runs = 2, 3, 100
    started = time.perf_counter()
    first = 3000 if args.dev else 2000
    chosen = [i for i, s in enumerate(SCENARIOS) if not args.only or s.name in args.only]
    if not chosen:
        parser.error(f"--only: choose among {', '.join(s.name for s in SCENARIOS)}")
    bench = run_benchmark(
        args.calibration_days,
        args.test_days,
        args.runs,
        args.jobs,
        chosen,
        first,
        args.load,
        args.remote_share,
        args.remote_blind,
    )
    print(
        f"{args.calibration_days} calibration days (seeds 1000+), {args.test_days} "
        f"{'development' if args.dev else 'test'} days (seeds {first}+) per scenario; "
        f"{args.runs} simulation runs per estimate"
        + (f"; walk-in rates x {args.load}" if args.load != 1.0 else "")
        + (f"; {args.remote_share:.0%} of walk-ins join from home" if args.remote_share else "")
        + ("; the forecast blind to them" if args.remote_blind else "")
    )
    print()
    print(table(bench.results))
    print()
    checks = targets(bench.results)
    for text, met in checks:
        print(f"[{'met' if met else 'MISSED'}] {text}")
    print()
    for name, rows in bench.results.items():
        own = statistics.fmean(r.spread for r in rows) if rows else 0.0
        print(
            f"{name}: simulation MAE {score(rows, 'simulation').mae:.1f}, "
            f"its own expected MAE {own:.1f}"
        )
    if args.remote_share:
        print()
        for line in remote_lines(bench):
            print(line)
    if args.fit:
        print(f"\ncalibration fitted: {bench.calibration}")
    print(f"\n{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
