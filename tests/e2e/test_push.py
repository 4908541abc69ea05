""" "Notify me on this phone" in real Chromium, against a server that pushes to a real
push service in the test (tests/push_service.py), which checks the VAPID signature and
decrypts each push with the subscription's own keys.

Headless Chromium has no push service to subscribe with (Chrome's is Google's, on the
internet), so here, and only here, the page's PushManager is a stand-in injected
before the page loads: its subscribe() answers with the subscription of a browser the
test made (its key pair and auth secret) on the test's push service. Everything else is
real: the service worker registers at /t/, the permission is the browser's own (granted
to the context), the page posts the subscription to the server, the server's outbox
pushes the call, and the test's push service reads it as the phone would.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from server.notify.channels import new_vapid_private_key, public_key_text, vapid_key
from tests.e2e.conftest import Live, assert_accessible
from tests.e2e.live import SITE, Server, http
from tests.push_service import PushService

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "has_touch": True,
    "is_mobile": True,
    "permissions": ["notifications"],
}
PRIVATE_KEY = new_vapid_private_key()
PUBLIC_KEY = public_key_text(vapid_key(PRIVATE_KEY))

# Before any of the page's scripts: a PushManager that subscribes to the test's push
# service, and a count of permission requests (the page must ask only after a tap).
FAKE_PUSH_MANAGER = """
(subscription) => {
  window.permissionAsked = 0;
  const ask = Notification.requestPermission.bind(Notification);
  Notification.requestPermission = () => { window.permissionAsked += 1; return ask(); };
  let current = null;
  const manager = {
    subscribe: async (options) => {
      window.subscribedWithKey = Array.from(new Uint8Array(options.applicationServerKey));
      current = {
        endpoint: subscription.endpoint,
        toJSON: () => subscription,
        unsubscribe: async () => { current = null; return true; },
      };
      return current;
    },
    getSubscription: async () => current,
  };
  if (!("PushManager" in window)) window.PushManager = function PushManager() {};
  Object.defineProperty(ServiceWorkerRegistration.prototype, "pushManager", {
    get: () => manager, configurable: true,
  });
}
"""


@pytest.fixture(scope="module")
def push_service():
    service = PushService(PUBLIC_KEY)
    yield service
    service.close()


@pytest.fixture(scope="module")
def pushing_server(tmp_path_factory):
    """A server with a VAPID key that may push to a loopback push service."""
    server = Server(tmp_path_factory.mktemp("push"), None)
    server.env.update(
        VAPID_PRIVATE_KEY=PRIVATE_KEY,
        VAPID_SUBJECT="mailto:it@clinic.example",
        PUSH_SERVICE_HOSTS="127.0.0.1",
        OUTBOX_POLL_SECONDS="0.2",
    )
    password = server.demo()
    with server.running():
        yield Live(server, password)


def phone_page(new_page, server, push_service, name, language="en"):
    made = http().post(
        server.url(f"/api/sites/{SITE}/checkins/walk-in"),
        json={"service": "N", "language": language},
    )
    assert made.status_code == 201, made.text
    ticket = made.json()
    page = new_page(**PHONE)
    subscription = push_service.browser(name).subscription()
    page.add_init_script(f"({FAKE_PUSH_MANAGER})({json.dumps(subscription)})")
    page.goto(server.url(f"/t/{ticket['token']}"))
    return page, ticket


def test_notify_me_subscribes_after_a_tap_and_the_call_is_pushed(
    new_page, pushing_server, push_service
):
    page, ticket = phone_page(new_page, pushing_server, push_service, "e2e")
    section = page.locator("#push")
    button = section.get_by_role("button", name="Notify me on this phone")
    expect(button).to_be_visible()
    # The service worker registered on load, at the ticket pages' scope; nothing asked.
    scope = page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
    assert scope == pushing_server.url("/t/")
    assert page.evaluate("window.permissionAsked") == 0
    assert_accessible(page, "phone page offering alerts")

    button.click()
    expect(section.get_by_role("status")).to_have_text("Alerts are on for this phone.")
    expect(section.get_by_role("button", name="Turn off alerts")).to_be_visible()
    expect(button).to_be_hidden()
    assert page.evaluate("window.permissionAsked") == 1
    key = bytes(page.evaluate("window.subscribedWithKey"))
    assert public_key_text_of(key) == PUBLIC_KEY
    assert_accessible(page, "phone page with alerts on")

    desk = pushing_server.staff()
    queue = desk.get(pushing_server.url(f"/api/sites/{SITE}/queue")).json()
    ticket_id = next(t["id"] for t in queue["tickets"] if t["number"] == ticket["ticket"]["number"])
    called = desk.post(
        pushing_server.url(f"/api/sites/{SITE}/tickets/{ticket_id}/call"),
        json={"room": "room-3", "previous": "no_show"},
    )
    assert called.status_code == 200, called.text
    page.wait_for_function("() => document.body.dataset.status === 'called'")
    expected = f"{ticket['ticket']['number']}: it is your turn. Please go to"
    for _ in range(100):  # the sender pushes off the request, within its poll
        if [m for m in push_service.messages("e2e") if m["body"].startswith(expected)]:
            break
        page.wait_for_timeout(100)
    pushed = [m for m in push_service.messages("e2e") if m["body"].startswith(expected)]
    assert len(pushed) == 1
    assert pushed[0]["url"] == f"/t/{ticket['token']}"
    assert pushed[0]["title"] == "Riverside Family Clinic"
    assert push_service.refused == []


def public_key_text_of(point: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(point).rstrip(b"=").decode()


def test_alerts_can_be_turned_off_and_the_page_is_in_the_tickets_language(
    new_page, pushing_server, push_service
):
    page, ticket = phone_page(new_page, pushing_server, push_service, "es", language="es")
    section = page.locator("#push")
    section.get_by_role("button", name="Avisarme en este teléfono").click()
    expect(section.get_by_role("status")).to_have_text(
        "Las notificaciones están activadas en este teléfono."
    )
    assert_accessible(page, "phone page in Spanish with alerts on")
    section.get_by_role("button", name="Desactivar las notificaciones").click()
    expect(section.get_by_role("status")).to_have_text("Las notificaciones están desactivadas.")
    expect(section.get_by_role("button", name="Avisarme en este teléfono")).to_be_visible()
    status = http().get(pushing_server.url(f"/api/tickets/{ticket['token']}")).json()
    assert status["ticket"]["push"] is False


def test_a_refused_permission_is_said_and_nothing_is_stored(new_page, pushing_server, push_service):
    page, ticket = phone_page(new_page, pushing_server, push_service, "refused")
    page.context.clear_permissions()  # the patient says no (headless: denied at once)
    page.evaluate("Notification.requestPermission = async () => 'denied'")
    page.locator("#push").get_by_role("button", name="Notify me on this phone").click()
    expect(page.locator("#push").get_by_role("alert")).to_have_text(
        "Your phone blocks alerts from this page. You can allow them in the settings."
    )
    status = http().get(pushing_server.url(f"/api/tickets/{ticket['token']}")).json()
    assert status["ticket"]["push"] is False


def test_the_desk_shows_alerts_on_then_alert_failed_then_none_when_the_phone_is_gone(
    new_page, pushing_server, push_service
):
    """The desk's tag for a ticket's phone alerts follows the outbox live: on, the last
    one failed (said aloud, to tell the patient in person), and gone with a 410."""
    made = http().post(
        pushing_server.url(f"/api/sites/{SITE}/checkins/walk-in"), json={"service": "N"}
    )
    ticket = made.json()
    number = ticket["ticket"]["number"]
    subscription = push_service.browser("desk-tag").subscription()
    subscribed = http().post(
        pushing_server.url(f"/api/tickets/{ticket['token']}/push"), json=subscription
    )
    assert subscribed.status_code == 200, subscribed.text

    page = new_page()
    page.goto(pushing_server.url("/desk/login"))
    page.fill("#username", "desk")
    page.fill("#password", pushing_server.password)
    page.click("button[type=submit]")
    page.wait_for_url("**/desk")
    page.goto(pushing_server.url("/desk?room=room-3"))  # a room that serves line N
    row = page.locator(f"tr[data-ticket='{number}']")
    expect(row.locator(".push-tag")).to_have_text("alerts on")
    expect(row.locator(".push-tag.failed")).to_have_count(0)
    assert "p256dh" not in page.content() and "/push/" not in page.content()
    assert_accessible(page, "desk with a ticket's alerts on")

    desk = pushing_server.staff()
    queue = desk.get(pushing_server.url(f"/api/sites/{SITE}/queue")).json()
    ticket_id = next(t["id"] for t in queue["tickets"] if t["number"] == number)
    card = page.locator(".current-ticket", has_text=number)
    push_service.status = 500  # the push service fails: the desk is told at once
    try:
        called = desk.post(
            pushing_server.url(f"/api/sites/{SITE}/tickets/{ticket_id}/call"),
            json={"room": "room-3", "previous": "no_show"},
        )
        assert called.status_code == 200, called.text
        expect(card.locator(".push-tag.failed")).to_have_text("alert failed")
        expect(page.locator("#text-news")).to_have_text(
            f"The phone alert to {number} did not go out. Tell them in person."
        )
        assert_accessible(page, "desk with a ticket's last alert failed")

        push_service.status = 410  # the phone dropped the subscription: the tag goes
        recalled = desk.post(
            pushing_server.url(f"/api/sites/{SITE}/tickets/{ticket_id}/recall"), json={}
        )
        assert recalled.status_code == 200, recalled.text
        expect(page.locator("#text-news")).to_have_text(
            f"The phone of {number} no longer takes alerts, so they are off. Tell them in person."
        )
        expect(card.locator(".push-tag")).to_have_count(0)
    finally:
        push_service.status = 201
