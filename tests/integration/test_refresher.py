"""The estimate refresh that follows every change: off the request, folded in bursts."""

from __future__ import annotations

import threading

import pytest

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

    refresher = Refresher(app, slow_refresh, gap_seconds=0.01)
    refresher.refresh_soon(SITE)
    assert started.wait(10)
    for _ in range(50):  # a burst of changes while the first run is under way
        refresher.refresh_soon(SITE)
    release.set()
    _wait_idle(refresher)
    assert runs == [SITE, SITE]


def test_the_refreshes_of_many_sites_take_turns_and_at_most_half_the_process(app):
    """Thirty busy departments on one process: refreshes run one at a time, and after
    each the next waits as long as it took (the clock and the rests are fakes)."""
    now = [0.0]
    log: list[tuple[str, str, float]] = []
    running: list[str] = []
    guard = threading.Lock()

    def refresh(slug: str) -> None:
        with guard:
            running.append(slug)
            overlapping = len(running)
        log.append(("start", slug, now[0]))
        threading.Event().wait(0.02)  # real time too, for another site's refresh to overlap
        now[0] += 0.2  # the simulation of this site's queue
        log.append(("end", slug, now[0]))
        with guard:
            running.remove(slug)
        assert overlapping == 1, "two refreshes ran at once"

    def rest(seconds: float) -> None:
        log.append(("rest", "", seconds))
        now[0] += seconds

    refresher = Refresher(app, refresh, gap_seconds=0.01, clock=lambda: now[0], rest=rest)
    sites = [f"dept-{i}" for i in range(6)]
    for slug in sites:
        refresher.refresh_soon(slug)
    _wait_idle(refresher)

    kinds = [kind for kind, _, _ in log]
    assert kinds == ["start", "end", "rest"] * len(sites)  # one at a time, a rest after each
    assert sorted(slug for kind, slug, _ in log if kind == "start") == sites
    starts, ends = log[::3], log[1::3]
    refreshing = sum(end - start for (_, _, start), (_, _, end) in zip(starts, ends, strict=True))
    resting = sum(seconds for kind, _, seconds in log if kind == "rest")
    assert resting == pytest.approx(refreshing)  # refreshes took half the time, no more


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
    _wait_idle(refresher)  # its pushes must not reach the next test's clients
    assert second["position"] == 2
    assert second["estimate"]["high"] >= first["ticket"]["estimate"]["high"]


def _wait_idle(refresher: Refresher) -> None:
    for _ in range(1000):
        with refresher._lock:
            if not refresher._running:
                return
        threading.Event().wait(0.01)
    raise AssertionError("the refresher did not finish")


def test_a_phones_read_sees_a_change_made_by_another_process(clock, tmp_path):
    """Reads between changes share one load of the queue per process, keyed by the
    site's sequence number: a change made by another process shows at once."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    here, there = (
        make_app(clock, SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS={}) for _ in range(2)
    )
    seed(here)
    phone, other = here.test_client(), there.test_client()
    first = walk_in(phone, "G")
    second = walk_in(phone, "G")
    assert phone.get(f"/api/tickets/{second['token']}").get_json()["ticket"]["position"] == 2
    cached = here.extensions["waitroom.held_places"]
    assert len(cached) == 1
    other.post(f"/api/tickets/{first['token']}/cancel", json={})  # through the other app
    now = phone.get(f"/api/tickets/{second['token']}").get_json()["ticket"]
    assert now["position"] == 1
    assert now["estimate"] is not None
