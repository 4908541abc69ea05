"""Who may do what: logins, sessions, the staff and admin endpoints, rate limits, and the
API's own description of itself."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from server import services
from server.extensions import db
from server.sites.schema import parse_site_text
from server.storage.models import User
from tests.conftest import DEMO_SITE, SITE, STAFF_PASSWORD, login, make_app, seed, walk_in

PARAMS = {"site": SITE, "room": "room-1", "ticket_id": "1", "notice_id": "1", "token": "t"}


def error_of(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()["error"]


def openapi(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def secured_operations(client):
    """(method, concrete url, operation) for every operation that declares security."""
    found = []
    for path, methods in openapi(client)["paths"].items():
        url = re.sub(r"\{(\w+)\}", lambda m: PARAMS[m.group(1)], path)
        for method, operation in methods.items():
            if operation.get("security"):
                found.append((method, url, operation))
    return found


def send(http, method, url, operation):
    """Send a well-formed request for the operation, so only access can refuse it."""
    media = next(iter(operation.get("requestBody", {}).get("content", {})), None)
    if media == "text/csv":
        header = b"code,last_name,first_name,date_of_birth,service,time\n"
        return http.open(url, method=method.upper(), data=header, content_type="text/csv")
    if media is not None:
        return http.open(url, method=method.upper(), json={})
    return http.open(url, method=method.upper())


# --- Staff and admin endpoints ----------------------------------------------------


def test_the_document_declares_security_on_every_desk_and_admin_route(client):
    secured = {(m, url) for m, url, _ in secured_operations(client)}

    assert ("get", f"/api/sites/{SITE}/queue") in secured
    assert ("post", f"/api/sites/{SITE}/rooms/room-1/call-next") in secured
    assert ("post", f"/api/sites/{SITE}/tickets/1/transfer") in secured
    assert ("post", f"/api/sites/{SITE}/appointments") in secured
    assert ("get", f"/api/sites/{SITE}/audit") in secured
    assert len(secured) >= 18
    assert ("post", f"/api/sites/{SITE}/checkins/walk-in") not in secured


def test_every_secured_endpoint_refuses_an_anonymous_client(client):
    walk_in(client, "G")  # ticket 1 exists, so only the missing login can refuse
    operations = secured_operations(client)

    for method, url, operation in operations:
        error = error_of(send(client, method, url, operation), 401)
        assert error["code"] == "login_required", (method, url)


def test_every_admin_endpoint_refuses_staff(client, staff, admin):
    admin_only = [op for op in secured_operations(client) if op[2]["tags"] == ["admin"]]
    assert {url.rsplit("/", 1)[-1] for _, url, _ in admin_only} >= {"appointments", "audit"}

    for method, url, operation in admin_only:
        assert error_of(send(staff, method, url, operation), 403)["code"] == "forbidden", url
        assert send(admin, method, url, operation).status_code < 300, url


def test_staff_of_another_site_are_refused_everywhere_here(app, client):
    other = re.sub(r'(?m)^slug = "riverside"$', 'slug = "hilltop"', DEMO_SITE.read_text())
    with app.app_context():
        services.load_site(parse_site_text(other))
        services.add_user("hill", STAFF_PASSWORD, "admin", ["hilltop"])
    hill = app.test_client()
    login(hill, "hill")
    walk_in(client, "G")

    for method, url, operation in secured_operations(client):
        assert error_of(send(hill, method, url, operation), 403)["code"] == "forbidden", url
    assert hill.get("/api/sites/hilltop/queue").status_code == 200


def test_an_unknown_site_is_404_for_staff(staff):
    assert error_of(staff.get("/api/sites/nowhere/queue"), 404)["code"] == "unknown_site"


# --- Logging in and out -----------------------------------------------------------


def test_login_answers_who_you_are(client):
    response = login(client, "admin")

    assert response.get_json() == {
        "username": "admin",
        "role": "admin",
        "sites": [SITE],
        "roles": {SITE: "admin"},
    }
    assert client.get("/api/me").get_json()["username"] == "admin"
    assert client.get(f"/api/sites/{SITE}/queue").status_code == 200


def test_a_wrong_password_does_not_say_whether_the_user_exists(client):
    wrong_password = client.post(
        "/api/login", json={"username": "desk", "password": "not the password"}
    )
    no_such_user = client.post(
        "/api/login", json={"username": "nobody", "password": "not the password"}
    )

    assert error_of(wrong_password, 401) == error_of(no_such_user, 401)
    assert error_of(wrong_password, 401)["code"] == "login_required"
    assert "session" not in wrong_password.headers.get("Set-Cookie", "")
    assert error_of(client.get(f"/api/sites/{SITE}/queue"), 401)["code"] == "login_required"


def test_login_starts_a_fresh_session(app, client):
    planted = app.session_interface.get_signing_serializer(app).dumps({"planted": "by an attacker"})
    client.set_cookie("session", planted)

    login(client, "desk")

    fresh = client.get_cookie("session")
    assert fresh is not None
    assert fresh.value != planted
    session = app.session_interface.get_signing_serializer(app).loads(fresh.value)
    assert "planted" not in session
    assert session["waitroom.session"]  # the token of a session kept on the server
    assert fresh.http_only


def test_logout_ends_the_session(staff):
    assert staff.post("/api/logout", json={}).get_json() == {"ok": True}

    assert error_of(staff.get(f"/api/sites/{SITE}/queue"), 401)["code"] == "login_required"
    assert error_of(staff.get("/api/me"), 401)["code"] == "login_required"
    assert (
        error_of(staff.post(f"/api/sites/{SITE}/rooms/room-1/pause", json={}), 401)["code"]
        == "login_required"
    )


def test_a_session_stops_working_when_its_account_is_made_inactive(app, staff):
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "desk")).scalar_one()
        user.active = False
        db.session.commit()

    assert error_of(staff.get(f"/api/sites/{SITE}/queue"), 401)["code"] == "login_required"


def test_an_inactive_account_cannot_log_in(app, client):
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "desk")).scalar_one()
        user.active = False
        db.session.commit()

    assert error_of(
        client.post("/api/login", json={"username": "desk", "password": STAFF_PASSWORD}), 401
    )


# --- Health and the API description -----------------------------------------------


def test_health_check(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_the_openapi_document_looks_like_openapi_3_1(client):
    doc = openapi(client)

    assert doc["openapi"].startswith("3.1")
    assert doc["info"]["title"]
    assert doc["info"]["version"]
    schemes = doc["components"]["securitySchemes"]
    operation_ids = []
    for path, methods in doc["paths"].items():
        assert path.startswith("/api/")
        declared = set(re.findall(r"\{(\w+)\}", path))
        for method, operation in methods.items():
            assert method in {"get", "post", "put", "patch", "delete"}
            operation_ids.append(operation["operationId"])
            assert operation["summary"]
            assert operation["responses"]
            assert {p["name"] for p in operation["parameters"] if p["in"] == "path"} == declared
            for requirement in operation.get("security", []):
                assert set(requirement) <= set(schemes)
    assert len(operation_ids) == len(set(operation_ids))
    for ref in re.findall(
        r'"\$ref": "#/components/schemas/(\w+)"',
        client.get("/api/openapi.json").get_data(as_text=True),
    ):
        assert ref in doc["components"]["schemas"], ref


def test_every_api_route_is_in_the_openapi_document(app, client):
    documented = {
        (method.upper(), path)
        for path, methods in openapi(client)["paths"].items()
        for method in methods
    }
    routed = {
        (method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") and rule.rule != "/api/openapi.json"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }

    assert routed == documented


# --- Rate limits ------------------------------------------------------------------


@pytest.fixture
def limited_app(clock):
    app = make_app(
        clock,
        RATELIMIT_ENABLED=True,
        CHECKIN_RATE_LIMIT="3 per minute",
        APPOINTMENT_GUESSES_PER_ADDRESS="3 per minute",
        PASSWORD_GUESSES_PER_ADDRESS="2 per minute",
    )
    seed(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def assert_rate_limited(response):
    error = error_of(response, 429)
    assert error["code"] == "rate_limited"
    assert "wait" in error["message"].lower()
    assert "front desk" in error["message"].lower()


def test_too_many_check_ins_from_one_address_are_refused(limited_app):
    kiosk = limited_app.test_client()
    for _ in range(3):
        walk_in(kiosk, "G")

    assert_rate_limited(kiosk.post(f"/api/sites/{SITE}/checkins/walk-in", json={"service": "G"}))

    other = limited_app.test_client()
    other_kiosk = {"REMOTE_ADDR": "10.0.0.2"}
    answer = other.post(
        f"/api/sites/{SITE}/checkins/walk-in", json={"service": "G"}, environ_base=other_kiosk
    )
    assert answer.status_code == 201
    assert answer.get_json()["ticket"]["number"] == "G-004"  # the refused one took no number


def test_too_many_appointment_check_ins_are_refused(limited_app):
    kiosk = limited_app.test_client()
    for _ in range(3):
        response = kiosk.post(f"/api/sites/{SITE}/checkins/appointment", json={"code": "RV9999"})
        assert response.status_code == 404

    assert_rate_limited(
        kiosk.post(f"/api/sites/{SITE}/checkins/appointment", json={"code": "RV1003"})
    )


def test_too_many_logins_are_refused_even_with_the_right_password(limited_app):
    desk = limited_app.test_client()
    for _ in range(2):
        assert (
            desk.post(
                "/api/login", json={"username": "desk", "password": "guess guess guess"}
            ).status_code
            == 401
        )

    assert_rate_limited(
        desk.post("/api/login", json={"username": "desk", "password": STAFF_PASSWORD})
    )
    assert error_of(desk.get(f"/api/sites/{SITE}/queue"), 401)["code"] == "login_required"
