"""A simulated clinic day (simpy), written out as the event log the server would keep.

Remote patients (a share of the walk-ins, `Scenario.remote_share`) join from home with
the travel time they state, set off when the server's "Leave by" (domain/remote.py
leave_by: the low end of their 80% range, minus their travel time, minus the margin)
comes or when told to come now, and arrive after their own real travel time. "Call next"
passes over them until they arrive: held when their turn comes, moved back after the
grace period (as services/tickets.py).

The simulation knows the truth (every patient's patience, every visit's length, when a
doctor will be back); the log holds only what a desk and a kiosk would have told the
server: check-ins, calls, starts, completions, no-shows, cancellations, pauses and
posted delays, plus the site file and the day's appointment book. An interruption
nobody announces (a clinician called away) is not in the log: nobody pressed "pause",
so the server only sees the room call nobody for a while.
"""

from __future__ import annotations

import math
import random
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import simpy

from server.domain.queue import call_order_key
from server.domain.remote import (
    DEFAULT_GRACE_MINUTES,
    DEFAULT_LEAVE_MARGIN_MINUTES,
    DEFAULT_MOVE_BACK_PLACES,
)

FIRST_DAY = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday; day n is FIRST_DAY + n days


def hm(text: str) -> float:
    """'08:30' -> minutes after midnight."""
    hours, mins = text.split(":")
    return int(hours) * 60 + int(mins)


@dataclass(frozen=True)
class ServiceSpec:
    key: str
    typical_minutes: float  # what the site file says
    median: float  # the true visit length: lognormal with this median ...
    sigma: float  # ... and this log-scale spread
    walk_ins: Callable[[float], float] = lambda _t: 0.0  # per hour, at minute of day
    slot_minutes: float | None = None  # appointment slots per room, if booked
    booked_share: float = 0.0


@dataclass(frozen=True)
class Burst:
    """Walk-ins who come together: `count` of them for `service` over `minutes` from
    `at` (minute of day), e.g. ten at opening, or a coach at midday."""

    service: str
    at: float
    count: int
    minutes: float = 1.0


@dataclass(frozen=True)
class Scenario:
    name: str
    services: tuple[ServiceSpec, ...]
    rooms: tuple[tuple[str, tuple[str, ...]], ...]
    sessions: tuple[tuple[float, float], ...]  # opening hours, minutes of day
    booked_rooms: dict[str, tuple[str, ...]] = field(default_factory=dict)  # service -> rooms
    no_show: float = 0.12  # booked patients who never come
    patience: float = 240.0  # mean minutes a walk-in waits before giving up
    grace: float = 10.0  # an appointment patient this late keeps the slot
    disrupted: bool = False
    bursts: tuple[Burst, ...] = ()
    # Walk-ins who join from home instead: their share, the travel time they state
    # (log-normal: median, spread), the error of their real travel time (log-scale
    # spread), and the site's remote rules (RemoteRules' defaults).
    remote_share: float = 0.0
    remote_travel: tuple[float, float] = (15.0, 0.6)
    remote_travel_error: float = 0.3
    remote_grace: float = DEFAULT_GRACE_MINUTES
    remote_move_back: int = DEFAULT_MOVE_BACK_PLACES
    remote_margin: float = DEFAULT_LEAVE_MARGIN_MINUTES

    def service(self, key: str) -> ServiceSpec:
        return next(s for s in self.services if s.key == key)


@dataclass
class Event:
    at: datetime
    kind: str  # check_in, call, start, complete, no_show, cancel, pause, resume, notice, clear
    ticket: int | None = None
    # The booking a check-in is for: its index in DayLog.appointments. Several rooms share
    # a slot grid, so (service, time) does not name one booking.
    appointment: int | None = None
    service: str | None = None
    room: str | None = None
    appointment_at: datetime | None = None
    queue_at: datetime | None = None
    notice: int | None = None
    scope: str | None = None
    minutes: int | None = None
    # A remote ticket: its stated travel time (check_in); its time to set off as the
    # server showed it ("advice"), the moment it was told to leave ("leave").
    travel_minutes: int | None = None
    leave_at: datetime | None = None


# What the server would show a remote patient: the low end of each waiting ticket's 80%
# range (minutes), given the log so far and now. None: the clinic's own rough rule.
# Given the log so far, the day's appointment book and now.
Advisor = Callable[[list[Event], list[tuple[str, datetime]], datetime], dict[int, int]]


@dataclass
class RemoteOutcome:
    """A remote patient's day, the truth: for the benchmark's figures, not the server."""

    ticket: int
    joined: float
    set_off: float | None = None
    arrived: float | None = None
    held: bool = False  # their turn came before they did
    moved_back: bool = False
    called: float | None = None


@dataclass
class DayLog:
    scenario: Scenario
    day: datetime  # midnight
    appointments: list[tuple[str, datetime]]  # the book: (service, starts at); index = id
    events: list[Event]
    # The truth, for the benchmark's own checks; never part of what the server is told.
    unannounced_interruptions: int = 0
    remote: list[RemoteOutcome] = field(default_factory=list)

    def at(self, minute: float) -> datetime:
        return self.day + timedelta(minutes=minute)


@dataclass
class _Patient:
    id: int
    service: str
    arrived: float
    queue_at: float
    appointment: float | None
    leaves_at: float
    cancels: bool
    priority: int = 0
    gone: bool = False
    here: bool = True  # a remote patient is not, until they arrive
    held_at: float | None = None
    remote: RemoteOutcome | None = None

    # call_order_key reads these
    @property
    def arrived_at(self) -> float:
        return self.arrived


class _Day:
    def __init__(
        self, scenario: Scenario, day_index: int, seed: int, advisor: Advisor | None = None
    ) -> None:
        self.s = scenario
        self.advisor = advisor
        # Remote patients draw from their own stream: with none, the day is as before.
        self.remote_rng = random.Random(seed * 7919 + 17)
        self.remote: list[RemoteOutcome] = []
        self.advice: tuple[float, dict[int, int]] | None = None
        self.seed = seed
        self.rng = random.Random(seed)
        self.env = simpy.Environment(initial_time=0)
        self.day = FIRST_DAY + timedelta(days=day_index)
        self.waiting: list[_Patient] = []
        self.events: list[Event] = []
        self.changed = self.env.event()
        self.next_id = 1
        self.next_notice = 1
        self.book: list[tuple[str, float]] = []
        self.opening, self.closing = scenario.sessions[0][0], scenario.sessions[-1][1]
        rooms = [code for code, _ in scenario.rooms]
        self.mid_morning_room = self.rng.choice(rooms) if scenario.disrupted else None

    # --- helpers -----------------------------------------------------------------

    def at(self, minute: float) -> datetime:
        return self.day + timedelta(minutes=minute)

    def log(self, kind: str, **fields: object) -> None:
        self.events.append(Event(self.at(self.env.now), kind, **fields))  # type: ignore[arg-type]

    def poke(self) -> None:
        if not self.changed.triggered:
            self.changed.succeed()
        self.changed = self.env.event()

    def open_at(self, minute: float) -> bool:
        return any(a <= minute < b for a, b in self.s.sessions)

    def closure_end(self, minute: float) -> float | None:
        """If `minute` falls in a break between sessions, when the break ends."""
        for (_, end), (start, _) in zip(self.s.sessions, self.s.sessions[1:], strict=False):
            if end <= minute < start:
                return start
        return None

    # --- patients ----------------------------------------------------------------

    def check_in(
        self,
        service: str,
        appointment: float | None,
        booking: int | None = None,
        travel: int | None = None,
    ) -> None:
        now = self.env.now
        on_time = appointment is not None and now <= appointment + self.s.grace
        patient = _Patient(
            id=self.next_id,
            service=service,
            arrived=now,
            queue_at=appointment if on_time and appointment is not None else now,
            appointment=appointment,
            leaves_at=now + self.rng.expovariate(1 / self.s.patience),
            cancels=self.rng.random() < 0.3,
        )
        self.next_id += 1
        self.waiting.append(patient)
        self.log(
            "check_in",
            ticket=patient.id,
            service=service,
            appointment=booking,
            appointment_at=None if appointment is None else self.at(appointment),
            queue_at=self.at(patient.queue_at),
            travel_minutes=travel,
        )
        if travel is None:
            self.env.process(self.patience(patient))
        else:
            patient.here = False
            patient.remote = RemoteOutcome(patient.id, now)
            self.remote.append(patient.remote)
            self.env.process(self.trip(patient, travel))
        self.poke()

    def trip(self, patient: _Patient, travel: int) -> Iterator[simpy.Event]:
        """A remote patient at home: they look at their page each minute and set off
        when its "Leave by" comes (or they are told to come now: held, or no estimate),
        then travel their own real time, which is not quite the time they stated."""
        assert patient.remote is not None
        while patient in self.waiting:
            now = self.env.now
            low = self.low_end(patient.id)
            if patient.held_at is not None or low is None:
                break
            leave_at = now + low - travel - self.s.remote_margin
            self.log("advice", ticket=patient.id, leave_at=self.at(leave_at))
            if now >= leave_at:
                break
            yield self.env.timeout(math.floor(now) + 1 - now)
        self.log("leave", ticket=patient.id)
        patient.remote.set_off = self.env.now
        real = travel * math.exp(self.remote_rng.gauss(0.0, self.s.remote_travel_error))
        yield self.env.timeout(max(0.5, real))
        patient.here, patient.held_at = True, None
        patient.remote.arrived = self.env.now
        patient.leaves_at = self.env.now + (patient.leaves_at - patient.arrived)
        self.log("arrive", ticket=patient.id)
        self.env.process(self.patience(patient))
        self.poke()

    def low_end(self, ticket: int) -> int | None:
        """The low end of a waiting ticket's range as the server shows it now (the
        advisor), or, without one, a rough rule: those here ahead of it x the visit's
        typical length / the rooms for it, x 0.6."""
        now = self.env.now
        if self.advisor is not None:
            if self.advice is None or self.advice[0] != now:
                book = [(service, self.at(m)) for service, m in self.book]
                self.advice = (now, self.advisor(self.events, book, self.at(now)))
            return self.advice[1].get(ticket)
        patient = next(p for p in self.waiting if p.id == ticket)
        place = call_order_key(patient)  # type: ignore[arg-type]
        ahead = len(
            [
                p
                for p in self.waiting
                if p.service == patient.service and p.here and call_order_key(p) < place  # type: ignore[arg-type]
            ]
        )
        rooms = sum(1 for _, services in self.s.rooms if patient.service in services)
        spec = self.s.service(patient.service)
        return math.floor(0.6 * ahead * spec.typical_minutes / max(rooms, 1))

    def patience(self, patient: _Patient) -> Iterator[simpy.Event]:
        yield self.env.timeout(patient.leaves_at - self.env.now)
        if patient in self.waiting:
            if patient.cancels:
                self.waiting.remove(patient)
                self.log("cancel", ticket=patient.id)
                self.poke()
            else:
                patient.gone = True  # a no-show when called

    def walk_ins(self, spec: ServiceSpec) -> Iterator[simpy.Event]:
        """Non-homogeneous Poisson arrivals by thinning, while the kiosk is open."""
        peak = max(spec.walk_ins(m) for m in range(0, 24 * 60, 10)) or 0.0
        if peak <= 0:
            return
        while True:
            yield self.env.timeout(self.rng.expovariate(peak / 60))
            if self.env.now >= self.closing:
                return
            now = self.env.now
            if self.open_at(now) and self.rng.random() < spec.walk_ins(now) / peak:
                if self.s.remote_share > 0 and self.remote_rng.random() < self.s.remote_share:
                    median, sigma = self.s.remote_travel
                    travel = self.remote_rng.lognormvariate(math.log(median), sigma)
                    self.check_in(spec.key, None, travel=max(1, min(120, round(travel))))
                else:
                    self.check_in(spec.key, None)

    def burst(self, burst: Burst) -> Iterator[simpy.Event]:
        rng = random.Random(zlib.crc32(f"{self.seed}:{burst}".encode()))
        times = sorted(burst.at + rng.uniform(0, burst.minutes) for _ in range(burst.count))
        for at in times:
            yield self.env.timeout(max(0.0, at - self.env.now))
            self.check_in(burst.service, None)

    def make_book(self) -> None:
        for service, rooms in self.s.booked_rooms.items():
            spec = self.s.service(service)
            assert spec.slot_minutes is not None
            for _room in rooms:
                for start, end in self.s.sessions:
                    slot = start
                    while slot + spec.slot_minutes <= end:
                        if self.rng.random() < spec.booked_share:
                            self.book.append((service, slot))
                        slot += spec.slot_minutes
        self.book.sort(key=lambda b: b[1])

    def booked_patient(self, booking: int, service: str, slot: float) -> Iterator[simpy.Event]:
        if self.rng.random() < self.s.no_show:
            return
        if self.rng.random() < 0.12:
            offset = self.rng.uniform(3, 25)  # late
        else:
            offset = -min(45.0, max(0.0, self.rng.gauss(10, 7)))  # early
        arrive = max(self.opening - 30, slot + offset)
        yield self.env.timeout(max(0.0, arrive - self.env.now))
        self.check_in(service, slot, booking)

    # --- rooms -------------------------------------------------------------------

    def pick(self, services: tuple[str, ...]) -> _Patient | None:
        """ "Call next": the first here in call order. Remote patients not here ahead of
        them are passed over: held from now, or past the grace period moved back
        (services/tickets.py _pass_over)."""
        mine = sorted(
            (p for p in self.waiting if p.service in services),
            key=call_order_key,  # type: ignore[arg-type]
        )
        for patient in mine:
            if patient.here:
                return patient
            self.pass_over(patient)
        return None

    def pass_over(self, patient: _Patient) -> None:
        now = self.env.now
        assert patient.remote is not None
        if patient.held_at is None:
            patient.held_at, patient.remote.held = now, True
            self.log("held", ticket=patient.id)
            self.poke()  # told "you are next: please come now"
        elif now >= patient.held_at + self.s.remote_grace:
            line = sorted(
                (p for p in self.waiting if p.service == patient.service),
                key=call_order_key,  # type: ignore[arg-type]
            )
            behind = line[line.index(patient) + 1 :][: self.s.remote_move_back]
            if not behind:
                return  # it keeps its place, for the desk
            patient.queue_at = max(p.queue_at for p in behind) + 1e-6
            patient.held_at, patient.remote.moved_back = None, True
            self.log("moved_back", ticket=patient.id, queue_at=self.at(patient.queue_at))

    def room(self, code: str, services: tuple[str, ...], plan: RoomPlan) -> Iterator[simpy.Event]:
        rng = self.rng
        yield self.env.timeout(self.opening + plan.late_start)
        if plan.late_notice is not None:
            self.log("clear", notice=plan.late_notice)
        pauses = list(plan.pauses)
        while True:
            now = self.env.now
            reopen = self.closure_end(now)
            if reopen is not None:
                yield self.env.timeout(reopen + plan.lunch_overrun - now)
                continue
            if pauses and pauses[0][0] <= now:
                _, length, announced = pauses.pop(0)
                if announced is None:  # unannounced: nobody tells the server
                    yield self.env.timeout(length)
                    continue
                notice = self.next_notice
                self.next_notice += 1
                self.log("pause", room=code)
                self.log("notice", notice=notice, scope="room", room=code, minutes=announced)
                yield self.env.timeout(length)
                self.log("resume", room=code)
                self.log("clear", notice=notice)
                continue
            if self.pick(services) is None:
                if now >= self.closing:
                    return
                wake = [self.env.timeout(5)]
                yield self.env.any_of([self.changed, *wake])
                continue
            yield self.env.timeout(rng.uniform(0.2, 1.6))  # turnaround
            patient = self.pick(services)
            if patient is None:
                continue
            self.waiting.remove(patient)
            if patient.remote is not None:
                patient.remote.called = self.env.now
            self.log("call", ticket=patient.id, room=code)
            self.poke()
            if patient.gone:
                yield self.env.timeout(rng.uniform(2, 5))
                self.log("no_show", ticket=patient.id)
                continue
            yield self.env.timeout(rng.uniform(0.3, 2.0))  # walking to the room
            self.log("start", ticket=patient.id)
            spec = self.s.service(patient.service)
            yield self.env.timeout(rng.lognormvariate(math.log(spec.median), spec.sigma))
            self.log("complete", ticket=patient.id)

    def run(self) -> DayLog:
        self.make_book()
        for spec in self.s.services:
            self.env.process(self.walk_ins(spec))
        for booking, (service, slot) in enumerate(self.book):
            self.env.process(self.booked_patient(booking, service, slot))
        for burst in self.s.bursts:
            self.env.process(self.burst(burst))
        unannounced = 0
        for code, services in self.s.rooms:
            plan = RoomPlan.draw(self, code)
            unannounced += sum(1 for *_, announced in plan.pauses if announced is None)
            self.env.process(self.room(code, services, plan))
        self.env.run(until=26 * 60)
        self.events.sort(key=lambda e: e.at)
        book = [(s, self.at(m)) for s, m in self.book]
        return DayLog(self.s, self.day, book, self.events, unannounced, self.remote)


@dataclass
class RoomPlan:
    """A room's day: how late it starts, its pauses (start, length, minutes announced or
    None), and how late it comes back from lunch. All zero unless disrupted."""

    late_start: float = 0.0
    late_notice: int | None = None
    lunch_overrun: float = 0.0
    pauses: list[tuple[float, float, int | None]] = field(default_factory=list)

    @classmethod
    def draw(cls, day: _Day, code: str) -> RoomPlan:
        plan = cls()
        if not day.s.disrupted:
            return plan
        rng = day.rng
        if rng.random() < 0.5:
            plan.late_start = rng.uniform(5, 35)
            if plan.late_start >= 15 and rng.random() < 0.5:
                plan.late_notice = day.next_notice
                day.next_notice += 1
                announced = 5 * round(plan.late_start / 5)
                notice = Event(day.at(day.opening), "notice", notice=plan.late_notice)
                notice.scope, notice.room, notice.minutes = "room", code, announced
                day.events.append(notice)
        plan.lunch_overrun = rng.uniform(0, 20)
        for _ in range(_poisson(rng, 1.0)):  # interruptions nobody announces
            start = rng.uniform(day.opening + 30, day.closing - 30)
            plan.pauses.append((start, rng.uniform(8, 20), None))
        if code == day.mid_morning_room:
            # Paused mid-morning for half an hour to an hour; staff post their guess.
            length = rng.uniform(30, 60)
            announced = max(5, 5 * round((length + rng.gauss(0, 7)) / 5))
            plan.pauses.append((rng.uniform(hm("09:30"), hm("11:00")), length, announced))
        plan.pauses.sort()
        return plan


def _poisson(rng: random.Random, mean: float) -> int:
    count, total = 0, rng.expovariate(1.0)
    while total < mean:
        count += 1
        total += rng.expovariate(1.0)
    return count


def simulate_day(
    scenario: Scenario, day_index: int, seed: int, advisor: Advisor | None = None
) -> DayLog:
    """One day. `advisor` gives remote patients the server's estimates (bench/estimates.py);
    without it they go by a rough rule of their own."""
    return _Day(scenario, day_index, seed, advisor).run()
