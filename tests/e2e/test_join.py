"""Waiting from anywhere in real Chromium: join from the public page, see when to leave,
be told to come (the server's clock moved past "Leave by" through its offset file,
WAITROOM_CLOCK_OFFSET_FILE), say "I'm here" with the day's arrival code, and be called;
axe on the new screens in English and Spanish.

Being held and moved back after the grace period is in tests/e2e/test_kiosk_arrival.py
(and with the app's own clock in tests/integration/test_remote.py).
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Live, assert_accessible
from tests.e2e.live import SITE, Server
from tests.e2e.test_desk import _form_login
from tests.e2e.test_kiosk_arrival import move_server_clock
from tests.e2e.test_phone import PHONE

LONDON = ZoneInfo("Europe/London")
AHEAD = 8  # walk-ins ahead, so that the wait is longer than the margin: "Leave by"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """A server of its own. On the suite's shared server, earlier tests' visits (called
    and completed within seconds) teach it that a visit takes no time, and every wait is
    then "Please come now", never "Leave by"."""
    root = tmp_path_factory.mktemp("join")
    server = Server(root, None)
    # Its clock can be moved forward (server/clock.py): "Leave by" is minutes away.
    server.env["WAITROOM_CLOCK_OFFSET_FILE"] = str(root / "clock-offset")
    password = server.demo()
    with server.running():
        live = Live(server, password)
        live.offset_file = root / "clock-offset"
        yield live


@pytest.fixture(scope="module")
def desk(live_server):
    return live_server.desk_api()


@pytest.fixture(scope="module")
def desk_login(browser, live_server):
    return _form_login(browser, live_server)


def ticket_id(desk, number):
    return next(t["id"] for t in desk.queue()["tickets"] if t["number"] == number)


def seconds_until(hour: str, minute: str) -> float:
    """Seconds from now to today's HH:MM on the site's clock (the demo's: London)."""
    now = datetime.now(LONDON)
    return max((now.replace(hour=int(hour), minute=int(minute)) - now).total_seconds(), 0)


def test_join_from_home_leave_by_say_i_am_here_and_be_called(
    new_page, live_server, desk, desk_login
):
    ahead = [
        desk("tickets", {"service": "G"}, status=201)["ticket"]["number"] for _ in range(AHEAD)
    ]
    phone = new_page(**PHONE)
    phone.goto(live_server.url(f"/join?site={SITE}&lang=es"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Haga fila desde casa")
    assert_accessible(phone, "join page (es)")

    phone.goto(live_server.url(f"/join?site={SITE}"))
    assert_accessible(phone, "join page (en)")
    phone.get_by_label("How many minutes will it take you to get here?").fill("0")
    phone.get_by_role("button", name="Join the line").click()
    expect(phone).to_have_url(re.compile(r"/t/[\w-]+$"))
    expect(phone.locator("#connection")).to_have_text("This page updates by itself.")
    expect(phone.locator("#leave-advice")).to_have_text(re.compile(r"^Leave by \d\d:\d\d\.$"))
    assert_accessible(phone, "remote ticket page (en)")
    number = phone.locator(".ticket-number").inner_text()

    # Time passes on the server's clock to a minute past "Leave by": the patient is told
    # to come now.
    leave_by = re.search(r"(\d\d):(\d\d)", phone.locator("#leave-advice").inner_text())
    move_server_clock(live_server, seconds_until(leave_by[1], leave_by[2]) + 60)
    phone.reload()
    expect(phone.locator("#leave-advice")).to_have_text("Please come now.")
    remote_id = ticket_id(desk, number)

    # The desk sees it as not here yet; "call next" would pass over it.
    console = new_page(storage_state=desk_login)
    console.goto(live_server.url("/desk?room=room-1"))
    row = console.locator(f'tr[data-ticket="{number}"]')
    expect(row.locator(".ticket-not-here")).to_contain_text("not here yet, expected")
    expect(row.get_by_role("button", name="Here now")).to_be_visible()

    code = re.search(r'id="arrival-code">(\d+)<', desk.page("/desk"))[1]
    phone.get_by_label(re.compile("^When you arrive")).fill("0000" if code != "0000" else "1111")
    phone.get_by_role("button", name="I'm here").click()
    expect(phone.locator("#arrival-wrong")).to_be_visible()
    phone.get_by_label(re.compile("^When you arrive")).fill(code)
    phone.get_by_role("button", name="I'm here").click()
    expect(phone.locator("#here")).to_have_text("Thank you. We know you are here.")
    expect(phone.locator("#arrive")).to_be_hidden()
    expect(row.locator(".ticket-not-here")).to_have_count(0)  # the desk hears it live

    desk(f"tickets/{remote_id}/call", {"room": "room-1", "previous": "no_show"})
    expect(phone.locator("#called")).to_contain_text("It's your turn")
    for number in ahead:
        desk(f"tickets/{ticket_id(desk, number)}/cancel")


def test_the_remote_ticket_page_in_spanish_is_accessible(new_page, live_server, desk):
    phone = new_page(**PHONE)
    phone.goto(live_server.url(f"/join?site={SITE}&lang=es"))
    phone.get_by_role("button", name="Hacer fila").click()
    expect(phone.locator("#leave-advice")).not_to_be_empty()
    expect(phone.get_by_role("heading", name="Ya estoy aquí")).to_be_visible()
    assert_accessible(phone, "remote ticket page (es)")
    number = phone.locator(".ticket-number").inner_text()
    desk(f"tickets/{ticket_id(desk, number)}/cancel")
