"""What a site's own past says about its pace: visit lengths, gaps, pauses, no-shows.

The estimators (estimate.py) simulate the queue forward with these learnt
distributions. Each is learnt robustly from the site's recent history and starts from a
prior (the site file's typical visit length, or a plain default) until enough history
exists. Pure functions: the server and the benchmark feed them the same records.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

_NORMAL = statistics.NormalDist()
LONGEST_VISIT_MINUTES = 480.0  # a visit "in service" for longer was left open by mistake
PRIOR_WEIGHT = 12.0  # the prior counts as this many visits
PRIOR_SIGMA = 0.5  # log-scale spread of visit lengths before any history


def minutes(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 60.0


# --- Distributions ----------------------------------------------------------------


@dataclass(frozen=True)
class LogNormal:
    """A visit length in minutes: exp(N(mu, sigma))."""

    mu: float
    sigma: float

    @classmethod
    def from_mean(cls, mean: float, sigma: float = PRIOR_SIGMA) -> LogNormal:
        return cls(math.log(max(mean, 0.1)) - sigma * sigma / 2, sigma)

    @property
    def mean(self) -> float:
        return math.exp(self.mu + self.sigma * self.sigma / 2)

    @property
    def median(self) -> float:
        return math.exp(self.mu)

    def sample(self, rng: random.Random) -> float:
        return rng.lognormvariate(self.mu, self.sigma)

    def remaining(self, rng: random.Random, elapsed: float) -> float:
        """Minutes still to go for a visit that has lasted `elapsed` minutes so far."""
        if elapsed <= 0:
            return self.sample(rng)
        below = _NORMAL.cdf((math.log(elapsed) - self.mu) / self.sigma)
        level = min(below + (1.0 - below) * rng.random(), 1.0 - 1e-9)
        if below > 0.999:  # far in the tail: the quantile function is too flat to use
            return rng.expovariate(1.0 / max(1.0, self.sigma * elapsed))
        return max(0.0, math.exp(self.mu + self.sigma * _NORMAL.inv_cdf(level)) - elapsed)


@dataclass(frozen=True)
class Empirical:
    """A distribution given by observed values (minutes), sampled by resampling."""

    values: tuple[float, ...]

    @classmethod
    def learnt(
        cls, observed: Iterable[float], prior: Sequence[float], keep: int = 400
    ) -> Empirical:
        """The most recent `keep` observations, with the prior mixed in while they are few.

        The prior values count once each, so they matter until a few dozen
        observations exist and hardly at all after that.
        """
        values = list(observed)[-keep:]
        return cls(tuple(sorted([*values, *prior])))

    @property
    def mean(self) -> float:
        return statistics.fmean(self.values) if self.values else 0.0

    def sample(self, rng: random.Random) -> float:
        return self.values[rng.randrange(len(self.values))] if self.values else 0.0

    def above(self, rng: random.Random, floor: float) -> float:
        """A value drawn from those above `floor` (what is left of the distribution
        once we know the value was not `floor` or less)."""
        if not self.values:
            return floor
        start = bisect.bisect_right(self.values, floor)
        if start < len(self.values):
            return self.values[rng.randrange(start, len(self.values))]
        # Beyond anything seen: assume some more, on the scale of the longest tenth.
        tail = self.values[int(len(self.values) * 0.9) :]
        spread = statistics.fmean(tail) - self.values[0]
        return floor + rng.expovariate(1.0 / max(1.0, spread / 2))

    def remaining(self, rng: random.Random, elapsed: float) -> float:
        """Minutes still to go, given the thing has already lasted `elapsed` minutes."""
        if elapsed <= 0:
            return self.sample(rng)
        return self.above(rng, elapsed) - elapsed

    def share_above(self, value: float) -> float:
        if not self.values:
            return 0.0
        return 1.0 - bisect.bisect_right(self.values, value) / len(self.values)


def learn_visit_length(observed: Sequence[float], typical_minutes: float) -> LogNormal:
    """A lognormal visit length from completed visits, robust to outliers.

    Median and median absolute deviation of the log lengths, so a visit left open for
    hours or closed by mistake after seconds moves little; shrunk towards the site
    file's typical length (taken as the mean) with the weight of PRIOR_WEIGHT visits.
    """
    prior = LogNormal.from_mean(typical_minutes)
    logs = [math.log(v) for v in observed if 0.25 <= v <= LONGEST_VISIT_MINUTES]
    if not logs:
        return prior
    n = len(logs)
    centre = statistics.median(logs)
    spread = 1.4826 * statistics.median(abs(x - centre) for x in logs) if n >= 3 else PRIOR_SIGMA
    spread = min(max(spread, 0.15), 1.2)
    mu = (PRIOR_WEIGHT * prior.mu + n * centre) / (PRIOR_WEIGHT + n)
    sigma = (PRIOR_WEIGHT * prior.sigma + n * spread) / (PRIOR_WEIGHT + n)
    return LogNormal(mu, sigma)


# Bands of the time a called patient had waited (upper bounds, in minutes; the last band
# has none), for the share of them who were not there (NoShowByWait).
NO_SHOW_WAIT_BANDS = (15.0, 30.0, 60.0, 120.0)


@dataclass(frozen=True)
class NoShowByWait:
    """The share of called patients who do not come, by how long they had waited.

    Patients who give up waiting mostly leave without a word and are no-shows when
    called, so the longer the wait, the likelier a no-show (in bench/clinic.py, 7 in 10
    of those whose patience runs out go without a word). A forecast
    with one rate for all keeps too many of those ahead of a long wait, and promises
    it too late. Each band is shrunk towards the site's overall rate until it has a few
    dozen calls of its own.
    """

    bounds: tuple[float, ...]
    rates: tuple[float, ...]  # one per band: len(bounds) + 1

    def rate(self, waited: float) -> float:
        return self.rates[bisect.bisect_left(self.bounds, waited)]


def no_shows_by_wait(
    waits: Iterable[tuple[float, bool]], overall: float, weight: float
) -> NoShowByWait:
    """The share of no-shows in each wait band, from (minutes waited, was a no-show)."""
    calls = [0] * (len(NO_SHOW_WAIT_BANDS) + 1)
    missed = [0] * len(calls)
    for waited, no_show in waits:
        band = bisect.bisect_left(NO_SHOW_WAIT_BANDS, waited)
        calls[band] += 1
        missed[band] += no_show
    rates = tuple((overall * weight + k) / (weight + n) for k, n in zip(missed, calls, strict=True))
    return NoShowByWait(NO_SHOW_WAIT_BANDS, rates)


# --- What the site remembers ------------------------------------------------------


@dataclass(frozen=True)
class PastVisit:
    """One ticket's passage through a room, as the event log recorded it."""

    service: str
    room: str | None
    arrived_at: datetime
    called_at: datetime | None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    no_show: bool = False


@dataclass(frozen=True)
class PastAppointment:
    starts_at: datetime
    arrived_at: datetime | None  # None: never came


@dataclass(frozen=True)
class History:
    """A site's recent past, as plain records. Everything is optional but the priors."""

    typical_minutes: Mapping[str, float]
    visits: Sequence[PastVisit] = ()
    # When each session of each past day began (opening times), to tell a room's late
    # start from its ordinary turnaround between patients.
    session_starts: Sequence[datetime] = ()
    # Rooms with hours of their own: their sessions (start, end), in order, by room. The
    # room's breaks (lunch) lie between them; its sessions' starts are its openings.
    room_sessions: Mapping[str, Sequence[tuple[datetime, datetime]]] = field(default_factory=dict)
    pause_minutes: Sequence[float] = ()
    appointments: Sequence[PastAppointment] = ()
    walk_ins_per_hour: Mapping[str, float] = field(default_factory=dict)


# Priors, in minutes: what a clinic is like before it has any history of its own.
TURNAROUND_PRIOR = (0.2, 0.5, 1.0, 1.0, 1.5, 2.0)
SESSION_START_PRIOR = (0.0, 0.5, 1.0, 2.0, 5.0)
WALK_PRIOR = (0.5, 1.0, 1.0, 1.5, 2.0)
PAUSE_PRIOR = (5.0, 10.0, 15.0, 20.0, 30.0)
NO_SHOW_MINUTES_PRIOR = (2.0, 3.0, 5.0)
NO_SHOW_PRIOR, NO_SHOW_PRIOR_WEIGHT = 0.05, 20
SHOW_PRIOR, SHOW_PRIOR_WEIGHT = 0.88, 20
OFFSET_PRIOR = (-20.0, -15.0, -10.0, -5.0, 0.0, 5.0)


@dataclass(frozen=True)
class ClinicModel:
    """Learnt distributions the forward simulation draws from."""

    visits: Mapping[str, LogNormal]
    turnaround: Empirical  # a room free, patients waiting -> its next call
    session_start: Empirical  # a session opens -> the room's first call
    walk: Empirical  # called -> in the room
    pause: Empirical  # how long a paused room stays paused
    no_show_rate: float  # share of called patients who do not come
    no_show_minutes: Empirical  # called -> marked as a no-show
    show_rate: float  # share of booked appointments that check in
    offsets: Empirical  # arrival minus appointment time
    walk_ins_per_hour: Mapping[str, float]
    pace_sigma: float = 0.12  # day-to-day uncertainty of the pace, on the log scale
    # Waiting patients who leave before they are called (cancelled), per minute waited.
    leave_per_minute: float = 0.0
    # The no-show share by the time waited before the call; None: no_show_rate for all.
    no_show_by_wait: NoShowByWait | None = None

    def visit(self, service: str) -> LogNormal:
        return self.visits.get(service) or LogNormal.from_mean(15.0)

    def no_show_chance(self, waited: float) -> float:
        """The chance that a patient called after waiting `waited` minutes is not there."""
        if self.no_show_by_wait is None:
            return self.no_show_rate
        return self.no_show_by_wait.rate(waited)

    def cycle_minutes(self, service: str) -> float:
        """The mean time a room gives one patient, from its call to the next call."""
        return self.visit(service).mean + self.walk.mean + self.turnaround.mean


def learn(history: History) -> ClinicModel:
    by_service: dict[str, list[float]] = defaultdict(list)
    walks: list[float] = []
    no_show_minutes: list[float] = []
    waits: list[tuple[float, bool]] = []
    called = no_shows = 0
    for visit in history.visits:
        if visit.called_at is None:
            continue
        called += 1
        waits.append((max(0.0, minutes(visit.called_at, visit.arrived_at)), visit.no_show))
        if visit.no_show:
            no_shows += 1
            if visit.finished_at is not None:
                no_show_minutes.append(minutes(visit.finished_at, visit.called_at))
        elif visit.started_at is not None:
            walks.append(minutes(visit.started_at, visit.called_at))
            if visit.finished_at is not None:
                length = minutes(visit.finished_at, visit.started_at)
                sessions = history.room_sessions.get(visit.room or "", ())
                length -= break_minutes(sessions, visit.started_at, visit.finished_at)
                by_service[visit.service].append(length)
    turnarounds, session_starts = room_gaps(
        history.visits, history.session_starts, history.room_sessions
    )
    booked = len(history.appointments)
    came = [a for a in history.appointments if a.arrived_at is not None]
    no_show_rate = (NO_SHOW_PRIOR * NO_SHOW_PRIOR_WEIGHT + no_shows) / (
        NO_SHOW_PRIOR_WEIGHT + called
    )
    return ClinicModel(
        visits={
            service: learn_visit_length(by_service.get(service, []), typical)
            for service, typical in history.typical_minutes.items()
        },
        turnaround=Empirical.learnt(turnarounds, TURNAROUND_PRIOR),
        session_start=Empirical.learnt(session_starts, SESSION_START_PRIOR),
        walk=Empirical.learnt(walks, WALK_PRIOR),
        pause=Empirical.learnt(history.pause_minutes, PAUSE_PRIOR),
        no_show_rate=no_show_rate,
        no_show_by_wait=no_shows_by_wait(waits, no_show_rate, NO_SHOW_PRIOR_WEIGHT),
        no_show_minutes=Empirical.learnt(no_show_minutes, NO_SHOW_MINUTES_PRIOR),
        show_rate=(SHOW_PRIOR * SHOW_PRIOR_WEIGHT + len(came)) / (SHOW_PRIOR_WEIGHT + booked),
        offsets=Empirical.learnt(
            (minutes(a.arrived_at, a.starts_at) for a in came if a.arrived_at), OFFSET_PRIOR
        ),
        walk_ins_per_hour=dict(history.walk_ins_per_hour),
        leave_per_minute=leave_rate(history.visits),
    )


def break_minutes(
    sessions: Sequence[tuple[datetime, datetime]], start: datetime, end: datetime
) -> float:
    """Minutes of a room's planned breaks (the time between two of its sessions) that
    fall between `start` and `end`: a visit left open over lunch did not last the lunch."""
    total = 0.0
    for (_, break_starts), (break_ends, _) in itertools.pairwise(sessions):
        overlap = minutes(min(end, break_ends), max(start, break_starts))
        total += max(0.0, overlap)
    return total


def leave_rate(visits: Sequence[PastVisit]) -> float:
    """Patients who left unseen (cancelled before a call) per minute waited by all.

    Where waits are long, some of those ahead give up: a forecast that keeps them all
    in line overestimates the waits behind them (by 5 minutes in 47 on the benchmark's
    busy urgent care).
    """
    left = 0
    waited = 0.0
    for visit in visits:
        end = visit.called_at or visit.finished_at
        if end is None:
            continue
        waited += max(0.0, minutes(end, visit.arrived_at))
        left += visit.called_at is None
    return left / waited if waited > 0 else 0.0


def room_gaps(
    visits: Sequence[PastVisit],
    session_starts: Sequence[datetime],
    room_sessions: Mapping[str, Sequence[tuple[datetime, datetime]]] | None = None,
) -> tuple[list[float], list[float]]:
    """How long rooms took to call the next patient once free with someone waiting.

    Returns (turnarounds, session starts): the gap after a patient left, and the gap
    between a session's opening and the room's first call (a late start shows here).
    The clock starts when both the room and the called patient were ready. A room with
    sessions of its own opens at their starts: its first call after lunch is a session
    start, and the lunch is not a turnaround.
    """
    site_openings = sorted(session_starts)
    by_room: dict[str, list[PastVisit]] = defaultdict(list)
    for visit in visits:
        if visit.room is not None and visit.called_at is not None:
            by_room[visit.room].append(visit)
    turnarounds: list[float] = []
    starts: list[float] = []
    for room, calls in by_room.items():
        # The site's openings stay: a room used on a day its own hours leave out still
        # opened with the site, not at its last session days before.
        own = [a for a, _ in (room_sessions or {}).get(room, ())]
        openings = sorted([*site_openings, *own]) if own else site_openings
        calls.sort(key=lambda v: v.called_at or v.arrived_at)
        previous: PastVisit | None = None
        for visit in calls:
            assert visit.called_at is not None
            at = visit.called_at
            index = bisect.bisect_right(openings, at) - 1
            opened = openings[index] if index >= 0 else None
            free = previous.finished_at if previous is not None else None
            if free is not None and (opened is None or free >= opened):
                turnarounds.append(max(0.0, minutes(at, max(free, visit.arrived_at))))
            elif opened is not None:
                starts.append(max(0.0, minutes(at, max(opened, visit.arrived_at))))
            previous = visit
    return turnarounds, starts


def walk_in_rate(
    recent_arrivals: int, recent_minutes: float, past_arrivals: int, past_days: int
) -> float:
    """Walk-ins per hour expected now: today's recent rate, steadied by past days at
    this time of day when they exist."""
    today = recent_arrivals * 60.0 / recent_minutes if recent_minutes > 0 else 0.0
    if past_days <= 0:
        return today
    usual = past_arrivals / past_days * 60.0 / max(recent_minutes, 1.0)
    return (today + usual) / 2
