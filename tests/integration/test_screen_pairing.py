"""Pairing a new kiosk or display with a device: the service's rules and refusals, the
screen's pages and cookie, and the console's form (admins only, CSRF, a guess budget)."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from server import screens, services
from server.domain.errors import DomainError
from server.extensions import db
from server.storage.models import AuditEntry, User
from tests.conftest import SITE, received, socket


@pytest.fixture
def app_config():
    return {"SCREEN_PAIRING": True}


def token_of(client, path):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def pair(admin, code, device="main-hall"):
    token = token_of(admin, "/admin/devices")
    return admin.post(
        f"/admin/devices/pair?site={SITE}",
        data={"csrf_token": token, "code": code, "device": device},
    )


def page_config(response, element="display-config"):
    page = response.get_data(as_text=True)
    raw = re.search(rf'id="{element}">(.*?)</script>', page, re.S).group(1)
    return json.loads(raw)


def actor(app):
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "admin")).scalar_one()
        return services.Actor.staff(user, None)


def new_screen(app, kind="display"):
    with app.app_context():
        return services.screen_for(kind, None)


# --- The service -----------------------------------------------------------------------


def test_a_new_screen_gets_a_six_character_code_it_keeps_until_it_expires(app, clock):
    screen = new_screen(app)
    assert re.fullmatch(r"[A-Z2-9]{6}", screen.code)
    assert not set(screen.code) & set("01OIL")
    with app.app_context():
        assert services.screen_for("display", screen.token).code == screen.code
        clock.advance(minutes=11)
        renewed = services.screen_for("display", screen.token)
    assert renewed.code != screen.code and renewed.token == screen.token


def test_pairing_makes_the_screen_that_device(app):
    screen = new_screen(app)
    admin = actor(app)
    with app.app_context():
        device = services.pair_screen(SITE, screen.code.lower(), "main-hall", admin)
        assert device.name == "Main waiting hall"
        assert services.paired_device(screen.token).code == "main-hall"
        assert services.screen_for("display", screen.token).device.code == "main-hall"
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "screen_paired")
        ).one()
        assert entry.detail["device"] == "main-hall"


@pytest.mark.parametrize(
    ("kind", "device", "code", "why"),
    [
        ("display", "main-hall", "ZZZZZZ", "unknown_pairing_code"),
        ("kiosk", "main-hall", None, "unknown_pairing_code"),  # a kiosk is not a display
        ("display", "no-such-device", None, "unknown_device"),
    ],
)
def test_a_wrong_pairing_is_refused_and_changes_nothing(app, kind, device, code, why):
    screen = new_screen(app, kind)
    admin = actor(app)
    with app.app_context():
        with pytest.raises(DomainError) as refusal:
            services.pair_screen(SITE, code or screen.code, device, admin)
        assert refusal.value.code == why
        assert services.paired_device(screen.token) is None


def test_an_expired_code_pairs_nothing(app, clock):
    screen = new_screen(app)
    clock.advance(minutes=10)
    admin = actor(app)
    with app.app_context(), pytest.raises(DomainError):
        services.pair_screen(SITE, screen.code, "main-hall", admin)


def test_unpairing_ends_the_screens_token_at_once(app):
    screen = new_screen(app)
    admin = actor(app)
    with app.app_context():
        services.pair_screen(SITE, screen.code, "main-hall", admin)
        (hall,) = [d for d in services.paired_screens(SITE) if d["code"] == "main-hall"]
        services.unpair_screen(SITE, hall["screens"][0]["id"], admin)
        assert services.paired_device(screen.token) is None
        again = services.screen_for("display", screen.token)
        assert again.device is None and again.code and again.token != screen.token
        with pytest.raises(DomainError):
            services.unpair_screen(SITE, hall["screens"][0]["id"], admin)


# --- The screen's pages ----------------------------------------------------------------


def test_a_new_display_shows_a_code_and_becomes_its_device_once_paired(app, client, admin):
    first = client.get("/display")
    config = page_config(first)
    code = config["pairing"]["code"]
    assert code in first.get_data(as_text=True)
    assert screens.COOKIE in first.headers["Set-Cookie"]
    waiting = client.get("/screens/display/pairing").get_json()
    assert waiting == {**waiting, "paired": False, "code": code}

    assert pair(admin, code).status_code == 200
    answer = client.get("/screens/display/pairing").get_json()
    assert answer["paired"] is True
    assert answer["device"]["name"] == "Main waiting hall"
    assert answer["setup"]["device"] == {"code": "main-hall", "name": "Main waiting hall"}
    # Opened again, the browser is that display.
    assert page_config(client.get("/display"))["device"]["code"] == "main-hall"


def test_a_tampered_cookie_is_a_new_screen(app, client):
    client.get("/display")
    client.set_cookie(screens.COOKIE, "forged.value")
    config = page_config(client.get("/display"))
    assert config["pairing"]["code"]


def test_a_new_kiosk_shows_a_code_then_opens_as_its_kiosk(app, client, admin):
    page = client.get("/kiosk")
    code = page_config(page, "pairing-config")["pairing"]["code"]
    assert pair(admin, code, device="entrance").status_code == 200
    assert client.get("/screens/kiosk/pairing").get_json()["device"]["code"] == "entrance"
    assert page_config(client.get("/kiosk"), "kiosk-config")["device"] == "entrance"


def test_a_device_in_the_address_needs_no_pairing(app, client):
    config = page_config(client.get("/display?device=main-hall"))
    assert config["pairing"] is None and config["device"]["code"] == "main-hall"


# --- The console -----------------------------------------------------------------------


def test_pairing_from_the_console_is_for_admins_with_a_form_token(app, client, staff, admin):
    code = page_config(client.get("/display"))["pairing"]["code"]
    token = token_of(admin, "/admin/devices")
    assert staff.post(
        f"/admin/devices/pair?site={SITE}",
        data={"csrf_token": token, "code": code, "device": "main-hall"},
    ).status_code in (400, 403)
    assert (
        admin.post(
            f"/admin/devices/pair?site={SITE}", data={"code": code, "device": "main-hall"}
        ).status_code
        == 400
    )
    assert client.get("/screens/display/pairing").get_json()["paired"] is False
    wrong = pair(admin, "ZZZZZZ")
    assert wrong.status_code == 404
    assert "no screen shows this code" in wrong.get_data(as_text=True)


def test_the_console_unpairs_a_screen(app, client, admin):
    code = page_config(client.get("/display"))["pairing"]["code"]
    page = pair(admin, code).get_data(as_text=True)
    action = re.search(r'action="(/admin/devices/screens/\d+/unpair[^"]*)"', page).group(1)
    action = action.replace("&amp;", "&")
    response = admin.post(action, data={"csrf_token": token_of(admin, "/admin/devices")})
    assert response.status_code == 200
    assert client.get("/screens/display/pairing").get_json()["paired"] is False


def unpair_from_console(admin, page):
    action = re.search(r'action="(/admin/devices/screens/\d+/unpair[^"]*)"', page).group(1)
    action = action.replace("&amp;", "&")
    return admin.post(action, data={"csrf_token": token_of(admin, "/admin/devices")})


def test_unpairing_drops_the_screens_open_socket_at_once_and_tells_it_first(app, client, admin):
    code = page_config(client.get("/display"))["pairing"]["code"]
    page = pair(admin, code).get_data(as_text=True)
    paired = socket(app, {"display": SITE, "device": "main-hall"}, http=client)
    by_address = socket(app, {"display": SITE, "device": "main-hall"})  # ?device=, no cookie
    assert paired.is_connected() and by_address.is_connected()
    received(paired, "display_update")

    assert unpair_from_console(admin, page).status_code == 200

    assert not paired.is_connected()
    # get_received() refuses a client that is no longer connected: read what it kept.
    assert [m["name"] for m in paired.queue] == ["screen_unpaired"]
    assert by_address.is_connected()  # a screen that was never paired is not touched
    # The page, still showing the device, is refused when it connects again (it then
    # loads itself again and shows a new code).
    assert not socket(app, {"display": SITE, "device": "main-hall"}, http=client).is_connected()
    cookie = f"{screens.COOKIE}={client.get_cookie(screens.COOKIE).value}"
    with (
        app.test_request_context(headers={"Cookie": cookie}),
        pytest.raises(DomainError) as refusal,
    ):
        services.screen_of_socket(screens.browser_token(), SITE, "main-hall")
    assert refusal.value.code == "screen_unpaired"
    # Loaded again, it is a new screen with a new code, and may connect as one.
    assert page_config(client.get("/display"))["pairing"]["code"]
    assert socket(app, {"display": SITE}, http=client).is_connected()


def test_unpairing_one_screen_leaves_another_screen_of_the_same_device(app, admin):
    first, second = app.test_client(), app.test_client()
    for browser in (first, second):
        pair(admin, page_config(browser.get("/display"))["pairing"]["code"])
    sockets = [
        socket(app, {"display": SITE, "device": "main-hall"}, http=b) for b in (first, second)
    ]
    page = admin.get("/admin/devices").get_data(as_text=True)

    unpair_from_console(admin, page)  # the first screen listed: the first one paired

    assert [s.is_connected() for s in sockets] == [False, True]


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "SCREEN_PAIRING": True,
            "RATELIMIT_ENABLED": True,
            "PAIRING_GUESSES_PER_ADDRESS": "3 per minute",
        }
    ],
)
def test_wrong_pairing_codes_spend_a_guess_budget(app, admin, app_config):
    assert [pair(admin, "ZZZZZZ").status_code for _ in range(4)] == [404, 404, 404, 429]


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "SCREEN_PAIRING": True,
            "RATELIMIT_ENABLED": True,
            "PAIRING_POLLS_PER_SCREEN": "3 per minute",
            "PAIRING_POLLS_PER_ADDRESS": "5 per minute",
        }
    ],
)
def test_a_waiting_screens_polls_are_limited_per_screen_and_per_address(app, app_config):
    screen = app.test_client()
    screen.get("/display")
    asks = [screen.get("/screens/display/pairing").status_code for _ in range(4)]
    assert asks == [200, 200, 200, 429]
    other = app.test_client()
    other.get("/display")
    assert other.get("/screens/display/pairing").status_code == 200  # its own budget
    # Without a cookie every ask is a new screen (a row written): the address's budget
    # ends them.
    fresh = [app.test_client().get("/screens/display/pairing").status_code for _ in range(3)]
    assert fresh[0] == 200 and fresh[-1] == 429
