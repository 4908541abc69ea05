"""Staff accounts in the console (/admin/staff), sign-in rules, and the second factor:
the service rules and their refusals, and the pages (admins only, CSRF)."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import select

from server import services
from server.domain.errors import DomainError
from server.domain.staff import MIN_PASSWORD_LENGTH, WeakPassword, check_new_password
from server.extensions import db
from server.services import accounts
from server.storage.models import AuditEntry, User
from tests.conftest import SITE, STAFF_PASSWORD

NEW_PASSWORD = "plum orchard lantern"


def token_of(client, path):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def post_form(client, path, **form):
    return client.post(path, data={"csrf_token": token_of(client, path), **form})


def admin_actor(app):
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "admin")).scalar_one()
        return services.Actor.staff(user, "10.0.0.1")


def sign_in_form(client, username, password):
    return post_form(client, "/desk/login", username=username, password=password)


def audit_entries(app, action):
    with app.app_context():
        return [
            e.detail
            for e in db.session.scalars(select(AuditEntry).where(AuditEntry.action == action))
        ]


# --- Passwords (NIST SP 800-63B) --------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short pass", "at least 12"),
        ("qwerty123456", "most common"),
        ("PASSWORD1234", "most common"),  # the list is matched without case
        ("my name is nurse-ana", "username"),
        ("aaaaaaaaaaaaaaaa", "too few"),
    ],
)
def test_a_new_password_is_refused_with_the_reason(password, why):
    with pytest.raises(WeakPassword, match=why):
        check_new_password(password, username="nurse-ana", common=accounts.common_passwords())


def test_a_long_uncommon_password_needs_no_digit_or_symbol():
    check_new_password("plum orchard lantern", username="ana", common=accounts.common_passwords())
    assert MIN_PASSWORD_LENGTH == 12
    assert len(accounts.common_passwords()) > 25000


def test_the_cli_rule_refuses_a_common_password(app):
    with app.app_context(), pytest.raises(WeakPassword):
        services.add_user("ana", "qwerty123456", "staff", [SITE])


# --- Accounts --------------------------------------------------------------------------


def test_an_admin_creates_an_account_with_a_temporary_password(app):
    actor = admin_actor(app)
    with app.app_context():
        made = services.create_account("ana", "staff", [SITE], actor=actor, allowed=[SITE])
        user = db.session.execute(select(User).where(User.username == "ana")).scalar_one()
        assert user.must_change_password and user.role == "staff"
        assert len(made.password) >= 20
    (entry,) = audit_entries(app, "account_added")[-1:]
    assert entry["after"]["username"] == "ana"
    assert made.password not in str(entry)


@pytest.mark.parametrize(
    ("username", "role", "sites", "code"),
    [
        ("desk", "staff", [SITE], "account_exists"),
        ("ana", "chief", [SITE], "bad_role"),
        ("ana", "staff", [], "invalid_input"),
        ("ana", "staff", ["elsewhere"], "unknown_site"),
        (" ana", "staff", [SITE], "invalid_input"),
    ],
)
def test_a_bad_new_account_is_refused_and_nothing_is_made(app, username, role, sites, code):
    actor = admin_actor(app)
    with app.app_context():
        with pytest.raises(DomainError) as refusal:
            services.create_account(username, role, sites, actor=actor, allowed=[SITE])
        assert refusal.value.code == code
        assert db.session.scalar(select(db.func.count()).select_from(User)) == 2


def test_changing_a_role_is_audited_before_and_after(app):
    actor = admin_actor(app)
    with app.app_context():
        services.change_account("desk", "admin", [SITE], actor=actor, allowed=[SITE])
    (entry,) = audit_entries(app, "account_changed")[-1:]
    assert entry["before"]["role"] == "staff"
    assert entry["after"]["role"] == "admin"


def test_an_admin_may_not_demote_or_disable_themselves(app):
    actor = admin_actor(app)
    with app.app_context():
        with pytest.raises(accounts.OwnAccount):
            services.change_account("admin", "staff", [SITE], actor=actor, allowed=[SITE])
        with pytest.raises(accounts.OwnAccount):
            services.set_account_active("admin", False, actor=actor, allowed=[SITE])


def test_an_account_outside_the_admins_sites_is_not_found(app):
    actor = admin_actor(app)
    with app.app_context():
        services.add_user("far", "long enough password", "staff", [SITE])
        with pytest.raises(DomainError) as refusal:
            services.reset_password("far", actor=actor, allowed=["another-site"])
        assert refusal.value.code == "unknown_user"


def test_disabling_an_account_ends_its_session_at_once(app, staff):
    assert staff.get("/api/me").status_code == 200
    with app.app_context():
        services.set_account_active("desk", False, actor=admin_actor(app), allowed=[SITE])
    assert staff.get("/api/me").status_code == 401
    with app.app_context():
        services.set_account_active("desk", True, actor=admin_actor(app), allowed=[SITE])
    assert audit_entries(app, "account_enabled")


def test_a_reset_password_ends_sessions_and_must_be_changed_at_sign_in(app, staff):
    with app.app_context():
        temporary = services.reset_password("desk", actor=admin_actor(app), allowed=[SITE])
    assert staff.get("/api/me").status_code == 401
    client = app.test_client()
    # The API will not sign in with a temporary password.
    answer = client.post("/api/login", json={"username": "desk", "password": temporary.password})
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "password_change_required"
    response = sign_in_form(client, "desk", temporary.password)
    assert response.headers["Location"].endswith("/desk/login/new-password")
    assert client.get("/api/me").status_code == 401  # not signed in yet
    same = post_form(
        client, "/desk/login/new-password", password=temporary.password, repeat=temporary.password
    )
    assert same.status_code == 422
    common = post_form(
        client, "/desk/login/new-password", password="qwerty123456", repeat="qwerty123456"
    )
    assert common.status_code == 422
    assert "most common" in common.get_data(as_text=True)
    done = post_form(client, "/desk/login/new-password", password=NEW_PASSWORD, repeat=NEW_PASSWORD)
    assert done.status_code == 302
    assert client.get("/api/me").status_code == 200


# --- The pages -------------------------------------------------------------------------


def test_the_staff_page_is_for_admins_only(app, client, staff, admin):
    assert client.get("/admin/staff").status_code == 302  # to the login page
    assert staff.get("/admin/staff").status_code == 403
    assert staff.get("/admin/devices").status_code == 403
    assert admin.get("/admin/staff").status_code == 200


def test_a_form_without_its_csrf_token_changes_nothing(app, admin):
    response = admin.post(
        "/admin/staff", data={"action": "create", "username": "ana", "role": "staff", "sites": SITE}
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.execute(select(User).where(User.username == "ana")).first() is None


def test_staff_cannot_post_the_admin_forms(app, staff):
    token = token_of(staff, "/desk")
    response = staff.post(
        "/admin/staff", data={"csrf_token": token, "action": "disable", "username": "admin"}
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.execute(select(User).where(User.username == "admin")).scalar_one().active


def test_the_page_creates_an_account_and_shows_its_password_once(app, admin):
    response = post_form(
        admin, "/admin/staff", action="create", username="ana", role="staff", sites=SITE
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    password = re.search(r'id="temporary-password">([^<]+)<', page).group(1)
    assert password not in admin.get("/admin/staff").get_data(as_text=True)
    bad = post_form(
        admin, "/admin/staff", action="create", username="ana", role="staff", sites=SITE
    )
    assert bad.status_code == 409
    assert "username:" in bad.get_data(as_text=True)


# --- The second factor -----------------------------------------------------------------


def enrol(admin):
    page = post_form(admin, "/admin/staff/second-factor", action="start").get_data(as_text=True)
    secret = re.search(r'id="totp-key">([A-Z2-7]+)<', page).group(1)
    totp = pyotp.TOTP(secret)
    return totp


def test_an_admin_enrols_and_then_needs_a_code_to_sign_in(app, admin, clock):
    totp = enrol(admin)
    wrong = post_form(admin, "/admin/staff/second-factor", action="confirm", code="000000")
    assert wrong.status_code == 401
    done = post_form(admin, "/admin/staff/second-factor", action="confirm", code=totp.at(clock.now))
    page = done.get_data(as_text=True)
    codes = re.findall(r'<li class="secret">([0-9a-f-]+)</li>', page)
    assert len(codes) == 10
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "admin")).scalar_one()
        assert user.totp_enabled and all(codes[0] not in h for h in user.recovery_codes)

    clock.advance(seconds=30)
    client = app.test_client()
    step = sign_in_form(client, "admin", STAFF_PASSWORD)
    assert step.headers["Location"].endswith("/desk/login/code")
    assert client.get("/api/me").status_code == 401
    assert post_form(client, "/desk/login/code", code="123456").status_code == 401
    assert post_form(client, "/desk/login/code", code=totp.at(clock.now)).status_code == 302
    assert client.get("/api/me").status_code == 200

    # The same code is good once; a recovery code works once.
    again = app.test_client()
    sign_in_form(again, "admin", STAFF_PASSWORD)
    assert post_form(again, "/desk/login/code", code=totp.at(clock.now)).status_code == 401
    assert post_form(again, "/desk/login/code", code=codes[0].upper()).status_code == 302
    third = app.test_client()
    sign_in_form(third, "admin", STAFF_PASSWORD)
    assert post_form(third, "/desk/login/code", code=codes[0]).status_code == 401
    assert {"reason": "wrong_code"} in audit_entries(app, "login_failed")

    # The API asks for the code too.
    api = app.test_client()
    assert (
        api.post("/api/login", json={"username": "admin", "password": STAFF_PASSWORD}).status_code
        == 401
    )
    clock.advance(seconds=30)
    answer = api.post(
        "/api/login",
        json={"username": "admin", "password": STAFF_PASSWORD, "code": totp.at(clock.now)},
    )
    assert answer.status_code == 200


def test_the_code_step_without_a_right_password_goes_back_to_the_login(app, client):
    assert client.get("/desk/login/code").status_code == 302
    token = token_of(client, "/desk/login")
    response = client.post("/desk/login/code", data={"csrf_token": token, "code": "123456"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/desk/login")


def test_an_admin_removes_a_lost_second_factor(app, admin, clock):
    with app.app_context():
        desk = db.session.execute(select(User).where(User.username == "desk")).scalar_one()
        services.start_enrolment(desk)
        secret = desk.totp_secret
        services.confirm_enrolment(desk, pyotp.TOTP(secret).at(clock.now), None)
    response = post_form(admin, "/admin/staff", action="remove_second_factor", username="desk")
    assert response.status_code == 200
    with app.app_context():
        desk = db.session.execute(select(User).where(User.username == "desk")).scalar_one()
        assert not desk.totp_enabled and desk.totp_secret is None
    assert audit_entries(app, "second_factor_off")


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_wrong_codes_spend_a_guess_budget(app, clock, app_config):
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "admin")).scalar_one()
        services.start_enrolment(user)
        services.confirm_enrolment(user, pyotp.TOTP(user.totp_secret).at(clock.now), None)
    client = app.test_client()
    sign_in_form(client, "admin", STAFF_PASSWORD)
    statuses = [post_form(client, "/desk/login/code", code="000000").status_code for _ in range(11)]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429


def test_disabling_from_the_console_drops_the_accounts_desk_socket(app, staff, admin):
    from tests.conftest import socket

    sock = socket(app, {"staff": SITE}, http=staff)
    assert sock.is_connected()
    response = post_form(admin, "/admin/staff", action="disable", username="desk")
    assert response.status_code == 200
    assert not sock.is_connected()
    assert staff.get("/api/me").status_code == 401
