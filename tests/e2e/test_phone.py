"""The patient's phone page in real Chromium, against the server as `make run` starts it.

Tickets are made over the desk's API (not rate limited like the kiosk) except where the
kiosk's QR link is the point. Staff act over the API, as a desk would.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
# Records navigator.vibrate calls: headless Chromium has nothing to vibrate.
RECORD_VIBRATION = """
navigator.vibrate = (pattern) => {
  window.vibrations = (window.vibrations || []).concat([pattern]);
  return true;
};
"""


# A room holds one patient at a time, and the shared server's rooms hold other tests'
# patients: each call says that the one called before did not come.
CALLED_BEFORE_NOT_SEEN = {"previous": "no_show"}


@pytest.fixture(scope="module")
def desk(live_server):
    return live_server.desk_api()


def new_ticket(desk, service="N", language="en"):
    """A patient added at the desk: (token, ticket id, number)."""
    made = desk("tickets", {"service": service, "language": language}, status=201)
    number = made["ticket"]["number"]
    ticket_id = next(t["id"] for t in desk.queue()["tickets"] if t["number"] == number)
    return made["token"], ticket_id, number


def open_phone(new_page, live_server, token, **context):
    page = new_page(**{**PHONE, **context})
    page.add_init_script(RECORD_VIBRATION)
    page.goto(live_server.url(f"/t/{token}"))
    expect(page.locator("#connection")).to_have_text("This page updates by itself.")
    return page


def position_of(page):
    text = page.locator("#place").inner_text()
    return 1 if text == "You are next in line." else int(re.search(r"number (\d+)", text)[1])


# --- From the kiosk to the phone -------------------------------------------------------


def test_the_qr_link_opens_the_ticket_which_changes_live_when_called(new_page, live_server, desk):
    kiosk = new_page(viewport={"width": 1080, "height": 1920})
    kiosk.goto(live_server.url("/kiosk"))
    expect(kiosk.locator("body")).to_have_attribute("data-connection", "online")
    kiosk.get_by_role("button", name="Walk-in No appointment").click()
    kiosk.get_by_role("button", name=re.compile("^Nurse clinic")).click()
    expect(kiosk.locator("#ticket-link")).not_to_be_empty()
    number = kiosk.locator("#ticket-number").inner_text()
    link = kiosk.locator("#ticket-link").inner_text()

    phone = new_page(**PHONE)
    phone.add_init_script(RECORD_VIBRATION)
    phone.goto(f"http://{link}")
    expect(phone.get_by_role("heading", level=1)).to_have_text(f"Your number {number}")
    expect(phone.locator("#service")).to_have_text("Nurse clinic")
    expect(phone.locator("#place")).to_have_text(re.compile(r"You are (next|number \d+) in line"))
    expect(phone.locator("#estimate")).to_have_text(re.compile(r"Estimated wait: .*\d+ min"))
    expect(phone.locator("#called")).to_have_text("")

    ticket_id = next(t["id"] for t in desk.queue()["tickets"] if t["number"] == number)
    desk(f"tickets/{ticket_id}/call", {"room": "room-3", **CALLED_BEFORE_NOT_SEEN})

    called = phone.locator("#called")
    expect(called).to_have_attribute("role", "alert")
    expect(called).to_contain_text("It's your turn: go to Room 3")
    expect(phone.locator("#place")).to_have_text("")
    assert phone.evaluate("() => window.vibrations.length") == 1
    expect(phone).to_have_title("It's your turn: go to Room 3")


def test_the_place_in_line_moves_up_when_someone_ahead_is_called(new_page, live_server, desk):
    # Two fresh tickets at the top priority: the first is ahead of ours, whatever else waits.
    _, ahead_id, _ = new_ticket(desk)
    token, ticket_id, _ = new_ticket(desk)
    for raised in (ahead_id, ticket_id):
        desk(f"tickets/{raised}/priority", {"level": 3})
    try:
        page = open_phone(new_page, live_server, token)
        before = position_of(page)
        assert before >= 2

        desk(f"tickets/{ahead_id}/call", {"room": "treatment", **CALLED_BEFORE_NOT_SEEN})

        after = "You are next in line." if before == 2 else f"You are number {before - 1} in line."
        expect(page.locator("#place")).to_have_text(after)
    finally:
        desk(f"tickets/{ticket_id}/cancel")  # leave no top-priority ticket for other tests


def test_a_delay_notice_reaches_the_phone_and_goes_when_cleared(new_page, live_server, desk):
    token, _, _ = new_ticket(desk)
    page = open_phone(new_page, live_server, token)

    notice = desk(
        "notices",
        {
            "scope": "service",
            "target": "N",
            "reason": "Nurse on a home visit",
            "expected_minutes": 25,
        },
        status=201,
    )
    try:
        delays = page.get_by_role("region", name="Delays")
        # Free text (the API's older `reason`) is staff's note: shown as typed, marked.
        expect(delays).to_contain_text(
            "Delay of about 25 min: Note from the clinic: “Nurse on a home visit”"
        )
    finally:
        desk(f"notices/{notice['notice']['id']}/clear")
    # The notice goes; what the server says of the wait itself (`delay`) may stay.
    expect(page.locator("#delay-list")).not_to_contain_text("Nurse on a home visit")


def test_an_estimate_driven_delay_is_shown_when_the_ticket_carries_one(new_page, live_server, desk):
    token, _, _ = new_ticket(desk)
    page = new_page(**PHONE)
    # The server adds a `delay` to a ticket whose estimate moved out; until it does for
    # this ticket, add one to what the socket delivers.
    delay = {"reason_code": "slow_visits", "message": "Visits are running slow.", "at": None}
    Signal(page, edit_ticket=lambda ticket: {**ticket, "delay": delay})
    page.goto(live_server.url(f"/t/{token}"))

    expect(page.get_by_role("region", name="Delays")).to_contain_text("Visits are running slow.")


# --- Leaving ----------------------------------------------------------------------------


def test_leaving_the_queue_asks_first_then_says_so(new_page, live_server, desk):
    token, ticket_id, _ = new_ticket(desk)
    page = open_phone(new_page, live_server, token)
    dialog = page.get_by_role("dialog", name="Leave the queue?")

    page.get_by_role("button", name="Leave the queue").click()
    expect(dialog).to_be_visible()
    page.get_by_role("button", name="No, keep my place").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#place")).not_to_have_text("")

    page.get_by_role("button", name="Leave the queue").click()
    page.get_by_role("button", name="Yes, leave the queue").click()

    expect(page.locator("#state")).to_have_text("You have left the queue. You can close this page.")
    expect(page.get_by_role("button", name="Leave the queue")).to_be_hidden()
    assert all(t["id"] != ticket_id for t in desk.queue()["tickets"])  # no longer open
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("This ticket is no longer active")


def test_the_end_of_the_visit_reaches_the_phone(new_page, live_server, desk):
    token, ticket_id, _ = new_ticket(desk)
    page = open_phone(new_page, live_server, token)

    desk(f"tickets/{ticket_id}/call", {"room": "room-3", **CALLED_BEFORE_NOT_SEEN})
    desk(f"tickets/{ticket_id}/start")
    expect(page.locator("#state")).to_have_text("Your visit has started.")
    desk(f"tickets/{ticket_id}/complete")

    # The page turns into the visit's survey (issue 18: tests/e2e/test_feedback.py).
    expect(page).to_have_url(re.compile(r"/feedback$"))
    expect(page.get_by_text("Your visit is over. Thank you for coming.")).to_be_visible()


# --- Sleep and lost signal ----------------------------------------------------------------


class Signal:
    """Sits between the page and the server's WebSocket. While `lost`, nothing the server
    sends reaches the page, as when a phone sleeps or walks out of signal; `edit_ticket`
    may change the ticket in each ticket_update on its way."""

    def __init__(self, page, edit_ticket=None):
        self.lost = False
        self.sockets = []
        self.edit_ticket = edit_ticket
        page.route_web_socket(re.compile(r"/socket\.io/"), self._connect)

    def _connect(self, page_side):
        server_side = page_side.connect_to_server()
        server_side.on_message(lambda message: self._deliver(page_side, message))
        self.sockets.append(page_side)

    def _deliver(self, page_side, message):
        if self.lost:
            return
        event = '42["ticket_update",'
        if self.edit_ticket and isinstance(message, str) and message.startswith(event):
            name, update = json.loads(message[2:])
            update["ticket"] = self.edit_ticket(update["ticket"])
            message = "42" + json.dumps([name, update])
        page_side.send(message)

    def drop(self):
        """The connection dies: the page notices and reconnects."""
        self.lost = False
        self.sockets[-1].close()


def test_after_lost_signal_the_phone_is_up_to_date_as_soon_as_it_reconnects(
    new_page, live_server, desk
):
    token, ticket_id, _ = new_ticket(desk)
    page = new_page(**PHONE)
    signal = Signal(page)
    page.goto(live_server.url(f"/t/{token}"))
    expect(page.locator("#connection")).to_have_text("This page updates by itself.")

    signal.lost = True
    desk(f"tickets/{ticket_id}/call", {"room": "room-3", **CALLED_BEFORE_NOT_SEEN})
    time.sleep(0.5)  # the update is sent, and lost; nothing to wait for on the page
    expect(page.locator("#called")).to_have_text("")

    signal.drop()

    expect(page.locator("#called")).to_contain_text("It's your turn: go to Room 3")
    assert len(signal.sockets) == 2


def test_a_phone_coming_back_from_sleep_asks_for_the_latest(new_page, live_server, desk):
    token, ticket_id, _ = new_ticket(desk)
    page = new_page(**PHONE)
    signal = Signal(page)
    page.goto(live_server.url(f"/t/{token}"))
    expect(page.locator("#connection")).to_have_text("This page updates by itself.")

    signal.lost = True
    desk(f"tickets/{ticket_id}/call", {"room": "room-3", **CALLED_BEFORE_NOT_SEEN})
    time.sleep(0.5)  # the update is sent, and lost
    expect(page.locator("#called")).to_have_text("")
    signal.lost = False

    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")

    expect(page.locator("#called")).to_contain_text("It's your turn: go to Room 3")
    assert len(signal.sockets) == 1  # the same connection, resynchronised


# --- Links that no longer work ----------------------------------------------------------------


def test_an_unknown_link_shows_a_friendly_page_and_nothing_else(new_page, live_server):
    page = new_page(**PHONE)

    response = page.goto(live_server.url("/t/not-a-ticket-we-ever-issued"))

    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("This ticket is no longer active")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"


# --- Accessibility and reflow -----------------------------------------------------------------


def check_every_reading_mode(page, where):
    for text, contrast in ((None, None), ("large", None), (None, "high")):
        page.evaluate(
            """([text, contrast]) => {
                const root = document.documentElement;
                if (text) root.dataset.text = text; else delete root.dataset.text;
                if (contrast) root.dataset.contrast = contrast; else delete root.dataset.contrast;
            }""",
            [text, contrast],
        )
        assert_accessible(
            page, f"{where}, text={text or 'normal'}, contrast={contrast or 'normal'}"
        )


def test_the_phone_page_passes_axe_waiting_called_and_ended(new_page, live_server, desk):
    token, ticket_id, _ = new_ticket(desk)
    page = open_phone(new_page, live_server, token)
    check_every_reading_mode(page, "waiting")

    desk(f"tickets/{ticket_id}/call", {"room": "room-3", **CALLED_BEFORE_NOT_SEEN})
    expect(page.locator("#called")).not_to_have_text("")
    check_every_reading_mode(page, "called")

    page.get_by_role("button", name="Leave the queue").click()
    check_every_reading_mode(page, "leave confirmation")
    page.get_by_role("button", name="Yes, leave the queue").click()
    expect(page.locator("#state")).not_to_have_text("")
    check_every_reading_mode(page, "ended")

    page.reload()
    check_every_reading_mode(page, "no longer active")


def test_reading_modes_are_switchable_and_remembered(new_page, live_server, desk):
    token, _, _ = new_ticket(desk)
    page = open_phone(new_page, live_server, token)

    page.get_by_role("button", name="Larger text").click()
    page.get_by_role("button", name="High contrast").click()
    page.reload()

    expect(page.locator("html")).to_have_attribute("data-text", "large")
    expect(page.locator("html")).to_have_attribute("data-contrast", "high")
    expect(page.get_by_role("button", name="Larger text")).to_have_attribute("aria-pressed", "true")


def test_the_page_reflows_at_320_px_with_text_at_200_percent(new_page, live_server, desk):
    token, _, _ = new_ticket(desk)
    page = open_phone(new_page, live_server, token, viewport={"width": 320, "height": 640})
    long_reason = "The doctor was called to an emergency on the ward upstairs"
    notice = desk(
        "notices",
        {"scope": "service", "target": "N", "reason": long_reason, "expected_minutes": 5},
        status=201,
    )
    try:
        expect(page.get_by_role("region", name="Delays")).to_contain_text(long_reason)
        for size in ("100%", "200%"):
            page.evaluate("(size) => { document.documentElement.style.fontSize = size; }", size)
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= 320, f"scrolls sideways with text at {size}: {width}px"
            expect(page.get_by_role("button", name="Leave the queue")).to_be_visible()
    finally:
        desk(f"notices/{notice['notice']['id']}/clear")
