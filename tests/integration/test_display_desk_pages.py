"""The display and desk pages over HTTP, and the presence of kiosks and displays.

The pages themselves are driven in a real browser in tests/e2e; here: who may open
them, the login form (CSRF, the same answer for unknown users, rate limit, where it
sends you), what a display is told to show, and what desks hear about screens.
"""

from __future__ import annotations

import json
import re

import pytest

from server import services
from server.sites.schema import parse_site_text
from tests.conftest import (
    DEMO_SITE,
    SITE,
    STAFF_PASSWORD,
    act,
    make_app,
    received,
    seed,
    socket,
    walk_in,
)

CONFIG = re.compile(r'<script type="application/json" id="(?:display|desk)-config">(.*?)</script>')


def page_config(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(CONFIG.search(response.get_data(as_text=True)).group(1))


def csrf_token(client, path="/desk/login"):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def form_login(client, username="desk", password=STAFF_PASSWORD, next_path=None):
    url = "/desk/login" + (f"?next={next_path}" if next_path else "")
    data = {"csrf_token": csrf_token(client), "username": username, "password": password}
    return client.post(url, data=data)


def load_site_text(app, text):
    with app.app_context():
        services.load_site(parse_site_text(text))


# --- The desk: who may open it ----------------------------------------------------


def test_the_desk_sends_anyone_not_logged_in_to_the_login_page(client):
    response = client.get("/desk?room=lab-1")

    assert response.status_code == 302
    assert response.headers["Location"] == "/desk/login?next=/desk?room%3Dlab-1"


def test_the_desk_opens_for_staff_with_their_site_and_idle_limit(staff):
    config = page_config(staff.get("/desk"))

    assert config["site"] == SITE
    assert config["user"] == "desk"
    assert config["api"] == f"/api/sites/{SITE}"
    assert config["idle_minutes"] == 30
    assert config["strings"]["call_here"] == "Call now"


def test_the_desk_refuses_a_site_the_account_may_not_use(app, staff):
    other = re.sub(r'(?m)^slug = "riverside"$', 'slug = "hilltop"', DEMO_SITE.read_text())
    load_site_text(app, other)

    response = staff.get("/desk?site=hilltop")

    assert response.status_code == 403
    assert "not for this site" in response.get_data(as_text=True)


def test_the_desk_speaks_the_browsers_language(staff):
    response = staff.get("/desk", headers={"Accept-Language": "es"})

    assert page_config(response)["strings"]["call_here"] == "Llamar ahora"
    assert "Llamar al siguiente" in response.get_data(as_text=True)


# --- The login form ---------------------------------------------------------------


def test_the_login_form_logs_in_and_goes_to_the_desk(client):
    response = form_login(client)

    assert response.status_code == 302
    assert response.headers["Location"] == "/desk"
    assert client.get("/api/me").get_json()["username"] == "desk"


def test_the_login_form_lets_password_managers_fill_it(client):
    page = client.get("/desk/login").get_data(as_text=True)

    assert 'autocomplete="username"' in page
    assert 'type="password" autocomplete="current-password"' in page
    assert "onpaste" not in page
    assert "captcha" not in page.lower()


def test_the_login_form_refuses_a_post_without_its_csrf_token(client):
    response = client.post("/desk/login", data={"username": "desk", "password": STAFF_PASSWORD})

    assert response.status_code == 400
    assert "The form had expired" in response.get_data(as_text=True)
    assert client.get("/api/me").status_code == 401


def test_the_login_form_refuses_a_token_from_another_session(app, client):
    stolen = csrf_token(app.test_client())
    data = {"csrf_token": stolen, "username": "desk", "password": STAFF_PASSWORD}

    assert client.post("/desk/login", data=data).status_code == 400
    assert client.get("/api/me").status_code == 401


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(client):
    wrong = form_login(client, "desk", "not the password at all")
    unknown = form_login(client, "nobody", "not the password at all")

    assert wrong.status_code == unknown.status_code == 401
    without_name = [
        r.get_data(as_text=True).replace(f'value="{name}"', 'value=""')
        for r, name in ((wrong, "desk"), (unknown, "nobody"))
    ]
    assert re.sub(r'name="csrf_token" value="[^"]+"', "", without_name[0]) == re.sub(
        r'name="csrf_token" value="[^"]+"', "", without_name[1]
    )
    assert "The username or password is not right." in without_name[0]
    assert client.get("/api/me").status_code == 401


def test_login_starts_a_new_session_each_time(app, client):
    serializer = app.session_interface.get_signing_serializer(app)
    form_login(client)
    first = serializer.loads(client.get_cookie("session").value)
    form_login(client)
    second = serializer.loads(client.get_cookie("session").value)

    assert first["waitroom.session"] != second["waitroom.session"]
    assert "csrf_token" not in second  # nothing from before the login survives it


@pytest.mark.parametrize(
    ("asked", "sent_to"),
    [
        ("/desk?room=lab-1", "/desk?room=lab-1"),
        ("https://evil.example/desk", "/desk"),
        ("//evil.example/desk", "/desk"),
        ("/\\evil.example", "/desk"),
    ],
)
def test_login_returns_only_to_a_page_of_this_server(client, asked, sent_to):
    data = {"csrf_token": csrf_token(client), "username": "desk", "password": STAFF_PASSWORD}

    response = client.post("/desk/login", query_string={"next": asked}, data=data)

    assert response.headers["Location"] == sent_to


def test_the_login_form_shares_the_login_rate_limit(clock):
    app = make_app(clock, RATELIMIT_ENABLED=True, PASSWORD_GUESSES_PER_ADDRESS="2 per minute")
    seed(app)
    client = app.test_client()

    answers = [form_login(client, "desk", "wrong password here").status_code for _ in range(3)]

    assert answers == [401, 401, 429]
    refused = form_login(client)  # even the right password, until the minute is over
    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True)
    assert client.get("/api/me").status_code == 401


def test_the_logout_form_ends_the_session(staff):
    response = staff.post("/desk/logout", data={"csrf_token": csrf_token(staff, "/desk")})

    assert response.headers["Location"] == "/desk/login"
    assert staff.get("/api/me").status_code == 401
    assert staff.get("/desk").status_code == 302


def test_the_logout_form_needs_its_csrf_token(staff):
    assert staff.post("/desk/logout").status_code == 400
    assert staff.get("/api/me").status_code == 200


# --- The display page -------------------------------------------------------------


def test_the_display_page_names_the_site_and_shows_every_service(client):
    config = page_config(client.get("/display"))

    assert config["site"]["slug"] == SITE
    assert config["shown_services"] is None
    assert [s["prefix"] for s in config["services"]] == ["G", "B", "V", "N"]
    assert config["rooms"]["lab-2"]["services"] == ["B", "V"]


def test_the_display_turns_its_pages_in_the_cycle_the_site_file_gives(app, client):
    assert page_config(client.get("/display"))["cycle_seconds"] == 30

    text = re.sub(
        r"(?m)^display_cycle_seconds = 30", "display_cycle_seconds = 12", DEMO_SITE.read_text()
    )
    load_site_text(app, text)

    config = page_config(client.get("/display"))
    assert config["cycle_seconds"] == 12
    assert config["strings"]["page_of"] == "{page} of {pages}"


def test_the_display_shows_and_speaks_only_the_sites_display_languages(client):
    config = page_config(client.get("/display"))
    assert config["site"]["languages"] == ["en", "es", "fr", "pt", "zh", "vi", "ar", "pl"]
    assert config["display_languages"] == ["en", "es"]  # the demo's display_languages
    assert set(config["speech"]) == {"en", "es"}  # JSON sorts keys: the order is above

    # ?lang= puts the page's language first, then the display's others.
    french = page_config(client.get("/display?lang=fr"))
    assert french["language"] == "fr"
    assert french["display_languages"] == ["fr", "en", "es"]
    assert sorted(french["speech"]) == ["en", "es", "fr"]
    spanish = page_config(client.get("/display?lang=es"))
    assert spanish["display_languages"] == ["es", "en"]


def test_a_site_without_display_languages_shows_its_first_two(app, client):
    text = re.sub(r"(?m)^display_languages = .*\n", "", DEMO_SITE.read_text())
    load_site_text(app, text)
    assert page_config(client.get("/display"))["display_languages"] == ["en", "es"]

    load_site_text(
        app,
        text.replace(
            "display_cycle_seconds = 30",
            'display_languages = ["pl", "ar"]\ndisplay_cycle_seconds = 30',
            1,
        ),
    )
    config = page_config(client.get("/display"))
    assert config["language"] == "pl"  # the first display language, unless ?lang= says
    assert config["display_languages"] == ["pl", "ar"]
    assert set(config["speech"]) == {"pl", "ar"}


def test_the_display_can_be_pointed_at_some_services(client):
    config = page_config(client.get("/display?services=B,vaccines"))

    assert config["shown_services"] == ["B", "V"]


def test_a_named_display_shows_the_services_the_site_file_gives_it(app, client):
    text = DEMO_SITE.read_text().replace(
        'name = "Main waiting hall"', 'name = "Main waiting hall"\nservices = ["B", "V"]'
    )
    load_site_text(app, text)

    config = page_config(client.get("/display?device=main-hall"))

    assert config["shown_services"] == ["B", "V"]
    assert config["device"] == {"code": "main-hall", "name": "Main waiting hall"}


def test_an_unknown_device_code_shows_everything(client):
    config = page_config(client.get("/display?device=tv-in-the-corridor"))

    assert config["shown_services"] is None
    assert config["device"] == {"code": "tv-in-the-corridor", "name": None}


def test_a_display_asked_for_an_unknown_service_says_so_on_screen(client):
    response = client.get("/display?services=B,Q")

    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "There is no open service &#39;Q&#39; here." in response.get_data(as_text=True)


def test_a_display_needs_a_site_when_the_server_runs_several(app, client):
    other = re.sub(r'(?m)^slug = "riverside"$', 'slug = "hilltop"', DEMO_SITE.read_text())
    load_site_text(app, other)

    assert client.get("/display").status_code == 400
    assert page_config(client.get("/display?site=hilltop"))["site"]["slug"] == "hilltop"


def test_the_display_speaks_in_its_page_language_and_the_display_languages(client):
    config = page_config(client.get("/display?lang=es"))

    assert config["language"] == "es"
    assert config["speech"]["en"] == "Ticket {number}, please go to {room}."
    assert config["speech"]["es"] == "Número {number}, por favor pase a {room}."
    assert set(config["speech"]) == {"en", "es"}
    assert config["strings"]["waiting"]["other"] == "{count} en espera"
    arabic = page_config(client.get("/display?lang=ar"))
    assert arabic["speech"]["ar"] == "التذكرة {number}، يُرجى التوجّه إلى {room}."
    assert set(arabic["speech"]) == {"ar", "en", "es"}


def test_the_display_is_sent_enough_calls_for_three_at_once_and_six_before(app, client, staff):
    for _ in range(11):
        walk_in(client, "G")
        act(staff, "rooms/room-1/call-next", {"previous": "no_show"})

    with app.app_context():
        calls = services.display_snapshot(SITE)["state"]["calls"]

    assert [c["number"] for c in calls] == [f"G-{n:03}" for n in range(11, 2, -1)]
    # display.js puts calls made within seconds of each other side by side, by time.
    assert all(c["at"] for c in calls)


def test_the_display_page_holds_no_patient_name(client, staff):
    act(staff, "tickets", {"service": "B", "patient_name": "Zebedee Quartermaine"}, status=201)
    act(staff, "rooms/lab-1/call-next")

    page = client.get("/display").get_data(as_text=True)

    assert "Zebedee" not in page
    assert "Quartermaine" not in page


def test_each_call_on_the_display_says_its_service(app, client, staff):
    walk_in(client, "V")
    act(staff, "rooms/lab-2/call-next")

    screen = socket(app, {"display": SITE})
    [snapshot] = received(screen, "display_update")

    assert snapshot["state"]["calls"][0]["service"] == "V"


# --- Presence: which screens are connected ----------------------------------------


def devices_by_code(devices):
    return {d["code"]: d for d in devices}


@pytest.fixture
def desk(app, staff):
    sock = socket(app, {"staff": SITE}, http=staff)
    assert sock.is_connected()
    return sock


def test_staff_see_every_named_screen_even_when_none_is_connected(desk):
    [snapshot] = received(desk, "staff_update")

    devices = devices_by_code(snapshot["devices"])
    assert devices["main-hall"] == {
        "kind": "display",
        "code": "main-hall",
        "name": "Main waiting hall",
        "connected": False,
        "since": None,
        "sockets": 0,
    }
    assert devices["entrance"]["kind"] == "kiosk"
    assert not devices["entrance"]["connected"]


def test_desks_hear_when_a_display_connects_and_when_it_goes(app, clock, desk):
    desk.get_received()
    screen = socket(app, {"display": SITE, "device": "main-hall"})

    [arrived] = received(desk, "staff_update")
    assert arrived["kind"] == "presence"
    hall = devices_by_code(arrived["devices"])["main-hall"]
    assert hall["connected"]
    assert hall["since"] == clock.now.isoformat()

    screen.disconnect()
    [left] = received(desk, "staff_update")
    assert not devices_by_code(left["devices"])["main-hall"]["connected"]


def test_a_screen_counts_from_its_oldest_socket(app, clock):
    first = clock.now.isoformat()
    socket(app, {"display": SITE, "device": "main-hall"})
    clock.advance(minutes=5)
    socket(app, {"display": SITE, "device": "main-hall"})

    snapshot = services_staff_snapshot(app)

    hall = devices_by_code(snapshot["devices"])["main-hall"]
    assert (hall["since"], hall["sockets"]) == (first, 2)


def services_staff_snapshot(app):
    with app.app_context():
        return services.staff_snapshot(SITE)


def test_an_unknown_device_code_is_listed_without_a_name(app, desk):
    desk.get_received()
    socket(app, {"display": SITE, "device": "tv-9"})
    socket(app, {"display": SITE})

    updates = received(desk, "staff_update")
    assert [u["kind"] for u in updates] == ["presence", "presence"]
    devices = devices_by_code(updates[-1]["devices"])
    assert devices["tv-9"]["name"] is None
    assert devices["tv-9"]["kind"] is None
    assert devices["tv-9"]["connected"]
    assert devices[None]["connected"]  # a display that gave no code at all


def test_presence_goes_to_staff_only(app, client, desk):
    screen = socket(app, {"display": SITE})
    phone = socket(app, {"ticket": walk_in(client, "G")["token"]})
    for sock in (screen, phone, desk):
        sock.get_received()

    socket(app, {"display": SITE, "device": "main-hall"}).disconnect()

    assert [u["kind"] for u in received(desk, "staff_update")] == ["presence", "presence"]
    assert received(screen, "staff_update") == []
    assert received(phone, "staff_update") == []


def test_presence_does_not_move_the_sequence(app, staff, desk):
    seq = staff.get(f"/api/sites/{SITE}/queue").get_json()["seq"]
    desk.get_received()

    socket(app, {"display": SITE, "device": "main-hall"})

    [update] = received(desk, "staff_update")
    assert update["seq"] == seq
    assert staff.get(f"/api/sites/{SITE}/queue").get_json()["seq"] == seq


def test_the_display_has_every_plural_form_of_its_language(client):
    """Polish says "2 czekają" but "5 czeka"; Arabic has six forms: display.js needs each."""
    polish = page_config(client.get("/display?lang=pl"))["strings"]["waiting"]
    assert polish == {"one": "{count} czeka", "few": "{count} czekają", "many": "{count} czeka"}
    arabic = page_config(client.get("/display?lang=ar"))["strings"]["waiting"]
    assert set(arabic) == {"zero", "one", "two", "few", "many", "other"}
