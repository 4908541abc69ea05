"""Wait estimates for a site: built from the database, shown, recorded, and scored.

After every queue change (refresher.py) and on a slow tick, the site's queue is turned
into a domain snapshot, the site's pace is learnt from its own history, and the forward
simulation estimates every waiting ticket's wait. The change itself does not wait for
that: it shows the promises patients already hold (`shown_view`), so the desk's answer
and every phone's new place go out at once.

What patients are shown is a *promise*: the estimate as clock times. A ticket keeps
the promise it was shown until a new estimate moves it by PROMISE_MOVES or more; then
the new one is shown, pushed, and recorded (one `ShownEstimate` row). So a patient's
phone does not flicker by a minute on every event, the record holds exactly what was
shown, and a quiet ticket adds no rows: a wait that runs as forecast writes only a
handful of rows however many events and ticks pass. When the promised upper bound
moves out by more than the site's threshold, the patient gets a delay notice that says
why, in their language (domain/delay.py has the rule).
"""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol, TypeVar

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import insert, select

from server import clock, payloads
from server.domain import delay as delay_rule
from server.domain.estimate import (
    Estimate,
    ExpectedAppointment,
    Occupant,
    PostedDelay,
    Predictions,
    QueueSnapshot,
    RoomState,
    WaitingTicket,
    simulated_estimates,
)
from server.domain.history import (
    ClinicModel,
    History,
    PastAppointment,
    PastVisit,
    learn,
    walk_in_rate,
)
from server.domain.queue import TicketStatus
from server.domain.schedule import WEEKDAYS, local_to_utc, site_day
from server.extensions import db
from server.services import lines
from server.sites.settings import SiteSettings
from server.storage import queries
from server.storage.models import (
    Appointment,
    AuditEntry,
    CallEvent,
    DelayNotice,
    ShownEstimate,
    Site,
    Ticket,
    TicketPromise,
)

PROMISE_MOVES = timedelta(minutes=2)
HISTORY_DAYS = 14
MODEL_LIFETIME = timedelta(minutes=2)  # the learnt pace is reused this long
SEED = 20260310  # fixed: the same queue gives the same estimates


@dataclass
class Estimated:
    view: payloads.QueueView
    moved: list[lines.Waiter]  # waiting tickets whose shown estimate or delay notice changed


@dataclass(frozen=True)
class Forecast:
    """What the simulation needs, read from the database; plain data, so the read can
    end before the simulation runs and no lock is held while it does."""

    seq: int
    snapshot: QueueSnapshot
    model: ClinicModel


def queue_view(site: Site, now: datetime) -> tuple[payloads.QueueView, lines.Lines]:
    """The site's lines now (kept between changes: lines.py), as a view to fill."""
    held = lines.read(site, site_day(now, site.zone))
    return payloads.QueueView.of(site, now, held.order, held.positions), held


def shown_view(site: Site, now: datetime, *, record: bool) -> payloads.QueueView:
    """The site's queue with the estimates its patients hold, without a simulation.

    Each waiting ticket shows its promise in minutes from now. A ticket with none yet
    (just checked in, or starting a new wait after a transfer) is shown its line's last
    simulated wait when it is last in line, else the naive rule. With `record` (inside a
    change's transaction) that first estimate becomes its promise and is recorded, so
    what the kiosk printed is what was shown. The refresh that follows every change
    (refresher.py) moves the promises that the simulation moves.
    """
    view, held = queue_view(site, now)
    stored = _stored_waits(site)
    history: list[dict[str, Any]] = []
    promised: dict[int, HeldPromise] = {}
    view.estimates = _PromisedEstimates(promised, now)
    for ticket in held.waiting:
        promise = _current(held.promises.get(ticket.id), ticket, record=record)
        if promise is None:
            shown = view.estimates[ticket.id] = _first_estimate(view, ticket, stored)
            if record:
                _show(site, ticket, shown, now, None, history=history)
        else:
            promised[ticket.id] = promise
            _note_delay(view, ticket, promise)
    _record_shown(history)
    view.service_waits.update(stored)
    view.estimated = True
    return view


class _PromisedEstimates(dict[int, Estimate]):
    """Estimates of tickets that hold a promise, each worked out when a payload first
    asks for it. A check-in shows its estimate to one phone, the display and the desks;
    working out the other thousand waiting would be most of its cost."""

    def __init__(self, promised: Mapping[int, HeldPromise], now: datetime) -> None:
        super().__init__()
        self._promised, self._now = promised, now

    def __missing__(self, ticket_id: int) -> Estimate:
        promise = self._promised[ticket_id]  # KeyError: no estimate, as for a dict
        estimate = self[ticket_id] = _relative(promise, self._now)
        return estimate

    def get(self, ticket_id: int, default: Any = None) -> Any:
        try:
            return self[ticket_id]
        except KeyError:
            return default


@dataclass(frozen=True)
class HeldPlaces:
    """Every waiting ticket's place and what it holds, at one sequence number, as plain
    data: the reads between two changes (a thousand phones reconnecting to a process
    that just started) share one load of the queue instead of one each."""

    seq: int
    day: date
    positions: Mapping[int, int]
    promises: Mapping[int, HeldPromise]
    first: dict[int, Estimate]  # tickets with no promise yet


def view_for_ticket(site: Site, now: datetime, ticket: Ticket) -> payloads.QueueView:
    """A queue view that knows one ticket's place and estimate, for its phone's read."""
    places = _held_places(site, now)
    view = payloads.QueueView(site, now, {}, {})
    view.estimated = True
    position = places.positions.get(ticket.id)
    if position is not None:
        view.positions[ticket.id] = position
        promise = places.promises.get(ticket.id)
        if promise is None:
            view.estimates[ticket.id] = places.first[ticket.id]
        else:
            view.estimates[ticket.id] = _relative(promise, now)
            _note_delay(view, ticket, promise)
    return view


def _held_places(site: Site, now: datetime) -> HeldPlaces:
    cache: dict[int, HeldPlaces] = current_app.extensions.setdefault("waitroom.held_places", {})
    today = site_day(now, site.zone)
    held = cache.get(site.id)
    if held is None or (held.seq, held.day) != (site.seq, today):
        held = _load_places(site, now, today)
        cache[site.id] = held
    return held


def _load_places(site: Site, now: datetime, today: date) -> HeldPlaces:
    view, held = queue_view(site, now)
    stored = _stored_waits(site)
    promises: dict[int, HeldPromise] = {}
    first: dict[int, Estimate] = {}
    for ticket in held.waiting:
        promise = _current(held.promises.get(ticket.id), ticket, record=False)
        if promise is None:
            first[ticket.id] = _first_estimate(view, ticket, stored)
        else:
            promises[ticket.id] = promise
    return HeldPlaces(site.seq, today, held.positions, promises, first)


def forecast(site: Site, now: datetime) -> Forecast:
    held = lines.read(site, site_day(now, site.zone))
    return Forecast(site.seq, build_snapshot(site, now, held.waiting), _model(site, now))


def predict(forecast: Forecast, between_runs: Callable[[], None] | None = None) -> Predictions:
    """The forward simulation: pure CPU, the expensive part of an estimate."""
    return simulated_estimates(forecast.snapshot, forecast.model, seed=SEED,
                               between_runs=between_runs)


def apply_predictions(site: Site, now: datetime, predictions: Predictions) -> Estimated:
    """Inside a change's transaction: show the simulation's estimates whose promise
    moved, record them, decide delay notices, and keep the lines' waits on the site."""
    view, held = queue_view(site, now)
    waiting = held.waiting
    promises = _promises([t.id for t in waiting])
    settings = SiteSettings.of(site)
    notices = queries.active_notices(site.id)
    moved: list[lines.Waiter] = []
    history: list[dict[str, Any]] = []
    for ticket in waiting:
        fresh = predictions.tickets.get(ticket.id)
        promise = _current(promises.get(ticket.id), ticket, record=True)
        if fresh is None:  # joined after the forecast was read: its next refresh has it
            view.estimates[ticket.id] = (
                _relative(promise, now) if promise else _first_estimate(view, ticket, {})
            )
            continue
        if promise is None or _moved(promise, fresh, now):
            promise = _show(site, ticket, fresh, now, promise, history=history)
            moved.append(ticket)
            shown = fresh
        else:
            shown = _relative(promise, now)
        told = _review(site, ticket, promise, shown, now, settings=settings, notices=notices)
        if told and ticket not in moved:
            moved.append(ticket)
        view.estimates[ticket.id] = shown
        _note_delay(view, ticket, promise)
    _record_shown(history)
    waits = {
        service.id: wait
        for service in site.services
        if (wait := predictions.services.get(str(service.id))) is not None
    }
    view.service_waits.update(waits)
    site.service_waits = {str(sid): [w.central, w.low, w.high] for sid, w in waits.items()}
    view.estimated = True
    return Estimated(view, moved)


def _current(promise: P | None, ticket: lines.Waiter, *, record: bool) -> P | None:
    """The ticket's promise if it was made for the wait it is in now."""
    if promise is None or (promise.service_id, promise.queue_at) == (
        ticket.service_id,
        ticket.queue_at,
    ):
        return promise
    if record:
        _new_wait(ticket.id)
    return None


def _first_estimate(
    view: payloads.QueueView, ticket: lines.Waiter, stored: dict[int, Estimate]
) -> Estimate:
    line = view.order.get(ticket.service_id, [])
    if line and line[-1].id == ticket.id and ticket.service_id in stored:
        # The last simulation's wait for one joining the line now: this is that patient.
        return stored[ticket.service_id]
    position = view.position(ticket) or 1
    return view.naive_wait(ticket.service_id, position - 1)


def _stored_waits(site: Site) -> dict[int, Estimate]:
    active = {s.id for s in site.services if s.active}
    return {
        int(sid): Estimate(*wait)
        for sid, wait in (site.service_waits or {}).items()
        if int(sid) in active
    }


def _note_delay(
    view: payloads.QueueView, ticket: lines.Waiter | Ticket, promise: HeldPromise
) -> None:
    if promise.notice_reason and promise.notice_at:
        view.delays[ticket.id] = delay_view(promise.notice_reason, promise.notice_at,
                                            ticket.language)


# --- Patient-facing words --------------------------------------------------------


def delay_view(reason: str, at: datetime, language: str) -> dict[str, Any]:
    """The delay notice as the phone shows it, in the ticket's language."""
    with force_locale(language):
        message = _delay_message(reason)
    return {"reason_code": reason, "message": message, "at": payloads.iso(at)}


def _delay_message(reason: str) -> str:
    if reason == delay_rule.DelayReason.POSTED_DELAY:
        return str(gettext("Your wait is longer than we said: the clinic has posted a delay."))
    if reason == delay_rule.DelayReason.ROOM_PAUSED:
        return str(
            gettext(
                "Your wait is longer than we said: a room that serves your line is paused for now."
            )
        )
    return str(gettext("Your wait is longer than we said: there are more patients than usual."))


# --- Showing and telling ---------------------------------------------------------


class HeldPromise(Protocol):
    """A promise as read: a TicketPromise, or the same columns as a plain row."""

    @property
    def service_id(self) -> int: ...
    @property
    def queue_at(self) -> datetime: ...
    @property
    def expected_at(self) -> datetime: ...
    @property
    def earliest_at(self) -> datetime: ...
    @property
    def latest_at(self) -> datetime: ...
    @property
    def notice_at(self) -> datetime | None: ...
    @property
    def notice_reason(self) -> str | None: ...


P = TypeVar("P", bound=HeldPromise)

def _promises(ticket_ids: Sequence[int]) -> dict[int, TicketPromise]:
    if not ticket_ids:
        return {}
    rows = db.session.scalars(select(TicketPromise).where(TicketPromise.ticket_id.in_(ticket_ids)))
    return {p.ticket_id: p for p in rows}


def _new_wait(ticket_id: int) -> None:
    """The ticket waits in a new line (transferred, or back after a no-show): what it
    was promised before no longer holds, and is not a delay."""
    promise = db.session.get(TicketPromise, ticket_id)
    if promise is not None:
        db.session.delete(promise)
        db.session.flush()


def _moved(promise: TicketPromise, fresh: Estimate, now: datetime) -> bool:
    new = _clock_times(fresh, now)
    old = (promise.expected_at, promise.earliest_at, promise.latest_at)
    return any(abs(a - b) >= PROMISE_MOVES for a, b in zip(new, old, strict=True))


def _clock_times(estimate: Estimate, now: datetime) -> tuple[datetime, datetime, datetime]:
    return (
        now + timedelta(minutes=estimate.central),
        now + timedelta(minutes=estimate.low),
        now + timedelta(minutes=estimate.high),
    )


def _relative(promise: HeldPromise, now: datetime) -> Estimate:
    """A shown promise in minutes from now (never negative)."""

    def left(at: datetime) -> int:
        return max(0, round((at - now).total_seconds() / 60))

    central = left(promise.expected_at)
    return Estimate(central, min(left(promise.earliest_at), central), max(left(promise.latest_at),
                                                                         central))


def _show(
    site: Site,
    ticket: lines.Waiter,
    fresh: Estimate,
    now: datetime,
    promise: TicketPromise | None,
    *,
    history: list[dict[str, Any]],
) -> TicketPromise:
    """Make `fresh` the ticket's promise, and note it in `history` (_record_shown)."""
    if promise is None:
        promise = TicketPromise(ticket_id=ticket.id)
        db.session.add(promise)
    promise.service_id, promise.queue_at = ticket.service_id, ticket.queue_at
    promise.shown_at = now
    promise.expected_at, promise.earliest_at, promise.latest_at = _clock_times(fresh, now)
    history.append(
        {
            "site_id": site.id,
            "ticket_id": ticket.id,
            "service_id": ticket.service_id,
            "day": site_day(now, site.zone),
            "at": now,
            "central": fresh.central,
            "low": fresh.low,
            "high": fresh.high,
        }
    )
    return promise


def _record_shown(history: list[dict[str, Any]]) -> None:
    # One INSERT of many rows: a refresh after a call moves hundreds of promises, and as
    # ORM objects their history rows cost a refresh a fifth of its time.
    if history:
        db.session.execute(insert(ShownEstimate), history)


def _review(
    site: Site,
    ticket: lines.Waiter,
    promise: TicketPromise | None,
    shown: Estimate,
    now: datetime,
    *,
    settings: SiteSettings,
    notices: Sequence[DelayNotice],
) -> bool:
    """Apply the delay-notice rule; True when a notice was sent now."""
    if promise is None:
        return False
    review = delay_rule.review_promise(
        delay_rule.Promise(promise.deadline, promise.notice_at),
        now,
        shown.high,
        threshold=timedelta(minutes=settings.delay_notice_minutes),
    )
    promise.deadline = review.promise.deadline
    if not review.notify:
        return False
    promise.notice_at = now
    promise.notice_reason = str(
        delay_rule.delay_reason(
            posted_delay=any(payloads.notice_concerns(n, ticket) for n in notices),
            room_paused=any(
                r.paused and r.active and any(s.id == ticket.service_id for s in r.services)
                for r in site.rooms
            ),
        )
    )
    return True


# --- The snapshot and the history ------------------------------------------------


def _model(site: Site, now: datetime) -> ClinicModel:
    cache: dict[int, tuple[datetime, object, ClinicModel]] = current_app.extensions.setdefault(
        "waitroom.estimate_models", {}
    )
    # A site file loaded again may change services or their typical lengths.
    prior = tuple((s.id, s.typical_minutes) for s in site.services if s.active)
    cached = cache.get(site.id)
    fresh = cached is not None and timedelta(0) <= now - cached[0] < MODEL_LIFETIME
    if cached is not None and fresh and cached[1] == prior:
        return cached[2]
    model = learn(site_history(site, now))
    cache[site.id] = (now, prior, model)
    return model


def build_snapshot(site: Site, now: datetime, waiting: Sequence[lines.Waiter]) -> QueueSnapshot:
    today = site_day(now, site.zone)
    settings = SiteSettings.of(site)
    sessions = _sessions(site, settings, today)
    opened = max((a for a, _ in sessions if a <= now), default=None)
    closures = [(now, sessions[0][0])] if sessions and now < sessions[0][0] else []
    closures += [(b, a) for (_, b), (a, _) in itertools.pairwise(sessions) if a > now]
    busy = queries.tickets_in(site.id, today, [TicketStatus.CALLED, TicketStatus.IN_SERVICE])
    occupants: dict[int, Occupant] = {}
    for t in busy:
        if t.room_id is not None and t.called_at is not None:
            occupants[t.room_id] = Occupant(str(t.service_id), t.called_at, t.started_at)
    finished = db.session.execute(
        select(Ticket.room_id, Ticket.finished_at).where(
            Ticket.site_id == site.id,
            Ticket.day == today,
            Ticket.status.in_([TicketStatus.DONE, TicketStatus.NO_SHOW]),
            Ticket.room_id.is_not(None),
        )
    ).all()
    last_free: dict[int, datetime] = {}
    for room_id, at in finished:
        if room_id is not None and at is not None and (opened is None or at >= opened):
            last_free[room_id] = max(at, last_free.get(room_id, at))
    paused_since = _paused_since(site, now)
    rooms = tuple(
        RoomState(
            code=room.code,
            services=tuple(str(s.id) for s in room.services if s.active),
            paused=room.paused,
            paused_since=paused_since.get(room.code) if room.paused else None,
            occupant=occupants.get(room.id),
            free_since=last_free.get(room.id),
        )
        for room in site.rooms
        if room.active
    )
    return QueueSnapshot(
        now=now,
        waiting=tuple(
            WaitingTicket(
                t.id, str(t.service_id), t.queue_at, t.arrived_at, t.priority, t.appointment_at
            )
            for t in waiting
        ),
        rooms=rooms,
        delays=tuple(_posted(n) for n in queries.active_notices(site.id)),
        appointments=tuple(
            ExpectedAppointment(str(a.service_id), a.starts_at)
            for a in db.session.scalars(
                select(Appointment).where(
                    Appointment.site_id == site.id,
                    Appointment.day == today,
                    Appointment.ticket_id.is_(None),
                )
            )
        ),
        closures=tuple(closures),
        session_opened_at=opened,
        on_time_grace_minutes=settings.on_time_grace_minutes,
    )


def _posted(notice: DelayNotice) -> PostedDelay:
    target = None
    if notice.scope == "service" and notice.service_id is not None:
        target = str(notice.service_id)
    elif notice.scope == "room" and notice.room is not None:
        target = notice.room.code
    return PostedDelay(notice.scope, target, notice.posted_at, notice.expected_minutes)


def _sessions(site: Site, settings: SiteSettings, day: date) -> list[tuple[datetime, datetime]]:
    """The site's opening intervals on `day`, in UTC; none if it gives no hours."""
    spans = settings.hours.intervals.get(WEEKDAYS[day.weekday()], ())
    found = []
    for start, end in spans:
        opens = local_to_utc(day, start, site.zone)
        closes = (
            local_to_utc(day + timedelta(days=1), time(0), site.zone)
            if end == time(0)
            else local_to_utc(day, end, site.zone)
        )
        found.append((opens, closes))
    return sorted(found)


def _paused_since(site: Site, now: datetime) -> dict[str, datetime]:
    """When each room was last paused, from the audit log."""
    entries = db.session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.site_id == site.id,
            AuditEntry.action == "pause_room",
            AuditEntry.at >= now - timedelta(days=1),
        )
        .order_by(AuditEntry.at)
    )
    return {str(e.detail.get("room")): e.at for e in entries}


def site_history(site: Site, now: datetime) -> History:
    """The site's last HISTORY_DAYS days as the plain records the domain learns from."""
    today = site_day(now, site.zone)
    first = today - timedelta(days=HISTORY_DAYS)
    tickets = db.session.scalars(
        select(Ticket).where(Ticket.site_id == site.id, Ticket.day >= first, Ticket.day <= today)
    ).all()
    settings = SiteSettings.of(site)
    session_starts = [
        opens
        for n in range(HISTORY_DAYS + 1)
        for opens, _ in _sessions(site, settings, first + timedelta(days=n))
        if opens <= now
    ]
    visits = [
        PastVisit(
            service=str(t.service_id),
            room=str(t.room_id) if t.room_id is not None else None,
            arrived_at=t.arrived_at,
            called_at=t.called_at,
            started_at=t.started_at,
            finished_at=t.finished_at,
            no_show=t.status == TicketStatus.NO_SHOW,
        )
        for t in tickets
    ]
    return History(
        typical_minutes={str(s.id): s.typical_minutes for s in site.services if s.active},
        visits=visits,
        session_starts=session_starts,
        pause_minutes=_pause_lengths(site, first, now),
        appointments=_past_appointments(site, first, today),
        walk_ins_per_hour=_walk_in_rates(site, tickets, today, now),
    )


def _pause_lengths(site: Site, first: date, now: datetime) -> list[float]:
    start = local_to_utc(first, time(0), site.zone)
    entries = db.session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.site_id == site.id,
            AuditEntry.action.in_(["pause_room", "resume_room"]),
            AuditEntry.at >= start,
            AuditEntry.at <= now,
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    paused: dict[str, datetime] = {}
    lengths = []
    for entry in entries:
        room = str(entry.detail.get("room"))
        if entry.action == "pause_room":
            paused[room] = entry.at
        elif room in paused:
            lengths.append((entry.at - paused.pop(room)).total_seconds() / 60)
    return lengths


def _past_appointments(site: Site, first: date, today: date) -> list[PastAppointment]:
    rows = db.session.execute(
        select(Appointment.starts_at, Ticket.arrived_at)
        .outerjoin(Ticket, Appointment.ticket_id == Ticket.id)
        .where(Appointment.site_id == site.id, Appointment.day >= first, Appointment.day < today)
    ).all()
    return [PastAppointment(starts_at, arrived_at) for starts_at, arrived_at in rows]


def _walk_in_rates(
    site: Site, tickets: Sequence[Ticket], today: date, now: datetime
) -> dict[str, float]:
    """Walk-ins per hour now: the last hour today, steadied by the same hour of past days."""
    hour = timedelta(hours=1)
    recent: dict[str, int] = defaultdict(int)
    earlier: dict[str, int] = defaultdict(int)
    past_days = {t.day for t in tickets if t.day < today}
    for t in tickets:
        if t.appointment_at is not None:
            continue
        back = timedelta(days=(today - t.day).days)
        if now - hour - back <= t.arrived_at < now - back:
            (recent if t.day == today else earlier)[str(t.service_id)] += 1
    return {
        str(s.id): walk_in_rate(
            recent[str(s.id)], 60.0, earlier[str(s.id)], len(past_days)
        )
        for s in site.services
        if s.active
    }


# --- How accurate were we? -------------------------------------------------------


def accuracy_report(site_slug: str, day: date | None = None) -> dict[str, Any]:
    """The figures of the benchmark, for estimates shown to real patients on one day.

    `first` scores each patient's first estimate (at check-in), as the benchmark does;
    `all` scores every estimate shown. A patient never called (cancelled, left) has no
    actual wait and is left out.
    """
    site = queries.get_site(site_slug)
    day = day or site_day(clock.now(), site.zone)
    shown = db.session.scalars(
        select(ShownEstimate)
        .where(ShownEstimate.site_id == site.id, ShownEstimate.day == day)
        .order_by(ShownEstimate.ticket_id, ShownEstimate.at, ShownEstimate.id)
    ).all()
    calls = _first_calls(site, day)
    first: list[tuple[ShownEstimate, float]] = []
    every: list[tuple[ShownEstimate, float]] = []
    seen: set[int] = set()
    for row in shown:
        called = next((at for at in calls.get(row.ticket_id, []) if at >= row.at), None)
        if called is None:
            continue
        pair = (row, (called - row.at).total_seconds() / 60)
        every.append(pair)
        if row.ticket_id not in seen:
            seen.add(row.ticket_id)
            first.append(pair)
    summary = _figures(first)
    return {
        "site": site.slug,
        "day": day.isoformat(),
        "first": summary,
        "all": _figures(every),
        "within_10_share": summary["within_10"],
    }


def _first_calls(site: Site, day: date) -> dict[int, list[datetime]]:
    """Each ticket's calls that day (not recalls), in order."""
    rows = db.session.execute(
        select(CallEvent.ticket_id, CallEvent.at)
        .where(CallEvent.site_id == site.id, CallEvent.day == day, CallEvent.recall.is_(False))
        .order_by(CallEvent.at)
    ).all()
    calls: dict[int, list[datetime]] = defaultdict(list)
    for ticket_id, at in rows:
        calls[ticket_id].append(at)
    return calls


def _figures(pairs: Sequence[tuple[ShownEstimate, float]]) -> dict[str, Any]:
    if not pairs:
        return {
            "patients": 0, "mae": None, "bias": None, "within_10": None, "coverage": None,
            "past_high": None,
        }
    errors = [row.central - actual for row, actual in pairs]
    n = len(pairs)
    return {
        "patients": n,
        "mae": round(statistics.fmean(abs(e) for e in errors), 1),
        "bias": round(statistics.fmean(errors), 1),
        "within_10": round(sum(abs(e) <= 10 for e in errors) / n, 3),
        "coverage": round(sum(row.low <= actual <= row.high for row, actual in pairs) / n, 3),
        "past_high": round(sum(actual > row.high for row, actual in pairs) / n, 3),
    }
