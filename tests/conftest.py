"""Fixtures shared by the integration tests: an app on the demo site, a fixed clock,
HTTP and Socket.IO clients, and small helpers that act like a kiosk or a desk."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient

from server import create_app, services
from server.config import TestConfig
from server.extensions import db, socketio
from server.services import accounts
from server.sites.schema import parse_site_file
from tests.sms_receiver import Receiver

DEMO_SITE = Path(__file__).parent.parent / "server" / "sites" / "demo" / "site.toml"
DEMO_APPOINTMENTS = DEMO_SITE.with_name("appointments.csv")
SITE = "riverside"
STAFF_PASSWORD = "correct horse battery staple"


class FakeClock:
    """A clock the test moves by hand. Starts on a Tuesday at 09:00 in London."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


# Outside services every test process shares: PostgreSQL's database `test`, the Redis on
# 127.0.0.1, nginx (tests/e2e/test_scale_out.py).
SHARED_SERVICES = {"postgres", "redis", "scale"}
SHARED_FIXTURES = {"pg_schema_url", "redis_client"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With pytest-xdist (`make test TEST_WORKERS=2`: `-n 2 --dist loadgroup`): the tests that use
    the shared services run one at a time, in one worker; every other module runs whole
    in one worker, so that its module-scoped servers and browser pages start once."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        shared = SHARED_SERVICES.intersection(m.name for m in item.iter_markers())
        if shared or SHARED_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            group = "shared-services"
        else:
            group = item.nodeid.split("::", 1)[0]
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real Argon2 costs ~0.2 s a hash and would dominate the suite; the checks are the
    same. (The CLI and process tests run the real settings in their own processes.)"""
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", hasher)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", hasher.hash("not a password"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_app(clock: FakeClock, **overrides: Any) -> Flask:
    app = create_app(
        {**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}, **overrides}
    )
    app.extensions["waitroom.clock"] = clock
    return app


def seed(app: Flask, *, create: bool = True) -> None:
    """The demo site, its appointments and two staff accounts, in the app's database.

    An app on an in-memory database gets a copy of the first such seeding with the same
    settings and clock (SQLite's backup API: a millisecond against a quarter of a second
    for the schema and the services' work, in each of about 1,500 tests)."""
    key = _seeding_key(app) if create else None
    with app.app_context():
        if key is not None and key in _SEEDED:
            _SEEDED[key].backup(_sqlite_connection())
            return
        if create:
            db.create_all()
        services.load_site(parse_site_file(DEMO_SITE))
        services.import_appointments(SITE, DEMO_APPOINTMENTS.read_text(), None)
        services.add_user("desk", STAFF_PASSWORD, "staff", [SITE])
        services.add_user("admin", STAFF_PASSWORD, "admin", [SITE])
        if key is not None:
            _SEEDED[key] = sqlite3.connect(":memory:", check_same_thread=False)
            _sqlite_connection().backup(_SEEDED[key])


# Seeded in-memory databases, by the settings and the clock's time they were made with.
_SEEDED: dict[str, sqlite3.Connection] = {}


def _seeding_key(app: Flask) -> str | None:
    """What a seeding depends on, or None where a copy can't stand in (a file or server
    database: its tests see the seeding's own work)."""
    if app.config["SQLALCHEMY_DATABASE_URI"] != "sqlite://":
        return None
    settings = sorted((name, repr(value)) for name, value in app.config.items())
    clock = app.extensions.get("waitroom.clock")
    return repr((clock() if clock else None, settings))


def _sqlite_connection() -> sqlite3.Connection:
    """The app's one in-memory connection (Flask-SQLAlchemy gives it a StaticPool)."""
    connection = db.engine.raw_connection().driver_connection
    assert isinstance(connection, sqlite3.Connection)
    return connection


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Settings a test module's `app` is made with; a module overrides this fixture."""
    return {}


@pytest.fixture
def app(clock: FakeClock, app_config: dict[str, Any]) -> Iterator[Flask]:
    """The app on a seeded in-memory database.

    No app context is held open during the test on purpose: Flask would reuse it for
    every request, and `g` (where Flask-Login caches the user) would leak between
    clients, so an anonymous request could pass as the last logged-in one.
    """
    app = make_app(clock, **app_config)
    seed(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def staff(app: Flask) -> FlaskClient:
    """An HTTP client logged in as front-desk staff of the demo site."""
    client = app.test_client()
    login(client, "desk")
    return client


@pytest.fixture
def admin(app: Flask) -> FlaskClient:
    client = app.test_client()
    login(client, "admin")
    return client


def login(client: FlaskClient, username: str, password: str = STAFF_PASSWORD) -> Any:
    response = client.post("/api/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return response


def walk_in(client: FlaskClient, service: str = "G", **extra: Any) -> dict[str, Any]:
    response = client.post(
        f"/api/sites/{SITE}/checkins/walk-in", json={"service": service, **extra}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def act(
    staff: FlaskClient, path: str, body: dict[str, Any] | None = None, status: int = 200
) -> Any:
    """POST a desk action under the demo site and check its status."""
    response = staff.post(f"/api/sites/{SITE}/{path}", json=body or {})
    assert response.status_code == status, response.get_json()
    return response.get_json()


def socket(app: Flask, auth: dict[str, str], http: FlaskClient | None = None) -> Any:
    return socketio.test_client(app, auth=auth, flask_test_client=http)


def received(sock: Any, event: str) -> list[dict[str, Any]]:
    return [m["args"][0] for m in sock.get_received() if m["name"] == event]


PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A PostgreSQL URL whose tables live in a fresh schema, dropped afterwards.

    In CI (env CI set) PostgreSQL must be there: the test fails rather than skips.
    """
    import psycopg

    try:
        conn = psycopg.connect(PG_ADMIN_DSN, connect_timeout=3, autocommit=True)
    except psycopg.OperationalError as error:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL on 127.0.0.1:5432 is required in CI: {error}")
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 is not reachable: {error}")
    schema = f"waitroom_test_{uuid.uuid4().hex[:12]}"
    with conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield f"{PG_URL}?options=-csearch_path%3D{schema}"
        finally:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_client() -> Iterator[Any]:
    """A client of the Redis on 127.0.0.1:6379; in CI it must be there (fail, not skip)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis on 127.0.0.1:6379 is required in CI: {error}")
        pytest.skip(f"Redis on 127.0.0.1:6379 is not reachable: {error}")
    yield client
    client.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A real HTTP server that takes the texts Apprise sends (SMS_URL=receiver.sms_url)."""
    receiver = Receiver()
    yield receiver
    receiver.close()
