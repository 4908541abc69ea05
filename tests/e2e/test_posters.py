"""Posters and "I'm here" without typing, in real Chromium: the console's posters page and
both posters (A4, the QR code large, the print button off the paper), the arrival
poster's page saying "I'm here" with one tap for the ticket this phone holds, and "Use my
location" with Chromium's geolocation inside and outside the site's radius; axe in
English and Spanish on each."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.conftest import DEMO_SITE
from tests.e2e.conftest import Live, assert_accessible
from tests.e2e.live import SITE, Server
from tests.e2e.test_desk import _form_login
from tests.e2e.test_display import open_display
from tests.e2e.test_phone import PHONE

DOOR = {"latitude": 51.5055, "longitude": -0.0754, "accuracy": 10}  # the demo's site file
FAR = {"latitude": 51.5155, "longitude": -0.0754, "accuracy": 10}  # 1.1 km north
MM = 96 / 25.4  # CSS pixels in a millimetre
# Counts the page's requests for the phone's position: none before the tap.
COUNT_LOCATION_REQUESTS = """
window.locationAsked = 0;
const ask = navigator.geolocation.getCurrentPosition.bind(navigator.geolocation);
navigator.geolocation.getCurrentPosition = (...args) => {
  window.locationAsked += 1;
  ask(...args);
};
"""


@pytest.fixture(scope="module")
def admin_login(browser, live_server):
    """The demo's "desk" account administers the site."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url("/admin"))
    page.fill("#username", "desk")
    page.fill("#password", live_server.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/admin/{SITE}")
    state = context.storage_state()
    context.close()
    return state


def join(phone, live_server, language="en"):
    phone.goto(live_server.url(f"/join?site={SITE}&lang={language}"))
    phone.locator(".join-form button[type=submit]").click()
    expect(phone).to_have_url(re.compile(r"/t/[\w-]+$"))
    expect(phone.locator("#arrive")).to_be_visible()
    expect(phone.locator("#place")).not_to_be_empty()  # phone.js has run: it is remembered
    return phone.locator(".ticket-number").inner_text()


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_posters_print_on_a4_with_a_large_qr_code(new_page, live_server, admin_login, language):
    console = new_page(storage_state=admin_login, locale=language)
    console.goto(live_server.url(f"/admin/{SITE}/posters?lang={language}"))
    expect(console.locator("html")).to_have_attribute("lang", language)
    assert_accessible(console, f"posters page ({language})")

    titles = {
        ("join", "en"): "Join the line from your phone",
        ("join", "es"): "Únase a la fila desde su teléfono",
        ("arrival", "en"): "Joined the line online? Tell us you are here",
        ("arrival", "es"): "¿Se unió a la fila por internet? Díganos que ya llegó",
    }
    for kind in ("join", "arrival"):
        href = console.locator(f"#{kind}-poster-link").get_attribute("href")
        poster = new_page(storage_state=admin_login, locale=language)
        poster.goto(live_server.url(f"{href}?lang={language}"))
        expect(poster.locator("html")).to_have_attribute("lang", language)
        expect(poster.get_by_role("heading", level=1)).to_have_text(titles[kind, language])
        expect(poster.get_by_role("button", name=re.compile("^(Print|Imprimir)$"))).to_be_visible()
        assert_accessible(poster, f"{kind} poster ({language})")
        if kind == "arrival":
            expect(poster.locator("#poster-code")).to_have_text(re.compile(r"^\d{4}$"))
        # On paper: no button, and a QR code 12 cm across.
        poster.emulate_media(media="print")
        expect(poster.locator(".poster-print")).to_be_hidden()
        box = poster.locator(".poster-qr svg").bounding_box()
        assert box["width"] == pytest.approx(120 * MM, abs=2)
        assert box["height"] == pytest.approx(box["width"], abs=1)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_arrival_poster_says_i_am_here_with_one_tap(
    new_page, live_server, admin_login, language
):
    staff = live_server.staff()
    poster = staff.get(live_server.url(f"/admin/{SITE}/posters/arrival"), timeout=10).text
    link = re.search(r'id="poster-qr" href="([^"]+)"', poster)[1].replace("&amp;", "&")
    phone = new_page(**PHONE, locale=language)
    number = join(phone, live_server, language)
    ticket_page = phone.url

    phone.goto(link)
    words = {"en": "I'm here: number {}", "es": "Ya estoy aquí: número {}"}[language]
    button = phone.get_by_role("button", name=words.format(number))
    expect(button).to_be_visible()
    expect(phone.locator("#arrive-code")).to_have_text(re.compile(r"^\d{4}$"))
    assert_accessible(phone, f"arrival poster's page ({language})")
    button.click()
    expect(phone).to_have_url(ticket_page)
    expect(phone.locator("#here")).to_be_visible()
    expect(phone.locator("#arrive")).to_be_hidden()

    # Arrived: the poster's page no longer offers it; a made-up key says the poster is old.
    phone.goto(link)
    expect(phone.locator("#arrive-code")).to_be_visible()
    expect(phone.locator(".arrive-ticket")).to_have_count(0)
    phone.goto(live_server.url(f"/arrive/{SITE}?key=made-up"))
    expect(phone.locator("#arrive-old")).to_be_visible()
    assert_accessible(phone, f"old arrival poster's page ({language})")


def test_use_my_location_inside_the_radius_says_i_am_here(new_page, live_server):
    phone = new_page(**PHONE, permissions=["geolocation"], geolocation=DOOR)
    phone.add_init_script(COUNT_LOCATION_REQUESTS)
    join(phone, live_server)
    button = phone.get_by_role("button", name="Use my location")
    expect(button).to_be_visible()
    assert_accessible(phone, "ticket page with Use my location (en)")
    assert phone.evaluate("window.locationAsked") == 0  # never on load
    button.click()
    expect(phone.locator("#here")).to_have_text("Thank you. We know you are here.")
    expect(phone.locator("#arrive")).to_be_hidden()
    assert phone.evaluate("window.locationAsked") == 1


@pytest.mark.parametrize("language", ["en", "es"])
def test_use_my_location_outside_the_radius_falls_back_to_the_code(new_page, live_server, language):
    phone = new_page(**PHONE, locale=language, permissions=["geolocation"], geolocation=FAR)
    join(phone, live_server, language)
    name = {"en": "Use my location", "es": "Usar mi ubicación"}[language]
    phone.get_by_role("button", name=name).click()
    said = {
        "en": "We could not tell that you are here. Please type the code instead.",
        "es": "No pudimos comprobar que está aquí. Escriba el código en su lugar.",
    }[language]
    expect(phone.locator("#arrive-location-problem")).to_have_text(said)
    expect(phone.locator("#arrival-code")).to_be_focused()
    expect(phone.locator("#here")).to_be_hidden()
    assert_accessible(phone, f"ticket page, location refused ({language})")


def test_a_phone_that_will_not_share_its_location_is_told_to_type_the_code(new_page, live_server):
    phone = new_page(**PHONE)  # no permission: Chromium refuses the request
    join(phone, live_server)
    phone.get_by_role("button", name="Use my location").click()
    expect(phone.locator("#arrive-location-problem")).to_have_text(
        "Your phone did not share where you are. Please type the code instead."
    )
    expect(phone.locator("#here")).to_be_hidden()


def test_the_display_and_desk_show_the_new_arrival_code_without_reloading(
    browser, new_page, tmp_path
):
    """The server's clock is the real one: the site's day is moved instead. A day that
    starts at 23:59 puts now in yesterday, whose code the display is then sent."""
    if datetime.now(ZoneInfo("Europe/London")).strftime("%H:%M") == "23:59":
        pytest.skip("now is already in the day that starts at 23:59")
    (tmp_path / "server").mkdir()
    server = Server(tmp_path / "server", None)
    server.env["ARRIVAL_CHECK_SECONDS"] = "1"  # it looks for a changed site every second
    password = server.demo()
    moved = tmp_path / "site.toml"
    text = DEMO_SITE.read_text(encoding="utf-8")
    moved.write_text(text.replace('# day_starts = "06:00"', 'day_starts = "23:59"'), "utf-8")
    with server.running():
        display = open_display(new_page, server.base)
        shown = display.locator("#arrival-code-value")
        expect(shown).to_have_text(re.compile(r"^\d{4}$"))
        before = shown.inner_text()
        display.evaluate("window.notReloaded = true")
        desk = new_page(storage_state=_form_login(browser, Live(server, password)))
        desk.goto(f"{server.base}/desk?room=room-1")
        expect(desk.locator("#arrival-code")).to_have_text(before)
        expect(desk.locator("#connection-text")).to_be_hidden()
        server.load_site(moved)  # another process: only the server's own loop tells them
        expect(shown).not_to_have_text(before, timeout=15_000)
        expect(shown).to_have_text(re.compile(r"^\d{4}$"))
        expect(desk.locator("#arrival-code")).to_have_text(shown.inner_text())
        assert display.evaluate("window.notReloaded") is True
