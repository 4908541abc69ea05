"""Guess budgets: one per kind of secret, shared by every route that tests it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from server.extensions import db
from server.storage.models import Ticket
from tests.conftest import SITE, STAFF_PASSWORD, FakeClock, make_app, seed

WRONG = "not the password at all"


@pytest.fixture
def budget_app(clock: FakeClock) -> Iterator[Flask]:
    app = make_app(
        clock,
        RATELIMIT_ENABLED=True,
        PASSWORD_GUESSES_PER_ADDRESS="10 per minute",
        PASSWORD_GUESSES_PER_ACCOUNT="13 per hour",
        PASSWORD_DELAY_AFTER=5,
        PASSWORD_DELAY_MAX_SECONDS=900,
        APPOINTMENT_GUESSES_PER_ADDRESS="6 per minute",
        APPOINTMENT_GUESSES_PER_SITE="10 per hour",
    )
    seed(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def address(n: int) -> dict[str, str]:
    return {"REMOTE_ADDR": f"10.1.{n // 250}.{n % 250 + 1}"}


def api_login(client, username="desk", password=WRONG, n=0):
    body = {"username": username, "password": password}
    return client.post("/api/login", json=body, environ_base=address(n))


def form_login(client, username="desk", password=WRONG, n=0):
    page = client.get("/desk/login", environ_base=address(n)).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = {"csrf_token": token, "username": username, "password": password}
    return client.post("/desk/login", data=data, environ_base=address(n))


def assert_api_refused(response):
    assert response.status_code == 429, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert int(response.headers["Retry-After"]) >= 1


# --- Staff passwords --------------------------------------------------------------------


def test_the_api_and_the_login_form_spend_one_budget_per_address(budget_app):
    client = budget_app.test_client()
    # Ten usernames, so that no account reaches its own budget or delay.
    for i in range(5):
        assert api_login(client, f"nobody{i}").status_code == 401
        assert form_login(client, f"someone{i}").status_code == 401

    assert_api_refused(api_login(client, "another"))
    refused = form_login(client, "yet-another")
    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) >= 1
    # Another address still has its whole budget.
    assert api_login(client, "another", n=1).status_code == 401


def test_right_passwords_spend_nothing(budget_app):
    client = budget_app.test_client()
    for _ in range(30):
        assert api_login(client, password=STAFF_PASSWORD).status_code == 200
        assert form_login(client, password=STAFF_PASSWORD).status_code == 302


def test_one_account_guessed_from_many_addresses_is_delayed_more_each_time(budget_app, clock):
    client = budget_app.test_client()
    for n in range(5):
        assert api_login(client, n=n).status_code == 401

    # Five wrong in a row: one second before the next try, from any address.
    assert_api_refused(api_login(client, password=STAFF_PASSWORD, n=10))
    assert form_login(client, n=11).status_code == 429
    clock.advance(seconds=1)
    assert form_login(client, n=12).status_code == 401  # the sixth: two seconds now
    clock.advance(seconds=1)
    refused = api_login(client, n=13)
    assert_api_refused(refused)
    clock.advance(seconds=1)
    assert api_login(client, n=14).status_code == 401  # the seventh: four seconds
    clock.advance(seconds=3)
    assert_api_refused(api_login(client, n=15))
    # Other accounts are not held up.
    assert api_login(client, "admin", password=STAFF_PASSWORD, n=16).status_code == 200


def test_the_delay_is_capped(clock):
    app = make_app(
        clock, RATELIMIT_ENABLED=True, PASSWORD_DELAY_AFTER=1, PASSWORD_DELAY_MAX_SECONDS=4
    )
    seed(app)
    client = app.test_client()
    for wait in (1, 2, 4, 4, 4):  # 2^0, 2^1, 2^2, then the cap instead of 8 and 16
        assert api_login(client).status_code == 401
        clock.advance(seconds=wait - 1)
        assert_api_refused(api_login(client))
        clock.advance(seconds=1)


def test_the_right_password_starts_the_failures_over(budget_app, clock):
    client = budget_app.test_client()
    for n in range(3):
        assert api_login(client, n=n).status_code == 401
    assert form_login(client, password=STAFF_PASSWORD, n=4).status_code == 302

    for n in range(4):  # seven wrong in all, but four in a row are not yet five
        assert api_login(client, n=n).status_code == 401
    assert api_login(client, password=STAFF_PASSWORD, n=9).status_code == 200

    for n in range(5):  # five in a row since then
        assert api_login(client, n=n).status_code == 401
    assert_api_refused(api_login(client, password=STAFF_PASSWORD, n=9))


def test_an_account_has_its_own_budget_across_addresses(budget_app, clock):
    client = budget_app.test_client()
    for n in range(13):
        assert api_login(client, "ghost", n=n).status_code == 401
        clock.advance(minutes=20)  # past every delay; the hour's budget is what stops it

    assert_api_refused(api_login(client, "ghost", n=20))
    assert api_login(client, "desk", n=21).status_code == 401


def test_a_refused_login_logs_nobody_in(budget_app, clock):
    client = budget_app.test_client()
    for n in range(5):
        assert api_login(client, n=n).status_code == 401

    assert_api_refused(api_login(client, password=STAFF_PASSWORD, n=5))
    assert form_login(client, password=STAFF_PASSWORD, n=6).status_code == 429
    assert client.get("/api/me").status_code == 401


# --- Appointments -----------------------------------------------------------------------


def lookup(client, n=0, **body):
    path = f"/api/sites/{SITE}/appointments/lookup"
    return client.post(path, json=body, environ_base=address(n))


def check_in(client, n=0, **body):
    path = f"/api/sites/{SITE}/checkins/appointment"
    return client.post(path, json=body, environ_base=address(n))


def tickets(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count(Ticket.id))).scalar_one()


def test_lookup_and_check_in_spend_one_budget_per_address(budget_app):
    kiosk = budget_app.test_client()
    for i in range(3):
        assert lookup(kiosk, code=f"RV99{i}0").status_code == 404
        assert (
            check_in(kiosk, last_name="Nobody", date_of_birth="1990-01-0" + str(i + 1)).status_code
            == 404
        )

    assert_api_refused(lookup(kiosk, code="RV1003"))
    assert_api_refused(check_in(kiosk, code="RV1003"))
    assert tickets(budget_app) == 0  # the refused check-in changed nothing
    assert check_in(kiosk, code="RV1003", n=1).status_code == 201


def test_found_appointments_spend_nothing(budget_app):
    kiosk = budget_app.test_client()
    for _ in range(20):
        assert lookup(kiosk, code="RV1003").status_code == 200
        assert lookup(kiosk, last_name="Okafor", date_of_birth="2003-02-12").status_code == 200

    assert check_in(kiosk, code="RV1003").status_code == 201


def test_a_site_has_its_own_budget_across_addresses(budget_app):
    kiosk = budget_app.test_client()
    for n in range(10):
        assert lookup(kiosk, code="RV9999", n=n).status_code == 404

    assert_api_refused(check_in(kiosk, code="RV1003", n=30))
    assert tickets(budget_app) == 0


# --- Refusals are in the audit log --------------------------------------------------------


def refusals(app: Flask) -> list[tuple[str | None, str | None, dict]]:
    from server.storage.models import AuditEntry

    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "login_failed").order_by(AuditEntry.id)
        )
        return [(e.username, e.address, e.detail) for e in entries]


@pytest.mark.parametrize("attempt", [api_login, form_login])
def test_a_login_refused_for_too_many_attempts_is_recorded(budget_app, attempt):
    client = budget_app.test_client()
    for i in range(10):
        assert attempt(client, f"nobody{i}").status_code == 401

    assert attempt(client, "another").status_code == 429

    assert refusals(budget_app)[-1] == ("another", "10.1.0.1", {"reason": "too_many_attempts"})
    assert len(refusals(budget_app)) == 11


def test_a_login_held_back_by_an_accounts_delay_is_recorded(budget_app):
    client = budget_app.test_client()
    for n in range(5):
        assert api_login(client, n=n).status_code == 401

    assert form_login(client, n=6).status_code == 429

    assert refusals(budget_app)[-1] == ("desk", "10.1.0.7", {"reason": "too_many_attempts"})
