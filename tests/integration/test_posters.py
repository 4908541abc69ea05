"""The printed posters and what they open: the join poster and the arrival poster (who may
print them, what they show, the arrival poster's key and its replacement, with audit
entries), the arrival poster's page and "I'm here" with its key, "I'm here" by the
phone's location, the kiosk's join QR code, and the display's arrival code renewed at
the site's turn of the day with the server's clock moved."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from server import services
from server.domain import remote
from server.extensions import db
from server.services import arrival
from server.services.posters import arrival_poster
from server.storage import queries
from server.storage.models import AuditEntry
from tests.conftest import SITE, STAFF_PASSWORD, login, received, socket
from tests.domain.test_arrival_proof import north_of

REMOTE = f"/api/sites/{SITE}/checkins/remote"
DOOR = remote.Place(51.5055, -0.0754)  # the demo site file's latitude and longitude


def join(client):
    response = client.post(REMOTE, json={"service": "G"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def manager(app):
    with app.app_context():
        services.add_user("boss", STAFF_PASSWORD, "manager", [SITE])
    client = app.test_client()
    login(client, "boss")
    return client


def csrf_token(client, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)[1]


def audit_actions(app, prefix):
    with app.app_context():
        rows = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(e.action, e.username, e.detail) for e in rows if e.action.startswith(prefix)]


def todays_code(app, now=None):
    with app.app_context():
        return services.arrival_code(queries.get_site(SITE), now)


def poster_key(app):
    with app.app_context():
        return queries.get_site(SITE).poster_key


def qr_link(page):
    return re.search(r'id="poster-qr" href="([^"]+)"', page)[1]


# --- Who may print -----------------------------------------------------------------


@pytest.mark.parametrize("path", ["", "/join", "/arrival"])
def test_posters_need_a_manager_or_an_administrator(app, client, staff, admin, path):
    address = f"/admin/{SITE}/posters{path}"
    assert client.get(address).status_code == 302  # to the login
    assert staff.get(address).status_code == 403  # the front desk
    assert admin.get(address).status_code == 200
    assert manager(app).get(address).status_code == 200


def test_an_unknown_poster_kind_is_not_found(admin):
    assert admin.get(f"/admin/{SITE}/posters/menu").status_code == 404


# --- The join poster ----------------------------------------------------------------------


def test_the_join_poster_has_a_large_qr_code_to_the_join_page_in_the_sites_languages(admin):
    response = admin.get(f"/admin/{SITE}/posters/join")
    assert response.status_code == 200
    page = response.text
    assert qr_link(page) == f"http://localhost/join?site={SITE}"
    assert page.count("<svg") == 1 and 'viewBox="0 0' in page
    assert "localhost/join?site=riverside" in page  # the address to type
    assert '<h1 class="poster-title">Join the line from your phone</h1>' in page
    assert '<section lang="es" dir="ltr"' in page and "Únase a la fila desde su teléfono" in page
    assert '<section lang="ar" dir="rtl"' in page
    assert "css/poster.css" in page


def test_the_console_lists_the_posters_and_the_kiosk_links_to_join(admin, client):
    console = admin.get(f"/admin/{SITE}/posters").text
    assert f'href="/admin/{SITE}/posters/join"' in console
    assert f'href="/admin/{SITE}/posters/arrival"' in console
    assert f'href="/admin/{SITE}/posters"' in console  # in the console's navigation
    kiosk = client.get(f"/kiosk?site={SITE}").text
    assert f'src="/kiosk/join/qr.svg?site={SITE}"' in kiosk
    assert "Join the line from your phone" in kiosk
    qr = client.get(f"/kiosk/join/qr.svg?site={SITE}")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert qr.text.startswith("<svg")
    assert client.get("/kiosk/join/qr.svg?site=nowhere").status_code == 404


# --- The arrival poster and its key ----------------------------------------------------


def test_the_arrival_poster_prints_the_days_code_and_a_key_made_once_with_an_audit_entry(
    app, admin
):
    assert poster_key(app) is None
    first = admin.get(f"/admin/{SITE}/posters/arrival")
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "no-store"
    key = poster_key(app)
    assert key and len(key) >= 22
    assert qr_link(first.text) == f"http://localhost/arrive/{SITE}?key={key}"
    code = todays_code(app)
    assert f'<p class="poster-code" id="poster-code">{code}</p>' in first.text
    assert "Code for Tuesday, March 10, 2026" in first.text
    assert "Código del martes, 10 de marzo de 2026" in first.text
    # Printed again: the same key, and no second audit entry.
    again = admin.get(f"/admin/{SITE}/posters/arrival")
    assert qr_link(again.text) == qr_link(first.text)
    made = [(a, u) for a, u, _ in audit_actions(app, "poster_key")]
    assert made == [("poster_key_made", "admin")]


def test_an_administrator_replaces_the_key_and_old_posters_stop_working(app, client, admin):
    admin.get(f"/admin/{SITE}/posters/arrival")
    old = poster_key(app)
    assert client.get(f"/arrive/{SITE}?key={old}").status_code == 200
    token = csrf_token(admin, f"/admin/{SITE}/posters")
    answer = admin.post(f"/admin/{SITE}/posters/key", data={"csrf_token": token})
    assert answer.status_code == 302
    new = poster_key(app)
    assert new != old
    assert "The old posters no longer work." in admin.get(f"/admin/{SITE}/posters").text
    assert client.get(f"/arrive/{SITE}?key={old}").status_code == 404
    assert client.get(f"/arrive/{SITE}?key={new}").status_code == 200
    actions = [a for a, _, _ in audit_actions(app, "poster_key")]
    assert actions == ["poster_key_made", "poster_key_replaced"]


def test_a_manager_prints_but_may_not_replace_the_key(app, admin):
    boss = manager(app)
    boss.get(f"/admin/{SITE}/posters/arrival")
    key = poster_key(app)
    page = boss.get(f"/admin/{SITE}/posters").text
    assert "Replace the arrival poster" not in page
    token = csrf_token(boss, f"/admin/{SITE}/posters")
    assert boss.post(f"/admin/{SITE}/posters/key", data={"csrf_token": token}).status_code == 403
    assert poster_key(app) == key


# --- The page the arrival poster opens, and "I'm here" with its key ----------------------


def test_the_arrival_page_shows_the_days_code_only_for_the_sites_key(app, client):
    with app.app_context():
        key = arrival_poster(SITE)["key"]
    page = client.get(f"/arrive/{SITE}?key={key}", headers={"Accept-Language": "es"})
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert f'id="arrive-code">{todays_code(app)}<' in page.text
    assert "Abra la página de su turno y escriba este código:" in page.text
    for wrong in ["", "x" * 22, key[:-1]]:
        old = client.get(f"/arrive/{SITE}?key={wrong}")
        assert old.status_code == 404
        assert "This poster is out of date." in old.text
        assert todays_code(app) not in re.sub(r"<script.*", "", old.text, flags=re.S)
    assert client.get("/arrive/nowhere?key=x").status_code == 404


def test_i_am_here_with_the_posters_key_marks_a_remote_ticket_here(app, client):
    with app.app_context():
        key = arrival_poster(SITE)["key"]
    ticket = join(client)
    url = f"/api/tickets/{ticket['token']}/arrive"
    wrong = client.post(url, json={"key": "not-the-key"})
    assert wrong.status_code == 400 and wrong.get_json()["error"]["code"] == "wrong_arrival_code"
    assert client.post(url, json={}).status_code == 400  # neither code nor key
    here = client.post(url, json={"key": key})
    assert here.status_code == 200, here.get_json()
    assert here.get_json()["ticket"]["remote"]["here"] is True
    [(_, _, detail)] = audit_actions(app, "remote_arrived")
    assert detail["by"] == "poster"


def test_a_site_without_a_poster_takes_no_key(app, client):
    ticket = join(client)
    answer = client.post(f"/api/tickets/{ticket['token']}/arrive", json={"key": ""})
    assert answer.status_code == 400
    assert poster_key(app) is None


# --- "I'm here" by the phone's location ---------------------------------------------------


def location(client, token, place, accuracy=15.0):
    return client.post(
        f"/api/tickets/{token}/arrive/location",
        json={"latitude": place.latitude, "longitude": place.longitude, "accuracy": accuracy},
    )


def test_a_phone_within_the_radius_is_here_and_its_location_is_not_kept(app, client):
    ticket = join(client)
    page = client.get(f"/t/{ticket['token']}").text
    assert 'id="arrive-location"' in page and "Use my location" in page
    here = location(client, ticket["token"], north_of(DOOR, 120))
    assert here.status_code == 200, here.get_json()
    assert here.get_json()["ticket"]["remote"]["here"] is True
    [(_, _, detail)] = audit_actions(app, "remote_arrived")
    assert detail == {"by": "location"}  # how, never where
    assert "51.5" not in repr(audit_actions(app, ""))  # nowhere in the audit log


def test_a_phone_outside_the_radius_or_too_vague_is_told_to_type_the_code(client):
    ticket = join(client)
    for place, accuracy in [(north_of(DOOR, 200), 10.0), (DOOR, 5_000.0)]:
        answer = location(client, ticket["token"], place, accuracy)
        assert answer.status_code == 400
        error = answer.get_json()["error"]
        assert error["code"] == "not_at_site"
        assert "Please type the code instead." in error["message"]
    status = client.get(ticket["status_url"]).get_json()["ticket"]
    assert status["remote"]["here"] is False


def test_a_location_off_the_earth_is_refused_by_the_schema(client):
    ticket = join(client)
    answer = location(client, ticket["token"], remote.Place(95, 0))
    assert answer.status_code == 400


def test_a_site_without_coordinates_offers_no_location(app, client):
    with app.app_context():
        site = queries.get_site(SITE)
        site.settings = {
            k: v for k, v in site.settings.items() if k not in {"latitude", "longitude"}
        }
        db.session.commit()
    ticket = join(client)
    assert 'id="arrive-location"' not in client.get(f"/t/{ticket['token']}").text
    answer = location(client, ticket["token"], DOOR)
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "location_not_offered"


def test_a_walk_in_ticket_page_offers_no_location(client):
    walk_in = client.post(f"/api/sites/{SITE}/checkins/walk-in", json={"service": "G"}).get_json()
    assert 'id="arrive-location"' not in client.get(f"/t/{walk_in['token']}").text
    answer = location(client, walk_in["token"], DOOR)
    assert answer.status_code == 409  # not a remote ticket


# --- The display's code at the turn of the day ------------------------------------------------


@pytest.fixture
def fresh_turns(monkeypatch):
    monkeypatch.setattr(arrival, "_published", {})


def test_the_displays_code_changes_live_at_the_sites_turn_of_the_day(app, clock, fresh_turns):
    clock.now = datetime(2026, 3, 10, 23, 59, 30, tzinfo=UTC)  # London: GMT in March
    screen = socket(app, {"display": SITE})
    [snapshot] = received(screen, "display_update")
    assert snapshot["arrival_code"] == todays_code(app)
    staff = app.test_client()
    login(staff, "desk")  # at the clock's time: a session from 09:00 would have ended
    desk = socket(app, {"staff": SITE}, http=staff)
    [desk_snapshot] = received(desk, "staff_update")
    assert desk_snapshot["arrival_code"] == todays_code(app)
    with app.app_context():
        arrival.publish_new_codes(clock.now)  # a process that takes the lease sends it once
        assert arrival.until_next_turn(clock.now) == timedelta(seconds=30)
    [first] = received(screen, "display_arrival")
    assert first["code"] == todays_code(app) and first["kind"] == "arrival_code"
    with app.app_context():
        assert arrival.publish_new_codes(clock.now) == []  # unchanged: nothing sent
    assert received(screen, "display_arrival") == []

    clock.advance(seconds=31)  # 00:00:01 on the 11th: the site's new day
    with app.app_context():
        assert arrival.publish_new_codes(clock.now) == [f"display:{SITE}"]
    [renewed] = received(screen, "display_arrival")
    assert renewed["code"] == todays_code(app) != first["code"]
    assert renewed["seq"] == snapshot["seq"]  # not a queue change
    # The desks hear both too, as a staff_update of its own kind.
    told = [m for m in received(desk, "staff_update") if m["kind"] == "arrival_code"]
    assert [m["code"] for m in told] == [first["code"], renewed["code"]]
    screen.disconnect()
    desk.disconnect()


def test_the_loop_wakes_at_the_turn_and_publishes_once_holding_the_lease(app, clock, fresh_turns):
    clock.now = datetime(2026, 3, 10, 23, 52, tzinfo=UTC)
    screen = socket(app, {"display": SITE})
    screen.get_received()
    slept = []

    class Stop(Exception):
        pass

    def sleep(seconds):
        slept.append(seconds)
        if len(slept) > 2:
            raise Stop
        clock.advance(seconds=seconds)

    class Lease:
        def hold(self):
            return True

        def release(self):
            pass

    with pytest.raises(Stop):
        arrival.turn_codes_forever(app, Lease(), sleep)
    # Woken at the five-minute check, then a second past midnight.
    assert slept[:2] == [arrival.MOST_SLEEP.total_seconds() + 1, 180]
    assert clock.now == datetime(2026, 3, 11, 0, 0, 1, tzinfo=UTC)
    codes = [m["code"] for m in received(screen, "display_arrival")]
    assert codes[-1] == todays_code(app)
    assert codes == [todays_code(app, datetime(2026, 3, 10, 23, 57, tzinfo=UTC)), codes[-1]]
    assert codes[0] != codes[-1]
    screen.disconnect()


def test_a_screen_that_reconnects_after_the_turn_gets_the_new_code_in_its_snapshot(app, clock):
    clock.now = datetime(2026, 3, 10, 23, 59, tzinfo=UTC)
    before = todays_code(app)
    clock.advance(minutes=2)
    screen = socket(app, {"display": SITE})
    [snapshot] = received(screen, "display_update")
    assert snapshot["arrival_code"] == todays_code(app) != before
    screen.disconnect()
