"""Feedback in real Chromium, on a server of its own that sends email to a real SMTP
server the test starts (aiosmtpd): a visit ends, the phone turns into the survey, the
answer is Poor with a complaint and an email address and the site's own yes/no question
answered, staff see that answer and work the case to "replied" in the inbox and the
reply arrives; a reply the mail server refuses is flagged "reply failed" and sent
again; a published statement shows on the display. Every new screen is checked with
axe-core in English and Spanish."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from typing import Any

import pytest
import requests
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.live import SITE, Server, log_in

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
EMAIL = "pat@example.org"
# The demo site's own yes/no question (server/sites/demo/site.toml, [feedback_question]).
QUESTION = {
    "en": "Were you told how long you would wait?",
    "es": "¿Le dijeron cuánto tiempo tendría que esperar?",
}
CONTACT_QUESTION = "Would you like us to contact you about this?"


class Mailbox:
    """Keeps what it is sent. While `held` is clear, it takes a message but does not
    answer, as a slow mail server would."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.held = threading.Event()
        self.held.set()
        self.holding = threading.Event()
        self.refusing = False  # True: every message is refused for good

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusing:
            return "554 5.7.1 Message refused"
        if not self.held.is_set():
            self.holding.set()
        while not self.held.is_set():
            await asyncio.sleep(0.05)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture(scope="module")
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    with socket.socket() as probe:  # aiosmtpd checks its port by connecting to it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, controller.port
    controller.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, mailbox) -> Iterator[tuple[Server, str]]:
    _box, port = mailbox
    server = Server(tmp_path_factory.mktemp("feedback"), None)
    server.env.update(
        SMTP_URL=f"smtp://127.0.0.1:{port}",
        SMTP_FROM="clinic@example.org",
        FEEDBACK_RATE_LIMIT="600 per minute",
    )
    password = server.demo()
    with server.running():
        yield server, password


def finished_visit(server: Server, password: str, language: str) -> tuple[str, Any]:
    """A ticket made at the desk; returns its token and a function that ends the visit."""
    desk = log_in(server.base, password)
    made = desk.post(
        f"{server.base}/api/sites/{SITE}/tickets", json={"service": "G", "language": language}
    ).json()
    number = made["ticket"]["number"]
    queue = desk.get(f"{server.base}/api/sites/{SITE}/queue").json()
    ticket = next(t["id"] for t in queue["tickets"] if t["number"] == number)

    def end_visit() -> None:
        base = f"{server.base}/api/sites/{SITE}/tickets/{ticket}"
        call = desk.post(f"{base}/call", json={"room": "room-1", "previous": "no_show"})
        assert call.status_code == 200, call.text
        for step in ("start", "complete"):
            assert desk.post(f"{base}/{step}", json={}).status_code == 200

    return made["token"], end_visit


def sign_in(page: Any, server: Server, password: str) -> None:
    page.goto(f"{server.base}/desk/login")
    page.fill("#username", "desk")
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/desk"))


def test_a_poor_answer_is_worked_to_replied_and_the_reply_arrives(new_page, server, mailbox):
    server, password = server
    box, _port = mailbox
    token, end_visit = finished_visit(server, password, "en")
    phone = new_page(**PHONE)
    phone.goto(f"{server.base}/t/{token}")
    expect(phone.locator("#connection")).to_have_text("This page updates by itself.")
    end_visit()
    # The page turns into the survey by itself.
    expect(phone.locator("h1")).to_have_text("Tell us about your visit")
    expect(phone.get_by_text("Overall, how was your experience of our service?")).to_be_visible()
    assert_accessible(phone, "survey (en)")
    phone.get_by_label("Poor", exact=True).check()
    phone.get_by_label("What went well, and what could we do better?").fill(
        "I waited two hours <b>and</b> nobody told me why."
    )
    phone.get_by_label("This is a complaint").check()
    phone.get_by_role("group", name=QUESTION["en"]).get_by_label("No", exact=True).check()
    phone.get_by_role("group", name=CONTACT_QUESTION).get_by_label("Yes", exact=True).check()
    phone.get_by_label("Email address or mobile number").fill(EMAIL)
    phone.get_by_role("button", name="Send").click()
    expect(phone.locator("#thanks")).to_have_text("Thank you for telling us")
    assert_accessible(phone, "thanks (en)")

    inbox = new_page()
    sign_in(inbox, server, password)
    expect(inbox.locator("#feedback-overdue")).to_have_count(0)  # a new case is not overdue
    inbox.goto(f"{server.base}/feedback/inbox?site={SITE}")
    case = inbox.locator(".answer").filter(has_text="I waited two hours")
    expect(case).to_contain_text("<b>and</b>")  # shown as text, not as markup
    expect(case).to_contain_text(EMAIL)
    expect(case.locator(".site-answer")).to_have_text(f"{QUESTION['en']} No")
    expect(inbox.locator("#site-question-figures")).to_contain_text(QUESTION["en"])
    assert_accessible(inbox, "inbox (en)")
    case.get_by_role("button", name="Acknowledge").click()
    case = inbox.locator(".answer").filter(has_text="I waited two hours")
    case.get_by_label("What we did (needed to close the case)").fill(
        "We now post a delay notice when a wait grows."
    )
    case.get_by_role("button", name="Save what we did").click()
    case = inbox.locator(".answer").filter(has_text="I waited two hours")
    case.get_by_label("Reply to the patient").fill("Sorry. We now tell patients about delays.")
    case.get_by_role("button", name="Send reply").click()
    case = inbox.locator(".answer").filter(has_text="I waited two hours")
    expect(case.locator(".case-state")).to_contain_text("Replied")
    expect(case).not_to_contain_text(EMAIL)  # deleted when the case closed

    (mail,) = [m for m in box.messages if m["To"] == EMAIL]
    assert mail["Subject"] == "A reply to your feedback"
    assert "We now tell patients about delays." in mail.get_content()


def test_the_server_answers_others_while_a_reply_waits_for_the_mail_server(
    new_page, server, mailbox
):
    server, password = server
    box, _port = mailbox
    token, end_visit = finished_visit(server, password, "en")
    end_visit()
    phone = new_page(**PHONE)
    phone.goto(f"{server.base}/t/{token}/feedback")
    phone.get_by_label("Poor", exact=True).check()
    phone.get_by_label("What went well, and what could we do better?").fill("Nobody knew.")
    phone.get_by_label("This is a complaint").check()
    phone.get_by_role("group", name=CONTACT_QUESTION).get_by_label("Yes", exact=True).check()
    phone.get_by_label("Email address or mobile number").fill("slow@example.org")
    phone.get_by_role("button", name="Send").click()
    expect(phone.locator("#thanks")).to_be_visible()
    inbox = new_page()
    sign_in(inbox, server, password)
    inbox.goto(f"{server.base}/feedback/inbox?site={SITE}")
    case = inbox.locator(".answer").filter(has_text="Nobody knew.")
    case.get_by_role("button", name="Acknowledge").click()
    case = inbox.locator(".answer").filter(has_text="Nobody knew.")
    case.get_by_label("What we did (needed to close the case)").fill("We post delays.")
    case.get_by_role("button", name="Save what we did").click()
    case = inbox.locator(".answer").filter(has_text="Nobody knew.")
    case.get_by_label("Reply to the patient").fill("Sorry, and thank you.")
    box.held.clear()
    try:
        case.get_by_role("button", name="Send reply").click(no_wait_after=True)
        # The reply's request now waits on the mail server. Everyone else is served:
        # a transaction held across the mail would freeze the whole process (on
        # SQLite, for the 15 s busy timeout, longer than this request may take).
        assert box.holding.wait(10), "the reply never reached the mail server"
        display = requests.get(f"{server.base}/display?site={SITE}", timeout=8)
        assert display.status_code == 200
        walk_in = requests.post(
            f"{server.base}/api/sites/{SITE}/checkins/walk-in", json={"service": "G"}, timeout=8
        )
        assert walk_in.status_code == 201, walk_in.text
    finally:
        box.held.set()
    case = inbox.locator(".answer").filter(has_text="Nobody knew.")
    expect(case.locator(".case-state")).to_contain_text("Replied")
    assert [m for m in box.messages if m["To"] == "slow@example.org"]


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_reply_the_mail_server_refuses_is_flagged_and_sent_again(
    new_page, server, mailbox, language
):
    server, password = server
    box, _port = mailbox
    token, end_visit = finished_visit(server, password, language)
    end_visit()
    words, email = f"The mail refused ({language}).", f"refused-{language}@example.org"
    phone = new_page(**PHONE)
    phone.goto(f"{server.base}/t/{token}/feedback")
    phone.locator('input[name="rating"][value="poor"]').check()
    phone.locator('textarea[name="text"]').fill(words)
    phone.locator('input[name="wants_contact"][value="yes"]').check()
    phone.locator('input[name="contact"]').fill(email)
    phone.locator("button[type=submit]").click()
    expect(phone.locator("#thanks")).to_be_visible()

    inbox = new_page()
    sign_in(inbox, server, password)
    url = f"{server.base}/feedback/inbox?site={SITE}&lang={language}"
    inbox.goto(url)

    def case() -> Any:
        return inbox.locator(".answer").filter(has_text=words)

    case().locator('form[action$="/acknowledge"] button').click()
    case().locator('textarea[name="text"]').fill("We post delays.")
    case().locator('form[action$="/action"] button').click()
    case().locator('textarea[name="text"]').fill("Sorry, and thank you.")
    box.refusing = True
    try:
        case().locator('form[action$="/reply"] button').click()
        expect(case().locator(".reply-state")).to_contain_text("554")
    finally:
        box.refusing = False
    inbox.goto(f"{url}&show=reply_failed")
    failed = {"en": "Reply failed", "es": "Falló la respuesta"}[language]
    expect(case().locator(".flag")).to_have_text(failed)
    expect(inbox.locator("#show")).to_have_value("reply_failed")
    expect(case()).to_contain_text(email)  # kept while the reply has not gone
    assert_accessible(inbox, f"inbox, a reply failed ({language})")
    case().locator('form[action$="/retry"] button').click()
    inbox.goto(url)
    sent = {"en": "Sent", "es": "Enviada"}[language]
    expect(case().locator(".reply-state")).to_contain_text(sent)
    expect(case().locator(".flag")).to_have_count(0)
    expect(case()).not_to_contain_text(email)  # deleted when the case closed
    (mail,) = [m for m in box.messages if m["To"] == email]
    assert "Sorry, and thank you." in mail.get_content()


def test_a_published_statement_shows_on_the_display(new_page, server):
    server, password = server
    display = new_page(viewport={"width": 1920, "height": 1080})
    display.goto(f"{server.base}/display?site={SITE}")
    expect(display.locator("#notices .statement")).to_have_count(0)
    inbox = new_page()
    sign_in(inbox, server, password)
    inbox.goto(f"{server.base}/feedback/inbox?site={SITE}")
    statement = "You said the wait was not explained. We now post every delay."
    inbox.get_by_label("New statement").fill(statement)
    inbox.get_by_role("button", name="Save statement").click()
    inbox.locator(".statements li").filter(has_text=statement).get_by_role(
        "button", name="Publish"
    ).click()
    # Pushed to the open display, without a reload.
    expect(display.locator("#notices .statement")).to_have_text([statement])
    expect(display.locator("#notices-section")).to_be_visible()
    expect(display.locator("#notices-heading")).to_have_text("You said, we did")
    assert_accessible(display, "display with a statement")


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_new_screen_is_accessible(new_page, server, language):
    server, password = server
    token, end_visit = finished_visit(server, password, language)
    end_visit()
    phone = new_page(**PHONE)
    phone.goto(f"{server.base}/t/{token}/feedback")
    expect(phone.get_by_role("group", name=QUESTION[language])).to_be_visible()
    assert_accessible(phone, f"survey ({language})")
    phone.locator("button[type=submit]").click()  # nothing chosen: the browser says so
    kiosk = new_page(viewport={"width": 1080, "height": 1920})
    kiosk.goto(f"{server.base}/kiosk?site={SITE}")
    if language == "es":
        kiosk.locator('[data-language="es"]').click()
    kiosk.locator("#feedback-link").click()
    expect(kiosk.locator("html")).to_have_attribute("lang", language)
    assert_accessible(kiosk, f"kiosk form ({language})")
    kiosk.locator('input[name="rating"][value="very_good"]').check()
    yes = {"en": "Yes", "es": "Sí"}[language]
    kiosk.get_by_role("group", name=QUESTION[language]).get_by_label(yes, exact=True).check()
    kiosk.locator("button[type=submit]").click()
    expect(kiosk.locator("#thanks")).to_be_visible()
    assert_accessible(kiosk, f"kiosk thanks ({language})")
    kiosk.locator("#back-to-start").click()
    expect(kiosk.locator("#start-title")).to_be_visible()
    ended = new_page(**PHONE)
    ended.goto(f"{server.base}/t/not-a-token/feedback?lang={language}")
    assert_accessible(ended, f"survey closed ({language})")
    inbox = new_page()
    sign_in(inbox, server, password)
    inbox.goto(f"{server.base}/feedback/inbox?site={SITE}&lang={language}")
    expect(inbox.locator("html")).to_have_attribute("lang", language)
    # The kiosk's answer, its question in the inbox's language.
    expect(inbox.locator(".site-answer").first).to_have_text(f"{QUESTION[language]} {yes}")
    assert_accessible(inbox, f"inbox ({language})")
    inbox.goto(f"{server.base}/desk?site={SITE}&lang={language}")
    assert_accessible(inbox, f"desk ({language})")
