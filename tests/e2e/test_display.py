"""The waiting-room display in Chromium, against the real server.

The shared server may hold other tests' tickets: tests that call "next" first cancel
what waits for the service they use, and look for their own numbers.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.live import SITE, Server, http

SERVICE = "B"
ROOMS = ("lab-1", "lab-2")  # both serve blood tests
WITHIN_A_SECOND = 1000  # ms
RECONNECT_TIMEOUT = 15_000  # ms: the client backs off to 5 s between attempts

# Records what the page asks the browser to say, instead of saying it.
SPEECH_STUB = """
window.__spoken = [];
Object.defineProperty(window, "speechSynthesis", {value: {
  speak(utterance) {
    window.__spoken.push({text: utterance.text, lang: utterance.lang});
    setTimeout(() => utterance.onend && utterance.onend(), 0);
  },
  cancel() {},
  getVoices() { return []; },
}});
"""
# The demo site offers eight languages; its displays say each call in its two
# `display_languages` only, in their order.
SPOKEN_IN = ["en", "es"]


# --- Helpers ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def api(live_server):
    return live_server.staff()


def post(api, base, path, body=None, status=200):
    response = api.post(f"{base}/api/sites/{SITE}/{path}", json=body or {}, timeout=10)
    assert response.status_code == status, response.text
    return response.json()


def call(api, base, path, body=None):
    """Call next, or call a ticket here. A room holds one patient at a time, and the
    shared server's rooms may hold other tests' patients: each call says that the one
    called before did not come."""
    return post(api, base, path, {**(body or {}), "previous": "no_show"})


def add_patient(api, base, service=SERVICE, name=None):
    body = {"service": service, **({"patient_name": name} if name else {})}
    return post(api, base, "tickets", body, status=201)["ticket"]["number"]


def clear_service(api, base, *services):
    """Cancel what other tests left waiting for the services (blood tests and
    vaccinations, which lab-2 also serves), so that "call next" calls our tickets."""
    queue = api.get(f"{base}/api/sites/{SITE}/queue", timeout=10).json()
    for ticket in queue["tickets"]:
        if ticket["status"] == "waiting" and ticket["service"]["prefix"] in (services or "BV"):
            post(api, base, f"tickets/{ticket['id']}/cancel")


def ticket_id(api, base, number):
    queue = api.get(f"{base}/api/sites/{SITE}/queue", timeout=10).json()
    return next(t["id"] for t in queue["tickets"] if t["number"] == number)


def open_display(new_page, base, query="", **options):
    page = new_page(**options)
    page.goto(f"{base}/display{query}")
    expect(page.locator("#service-waits tr").first).to_be_visible()
    return page


def spoken_number(number):
    """B-007 is said "B 7"."""
    prefix, digits = number.split("-")
    return f"{prefix} {int(digits)}"


def now_number(page):
    return page.locator("#now-number")


def recent_numbers(page):
    return page.locator("#recent-calls .recent-number")


# --- What it shows ----------------------------------------------------------------


def test_the_display_shows_calls_waits_and_delays_accessibly(new_page, live_server, api):
    base = live_server.base
    clear_service(api, base)
    number = add_patient(api, base)
    call(api, base, f"rooms/{ROOMS[0]}/call-next")
    notice = post(
        api,
        base,
        "notices",
        {"scope": "site", "reason": "The lift is out of order", "expected_minutes": 10},
        status=201,
    )["notice"]
    try:
        display = open_display(new_page, base)

        expect(now_number(display)).to_have_text(number)
        expect(display.locator("#now-room")).to_have_text("Lab counter 1")
        # Where the room is, in the page's language, then in the display's other one
        # (the demo's display_languages: en, es), not in all eight of the site's.
        expect(display.locator("#now-hint")).to_have_text("Ground floor")
        expect(display.locator("#now-room-other")).to_have_text("Laboratorio 1, Planta baja")
        waits = display.locator("#service-waits tr")
        expect(waits).to_have_count(4)
        expect(waits.first).to_contain_text(re.compile(r"General practice\s*\d+ waiting"))
        expect(display.locator("#notices")).to_contain_text("The lift is out of order")
        expect(display.get_by_role("button", name="Enable sound")).to_be_visible()
        assert_accessible(display, "display")
    finally:
        post(api, base, f"notices/{notice['id']}/clear")


def test_two_calls_in_quick_succession_are_both_shown(new_page, live_server, api):
    base = live_server.base
    clear_service(api, base)
    first, second = add_patient(api, base), add_patient(api, base)
    display = open_display(new_page, base)

    for room in ROOMS:  # two desks, back to back: the same second
        call(api, base, f"rooms/{room}/call-next")

    # Both are "now calling", side by side and the same size, the newest first.
    expect(now_number(display)).to_have_text(second, timeout=WITHIN_A_SECOND)
    cards = display.locator("#now-calls .call")
    expect(cards.filter(has_text=first)).to_have_count(1)
    first_card, second_card = cards.filter(has_text=first), cards.filter(has_text=second)
    expect(first_card.locator(".call-room")).to_have_text("Lab counter 1")
    expect(second_card.locator(".call-room")).to_have_text("Lab counter 2")
    assert first_card.bounding_box()["y"] == second_card.bounding_box()["y"]
    # The same size to the eye: the grid's equal columns can differ by a 64th of a pixel
    # (layout rounding), and the number is sized by its card's width.
    sizes = [
        float(c.locator(".call-number").evaluate("e => getComputedStyle(e).fontSize")[:-2])
        for c in (first_card, second_card)
    ]
    assert abs(sizes[0] - sizes[1]) < 0.1, sizes
    expect(display.locator("#recent-calls")).not_to_contain_text(first)
    assert_accessible(display, "display with two calls at once")


def test_two_calls_in_the_same_second_are_announced_in_turn_with_the_way(
    new_page, live_server, api
):
    base = live_server.base
    clear_service(api, base)
    first, second = add_patient(api, base), add_patient(api, base)
    page = new_page()
    page.add_init_script(SPEECH_STUB)
    page.goto(f"{base}/display")
    page.get_by_role("button", name="Enable sound").click()
    expect(page.locator("#sound-setup")).to_be_hidden()

    for room in ROOMS:
        call(api, base, f"rooms/{room}/call-next")

    expect(page.locator("#now-calls .call", has_text=first)).to_have_count(1)
    expect(now_number(page)).to_have_text(second)
    page.wait_for_function(f"() => window.__spoken.length >= {2 * len(SPOKEN_IN)}")
    said_first, said_second = spoken_number(first), spoken_number(second)
    spoken = page.evaluate("window.__spoken")
    assert [said["lang"] for said in spoken] == SPOKEN_IN * 2  # one call, then the next
    assert spoken[:2] == [
        {"text": f"Ticket {said_first}, please go to Lab counter 1, Ground floor.", "lang": "en"},
        {
            "text": f"Número {said_first}, por favor pase a Laboratorio 1, Planta baja.",
            "lang": "es",
        },
    ]
    assert spoken[len(SPOKEN_IN) : len(SPOKEN_IN) + 2] == [
        {"text": f"Ticket {said_second}, please go to Lab counter 2, Ground floor.", "lang": "en"},
        {
            "text": f"Número {said_second}, por favor pase a Laboratorio 2, Planta baja.",
            "lang": "es",
        },
    ]


def test_each_call_and_recall_is_spoken_in_the_display_languages_only(new_page, live_server, api):
    base = live_server.base
    clear_service(api, base)
    number = add_patient(api, base)
    page = new_page()
    page.add_init_script(SPEECH_STUB)
    page.goto(f"{base}/display")
    page.get_by_role("button", name="Enable sound").click()
    expect(page.locator("#sound-setup")).to_be_hidden()

    call(api, base, f"rooms/{ROOMS[0]}/call-next")
    expect(now_number(page)).to_have_text(number)
    spoken = spoken_number(number)
    page.wait_for_function(f"() => window.__spoken.length >= {len(SPOKEN_IN)}")
    post(api, base, f"tickets/{ticket_id(api, base, number)}/recall")
    # The recall is said after the whole call: had the call been said in all eight of
    # the site's languages, these first four would be en, es, fr, pt.
    page.wait_for_function(f"() => window.__spoken.length >= {2 * len(SPOKEN_IN)}")
    said = page.evaluate("window.__spoken")
    assert [one["lang"] for one in said[: 2 * len(SPOKEN_IN)]] == SPOKEN_IN * 2
    # The way is said with the room ("Room 3, Level 1, take the elevator" where there
    # are stairs or a lift on the way; here the lab is on the ground floor).
    assert said[:2] == [
        {"text": f"Ticket {spoken}, please go to Lab counter 1, Ground floor.", "lang": "en"},
        {"text": f"Número {spoken}, por favor pase a Laboratorio 1, Planta baja.", "lang": "es"},
    ]
    assert said[2]["text"] == f"Ticket {spoken}, please go to Lab counter 1, Ground floor."
    # The room on screen: in the page's language, then in the other display language,
    # not in the site's six others.
    expect(page.locator("#now-room-other")).to_have_text("Laboratorio 1, Planta baja")


def test_a_display_in_another_language_says_it_first_then_the_display_languages(
    new_page, live_server, api
):
    base = live_server.base
    clear_service(api, base)
    number = add_patient(api, base)
    page = new_page()
    page.add_init_script(SPEECH_STUB)
    page.goto(f"{base}/display?lang=ar")
    page.locator("#enable-sound").click()
    expect(page.locator("#sound-setup")).to_be_hidden()

    call(api, base, f"rooms/{ROOMS[0]}/call-next")
    expect(now_number(page)).to_have_text(number)
    page.wait_for_function("() => window.__spoken.length >= 3")
    page.wait_for_timeout(500)  # time enough for a fourth language, were one said
    said = page.evaluate("window.__spoken")
    assert [one["lang"] for one in said] == ["ar", "en", "es"]
    spoken = spoken_number(number)
    assert said[0]["text"] == f"التذكرة {spoken}، يُرجى التوجّه إلى شباك المختبر 1، الطابق الأرضي."


def test_nothing_is_spoken_until_sound_is_enabled(new_page, live_server, api):
    base = live_server.base
    clear_service(api, base)
    number = add_patient(api, base)
    page = new_page()
    page.add_init_script(SPEECH_STUB)
    page.goto(f"{base}/display")
    expect(page.locator("#service-waits tr").first).to_be_visible()

    call(api, base, f"rooms/{ROOMS[0]}/call-next")

    expect(now_number(page)).to_have_text(number)
    assert page.evaluate("window.__spoken") == []


def test_enabling_sound_is_remembered(new_page, live_server):
    display = open_display(new_page, live_server.base)
    display.get_by_role("button", name="Enable sound").click()

    display.reload()

    expect(display.locator("#service-waits tr").first).to_be_visible()
    expect(display.locator("#sound-setup")).to_be_hidden()


def test_a_display_for_some_services_shows_only_their_calls_and_waits(new_page, live_server, api):
    base = live_server.base
    clear_service(api, base, "B", "V", "N")  # the treatment room calls nurse patients too
    blood = add_patient(api, base)
    vaccine = add_patient(api, base, "V")
    display = open_display(new_page, base, "?services=V")
    expect(display.locator("#service-waits tr")).to_have_count(1)
    expect(display.locator("#service-waits tr")).to_contain_text("Vaccinations")

    call(api, base, "rooms/lab-1/call-next")  # the blood test: not for this display
    call(api, base, "rooms/treatment/call-next")  # the vaccination

    expect(now_number(display)).to_have_text(vaccine)
    expect(display.locator("#recent-calls")).not_to_contain_text(blood)
    expect(display.locator("#now-calls")).not_to_contain_text(blood)


def test_the_display_page_stays_the_same_size_over_many_calls(new_page, live_server, api):
    base = live_server.base
    clear_service(api, base)
    display = open_display(new_page, base)
    # The elements outside the two lists of calls; the lists themselves are bounded below
    # (how many calls are "now calling" together depends on how fast the calls came).
    count_elements = (
        "() => document.getElementsByTagName('*').length"
        " - document.querySelectorAll('#now-calls *, #recent-calls *').length"
    )

    def call_several(times):
        for _ in range(times):
            add_patient(api, base)
            call(api, base, f"rooms/{ROOMS[0]}/call-next")

    call_several(6)  # with the last: seven calls, enough to fill the screen
    last = add_patient(api, base)
    call(api, base, f"rooms/{ROOMS[0]}/call-next")
    expect(now_number(display)).to_have_text(last)
    after_a_few = display.evaluate(count_elements)

    call_several(4)
    last = add_patient(api, base)
    call(api, base, f"rooms/{ROOMS[0]}/call-next")
    expect(now_number(display)).to_have_text(last)

    expect(recent_numbers(display)).to_have_count(6)
    assert display.evaluate(count_elements) == after_a_few
    assert display.locator("#now-calls .call").count() <= 3  # MAX_NOW in calls.js
    assert display.evaluate("() => document.querySelectorAll('#now-calls *').length") <= 3 * 6
    assert display.evaluate("() => document.querySelectorAll('#recent-calls *').length") <= 6 * 5


# --- Privacy ----------------------------------------------------------------------


def test_the_displays_socket_never_carries_a_patients_name(new_page, live_server, api):
    base = live_server.base
    clear_service(api, base)
    page = new_page()
    frames = []

    def record(frame):  # a def, not frames.append: Playwright inspects its listeners
        frames.append(frame)

    page.on("websocket", lambda ws: ws.on("framereceived", record))
    page.goto(f"{base}/display")
    expect(page.locator("#service-waits tr").first).to_be_visible()

    # A whole morning for one named patient: added, called, recalled, transferred,
    # delayed, called again, seen and done.
    number = add_patient(api, base, name="Philippa Greatorex")
    ticket = ticket_id(api, base, number)
    call(api, base, f"rooms/{ROOMS[0]}/call-next")
    post(api, base, f"tickets/{ticket}/recall")
    post(api, base, f"tickets/{ticket}/transfer", {"service": "V"})
    notice = post(
        api,
        base,
        "notices",
        {"scope": "service", "target": "V", "reason": "Short of staff", "expected_minutes": 15},
        status=201,
    )["notice"]
    call(api, base, f"tickets/{ticket}/call", {"room": "treatment"})
    post(api, base, f"tickets/{ticket}/start")
    post(api, base, f"tickets/{ticket}/complete")
    post(api, base, f"notices/{notice['id']}/clear")
    expect(page.locator("#main")).to_contain_text(number)  # now calling, or recent
    expect(page.locator("#notices")).not_to_contain_text("Short of staff")

    received = "\n".join(f if isinstance(f, str) else f.decode("utf-8", "replace") for f in frames)
    assert number in received  # we did record the display's traffic
    assert "Philippa" not in received
    assert "Greatorex" not in received
    assert "patient_name" not in received


# --- Staying connected ------------------------------------------------------------


def test_a_missed_update_makes_the_display_ask_for_a_snapshot(new_page, live_server, api):
    base = live_server.base
    page = new_page()
    sent, dropped = [], []

    def drop_one_update(ws):
        server = ws.connect_to_server()

        def from_server(message):
            text = str(message)
            if not dropped and "display_update" in text and '"snapshot"' not in text:
                dropped.append(message)  # lost on the way, as on a flaky network
                return
            ws.send(message)

        def from_page(message):
            sent.append(message)
            server.send(message)

        server.on_message(from_server)
        ws.on_message(from_page)

    page.route_web_socket(re.compile(r"/socket\.io/"), drop_one_update)
    page.goto(f"{base}/display")
    expect(page.locator("#service-waits tr").first).to_be_visible()

    add_patient(api, base)  # this update is dropped
    last = add_patient(api, base)
    call(api, base, f"tickets/{ticket_id(api, base, last)}/call", {"room": ROOMS[0]})

    expect(now_number(page)).to_have_text(last)
    assert dropped
    syncs = [m for m in sent if '"sync"' in str(m)]
    assert syncs, sent


def test_the_display_reconnects_and_catches_up_after_a_server_restart(new_page, tmp_path):
    server = Server(tmp_path, None)
    password = server.demo()
    staff = http()

    with server.running():
        display = open_display(new_page, server.base)
        login = staff.post(
            f"{server.base}/api/login", json={"username": "desk", "password": password}
        )
        assert login.status_code == 200, login.text
        number = add_patient(staff, server.base)
        expect(display.locator("#connection-text")).to_be_hidden()

    expect(display.locator("#connection-text")).to_have_text("Reconnecting…")

    with server.running():
        call(staff, server.base, f"rooms/{ROOMS[0]}/call-next")  # made while it is away

        expect(now_number(display)).to_have_text(number, timeout=RECONNECT_TIMEOUT)
        expect(display.locator("#connection-text")).to_be_hidden()
