"""Wait-time predictors: pure functions of a queue snapshot, no clock read inside.

Three predictors, measured side by side in bench/estimates.py:
- `naive_estimates`: patients ahead x typical visit length / open rooms, the rule of
  thumb most clinics display;
- `queue_length_estimates`: the queue-length predictor of Ibrahim and Whitt: with n
  patients ahead and all s rooms busy the wait is (n + 1) / (s mu), Erlang distributed;
  zero while a room is open and idle (not before opening, nor a room late to start);
- `simulated_estimates`: a Monte Carlo forward simulation of the current queue with
  the site's learnt pace (history.py): time already spent in the rooms, paused and not
  yet open rooms, appointments that will come ahead, no-shows, posted delays, and
  remote patients not here yet (not called before they arrive; held, then moved back,
  as "call next" does: domain/remote.py). Its interval is calibrated so that the 80%
  range holds about 80% of actual waits.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
import random
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from statistics import NormalDist

from server.domain.history import ClinicModel, minutes
from server.domain.queue import call_order_key
from server.domain.remote import DEFAULT_GRACE_MINUTES, DEFAULT_MOVE_BACK_PLACES

HORIZON_MINUTES = 720.0  # waits beyond this are reported as this
DEFAULT_RUNS = 200
# Bounds the work per estimate: fewer runs when very many patients wait.
CALL_BUDGET = 20_000
MIN_RUNS = 60
# What a check-in may spend on its own patient's estimate (line_estimates): about ten
# milliseconds. A run costs about one call per patient in the lines it simulates, and
# as much as twenty more to set up; a call, about 2 microseconds of CPU (8 ms for the
# whole budget on the shared benchmark machine). Fewer runs make a noisier estimate:
# with 1,000 calls (28 runs with fifteen waiting in the lines) the first estimates
# shown were further from the wait than the refresh's 200 runs (bench/shown.py).
LINE_CALL_BUDGET = 4_000
RUN_SETUP_CALLS = 20
MIN_LINE_RUNS = 20
# Past this many waiting, even MIN_LINE_RUNS would cost a check-in more than its budget:
# a newcomer right behind the last newcomer is given that one's estimate extended by one
# place instead (extend_line).
LINE_SIMULATION_LIMIT = 50
# A remote patient's travel time, as the simulation draws it: the time they said times
# a log-normal error of this spread (about +-30%). One later than expected and still not
# here is drawn as coming a little later still (REMOTE_LATE_SHARE of their travel time,
# on average, from now).
REMOTE_TRAVEL_SIGMA = 0.3
REMOTE_LATE_SHARE = 0.25


@dataclass(frozen=True)
class Estimate:
    """Minutes until the patient is likely to be called: a central value and a range."""

    central: int
    low: int
    high: int

    def as_dict(self) -> dict[str, int]:
        return {"central": self.central, "low": self.low, "high": self.high}


# --- The snapshot -----------------------------------------------------------------


@dataclass(frozen=True)
class Coming:
    """A remote ticket whose patient is not here yet (domain/remote.py): they cannot be
    called before they arrive, and "call next" passes over them meanwhile."""

    expected_at: datetime  # when they should be here: the time they set off + travel
    travel_minutes: float  # the travel time they gave: the spread of their arrival
    held_at: datetime | None = None  # their turn came before they did: held since then


@dataclass(frozen=True)
class WaitingTicket:
    id: int
    service: str
    queue_at: datetime
    arrived_at: datetime
    priority: int = 0
    appointment_at: datetime | None = None
    coming: Coming | None = None  # None: here, in the room


@dataclass(frozen=True)
class Occupant:
    """The patient a room has called (started_at None) or is seeing."""

    service: str
    called_at: datetime
    started_at: datetime | None = None
    arrived_at: datetime | None = None  # when they checked in: their wait at the call


@dataclass(frozen=True)
class RoomState:
    code: str
    services: tuple[str, ...]
    paused: bool = False
    paused_since: datetime | None = None
    occupant: Occupant | None = None
    # When it last finished a patient in this session; None if it has not called anyone
    # since the session opened (a room that is late to start looks like this).
    free_since: datetime | None = None
    # A room with hours of its own: when it calls nobody while the site is open (its
    # lunch, a late start, an early finish), and when its current session opened.
    closures: tuple[tuple[datetime, datetime], ...] = ()
    session_opened_at: datetime | None = None


@dataclass(frozen=True)
class PostedDelay:
    """A delay notice staff posted: the site, one service or one room, for some minutes."""

    scope: str  # "site", "service" or "room"
    target: str | None  # the service or room it is about
    posted_at: datetime
    minutes: int

    def remaining(self, now: datetime) -> float:
        return max(0.0, self.minutes - minutes(now, self.posted_at))


@dataclass(frozen=True)
class ExpectedAppointment:
    """A booked patient who has not checked in yet."""

    service: str
    starts_at: datetime


@dataclass(frozen=True)
class QueueSnapshot:
    """A site's queue at one moment: everything the predictors may know."""

    now: datetime
    waiting: tuple[WaitingTicket, ...]
    rooms: tuple[RoomState, ...]
    delays: tuple[PostedDelay, ...] = ()
    appointments: tuple[ExpectedAppointment, ...] = ()
    # Later today, times when rooms call nobody (closed for lunch, not yet open).
    closures: tuple[tuple[datetime, datetime], ...] = ()
    # When the current session opened (a room not used since is starting late).
    session_opened_at: datetime | None = None
    on_time_grace_minutes: float = 10.0
    # The site's rules for a remote ticket not here when its turn comes (RemoteRules):
    # held this long, then moved back this many places.
    remote_grace_minutes: float = DEFAULT_GRACE_MINUTES
    remote_move_back: int = DEFAULT_MOVE_BACK_PLACES

    def lines(self) -> dict[str, list[WaitingTicket]]:
        """Each service's waiting tickets, in call order."""
        lines: dict[str, list[WaitingTicket]] = defaultdict(list)
        for ticket in sorted(self.waiting, key=call_order_key):
            lines[ticket.service].append(ticket)
        return lines

    def service_delay(self, service: str) -> float:
        """Minutes until a posted site or service delay for `service` runs out."""
        return max(
            (
                d.remaining(self.now)
                for d in self.delays
                if d.scope == "site" or (d.scope == "service" and d.target == service)
            ),
            default=0.0,
        )

    def room_delay(self, room: str) -> float:
        return max(
            (d.remaining(self.now) for d in self.delays if d.scope == "room" and d.target == room),
            default=0.0,
        )

    def room_is_open(self, room: RoomState, at: datetime | None = None) -> bool:
        """Whether a room's hours (the site's, and its own) have it serving at `at`
        (default: now; the snapshot knows the hours from now on only). Paused rooms
        and posted delays are other matters (see `serving`)."""
        at = at or self.now
        return not any(a <= at < b for a, b in (*self.closures, *room.closures))

    def for_lines(self, services: Iterable[str]) -> QueueSnapshot:
        """The part of the queue that decides when the patients of `services` are
        called: the rooms serving them, the other lines those rooms serve, the rooms
        serving those, and so on. Nothing outside it shares a room with these lines."""
        wanted = set(services)
        while True:
            rooms = tuple(r for r in self.rooms if wanted.intersection(r.services))
            linked = wanted.union(*(r.services for r in rooms))
            if linked == wanted:
                break
            wanted = linked
        return replace(
            self,
            waiting=tuple(t for t in self.waiting if t.service in wanted),
            rooms=rooms,
            appointments=tuple(a for a in self.appointments if a.service in wanted),
        )

    def closed_for(self) -> float:
        """Minutes until the site opens again, when it is closed now (before opening, a
        break); 0 while it is open."""
        return max(
            (minutes(end, self.now) for start, end in self.closures if start <= self.now < end),
            default=0.0,
        )

    def serving(self, service: str) -> list[RoomState]:
        """Rooms open for `service` now: not paused and not under a posted room delay."""
        return [
            r
            for r in self.rooms
            if service in r.services and not r.paused and self.room_delay(r.code) <= 0
        ]


@dataclass
class Predictions:
    """Estimates per waiting ticket, and per service for a patient arriving now."""

    tickets: dict[int, Estimate] = field(default_factory=dict)
    services: dict[str, Estimate] = field(default_factory=dict)


# --- Naive ------------------------------------------------------------------------


def naive_wait(patients_ahead: int, typical_minutes: float, open_rooms: int) -> Estimate:
    """Patients ahead x typical visit length / open rooms, with a +-40% range.

    This is the rule of thumb most clinics display. It ignores time already spent by
    patients in service and rooms that are idle; better predictors replace it.
    """
    if patients_ahead <= 0:
        return Estimate(0, 0, max(1, math.ceil(typical_minutes / max(open_rooms, 1))))
    rooms = max(open_rooms, 1)
    central = patients_ahead * typical_minutes / rooms
    return Estimate(
        central=round(central),
        low=math.floor(central * 0.6),
        high=math.ceil(central * 1.4),
    )


def naive_estimates(snapshot: QueueSnapshot, typical: Mapping[str, float]) -> Predictions:
    """The naive rule for every waiting ticket. Posted delays are not part of it."""
    result = Predictions()
    lines = snapshot.lines()
    for service, minutes_each in typical.items():
        line = lines.get(service, [])
        rooms = len([r for r in snapshot.rooms if service in r.services and not r.paused])
        for ahead, ticket in enumerate(line):
            result.tickets[ticket.id] = naive_wait(ahead, minutes_each, rooms)
        result.services[service] = naive_wait(len(line), minutes_each, rooms)
    return result


# --- Queue length (Ibrahim and Whitt) ---------------------------------------------

_Z = NormalDist()


def gamma_quantile(shape: float, scale: float, level: float) -> float:
    """Wilson-Hilferty approximation of a gamma quantile (close for shape >= 1)."""
    z = _Z.inv_cdf(level)
    root = 1 - 1 / (9 * shape) + z / (3 * math.sqrt(shape))
    return max(0.0, shape * scale * root**3)


def queue_length_wait(ahead: int, idle_rooms: int, rooms: int, cycle_minutes: float) -> Estimate:
    """Ibrahim and Whitt's QL predictor: (n + 1) mean room cycles / rooms, 0 if a room is idle.

    With n patients ahead of the idle rooms, n + 1 rooms must come free in turn; with
    exponential cycles that is Erlang(n + 1, rooms / cycle), whose quantiles give the range.
    """
    rooms = max(rooms, 1)
    scale = cycle_minutes / rooms
    beyond = ahead - min(idle_rooms, rooms)
    if beyond < 0:
        return Estimate(0, 0, max(1, math.ceil(scale / 2)))
    shape = beyond + 1
    return Estimate(
        central=round(shape * scale),
        low=math.floor(gamma_quantile(shape, scale, 0.1)),
        high=math.ceil(gamma_quantile(shape, scale, 0.9)),
    )


def queue_length_estimates(snapshot: QueueSnapshot, model: ClinicModel) -> Predictions:
    """The QL predictor per waiting ticket, with the service's mean room cycle learnt
    from the site's history; a posted delay for the service is added to it."""
    result = Predictions()
    lines = snapshot.lines()
    for service in model.visits:
        line = lines.get(service, [])
        rooms = snapshot.serving(service)
        idle = sum(1 for r in rooms if _free_now(snapshot, r))
        cycle = model.cycle_minutes(service)
        delay = max(snapshot.service_delay(service), snapshot.closed_for())
        for ahead, ticket in enumerate([*line, None]):
            estimate = _shifted(queue_length_wait(ahead, idle, len(rooms), cycle), delay)
            if ticket is None:
                result.services[service] = estimate
            else:
                result.tickets[ticket.id] = estimate
    return result


def _free_now(snapshot: QueueSnapshot, room: RoomState) -> bool:
    """Whether a room would call a patient now: open and empty. Not while the site is
    closed (before opening, a break), nor a room that has not started its session while
    patients it serves wait (a late start: it would have called them)."""
    if room.occupant is not None or snapshot.closed_for() > 0:
        return False
    return room.free_since is not None or not any(
        t.service in room.services for t in snapshot.waiting
    )


def _shifted(estimate: Estimate, delay: float) -> Estimate:
    if delay <= 0:
        return estimate
    return Estimate(
        round(estimate.central + delay),
        math.floor(estimate.low + delay),
        math.ceil(estimate.high + delay),
    )


# --- Forward simulation -----------------------------------------------------------


@dataclass(frozen=True)
class Calibration:
    """Which quantiles of the simulated waits are shown as low, central and high.

    Fitted on calibration days (bench/estimates.py --fit) so that the actual wait falls
    below `low` 10% of the time, below `central` half the time and above `high` 10% of
    the time: an 80% interval that means what it says, around a median-unbiased centre.
    """

    low: float = 0.10
    central: float = 0.50
    high: float = 0.90


# Fitted on the pooled calibration days (seeds 1000-1029) of the benchmark's three
# clinics: `python -m bench.estimates --fit`. The levels lie outside 0.10-0.90 because
# the simulation knows less than it thinks (disruptions it cannot foresee), and the
# high end leans late on purpose (see fit_calibration).
DEFAULT_CALIBRATION = Calibration(low=0.13, central=0.505, high=0.955)


def quantile(ordered: Sequence[float], level: float) -> float:
    """Linear-interpolated quantile of sorted values."""
    if not ordered:
        return 0.0
    position = min(max(level, 0.0), 1.0) * (len(ordered) - 1)
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def summarise(draws: Sequence[float], calibration: Calibration = DEFAULT_CALIBRATION) -> Estimate:
    ordered = sorted(draws)
    # To the nearest minute: rounding the ends outwards would widen a range of a few
    # minutes by a large share, and the interval would cover more than it says.
    central = round(quantile(ordered, calibration.central))
    low = min(round(quantile(ordered, calibration.low)), central)
    high = max(round(quantile(ordered, calibration.high)), central, 1)
    return Estimate(central, max(low, 0), high)


def rank_of(draws: Sequence[float], actual: float) -> float:
    """Where `actual` falls among the simulated waits, in (0, 1): its PIT value."""
    ordered = sorted(draws)
    below = bisect.bisect_left(ordered, actual)
    equal = bisect.bisect_right(ordered, actual) - below
    return (below + equal / 2 + 0.5) / (len(ordered) + 1)


def fit_calibration(
    outcomes: Sequence[tuple[Sequence[float], float]],
    *,
    below: float = 0.10,
    above: float = 0.08,
) -> Calibration:
    """Quantile levels that held the actual waits as promised on calibration days.

    `outcomes` pairs each estimate's simulated waits with the wait that followed. The
    levels are chosen on the estimates as shown (whole minutes), so that an actual wait
    fell below the shown low end `below` of the time and above the shown high end
    `above` of the time: an 80% range, leaning late, because a wait past the promised
    end is the broken promise. The central level is the median rank, for an unbiased
    centre.
    """
    if not outcomes:
        return DEFAULT_CALIBRATION
    ordered = [(sorted(draws), actual) for draws, actual in outcomes]

    def share_outside(level: float, below: bool) -> float:
        missed = 0
        for draws, actual in ordered:
            bound = round(quantile(draws, level))
            missed += actual < bound if below else actual > bound
        return missed / len(ordered)

    grid = [i / 400 for i in range(401)]
    low = min(grid, key=lambda level: (abs(share_outside(level, True) - below), level))
    high = min(grid, key=lambda level: (abs(share_outside(level, False) - above), -level))
    ranks = sorted(rank_of(draws, actual) for draws, actual in ordered)
    return Calibration(low=low, central=round(quantile(ranks, 0.5), 3), high=high)


def simulated_estimates(
    snapshot: QueueSnapshot,
    model: ClinicModel,
    *,
    runs: int = DEFAULT_RUNS,
    seed: int = 0,
    calibration: Calibration = DEFAULT_CALIBRATION,
    between_runs: Callable[[], None] | None = None,
) -> Predictions:
    draws = simulated_waits(snapshot, model, runs=runs, seed=seed, between_runs=between_runs)
    result = Predictions()
    for key, values in draws.items():
        if isinstance(key, int):
            result.tickets[key] = summarise(values, calibration)
        else:
            result.services[key] = summarise(values, calibration)
    return result


def line_estimates(
    snapshot: QueueSnapshot,
    model: ClinicModel,
    ticket_ids: Collection[int],
    *,
    seed: int = 0,
    calibration: Calibration = DEFAULT_CALIBRATION,
) -> Predictions:
    """Estimates for a few tickets (just checked in) and for their lines, for the moment
    itself: the forward simulation of only the lines they are in, within
    LINE_CALL_BUDGET. Between a burst's check-ins the last whole-queue simulation is
    out of date (it did not see those who came since), and this is what keeps each
    patient's first estimate true to their place."""
    services = {t.service for t in snapshot.waiting if t.id in ticket_ids}
    part = snapshot.for_lines(services)
    per_run = len(part.waiting) + RUN_SETUP_CALLS
    runs = max(MIN_LINE_RUNS, min(DEFAULT_RUNS, LINE_CALL_BUDGET // per_run))
    found = simulated_estimates(part, model, runs=runs, seed=seed, calibration=calibration)
    served = {s for room in part.rooms for s in room.services}
    return Predictions(
        tickets={i: e for i, e in found.tickets.items() if i in ticket_ids},
        services={s: e for s, e in found.services.items() if s in served},
    )


def extend_line(last: Estimate, place_minutes: float) -> Estimate:
    """The wait of one joining behind `last`, the last patient of the lines that share
    its rooms: once everyone ahead is called, those rooms call the newcomers one after
    another, one more every `place_minutes` (a room's cycle over the rooms serving it).
    The range keeps its proportions: a longer wait is as uncertain, in share, as the
    last one."""
    centre = max(last.central, 1)
    central = round(last.central + place_minutes)
    low = round(last.low + place_minutes * min(last.low / centre, 1.0))
    high = round(last.high + place_minutes * max(last.high / centre, 1.0))
    return Estimate(central, min(low, central), max(high, central))


def simulated_waits(
    snapshot: QueueSnapshot,
    model: ClinicModel,
    *,
    runs: int = DEFAULT_RUNS,
    seed: int = 0,
    between_runs: Callable[[], None] | None = None,
) -> dict[int | str, list[float]]:
    """Simulated minutes until each waiting ticket is called, over `runs` runs.

    Keys are ticket ids, and service keys for a patient arriving now. The same seed
    and snapshot give the same draws. `between_runs` is called after each run: a server
    on one event loop passes a yield there, so that a long simulation does not stall
    every other client.
    """
    plan = _Plan.of(snapshot, model)
    runs = max(1, min(runs, max(MIN_RUNS, CALL_BUDGET // max(1, len(snapshot.waiting)))))
    rng = random.Random(seed)  # noqa: S311  (a simulation, not a secret)
    draws: dict[int | str, list[float]] = {key: [] for key in plan.targets}
    for _ in range(runs):
        for key, wait in _Run(plan, model, rng).waits().items():
            draws[key].append(wait)
        if between_runs is not None:
            between_runs()
    return draws


_Key = tuple[int, float, float, int]  # a patient's place in the call order, in minutes


@dataclass
class _Entry:
    key: _Key
    target: int | str | None  # ticket id, service (a patient arriving now), or None
    service: str
    arrival: float  # minutes from now; <= 0 for those already here
    probe: bool = False  # a patient arriving now: noted when reached, takes no room time
    coming: Coming | None = None  # a remote patient not here yet: arrival drawn per run


@dataclass
class _Plan:
    """What every run starts from: the snapshot turned into minutes from now."""

    snapshot: QueueSnapshot
    lines: dict[str, list[_Entry]]
    targets: list[int | str]
    service_ready: dict[str, float]
    closures: list[list[tuple[float, float]]]  # per room: the site's and its own, in order
    last_queue_minute: float
    room_starts: list[_RoomStart]
    coming: list[tuple[str, int]]  # the places of remote patients not here yet
    held: dict[_Key, float]  # those held already: since when (minutes from now, <= 0)

    @classmethod
    def of(cls, snapshot: QueueSnapshot, model: ClinicModel) -> _Plan:
        now = snapshot.now
        services = set(model.visits) | {t.service for t in snapshot.waiting}
        services |= {s for r in snapshot.rooms for s in r.services}
        # In a fixed order: each line draws its pace in turn, and a set's order changes
        # from one process to the next (string hashing is salted), which would give
        # two processes different estimates of the same queue.
        lines: dict[str, list[_Entry]] = {s: [] for s in sorted(services)}
        for t in snapshot.waiting:
            lines[t.service].append(
                _Entry(
                    (-t.priority, minutes(t.queue_at, now), minutes(t.arrived_at, now), t.id),
                    t.id,
                    t.service,
                    min(0.0, minutes(t.arrived_at, now)),
                    coming=t.coming,
                )
            )
        for service in sorted(services):
            # Someone arriving now is placed after everyone here, before later arrivals.
            lines[service].append(_Entry((0, 0.0, 0.0, 1 << 62), service, service, 0.0, True))
        for line in lines.values():
            line.sort(key=lambda e: e.key)
        last = max((e.key[1] for line in lines.values() for e in line), default=0.0)
        ready = {s: snapshot.service_delay(s) for s in services}
        return cls(
            snapshot=snapshot,
            lines=lines,
            targets=[e.target for line in lines.values() for e in line if e.target is not None],
            service_ready=ready,
            closures=[
                sorted(
                    (minutes(a, now), minutes(b, now))
                    for a, b in (*snapshot.closures, *room.closures)
                    if b > now
                )
                for room in snapshot.rooms
            ],
            last_queue_minute=last,
            room_starts=[_RoomStart.of(snapshot, r, ready) for r in snapshot.rooms],
            coming=[
                (service, position)
                for service, line in lines.items()
                for position, entry in enumerate(line)
                if entry.coming is not None
            ],
            held={
                e.key: minutes(e.coming.held_at, now)
                for line in lines.values()
                for e in line
                if e.coming is not None and e.coming.held_at is not None
            },
        )

    def after_closures(self, room: int, at: float, model: ClinicModel, rng: random.Random) -> float:
        """When a room free at `at` can call: after any closure (the site's, or its own
        break) it is in, and the usual time a session takes to start."""
        for start, end in self.closures[room]:
            if start <= at < end:
                at = end + model.session_start.sample(rng)
        return at


def _arrivals(plan: _Plan, model: ClinicModel, rng: random.Random) -> list[_Entry]:
    """Patients not here yet who may be placed ahead of someone waiting: booked patients
    arriving on time (placed at their appointment time) and walk-ins arriving before a
    waiting appointment patient's slot."""
    snapshot, now = plan.snapshot, plan.snapshot.now
    grace = snapshot.on_time_grace_minutes
    found: list[_Entry] = []
    for n, appointment in enumerate(snapshot.appointments):
        slot = minutes(appointment.starts_at, now)
        if slot > plan.last_queue_minute:
            continue
        late = -slot  # minutes past the slot already, without them
        still = model.offsets.share_above(late)
        p_come = model.show_rate * still / max(1e-9, 1 - model.show_rate + model.show_rate * still)
        if rng.random() >= p_come:
            continue
        arrival = slot + model.offsets.above(rng, late)
        place = slot if arrival - slot <= grace else arrival
        if place < plan.last_queue_minute:
            found.append(
                _Entry((0, place, arrival, -1 - n), None, appointment.service, max(arrival, 0.0))
            )
    for service, per_hour in model.walk_ins_per_hour.items():
        if per_hour <= 0 or service not in plan.lines:
            continue
        at = rng.expovariate(per_hour / 60.0)
        while at < plan.last_queue_minute:
            found.append(_Entry((0, at, at, -(1 << 40) - len(found)), None, service, at))
            at += rng.expovariate(per_hour / 60.0)
    return found


def _drawn_arrival(coming: Coming, now: datetime, rng: random.Random) -> float:
    """When a remote patient not here yet arrives in one run, in minutes from now: when
    expected, give or take their travel time's error. One already later than expected is
    on the way: a little later still."""
    travel = max(coming.travel_minutes, 1.0)
    arrival = minutes(coming.expected_at, now) + travel * (
        math.exp(rng.gauss(0.0, REMOTE_TRAVEL_SIGMA)) - 1.0
    )
    if arrival <= 0:
        arrival = rng.expovariate(1.0 / (REMOTE_LATE_SHARE * travel))
    return arrival


class _Run:
    """One simulated future of the queue."""

    def __init__(self, plan: _Plan, model: ClinicModel, rng: random.Random) -> None:
        self.plan, self.model, self.rng = plan, model, rng
        self.lines = {s: list(line) for s, line in plan.lines.items()}
        # Remote patients not here yet: when each arrives in this run. Until then they
        # are passed over (held when their turn comes, moved back after the grace period).
        now = plan.snapshot.now
        for service, position in plan.coming:
            entry = self.lines[service][position]
            if entry.coming is not None:
                arrival = _drawn_arrival(entry.coming, now, rng)
                self.lines[service][position] = replace(entry, arrival=arrival)
        self.held: dict[_Key, float] = dict(plan.held)
        self.let_by: dict[_Key, list[int]] = {}
        for entry in _arrivals(plan, model, rng):
            bisect.insort(self.lines[entry.service], entry, key=lambda e: e.key)
        self.taken = {s: [False] * len(line) for s, line in self.lines.items()}
        self.heads = dict.fromkeys(self.lines, 0)
        self.pending: dict[str, list[int]] = {s: [] for s in self.lines}
        self.pace = {s: math.exp(rng.gauss(0.0, model.pace_sigma)) for s in self.lines}
        # Each room draws from its own stream, so that what happens in one room's lines
        # does not reshuffle the dice of rooms that serve other lines (common random
        # numbers: a change in one line leaves other lines' estimates exactly as they were).
        self.room_rngs = [random.Random(rng.getrandbits(64)) for _ in plan.snapshot.rooms]  # noqa: S311

    def waits(self) -> dict[int | str, float]:
        plan, model = self.plan, self.model
        rooms = plan.snapshot.rooms
        waits: dict[int | str, float] = {}
        free: list[tuple[float, int]] = []
        for index in range(len(rooms)):
            rng = self.room_rngs[index]
            ready = plan.room_starts[index].ready(model, rng, self.pace)
            heapq.heappush(free, (plan.after_closures(index, ready, model, rng), index))
        while free and len(waits) < len(plan.targets):
            at, index = heapq.heappop(free)
            if at > HORIZON_MINUTES:
                break
            rng = self.room_rngs[index]
            entry = self.call(rooms[index].services, at, waits, rng)
            if entry is None:
                later = self.next_available(rooms[index].services, at)
                if later is not None:
                    later += model.turnaround.sample(rng)
                    heapq.heappush(free, (plan.after_closures(index, later, model, rng), index))
                continue
            if rng.random() < model.no_show_chance(at - entry.arrival):
                busy = model.no_show_minutes.sample(rng)
            else:
                visit = model.visit(entry.service).sample(rng) * self.pace[entry.service]
                busy = model.walk.sample(rng) + visit
            ready = at + busy + model.turnaround.sample(rng)
            heapq.heappush(free, (plan.after_closures(index, ready, model, rng), index))
        for key in plan.targets:
            waits.setdefault(key, HORIZON_MINUTES)
        return waits

    def call(
        self,
        services: Sequence[str],
        at: float,
        waits: dict[int | str, float],
        rng: random.Random,
    ) -> _Entry | None:
        """Call the next patient for a room free at `at`; None if nobody is here for it.

        A patient arriving now (a probe) is noted as reached and takes no room time; so
        does one who left unseen before being reached (the site's leaving rate).
        """
        while True:
            entry = self.pick(services, at)
            if entry is None:
                return None
            if entry.target is not None:
                waits[entry.target] = at
            if not entry.probe and not self.left(entry, at, rng):
                return entry

    def left(self, entry: _Entry, at: float, rng: random.Random) -> bool:
        """Whether a patient here (or coming) gave up waiting before `at`."""
        rate = self.model.leave_per_minute
        if rate <= 0:
            return False
        return rng.random() >= math.exp(-rate * (at - max(entry.arrival, 0.0)))

    def pick(self, services: Sequence[str], at: float) -> _Entry | None:
        """The first patient in call order, among the room's services, who is here now.

        Remote patients not here yet are passed over (`pass_over`); once the head of a
        line has moved past one, it waits in `pending` (a few), so that a line is not
        scanned again from a far-off patient's place at each call.
        """
        best: tuple[str, int] | None = None
        for service in services:
            if service not in self.lines or self.plan.service_ready.get(service, 0.0) > at:
                continue
            found = self.first_pending(service, at) if self.pending[service] else None
            if found is None:
                found = self.first_in_line(service, at)
            if found is not None and (
                best is None or self.lines[service][found].key < self.lines[best[0]][best[1]].key
            ):
                best = (service, found)
        if best is None:
            return None
        self.taken[best[0]][best[1]] = True
        if best[1] in self.pending[best[0]]:
            self.pending[best[0]].remove(best[1])
        return self.lines[best[0]][best[1]]

    def first_in_line(self, service: str, at: float) -> int | None:
        """The first patient from the head of the line on who can be called now."""
        line, done = self.lines[service], self.taken[service]
        head = self.heads[service]
        while head < len(line) and (
            done[head] or (line[head].coming is not None and line[head].arrival > at)
        ):
            if not done[head]:
                self.pending[service].append(head)
                self.pass_over(service, head, at)
            head += 1
        self.heads[service] = head
        for position in range(head, len(line)):
            if done[position]:
                continue
            entry = line[position]
            if entry.arrival > at:
                if entry.coming is not None:
                    self.pass_over(service, position, at)
                continue
            if self.let_by and self.letting_by(service, position, at):
                continue
            return position
        return None

    def first_pending(self, service: str, at: float) -> int | None:
        """The first remote patient the head of the line passed who can be called now."""
        line = self.lines[service]
        for position in self.pending[service]:
            if line[position].arrival > at:
                self.pass_over(service, position, at)
            elif not self.letting_by(service, position, at):
                return position
        return None

    def pass_over(self, service: str, position: int, at: float) -> None:
        """A room looked for a patient and this remote one, first in line, is not here
        (tickets.call_next): held from now if not held yet; held past the grace period,
        moved back behind the next `remote_move_back` in its line (domain/remote.py)."""
        line, done = self.lines[service], self.taken[service]
        key = line[position].key
        if any(not done[p] for p in self.let_by.get(key, ())):
            return  # moved back already, and not its turn again yet
        held = self.held.get(key)
        if held is None:
            self.held[key] = at
        elif at >= held + self.plan.snapshot.remote_grace_minutes:
            following = (
                p
                for p in range(position + 1, len(line))
                if not done[p] and not line[p].probe and line[p].key[1] <= at
            )
            behind = list(itertools.islice(following, self.plan.snapshot.remote_move_back))
            if behind:  # nobody behind: it keeps its place, for the desk
                self.let_by[key] = behind
                del self.held[key]

    def letting_by(self, service: str, position: int, at: float) -> bool:
        """Whether a moved-back remote patient, here now, still has someone here it was
        moved behind."""
        done, line = self.taken[service], self.lines[service]
        return any(
            not done[p] and line[p].arrival <= at for p in self.let_by.get(line[position].key, ())
        )

    def next_available(self, services: Sequence[str], at: float) -> float | None:
        """When someone the room could call will next be here and callable, if ever."""
        soonest: float | None = None
        for service in services:
            ready = self.plan.service_ready.get(service, 0.0)
            for position, entry in enumerate(self.lines.get(service, [])):
                if not self.taken[service][position]:
                    when = max(entry.arrival, ready)
                    if when > at and (soonest is None or when < soonest):
                        soonest = when
        return soonest


@dataclass(frozen=True)
class _RoomStart:
    """What a room's first availability depends on, in minutes from now."""

    blocked: float  # a posted delay for the room still running
    paused_for: float | None  # minutes paused so far, if paused
    occupant: str | None  # the service of the patient called to it or being seen
    started_for: float | None  # minutes that patient has been in the room
    called_for: float  # minutes since that patient was called
    occupant_waited: float | None  # minutes that patient had waited when called
    idle_for: float | None  # minutes free while someone it serves waits; None: nobody
    first_of_session: bool  # not used since the session opened (a late start)

    @classmethod
    def of(cls, snapshot: QueueSnapshot, room: RoomState, ready: dict[str, float]) -> _RoomStart:
        now = snapshot.now
        occupant = room.occupant
        waiting = [
            t.arrived_at
            for t in snapshot.waiting
            if t.service in room.services and ready.get(t.service, 0.0) <= 0 and t.coming is None
        ]
        idle_for = None
        if occupant is None and waiting:
            free = room.free_since or room.session_opened_at or snapshot.session_opened_at or now
            idle_for = minutes(now, max(free, min(waiting)))
        return cls(
            blocked=snapshot.room_delay(room.code),
            paused_for=minutes(now, room.paused_since or now) if room.paused else None,
            occupant=occupant.service if occupant else None,
            started_for=(
                minutes(now, occupant.started_at) if occupant and occupant.started_at else None
            ),
            called_for=minutes(now, occupant.called_at) if occupant else 0.0,
            occupant_waited=(
                minutes(occupant.called_at, occupant.arrived_at)
                if occupant and occupant.arrived_at
                else None
            ),
            idle_for=idle_for,
            first_of_session=room.free_since is None,
        )

    def ready(self, model: ClinicModel, rng: random.Random, pace: dict[str, float]) -> float:
        """Minutes from now until the room can next call someone, in one run."""
        blocked = self.blocked
        if self.paused_for is not None and not blocked:
            # A posted delay for a paused room is staff's word on when it reopens;
            # else the site's own record of how long pauses last.
            blocked = model.pause.remaining(rng, self.paused_for)
        if self.occupant is not None:
            visit = model.visit(self.occupant)
            if self.started_for is not None:
                busy = visit.remaining(rng, self.started_for) * pace.get(self.occupant, 1.0)
            elif rng.random() < self.absent_chance(model):
                busy = model.no_show_minutes.remaining(rng, self.called_for)
            else:
                busy = model.walk.remaining(rng, self.called_for) + visit.sample(rng)
            return max(blocked, busy + model.turnaround.sample(rng))
        if blocked > 0:
            return blocked + model.turnaround.sample(rng)
        if self.idle_for is None:
            return 0.0  # it will call the next patient for it soon after they come
        gaps = model.session_start if self.first_of_session else model.turnaround
        return gaps.remaining(rng, self.idle_for)

    def absent_chance(self, model: ClinicModel) -> float:
        """The chance that the patient called and not in the room yet is not coming.

        Before the call it is the no-show share for the time they had waited. Then each
        minute without them is evidence: once they have been called for longer than
        patients take to reach a room, they are almost surely a no-show about to be
        marked, and the room is free in a minute or two, not after a whole visit. With
        the prior share kept (one in five on the busy urgent care), the forecast held
        such a room for a whole visit four times in five, and promised those waiting
        too late.
        """
        if self.occupant_waited is None:
            prior = model.no_show_rate
        else:
            prior = model.no_show_chance(self.occupant_waited)
        absent = prior * model.no_show_minutes.share_above(self.called_for)
        coming = (1.0 - prior) * model.walk.share_above(self.called_for)
        if absent + coming <= 0:  # longer than any seen either way: no evidence left
            return prior
        return absent / (absent + coming)
