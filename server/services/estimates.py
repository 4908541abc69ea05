"""The wait estimates a site's patients are shown.

After every queue change (refresher.py) and on a slow tick, the site's queue is turned
into a domain snapshot and the site's pace is learnt from its own history
(forecast_inputs.py), and the forward simulation estimates every waiting ticket's wait.
The change itself does not wait for that: it shows the promises patients already hold
(`shown_view`), so the desk's answer and every phone's new place go out at once. What
is shown becomes a promise, kept and recorded as promises.py says.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from server import payloads
from server.domain.estimate import (
    LINE_SIMULATION_LIMIT,
    Estimate,
    Predictions,
    QueueSnapshot,
    extend_line,
    line_estimates,
    simulated_estimates,
)
from server.domain.history import ClinicModel
from server.domain.queue import call_order_key
from server.services import estimate_cache, lines, promises
from server.services.estimate_cache import HeldPlaces
from server.services.forecast_inputs import build_snapshot
from server.sites.settings import SiteSettings
from server.storage import queries
from server.storage.models import Site, Ticket

SEED = 20260310


def seed_for(day: date) -> int:
    """The simulation's seed on the site's `day`. All day the same queue gives the same
    estimates in every process, and a change in one line leaves the others' estimates
    as they were (common random numbers); the next day draws afresh. With one seed for
    all days, every estimate a site ever made reused the same few hundred simulated
    futures, and their chance error was a bias that never averaged out (bench/README.md,
    "What patients were shown")."""
    return SEED + day.toordinal()


@dataclass
class Estimated:
    view: payloads.QueueView
    moved: list[lines.Waiter]  # waiting tickets whose shown estimate or delay notice changed
    delayed: list[int] = field(default_factory=list)  # tickets given a delay notice now


@dataclass(frozen=True)
class Forecast:
    """What the simulation needs, read from the database; plain data, so the read can
    end before the simulation runs and no lock is held while it does."""

    seq: int
    snapshot: QueueSnapshot
    model: ClinicModel
    day: date  # the site's day: the simulation's seed (seed_for)


def _queue_view(site: Site, now: datetime) -> tuple[payloads.QueueView, lines.Lines]:
    """The site's lines now (kept between changes: lines.py), as a view to fill."""
    held = lines.read(site, site.days.day_of(now))
    return payloads.QueueView.of(site, now, held.order, held.positions), held


def shown_view(site: Site, now: datetime, *, record: bool) -> payloads.QueueView:
    """The site's queue with the estimates its patients hold, without a simulation of
    the whole queue.

    Each waiting ticket shows its promise in minutes from now. With `record` (inside a
    change's transaction, after its seq moved on) a ticket with none yet (just checked
    in, or starting a new wait after a transfer) is given an estimate for its real
    place (`_first_estimates`), which becomes its promise and is recorded, so what the
    kiosk printed is what was shown. Without `record`, such a ticket is shown its
    line's last simulated wait when it is last in line, else the naive rule. The
    refresh that follows every change (refresher.py) moves the promises that the
    simulation moves.
    """
    view, held = _queue_view(site, now)
    stored = _stored_waits(site)
    history: list[dict[str, Any]] = []
    promised: dict[int, lines.HeldPromise] = {}
    unpromised: list[lines.Waiter] = []
    view.estimates = _PromisedEstimates(promised, now)
    for ticket in held.waiting:
        promise = promises.current(held.promises.get(ticket.id), ticket, record=record)
        if promise is None:
            unpromised.append(ticket)
        else:
            promised[ticket.id] = promise
            promises.note_delay(view, ticket, promise)
    first = (
        _first_estimates(site, now, view, held, tickets=unpromised, stored=stored) if record else {}
    )
    for ticket in unpromised:
        shown = first.get(ticket.id) or _first_estimate(view, ticket, stored)
        view.estimates[ticket.id] = shown
        if record:
            promises.show(site, ticket, shown, now, None, history=history)
    promises.record_shown(history)
    view.service_waits.update(stored)
    view.estimated = True
    return view


def _first_estimates(
    site: Site,
    now: datetime,
    view: payloads.QueueView,
    held: lines.Lines,
    *,
    tickets: list[lines.Waiter],
    stored: dict[int, Estimate],
) -> dict[int, Estimate]:
    """Inside a change: the first estimates of tickets with no promise yet, for their
    real places.

    The stored wait for one joining a line is a newcomer's own when the newcomer's line
    was simulated at the seq just before this change (by the refresh, or by the check-in
    before) and the newcomer is last in line, placed on arrival (`_joins_last`): a
    walk-in in a quiet moment costs no simulation, nor does every other one of a burst.
    Otherwise the refresh is still pending (it saw none of those who came since), or the
    newcomer is placed elsewhere (an appointment patient at a later slot), and the
    newcomer's lines are simulated now, within a small budget (line_estimates); past
    LINE_SIMULATION_LIMIT waiting, where even that would cost too much, a newcomer placed
    on arrival right behind the previous newcomer of the lines sharing its rooms is given
    that one's estimate extended by one place (extend_line), and only the others are
    simulated. The waits for one joining those lines next are stored too, for the
    display and the next to come.
    """
    if not tickets:
        return {}
    known = estimate_cache.simulated_at(site.id)
    if known is not None and all(
        known.covers(site.seq - 1, t.service_id) and _joins_last(view, t) and t.service_id in stored
        for t in tickets
    ):
        return {t.id: stored[t.service_id] for t in tickets}
    found: dict[int, Estimate] = {}
    waits: dict[int, Estimate] = {}
    model = estimate_cache.clinic_model(site, now, any_age=True)
    if len(held.waiting) > LINE_SIMULATION_LIMIT:
        for ticket in tickets:
            extended = _behind_the_last(site, view, held, ticket, model)
            if extended is not None:
                found[ticket.id], waits[ticket.service_id] = extended
    rest = [t for t in tickets if t.id not in found]
    if rest:
        snapshot = build_snapshot(site, now, held.waiting, held.promises)
        predictions = line_estimates(
            snapshot, model, {t.id for t in rest}, seed=seed_for(site.days.day_of(now))
        )
        found.update(predictions.tickets)
        simulated = {int(sid): wait for sid, wait in predictions.services.items()}
        waits.update(simulated)
        # What it stores for its lines is the next newcomer's own wait (it saw everyone).
        covered = estimate_cache.Simulated(site.seq, frozenset(simulated))
        estimate_cache.note_simulated_on_commit(site.id, covered)
    _keep_service_waits(site, stored, waits)
    return found


def _behind_the_last(
    site: Site,
    view: payloads.QueueView,
    held: lines.Lines,
    ticket: lines.Waiter,
    model: ClinicModel,
) -> tuple[Estimate, Estimate] | None:
    """A newcomer right behind the previous last of the lines sharing its rooms (the
    next of a burst, in the same line): that one's estimate extended by one place, and
    the wait of one joining after it; None if the newcomer is placed otherwise, the one
    ahead holds no promise, or no room serves the line."""
    linked = _linked_lines(site, ticket.service_id)
    waiting = (w for sid in linked for w in held.order.get(sid, ()))
    order = heapq.nlargest(2, waiting, key=call_order_key)  # the last two, last first
    line = held.order.get(ticket.service_id, ())
    # Behind one of another line, the newcomer's place depends on how the shared rooms
    # split between the lines: that is the simulation's to say; so is the place of one
    # placed at a later appointment time (walk-ins coming before it go ahead).
    if (
        len(order) < 2
        or order[0].id != ticket.id
        or line[-2:-1] != (order[1],)
        or not _placed_on_arrival(ticket)
    ):
        return None
    last = view.estimates.get(order[1].id)
    rooms = sum(
        1
        for r in site.rooms
        if r.active and not r.paused and any(s.id == ticket.service_id for s in r.services)
    )
    if last is None or rooms == 0:
        return None
    place = model.cycle_minutes(str(ticket.service_id)) / rooms
    own = extend_line(last, place)
    return own, extend_line(own, place)


def _linked_lines(site: Site, service_id: int) -> set[int]:
    """The lines that share rooms with this one, directly or through others."""
    rooms = [{s.id for s in r.services} for r in site.rooms if r.active]
    linked = {service_id}
    while True:
        grown = linked.union(*(served for served in rooms if served & linked))
        if grown == linked:
            return linked
        linked = grown


def _keep_service_waits(
    site: Site, stored: dict[int, Estimate], waits: dict[int, Estimate]
) -> None:
    """Keep the waits for one joining these lines now, on the site (for the next reads)
    and in `stored` (for this change's view)."""
    active = {s.id for s in site.services if s.active}
    waits = {sid: wait for sid, wait in waits.items() if sid in active}
    if not waits:
        return
    stored.update(waits)
    kept = dict(site.service_waits or {})
    kept.update({str(sid): [w.central, w.low, w.high] for sid, w in waits.items()})
    site.service_waits = kept


def _is_last(view: payloads.QueueView, ticket: lines.Waiter) -> bool:
    line = view.order.get(ticket.service_id, [])
    return bool(line) and line[-1].id == ticket.id


def _joins_last(view: payloads.QueueView, ticket: lines.Waiter) -> bool:
    """Whether the stored wait for one joining the ticket's line now is the ticket's
    own: it is last in line, and placed as one joining now is (at arrival, with no
    priority). An appointment patient come early is placed at the appointment time
    instead: the walk-ins who come before it go ahead, and the appointment patients
    booked before it who are not here yet, so its wait is longer than a walk-in's."""
    return _is_last(view, ticket) and _placed_on_arrival(ticket)


def _placed_on_arrival(ticket: lines.Waiter) -> bool:
    return ticket.priority == 0 and ticket.queue_at == ticket.arrived_at


class _PromisedEstimates(dict[int, Estimate]):
    """Estimates of tickets that hold a promise, each worked out when a payload first
    asks for it. A check-in shows its estimate to one phone, the display and the desks;
    working out the other thousand waiting would be most of its cost."""

    def __init__(self, promised: Mapping[int, lines.HeldPromise], now: datetime) -> None:
        super().__init__()
        self._promised, self._now = promised, now

    def __missing__(self, ticket_id: int) -> Estimate:
        promise = self._promised[ticket_id]  # KeyError: no estimate, as for a dict
        estimate = self[ticket_id] = promises.as_estimate(promise, self._now)
        return estimate

    def get(self, ticket_id: int, default: Any = None) -> Any:
        try:
            return self[ticket_id]
        except KeyError:
            return default


def view_for_ticket(site: Site, now: datetime, ticket: Ticket) -> payloads.QueueView:
    """A queue view that knows one ticket's place and estimate, for its phone's read."""
    places = estimate_cache.held_places(site, now, _load_places)
    view = payloads.QueueView(site, now, {}, {})
    view.estimated = True
    position = places.positions.get(ticket.id)
    if position is not None:
        view.positions[ticket.id] = position
        promise = places.promises.get(ticket.id)
        if promise is None:
            view.estimates[ticket.id] = places.first[ticket.id]
        else:
            view.estimates[ticket.id] = promises.as_estimate(promise, now)
            promises.note_delay(view, ticket, promise)
    return view


def _load_places(site: Site, now: datetime, today: date) -> HeldPlaces:
    view, held = _queue_view(site, now)
    stored = _stored_waits(site)
    promised: dict[int, lines.HeldPromise] = {}
    first: dict[int, Estimate] = {}
    for ticket in held.waiting:
        promise = promises.current(held.promises.get(ticket.id), ticket, record=False)
        if promise is None:
            first[ticket.id] = _first_estimate(view, ticket, stored)
        else:
            promised[ticket.id] = promise
    return HeldPlaces(site.seq, today, held.positions, promised, first)


def forecast(site: Site, now: datetime) -> Forecast:
    held = lines.read(site, site.days.day_of(now))
    snapshot = build_snapshot(site, now, held.waiting, held.promises)
    return Forecast(
        site.seq, snapshot, estimate_cache.clinic_model(site, now), site.days.day_of(now)
    )


def predict(forecast: Forecast, between_runs: Callable[[], None] | None = None) -> Predictions:
    """The forward simulation: pure CPU, the expensive part of an estimate."""
    return simulated_estimates(
        forecast.snapshot, forecast.model, seed=seed_for(forecast.day), between_runs=between_runs
    )


def apply_predictions(site: Site, now: datetime, predictions: Predictions) -> Estimated:
    """Inside a change's transaction: show the simulation's estimates whose promise
    moved, record them, decide delay notices, and keep the lines' waits on the site."""
    view, held = _queue_view(site, now)
    waiting = held.waiting
    rows = promises.load([t.id for t in waiting])
    settings = SiteSettings.of(site)
    notices = queries.active_notices(site.id)
    moved: list[lines.Waiter] = []
    delayed: list[int] = []
    history: list[dict[str, Any]] = []
    for ticket in waiting:
        fresh = predictions.tickets.get(ticket.id)
        promise = promises.current(rows.get(ticket.id), ticket, record=True)
        if fresh is None:  # joined after the forecast was read: its next refresh has it
            view.estimates[ticket.id] = (
                promises.as_estimate(promise, now) if promise else _first_estimate(view, ticket, {})
            )
            continue
        if promise is None or promises.moved(promise, fresh, now):
            promise = promises.show(site, ticket, fresh, now, promise, history=history)
            moved.append(ticket)
            shown = fresh
        else:
            shown = promises.as_estimate(promise, now)
        told = promises.review_delay(
            site, ticket, promise, shown, now, settings=settings, notices=notices
        )
        if told:
            delayed.append(ticket.id)
            if ticket not in moved:
                moved.append(ticket)
        view.estimates[ticket.id] = shown
        promises.note_delay(view, ticket, promise)
    promises.record_shown(history)
    waits = {
        service.id: wait
        for service in site.services
        if (wait := predictions.services.get(str(service.id))) is not None
    }
    view.service_waits.update(waits)
    site.service_waits = {str(sid): [w.central, w.low, w.high] for sid, w in waits.items()}
    view.estimated = True
    return Estimated(view, moved, delayed)


def _first_estimate(
    view: payloads.QueueView, ticket: lines.Waiter, stored: dict[int, Estimate]
) -> Estimate:
    """What a ticket with no promise yet is shown, without a simulation."""
    if _joins_last(view, ticket) and ticket.service_id in stored:
        # The last simulation's wait for one joining the line now: this is that patient.
        return stored[ticket.service_id]
    position = view.position(ticket) or 1
    return view.naive_wait(ticket.service_id, position - 1)


def _stored_waits(site: Site) -> dict[int, Estimate]:
    """Each active line's last simulated wait, for one joining it now."""
    active = {s.id for s in site.services if s.active}
    return {
        int(sid): Estimate(*wait)
        for sid, wait in (site.service_waits or {}).items()
        if int(sid) in active
    }
