"""An interpreter and how to be called, in real Chromium: the desk's markers, its filter,
its list of interpreters needed today and the reminder to fetch a patient who may not
hear the call; the phone's full-screen vibrating call and its spoken call. In English
and Spanish, each state checked with axe.

Patients check in over the kiosk's API (with the answers the kiosk sends); staff call
over the desk's API, as a desk would.
"""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.live import SITE
from tests.e2e.test_desk import _form_login, clear_room, post, queue, row
from tests.e2e.test_kiosk_speech import RECORD_SPEECH
from tests.e2e.test_phone import PHONE, RECORD_VIBRATION

ROOM = "lab-1"  # blood tests (B) only
LONG_VIBRATION = [800, 300, 800, 300, 800]


@pytest.fixture(scope="module")
def api(live_server):
    return live_server.staff()


@pytest.fixture(scope="module")
def desk_login(browser, live_server):
    return _form_login(browser, live_server)


def check_in(live_server, language="en", **needs):
    """A walk-in for blood tests, as the kiosk sends it: (token, number)."""
    response = requests.post(
        live_server.url(f"/api/sites/{SITE}/checkins/walk-in"),
        json={"service": "B", "language": language, **needs},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return body["token"], body["ticket"]["number"]


def ticket_id(api, live_server, number):
    return next(t["id"] for t in queue(api, live_server) if t["number"] == number)


def call(api, live_server, number):
    post(
        api,
        live_server,
        f"tickets/{ticket_id(api, live_server, number)}/call",
        {"room": ROOM, "previous": "no_show"},
    )


def open_desk(new_page, live_server, desk_login, locale="en-GB"):
    page = new_page(storage_state=desk_login, locale=locale)
    page.goto(live_server.url(f"/desk?room={ROOM}"))
    expect(page.locator("#waiting-count")).to_have_text(re.compile(r"^\(\d+\)$"))
    return page


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        (
            "en-GB",
            {
                "interpreter": "Interpreter: Spanish",
                "in_person": "Call in person",
                "may_not_see": "May not see the screen",
                "fetch": "may not hear the call",
                "line": "Spanish:",
            },
        ),
        (
            "es-ES",
            {
                "interpreter": "Intérprete: español",
                "in_person": "Llamar en persona",
                "may_not_see": "Puede no ver la pantalla",
                "fetch": "puede no oír la llamada",
                "line": "español:",
            },
        ),
    ],
)
def test_the_desk_marks_filters_lists_and_reminds(
    new_page, live_server, api, desk_login, locale, words
):
    clear_room(api, live_server)
    _, needs_both = check_in(live_server, "es", interpreter=True, may_not_hear=True)
    _, nothing = check_in(live_server)
    _, cannot_see = check_in(live_server, may_not_see=True)
    desk = open_desk(new_page, live_server, desk_login, locale)

    expect(row(desk, needs_both).locator(".need-interpreter")).to_have_text(words["interpreter"])
    expect(row(desk, needs_both).locator(".need-in-person")).to_have_text(words["in_person"])
    expect(row(desk, cannot_see).locator(".need-may-not-see")).to_have_text(words["may_not_see"])
    expect(row(desk, nothing).locator(".need-tag")).to_have_count(0)

    spanish = desk.locator('#interpreter-list li[data-language="es"]')
    expect(spanish).to_contain_text(words["line"])
    expect(spanish).to_contain_text(needs_both)
    assert_accessible(desk, f"desk with markers and the interpreter list ({locale})")

    shown = {
        "interpreter": {needs_both},
        "in_person": {needs_both},
        "may_not_see": {cannot_see},
    }
    for choice, numbers in shown.items():
        desk.select_option("#needs-filter", choice)
        expect(desk.locator("#waiting-list tr")).to_have_count(len(numbers))
        assert {
            r.get_attribute("data-ticket") for r in desk.locator("#waiting-list tr").all()
        } == numbers
    assert_accessible(desk, f"desk filtered ({locale})")
    desk.select_option("#needs-filter", "all")
    expect(row(desk, nothing)).to_be_visible()

    call(api, live_server, needs_both)
    reminder = desk.locator("#current .current-ticket", has_text=needs_both).locator(
        ".fetch-reminder"
    )
    expect(reminder).to_contain_text(needs_both)
    expect(reminder).to_contain_text(words["fetch"])
    assert_accessible(desk, f"desk reminding to fetch a patient ({locale})")
    call(api, live_server, nothing)
    expect(
        desk.locator("#current .current-ticket", has_text=nothing).locator(".fetch-reminder")
    ).to_have_count(0)
    clear_room(api, live_server)


def open_phone(new_page, live_server, token):
    page = new_page(**PHONE)
    page.add_init_script(RECORD_VIBRATION)
    page.add_init_script(RECORD_SPEECH)
    page.goto(live_server.url(f"/t/{token}"))
    expect(page.locator("#connection")).not_to_be_empty()
    return page


@pytest.mark.parametrize(
    ("language", "turn", "seen", "spoken"),
    [
        ("en", "It's your turn", "OK, I am going", "it's your turn. Please go to"),
        ("es", "Es su turno", "Bien, ya voy", "es su turno. Vaya a"),
    ],
)
def test_the_phone_calls_full_screen_vibrating_and_aloud(
    new_page, live_server, api, language, turn, seen, spoken
):
    clear_room(api, live_server)
    token, number = check_in(live_server, language, may_not_hear=True, may_not_see=True)
    phone = open_phone(new_page, live_server, token)
    expect(phone.locator("#speech-ready")).to_be_visible()
    phone.locator("#speech-ready").click()  # a browser speaks after a first touch
    assert_accessible(phone, f"phone waiting, spoken call offered ({language})")

    call(api, live_server, number)

    screen = phone.locator("#call-screen")
    expect(screen).to_be_visible()
    expect(screen).to_contain_text(turn)
    expect(screen).to_contain_text(number)
    box = screen.bounding_box()
    assert (box["width"], box["height"]) == (390, 844)  # the whole screen
    phone.wait_for_function("() => (window.spoken || []).some((s) => s.text.startsWith('N'))")
    said = phone.evaluate("() => window.spoken")
    call_said = [s for s in said if spoken in s["text"]]
    assert len(call_said) == 1, said
    assert call_said[0]["lang"] == language
    assert LONG_VIBRATION in phone.evaluate("() => window.vibrations")
    assert_accessible(phone, f"phone's full-screen call ({language})")

    phone.get_by_role("button", name=seen).click()
    expect(screen).to_be_hidden()
    clear_room(api, live_server)


def test_the_desk_adds_a_patient_with_the_needs_the_kiosk_asks(
    new_page, live_server, api, desk_login
):
    clear_room(api, live_server)
    desk = open_desk(new_page, live_server, desk_login)
    expect(desk.locator("#add-service option").first).to_be_attached()
    desk.select_option("#add-service", "B")
    desk.get_by_label("Needs an interpreter").check()
    desk.get_by_label("Call in person").check()
    desk.get_by_role("button", name="Add to the queue").click()

    expect(desk.locator("#feedback")).to_contain_text("Added B-")
    number = re.search(r"B-\d+", desk.locator("#feedback").inner_text()).group(0)
    expect(row(desk, number).locator(".need-interpreter")).to_be_visible()
    expect(row(desk, number).locator(".need-in-person")).to_be_visible()
    expect(row(desk, number).locator(".need-may-not-see")).to_have_count(0)
    expect(desk.get_by_label("Needs an interpreter")).not_to_be_checked()  # the form is reset
    assert_accessible(desk, "desk's add form with needs")
    clear_room(api, live_server)


def test_a_patient_who_asked_nothing_gets_the_usual_call(new_page, live_server, api):
    clear_room(api, live_server)
    token, number = check_in(live_server)
    phone = open_phone(new_page, live_server, token)
    expect(phone.locator("#speech-ready")).to_be_hidden()

    call(api, live_server, number)

    expect(phone.locator("#called")).not_to_be_empty()
    expect(phone.locator("#call-screen")).to_be_hidden()
    assert phone.evaluate("() => window.vibrations") == [[400, 200, 400]]
    assert phone.evaluate("() => window.spoken") == []
    clear_room(api, live_server)
