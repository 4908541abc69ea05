"""The admin console over HTTP: who may use it, its forms (CSRF as the desk's), a
refusal that names the field and saves nothing, the export, the map and appointments."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select
from werkzeug.test import EnvironBuilder

from server.extensions import db
from server.storage import queries
from server.storage.models import Appointment
from tests.conftest import DEMO_SITE, SITE, login

PAGES = ["", "/services", "/rooms", "/screens", "/map", "/appointments"]


def csrf_token(client, path=f"/admin/{SITE}"):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def site_form(admin, **change):
    """The site form as the page fills it, with some fields changed."""
    page = admin.get(f"/admin/{SITE}").get_data(as_text=True)
    fields = dict(re.findall(r'<input type="(?:text|number)" name="([^"]+)" value="([^"]*)"', page))
    return {**fields, "csrf_token": csrf_token(admin), **change}


def room_name(app, code="room-1", lang="en"):
    with app.app_context():
        room = next(r for r in queries.get_site(SITE).rooms if r.code == code)
        return room.names[lang]


@pytest.mark.parametrize("path", [*PAGES, "/site.toml"])
def test_staff_without_the_admin_role_are_refused(staff, path):
    assert staff.get(f"/admin/{SITE}{path}").status_code == 403


def test_staff_without_the_admin_role_cannot_post_an_edit(app, staff):
    token = csrf_token(staff, "/desk")
    data = {"csrf_token": token, "room-0-code": "room-1", "room-0-name-en": "Hacked"}
    assert staff.post(f"/admin/{SITE}/rooms", data=data).status_code == 403
    assert room_name(app) == "Room 1"


def test_someone_not_signed_in_is_sent_to_the_login(client):
    response = client.get(f"/admin/{SITE}/rooms")
    assert response.status_code == 302
    assert "/desk/login" in response.headers["Location"]
    assert client.get(f"/admin/{SITE}/site.toml").status_code == 401


def test_an_admin_of_another_site_is_refused(app, client):
    from server import services
    from server.sites.schema import parse_site_text
    from tests.conftest import DEMO_SITE

    other_site = DEMO_SITE.read_text().replace('slug = "riverside"', 'slug = "northside"')
    with app.app_context():
        services.load_site(parse_site_text(other_site))
        services.add_user("other", "correct horse battery staple", "admin", ["northside"])
    login(client, "other")
    assert client.get(f"/admin/{SITE}").status_code == 403
    assert client.get(f"/admin/{SITE}/site.toml").status_code == 403
    assert client.get("/admin").headers["Location"].endswith("/admin/northside")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_opens_for_an_admin_with_the_navigation(admin, path):
    page = admin.get(f"/admin/{SITE}{path}").get_data(as_text=True)
    assert 'aria-current="page"' in page
    for target in PAGES:
        assert f'href="/admin/{SITE}{target}"' in page


def test_admin_home_goes_to_the_first_site(admin):
    response = admin.get("/admin")
    assert response.headers["Location"].endswith(f"/admin/{SITE}")


def test_a_post_without_its_csrf_token_is_refused_and_saves_nothing(app, admin):
    data = {"room-0-code": "room-1", "room-0-name-en": "Renamed", "room-0-active": "on"}
    response = admin.post(f"/admin/{SITE}/rooms", data=data)
    assert response.status_code == 400
    assert room_name(app) == "Room 1"


def rooms_form(admin):
    page = admin.get(f"/admin/{SITE}/rooms").get_data(as_text=True)
    data: dict[str, object] = dict(
        re.findall(r'<input type="text" name="(room-[^"]+)" value="([^"]*)"', page)
    )
    for index in re.findall(r'name="(room-\d+-active)" checked', page):
        data[index] = "on"
    for name, value in re.findall(r'name="(room-\d+-services)" value="([^"]+)" checked', page):
        data.setdefault(name, [])
        data[name].append(value)  # type: ignore[union-attr]
    data["csrf_token"] = csrf_token(admin)
    return data


def test_an_admin_renames_a_room_through_the_form(app, admin):
    data = rooms_form(admin)
    assert data["room-0-code"] == "room-1"
    data["room-0-name-en"] = "Consulting room A"
    response = admin.post(f"/admin/{SITE}/rooms", data=data)
    assert response.status_code == 302
    assert room_name(app) == "Consulting room A"
    assert room_name(app, "lab-1") == "Lab counter 1"  # the rest kept as it was
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved." in page


def test_a_refused_form_names_the_field_and_saves_nothing(app, admin):
    data = rooms_form(admin)
    data["room-0-name-en"] = "Renamed"
    data.pop("room-0-services")
    response = admin.post(f"/admin/{SITE}/rooms", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "rooms[0].services" in page and "Nothing was saved" in page
    assert 'name="room-0-name-en" value="Renamed"' in page  # shown as typed, to mend
    assert room_name(app) == "Room 1"


def test_the_site_form_saves_hours_and_numbers(app, admin):
    hours = {"hours-mon": "08:00-12:30, 13:30 - 18:00", "hours-sun": ""}
    data = site_form(admin, **hours, delay_notice_minutes="20")
    assert admin.post(f"/admin/{SITE}", data=data).status_code == 302
    with app.app_context():
        settings = queries.get_site(SITE).settings
    assert settings["hours"]["mon"] == ["08:00-12:30", "13:30-18:00"]
    assert "sun" not in settings["hours"]  # closed on Sundays now
    assert settings["delay_notice_minutes"] == 20


def test_the_site_form_saves_the_day_start_and_blank_is_midnight(app, admin):
    assert (
        admin.post(f"/admin/{SITE}", data=site_form(admin, day_starts="06:00")).status_code == 302
    )
    with app.app_context():
        assert queries.get_site(SITE).settings["day_starts"] == "06:00"
    assert 'name="day_starts" value="06:00"' in admin.get(f"/admin/{SITE}").get_data(as_text=True)
    assert admin.post(f"/admin/{SITE}", data=site_form(admin, day_starts="")).status_code == 302
    with app.app_context():
        assert queries.get_site(SITE).settings["day_starts"] is None


def test_the_site_form_refuses_a_bad_day_start_by_name(app, admin):
    response = admin.post(f"/admin/{SITE}", data=site_form(admin, day_starts="6 in the morning"))
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert "site.day_starts" in page and "Nothing was saved" in page
    assert 'name="day_starts" value="6 in the morning"' in page
    with app.app_context():
        assert queries.get_site(SITE).settings["day_starts"] is None


def test_the_rooms_form_saves_a_rooms_own_hours(app, admin):
    data = rooms_form(admin)
    data["room-0-hours-mon"] = "09:00 - 12:30, 13:30-17:00"
    data["room-0-hours-tue"] = "10:00-17:00"
    assert admin.post(f"/admin/{SITE}/rooms", data=data).status_code == 302
    with app.app_context():
        rooms = {r.code: r.hours for r in queries.get_site(SITE).rooms}
    assert rooms["room-1"] == {"mon": ["09:00-12:30", "13:30-17:00"], "tue": ["10:00-17:00"]}
    assert rooms["lab-1"] is None  # no day given: the site's hours
    page = admin.get(f"/admin/{SITE}/rooms").get_data(as_text=True)
    assert 'name="room-0-hours-mon" value="09:00-12:30, 13:30-17:00"' in page


def test_the_rooms_form_refuses_overlapping_hours_by_name(app, admin):
    data = rooms_form(admin)
    data["room-0-hours-mon"] = "09:00-12:30, 12:00-17:00"
    response = admin.post(f"/admin/{SITE}/rooms", data=data)
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert "rooms[0].hours: the intervals of 'mon' overlap" in page
    assert 'name="room-0-hours-mon" value="09:00-12:30, 12:00-17:00"' in page
    with app.app_context():
        assert all(r.hours is None for r in queries.get_site(SITE).rooms)


def closures_form(admin, **fields):
    return {"csrf_token": csrf_token(admin), **fields}


# The demo speaks eight languages: a closure's reason is given in each.
EVE = {"en": "Christmas Eve", "es": "Nochebuena"} | {
    lang: "Christmas Eve" for lang in ("fr", "pt", "zh", "vi", "ar", "pl")
}


def test_the_site_page_adds_and_removes_closures(app, admin):
    data = closures_form(
        admin,
        **{
            "closure-0-date": "2026-12-24",
            "closure-0-from": "13:00",
            "closure-0-to": "24:00",
            **{f"closure-0-reason-{lang}": word for lang, word in EVE.items()},
            "closure-1-date": "2026-12-25",
        },
    )
    assert admin.post(f"/admin/{SITE}/closures", data=data).status_code == 302
    with app.app_context():
        closures = queries.get_site(SITE).settings["closures"]
    assert closures == [
        {
            "date": "2026-12-24",
            "from": "13:00",
            "to": "24:00",
            "reason": EVE,
        },
        {"date": "2026-12-25"},
    ]
    page = admin.get(f"/admin/{SITE}").get_data(as_text=True)
    assert 'name="closure-0-reason-es" value="Nochebuena"' in page
    data = closures_form(
        admin,
        **{
            "closure-0-date": "2026-12-24",
            "closure-0-remove": "on",
            "closure-1-date": "2026-12-25",
        },
    )
    assert admin.post(f"/admin/{SITE}/closures", data=data).status_code == 302
    with app.app_context():
        assert queries.get_site(SITE).settings["closures"] == [{"date": "2026-12-25"}]


def test_the_site_page_refuses_a_bad_closure_by_name(app, admin):
    data = closures_form(admin, **{"closure-0-date": "2026-12-24", "closure-0-from": "13:00"})
    response = admin.post(f"/admin/{SITE}/closures", data=data)
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert "closures[0]: give both from and to" in page
    assert 'name="closure-0-from" value="13:00"' in page
    with app.app_context():
        assert queries.get_site(SITE).settings["closures"] == []


def test_the_site_form_keeps_and_changes_the_display_languages(app, admin):
    data = site_form(admin)
    assert data["display_languages"] == "en, es"  # the demo's, shown to be kept
    assert (
        admin.post(f"/admin/{SITE}", data={**data, "display_languages": "es, pl"}).status_code
        == 302
    )
    with app.app_context():
        assert queries.get_site(SITE).settings["display_languages"] == ["es", "pl"]
    refused = admin.post(f"/admin/{SITE}", data={**site_form(admin), "display_languages": "en, xx"})
    assert refused.status_code == 422
    assert "site.display_languages" in refused.get_data(as_text=True)


def test_the_site_form_refuses_a_bad_time_zone_by_name(app, admin):
    response = admin.post(f"/admin/{SITE}", data=site_form(admin, timezone="Nowhere/Land"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "site.timezone" in page
    assert 'name="timezone" value="Nowhere/Land"' in page


def test_the_site_file_is_downloaded_as_toml(admin):
    response = admin.get(f"/admin/{SITE}/site.toml")
    assert response.status_code == 200
    assert response.mimetype == "application/toml"
    assert 'filename="riverside.toml"' in response.headers["Content-Disposition"]
    assert '[site]\nslug = "riverside"' in response.get_data(as_text=True)


def test_an_appointments_file_is_previewed_then_imported(app, admin):
    from io import BytesIO

    csv = b"code,last_name,first_name,date_of_birth,service,time\nZ9,Ruiz,Eva,1970-01-02,G,11:00\n"
    data = {
        "csrf_token": csrf_token(admin),
        "action": "preview",
        "csv_file": (BytesIO(csv), "a.csv"),
    }
    page = admin.post(f"/admin/{SITE}/appointments", data=data).get_data(as_text=True)
    assert "Ruiz, Eva" in page and "Import these 1 appointments" in page
    assert appointment_codes(app) == set()
    text = html.unescape(re.search(r'name="csv_text" value="([^"]*)"', page).group(1))
    data = {"csrf_token": csrf_token(admin), "action": "import", "csv_text": text}
    response = admin.post(f"/admin/{SITE}/appointments", data=data)
    assert response.status_code == 302
    assert appointment_codes(app) == {"Z9"}


def appointment_codes(app) -> set[str]:
    with app.app_context():
        query = select(Appointment.code).where(Appointment.code == "Z9")
        return set(db.session.scalars(query))


def test_a_bad_appointments_file_lists_its_bad_lines(admin):
    from io import BytesIO

    csv = b"code,last_name,first_name,date_of_birth,service,time\nZ9,Ruiz,,1970-01-02,G,11:00\n"
    data = {
        "csrf_token": csrf_token(admin),
        "action": "preview",
        "csv_file": (BytesIO(csv), "a.csv"),
    }
    page = admin.post(f"/admin/{SITE}/appointments", data=data).get_data(as_text=True)
    assert "line 2: first_name is empty" in page
    assert "Import these" not in page


def test_a_map_is_refused_by_key_and_line_on_the_page(admin):
    text = (
        '[[map.floors]]\ncode = "g"\nlevel = 0\nname = { en = "G", es = "B" }\n'
        "width = -1\nheight = 5\n"
    )
    data = {"csrf_token": csrf_token(admin), "action": "save", "map_text": text}
    response = admin.post(f"/admin/{SITE}/map", data=data)
    assert response.status_code == 422
    assert "map.floors[0].width (line 5)" in response.get_data(as_text=True)


def demo_map_text() -> str:
    text = DEMO_SITE.read_text()
    return text[text.index("[[map.") :]


def test_a_map_is_uploaded_with_a_large_floor_picture(app, admin, tmp_path):
    from io import BytesIO

    app.config["FLOOR_PLANS_DIR"] = tmp_path
    text = demo_map_text().replace('# image = "ground.png"', 'image = "ground.png"', 1)
    picture = b"\x89PNG" + b"\0" * 2_000_000  # larger than any other body the server takes
    data = {
        "csrf_token": csrf_token(admin),
        "action": "save",
        "map_file": (BytesIO(text.encode()), "map.toml"),
        "images": [(BytesIO(picture), "ground.png")],
    }
    # Its body is kept in a temporary file, closed here, not left to the collector.
    builder = EnvironBuilder(path=f"/admin/{SITE}/map", method="POST", data=data)
    environ = builder.get_environ()
    try:
        response = admin.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with app.app_context():
        image = queries.get_site(SITE).settings["map"]["floors"][0]["image"]
    assert image.startswith(str(tmp_path)) and image.endswith("ground.png")
    with admin.get(f"/route/plans/{SITE}/{image_floor(app)}") as shown:
        assert shown.data == picture


def image_floor(app) -> str:
    with app.app_context():
        return queries.get_site(SITE).settings["map"]["floors"][0]["code"]


def test_a_route_is_previewed_on_the_map_page(admin):
    data = {
        "csrf_token": csrf_token(admin),
        "action": "preview",
        "map_text": demo_map_text(),
        "to": "lab-1",
    }
    response = admin.post(f"/admin/{SITE}/map", data=data)
    assert response.status_code == 200
    assert 'class="route-preview"' in response.get_data(as_text=True)


def test_other_bodies_keep_their_limit(admin):
    data = {"csrf_token": csrf_token(admin), "room-0-name-en": "x" * 400_000}
    assert admin.post(f"/admin/{SITE}/rooms", data=data).status_code == 413


def test_a_service_keeps_its_wait_target_through_the_form_and_can_change_it(app, admin):
    page = admin.get(f"/admin/{SITE}/services").get_data(as_text=True)
    data: dict[str, object] = dict(
        re.findall(
            r'<input type="(?:text|number)"[^>]* name="(service-[^"]+)" value="([^"]*)"', page
        )
    )
    for index in re.findall(r'name="(service-\d+-active)" checked', page):
        data[index] = "on"
    data["csrf_token"] = csrf_token(admin)
    assert (data["service-0-code"], data["service-0-wait_target_minutes"]) == ("general", "30")
    data["service-1-wait_target_minutes"] = "12"

    response = admin.post(f"/admin/{SITE}/services", data=data)

    assert response.status_code == 302
    with app.app_context():
        from server.storage import queries

        targets = queries.get_site(SITE).settings["wait_targets"]
    assert targets == {"general": 30, "blood": 12, "vaccines": 20, "nurse": 25}


def test_the_site_form_keeps_moves_and_clears_where_the_entrance_is(app, admin):
    """The coordinates for "I'm here" by location (README "Waiting from anywhere")."""
    assert admin.post(f"/admin/{SITE}", data=site_form(admin)).status_code == 302
    with app.app_context():
        settings = queries.get_site(SITE).settings
    assert (settings["latitude"], settings["longitude"]) == (51.5055, -0.0754)  # kept
    moved = site_form(admin, latitude="40.4168", longitude="-3.7038", arrival_radius_m="80")
    assert admin.post(f"/admin/{SITE}", data=moved).status_code == 302
    with app.app_context():
        settings = queries.get_site(SITE).settings
    assert (settings["latitude"], settings["longitude"]) == (40.4168, -3.7038)
    assert settings["arrival_radius_m"] == 80
    refused = admin.post(f"/admin/{SITE}", data=site_form(admin, longitude=""))
    assert refused.status_code == 422
    assert "give both latitude and longitude" in html.unescape(refused.get_data(as_text=True))
    cleared = site_form(admin, latitude="", longitude="")
    assert admin.post(f"/admin/{SITE}", data=cleared).status_code == 302
    with app.app_context():
        assert queries.get_site(SITE).settings["latitude"] is None


def test_the_site_form_keeps_the_settings_it_has_no_field_for(app, admin):
    """The site file's [site] says more than the console's form asks (texts' region and
    "you are next" place, remote joining's limits, the survey text's delay...): saving
    the form changes what it shows and keeps the rest as it was."""
    with app.app_context():
        before = dict(queries.get_site(SITE).settings)
    assert before["phone_region"] == "GB" and before["text_next_place"] == 3
    data = site_form(admin, delay_notice_minutes="20")
    assert admin.post(f"/admin/{SITE}", data=data).status_code == 302
    with app.app_context():
        after = dict(queries.get_site(SITE).settings)
    assert after["delay_notice_minutes"] == 20
    unchanged = {key: value for key, value in before.items() if key != "delay_notice_minutes"}
    assert {key: after.get(key) for key in unchanged} == unchanged
