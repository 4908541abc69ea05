"""The front-desk console in Chromium, against the real server.

The server is shared with the other browser tests, so tests never assume an empty
queue: the ones that press "Call next" first cancel whatever waits for the room's
service, and every ticket is found by its number.
"""

from __future__ import annotations

import re
import threading
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.live import SITE, Listener, http

ROOM = "lab-1"  # serves blood tests (B) only
ROOM_NAME = "Lab counter 1"
SERVICE = "B"
WITHIN_A_SECOND = 1000  # ms
# Two of the demo site's delay reasons (server/sites/demo/site.toml), in both its languages.
EMERGENCY = {
    "en": "The doctor was called to an emergency",
    "es": "El médico ha tenido que atender una urgencia",
}
BEHIND = {"en": "We are running behind", "es": "Vamos con retraso"}


# --- Helpers ----------------------------------------------------------------------


def fetches_in_flight(page):
    """The page's fetch() requests not yet answered, kept up to date from now on (the
    socket's long polls are XHRs, not counted)."""
    unanswered = set()

    def sent(request):
        if request.resource_type == "fetch":
            unanswered.add(request)

    def ended(request):
        unanswered.discard(request)

    page.on("request", sent)
    page.on("requestfinished", ended)
    page.on("requestfailed", ended)
    return unanswered


def wait_for_quiet(page, unanswered, quiet_ms=500, seconds=10):
    """Until no fetch has been in flight for quiet_ms: a request the page has just
    started reaches Playwright's events a moment later. (Playwright's "networkidle"
    would wait out the socket's long polls too.) Events arrive only while Playwright
    waits, hence wait_for_timeout, not time.sleep."""
    deadline = time.monotonic() + seconds
    quiet_since = None
    while quiet_since is None or time.monotonic() - quiet_since < quiet_ms / 1000:
        assert time.monotonic() < deadline, f"the page's fetches still in flight: {unanswered}"
        if unanswered:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        page.wait_for_timeout(50)


@pytest.fixture(scope="module")
def api(live_server):
    """The desk account over the JSON API (one login for the module: logins are
    rate limited)."""
    return live_server.staff()


@pytest.fixture(scope="module")
def desk_login(browser, live_server):
    """A browser login made through the login form, reused by every desk page."""
    return _form_login(browser, live_server)


@pytest.fixture
def own_desk_login(browser, live_server):
    """A login of the test's own, for a test that ends it: the server would refuse the
    shared one to every later test."""
    return _form_login(browser, live_server)


def _form_login(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url("/desk/login"))
    page.fill("#username", "desk")
    page.fill("#password", live_server.password)
    page.click("button[type=submit]")
    page.wait_for_url("**/desk")
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def open_desk(new_page, live_server, desk_login):
    def open_page(room=ROOM, login=None, **options):
        page = new_page(storage_state=login or desk_login, **options)
        page.goto(live_server.url(f"/desk?room={room}"))
        expect(page.locator("#waiting-count")).to_have_text(re.compile(r"^\(\d+\)$"))
        return page

    return open_page


@pytest.fixture
def open_display(new_page, live_server):
    def open_page(query=""):
        page = new_page()
        page.goto(live_server.url(f"/display{query}"))
        expect(page.locator("#service-waits tr").first).to_be_visible()
        return page

    return open_page


@pytest.fixture
def phone():
    """A patient's phone, listening on its ticket's socket."""
    listeners = []

    def listen(live_server, token):
        listener = Listener()
        listener.connect(live_server.base, {"ticket": token})
        listeners.append(listener)
        return listener

    yield listen
    for listener in listeners:
        # Closing waits up to 3 s for the server's close frame; nothing needs to wait.
        threading.Thread(target=listener.close, daemon=True).start()


def post(api, live_server, path, body=None, status=200):
    response = api.post(live_server.url(f"/api/sites/{SITE}/{path}"), json=body or {}, timeout=10)
    assert response.status_code == status, response.text
    return response.json()


def add_patient(api, live_server, service=SERVICE, name=None):
    """Add a ticket as the desk does (no kiosk rate limit); returns the API's answer."""
    body = {"service": service, **({"patient_name": name} if name else {})}
    return post(api, live_server, "tickets", body, status=201)


def queue(api, live_server):
    return api.get(live_server.url(f"/api/sites/{SITE}/queue"), timeout=10).json()["tickets"]


def clear_room(api, live_server, room=ROOM, service=SERVICE):
    """Cancel what other tests left waiting for the service or called to the room, so
    that "call next" calls our ticket and the room's panel shows only ours."""
    for ticket in queue(api, live_server):
        waiting = ticket["status"] == "waiting" and ticket["service"]["prefix"] == service
        here = (ticket["room"] or {}).get("code") == room
        if waiting or (here and ticket["status"] == "called"):
            post(api, live_server, f"tickets/{ticket['id']}/cancel")
        elif here and ticket["status"] == "in_service":
            post(api, live_server, f"tickets/{ticket['id']}/complete")


def status_of(api, live_server, number):
    """The ticket's status today, or "closed" once it has left the open list."""
    found = [t["status"] for t in queue(api, live_server) if t["number"] == number]
    return found[0] if found else "closed"


def row(page, number):
    return page.locator(f'#waiting-list tr[data-ticket="{number}"]')


def current_card(page, number):
    return page.locator("#current .current-ticket", has_text=number)


# --- Logging in -------------------------------------------------------------------


def test_the_desk_asks_for_a_login_and_then_shows_the_console(page, live_server):
    page.goto(live_server.url("/desk"))
    expect(page).to_have_url(re.compile(r"/desk/login\?next="))
    assert_accessible(page, "desk login")

    page.fill("#username", "desk")
    page.fill("#password", "not the password")
    page.press("#password", "Enter")
    expect(page.get_by_role("alert")).to_have_text("The username or password is not right.")
    assert_accessible(page, "desk login with an error")

    page.fill("#password", live_server.password)
    page.press("#password", "Enter")
    expect(page).to_have_url(live_server.url("/desk"))
    expect(page.locator("#room option")).to_have_count(6)
    assert_accessible(page, "desk console")


def test_the_desk_goes_to_the_login_page_when_its_login_ends(open_desk, own_desk_login):
    desk = open_desk(login=own_desk_login)

    # Logging out elsewhere under this login closes its socket; the page notices.
    desk.evaluate(
        """() => fetch('/api/logout', {method: 'POST', body: '{}',
                 headers: {'Content-Type': 'application/json'}})"""
    )

    expect(desk).to_have_url(re.compile(r"/desk/login\?next=%2Fdesk"))


def test_an_action_refused_for_want_of_a_login_goes_to_the_login_page(
    new_page, live_server, desk_login
):
    desk = new_page(storage_state=desk_login)
    unanswered = fetches_in_flight(desk)
    desk.goto(live_server.url(f"/desk?room={ROOM}"))
    # The form needs the services the staff socket brings; then the login expires.
    expect(desk.locator("#add-service option").first).to_be_attached()
    # Every answer to the page's own requests (today's accuracy, the interpreters' day
    # totals when someone needs one) refreshes the session cookie, and one that came in
    # after the cookie is cleared would put it back: they must all be in first.
    expect(desk.locator("#accuracy-text")).not_to_have_text("")
    wait_for_quiet(desk, unanswered)
    # As when the session has expired. (By name: with Chromium 156, Playwright 1.65's
    # clear_cookies() without a filter leaves the cookie in place.)
    desk.context.clear_cookies(name="session")

    desk.get_by_role("button", name="Add to the queue").click()  # harmless if it went through

    expect(desk).to_have_url(re.compile(r"/desk/login\?next=%2Fdesk%3Froom%3Dlab-1"))


def test_an_idle_desk_logs_out_by_itself(new_page, live_server, own_desk_login):
    desk = new_page(storage_state=own_desk_login)
    desk.clock.install()
    desk.goto(live_server.url(f"/desk?room={ROOM}"))
    expect(desk.locator("#waiting-count")).to_have_text(re.compile(r"^\(\d+\)$"))

    desk.clock.run_for("30:01")

    expect(desk).to_have_url(re.compile(r"/desk/login\?expired=1"))
    expect(desk.get_by_role("status")).to_contain_text("logged out after a while")


# --- Live updates -----------------------------------------------------------------


def test_a_walk_in_appears_on_the_desk_and_the_display_within_a_second(
    open_desk, open_display, live_server
):
    desk = open_desk()
    display = open_display()
    count = display.locator(f'#service-waits tr[data-service="{SERVICE}"] .wait-count')
    before = int(re.match(r"\d+", count.inner_text()).group())

    response = http().post(
        live_server.url(f"/api/sites/{SITE}/checkins/walk-in"), json={"service": SERVICE}
    )
    assert response.status_code == 201, response.text
    number = response.json()["ticket"]["number"]

    expect(row(desk, number)).to_be_visible(timeout=WITHIN_A_SECOND)
    expect(count).to_have_text(f"{before + 1} waiting", timeout=WITHIN_A_SECOND)


@pytest.fixture
def clear_notices_after(api, live_server):
    """Clears, after the test, any notice it left (even a failing one): patients of
    other tests must not read our delays."""
    yield
    notices = api.get(live_server.url(f"/api/sites/{SITE}/queue"), timeout=10).json()["notices"]
    for notice in notices:
        post(api, live_server, f"notices/{notice['id']}/clear")


@pytest.fixture
def open_phone(new_page, live_server):
    """The patient's phone page, /t/<token>, live."""

    def open_page(token):
        page = new_page(viewport={"width": 390, "height": 844})
        page.goto(live_server.url(f"/t/{token}"))
        expect(page.locator("#place")).not_to_be_empty()
        return page

    return open_page


def test_call_next_shows_the_call_on_the_display_and_the_phone(
    open_desk, open_display, open_phone, api, live_server
):
    clear_room(api, live_server)
    ticket = add_patient(api, live_server)
    number = ticket["ticket"]["number"]
    phone_page = open_phone(ticket["token"])
    desk = open_desk()
    display = open_display()

    desk.keyboard.press("n")

    expect(current_card(desk, number)).to_be_visible()
    expect(display.locator("#now-number")).to_have_text(number, timeout=WITHIN_A_SECOND)
    expect(display.locator("#now-room")).to_have_text(ROOM_NAME)
    expect(phone_page.locator("#called")).to_contain_text(ROOM_NAME, timeout=WITHIN_A_SECOND)
    # The patient was shown an estimate and is now called: today's accuracy has a score.
    expect(desk.locator("#accuracy-text")).to_contain_text(
        re.compile(r"\d+% of estimates within 10 minutes"), timeout=8000
    )


def test_recall_no_show_and_back_to_the_queue(open_desk, open_display, api, live_server, phone):
    clear_room(api, live_server)
    ticket = add_patient(api, live_server)
    number = ticket["ticket"]["number"]
    listener = phone(live_server, ticket["token"])
    desk = open_desk()
    display = open_display()
    desk.get_by_role("button", name="Call next").click()
    expect(current_card(desk, number)).to_be_visible()
    first_call = display.locator("#now-call").get_attribute("data-call-id")

    desk.keyboard.press("r")
    expect(current_card(desk, number)).to_contain_text("recalls: 1")
    expect(display.locator("#now-call")).not_to_have_attribute("data-call-id", first_call or "")
    expect(display.locator("#now-number")).to_have_text(number)

    desk.keyboard.press("x")
    missed = desk.locator(f'#missed-list li[data-ticket="{number}"]')
    expect(missed).to_be_visible()
    expect(current_card(desk, number)).to_have_count(0)
    listener.wait_for("ticket_update", lambda u: u["ticket"]["status"] == "no_show")
    assert_accessible(desk, "desk console with a no-show")

    missed.get_by_role("button", name=re.compile("Back to queue")).click()
    expect(row(desk, number)).to_be_visible()
    expect(missed).to_have_count(0)


def test_start_and_complete_by_keyboard(open_desk, api, live_server):
    clear_room(api, live_server)
    number = add_patient(api, live_server)["ticket"]["number"]
    desk = open_desk()

    desk.keyboard.press("n")
    expect(current_card(desk, number)).to_be_visible()
    desk.keyboard.press("s")
    expect(current_card(desk, number)).to_contain_text("In the room since")
    desk.keyboard.press("c")

    expect(current_card(desk, number)).to_have_count(0)
    assert status_of(api, live_server, number) == "closed"  # done: off the open list


def test_shortcuts_are_shown_on_their_buttons(open_desk, api, live_server):
    clear_room(api, live_server)
    number = add_patient(api, live_server)["ticket"]["number"]
    desk = open_desk()
    desk.keyboard.press("n")

    expect(desk.locator("#call-next")).to_have_attribute("aria-keyshortcuts", "N")
    expect(desk.locator("#call-next kbd")).to_have_text("N")
    card = current_card(desk, number)
    expect(card.get_by_role("button", name=re.compile("^Recall"))).to_have_attribute(
        "aria-keyshortcuts", "R"
    )
    expect(card.get_by_role("button", name=re.compile("^No-show"))).to_contain_text("X")


def test_shortcuts_do_nothing_while_typing(open_desk, api, live_server):
    clear_room(api, live_server)
    number = add_patient(api, live_server)["ticket"]["number"]
    desk = open_desk()
    expect(row(desk, number)).to_be_visible()

    desk.locator("#add-name").press_sequentially("Nancy")
    desk.locator("#notice-note").press_sequentially("rain")
    desk.wait_for_load_state("networkidle")

    expect(desk.locator("#add-name")).to_have_value("Nancy")
    assert status_of(api, live_server, number) == "waiting"
    expect(current_card(desk, number)).to_have_count(0)


def test_a_ticket_called_at_one_desk_leaves_the_other_desks_list_at_once(
    open_desk, api, live_server
):
    clear_room(api, live_server)  # the room is free: one patient at a time
    number = add_patient(api, live_server)["ticket"]["number"]
    here = open_desk()
    there = open_desk()
    expect(row(there, number)).to_be_visible()

    row(here, number).get_by_role("button", name=re.compile("^Call now")).click()

    expect(row(there, number)).to_have_count(0, timeout=WITHIN_A_SECOND)
    expect(there.locator("#current")).to_contain_text(number)


def test_a_call_while_the_rooms_patient_has_not_come_asks_what_became_of_them(
    open_desk, api, live_server
):
    clear_room(api, live_server)
    first, second, third = (add_patient(api, live_server)["ticket"]["number"] for _ in range(3))
    desk = open_desk()
    desk.keyboard.press("n")
    expect(current_card(desk, first)).to_be_visible()
    call_next = desk.get_by_role("button", name="Call next")
    question = desk.get_by_role("dialog", name=f"{first} was called and has not come")

    # Keep waiting: nothing changes.
    call_next.click()
    expect(question).to_be_visible()
    expect(question).to_contain_text("one patient at a time")
    assert_accessible(desk, "desk dialog for a patient who has not come")
    question.get_by_role("button", name="Keep waiting").click()
    expect(question).to_be_hidden()
    expect(call_next).to_be_focused()
    assert status_of(api, live_server, first) == "called"
    assert status_of(api, live_server, second) == "waiting"

    # A no-show, and the call goes ahead.
    call_next.click()
    question.get_by_role("button", name="No-show").click()
    expect(current_card(desk, second)).to_be_visible()
    expect(desk.locator("#feedback")).to_have_text(f"Called {second} to {ROOM_NAME}.")
    expect(desk.locator(f'#missed-list li[data-ticket="{first}"]')).to_be_visible()
    expect(current_card(desk, first)).to_have_count(0)

    # "Call now" asks the same; back to the queue puts them at the end of the line.
    row(desk, third).get_by_role("button", name=re.compile("^Call now")).click()
    desk.get_by_role("dialog", name=f"{second} was called and has not come").get_by_role(
        "button", name="Back to the queue"
    ).click()
    expect(current_card(desk, third)).to_be_visible()
    expect(row(desk, second)).to_be_visible()
    expect(current_card(desk, second)).to_have_count(0)

    # A patient in the room needs no question: the next call ends their visit.
    desk.keyboard.press("s")
    expect(current_card(desk, third)).to_contain_text("In the room since")
    call_next.click()
    expect(current_card(desk, second)).to_be_visible()
    expect(current_card(desk, third)).to_have_count(0)
    expect(desk.get_by_role("dialog")).to_have_count(0)
    assert status_of(api, live_server, third) == "closed"  # done


def test_raising_the_priority_puts_a_ticket_first(open_desk, api, live_server):
    clear_room(api, live_server)
    first = add_patient(api, live_server)["ticket"]["number"]
    second = add_patient(api, live_server)["ticket"]["number"]
    desk = open_desk()
    rows = desk.locator("#waiting-list tr")
    expect(rows.first).to_have_attribute("data-ticket", first)

    row(desk, second).get_by_role("button", name=re.compile("^Priority")).click()
    dialog = desk.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Priority for {second}")
    assert_accessible(desk, "desk priority dialog")
    dialog.get_by_label("Priority").select_option("3")
    dialog.get_by_role("button", name="Set priority").click()

    expect(rows.first).to_have_attribute("data-ticket", second)
    expect(row(desk, second).locator(".priority")).to_have_text("Urgent")


def test_a_transferred_ticket_moves_to_the_other_services_rooms(open_desk, api, live_server):
    number = add_patient(api, live_server)["ticket"]["number"]
    desk = open_desk()

    row(desk, number).get_by_role("button", name=re.compile("^Transfer")).click()
    dialog = desk.get_by_role("dialog")
    assert_accessible(desk, "desk transfer dialog")
    dialog.get_by_label("Send to the service").select_option("V")
    dialog.get_by_role("button", name="Transfer", exact=True).click()

    expect(row(desk, number)).to_have_count(0)
    expect(desk.locator("#feedback")).to_have_text(f"{number} is now waiting for Vaccinations.")
    desk.get_by_label("Room", exact=True).select_option("treatment")
    expect(row(desk, number)).to_contain_text("Vaccinations")


def test_cancelling_asks_first(open_desk, api, live_server):
    number = add_patient(api, live_server)["ticket"]["number"]
    desk = open_desk()
    cancel = row(desk, number).get_by_role("button", name=re.compile("^Cancel"))

    cancel.click()
    assert_accessible(desk, "desk cancel dialog")
    desk.get_by_role("button", name="Keep it").click()
    expect(row(desk, number)).to_be_visible()

    cancel.click()
    desk.get_by_role("button", name="Cancel the ticket").click()
    expect(row(desk, number)).to_have_count(0)


def test_pausing_a_room_stops_its_calls_at_every_desk(open_desk, api, live_server):
    here = open_desk()
    there = open_desk()
    try:
        here.get_by_role("button", name="Pause room").click()

        expect(there.locator("#call-next")).to_be_disabled(timeout=WITHIN_A_SECOND)
        expect(there.locator("#room-paused-hint")).to_be_visible()
        expect(there.get_by_role("button", name="Resume room")).to_be_visible()

        there.get_by_role("button", name="Resume room").click()
        expect(here.locator("#call-next")).to_be_enabled(timeout=WITHIN_A_SECOND)
    finally:
        api.post(live_server.url(f"/api/sites/{SITE}/rooms/{ROOM}/resume"), json={}, timeout=10)


@pytest.mark.usefixtures("clear_notices_after")
def test_a_reason_picked_at_the_desk_reaches_each_phone_and_display_in_its_language(
    open_desk, open_display, open_phone, api, live_server
):
    english = open_phone(add_patient(api, live_server)["token"])
    spanish_ticket = post(api, live_server, "tickets", {"service": SERVICE, "language": "es"}, 201)
    spanish = open_phone(spanish_ticket["token"])
    desk = open_desk()
    display = open_display()
    display_es = open_display("?lang=es")

    desk.get_by_label("For", exact=True).select_option("service")
    desk.get_by_label("Which one").select_option(SERVICE)
    desk.get_by_label("Reason patients will read").select_option(label=EMERGENCY["en"])
    desk.get_by_label("Note (optional, shown as you type it)").fill("Dr Ahmed")
    desk.get_by_label("Expected delay, in minutes").fill("20")
    assert_accessible(desk, "desk notice form, filled in")
    desk.get_by_role("button", name="Post the notice").click()

    expect(desk.locator("#feedback")).to_have_text("The delay notice is posted.")
    for phone, language, note in (
        (english, "en", "Note from the clinic: “Dr Ahmed”"),
        (spanish, "es", "Nota de la clínica: «Dr Ahmed»"),
    ):
        delays = phone.locator("#delay-list")
        expect(delays).to_contain_text(EMERGENCY[language], timeout=WITHIN_A_SECOND)
        expect(delays).to_contain_text(note)
    # Each display: the page's language first, then the site's other display language
    # (the demo speaks eight; its displays show display_languages = ["en", "es"]).
    shown = display.locator("#notices .notice", has_text="Delay for Blood tests")
    expect(shown.locator(".notice-reason")).to_have_text(EMERGENCY["en"], timeout=WITHIN_A_SECOND)
    expect(shown.locator(".notice-reason-other")).to_have_count(1)
    expect(shown.locator(".notice-reason-other")).to_have_text(EMERGENCY["es"])
    expect(shown.locator(".notice-reason-other")).to_have_attribute("lang", "es")
    expect(shown.locator(".notice-note")).to_have_text("Note from the clinic: “Dr Ahmed”")
    expect(shown).to_contain_text("About 20 min longer")
    shown_es = display_es.locator("#notices .notice", has_text="Análisis de sangre")
    expect(shown_es.locator(".notice-reason")).to_have_text(EMERGENCY["es"])
    expect(shown_es.locator(".notice-note")).to_have_text("Nota de la clínica: «Dr Ahmed»")
    assert_accessible(display, "display with a delay reason in two languages")

    # The same place again: the notice there is updated, not doubled.
    desk.get_by_label("For", exact=True).select_option("service")
    desk.get_by_label("Which one").select_option(SERVICE)
    desk.get_by_label("Reason patients will read").select_option(label=BEHIND["en"])
    desk.get_by_label("Expected delay, in minutes").fill("35")
    desk.get_by_role("button", name="Post the notice").click()

    expect(desk.locator("#feedback")).to_have_text("The delay notice posted there is updated.")
    expect(shown.locator(".notice-reason")).to_have_text(BEHIND["en"], timeout=WITHIN_A_SECOND)
    expect(shown.locator(".notice-note")).to_have_count(0)
    expect(shown).to_contain_text("About 35 min longer")
    expect(display.locator("#notices .notice", has_text="Delay for Blood tests")).to_have_count(1)
    expect(spanish.locator("#delay-list")).to_contain_text(BEHIND["es"], timeout=WITHIN_A_SECOND)
    expect(spanish.locator("#delay-list")).not_to_contain_text(EMERGENCY["es"])

    posted = desk.locator("#notice-list li", has_text=BEHIND["en"])
    expect(posted).to_have_count(1)
    posted.get_by_role("button", name=re.compile("^Clear")).click()
    expect(shown).to_have_count(0, timeout=WITHIN_A_SECOND)


def test_a_patient_added_by_hand_shows_their_name_to_staff_only(
    open_desk, open_display, live_server
):
    desk = open_desk()
    display = open_display()

    desk.get_by_label("Service", exact=True).select_option(SERVICE)
    desk.get_by_label("Patient's name (optional)").fill("Ottilie Fairweather")
    desk.get_by_label("Needs a step-free route").check()
    desk.get_by_role("button", name="Add to the queue").click()

    expect(desk.locator("#feedback")).to_have_text(re.compile(r"^Added B-\d{3}\.$"))
    number = desk.locator("#feedback").inner_text().removeprefix("Added ").rstrip(".")
    expect(row(desk, number)).to_contain_text("Ottilie Fairweather")
    expect(row(desk, number)).to_contain_text("step-free")
    expect(display.locator("body")).not_to_contain_text("Ottilie")


def test_the_presence_panel_shows_a_display_coming_and_going(open_desk, open_display):
    desk = open_desk()
    hall = desk.locator("#device-list li", has_text="Main waiting hall")
    expect(hall).to_contain_text("Not connected")

    display = open_display("?device=main-hall")
    expect(hall).to_contain_text("Connected since", timeout=WITHIN_A_SECOND)

    display.close()
    expect(hall).to_contain_text("Not connected")
