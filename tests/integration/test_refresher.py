"""The estimate refresh that follows every change: off the request, folded in bursts."""

from __future__ import annotations

import threading

from server.extensions import db
from server.services.refresher import Refresher
from server.storage.models import Site
from tests.conftest import SITE, make_app, seed, walk_in


def test_changes_during_a_refresh_fold_into_one_more_run(app):
    started, release = threading.Event(), threading.Event()
    runs: list[str] = []

    def slow_refresh(slug: str) -> None:
        runs.append(slug)
        started.set()
        release.wait(10)

    refresher = Refresher(app, slow_refresh)
    refresher.refresh_soon(SITE)
    assert started.wait(10)
    for _ in range(50):  # a burst of changes while the first run is under way
        refresher.refresh_soon(SITE)
    release.set()
    _wait_idle(refresher)
    assert runs == [SITE, SITE]


def test_a_failing_refresh_is_logged_and_the_next_change_tries_again(app, caplog):
    calls: list[str] = []

    def broken(slug: str) -> None:
        calls.append(slug)
        raise RuntimeError("database went away")

    refresher = Refresher(app, broken)
    refresher.refresh_soon(SITE)
    _wait_idle(refresher)
    refresher.refresh_soon(SITE)
    _wait_idle(refresher)
    assert calls == [SITE, SITE]
    assert "estimate refresh failed for riverside" in caplog.text


def test_in_the_background_a_change_answers_first_and_estimates_follow(clock, tmp_path):
    # A file database: the in-memory one is a single connection, not for two threads.
    app = make_app(
        clock,
        ESTIMATE_REFRESH="background",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'waitroom.db'}",
        SQLALCHEMY_ENGINE_OPTIONS={},
    )
    seed(app)
    client = app.test_client()
    first = walk_in(client, "G")
    refresher = app.extensions["waitroom.refresher"]
    _wait_idle(refresher)
    with app.app_context():
        site = db.session.query(Site).filter_by(slug=SITE).one()
        # The refresh ran the simulation and kept each line's wait for newcomers.
        assert site.service_waits is not None
        assert set(site.service_waits) >= {str(s.id) for s in site.services if s.active}
        db.session.remove()
    second = walk_in(client, "G")["ticket"]
    assert second["position"] == 2
    assert second["estimate"]["high"] >= first["ticket"]["estimate"]["high"]


def _wait_idle(refresher: Refresher) -> None:
    for _ in range(1000):
        with refresher._lock:
            if not refresher._running:
                return
        threading.Event().wait(0.01)
    raise AssertionError("the refresher did not finish")
