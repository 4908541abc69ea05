"""The admin console's edits (services/site_admin.py): each edit is saved, audited and
published; each refusal names the field and changes nothing; export then load gives the
same site."""

from __future__ import annotations

import copy
import tomllib
from typing import Any

import pytest
from sqlalchemy import select

from server.extensions import db
from server.services import Actor, site_admin
from server.services.site_admin import SiteEditRefused
from server.services.sites import load_site
from server.sites.schema import parse_site_file, parse_site_text
from server.storage import queries
from server.storage.models import AuditEntry, Site
from tests.conftest import DEMO_SITE, SITE, received, socket
from tests.e2e.heavy_site import heavy_site_text

ADMIN = Actor(username="admin-test", address="10.0.0.9")


DEMO_LANGUAGES = ["en", "es", "fr", "pt", "zh", "vi", "ar", "pl"]  # the demo site's


def words(en: str, es: str) -> dict[str, str]:
    """A name in every language of the demo site: its English for the six a test does not
    read (the site file refuses a name missing in one of the site's languages)."""
    return {language: en for language in DEMO_LANGUAGES} | {"en": en, "es": es}


def parts(app) -> dict[str, Any]:
    with app.app_context():
        return site_admin.site_file_data(queries.get_site(SITE))


def edit(app, part: str, value: Any) -> dict[str, Any]:
    with app.app_context():
        return site_admin.edit_site(SITE, part, value, actor=ADMIN)


def refused(app, part: str, value: Any) -> str:
    """The refusal's message, after checking that the site did not change at all."""
    before = whole_site(app)
    with app.app_context(), pytest.raises(SiteEditRefused) as caught:
        site_admin.edit_site(SITE, part, value, actor=ADMIN)
    assert whole_site(app) == before
    return caught.value.message


def whole_site(app) -> dict[str, Any]:
    """Everything the database holds of the site's description, rows included."""
    with app.app_context():
        db.session.expire_all()
        site = queries.get_site(SITE)
        return {
            "file": site_admin.site_file_data(site),
            "settings": copy.deepcopy(site.settings),
            "services": [
                (s.code, s.prefix, s.names, s.typical_minutes, s.colour, s.active, s.position)
                for s in site.services
            ],
            "rooms": [
                (r.code, r.names, r.active, r.position, sorted(s.code for s in r.services), r.hours)
                for r in site.rooms
            ],
            "devices": sorted((d.kind, d.code, d.name, d.config, d.active) for d in site.devices),
            "audit": db.session.scalar(select(db.func.count()).select_from(AuditEntry)),
        }


def last_edit(app) -> AuditEntry:
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "site_edited")
            .order_by(AuditEntry.id.desc())
        ).first()
        assert entry is not None
        db.session.expunge(entry)
        return entry


# --- The site -----------------------------------------------------------------------


def test_the_site_part_is_saved_and_audited_with_before_and_after(app):
    head = parts(app)["site"]
    changed = {
        **head,
        "name": "Riverside Health Centre",
        "timezone": "Europe/Madrid",
        "delay_notice_minutes": 15,
        "display_cycle_seconds": 45,
        "display_languages": ["es", "ar"],
        "personal_data_days": 7,
        "public_url": "http://192.168.1.20:5000",
        "hours": {"mon": ["08:00-12:30", "13:30-18:00"]},
    }
    edit(app, "site", changed)
    with app.app_context():
        site = queries.get_site(SITE)
        assert (site.name, site.timezone) == ("Riverside Health Centre", "Europe/Madrid")
        assert site.settings["delay_notice_minutes"] == 15
        assert site.settings["hours"] == {"mon": ["08:00-12:30", "13:30-18:00"]}
        assert site.settings["personal_data_days"] == 7
        assert site.settings["display_languages"] == ["es", "ar"]
    # The site file the console writes keeps it.
    assert tomllib.loads(export(app))["site"]["display_languages"] == ["es", "ar"]
    entry = last_edit(app)
    assert entry.username == "admin-test" and entry.address == "10.0.0.9"
    assert entry.detail["part"] == "site"
    assert entry.detail["before"]["name"] == "Riverside Family Clinic"
    assert entry.detail["after"]["name"] == "Riverside Health Centre"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "site.name"),
        ({"timezone": "Mars/Olympus"}, "site.timezone"),
        ({"languages": []}, "site.languages"),
        ({"languages": [*DEMO_LANGUAGES, "de"]}, "services[0].name: no translation for de"),
        ({"delay_notice_minutes": 0}, "site.delay_notice_minutes"),
        ({"delay_notice_minutes": "soon"}, "site.delay_notice_minutes"),
        ({"display_cycle_seconds": 5}, "site.display_cycle_seconds"),
        ({"display_languages": ["en", "xx"]}, "site.display_languages"),
        ({"display_languages": ["en", "es", "fr", "pt"]}, "site.display_languages"),
        ({"languages": ["fr"], "display_languages": ["en"]}, "site.display_languages"),
        ({"hours": {"mon": ["18:00-08:00"]}}, "site.hours"),
        ({"hours": {"someday": ["08:00-12:00"]}}, "site.hours"),
        ({"public_url": "not a url"}, "site.public_url"),
        ({"colour": "red"}, "site.colour"),
    ],
)
def test_a_bad_site_part_is_refused_naming_the_field(app, change, field):
    message = refused(app, "site", {**parts(app)["site"], **change})
    assert field in message


def test_the_slug_cannot_be_changed_through_the_site_part(app):
    edit(app, "site", {**parts(app)["site"], "slug": "elsewhere"})
    with app.app_context():
        assert db.session.scalar(select(Site.slug)) == SITE


@pytest.mark.parametrize("day_starts", ["06:00", "never"])
def test_the_sites_day_start_is_edited_and_blank_is_midnight(app, day_starts):
    edit(app, "site", {**parts(app)["site"], "day_starts": day_starts})
    with app.app_context():
        site = queries.get_site(SITE)
        assert site.settings["day_starts"] == day_starts
        assert site.days.carries_over == (day_starts == "never")
    assert last_edit(app).detail["after"]["day_starts"] == day_starts
    head = {key: value for key, value in parts(app)["site"].items() if key != "day_starts"}
    edit(app, "site", head)
    with app.app_context():
        assert queries.get_site(SITE).settings["day_starts"] is None


@pytest.mark.parametrize("day_starts", ["6 am", "06:00:30", "25:00", "sometimes"])
def test_a_bad_day_start_is_refused_naming_the_field(app, day_starts):
    message = refused(app, "site", {**parts(app)["site"], "day_starts": day_starts})
    assert "site.day_starts" in message


def test_a_rooms_own_hours_are_edited_and_taken_away(app):
    rooms = parts(app)["rooms"]
    rooms[0]["hours"] = {"mon": ["09:00-12:30", "13:30-17:00"], "tue": ["10:00-17:00"]}
    edit(app, "rooms", rooms)
    with app.app_context():
        room = queries.get_site(SITE).rooms[0]
        assert room.hours == {"mon": ["09:00-12:30", "13:30-17:00"], "tue": ["10:00-17:00"]}
    assert last_edit(app).detail["after"][0]["hours"]["tue"] == ["10:00-17:00"]
    rooms = parts(app)["rooms"]
    del rooms[0]["hours"]  # no hours: the site's again
    edit(app, "rooms", rooms)
    with app.app_context():
        assert queries.get_site(SITE).rooms[0].hours is None


@pytest.mark.parametrize(
    ("hours", "says"),
    [
        ({"mon": ["09:00-12:30", "12:00-17:00"]}, "rooms[0].hours: the intervals of 'mon' overlap"),
        ({"mon": ["17:00-09:00"]}, "rooms[0].hours"),
        ({"funday": ["09:00-12:00"]}, "rooms[0].hours"),
        ({"mon": ["nine to five"]}, "rooms[0].hours"),
    ],
)
def test_bad_own_hours_of_a_room_are_refused_naming_the_field(app, hours, says):
    rooms = parts(app)["rooms"]
    rooms[0]["hours"] = hours
    assert says in refused(app, "rooms", rooms)


CHRISTMAS = {"date": "2026-12-25", "reason": words("Christmas Day", "Navidad")}
EVE_AFTERNOON = {"date": "2026-12-24", "from": "13:00", "to": "24:00"}


def test_closures_are_edited_and_kept_with_the_site(app):
    assert parts(app)["closures"] == []
    edit(app, "closures", [CHRISTMAS, EVE_AFTERNOON])
    with app.app_context():
        site = queries.get_site(SITE)
        assert site.settings["closures"] == [CHRISTMAS, EVE_AFTERNOON]
    entry = last_edit(app)
    assert (entry.detail["part"], entry.detail["before"]) == ("closures", [])
    assert entry.detail["after"] == [CHRISTMAS, EVE_AFTERNOON]
    edit(app, "closures", [EVE_AFTERNOON])
    assert parts(app)["closures"] == [EVE_AFTERNOON]


@pytest.mark.parametrize(
    ("closure", "says"),
    [
        ({"date": "2026-02-30"}, "closures[0].date"),
        ({"date": "soon"}, "closures[0].date"),
        ({}, "closures[0].date"),
        ({"date": "2026-12-24", "from": "13:00"}, "closures[0]: give both from and to"),
        ({"date": "2026-12-24", "from": "14:00", "to": "13:00"}, "closures[0]: the interval"),
        ({"date": "2026-12-24", "from": "1pm", "to": "24:00"}, "closures[0]"),
        ({"date": "2026-12-24", "until": "13:00"}, "closures[0].until"),
        ({"date": "2026-12-25", "reason": {"en": "Christmas"}}, "closures[0].reason: no trans"),
    ],
)
def test_a_bad_closure_is_refused_naming_the_field(app, closure, says):
    edit(app, "closures", [CHRISTMAS])
    assert says in refused(app, "closures", [closure])


def test_delay_reasons_are_edited_and_need_every_language(app):
    reasons = parts(app)["delay_reasons"]
    reasons[0]["name"]["en"] = "An emergency came in"
    reasons.append({"code": "fire-drill", "name": words("A fire drill", "Un simulacro")})
    edit(app, "delay_reasons", reasons)
    with app.app_context():
        stored = queries.get_site(SITE).settings["delay_reasons"]
    assert stored[0]["name"]["en"] == "An emergency came in"
    assert stored[-1]["code"] == "fire-drill"
    lacking = [*reasons, {"code": "flood", "name": {"en": "A flood"}}]
    assert "delay_reasons[7].name: no translation for es" in refused(app, "delay_reasons", lacking)


# --- Services -----------------------------------------------------------------------


def test_a_service_is_renamed_recoloured_and_a_new_one_added(app):
    services = parts(app)["services"]
    services[0]["name"] = words("Family doctor", "Médico de familia")
    services[0]["colour"] = "#1f6feb"
    services.append(
        {
            "code": "physio",
            "prefix": "P",
            "typical_minutes": 20,
            "name": words("Physio", "Fisio"),
        }
    )
    edit(app, "services", services)
    with app.app_context():
        site = queries.get_site(SITE)
        general = queries.get_service(site, "general")
        assert general.names["en"] == "Family doctor" and general.colour == "#1f6feb"
        assert queries.get_service(site, "P").active


def test_a_service_no_room_serves_can_be_taken_out_of_use_and_back(app):
    rooms = parts(app)["rooms"]
    for room in rooms:
        room["services"] = [s for s in room["services"] if s != "vaccines"]
    edit(app, "rooms", rooms)
    services = parts(app)["services"]
    for service in services:
        service["active"] = service["code"] != "vaccines"
    edit(app, "services", services)
    with app.app_context():
        site = queries.get_site(SITE)
        assert [s.code for s in site.services if not s.active] == ["vaccines"]
        back = site_admin.console_parts(SITE)["inactive_services"]
    assert [s["code"] for s in back] == ["vaccines"]
    edit(app, "services", [*parts(app)["services"], back[0]])
    with app.app_context():
        assert all(s.active for s in queries.get_site(SITE).services)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"prefix": "g"}, "services[1].prefix"),
        ({"prefix": "G"}, "services[1].prefix: service prefix 'G' is used twice"),
        ({"typical_minutes": 0}, "services[1].typical_minutes"),
        ({"name": {"en": "Bloods"}}, "services[1].name: no translation for es"),
        ({"colour": "blue"}, "services[1].colour"),
        ({"code": "Blood Tests"}, "services[1].code"),
    ],
)
def test_a_bad_service_is_refused_naming_the_field(app, change, field):
    services = parts(app)["services"]
    services[1] |= change
    assert field in refused(app, "services", services)


def test_a_service_a_room_serves_cannot_be_taken_out_of_use(app):
    services = parts(app)["services"]
    services[1]["active"] = False
    assert "rooms[3].services: unknown service 'blood'" in refused(app, "services", services)


# --- Rooms, kiosks and displays -----------------------------------------------------


def test_a_renamed_room_reaches_the_display_at_once(app):
    screen = socket(app, {"display": SITE})
    screen.get_received()
    rooms = parts(app)["rooms"]
    rooms[0]["name"] = words("Consulting room A", "Consulta A")
    rooms[0]["services"] = ["general", "nurse"]
    edit(app, "rooms", rooms)
    [update] = received(screen, "display_update")
    assert update["seq"] > 0
    with app.app_context():
        room = queries.get_site(SITE).rooms[0]
        assert room.names["en"] == "Consulting room A"
        assert sorted(s.code for s in room.services) == ["general", "nurse"]
    assert last_edit(app).detail["after"][0]["name"]["es"] == "Consulta A"


def test_a_room_taken_out_of_use_needs_no_place_on_the_map_but_a_new_one_does(app):
    rooms = parts(app)["rooms"]
    rooms[-1]["active"] = False
    edit(app, "rooms", rooms)
    with app.app_context():
        assert not queries.get_site(SITE).rooms[-1].active
    new = {"code": "room-9", "name": words("Room 9", "Consulta 9"), "services": ["general"]}
    message = refused(app, "rooms", [*parts(app)["rooms"], new])
    assert "map.destinations: room 'room-9'" in message


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"services": []}, "rooms[0].services"),
        ({"services": ["dentist"]}, "rooms[0].services: unknown service 'dentist'"),
        ({"name": {"en": "Room one"}}, "rooms[0].name: no translation for es"),
        ({"code": "room-2"}, "rooms[1].code: room code 'room-2' is used twice"),
        ({"name": words("Room\x00", "Consulta")}, "rooms[0].name"),
    ],
)
def test_a_bad_room_is_refused_naming_the_field(app, change, field):
    rooms = parts(app)["rooms"]
    rooms[0] |= change
    assert field in refused(app, "rooms", rooms)


def test_kiosks_and_displays_are_edited(app):
    displays = parts(app)["displays"]
    displays[0]["name"] = "Hall TV"
    displays[0]["services"] = ["blood"]
    displays.append({"code": "tv-2", "name": "Lab corridor", "services": ["blood", "vaccines"]})
    edit(app, "displays", displays)
    kiosks = parts(app)["kiosks"]
    kiosks[0]["name"] = "Entrance kiosk"
    edit(app, "kiosks", kiosks)
    after = parts(app)
    assert after["displays"][0] == {**displays[0], "services": ["blood"]}
    assert [d["code"] for d in after["displays"]][-1] == "tv-2"
    assert after["kiosks"][0]["name"] == "Entrance kiosk"


def test_a_bad_display_and_an_unplaced_kiosk_are_refused(app):
    displays = [*parts(app)["displays"], {"code": "tv-3", "name": "", "services": ["x-ray"]}]
    message = refused(app, "displays", displays)
    assert "displays[1].name" in message
    kiosks = [*parts(app)["kiosks"], {"code": "kiosk-2", "name": "Side door"}]
    assert "map.kiosks: kiosk 'kiosk-2' (kiosks[1]) is not on the map" in refused(
        app, "kiosks", kiosks
    )


def test_an_unknown_part_is_refused(app):
    assert "map_source" in refused(app, "map_source", {})


# --- The map ------------------------------------------------------------------------


def demo_map_text() -> str:
    text = DEMO_SITE.read_text()
    return text[text.index("[map]") if "[map]" in text else text.index("[[map.") :]


def test_a_map_upload_is_saved_with_its_floor_pictures(app, tmp_path):
    text = demo_map_text().replace('# image = "ground.png"', 'image = "ground.png"', 1)
    with app.app_context():
        site_admin.replace_map(SITE, text, {"ground.png": b"\x89PNG..."}, tmp_path, actor=ADMIN)
    with app.app_context():
        stored = queries.get_site(SITE).settings["map"]["floors"][0]["image"]
    assert stored.startswith(str(tmp_path / SITE)) and stored.endswith("ground.png")
    assert last_edit(app).detail["part"] == "map"


def test_a_bad_map_is_refused_by_key_and_line_and_its_pictures_are_not_kept(app, tmp_path):
    text = demo_map_text()
    lines = text.splitlines()
    first_x = next(i for i, line in enumerate(lines) if line.startswith("x ="))
    lines[first_x] = "x = 99999"
    before = whole_site(app)
    with app.app_context(), pytest.raises(SiteEditRefused) as caught:
        site_admin.replace_map(SITE, "\n".join(lines), {"plan.png": b"png"}, tmp_path)
    assert f"map.nodes[0].x (line {first_x + 1})" in caught.value.message
    assert whole_site(app) == before
    assert not any(path.is_file() for path in tmp_path.rglob("*"))


@pytest.mark.parametrize(
    ("text", "images", "says"),
    [
        ("[map\nfloors = 1", {}, "not valid TOML"),
        ('[site]\nname = "x"', {}, "give the [map] part only"),
        ("# nothing here\n", {}, "give the [map] part only"),
        (None, {"../escape.png": b"x"}, "not a floor picture's name"),
        (None, {"plan.exe": b"x"}, "not a floor picture's name"),
    ],
)
def test_a_map_upload_that_is_not_a_map_is_refused(app, tmp_path, text, images, says):
    with app.app_context(), pytest.raises(SiteEditRefused) as caught:
        site_admin.replace_map(SITE, text or demo_map_text(), images, tmp_path)
    assert says in caught.value.message


def test_a_route_is_previewed_on_a_map_not_saved(app):
    # The new map adds a waiting area by the entrance: the preview finds it, the saved
    # map does not know it.
    with app.app_context():
        current = queries.get_site(SITE).settings["map"]
        kiosk = current["kiosks"][0]
        names = ", ".join(f'{k} = "{v}"' for k, v in words("Front seats", "Asientos").items())
        text = demo_map_text() + (
            f'\n[[map.destinations]]\ncode = "front-seats"\nkind = "waiting"\n'
            f'node = "{kiosk["node"]}"\nname = {{ {names} }}\n'
        )
        route = site_admin.preview_route(SITE, text, {}, from_=None, to="front-seats")
        assert route["to"]["code"] == "front-seats"
        assert queries.get_site(SITE).settings["map"] == current


# --- Appointments -------------------------------------------------------------------


def test_an_appointments_preview_lists_every_bad_line_and_saves_nothing(app):
    csv_text = (
        "code,last_name,first_name,date_of_birth,service,time\n"
        "A1,Lopez,Ana,1980-02-03,G,09:30\n"
        "A2,Smith,,1975-01-01,G,10:00\n"
        "A3,Jones,Tom,1975-13-01,G,10:00\n"
        "A4,Brown,Bo,1990-05-05,X,10:00\n"
        "A1,Lopez,Ana,1980-02-03,G,09:30\n"
    )
    with app.app_context():
        count = db.session.scalar(select(db.func.count()).select_from(AuditEntry))
        preview = site_admin.preview_appointments(SITE, csv_text)
        assert db.session.scalar(select(db.func.count()).select_from(AuditEntry)) == count
    assert [row["code"] for row in preview["rows"]] == ["A1", "A1"]
    assert preview["problems"] == [
        "line 3: first_name is empty",
        "line 4: date_of_birth '1975-13-01' is not a date (YYYY-MM-DD)",
        "line 5: unknown service 'X'",
        "line 6: appointment code 'A1' appears twice",
    ]
    missing = site_admin_preview(app, "code,last_name\nA1,Lopez\n")
    assert missing["problems"] == [
        "line 1: missing column(s) first_name, date_of_birth, service, time"
    ]


def site_admin_preview(app, csv_text: str) -> dict[str, Any]:
    with app.app_context():
        return site_admin.preview_appointments(SITE, csv_text)


# --- Export and load: the round trip ------------------------------------------------


def reloaded(app, text: str) -> None:
    with app.app_context():
        load_site(parse_site_text(text))


def test_export_then_load_gives_the_same_site(app):
    exported = export(app)
    before = whole_site(app)
    reloaded(app, exported)
    after = whole_site(app)
    assert {**after, "audit": 0} == {**before, "audit": 0}
    assert export(app) == exported
    # And it is the demo site file's site: the same checked model, key for key.
    assert tomllib.loads(exported)["site"]["name"] == "Riverside Family Clinic"
    assert parse_site_text(exported).map_data() == parse_site_file(DEMO_SITE).map_data()


def test_export_then_load_gives_the_same_heavier_site_after_edits(app):
    reloaded(app, heavy_site_text())
    services = parts(app)["services"]
    services[0]["colour"] = "#aa3300"
    edit(app, "services", services)
    displays = [*parts(app)["displays"], {"code": "tv-2", "name": "Lab", "services": ["B"]}]
    edit(app, "displays", displays)
    exported = export(app)
    before = whole_site(app)
    assert len(before["services"]) == 8
    reloaded(app, exported)
    assert {**whole_site(app), "audit": 0} == {**before, "audit": 0}
    assert export(app) == exported


def test_export_then_load_keeps_the_sites_day_and_the_rooms_own_hours(app):
    text = heavy_site_text().replace(
        'timezone = "Europe/London"\n', 'timezone = "Europe/London"\nday_starts = "06:00"\n', 1
    )
    lunch = '\nhours = { mon = ["09:00-12:30", "13:30-17:00"], tue = ["10:00-17:00"] }\n'
    text = text.replace('services = ["G"]\n', 'services = ["G"]' + lunch, 1)
    reloaded(app, text)
    exported = export(app)
    assert 'day_starts = "06:00"' in exported
    assert tomllib.loads(exported)["rooms"][0]["hours"]["mon"] == ["09:00-12:30", "13:30-17:00"]
    before = whole_site(app)
    edit(app, "rooms", parts(app)["rooms"])  # an edit of another kind keeps them too
    reloaded(app, exported)
    assert {**whole_site(app), "audit": 0} == {**before, "audit": 0}
    assert export(app) == exported


def export(app) -> str:
    with app.app_context():
        return site_admin.export_site(SITE)


def test_export_then_load_gives_the_same_site_after_a_map_upload_with_a_picture(app, tmp_path):
    text = demo_map_text().replace('# image = "ground.png"', 'image = "ground.png"', 1)
    with app.app_context():
        site_admin.replace_map(SITE, text, {"ground.png": b"\x89PNG..."}, tmp_path, actor=ADMIN)
    exported = export(app)
    assert f'image = "{tmp_path / SITE}' in exported  # where the picture is kept
    before = whole_site(app)
    reloaded(app, exported)
    assert {**whole_site(app), "audit": 0} == {**before, "audit": 0}
    assert export(app) == exported


def test_export_then_load_keeps_the_closures(app):
    edit(app, "closures", [CHRISTMAS, EVE_AFTERNOON])
    exported = export(app)
    assert tomllib.loads(exported)["closures"] == [CHRISTMAS, EVE_AFTERNOON]
    before = whole_site(app)
    reloaded(app, exported)
    assert {**whole_site(app), "audit": 0} == {**before, "audit": 0}
    assert export(app) == exported
    # A file that writes its dates as TOML dates loads to the same closures.
    reloaded(app, exported.replace('date = "2026-12-25"', "date = 2026-12-25"))
    assert parts(app)["closures"] == [CHRISTMAS, EVE_AFTERNOON]
