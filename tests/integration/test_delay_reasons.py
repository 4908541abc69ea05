"""Delay reasons in every language: a reason picked from the site's list reaches each
phone in its ticket's language and the display in the site's languages; the note is
shown as typed; a second notice for the same place updates the first."""

from __future__ import annotations

import json
import re
import tomllib

import pytest
from sqlalchemy import text

from server.extensions import db
from server.storage import migrate
from tests.conftest import DEMO_SITE, SITE, act, make_app, received, socket, walk_in

# The demo's reasons in all its languages (en and es are checked word for word below).
DEMO = tomllib.loads(DEMO_SITE.read_text(encoding="utf-8"))
REASONS = {reason["code"]: reason["name"] for reason in DEMO["delay_reasons"]}
EMERGENCY = REASONS["emergency"]
BEHIND = REASONS["running-behind"]
NOTICES = f"/api/sites/{SITE}/notices"


def connected(app, auth, http=None):
    sock = socket(app, auth, http=http)
    assert sock.is_connected()
    sock.get_received()  # the snapshot on connect
    return sock


@pytest.fixture
def display(app):
    return connected(app, {"display": SITE})


@pytest.fixture
def phones(app, client):
    """An English and a Spanish patient waiting for general practice, and their phones."""
    english = walk_in(client, "G", language="en")["token"]
    spanish = walk_in(client, "G", language="es")["token"]
    return {
        "en": (english, connected(app, {"ticket": english})),
        "es": (spanish, connected(app, {"ticket": spanish})),
    }


def post(staff, status, **body):
    response = staff.post(NOTICES, json={"scope": "service", "target": "G", **body})
    assert response.status_code == status, response.get_json()
    return response.get_json()


def queue(staff):
    return staff.get(f"/api/sites/{SITE}/queue").get_json()


def page_config(html, element_id):
    found = re.search(
        rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S
    )
    assert found, element_id
    return json.loads(found.group(1))


# --- A reason from the list, in each language -------------------------------------


def test_a_picked_reason_reaches_an_english_and_a_spanish_phone_and_the_display(
    client, staff, phones, display
):
    assert EMERGENCY["en"] == "The doctor was called to an emergency"
    assert EMERGENCY["es"] == "El médico ha tenido que atender una urgencia"
    posted = post(staff, 201, reason_code="emergency", note="Dr Patel", expected_minutes=30)

    notice = posted["notice"]
    assert posted["updated"] is False
    assert (notice["reason_code"], notice["reasons"], notice["note"]) == (
        "emergency",
        EMERGENCY,
        "Dr Patel",
    )
    # The display hears it once, with the reason in both of the site's languages.
    (update,) = received(display, "display_update")
    (shown,) = update["state"]["notices"]
    assert (shown["reasons"], shown["note"], shown["expected_minutes"]) == (
        EMERGENCY,
        "Dr Patel",
        30,
    )
    # Each phone hears its ticket with the notice: its words for every language, the
    # phone shows its ticket's (phone.js, noticeWords).
    for language, (token, phone) in phones.items():
        (ticket_update,) = received(phone, "ticket_update")
        ticket = ticket_update["ticket"]
        assert ticket["language"] == language
        (mine,) = ticket["notices"]
        assert mine["reasons"][language] == EMERGENCY[language]
        assert mine["note"] == "Dr Patel"
        status = client.get(f"/api/tickets/{token}").get_json()["ticket"]
        assert status["notices"][0]["reasons"][language] == EMERGENCY[language]


def test_each_phone_page_marks_the_note_as_the_clinics_in_its_language(client, phones):
    english, spanish = phones["en"][0], phones["es"][0]

    en = page_config(client.get(f"/t/{english}").get_data(as_text=True), "phone-config")
    es = page_config(client.get(f"/t/{spanish}").get_data(as_text=True), "phone-config")

    assert (en["language"], es["language"]) == ("en", "es")
    assert en["texts"]["notice_note"] == "Note from the clinic: “{note}”"
    assert es["texts"]["notice_note"] == "Nota de la clínica: «{note}»"
    assert es["texts"]["notice"] == "Retraso de unos {minutes} min: {reason}"


@pytest.mark.parametrize(
    ("language", "note"),
    [("en", "Note from the clinic: “{note}”"), ("es", "Nota de la clínica: «{note}»")],
)
def test_the_display_page_in_each_language_marks_the_note(client, language, note):
    html = client.get(f"/display?lang={language}").get_data(as_text=True)
    config = page_config(html, "display-config")
    assert config["language"] == language
    assert config["site"]["languages"] == DEMO["site"]["languages"]  # the reason in each
    assert config["strings"]["notice_note"] == note


def test_a_legacy_free_text_reason_is_taken_as_the_note(client, staff, phones):
    notice = post(staff, 201, reason="Fire drill at 10:00", expected_minutes=15)["notice"]

    assert (notice["reason_code"], notice["reasons"], notice["note"]) == (
        None,
        {},
        "Fire drill at 10:00",
    )
    assert notice["reason"] == "Fire drill at 10:00"


def test_the_one_line_reason_for_older_clients_is_in_the_sites_first_language(staff):
    notice = post(staff, 201, reason_code="emergency", note="Dr Patel", expected_minutes=30)[
        "notice"
    ]
    assert notice["reason"] == 'The doctor was called to an emergency. "Dr Patel"'


# --- The delay sentence names the reason -------------------------------------------


# Estimates refreshed after each change, as the server does (inline, to follow it).
@pytest.mark.parametrize("app_config", [{"ESTIMATE_REFRESH": "inline"}])
def test_the_delay_sentence_says_the_picked_reason_in_the_patients_language(app, client, staff):
    for _ in range(5):
        walk_in(client, "G")
    spanish = walk_in(client, "G", language="es")["token"]
    phone = connected(app, {"ticket": spanish})

    post(staff, 201, reason_code="emergency", expected_minutes=120)

    delays = [
        u["ticket"]["delay"] for u in received(phone, "ticket_update") if u["ticket"]["delay"]
    ]
    delays += [u["delay"] for u in received(phone, "ticket_place") if u.get("delay")]
    status = client.get(f"/api/tickets/{spanish}").get_json()["ticket"]
    delays.append(status["delay"])
    delay = delays[-1]
    assert delay is not None, "a two-hour delay told the patient their wait grew"
    assert delay["reason_code"] == "posted_delay"
    assert delay["message"].startswith("Su espera es más larga")
    assert delay["message"].endswith(f"{EMERGENCY['es']}.")


# --- One notice per place ------------------------------------------------------------


def test_a_second_notice_for_the_same_place_updates_the_first(app, client, staff, display, phones):
    first = post(staff, 201, reason_code="emergency", note="Dr Patel", expected_minutes=30)
    display.get_received()
    for _, phone in phones.values():
        phone.get_received()

    second = post(staff, 200, reason_code="running-behind", expected_minutes=45)

    assert second["updated"] is True
    assert second["notice"]["id"] == first["notice"]["id"]
    assert (second["notice"]["reasons"], second["notice"]["note"]) == (BEHIND, None)
    (listed,) = queue(staff)["notices"]
    assert (listed["id"], listed["reason_code"], listed["expected_minutes"]) == (
        first["notice"]["id"],
        "running-behind",
        45,
    )
    # Published once: one display update, one whole ticket per phone, one notice in each.
    (update,) = received(display, "display_update")
    assert [(n["reason_code"], n["expected_minutes"]) for n in update["state"]["notices"]] == [
        ("running-behind", 45)
    ]
    assert update["seq"] == second["seq"]
    for language, (_, phone) in phones.items():
        (ticket_update,) = received(phone, "ticket_update")
        (mine,) = ticket_update["ticket"]["notices"]
        assert mine["reasons"][language] == BEHIND[language]


def test_a_notice_for_another_place_or_after_clearing_is_a_new_one(staff):
    first = post(staff, 201, reason_code="emergency", expected_minutes=30)["notice"]
    other = post(staff, 201, reason_code="emergency", expected_minutes=30, target="B")["notice"]
    site_wide = staff.post(
        NOTICES, json={"scope": "site", "reason_code": "running-behind", "expected_minutes": 10}
    )
    act(staff, f"notices/{first['id']}/clear")
    again = post(staff, 201, reason_code="running-behind", expected_minutes=20)["notice"]

    assert site_wide.status_code == 201
    assert len({first["id"], other["id"], site_wide.get_json()["notice"]["id"], again["id"]}) == 4
    assert sorted(n["id"] for n in queue(staff)["notices"]) == sorted(
        [other["id"], site_wide.get_json()["notice"]["id"], again["id"]]
    )


def test_an_update_is_audited_as_one(admin, staff):
    post(staff, 201, reason_code="emergency", expected_minutes=30)
    post(staff, 200, reason_code="emergency", note="Dr Patel", expected_minutes=50)

    entries = admin.get(f"/api/sites/{SITE}/audit").get_json()["entries"]
    assert [e["action"] for e in entries[:2]] == ["update_notice", "post_notice"]
    assert entries[0]["detail"]["note"] == "Dr Patel"
    assert entries[0]["detail"]["expected_minutes"] == 50


# --- Refused, and nothing changed ------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"reason_code": "alien-invasion", "expected_minutes": 30}, 422, "unknown_delay_reason"),
        ({"expected_minutes": 30}, 400, "invalid_input"),
        (
            {"reason_code": "emergency", "note": "x" * 141, "expected_minutes": 30},
            400,
            "invalid_input",
        ),
        (
            {"reason_code": "emergency", "note": "late\x00", "expected_minutes": 30},
            400,
            "invalid_input",
        ),
        (
            {"reason_code": "emergency", "note": "a\nb", "expected_minutes": 30},
            400,
            "invalid_input",
        ),
        ({"note": "Dr Patel", "reason": "Dr Patel", "expected_minutes": 30}, 400, "invalid_input"),
        ({"reason_code": 7, "expected_minutes": 30}, 400, "invalid_input"),
    ],
    ids=["unknown-code", "nothing-said", "long-note", "nul", "newline", "note-twice", "not-text"],
)
def test_a_bad_notice_is_refused_and_nothing_changes(
    admin, staff, display, phones, body, status, code
):
    posted = post(staff, 201, reason_code="emergency", expected_minutes=30)
    display.get_received()
    before = (queue(staff), admin.get(f"/api/sites/{SITE}/audit").get_json())

    response = staff.post(NOTICES, json={"scope": "service", "target": "G", **body})

    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["code"] == code
    assert (queue(staff), admin.get(f"/api/sites/{SITE}/audit").get_json()) == before
    assert display.get_received() == []
    assert queue(staff)["notices"][0]["id"] == posted["notice"]["id"]


# --- The desk's list ------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_desks_notice_form_lists_the_reasons_in_its_language(staff, language):
    html = staff.get(f"/desk?lang={language}").get_data(as_text=True)
    select = html[
        html.index('<select id="notice-reason"') : html.index(
            "</select>", html.index('id="notice-reason"')
        )
    ]
    assert f'<option value="emergency">{EMERGENCY[language]}</option>' in select
    assert f'<option value="running-behind">{BEHIND[language]}</option>' in select
    assert 'name="reason_code" required' in select
    assert 'id="notice-note" name="note" type="text" maxlength="140"' in html


# --- The migration ------------------------------------------------------------------


def test_notices_posted_before_the_list_keep_their_words_as_a_note(clock, tmp_path):
    app = make_app(
        clock, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/w.db", SQLALCHEMY_ENGINE_OPTIONS={}
    )
    with app.app_context():
        migrate.upgrade("0006")
        db.session.execute(
            text(
                "INSERT INTO sites (id, slug, name, timezone, languages, settings, seq)"
                " VALUES (1, 's', 'S', 'UTC', '[\"en\"]', '{}', 0)"
            )
        )
        db.session.execute(
            text(
                "INSERT INTO delay_notices (site_id, scope, reason, expected_minutes, posted_at)"
                " VALUES (1, 'site', 'Dr Patel is in theatre', 20, '2026-03-10 09:00:00')"
            )
        )
        db.session.commit()
        migrate.upgrade()
        row = db.session.execute(
            text("SELECT reason_code, reason_names, note FROM delay_notices")
        ).one()
        db.session.remove()
        db.engine.dispose()
    assert tuple(row) == (None, None, "Dr Patel is in theatre")
