"""The slow tick: estimates move as time passes even when nobody presses a button."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy import select

from server import clock
from server.extensions import db
from server.services import estimates
from server.services.changes import SiteChange
from server.storage import queries
from server.storage.locks import Lease, LocalLease
from server.storage.models import Site


def refresh_estimates(site_slug: str) -> int | None:
    """Re-estimate a site's queue and publish if any shown estimate moved.

    Returns the new sequence number, or None when nothing moved (then nothing is sent
    and the sequence is not bumped).
    """
    now = clock.now()
    site = queries.get_site(site_slug, lock=True)
    estimated = estimates.queue_view(site, now, record=True)
    if not estimated.moved:
        db.session.commit()  # delay-rule bookkeeping may have changed
        return None
    change = SiteChange(site, now, "estimates", None, tickets=list(estimated.moved))
    change.view = estimated.view
    return change.finish()


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
            except Exception:  # the tick must outlive any one bad turn
                app.logger.exception("estimate tick failed")
            finally:
                db.session.remove()
