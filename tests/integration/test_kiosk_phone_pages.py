"""The kiosk and phone pages over HTTP: status codes, headers, language, the QR code
and its link, and the appointment look-up the kiosk confirms before checking in."""

from __future__ import annotations

import json
import re

import pytest
from flask_babel import force_locale

from kiosk.texts import kiosk_texts
from server.extensions import db
from server.phone.texts import phone_texts
from server.qr import qr_svg
from server.storage.models import Site
from tests.conftest import SITE, act, make_app, seed, walk_in

# RV1003 in the demo appointments: Carla Okafor, born 2003-02-12, due 08:50 London; the
# test clock says 09:00, so she may check in. RV1024 is due at 17:35: far too early.
CARLA = {"code": "RV1003", "first_name": "Carla", "last_name": "Okafor", "dob": "2003-02-12"}


def page_config(response, element_id):
    """The JSON a page hands to its script."""
    html = response.get_data(as_text=True)
    found = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html)
    assert found, f"no #{element_id} in the page"
    return json.loads(found[1])


def html_lang(response):
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True))[1]


# --- The kiosk page -----------------------------------------------------------------


def test_the_kiosk_starts_in_the_sites_first_language_whatever_the_browser_asks(client):
    response = client.get("/kiosk", headers={"Accept-Language": "es"})

    assert response.status_code == 200
    assert html_lang(response) == "en"
    assert "Welcome. Check in here." in response.get_data(as_text=True)


def test_the_kiosk_gets_every_word_in_each_of_the_sites_languages(client):
    config = page_config(client.get("/kiosk"), "kiosk-config")

    assert set(config["texts"]) == {"en", "es", "fr", "pt", "zh", "vi", "ar", "pl"}
    assert config["directions"]["ar"] == "rtl"
    assert config["directions"]["zh"] == "ltr"
    assert config["texts"]["en"]["walk_in"] == "Walk-in"
    assert config["texts"]["es"]["walk_in"] == "Sin cita"
    assert set(config["texts"]["en"]) == set(config["texts"]["es"])


def test_the_kiosk_connects_as_the_sites_first_kiosk_unless_told(client):
    assert page_config(client.get("/kiosk"), "kiosk-config")["device"] == "entrance"
    told = page_config(client.get("/kiosk?site=riverside&device=side-door"), "kiosk-config")
    assert told["device"] == "side-door"


def test_the_kiosk_for_an_unknown_site_is_a_page_not_an_api_error(client):
    response = client.get("/kiosk?site=nowhere")

    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "This kiosk is not set up" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "idle", "warning"),
    [
        ("", 60, 30),
        ("?idle=90&warning=45", 90, 45),
        # The warning stays up at least 20 s, whatever the address says (WCAG 2.2.1).
        ("?idle=1&warning=5", 10, 20),
        ("?idle=soon&warning=later", 60, 30),
    ],
)
def test_idle_timeouts_come_from_the_address_within_limits(client, query, idle, warning):
    config = page_config(client.get(f"/kiosk{query}"), "kiosk-config")

    assert (config["idle_seconds"], config["warning_seconds"]) == (idle, warning)


# --- The phone link and its QR code --------------------------------------------------


def kiosk_links(client):
    urls = page_config(client.get("/kiosk"), "kiosk-config")["urls"]
    return urls["phone"], urls["phone_short"]


def test_without_a_public_address_the_link_uses_the_address_the_kiosk_came_to(client):
    phone, short = kiosk_links(client)

    assert phone == "http://localhost/t/__token__"
    assert short == "localhost/t/__token__"


def test_public_url_sets_the_links_address(clock):
    app = make_app(clock, PUBLIC_URL="http://192.168.1.20:5000/")
    seed(app)

    phone, short = kiosk_links(app.test_client())

    assert phone == "http://192.168.1.20:5000/t/__token__"
    assert short == "192.168.1.20:5000/t/__token__"


def test_the_site_files_public_url_wins_over_public_url(clock):
    app = make_app(clock, PUBLIC_URL="http://192.168.1.20:5000")
    seed(app)
    with app.app_context():
        site = db.session.query(Site).filter_by(slug=SITE).one()
        site.settings = {**site.settings, "public_url": "https://queue.riverside.example"}
        db.session.commit()

    phone, _ = kiosk_links(app.test_client())

    assert phone == "https://queue.riverside.example/t/__token__"


def test_the_qr_code_is_an_svg_of_the_tickets_phone_link(clock):
    app = make_app(clock, PUBLIC_URL="http://192.168.1.20:5000")
    seed(app)
    client = app.test_client()
    token = walk_in(client)["token"]

    response = client.get(f"/kiosk/tickets/{token}/qr.svg")

    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_data(as_text=True) == qr_svg(f"http://192.168.1.20:5000/t/{token}")
    assert response.get_data(as_text=True) != qr_svg(f"http://localhost/t/{token}")


def test_there_is_no_qr_code_for_an_unknown_or_ended_ticket(client):
    token = walk_in(client)["token"]
    client.post(f"/api/tickets/{token}/cancel", json={})

    assert client.get("/kiosk/tickets/never-issued/qr.svg").status_code == 404
    assert client.get(f"/kiosk/tickets/{token}/qr.svg").status_code == 410


# --- The phone page ---------------------------------------------------------------------


def test_the_phone_page_is_private_and_uncached(client):
    token = walk_in(client)["token"]

    response = client.get(f"/t/{token}")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert '<meta name="referrer" content="no-referrer">' in response.get_data(as_text=True)


def test_the_phone_page_is_in_the_tickets_language(client):
    token = walk_in(client, language="es")["token"]

    response = client.get(f"/t/{token}", headers={"Accept-Language": "en"})

    assert html_lang(response) == "es"
    html = response.get_data(as_text=True)
    assert "Su número" in html
    assert "Saltar al contenido principal" in html
    config = page_config(response, "phone-config")
    assert config["language"] == "es"
    assert config["texts"]["called"] == "Es su turno: vaya a {room}"


def test_the_phone_page_shows_the_number_and_never_the_name(client):
    checked_in = client.post(
        f"/api/sites/{SITE}/checkins/appointment", json={"code": CARLA["code"]}
    ).get_json()

    response = client.get(f"/t/{checked_in['token']}")

    html = response.get_data(as_text=True)
    assert checked_in["ticket"]["number"] in html
    for secret in (CARLA["first_name"], CARLA["last_name"], CARLA["dob"]):
        assert secret not in html


def test_an_unknown_or_ended_ticket_gets_the_same_friendly_page(client, staff):
    token = walk_in(client)["token"]
    number = client.get(f"/api/tickets/{token}").get_json()["ticket"]["number"]
    ticket_id = next(t["id"] for t in queue_tickets(staff) if t["number"] == number)
    # Cancelled: a visit that ended with no survey (a done visit's page becomes its
    # survey for 7 days: tests/integration/test_feedback.py).
    act(staff, f"tickets/{ticket_id}/call", {"room": "room-1"})
    act(staff, f"tickets/{ticket_id}/cancel")

    unknown = client.get("/t/never-issued")
    ended = client.get(f"/t/{token}")

    assert (unknown.status_code, ended.status_code) == (404, 410)
    assert unknown.get_data() == ended.get_data()
    assert "This ticket is no longer active" in ended.get_data(as_text=True)
    assert number not in ended.get_data(as_text=True)
    for response in (unknown, ended):
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"


def queue_tickets(staff):
    return staff.get(f"/api/sites/{SITE}/queue").get_json()["tickets"]


# --- Looking up an appointment before checking in -------------------------------------------


def lookup(client, **body):
    return client.post(f"/api/sites/{SITE}/appointments/lookup", json=body)


def test_lookup_by_code_tells_only_first_name_time_and_service(client):
    response = lookup(client, code="rv1003")

    assert response.status_code == 200
    found = response.get_json()
    names = found["service"].pop("names")
    assert found == {
        "first_name": "Carla",
        "time": "08:50",
        "service": {"code": "general", "prefix": "G"},
    }
    assert (names["en"], names["es"], len(names)) == ("General practice", "Medicina general", 8)


def test_lookup_by_last_name_and_birth_date(client):
    response = lookup(client, last_name="okafor", date_of_birth=CARLA["dob"])

    assert response.status_code == 200
    assert response.get_json()["first_name"] == "Carla"


def test_lookup_changes_nothing(client, staff):
    before = queue_tickets(staff)

    lookup(client, code=CARLA["code"])

    assert queue_tickets(staff) == before
    checked_in = client.post(f"/api/sites/{SITE}/checkins/appointment", json={"code": "RV1003"})
    assert checked_in.status_code == 201


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"code": "RV9999"}, 404, "appointment_not_found"),
        ({"last_name": "Okafor", "date_of_birth": "2003-02-13"}, 404, "appointment_not_found"),
        ({"code": "RV1024"}, 422, "too_early"),
    ],
)
def test_lookup_refuses_as_check_in_would(client, body, status, code):
    response = lookup(client, **body)

    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_lookup_of_an_appointment_already_checked_in_says_so(client):
    client.post(f"/api/sites/{SITE}/checkins/appointment", json={"code": CARLA["code"]})

    response = lookup(client, code=CARLA["code"])

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "already_checked_in"


def test_lookup_too_late_says_so(client, clock):
    clock.advance(hours=1)  # 10:00: RV1003 was due at 08:50, the kiosk allows 30 min

    response = lookup(client, code=CARLA["code"])

    assert response.get_json()["error"]["code"] == "too_late"


@pytest.mark.parametrize(
    "body",
    [
        {"code": "RV1003", "last_name": "Okafor", "date_of_birth": "2003-02-12"},
        {"last_name": "Okafor"},
        {"code": "RV1003", "language": "es"},
        {},
    ],
)
def test_lookup_takes_one_way_to_find_it_and_nothing_else(client, body):
    response = lookup(client, **body)

    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_input"


def test_lookup_is_rate_limited_like_check_in(clock):
    app = make_app(clock, RATELIMIT_ENABLED=True, APPOINTMENT_GUESSES_PER_ADDRESS="2 per minute")
    seed(app)
    client = app.test_client()

    statuses = [lookup(client, code="RV9999").status_code for _ in range(3)]

    assert statuses == [404, 404, 429]


def test_the_lookup_is_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]

    assert "post" in paths["/api/sites/{site}/appointments/lookup"]


# --- Translations ---------------------------------------------------------------------------


@pytest.mark.parametrize("texts", [kiosk_texts, phone_texts], ids=["kiosk", "phone"])
def test_every_word_the_scripts_show_has_a_spanish_translation(app, texts):
    with app.test_request_context():
        with force_locale("en"):
            english = texts()
        with force_locale("es"):
            spanish = texts()
    untranslated = [key for key in english if english[key] == spanish[key]]
    assert untranslated == []
    for key, text in english.items():
        placeholders = set(re.findall(r"\{\w+\}", text))
        assert placeholders == set(re.findall(r"\{\w+\}", spanish[key])), key
