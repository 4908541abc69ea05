"""Wayfinding over HTTP: GET /api/sites/<site>/destinations and .../route, and the
services behind them (the map stored at load, a called room's hint, waiting areas)."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest

from server import services
from server.extensions import db
from server.sites.schema import parse_site_text
from server.storage.models import Site
from tests.conftest import DEMO_SITE, SITE
from tests.domain.test_wayfinding_map_file import GOOD as SMALL_SITE

ROUTE = f"/api/sites/{SITE}/route"
DESTINATIONS = f"/api/sites/{SITE}/destinations"


def load(app, text):
    with app.app_context():
        services.load_site(parse_site_text(text))


def demo_without_map(slug="hilltop"):
    text = DEMO_SITE.read_text(encoding="utf-8")
    text = text[: text.index("# --- The map")]
    return re.sub(r'(?m)^slug = "riverside"$', f'slug = "{slug}"', text)


def small_site_with_no_step_free_way_to_room_2():
    """The small test site with its elevator gone: room 2 is up a flight of stairs."""
    elevator = '[[map.edges]]\nfrom = "hall"\nto = "landing"\nkind = "elevator"\nseconds = 40\n\n'
    assert elevator in SMALL_SITE
    text = SMALL_SITE.replace(elevator, "")
    return text.replace('node = "room-2-door"\n', 'node = "room-2-door"\nstep_free = false\n')


def point_labels(svg):
    """{"route-start": label, ...}: the labelled points of a route drawing."""
    ns = {"svg": "http://www.w3.org/2000/svg"}
    root = ElementTree.fromstring(svg)
    return {
        group.get("class").split()[1]: group.find("svg:text", ns).text
        for group in root.iterfind("svg:g", ns)
        if "route-point" in group.get("class", "")
    }


def route(client, **query):
    return client.get(ROUTE, query_string=query)


# --- Destinations ------------------------------------------------------------------


def test_destinations_list_every_room_of_the_site_and_the_other_places(client):
    response = client.get(DESTINATIONS)

    assert response.status_code == 200
    body = response.get_json()
    codes = {d["code"] for d in body["destinations"]}
    assert {"room-1", "room-2", "room-3", "lab-1", "lab-2", "treatment"} <= codes
    assert {"main-waiting", "restrooms", "main-exit", "lab", "pharmacy"} <= codes
    assert body["kiosks"] == [{"code": "entrance", "name": "Entrance kiosk", "floor": "ground"}]
    assert [f["code"] for f in body["floors"]] == ["ground", "level-1"]
    room_3 = next(d for d in body["destinations"] if d["code"] == "room-3")
    assert room_3["name"] == "Room 3"
    assert room_3["floor_name"] == "Level 1"
    assert room_3["room"] == "room-3"


def test_destinations_are_named_in_the_language_asked(client):
    body = client.get(DESTINATIONS, query_string={"lang": "es"}).get_json()

    room_3 = next(d for d in body["destinations"] if d["code"] == "room-3")
    assert body["language"] == "es"
    assert (room_3["name"], room_3["floor_name"], room_3["kind_name"]) == (
        "Consulta 3",
        "Planta 1",
        "Consultas y mostradores",
    )
    assert room_3["names"]["en"] == "Room 3"
    assert room_3["names"]["es"] == "Consulta 3"
    assert len(room_3["names"]) == 8  # every language of the demo


def test_destinations_of_an_unknown_site_are_not_found(client):
    response = client.get("/api/sites/atlantis/destinations")

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_site"


def test_a_site_without_a_map_says_so(app, client):
    load(app, demo_without_map())

    for path in ("/api/sites/hilltop/destinations", "/api/sites/hilltop/route?to=room-1"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"] == "no_site_map"


# --- Routes ------------------------------------------------------------------------


def test_a_route_from_the_kiosk_has_steps_walking_time_and_a_drawing_per_floor(client):
    response = route(client, to="room-3")

    assert response.status_code == 200
    body = response.get_json()
    assert body["from"] == {
        "code": "entrance",
        "kind": "kiosk",
        "name": "Entrance kiosk",
        "floor": "ground",
    }
    assert body["to"]["code"] == "room-3"
    assert body["mode"] == "shortest"
    assert [s["text"] for s in body["steps"]] == [
        "Go straight ahead towards the stairs.",
        "Take the stairs up to Level 1. Then walk towards the water fountain.",
        "Turn left at the water fountain.",
        "Room 3: the first door on your left.",
    ]
    assert body["uses"] == ["stairs"]
    assert body["minutes"] == 1 and body["duration"] == "About 1 minute on foot"
    assert body["metres"] == 34
    assert [d["floor"] for d in body["drawings"]] == ["ground", "level-1"]
    for drawing in body["drawings"]:
        assert drawing["svg"].startswith("<svg ")
        assert 'role="img"' in drawing["svg"] and "<title " in drawing["svg"]
    assert point_labels(body["drawings"][0]["svg"]) == {
        "route-start": "You are here",
        "route-change": "To Level 1",
    }
    assert point_labels(body["drawings"][1]["svg"]) == {
        "route-change": "From Ground floor",
        "route-end": "Room 3",
    }
    assert body["url"] == "/route?site=riverside&from=entrance&to=room-3&mode=shortest&lang=en"


def test_the_step_free_route_avoids_the_stairs_and_takes_longer(client):
    shortest = route(client, to="room-3").get_json()
    step_free = route(client, to="room-3", mode="step_free").get_json()

    assert step_free["mode"] == "step_free"
    assert step_free["uses"] == ["elevator"]
    assert step_free["seconds"] > shortest["seconds"]
    assert "Take the elevator to Level 1." in step_free["steps"][2]["text"]


def test_a_route_is_told_in_the_language_asked(client):
    body = route(client, to="room-3", mode="step_free", lang="es").get_json()

    assert body["language"] == "es"
    assert body["steps"][0]["text"] == "Gire a la derecha y camine hacia la cafetería."
    assert body["steps"][-1]["text"] == "Consulta 3: la primera puerta a su derecha."
    assert body["duration"] == "Unos 2 minutos a pie"
    assert "Está aquí" in body["drawings"][0]["svg"]


def test_a_language_the_site_does_not_speak_falls_back_to_its_first(client):
    body = route(client, to="room-1", lang="de").get_json()

    assert body["language"] == "en"
    assert body["steps"][-1]["text"] == "Room 1: the first door on your right."


def test_a_route_may_start_at_a_waiting_area(client):
    body = route(client, to="room-3", **{"from": "main-waiting"}).get_json()

    assert body["from"]["kind"] == "waiting"
    assert body["steps"][0]["text"] == "From Main waiting area, walk towards the vending machines."
    assert point_labels(body["drawings"][0]["svg"]) == {
        "route-start": "Main waiting area",  # not "You are here": no kiosk there
        "route-change": "To Level 1",
    }


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"to": "room-99"}, 404, "unknown_destination"),
        ({"to": "room-1", "from": "roof"}, 404, "unknown_place"),
        ({"to": "room-1", "mode": "fastest"}, 400, "invalid_input"),
        ({"to": "room-1", "lang": "english"}, 400, "invalid_input"),
        ({"to": "room-1", "colour": "red"}, 400, "invalid_input"),
        ({}, 400, "invalid_input"),
    ],
)
def test_a_bad_route_request_is_refused_clearly(client, query, status, code):
    response = route(client, **query)

    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_no_step_free_way_is_refused_with_a_clear_message(app, client):
    load(app, small_site_with_no_step_free_way_to_room_2())

    refused = client.get("/api/sites/test/route?to=room-2&mode=step_free")
    shortest = client.get("/api/sites/test/route?to=room-2")

    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["code"] == "no_step_free_route"
    assert "no step-free way" in error["message"]
    assert shortest.status_code == 200
    assert shortest.get_json()["uses"] == ["stairs"]


def test_wayfinding_needs_no_login_and_is_in_the_api_document(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]

    for path in ("/api/sites/{site}/destinations", "/api/sites/{site}/route"):
        assert paths[path]["get"]["tags"] == ["wayfinding"]
        assert "security" not in paths[path]["get"]


# --- The services behind them -------------------------------------------------------


def test_loading_a_site_stores_its_checked_map_and_reloading_without_one_clears_it(app):
    with app.app_context():
        stored = db.session.query(Site).filter_by(slug=SITE).one().settings["map"]
        assert {d["code"] for d in stored["destinations"]} >= {"room-1", "pharmacy"}
        assert stored["kiosks"][0]["facing"] == 180.0
        services.load_site(parse_site_text(demo_without_map(slug=SITE)))
        assert db.session.query(Site).filter_by(slug=SITE).one().settings["map"] is None


@pytest.mark.parametrize(
    ("room", "language", "hint"),
    [
        ("room-3", "en", "Room 3, Level 1, take the elevator"),
        ("treatment", "es", "Sala de curas, Planta 1, tome el ascensor"),
        ("room-1", "en", "Room 1, Ground floor"),
    ],
)
def test_a_called_room_has_a_one_line_hint_for_the_display(app, room, language, hint):
    with app.app_context():
        assert services.room_hint(SITE, room, language) == hint


def test_room_hints_for_several_rooms_leave_out_what_the_map_lacks(app):
    with app.app_context():
        hints = services.room_hints(SITE, ["room-1", "no-such-room"], "en")

    assert hints == {"room-1": "Room 1, Ground floor"}


def test_no_hint_without_a_map(app):
    load(app, demo_without_map())

    with app.app_context():
        assert services.room_hint("hilltop", "room-1", "en") is None


@pytest.mark.parametrize(("service", "area"), [("N", "upper-waiting"), ("G", "main-waiting")])
def test_each_service_waits_in_its_waiting_area(app, service, area):
    with app.app_context():
        assert services.waiting_area_for(SITE, service) == area
