"""Staff sessions end on the server: a copy of the cookie is worth nothing once its
session ended, by logout, a password change, a disabled account or the idle timeout,
on every process, and the session's staff sockets are dropped too. Each test runs with
both session stores: the database, and Redis (storage/session_store.py)."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from server import services
from server.extensions import db
from server.services.staff_sessions import store
from server.storage.models import AuditEntry, StaffSession, Ticket, User
from server.storage.session_store import StoredSession
from tests.conftest import (
    DEMO_SITE,
    REDIS_URL,
    SITE,
    STAFF_PASSWORD,
    login,
    make_app,
    received,
    seed,
    socket,
    walk_in,
)
from tests.integration.test_cli import Waitroom

QUEUE = f"/api/sites/{SITE}/queue"
STORES = ["database", pytest.param("redis", marks=pytest.mark.redis)]
DATABASE_ONLY = pytest.mark.parametrize("store_config", ["database"], indirect=True)


@pytest.fixture(params=STORES)
def store_config(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """The settings of one session store; Redis keys under a prefix of this test's own."""
    if request.param == "database":
        yield {"STAFF_SESSION_STORE": "database"}
        return
    redis_client = request.getfixturevalue("redis_client")
    prefix = f"waitroom-test-{secrets.token_hex(6)}"
    yield {"STAFF_SESSION_STORE": REDIS_URL, "REDIS_PREFIX": prefix}
    for key in redis_client.scan_iter(f"{prefix}:*"):
        redis_client.delete(key)


@pytest.fixture
def app_config(store_config: dict[str, Any]) -> dict[str, Any]:
    return store_config


def stored(app: Flask, cookie: str) -> StoredSession | None:
    """The live session a cookie names, as its store keeps it."""
    token = app.session_interface.get_signing_serializer(app).loads(cookie)["waitroom.session"]
    with app.app_context():
        return store().find(hashlib.sha256(token.encode()).hexdigest())


def end_reasons(app: Flask) -> list[str]:
    """Why sessions ended, from the audit log (both stores write it)."""
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action.in_(["logout", "session_ended"]))
            .order_by(AuditEntry.id)
        )
        return [entry.detail["reason"] for entry in entries]


PAUSE = f"/api/sites/{SITE}/rooms/room-1/pause"
CALL_NEXT = f"/api/sites/{SITE}/rooms/room-1/call-next"


def cookie_of(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def replaying(app: Flask, cookie: str) -> FlaskClient:
    """Another client, holding a copy of someone's cookie."""
    copy = app.test_client()
    copy.set_cookie("session", cookie)
    return copy


def assert_refused(app: Flask, cookie: str) -> None:
    """Every staff use of the cookie answers "not logged in" and changes nothing."""
    copy = replaying(app, cookie)
    with app.app_context():
        waiting = db.session.scalar(
            select(func.count()).select_from(Ticket).where(Ticket.status == "waiting")
        )
    for response in (
        copy.get("/api/me"),
        copy.get(QUEUE),
        copy.post(PAUSE, json={}),
        copy.post(CALL_NEXT, json={}),
    ):
        assert response.status_code == 401, response.get_data(as_text=True)
        assert response.get_json()["error"]["code"] == "login_required"
    desk = copy.get(f"/desk?site={SITE}")
    assert desk.status_code == 302
    assert "/desk/login" in desk.headers["Location"]
    sock = socket(app, {"staff": SITE}, http=copy)
    assert not sock.is_connected()
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(Ticket).where(Ticket.status == "waiting")
            )
            == waiting
        )
        assert services.staff_snapshot(SITE)["rooms"][0]["paused"] is False


def assert_accepted(app: Flask, cookie: str) -> None:
    assert replaying(app, cookie).get("/api/me").status_code == 200


@pytest.fixture
def desk_cookie(app: Flask) -> str:
    walk_in(app.test_client(), "G")
    client = app.test_client()
    login(client, "desk")
    return cookie_of(client)


def test_the_cookie_carries_only_the_session_token_and_the_store_keeps_its_digest(app):
    client = app.test_client()
    login(client, "desk")

    session = app.session_interface.get_signing_serializer(app).loads(cookie_of(client))

    assert set(session) == {"waitroom.session", "_permanent"}
    token = session["waitroom.session"]
    kept = stored(app, cookie_of(client))
    assert kept is not None
    assert kept.digest == hashlib.sha256(token.encode()).hexdigest()
    assert kept.digest != token


@DATABASE_ONLY
def test_the_database_keeps_the_digest_and_the_address(app):
    client = app.test_client()
    login(client, "desk")
    token = app.session_interface.get_signing_serializer(app).loads(cookie_of(client))[
        "waitroom.session"
    ]
    with app.app_context():
        stored = db.session.scalars(select(StaffSession)).one()
        assert stored.token_digest != token
        assert token not in stored.token_digest
        assert stored.address == "127.0.0.1"
        assert stored.ended_at is None


def test_a_copied_cookie_is_refused_after_logout(app, desk_cookie):
    desk = replaying(app, desk_cookie)
    assert_accepted(app, desk_cookie)

    assert desk.post("/api/logout", json={}).get_json() == {"ok": True}

    assert_refused(app, desk_cookie)
    assert end_reasons(app) == ["logout"]
    assert stored(app, desk_cookie) is None


def test_logging_out_at_the_desk_form_ends_the_session_too(app, desk_cookie):
    desk = replaying(app, desk_cookie)
    page = desk.get(f"/desk?site={SITE}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    assert desk.post("/desk/logout", data={"csrf_token": token}).status_code == 302

    assert_refused(app, desk_cookie)


def test_logging_out_ends_only_that_session(app, desk_cookie):
    other = app.test_client()
    login(other, "desk")  # the same account at another desk

    replaying(app, desk_cookie).post("/api/logout", json={})

    assert other.get("/api/me").status_code == 200


def test_a_new_password_ends_every_session_of_the_account(app, desk_cookie):
    other = app.test_client()
    login(other, "desk")
    admin = app.test_client()
    login(admin, "admin")

    with app.app_context():
        services.add_user("desk", "a brand new passphrase", "staff", [SITE])

    assert_refused(app, desk_cookie)
    assert other.get("/api/me").status_code == 401
    assert admin.get("/api/me").status_code == 200  # another account's session goes on
    login(app.test_client(), "desk", "a brand new passphrase")


def command_with(root, store_config: dict[str, Any]) -> Waitroom:
    """`waitroom ...` run with the test's session store."""
    waitroom = Waitroom(root)
    waitroom.env.update(store_config)
    return waitroom


def waitroom_settings(waitroom: Waitroom) -> dict[str, Any]:
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{waitroom.database}",
        "SQLALCHEMY_ENGINE_OPTIONS": {},
    }


def test_a_password_reset_with_the_command_ends_the_session(tmp_path, clock, store_config):
    waitroom = command_with(tmp_path, store_config)
    waitroom.ok("load-site", str(DEMO_SITE))
    waitroom.ok("add-user", "alice", "--site", SITE, "--password-stdin", stdin=STAFF_PASSWORD)
    app = make_app(clock, **waitroom_settings(waitroom), **store_config)
    try:
        client = app.test_client()
        login(client, "alice")
        cookie = cookie_of(client)
        assert_accepted(app, cookie)

        renew = ("add-user", "alice", "--site", SITE, "--password-stdin")
        waitroom.ok(*renew, stdin="new one, long\n")

        assert_refused(app, cookie)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_disabling_an_account_with_the_command_ends_its_session(tmp_path, clock, store_config):
    waitroom = command_with(tmp_path, store_config)
    waitroom.ok("load-site", str(DEMO_SITE))
    waitroom.ok("add-user", "alice", "--site", SITE, "--password-stdin", stdin=STAFF_PASSWORD)
    app = make_app(clock, **waitroom_settings(waitroom), **store_config)
    try:
        client = app.test_client()
        login(client, "alice")
        cookie = cookie_of(client)

        assert waitroom.ok("disable-user", "alice") == "user alice disabled; its sessions ended\n"

        assert_refused(app, cookie)
        unknown = waitroom("disable-user", "nobody")
        assert (unknown.returncode, unknown.stderr.count("\n")) == (2, 1)
        assert unknown.stderr.startswith("error: ")
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_disabled_account_is_refused_and_cannot_log_in_again(app, desk_cookie):
    with app.app_context():
        services.disable_user("desk")

    assert_refused(app, desk_cookie)
    response = app.test_client().post(
        "/api/login", json={"username": "desk", "password": STAFF_PASSWORD}
    )
    assert response.status_code == 401
    assert end_reasons(app) == ["account_disabled"]


def test_an_account_made_inactive_in_the_database_is_refused_at_once(app, desk_cookie):
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == "desk")).one()
        user.active = False
        db.session.commit()

    assert_refused(app, desk_cookie)


def test_a_session_idle_for_longer_than_the_idle_time_is_refused(app, clock, desk_cookie):
    idle = app.config["PERMANENT_SESSION_LIFETIME"]
    clock.advance(seconds=idle.total_seconds() - 60)
    assert_accepted(app, desk_cookie)  # used: the idle time starts again

    clock.advance(seconds=idle.total_seconds() - 60)
    assert_accepted(app, desk_cookie)

    clock.advance(seconds=idle.total_seconds() + 1)
    assert_refused(app, desk_cookie)
    # Its signature is good and its session never ended: the server refuses it anyway.
    clock.advance(seconds=-idle.total_seconds())
    assert_accepted(app, desk_cookie)


def test_last_seen_is_written_at_most_once_a_minute(app, clock, desk_cookie):
    def last_seen():
        return stored(app, desk_cookie).last_seen_at

    started = last_seen()
    clock.advance(seconds=50)
    assert_accepted(app, desk_cookie)
    assert last_seen() == started

    clock.advance(seconds=15)
    assert_accepted(app, desk_cookie)
    assert last_seen() == started + timedelta(seconds=65)


def test_a_staff_socket_is_dropped_when_its_session_logs_out(app, desk_cookie):
    desk = replaying(app, desk_cookie)
    sock = socket(app, {"staff": SITE}, http=desk)
    other = socket(app, {"staff": SITE}, http=login_client(app))
    assert sock.is_connected() and other.is_connected()

    desk.post("/api/logout", json={})

    assert not sock.is_connected()
    assert other.is_connected()


@pytest.mark.parametrize("how", ["password", "disabled"])
def test_a_staff_socket_is_dropped_when_its_account_sessions_end(app, desk_cookie, how):
    sock = socket(app, {"staff": SITE}, http=replaying(app, desk_cookie))
    assert sock.is_connected()

    with app.app_context():
        if how == "password":
            services.add_user("desk", "a brand new passphrase", "staff", [SITE])
        else:
            services.disable_user("desk")

    assert not sock.is_connected()


def test_the_sweep_ends_idle_sessions_and_drops_their_sockets(app, clock, desk_cookie):
    sock = socket(app, {"staff": SITE}, http=replaying(app, desk_cookie))
    clock.advance(minutes=10)
    fresh = login_client(app)
    clock.advance(seconds=app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() - 5 * 60)

    with app.app_context():
        assert services.sweep_staff_sessions() == (1, 0)

    assert not sock.is_connected()
    assert fresh.get("/api/me").status_code == 200
    assert end_reasons(app) == ["idle"]
    assert stored(app, cookie_of(fresh)) is not None


def test_a_staff_socket_whose_session_idled_out_is_dropped_on_its_next_event(
    app, clock, desk_cookie
):
    sock = socket(app, {"staff": SITE}, http=replaying(app, desk_cookie))
    sock.get_received()
    clock.advance(seconds=app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() + 1)

    answer = sock.emit("sync", {}, callback=True)

    assert answer["error"]["code"] == "login_required"
    assert not sock.is_connected()


def test_a_live_staff_socket_syncs_as_before(app, desk_cookie):
    sock = socket(app, {"staff": SITE}, http=replaying(app, desk_cookie))
    assert received(sock, "staff_update")

    assert sock.emit("sync", {}, callback=True)["event"] == "staff_update"
    assert sock.is_connected()


@DATABASE_ONLY
def test_ended_sessions_are_deleted_after_the_retention_period(app, clock, desk_cookie):
    replaying(app, desk_cookie).post("/api/logout", json={})
    clock.advance(days=29)
    kept = login_client(app)
    with app.app_context():
        assert services.sweep_staff_sessions() == (0, 0)

    clock.advance(days=1, seconds=1)
    with app.app_context():
        # The newer one idled out meanwhile: it ends now, and is kept another 30 days.
        assert services.sweep_staff_sessions() == (1, 1)
        assert db.session.scalars(select(StaffSession.end_reason)).one() == "idle"
    assert kept.get("/api/me").status_code == 401


def login_client(app: Flask) -> FlaskClient:
    client = app.test_client()
    login(client, "desk")
    return client


# --- Two processes on one database --------------------------------------------------


def two_apps(clock, url: str, store_config: dict[str, Any]) -> tuple[Flask, Flask]:
    options = {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {}, **store_config}
    here, there = make_app(clock, **options), make_app(clock, **options)
    seed(here)
    return here, there


def dispose(*apps: Flask) -> None:
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_logout_through_one_process_is_refused_by_the_other_on_sqlite(
    clock, tmp_path, store_config
):
    here, there = two_apps(clock, f"sqlite:///{tmp_path / 'shared.db'}", store_config)
    try:
        client = here.test_client()
        login(client, "desk")
        cookie = cookie_of(client)
        assert_accepted(there, cookie)

        client.post("/api/logout", json={})

        assert_refused(there, cookie)
    finally:
        dispose(here, there)


@pytest.mark.postgres
def test_logout_through_one_process_is_refused_by_the_other_on_postgresql(
    clock, pg_schema_url, store_config
):
    here, there = two_apps(clock, pg_schema_url, store_config)
    try:
        walk_in(here.test_client(), "G")
        client = here.test_client()
        login(client, "desk")
        cookie = cookie_of(client)
        assert_accepted(there, cookie)

        client.post("/api/logout", json={})

        assert_refused(there, cookie)
        assert_refused(here, cookie)
    finally:
        dispose(here, there)


@pytest.mark.postgres
def test_a_password_reset_through_one_process_is_refused_by_the_other(
    clock, pg_schema_url, store_config
):
    here, there = two_apps(clock, pg_schema_url, store_config)
    try:
        client = there.test_client()
        login(client, "desk")
        cookie = cookie_of(client)

        with here.app_context():
            services.add_user("desk", "a brand new passphrase", "staff", [SITE])

        assert_refused(there, cookie)
    finally:
        dispose(here, there)


def test_logging_in_again_in_the_same_browser_ends_the_earlier_session(app, desk_cookie):
    browser = replaying(app, desk_cookie)

    login(browser, "desk")

    assert_refused(app, desk_cookie)
    assert browser.get("/api/me").status_code == 200


# --- The stores themselves -----------------------------------------------------------


@pytest.mark.redis
@pytest.mark.parametrize("store_config", ["redis"], indirect=True)
def test_with_redis_sessions_live_in_redis_and_an_ended_one_is_forgotten(
    app, store_config, redis_client, desk_cookie
):
    key = f"{store_config['REDIS_PREFIX']}:staff-session:{stored(app, desk_cookie).digest}"
    assert redis_client.exists(key)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StaffSession)) == 0

    replaying(app, desk_cookie).post("/api/logout", json={})

    assert not redis_client.exists(key)
    assert_refused(app, desk_cookie)
    assert end_reasons(app) == ["logout"]


def test_a_session_is_ended_once_and_its_last_use_does_not_bring_it_back(app, clock, desk_cookie):
    session = stored(app, desk_cookie)
    with app.app_context():
        assert store().end(session, "logout", clock.now)
        assert not store().end(session, "logout", clock.now)  # a second process is told
        store().note_seen(session, clock.advance(minutes=2))  # a request under way
        db.session.commit()

    assert stored(app, desk_cookie) is None
    assert_refused(app, desk_cookie)


def store_setting(**env: str) -> str:
    """STAFF_SESSION_STORE as a fresh process reads it from this environment."""
    names = ("REDIS_URL", "STAFF_SESSION_STORE")
    clean = {k: v for k, v in os.environ.items() if k not in names}
    read = "from server.config import Config; print(Config.STAFF_SESSION_STORE)"
    answer = subprocess.run(
        [sys.executable, "-c", read],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert answer.returncode == 0, answer.stderr
    return answer.stdout.strip()


def test_sessions_are_kept_in_redis_when_the_deployment_has_one():
    assert store_setting() == "database"
    assert store_setting(REDIS_URL=REDIS_URL) == REDIS_URL
    assert store_setting(REDIS_URL=REDIS_URL, STAFF_SESSION_STORE="database") == "database"


@pytest.mark.redis
@pytest.mark.parametrize("store_config", ["redis"], indirect=True)
def test_with_redis_a_session_in_use_keeps_its_account_list_so_a_new_password_ends_it(
    app, clock, store_config, redis_client, desk_cookie
):
    prefix = store_config["REDIS_PREFIX"]
    kept = stored(app, desk_cookie)
    (account_list,) = redis_client.scan_iter(f"{prefix}:staff-sessions-of:*")
    redis_client.expire(account_list, 5)  # as if started long ago, in use ever since
    clock.advance(minutes=2)

    assert_accepted(app, desk_cookie)

    assert redis_client.ttl(account_list) > 24 * 60 * 60
    assert redis_client.ttl(f"{prefix}:staff-session:{kept.digest}") > 24 * 60 * 60
    with app.app_context():
        services.add_user("desk", "a brand new passphrase", "staff", [SITE])
    assert_refused(app, desk_cookie)


@pytest.mark.redis
@pytest.mark.parametrize("store_config", ["redis"], indirect=True)
def test_with_redis_a_session_whose_key_expired_is_refused_and_forgotten(
    app, store_config, redis_client, desk_cookie
):
    prefix = store_config["REDIS_PREFIX"]
    redis_client.delete(f"{prefix}:staff-session:{stored(app, desk_cookie).digest}")

    assert_refused(app, desk_cookie)
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == "desk")).one()
        assert store().live_of(user.id) == []
    assert not list(redis_client.scan_iter(f"{prefix}:staff-sessions-of:*"))
