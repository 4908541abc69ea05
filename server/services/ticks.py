"""Refreshing estimates: after every change (refresher.py), and on a slow tick, since
estimates move as time passes even when nobody presses a button."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask, current_app
from sqlalchemy import select

from server import clock, payloads
from server.domain import remote
from server.domain.estimate import Predictions
from server.domain.notify import Kind
from server.domain.queue import TicketStatus
from server.extensions import db
from server.payloads import QueueView
from server.services import estimate_cache, estimates
from server.services.morning_texts import send_morning_links
from server.services.queue_update import QueueUpdate
from server.services.retention import purge_when_due
from server.services.staff_sessions import sweep_staff_sessions
from server.services.turns import let_others_run, write_turn
from server.storage import queries
from server.storage.locks import Lease, LocalLease
from server.storage.models import REMOTE, Site, Ticket


def refresh_estimates(site_slug: str) -> int | None:
    """Re-estimate a site's queue and publish what moved.

    The forecast is read, then the simulation runs with no transaction open (so it
    holds up no other change), then the result is applied under the site's lock. If
    the queue changed meanwhile, the result is dropped: that change asked for a refresh
    of its own. Returns the new sequence number, or None when nothing was sent.
    """
    now = clock.now()
    forecast = estimates.forecast(queries.get_site(site_slug), now)
    db.session.rollback()  # end the read before the long part
    # Under gevent the simulation would otherwise hold the one event loop for its whole
    # length (a tenth of a second with hundreds waiting): it pauses after each run.
    predictions = estimates.predict(forecast, between_runs=let_others_run)
    with write_turn():
        return _publish_predictions(site_slug, now, forecast.seq, predictions)


def _publish_predictions(
    site_slug: str, now: datetime, seen_seq: int, predictions: Predictions
) -> int | None:
    site = queries.get_site(site_slug, lock=True)
    if site.seq != seen_seq:
        db.session.rollback()
        return None
    waits_before = site.service_waits
    site_id = site.id  # read before the commit, which would expire it
    estimated = estimates.apply_predictions(site, now, predictions)
    leaving = time_to_leave(site, now, estimated.view)
    if not estimated.moved and site.service_waits == waits_before and not leaving:
        db.session.commit()  # delay-rule bookkeeping may have changed
        estimate_cache.note_simulated(site_id, estimate_cache.Simulated(seen_seq))
        return None
    update = QueueUpdate(site, now, "estimates", moved=estimated.moved, view=estimated.view)
    for ticket_id in estimated.delayed:  # the phone's delay notice, texted too
        update.tell(ticket_id, Kind.DELAY, estimated.view.delays[ticket_id]["message"])
    for ticket_id in leaving:
        update.tell(ticket_id, Kind.LEAVE_NOW)
    seq = update.finish()
    estimate_cache.note_simulated(site_id, estimate_cache.Simulated(seq))
    return seq


def time_to_leave(site: Site, now: datetime, view: QueueView) -> list[int]:
    """The remote tickets whose patients are to be told "leave now" (by text or push)
    with this refresh, marked told: those not here, not held, with somewhere to tell
    them, whose time to set off by the estimate they are shown has come (the rule their
    page says "Leave by" with: payloads.leave_time). Once per wait; a few rows, read
    under the site's lock with the refresh's change."""
    days = site.days.line_days(site.days.day_of(now))
    candidates = db.session.scalars(
        select(Ticket).where(
            Ticket.site_id == site.id,
            Ticket.day.between(*days),
            Ticket.source == REMOTE,
            Ticket.status == TicketStatus.WAITING,
            Ticket.here_at.is_(None),
            Ticket.held_at.is_(None),
            Ticket.leave_told_at.is_(None),
            Ticket.contacts.any(),
        )
    )
    told = []
    for ticket in candidates:
        leave_at = payloads.leave_time(ticket, view.estimate(ticket), now)
        due = remote.tell_to_leave(
            now,
            here=ticket.here,
            held=ticket.held_at is not None,
            leave_at=leave_at,
            told=ticket.leave_told_at is not None,
        )
        if due:
            ticket.leave_told_at = now
            told.append(ticket.id)
    return told


def site_slugs() -> list[str]:
    return list(db.session.scalars(select(Site.slug).order_by(Site.id)))


def refresh_all_estimates() -> None:
    """One slow tick over every site; a site that fails is logged and skipped."""
    for slug in site_slugs():
        try:
            refresh_estimates(slug)
        except Exception:
            db.session.rollback()
            current_app.logger.exception("estimate refresh failed for %s", slug)


def tick_forever(app: Flask, seconds: float, lease: Lease, sleep: Callable[[float], None]) -> None:
    """The slow tick, run by the one process of the deployment that holds `lease`.

    Every process runs this loop; on each turn only the holder refreshes, and when it
    dies another process takes the lease on its next turn.
    """
    holding = False
    shared = not isinstance(lease, LocalLease)
    while True:
        sleep(seconds)
        with app.app_context():
            try:
                held = lease.hold()
                if held != holding and shared:
                    who = "this process runs it" if held else "another process runs it"
                    app.logger.warning("estimate tick: %s", who)
                holding = held
                if held:
                    refresh_all_estimates()
                    # Appointments' morning links, due from each site's hour.
                    send_morning_links()
                    # The deployment's other once-only work: idle staff sessions end
                    # (their sockets dropped), long-ended ones are deleted; patients'
                    # personal data past the retention period is removed.
                    sweep_staff_sessions()
                    purge_when_due()
            except Exception:  # the tick must outlive any one bad turn
                app.logger.exception("estimate tick failed")
            finally:
                db.session.remove()
