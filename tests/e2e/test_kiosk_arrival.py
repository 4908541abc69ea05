"""Waiting from anywhere, the rest of it, in real Chromium.

The kiosk's "I joined online": a patient who joined from home types their ticket number
(or the mobile number they joined with) on the kiosk's on-screen keys, is marked here,
sees where to wait, and is called; the desk sees them arrive live. axe on the new kiosk
screens in English and Spanish.

And a remote patient who is not here when their turn comes: held ("You are next: please
come now" on their page), then, after the grace period, moved back by the site's number
of places. The server's clock is moved forward through its offset file
(WAITROOM_CLOCK_OFFSET_FILE, server/clock.py), as the grace period is minutes long.
"""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Live, assert_accessible
from tests.e2e.kiosk_actions import on_screen, open_kiosk, tap, type_keys
from tests.e2e.live import SITE, Server
from tests.e2e.test_desk import _form_login
from tests.e2e.test_phone import PHONE
from tests.sms_receiver import Receiver

MOBILE = "07911123456"
GRACE_SECONDS = 10 * 60  # the demo site's grace period (the default)
MOVE_BACK = 3  # and the places a held ticket moves back (the default)


@pytest.fixture(scope="module")
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, receiver):
    """A server of its own: it sends texts (so that joining takes a mobile number) and
    its clock can be moved; the suite's shared server does neither."""
    root = tmp_path_factory.mktemp("kiosk-arrival")
    server = Server(root, None)
    offset = root / "clock-offset"
    server.env.update(SMS_URL=receiver.sms_url, WAITROOM_CLOCK_OFFSET_FILE=str(offset))
    password = server.demo()
    with server.running():
        live = Live(server, password)
        live.offset_file = offset
        yield live


def move_server_clock(live_server, seconds):
    """Moves the server's time forward by `seconds` (written whole, then renamed)."""
    path = live_server.offset_file
    before = float(path.read_text()) if path.exists() else 0.0
    draft = path.with_suffix(".new")
    draft.write_text(str(before + seconds))
    os.replace(draft, path)


@pytest.fixture(scope="module")
def desk(live_server):
    return live_server.desk_api()


@pytest.fixture(scope="module")
def desk_login(browser, live_server):
    return _form_login(browser, live_server)


def desk_ticket(desk, number):
    return next(t for t in desk.queue()["tickets"] if t["number"] == number)


def join_from_phone(new_page, live_server, mobile=None):
    """Joins the line of general medicine (G) on the public join page, as a phone."""
    phone = new_page(**PHONE)
    phone.goto(live_server.url(f"/join?site={SITE}"))
    phone.get_by_label("How many minutes will it take you to get here?").fill("10")
    if mobile:
        phone.get_by_label("Mobile number, if you want texts").fill(mobile)
        phone.get_by_label(re.compile("^I agree to get text messages")).check()
    phone.get_by_role("button", name="Join the line").click()
    expect(phone).to_have_url(re.compile(r"/t/[\w-]+$"))
    expect(phone.locator("#connection")).to_have_text("This page updates by itself.")
    return phone, phone.locator(".ticket-number").inner_text()


def open_desk(new_page, live_server, desk_login):
    console = new_page(storage_state=desk_login)
    console.goto(live_server.url("/desk?room=room-1"))
    return console


def test_i_joined_online_by_ticket_number_arrive_and_be_called(
    new_page, live_server, desk, desk_login
):
    phone, number = join_from_phone(new_page, live_server)
    console = open_desk(new_page, live_server, desk_login)
    row = console.locator(f'tr[data-ticket="{number}"]')
    expect(row.locator(".ticket-not-here")).to_contain_text("not here yet, expected")

    kiosk = open_kiosk(new_page, live_server)
    tap(kiosk, "I joined online From home, with my phone")
    on_screen(kiosk, "online")
    expect(kiosk.get_by_role("heading", level=1)).to_have_text("Type your ticket number")
    assert_accessible(kiosk, "kiosk: I joined online, ticket number (en)")

    # Nothing typed: told at once, nothing sent. A number that is nobody's: refused.
    tap(kiosk, "I'm here")
    expect(kiosk.locator('[data-screen="online"] .entry-error')).to_have_text(
        "Please type your ticket number first."
    )
    type_keys(kiosk, "G999")
    tap(kiosk, "I'm here")
    on_screen(kiosk, "problem")
    expect(kiosk.get_by_role("heading", level=1)).to_have_text("We could not find your ticket")
    assert_accessible(kiosk, "kiosk: ticket not found (en)")
    tap(kiosk, "Try again")
    on_screen(kiosk, "online")
    for _ in range(4):
        kiosk.locator('.screen:not([hidden]) .keyboard [data-key="delete"]').click()
    expect(kiosk.locator("#online-entry")).to_have_value("")
    type_keys(kiosk, number.replace("-", ""))
    tap(kiosk, "I'm here")

    on_screen(kiosk, "ticket")
    expect(kiosk.get_by_role("heading", level=1)).to_have_text("Thank you. We know you are here.")
    expect(kiosk.locator("#ticket-number")).to_have_text(number)
    expect(kiosk.locator("#ticket-place")).to_have_text(re.compile(r"^You are (next|number)"))
    expect(kiosk.locator("#ticket-phone")).to_be_hidden()  # no token: no phone link
    assert_accessible(kiosk, "kiosk: arrived (en)")

    # The desk and the phone hear it live.
    expect(row.locator(".ticket-not-here")).to_have_count(0)
    expect(phone.locator("#here")).to_have_text("Thank you. We know you are here.")
    assert desk_ticket(desk, number)["remote"]["here"] is True

    # Arrived twice: refused, nothing changes.
    tap(kiosk, "Done")
    on_screen(kiosk, "start")
    expect(kiosk.locator("#online-entry")).to_have_value("")  # nothing of the last patient
    tap(kiosk, "I joined online From home, with my phone")
    type_keys(kiosk, number.replace("-", ""))
    tap(kiosk, "I'm here")
    expect(kiosk.get_by_role("heading", level=1)).to_have_text("We know you are here already")

    desk(f"tickets/{desk_ticket(desk, number)['id']}/call", {"room": "room-1"})
    expect(phone.locator("#called")).to_contain_text("It's your turn")
    desk(f"tickets/{desk_ticket(desk, number)['id']}/start")
    desk(f"tickets/{desk_ticket(desk, number)['id']}/complete")


def test_i_joined_online_by_mobile_number(new_page, live_server, desk):
    phone, number = join_from_phone(new_page, live_server, mobile=MOBILE)
    kiosk = open_kiosk(new_page, live_server)
    tap(kiosk, "I joined online From home, with my phone")
    tap(kiosk, "Use my mobile number instead")
    on_screen(kiosk, "online-mobile")
    expect(kiosk.get_by_role("heading", level=1)).to_have_text("Type your mobile number")
    assert_accessible(kiosk, "kiosk: I joined online, mobile number (en)")
    type_keys(kiosk, "+4479")  # not a whole number
    tap(kiosk, "I'm here")
    expect(kiosk.get_by_role("heading", level=1)).to_have_text("This is not a mobile number")
    tap(kiosk, "Try again")
    type_keys(kiosk, "11123456")  # +447911123456: the number it joined with
    tap(kiosk, "I'm here")
    on_screen(kiosk, "ticket")
    expect(kiosk.locator("#ticket-number")).to_have_text(number)
    expect(phone.locator("#here")).to_have_text("Thank you. We know you are here.")

    desk(f"tickets/{desk_ticket(desk, number)['id']}/call", {"room": "room-1"})
    expect(phone.locator("#called")).to_contain_text("It's your turn")
    desk(f"tickets/{desk_ticket(desk, number)['id']}/start")
    desk(f"tickets/{desk_ticket(desk, number)['id']}/complete")


def test_the_new_kiosk_screens_in_spanish_are_accessible(new_page, live_server, desk):
    _, number = join_from_phone(new_page, live_server)
    kiosk = open_kiosk(new_page, live_server)
    kiosk.get_by_role("button", name="Español").click()
    tap(kiosk, "Hice fila en línea Desde casa, con mi teléfono")
    expect(kiosk.get_by_role("heading", level=1)).to_have_text("Escriba el número de su turno")
    assert_accessible(kiosk, "kiosk: I joined online, ticket number (es)")
    tap(kiosk, "Usar mi número de móvil")
    expect(kiosk.get_by_role("heading", level=1)).to_have_text("Escriba su número de móvil")
    assert_accessible(kiosk, "kiosk: I joined online, mobile number (es)")
    type_keys(kiosk, "07911000000")
    tap(kiosk, "Ya estoy aquí")
    expect(kiosk.get_by_role("heading", level=1)).to_have_text("No encontramos su turno")
    assert_accessible(kiosk, "kiosk: ticket not found (es)")
    tap(kiosk, "Volver al inicio")
    kiosk.get_by_role("button", name="Español").click()
    tap(kiosk, "Hice fila en línea Desde casa, con mi teléfono")
    type_keys(kiosk, number.replace("-", ""))
    tap(kiosk, "Ya estoy aquí")
    on_screen(kiosk, "ticket")
    expect(kiosk.get_by_role("heading", level=1)).to_have_text("Gracias. Sabemos que está aquí.")
    assert_accessible(kiosk, "kiosk: arrived (es)")
    desk(f"tickets/{desk_ticket(desk, number)['id']}/cancel")


def test_a_remote_patient_not_here_is_held_then_moved_back_after_the_grace_period(
    new_page, live_server, desk, desk_login
):
    """Last in this module: it moves the server's clock forward."""
    phone, number = join_from_phone(new_page, live_server)
    behind = [desk("tickets", {"service": "G"}, status=201)["ticket"]["number"] for _ in range(6)]
    console = open_desk(new_page, live_server, desk_login)
    row = console.locator(f'tr[data-ticket="{number}"]')
    expect(row.locator(".ticket-not-here")).to_contain_text("not here yet, expected")

    # Its turn comes while it is not here: the next one here is called, it is held.
    called = desk("rooms/room-1/call-next")["ticket"]["number"]
    assert called == behind[0]
    expect(phone.locator("#leave-advice")).to_have_text("You are next: please come now.")
    expect(phone.locator("#place")).to_have_text("You are next in line.")
    expect(row.locator(".ticket-not-here")).to_have_text("its turn came: not here yet")
    assert_accessible(phone, "remote ticket page, held (en)")

    # Within the grace period it keeps its place.
    move_server_clock(live_server, GRACE_SECONDS - 60)
    desk("rooms/room-1/call-next", {"previous": "no_show"})
    assert desk_ticket(desk, number)["position"] == 1
    expect(phone.locator("#leave-advice")).to_have_text("You are next: please come now.")

    # After it, the next call moves it back three places, behind the others it lets by
    # (behind[2..4]; behind[1] was called meanwhile, behind[2] is called now): never dropped.
    move_server_clock(live_server, 2 * 60)
    assert (
        desk("rooms/room-1/call-next", {"previous": "no_show"})["ticket"]["number"] == (behind[2])
    )
    ticket = desk_ticket(desk, number)
    assert ticket["status"] == "waiting" and ticket["remote"]["held"] is False
    line = sorted(
        (t for t in desk.queue()["tickets"] if t["status"] == "waiting" and t["number"][0] == "G"),
        key=lambda t: t["position"],
    )
    assert [t["number"] for t in line] == [behind[3], behind[4], number, behind[5]]
    assert ticket["position"] == MOVE_BACK
    expect(phone.locator("#place")).to_have_text(f"You are number {MOVE_BACK} in line.")
    expect(phone.locator("#leave-advice")).to_have_text(
        re.compile(r"^(Please come now\.|Leave by \d\d:\d\d\.)$")
    )
    expect(row.locator(".ticket-not-here")).to_contain_text("not here yet, expected")
    # The desk lists it where it now is: behind the two it let by, before the last.
    expect(console.locator("tr[data-ticket]")).to_have_count(len(line), timeout=10_000)
    numbers = console.locator("tr[data-ticket]").evaluate_all(
        "rows => rows.map(r => r.dataset.ticket)"
    )
    assert numbers == [t["number"] for t in line]
    assert_accessible(phone, "remote ticket page, moved back (en)")
    for other in (number, behind[3], behind[4], behind[5]):
        desk(f"tickets/{desk_ticket(desk, other)['id']}/cancel")
