"""The self check-in kiosk in real Chromium, against the server as `make run` starts it.

The server is shared by every browser test, so each test makes its own tickets and
appointments and looks for them by number or code, never assuming an empty queue.
"""

from __future__ import annotations

import re
import secrets
import string
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.kiosk_actions import KIOSK_SCREEN, on_screen, open_kiosk, tap, type_keys
from tests.e2e.live import SITE

LONDON = ZoneInfo("Europe/London")


# --- Helpers ---------------------------------------------------------------------


def tap_service(page, service):
    """A service's button: its name, then maybe its current wait."""
    page.get_by_role("button", name=re.compile("^" + re.escape(service))).click()


def walk_in(page, service="Blood tests"):
    tap(page, "Walk-in No appointment")
    tap_service(page, service)
    on_screen(page, "ticket")
    return page.locator("#ticket-number").inner_text()


@pytest.fixture(scope="module")
def desk(live_server):
    """One login for the module: logins are rate limited per address, like a person's."""
    session = live_server.staff()

    def request(method, path, **kwargs):
        return session.request(method, live_server.url(f"/api/sites/{SITE}/{path}"), **kwargs)

    return request


def staff_ticket(desk, number):
    tickets = desk("GET", "queue").json()["tickets"]
    return next(t for t in tickets if t["number"] == number)


def ticket_count(desk):
    return len(desk("GET", "queue").json()["tickets"])


def add_appointment(desk, minutes_from_now=0, service="N"):
    """A new appointment for today at now (+ minutes), imported as the admin does."""
    when = datetime.now(LONDON) + timedelta(minutes=minutes_from_now)
    if when.date() != datetime.now(LONDON).date():
        pytest.skip("too close to midnight in London for an appointment today")
    suffix = "".join(secrets.choice(string.ascii_uppercase) for _ in range(6))
    appointment = {
        "code": "T" + secrets.token_hex(3).upper(),
        "last_name": "Q" + suffix.lower(),
        "first_name": "Zelda",
        "date_of_birth": "1950-04-09",
    }
    row = [*appointment.values(), service, when.strftime("%H:%M")]
    csv = "code,last_name,first_name,date_of_birth,service,time\n" + ",".join(row) + "\n"
    response = desk("POST", "appointments", data=csv.encode(), headers={"Content-Type": "text/csv"})
    assert response.status_code == 200, response.text
    return appointment


def find_by_code(page, code):
    tap(page, "I have an appointment")
    type_keys(page, code)
    tap(page, "Find my appointment")


def in_every_reading_mode(page, where):
    """axe in normal, large-text and high-contrast modes, and targets of at least 44 px."""
    for text, contrast in ((None, None), ("large", None), (None, "high")):
        page.evaluate(
            """([text, contrast]) => {
                const root = document.documentElement;
                if (text) root.dataset.text = text; else delete root.dataset.text;
                if (contrast) root.dataset.contrast = contrast; else delete root.dataset.contrast;
            }""",
            [text, contrast],
        )
        mode = f"{where}, text={text or 'normal'}, contrast={contrast or 'normal'}"
        assert_accessible(page, mode)
        assert small_targets(page) == [], mode
    page.evaluate(
        "() => { delete document.documentElement.dataset.text; "
        "delete document.documentElement.dataset.contrast; }"
    )


def small_targets(page):
    return page.evaluate(
        """() => [...document.querySelectorAll('button, input, a[href]')]
            .filter((el) => el.checkVisibility())
            .map((el) => [el.textContent.trim() || el.id, el.getBoundingClientRect()])
            .filter(([, box]) => box.width < 44 || box.height < 44)
            .map(([name]) => name)"""
    )


# --- Checking in -------------------------------------------------------------------


def test_walk_in_checks_in_with_one_tap_and_shows_the_ticket(new_page, live_server, desk):
    page = open_kiosk(new_page, live_server)

    number = walk_in(page, "Vaccinations")

    assert re.fullmatch(r"V-\d{3}", number)
    expect(page.locator("#ticket-service")).to_have_text("Vaccinations")
    expect(page.locator("#ticket-place")).to_have_text(
        re.compile(r"You are (next in line|number \d+ in line)\.")
    )
    expect(page.locator("#ticket-wait")).to_have_text(re.compile(r"Estimated wait: .*\d+ min"))
    link = page.locator("#ticket-link").inner_text()
    assert re.fullmatch(r"127\.0\.0\.1:\d+/t/[A-Za-z0-9_-]{32}", link)
    qr = page.locator("#ticket-qr")
    expect(qr).to_have_attribute("alt", re.compile("QR code"))
    # The picture loads after the ticket is on screen: wait for it, not just look once.
    page.wait_for_function(
        "() => { const img = document.getElementById('ticket-qr');"
        " return img.complete && img.naturalWidth > 0; }"
    )
    ticket = staff_ticket(desk, number)
    assert (ticket["source"], ticket["language"], ticket["status"]) == ("kiosk", "en", "waiting")


def test_a_double_tap_checks_in_only_once(new_page, live_server, desk):
    page = open_kiosk(new_page, live_server)
    before = ticket_count(desk)
    tap(page, "Walk-in No appointment")

    page.get_by_role("button", name=re.compile("^Nurse clinic")).dblclick()

    on_screen(page, "ticket")
    assert ticket_count(desk) == before + 1


def test_appointment_by_code_is_confirmed_with_first_name_time_and_service(
    new_page, live_server, desk
):
    appointment = add_appointment(desk)
    page = open_kiosk(new_page, live_server)

    find_by_code(page, appointment["code"])

    on_screen(page, "confirm")
    expect(page.locator("#confirm-name")).to_have_text("Zelda")
    # The time as English writes it ("3:00 PM"), by Intl in the browser.
    expect(page.locator("#confirm-time")).to_have_text(re.compile(r"^\d{1,2}:\d\d [AP]M$"))
    expect(page.locator("#confirm-service")).to_have_text("Nurse clinic")
    shown = page.locator("main").inner_text()
    assert appointment["last_name"] not in shown.lower()
    assert "1950" not in shown
    tap(page, "Yes, check me in")
    on_screen(page, "ticket")
    ticket = staff_ticket(desk, page.locator("#ticket-number").inner_text())
    assert ticket["source"] == "appointment"
    assert ticket["patient_name"].lower() == f"zelda {appointment['last_name'].lower()}"


def test_appointment_by_last_name_and_date_of_birth(new_page, live_server, desk):
    appointment = add_appointment(desk)
    page = open_kiosk(new_page, live_server)
    tap(page, "I have an appointment")
    tap(page, "I do not have a code")

    type_keys(page, appointment["last_name"].upper())
    tap(page, "Next")
    type_keys(page, "09041950")  # day, month, year: each box moves on when full
    expect(page.locator("#dob-year")).to_have_value("1950")
    tap(page, "Find my appointment")

    expect(page.locator("#confirm-name")).to_have_text("Zelda")
    tap(page, "Yes, check me in")
    on_screen(page, "ticket")
    ticket = staff_ticket(desk, page.locator("#ticket-number").inner_text())
    assert ticket["patient_name"].lower() == f"zelda {appointment['last_name'].lower()}"


def test_not_me_goes_back_without_checking_in(new_page, live_server, desk):
    appointment = add_appointment(desk)
    page = open_kiosk(new_page, live_server)
    before = ticket_count(desk)
    find_by_code(page, appointment["code"])

    tap(page, "No, this is not me")

    on_screen(page, "code")
    assert ticket_count(desk) == before


def test_an_impossible_birth_date_is_caught_on_the_kiosk(new_page, live_server):
    page = open_kiosk(new_page, live_server)
    tap(page, "I have an appointment")
    tap(page, "I do not have a code")
    type_keys(page, "SMITH")
    tap(page, "Next")

    type_keys(page, "31021941")
    tap(page, "Find my appointment")

    expect(page.locator(".screen:not([hidden]) .entry-error")).to_have_text(
        "This date is not right. Please check it."
    )
    on_screen(page, "dob")


# --- Saying no, plainly ----------------------------------------------------------------


def test_an_unknown_code_says_so_and_the_patient_can_try_again(new_page, live_server):
    page = open_kiosk(new_page, live_server)
    find_by_code(page, "ZZ0000")

    on_screen(page, "problem")
    expect(page.locator("#problem-title")).to_have_text("We could not find your appointment")
    expect(page.locator("#problem-text")).to_contain_text("see the front desk")
    tap(page, "Try again")
    on_screen(page, "code")
    expect(page.locator("#code-entry")).to_have_value("ZZ0000")


def test_too_early_for_the_appointment_says_when_to_come_back(new_page, live_server, desk):
    appointment = add_appointment(desk, minutes_from_now=120)
    page = open_kiosk(new_page, live_server)

    find_by_code(page, appointment["code"])

    expect(page.locator("#problem-title")).to_have_text("It is too early to check in")
    expect(page.locator("#problem-text")).to_contain_text("come back closer")


def test_too_late_for_the_appointment_sends_the_patient_to_the_desk(new_page, live_server, desk):
    appointment = add_appointment(desk, minutes_from_now=-45)
    page = open_kiosk(new_page, live_server)

    find_by_code(page, appointment["code"])

    expect(page.locator("#problem-title")).to_have_text("It is too late to check in here")
    expect(page.locator("#problem-text")).to_have_text(
        "Please see the front desk. They will help you."
    )
    expect(page.get_by_role("button", name="Try again")).to_be_hidden()


@pytest.mark.parametrize(
    ("status", "code", "title"),
    [
        (429, "rate_limited", "Too many tries"),
        (422, "closed", "The clinic is closed for walk-ins now"),
    ],
)
def test_refusals_from_the_server_are_explained(new_page, live_server, status, code, title):
    page = open_kiosk(new_page, live_server)
    page.route(
        "**/checkins/walk-in",
        lambda route: route.fulfill(
            status=status, json={"error": {"code": code, "message": "refused"}}
        ),
    )

    tap(page, "Walk-in No appointment")
    tap_service(page, "Blood tests")

    expect(page.locator("#problem-title")).to_have_text(title)


def test_a_closed_clinic_says_so_before_the_patient_chooses(new_page, live_server):
    page = open_kiosk(new_page, live_server)

    def closed_now(route):
        response = route.fetch()
        route.fulfill(response=response, json={**response.json(), "open": False})

    page.route(f"**/api/sites/{SITE}", closed_now)

    tap(page, "Walk-in No appointment")

    expect(page.locator("#problem-title")).to_have_text("The clinic is closed for walk-ins now")
    expect(page.locator("#service-list")).to_be_hidden()


# --- Network drops ---------------------------------------------------------------------


def test_offline_kiosk_refuses_check_in_clearly_and_recovers_by_itself(new_page, live_server, desk):
    page = open_kiosk(new_page, live_server)
    before = ticket_count(desk)

    page.context.set_offline(True)
    banner = page.locator("#connection")
    expect(banner).to_have_text(re.compile("This kiosk is offline"))
    tap(page, "Walk-in No appointment")
    tap_service(page, "Blood tests")
    expect(page.locator("#problem-title")).to_have_text("This kiosk is offline")
    expect(page.locator("#problem-text")).to_contain_text("You have not been checked in")
    assert ticket_count(desk) == before

    page.context.set_offline(False)
    expect(banner).to_have_text("")
    expect(page.locator("body")).to_have_attribute("data-connection", "online")
    tap(page, "Try again")
    tap_service(page, "Blood tests")
    on_screen(page, "ticket")
    assert ticket_count(desk) == before + 1


def test_a_check_in_cut_off_by_the_network_sends_the_patient_to_the_desk(new_page, live_server):
    page = open_kiosk(new_page, live_server)
    page.route("**/checkins/walk-in", lambda route: route.abort("internetdisconnected"))

    tap(page, "Walk-in No appointment")
    tap_service(page, "Blood tests")

    expect(page.locator("#problem-title")).to_have_text("We could not finish checking you in")
    expect(page.get_by_role("button", name="Try again")).to_be_hidden()
    # The kiosk checks its connection again by itself, and finds it.
    expect(page.locator("body")).to_have_attribute("data-connection", "online")


# --- The next patient ------------------------------------------------------------------


def test_idle_kiosk_warns_offers_more_time_then_forgets_the_patient(new_page, live_server):
    page = new_page(**KIOSK_SCREEN)
    page.clock.install()
    page.goto(live_server.url("/kiosk?idle=30&warning=20"))
    expect(page.locator("body")).to_have_attribute("data-connection", "online")
    tap(page, "Larger text")
    number = walk_in(page)
    warning = page.get_by_role("dialog", name="Do you need more time?")

    page.clock.fast_forward(29_000)
    expect(warning).to_be_hidden()
    page.clock.fast_forward(2_000)
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("go back to the start in 20 seconds")
    page.get_by_role("button", name="More time").click()
    expect(warning).to_be_hidden()
    on_screen(page, "ticket")

    page.clock.fast_forward(31_000)
    expect(warning).to_be_visible()
    page.clock.fast_forward(19_000)
    on_screen(page, "ticket")
    page.clock.fast_forward(2_000)

    on_screen(page, "start")
    expect(warning).to_be_hidden()
    assert number not in page.content()
    assert page.evaluate(
        """() => [...document.querySelectorAll('[data-patient]')]
            .every((el) => !(el.value || el.textContent || el.getAttribute('src')))"""
    )
    assert page.evaluate("() => document.documentElement.dataset.text") is None


def test_done_starts_over_in_the_sites_language(new_page, live_server):
    page = open_kiosk(new_page, live_server, extra_http_headers={"Accept-Language": "es"})
    expect(page.locator("html")).to_have_attribute("lang", "en")
    tap(page, "Español")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    tap(page, "Sin cita Atención sin cita previa")

    tap(page, "Volver a empezar")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome. Check in here.")


# --- Languages ---------------------------------------------------------------------------


def test_spanish_from_the_kiosk_to_the_phone(new_page, live_server, desk):
    page = open_kiosk(new_page, live_server)

    tap(page, "Español")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bienvenido. Regístrese aquí.")
    tap(page, "Sin cita Atención sin cita previa")
    tap_service(page, "Análisis de sangre")
    on_screen(page, "ticket")
    expect(page.get_by_role("heading", level=1)).to_have_text("Su llegada está registrada")
    expect(page.locator("#ticket-place")).to_have_text(re.compile(r"^Usted es"))
    number = page.locator("#ticket-number").inner_text()
    link = page.locator("#ticket-link").inner_text()

    phone = new_page(viewport={"width": 390, "height": 844})
    phone.goto(f"http://{link}")
    expect(phone.locator("html")).to_have_attribute("lang", "es")
    expect(phone.get_by_role("heading", level=1)).to_have_text(f"Su número {number}")
    expect(phone.locator("#service")).to_have_text("Análisis de sangre")
    expect(phone.locator("#place")).to_have_text(re.compile(r"^Usted es"))
    assert staff_ticket(desk, number)["language"] == "es"

    tap(page, "Terminar")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome. Check in here.")


# --- Printing ----------------------------------------------------------------------------


def test_print_prints_a_slip_with_only_the_ticket(new_page, live_server):
    page = open_kiosk(new_page, live_server)
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    walk_in(page)

    tap(page, "Print my ticket")
    page.emulate_media(media="print")

    assert page.evaluate("() => window.printed") == 1
    expect(page.locator("#ticket-number")).to_be_visible()
    expect(page.locator("#ticket-qr")).to_be_visible()
    expect(page.locator(".slip-clinic")).to_have_text("Riverside Family Clinic")
    expect(page.locator(".kiosk-bar")).to_be_hidden()
    expect(page.get_by_role("button", name="Done")).to_be_hidden()


# --- Accessibility -----------------------------------------------------------------------


def test_every_kiosk_screen_passes_axe_in_every_reading_mode(new_page, live_server, desk):
    appointment = add_appointment(desk)
    page = new_page(**KIOSK_SCREEN)
    page.clock.install()
    page.goto(live_server.url("/kiosk"))
    expect(page.locator("body")).to_have_attribute("data-connection", "online")

    in_every_reading_mode(page, "start")
    tap(page, "I have an appointment")
    type_keys(page, "ZZ")
    in_every_reading_mode(page, "code")
    tap(page, "Find my appointment")
    on_screen(page, "problem")
    in_every_reading_mode(page, "problem")
    tap(page, "Try again")
    tap(page, "I do not have a code")
    tap(page, "Next")  # with no name yet: the error line shows
    in_every_reading_mode(page, "name, with an error")
    type_keys(page, appointment["last_name"].upper())
    tap(page, "Next")
    type_keys(page, "0904")
    in_every_reading_mode(page, "date of birth")
    type_keys(page, "1950")
    tap(page, "Find my appointment")
    on_screen(page, "confirm")
    in_every_reading_mode(page, "confirm")
    tap(page, "Yes, check me in")
    on_screen(page, "ticket")
    expect(page.locator("#ticket-qr")).to_have_js_property("complete", True)
    in_every_reading_mode(page, "ticket")
    tap(page, "Done")
    tap(page, "Walk-in No appointment")
    in_every_reading_mode(page, "walk-in")
    page.clock.fast_forward(61_000)
    expect(page.get_by_role("dialog")).to_be_visible()
    in_every_reading_mode(page, "idle warning")
    tap(page, "More time")
    page.context.set_offline(True)
    expect(page.locator("#connection")).not_to_have_text("")
    in_every_reading_mode(page, "offline")
    page.context.set_offline(False)


def test_reading_modes_can_be_switched_on_every_screen(new_page, live_server):
    page = open_kiosk(new_page, live_server)
    screens = [("start", None), ("code", "I have an appointment"), ("name", "I do not have a code")]
    for screen, button in screens:
        if button:
            tap(page, button)
        on_screen(page, screen)
        tap(page, "Larger text")
        expect(page.locator("html")).to_have_attribute("data-text", "large")
        expect(page.get_by_role("button", name="Larger text")).to_have_attribute(
            "aria-pressed", "true"
        )
        tap(page, "High contrast")
        expect(page.locator("html")).to_have_attribute("data-contrast", "high")
        tap(page, "Larger text")
        tap(page, "High contrast")
        expect(page.locator("html")).not_to_have_attribute("data-text", "large")
        expect(page.locator("html")).not_to_have_attribute("data-contrast", "high")
