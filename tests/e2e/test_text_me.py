""" "Text me when it's my turn" in real Chromium: the kiosk's digit keys and the phone
page's form, against a server whose texts go to a real HTTP receiver in the test."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Live, assert_accessible
from tests.e2e.kiosk_actions import on_screen, open_kiosk, tap, type_keys
from tests.e2e.live import SITE, Server
from tests.integration.test_inbound_texts import twilio_signs
from tests.sms_receiver import Receiver

TWILIO_TOKEN = "e2e-twilio-token"
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


@pytest.fixture(scope="module")
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture(scope="module")
def texting_server(tmp_path_factory, receiver):
    """A server that sends texts (to the receiver); the session's server sends none."""
    server = Server(tmp_path_factory.mktemp("texts"), None)
    server.env.update(
        SMS_URL=receiver.sms_url, OUTBOX_POLL_SECONDS="0.2", TWILIO_AUTH_TOKEN=TWILIO_TOKEN
    )
    password = server.demo()
    with server.running():
        yield Live(server, password)


@pytest.fixture(scope="module")
def desk(texting_server):
    return texting_server.staff()


def desk_ticket(texting_server, desk, number):
    queue = desk.get(texting_server.url(f"/api/sites/{SITE}/queue")).json()
    return next(t for t in queue["tickets"] if t["number"] == number)


def test_the_kiosk_takes_a_number_on_its_keys_and_refuses_an_invalid_one(
    new_page, texting_server, desk, receiver
):
    page = open_kiosk(new_page, texting_server)
    tap(page, "Walk-in No appointment")
    page.get_by_role("button", name=re.compile("^Blood tests")).click()
    on_screen(page, "ticket")
    number = page.locator("#ticket-number").inner_text()
    form = page.locator("#text-me")
    expect(form.get_by_role("heading")).to_have_text("Text me when it's my turn")
    assert_accessible(page, "kiosk ticket screen with the texts form")

    type_keys(page, "0791")
    form.get_by_role("checkbox").check()
    form.get_by_role("button", name="Text me").click()
    expect(form.get_by_role("alert")).to_have_text(
        "This is not a phone number we can text. Check it and try again."
    )
    expect(page.locator("#text-me-number")).to_have_attribute("aria-invalid", "true")
    assert desk_ticket(texting_server, desk, number)["texts"] is None  # nothing changed
    assert_accessible(page, "kiosk texts form refusing a number")

    type_keys(page, "1123456")
    form.get_by_role("button", name="Text me").click()
    expect(form.get_by_role("status")).to_have_text(
        "Texts are on: we will text the number ending in 56."
    )
    assert desk_ticket(texting_server, desk, number)["texts"]["last_digits"] == "56"

    tap(page, "Done")  # the next patient sees an empty form
    tap(page, "Walk-in No appointment")
    page.get_by_role("button", name=re.compile("^Blood tests")).click()
    on_screen(page, "ticket")
    expect(page.locator("#text-me-number")).to_have_value("")
    expect(form.get_by_role("status")).to_have_text("")


def test_the_phone_page_form_asks_for_consent_then_texts_the_call(
    new_page, texting_server, desk, receiver
):
    made = desk.post(texting_server.url(f"/api/sites/{SITE}/tickets"), json={"service": "N"}).json()
    page = new_page(**PHONE)
    page.goto(texting_server.url(f"/t/{made['token']}"))
    form = page.locator("#text-me")
    expect(page.get_by_label("Mobile number")).to_have_attribute("type", "tel")
    assert_accessible(page, "phone page with the texts form")

    page.get_by_label("Mobile number").fill("07911 123457")
    form.get_by_role("button", name="Text me").click()
    expect(form.get_by_role("alert")).to_have_text(
        "Tick the box to agree to receive text messages."
    )
    form.get_by_role("checkbox").check()
    form.get_by_role("button", name="Text me").click()
    expect(form.get_by_role("status")).to_have_text(
        "Texts are on: we will text the number ending in 57."
    )
    assert_accessible(page, "phone page with texts on")

    ticket = desk_ticket(texting_server, desk, made["ticket"]["number"])
    desk.post(
        texting_server.url(f"/api/sites/{SITE}/tickets/{ticket['id']}/call"),
        json={"room": "room-3", "previous": "no_show"},
    )
    expected = f"{made['ticket']['number']}: it is your turn. Please go to"
    page.wait_for_function("() => document.body.dataset.status === 'called'")
    for _ in range(100):
        if any(m.startswith(expected) for _, m in receiver.texts()):
            break
        page.wait_for_timeout(100)
    assert [to for to, m in receiver.texts() if m.startswith(expected)] == ["+447911123457"]


def desk_page(new_page, texting_server, query=""):
    page = new_page()
    page.goto(texting_server.url("/desk/login"))
    page.fill("#username", "desk")
    page.fill("#password", texting_server.password)
    page.click("button[type=submit]")
    page.wait_for_url("**/desk")
    page.goto(texting_server.url(f"/desk?room=room-3{query}"))  # a room that serves line N
    return page


def test_the_desk_adds_a_number_texts_the_patient_hears_of_a_failed_text_and_stops_texts(
    new_page, texting_server, desk, receiver
):
    made = desk.post(texting_server.url(f"/api/sites/{SITE}/tickets"), json={"service": "N"}).json()
    number = made["ticket"]["number"]
    page = desk_page(new_page, texting_server)
    row = page.locator(f"tr[data-ticket='{number}']")
    dialog = page.locator("#texts-dialog")

    row.get_by_role("button", name=f"Texts… {number}").click()
    expect(dialog.get_by_role("heading")).to_have_text(f"Texts for {number}")
    expect(dialog.get_by_role("status")).to_have_text("No number for texts.")
    expect(dialog.get_by_role("button", name="Send the text")).to_be_hidden()
    assert_accessible(page, "desk texts dialog, no number yet")
    dialog.get_by_label("Mobile number").fill("0791")
    dialog.get_by_role("button", name="Save the number").click()
    expect(dialog.get_by_role("alert")).to_have_text(
        "This is not a phone number we can text. Check it and try again."
    )
    dialog.get_by_label("Mobile number").fill("07911 123458")
    dialog.get_by_role("button", name="Save the number").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#feedback")).to_have_text(f"Texts are on for {number}.")
    expect(row.locator(".texts-tag")).to_have_text("texts on (…58)")
    assert "07911" not in page.content() and "123458" not in page.content()
    assert_accessible(page, "desk with a ticket's texts on")

    receiver.status = 500  # the provider refuses: the desk is told at once
    try:
        row.get_by_role("button", name=f"Texts… {number}").click()
        expect(dialog.get_by_role("status")).to_have_text("Texts go to the number ending in 58.")
        dialog.get_by_label("Message to the patient").fill("Please come to the front desk.")
        dialog.get_by_role("button", name="Send the text").click()
        expect(page.locator("#feedback")).to_have_text(f"The text to {number} is on its way.")
        expect(page.locator("#text-news")).to_have_text(
            f"The text to {number} did not go out. Tell them in person."
        )
        expect(row.locator(".texts-tag.failed")).to_have_text("text failed (…58)")
    finally:
        receiver.status = 200

    row.get_by_role("button", name=f"Texts… {number}").click()
    expect(dialog.get_by_role("status")).to_have_text(
        "The last text to the number ending in 58 did not go out."
    )
    dialog.get_by_role("button", name="Stop texts").click()
    expect(page.locator("#feedback")).to_have_text(f"Texts are off for {number}.")
    expect(row.locator(".texts-tag")).to_have_count(0)
    assert desk_ticket(texting_server, desk, number)["texts"] is None


def test_the_desk_texts_dialog_in_spanish(new_page, texting_server, desk):
    made = desk.post(texting_server.url(f"/api/sites/{SITE}/tickets"), json={"service": "N"}).json()
    number = made["ticket"]["number"]
    page = desk_page(new_page, texting_server, "&lang=es")
    page.locator(f"tr[data-ticket='{number}']").get_by_role("button", name=f"SMS… {number}").click()
    expect(page.locator("#texts-dialog").get_by_role("heading")).to_have_text(f"SMS para {number}")
    assert_accessible(page, "desk texts dialog in Spanish")


def test_the_desk_hears_at_once_that_a_patient_texted_running_late(new_page, texting_server, desk):
    made = desk.post(texting_server.url(f"/api/sites/{SITE}/tickets"), json={"service": "N"}).json()
    number = made["ticket"]["number"]
    ticket = desk_ticket(texting_server, desk, number)
    desk.post(
        texting_server.url(f"/api/sites/{SITE}/tickets/{ticket['id']}/texts"),
        json={"number": "07911 123459"},
    )
    page = desk_page(new_page, texting_server)
    expect(page.locator(f"tr[data-ticket='{number}'] .texts-tag")).to_have_text("texts on (…59)")

    url = texting_server.url(f"/api/sites/{SITE}/texts/inbound")
    form = {"From": "+447911123459", "To": "+441234567890", "Body": "Running late"}
    answer = desk.post(
        url, data=form, headers={"X-Twilio-Signature": twilio_signs(url, form, TWILIO_TOKEN)}
    )
    assert answer.status_code == 200, answer.text
    expect(page.locator("#text-news")).to_have_text(f"{number} texted: running late.")
