"""Estimates follow every change, off the request that made it.

The forward simulation of a whole queue costs tens of milliseconds, a tenth of a
second or more with hundreds waiting. Run on the request, it would hold up the desk's
answer and every phone's new place. So a change commits and pushes places at once,
with the promises patients already hold, and asks here for a refresh: one background
task per site runs the simulation and pushes only the promises it moved. Changes that
come while it runs fold into one more run after it, at most one a second, so a burst
of 200 check-ins costs a handful of simulations, not 200, and estimates lag a burst by
a second at most.

`ESTIMATE_REFRESH = "inline"` (the tests' setting) runs the refresh at once, after the
change's commit, in the same request: the same code, in an order a test can follow.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask, current_app

from server.extensions import db, socketio

Refresh = Callable[[str], object]
SETTLE_SECONDS = 0.05  # after a change, before its refresh
BURST_GAP_SECONDS = 1.0  # between two refreshes of a site while changes keep coming


class Refresher:
    """Per process: which sites are being refreshed, and which need another run."""

    def __init__(
        self, app: Flask, refresh: Refresh, gap_seconds: float = BURST_GAP_SECONDS
    ) -> None:
        self.app = app
        self.refresh = refresh
        self.gap_seconds = gap_seconds
        self._lock = threading.Lock()
        self._running: set[str] = set()
        self._again: set[str] = set()

    def refresh_soon(self, site_slug: str) -> None:
        with self._lock:
            if site_slug in self._running:
                self._again.add(site_slug)
                return
            self._running.add(site_slug)
        socketio.start_background_task(self._work, site_slug)

    def _work(self, site_slug: str) -> None:
        # The change's own pushes go out first (the phones' new places), and changes
        # close behind it fold into this run.
        socketio.sleep(SETTLE_SECONDS)
        while True:
            self._refresh_once(site_slug)
            with self._lock:
                if site_slug not in self._again:
                    self._running.discard(site_slug)
                    return
                self._again.discard(site_slug)
            # Changes keep coming (a burst of check-ins): refresh again, but not at once,
            # or the simulation would take the process from the changes themselves.
            socketio.sleep(self.gap_seconds)

    def _refresh_once(self, site_slug: str) -> None:
        with self.app.app_context():
            try:
                self.refresh(site_slug)
            except Exception:  # the next change or tick tries again
                db.session.rollback()
                self.app.logger.exception("estimate refresh failed for %s", site_slug)
            finally:
                db.session.remove()


def refresh_soon(site_slug: str) -> None:
    """Ask for the site's estimates to be refreshed; call after a change committed."""
    from server.services.ticks import refresh_estimates  # noqa: PLC0415  (ticks imports changes, which calls this)

    app = current_app
    mode = app.config.get("ESTIMATE_REFRESH", "background")
    if mode == "off":
        return
    if mode == "inline":
        refresh_estimates(site_slug)
        return
    refresher: Refresher | None = app.extensions.get("waitroom.refresher")
    if refresher is None:
        refresher = Refresher(app._get_current_object(), refresh_estimates)  # type: ignore[attr-defined]
        app.extensions["waitroom.refresher"] = refresher
    refresher.refresh_soon(site_slug)
