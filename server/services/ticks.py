"""The slow tick: estimates move as time passes even when nobody presses a button."""

from __future__ import annotations

from sqlalchemy import select

from server import clock
from server.extensions import db
from server.services import estimates
from server.services.changes import SiteChange
from server.storage import queries
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
