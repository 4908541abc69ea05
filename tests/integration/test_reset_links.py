"""One-time password reset links (services/reset_links.py): an administrator makes one
in the console; it is kept hashed, works once, expires, and ends the account's sessions
(and their sockets) when used."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from server import services
from server.domain.errors import DomainError
from server.extensions import db
from server.storage.models import AuditEntry, User
from tests.conftest import SITE, STAFF_PASSWORD, login, socket
from tests.integration.test_staff_admin import admin_actor, post_form, token_of

NEW_PASSWORD = "plum orchard lantern"


def make_link(admin, username="desk"):
    response = post_form(admin, "/admin/staff", action="reset_link", username=username)
    assert response.status_code == 200, response.get_data(as_text=True)
    url = re.search(r'id="reset-link">([^<]+)<', response.get_data(as_text=True)).group(1)
    return url.removeprefix("http://localhost")


def use_link(client, path, password=NEW_PASSWORD, repeat=None):
    return client.post(
        path,
        data={
            "csrf_token": token_of(client, "/desk/login"),
            "password": password,
            "repeat": repeat or password,
        },
    )


def account(app, username="desk"):
    with app.app_context():
        return db.session.execute(select(User).where(User.username == username)).scalar_one()


def test_the_console_shows_a_link_once_and_keeps_only_its_digest(app, admin):
    path = make_link(admin)
    token = path.rsplit("/", 1)[1]
    assert path.startswith("/desk/reset/") and len(token) >= 40
    user = account(app)
    assert user.reset_digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in admin.get("/admin/staff").get_data(as_text=True)
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "password_reset_link")
        ).one()
        assert entry.detail["username"] == "desk" and token not in str(entry.detail)


def test_the_link_sets_a_password_once_and_ends_every_session_and_socket(app, client, staff, admin):
    path = make_link(admin)
    desk_socket = socket(app, {"staff": SITE}, http=staff)
    assert desk_socket.is_connected()
    # Making the link changes nothing yet: the old password and the session still work.
    assert staff.get("/api/me").status_code == 200

    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "desk" in page.get_data(as_text=True)
    assert use_link(client, path, NEW_PASSWORD, "something else").status_code == 400
    weak = use_link(client, path, "qwerty123456")
    assert weak.status_code == 422 and "most common" in weak.get_data(as_text=True)
    assert staff.get("/api/me").status_code == 200  # refusals spend nothing

    done = use_link(client, path)
    assert done.status_code == 200
    assert "Log in with it" in done.get_data(as_text=True)
    assert staff.get("/api/me").status_code == 401
    assert not desk_socket.is_connected()
    assert client.get(path).status_code == 410
    assert use_link(client, path, "another fine passphrase").status_code == 410
    assert (
        app.test_client()
        .post("/api/login", json={"username": "desk", "password": STAFF_PASSWORD})
        .status_code
        == 401
    )
    login(app.test_client(), "desk", NEW_PASSWORD)
    assert account(app).reset_digest is None
    with app.app_context():
        ended = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "session_ended")
        ).all()
        assert [e.detail["reason"] for e in ended] == ["password_changed"]
        assert db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "password_set_by_link")
        ).one()


def test_a_link_expires(app, client, admin, clock):
    path = make_link(admin)
    clock.advance(hours=23, minutes=59)
    assert client.get(path).status_code == 200
    clock.advance(minutes=1)
    assert client.get(path).status_code == 410
    assert use_link(client, path).status_code == 410


def test_a_new_link_or_a_temporary_password_replaces_the_last_link(app, client, admin):
    first = make_link(admin)
    second = make_link(admin)
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200
    post_form(admin, "/admin/staff", action="reset", username="desk")
    assert client.get(second).status_code == 410


def test_an_unknown_link_is_gone_and_says_what_to_do(client):
    page = client.get("/desk/reset/not-a-real-token")
    assert page.status_code == 410
    assert "Ask your administrator for a new one" in page.get_data(as_text=True)


def test_the_service_spends_a_link_once(app):
    with app.app_context():
        link = services.make_reset_link("desk", actor=admin_actor(app), allowed=[SITE])
        services.use_reset_link(link.token, NEW_PASSWORD, None)
        with pytest.raises(services.ResetLinkGone):
            services.use_reset_link(link.token, "another fine passphrase", None)


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ("disabled", "account_disabled"),
        ("other_site", "unknown_user"),
    ],
)
def test_a_link_is_refused_for_an_account_one_may_not_reset(app, setup, code):
    with app.app_context():
        if setup == "disabled":
            services.set_account_active("desk", False, actor=admin_actor(app), allowed=[SITE])
            allowed = [SITE]
        else:
            allowed = ["hilltop"]
        with pytest.raises(DomainError) as refusal:
            services.make_reset_link("desk", actor=admin_actor(app), allowed=allowed)
        assert refusal.value.code == code
    assert account(app).reset_digest is None


def test_staff_cannot_make_a_link(app, staff):
    response = staff.post(
        "/admin/staff",
        data={"csrf_token": token_of(staff, "/desk"), "action": "reset_link", "username": "admin"},
    )
    assert response.status_code == 403
    assert account(app, "admin").reset_digest is None


def test_no_link_when_passwords_are_switched_off(app):
    app.config["LOCAL_PASSWORDS"] = False  # (a server needs a provider to start so)
    with app.app_context(), pytest.raises(DomainError) as refusal:
        services.make_reset_link("desk", actor=admin_actor(app), allowed=[SITE])
    assert refusal.value.code == "local_passwords_off"
