"""A site open past midnight (`day_starts` in the site file), over HTTP: a ticket
waiting across midnight stays in line, can be called, keeps its link; numbers restart at
the site's own turn of the day. On SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from server import services
from server.extensions import db
from server.sites.schema import parse_site_text
from tests.conftest import DEMO_SITE, SITE, FakeClock, act, login, make_app, seed, walk_in

QUEUE = f"/api/sites/{SITE}/queue"


def with_day_start(value: str) -> str:
    """The demo site file, its day turning at `value`."""
    text = DEMO_SITE.read_text()
    return text.replace("[site]\n", f'[site]\nday_starts = "{value}"\n', 1)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> str | None:
    """None: the tests' in-memory SQLite; else a PostgreSQL URL of a fresh schema."""
    return request.getfixturevalue("pg_schema_url") if request.param == "postgres" else None


def site_app(clock: FakeClock, database: str | None, day_starts: str) -> Flask:
    options = {"SQLALCHEMY_DATABASE_URI": database, "SQLALCHEMY_ENGINE_OPTIONS": {}}
    app = make_app(clock, **(options if database else {}))
    seed(app)
    with app.app_context():
        services.load_site(parse_site_text(with_day_start(day_starts)))
    return app


@pytest.fixture
def six_am(clock: FakeClock, database: str | None) -> Iterator[Flask]:
    app = site_app(clock, database, "06:00")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def never(clock: FakeClock, database: str | None) -> Iterator[Flask]:
    app = site_app(clock, database, "never")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def line(app: Flask, prefix: str = "G") -> list[str]:
    """The numbers waiting for a service, in call order, as the desk sees them."""
    tickets = desk(app).get(QUEUE).get_json()["tickets"]
    return [
        t["number"]
        for t in tickets
        if t["status"] == "waiting" and t["service"]["prefix"] == prefix
    ]


def desk(app: Flask):
    """A desk signed in now (a session left overnight would have ended for idleness)."""
    staff = app.test_client()
    login(staff, "desk")
    return staff


def at_london(clock: FakeClock, hours: int, minutes: int = 0, days: int = 0) -> None:
    """The fake clock to a London wall time (GMT in March before the 29th) of 10 March
    2026 and `days` after."""
    clock.now = datetime(2026, 3, 10, hours, minutes, tzinfo=UTC) + timedelta(days=days)


def test_a_ticket_waiting_at_midnight_is_in_line_callable_and_linked_after_it(six_am, clock):
    client = six_am.test_client()
    at_london(clock, 23, 50)
    late = walk_in(client, "G")
    assert late["ticket"]["number"] == "G-001"

    at_london(clock, 0, 10, days=1)
    assert line(six_am) == ["G-001"]
    assert client.get(f"/api/tickets/{late['token']}").status_code == 200
    called = act(desk(six_am), "rooms/room-1/call-next")["ticket"]
    assert called["number"] == "G-001"
    # Still the 10th's day: the numbers go on from where they were.
    assert walk_in(client, "G")["ticket"]["number"] == "G-002"
    assert client.get(f"/api/tickets/{late['token']}").get_json()["ticket"]["status"] == "called"


def test_numbers_restart_and_the_line_is_cut_at_the_sites_turn_of_the_day(six_am, clock):
    client = six_am.test_client()
    at_london(clock, 23, 50)
    left = walk_in(client, "G")
    at_london(clock, 5, 59, days=1)
    assert walk_in(client, "G")["ticket"]["number"] == "G-002"

    at_london(clock, 6, 0, days=1)
    fresh = walk_in(client, "G")
    assert fresh["ticket"]["number"] == "G-001"
    assert line(six_am) == ["G-001"]  # today's: the night's tickets are not called today
    gone = client.get(f"/api/tickets/{left['token']}")
    assert gone.status_code == 410
    assert gone.get_json()["error"]["code"] == "ticket_ended"
    assert client.get(f"/api/tickets/{fresh['token']}").status_code == 200


def test_a_site_that_never_cuts_its_line_keeps_the_night_and_restarts_numbers_past_them(
    never, clock
):
    client = never.test_client()
    at_london(clock, 23, 50)
    night = [walk_in(client, "G") for _ in range(2)]  # G-001, G-002

    at_london(clock, 0, 10, days=1)
    staff = desk(never)
    first = act(staff, "rooms/room-1/call-next")["ticket"]  # G-001 of the 10th
    act(staff, f"tickets/{first['id']}/start")
    act(staff, f"tickets/{first['id']}/complete")  # its number is free again
    # Numbers restart at midnight, passing over G-002, still in line from the night.
    assert [walk_in(client, "G")["ticket"]["number"] for _ in range(2)] == ["G-001", "G-003"]
    assert line(never) == ["G-002", "G-001", "G-003"]
    assert client.get(f"/api/tickets/{night[1]['token']}").status_code == 200

    # A day later still: the 10th's tickets have left the line (24 to 48 hours in it).
    at_london(clock, 0, 10, days=2)
    assert line(never) == ["G-001", "G-003"]
    assert client.get(f"/api/tickets/{night[1]['token']}").status_code == 410
