"""Refreshing estimates: after every change (refresher.py), and on a slow tick, since
estimates move as time passes even when nobody presses a button."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask, current_app
from sqlalchemy import select

from server import clock
from server.domain.estimate import Predictions
from server.domain.notify import Kind
from server.extensions import db
from server.services import estimate_cache, estimates
from server.services.queue_update import QueueUpdate
from server.services.retention import purge_when_due
from server.services.staff_sessions import sweep_staff_sessions
from server.services.turns import let_others_run, write_turn
from server.storage import queries
from server.storage.locks import Lease, LocalLease
from server.storage.models import Site


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
    if not estimated.moved and site.service_waits == waits_before:
        db.session.commit()  # delay-rule bookkeeping may have changed
        estimate_cache.note_simulated(site_id, estimate_cache.Simulated(seen_seq))
        return None
    update = QueueUpdate(site, now, "estimates", moved=estimated.moved, view=estimated.view)
    for ticket_id in estimated.delayed:  # the phone's delay notice, texted too
        update.tell(ticket_id, Kind.DELAY, estimated.view.delays[ticket_id]["message"])
    seq = update.finish()
    estimate_cache.note_simulated(site_id, estimate_cache.Simulated(seq))
    return seq


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
                    # The deployment's other once-only work: idle staff sessions end
                    # (their sockets dropped), long-ended ones are deleted; patients'
                    # personal data past the retention period is removed.
                    sweep_staff_sessions()
                    purge_when_due()
            except Exception:  # the tick must outlive any one bad turn
                app.logger.exception("estimate tick failed")
            finally:
                db.session.remove()
