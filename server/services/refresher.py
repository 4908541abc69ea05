"""Estimates follow every change, off the request that made it.

The forward simulation of a whole queue costs tens of milliseconds, a tenth of a
second or more with hundreds waiting. Run on the request, it would hold up the desk's
answer and every phone's new place. So a change commits and pushes places at once,
with the promises patients already hold, and asks here for a refresh: one background
task per site runs the simulation and pushes only the promises it moved. Changes that
come while it runs fold into one more run after it, at most one a second, so a burst
of 200 check-ins costs a handful of simulations, not 200, and estimates lag a burst by
a second at most.

A process serving thirty busy departments would still spend all its time refreshing
(thirty simulations a second) and none answering the check-ins that ask for them: 5,000
check-ins over 30 sites took minutes. So refreshes run one at a time in a process and
take at most half of it: after each, the next waits as long as it took. When many
sites are busy at once their estimates lag a little more; their changes never wait.

`ESTIMATE_REFRESH = "inline"` (the tests' setting) runs the refresh at once, after the
change's commit, in the same request: the same code, in an order a test can follow.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from flask import Flask, current_app

from server.extensions import db, socketio
from server.services.ticks import refresh_estimates

Refresh = Callable[[str], object]
SETTLE_SECONDS = 0.05  # after a change, before its refresh
BURST_GAP_SECONDS = 1.0  # between two refreshes of a site while changes keep coming
SHARE = 0.5  # of the process's time that refreshes may take, at most


class Refresher:
    """Per process: which sites are being refreshed, and which need another run."""

    def __init__(
        self,
        app: Flask,
        refresh: Refresh,
        gap_seconds: float = BURST_GAP_SECONDS,
        *,
        share: float = SHARE,
        clock: Callable[[], float] = time.monotonic,
        rest: Callable[[float], object] | None = None,
    ) -> None:
        self.app = app
        self.refresh = refresh
        self.gap_seconds = gap_seconds
        self.share = share
        self._clock = clock
        self._rest = rest or socketio.sleep
        self._one_at_a_time = threading.Lock()  # a greenlet lock under gevent (patched)
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
        with self._one_at_a_time:
            started = self._clock()
            self._refresh_in_context(site_slug)
            took = self._clock() - started
            # Holding the turn, so that no other site's refresh starts meanwhile.
            self._rest(took * (1 - self.share) / self.share)

    def _refresh_in_context(self, site_slug: str) -> None:
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
