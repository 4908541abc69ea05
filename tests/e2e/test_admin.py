"""The admin console in Chromium, on a server of its own (its edits rename rooms, which
the other browser tests look for by name): a renamed room shows on an open display
without a reload, the site's own feedback question is changed, refused and removed,
and every screen of the console passes axe in English and Spanish."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Live, assert_accessible
from tests.e2e.live import SITE, Server

PAGES = ["", "/services", "/rooms", "/screens", "/map", "/appointments"]
BAD_CSV = (
    "code,last_name,first_name,date_of_birth,service,time\n"
    "Q1,Ruiz,Eva,1970-01-02,G,11:00\n"
    "Q2,Soto,,1970-01-02,G,11:30\n"
)


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    server = Server(tmp_path_factory.mktemp("admin"), None)
    password = server.demo()  # the demo's "desk" account is an administrator
    with server.running():
        yield Live(server, password)


@pytest.fixture(scope="module")
def admin_login(browser: Any, admin_server: Live) -> Any:
    context = browser.new_context()
    page = context.new_page()
    page.goto(admin_server.url("/admin"))
    page.fill("#username", "desk")
    page.fill("#password", admin_server.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/admin/{SITE}")
    state = context.storage_state()
    context.close()
    return state


def call_a_patient(admin_server: Live, room: str) -> str:
    api = admin_server.staff()
    base = f"{admin_server.base}/api/sites/{SITE}"
    ticket = api.post(f"{base}/tickets", json={"service": "G"}, timeout=10)
    assert ticket.status_code == 201, ticket.text
    called = api.post(f"{base}/rooms/{room}/call-next", json={"previous": "no_show"}, timeout=10)
    assert called.status_code == 200, called.text
    return str(ticket.json()["ticket"]["number"])


def test_an_admin_renames_a_room_and_the_open_display_shows_it_at_once(
    new_page, admin_server, admin_login
):
    number = call_a_patient(admin_server, "room-1")
    display = new_page()
    display.goto(admin_server.url("/display"))
    expect(display.locator("#now-number")).to_have_text(number)
    expect(display.locator("#now-room")).to_have_text("Room 1")
    display.evaluate("() => { window.__notReloaded = true; }")

    console = new_page(storage_state=admin_login)
    console.goto(admin_server.url(f"/admin/{SITE}/rooms"))
    name = console.get_by_label("Name (English)").first
    expect(name).to_have_value("Room 1")
    name.fill("Consulting room A")
    console.get_by_role("button", name="Save the rooms").click()
    expect(console.get_by_role("status")).to_contain_text("Saved.")

    expect(display.locator("#now-room")).to_have_text("Consulting room A")
    assert display.evaluate("() => window.__notReloaded") is True


def test_a_refused_edit_says_which_field_and_keeps_the_site(new_page, admin_server, admin_login):
    console = new_page(storage_state=admin_login)
    console.goto(admin_server.url(f"/admin/{SITE}"))
    console.get_by_label("Time zone").fill("Nowhere/Land")
    console.get_by_role("button", name="Save the site").click()
    expect(console.get_by_role("alert")).to_contain_text("site.timezone")
    assert_accessible(console, "admin site page with a refusal")
    console.goto(admin_server.url(f"/admin/{SITE}"))
    expect(console.get_by_label("Time zone")).to_have_value("Europe/London")


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_admin_screen_is_accessible(new_page, admin_server, admin_login, language):
    console = new_page(storage_state=admin_login, locale=language)
    for path in PAGES:
        console.goto(admin_server.url(f"/admin/{SITE}{path}?lang={language}"))
        expect(console.locator("html")).to_have_attribute("lang", language)
        assert_accessible(console, f"admin {path or '/'} ({language})")


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_preview_shows_a_mobile_numbers_last_two_digits_only(
    new_page, admin_server, admin_login, language, tmp_path
):
    console = new_page(storage_state=admin_login, locale=language)
    console.goto(admin_server.url(f"/admin/{SITE}/appointments?lang={language}"))
    csv = tmp_path / "day.csv"
    csv.write_text(
        "code,last_name,first_name,date_of_birth,service,time,mobile\n"
        "Q5,Ruiz,Eva,1970-01-02,G,11:00,07911 123456\n"
        "Q6,Soto,Ana,1970-01-02,G,11:30,\n"
    )
    console.locator("input[name=csv_file]").set_input_files(str(csv))
    console.locator("button[value=preview]").click()
    table = console.locator("table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody tr").first.locator("td").last).to_have_text(
        {"en": "ending in 56", "es": "termina en 56"}[language]
    )
    expect(table).not_to_contain_text("123456")
    assert_accessible(console, f"appointments preview with mobile numbers ({language})")


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_previews_are_accessible(new_page, admin_server, admin_login, language, tmp_path):
    console = new_page(storage_state=admin_login, locale=language)
    console.goto(admin_server.url(f"/admin/{SITE}/appointments?lang={language}"))
    csv = tmp_path / "day.csv"
    csv.write_text(BAD_CSV)
    console.locator("input[name=csv_file]").set_input_files(str(csv))
    console.locator("button[value=preview]").click()
    expect(console.get_by_role("alert")).to_contain_text("line 3: first_name is empty")
    assert_accessible(console, f"appointments preview ({language})")

    console.goto(admin_server.url(f"/admin/{SITE}/map?lang={language}"))
    console.locator("input[name=to]").fill("lab-1")
    console.locator("button[value=preview]").click()
    expect(console.locator(".route-preview li").first).to_be_visible()
    assert_accessible(console, f"map route preview ({language})")


@pytest.mark.parametrize("language", ["en", "es"])
def test_closures_a_day_start_and_a_rooms_own_hours_are_edited_accessibly(
    new_page, admin_server, admin_login, language
):
    console = new_page(storage_state=admin_login, locale=language)
    site_page = admin_server.url(f"/admin/{SITE}?lang={language}")
    console.goto(site_page)
    # The form's last row is the empty one, for a new closure.
    row = console.locator("input[name^=closure-][name$=-date]").last.get_attribute("name")
    field = f"[name={(row or '').removesuffix('-date')}-{{}}]".format
    console.locator(field("date")).fill("2027-12-24" if language == "en" else "2027-12-31")
    console.locator(field("from")).fill("13:00")  # no end: refused, by the field's name
    console.locator("form[action$=closures] button[type=submit]").click()
    expect(console.get_by_role("alert")).to_contain_text("give both from and to")
    assert_accessible(console, f"admin closure refused ({language})")
    console.locator(field("to")).fill("24:00")
    console.locator(field("reason-es")).fill("Nochebuena")
    console.locator(field("reason-en")).fill("Christmas Eve")
    for other in ("fr", "pt", "zh", "vi", "ar", "pl"):  # the demo's other languages
        console.locator(field(f"reason-{other}")).fill("Christmas Eve")
    console.locator("form[action$=closures] button[type=submit]").click()
    expect(console.get_by_role("status")).to_contain_text(
        "Saved." if language == "en" else "Guardado."
    )
    expect(console.locator(field("reason-es"))).to_have_value("Nochebuena")
    console.locator("[name=day_starts]").fill("never-ish")
    console.locator("form[action$='/" + SITE + "'] button[type=submit]").click()
    expect(console.get_by_role("alert")).to_contain_text("site.day_starts")
    assert_accessible(console, f"admin site page with closures ({language})")

    console.goto(admin_server.url(f"/admin/{SITE}/rooms?lang={language}"))
    console.locator("[name=room-0-hours-mon]").fill("09:00-12:30, 12:00-17:00")
    console.locator("main form button[type=submit]").click()
    expect(console.get_by_role("alert")).to_contain_text("rooms[0].hours")
    expect(console.locator("[name=room-0-hours-mon]")).to_have_value("09:00-12:30, 12:00-17:00")
    assert_accessible(console, f"admin rooms' own hours refused ({language})")


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_sites_own_feedback_question_is_changed_and_removed_accessibly(
    new_page, admin_server, admin_login, language
):
    console = new_page(storage_state=admin_login, locale=language)
    site_page = admin_server.url(f"/admin/{SITE}?lang={language}")
    form = "form[action$=feedback-question]"
    console.goto(site_page)
    before = {
        lang: console.locator(f"[name=question-{lang}]").input_value()
        for lang in ("en", "es", "fr", "pt", "zh", "vi", "ar", "pl")
    }
    assert all(before.values())  # the demo asks its question in every language
    question = {
        "en": "Did we call you by the name you asked for?",
        "es": "¿Le llamamos por el nombre que pidió?",
    }
    console.locator(f"[name=question-{language}]").fill(question[language])
    console.locator("[name=question-pl]").fill("")  # one language left out: refused
    console.locator(f"{form} button[value=save]").click()
    expect(console.get_by_role("alert")).to_contain_text("no translation for pl")
    expect(console.locator(f"[name=question-{language}]")).to_have_value(question[language])
    assert_accessible(console, f"admin feedback question refused ({language})")
    kiosk = new_page()
    kiosk.goto(admin_server.url(f"/feedback/{SITE}?lang={language}"))
    expect(kiosk.get_by_role("group", name=before[language])).to_be_visible()  # unchanged

    console.locator("[name=question-pl]").fill(before["pl"])
    console.locator(f"{form} button[value=save]").click()
    expect(console.get_by_role("status")).to_contain_text(
        "Saved." if language == "en" else "Guardado."
    )
    kiosk.reload()
    expect(kiosk.get_by_role("group", name=question[language])).to_be_visible()

    console.locator(f"{form} button[value=remove]").click()
    expect(console.get_by_role("status")).to_be_visible()
    expect(console.locator(f"[name=question-{language}]")).to_have_value("")
    expect(console.locator(f"{form} button[value=remove]")).to_have_count(0)
    assert_accessible(console, f"admin with no feedback question ({language})")
    kiosk.reload()
    expect(kiosk.locator("input[name=site_answer]")).to_have_count(0)

    for lang, words in before.items():  # the demo's question again, for what follows
        console.locator(f"[name=question-{lang}]").fill(words)
    console.locator(f"{form} button[value=save]").click()
    expect(console.locator(f"{form} button[value=remove]")).to_have_count(1)
