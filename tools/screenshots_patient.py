"""Take the README's screenshots of the kiosk and the phone page.

Starts its own demo server (as `make run` does, in a temporary folder), drives the pages
in Chromium and writes docs/screenshots/kiosk-*.png, phone-*.png and route-page.png:

    .venv/bin/python tools/screenshots_patient.py
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402
from tests.e2e.live import SITE, Server, http  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
KIOSK = {"viewport": {"width": 1080, "height": 1920}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2}
# What the QR codes and links show: a clinic network address, as a real site sets it.
PUBLIC_URL = "http://192.168.1.20:5000"


class Desk:
    """The demo's desk account (an admin), over the API."""

    def __init__(self, server: Server, password: str) -> None:
        self.base = server.base
        self.session = http()
        login = {"username": "desk", "password": password}
        self.session.post(f"{self.base}/api/login", json=login).raise_for_status()

    def post(self, path: str, body: dict | None = None) -> dict:
        response = self.session.post(f"{self.base}/api/sites/{SITE}/{path}", json=body or {})
        response.raise_for_status()
        return response.json()

    def walk_in(self, body: dict) -> dict:
        """A check-in as the kiosk makes it (the kiosk's API, not the desk's)."""
        response = self.session.post(f"{self.base}/api/sites/{SITE}/checkins/walk-in", json=body)
        response.raise_for_status()
        return response.json()

    def ticket_id(self, number: str) -> int:
        response = self.session.get(f"{self.base}/api/sites/{SITE}/queue")
        response.raise_for_status()
        return next(t["id"] for t in response.json()["tickets"] if t["number"] == number)

    def appointment_now(self) -> str:
        """A fresh appointment due now, so that the kiosk accepts it; returns its code."""
        now = datetime.now(ZoneInfo("Europe/London")).strftime("%H:%M")
        csv = (
            "code,last_name,first_name,date_of_birth,service,time\n"
            f"RV2001,Reyes,Marta,1948-06-21,G,{now}\n"
        )
        response = self.session.post(
            f"{self.base}/api/sites/{SITE}/appointments",
            data=csv.encode(),
            headers={"Content-Type": "text/csv"},
        )
        response.raise_for_status()
        return "RV2001"


def shoot(page: Page, name: str) -> None:
    """The page down to the end of its content (a kiosk screen is mostly empty below)."""
    height = page.evaluate(
        """() => Math.ceil(24 + Math.max(...['main', 'footer', 'dialog[open]'].map((selector) =>
            document.querySelector(selector)?.getBoundingClientRect().bottom || 0)))"""
    )
    width = page.viewport_size["width"]
    clip = {"x": 0, "y": 0, "width": width, "height": min(max(height, width), 1920)}
    page.screenshot(path=OUT / f"{name}.png", clip=clip, animations="disabled", caret="hide")
    print(f"docs/screenshots/{name}.png")


def tap(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def type_keys(page: Page, text: str) -> None:
    for character in text:
        page.locator(f'.screen:not([hidden]) [data-key="{character}"]').click()


def kiosk_screens(browser: Browser, server: Server, desk: Desk) -> tuple[str, str]:
    """Every kiosk screen; returns the number and phone page path of the ticket made."""
    context = browser.new_context(**KIOSK)
    page = context.new_page()
    page.goto(f"{server.base}/kiosk")
    expect(page.locator("body")).to_have_attribute("data-connection", "online")
    shoot(page, "kiosk-start")

    tap(page, "I have an appointment")
    type_keys(page, "RV20")
    shoot(page, "kiosk-code")
    type_keys(page, "99")
    tap(page, "Find my appointment")
    expect(page.locator("#problem-title")).not_to_be_empty()
    shoot(page, "kiosk-not-found")

    code = desk.appointment_now()
    tap(page, "Try again")
    tap(page, "I do not have a code")
    type_keys(page, "REYES")
    tap(page, "Next")
    type_keys(page, "2106")
    shoot(page, "kiosk-birth-date")
    tap(page, "Start again")
    tap(page, "I have an appointment")
    type_keys(page, code)
    tap(page, "Find my appointment")
    expect(page.locator("#confirm-name")).not_to_be_empty()
    shoot(page, "kiosk-confirm")
    tap(page, "Yes, check me in")
    wait_for_ticket(page)
    shoot(page, "kiosk-ticket")
    number = page.locator("#ticket-number").inner_text()
    path = page.locator("#ticket-link").inner_text().removeprefix(PUBLIC_URL.split("//")[1])

    tap(page, "Done")
    find_your_way(page)
    tap(page, "Start again")
    tap(page, "Walk-in No appointment")
    shoot(page, "kiosk-walk-in")
    # Real time, not the page's fake clock: a minute skipped would drop the socket too.
    page.goto(f"{server.base}/kiosk?idle=10")
    tap(page, "Walk-in No appointment")
    expect(page.get_by_role("dialog")).to_be_visible(timeout=15_000)
    shoot(page, "kiosk-idle-warning")
    tap(page, "More time")

    tap(page, "Larger text")
    tap(page, "High contrast")
    shoot(page, "kiosk-walk-in-large-high-contrast")
    tap(page, "Start again")
    context.set_offline(True)
    expect(page.locator("#connection")).not_to_be_empty()
    shoot(page, "kiosk-offline")
    context.close()
    return number, path


def wait_for_ticket(page: Page) -> None:
    """The ticket screen, whole: number, QR code and the way to the waiting area."""
    # An <img> with no src yet also counts as complete: wait for the number first.
    expect(page.locator("#ticket-number")).to_be_visible()
    expect(page.locator("#ticket-number")).not_to_be_empty()
    expect(page.locator("#ticket-qr")).to_have_js_property("complete", True)
    expect(page.locator("#ticket-way")).to_be_visible()


def find_your_way(page: Page) -> None:
    """The list of places, then the step-free way to Room 3 with its QR code."""
    tap(page, "Find your way Rooms, restrooms, exits")
    expect(page.locator("#place-list li").first).to_be_visible()
    shoot(page, "kiosk-find-your-way")
    type_keys(page, "ROOM 3")
    page.get_by_role("button", name="Room 3 Level 1 · Near the water fountain").click()
    tap(page, "Step-free route")
    expect(page.locator("#route-steps li").first).to_contain_text("Turn right")
    expect(page.locator("#route-qr")).to_have_js_property("complete", True)
    shoot(page, "kiosk-route")


def phone_screens(browser: Browser, server: Server, desk: Desk, number: str, path: str) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{server.base}{path}")
    expect(page.locator("#connection")).not_to_be_empty()
    notice = desk.post(
        "notices",
        {"scope": "site", "reason_code": "emergency", "note": "Dr Shah", "expected_minutes": 20},
    )
    expect(page.locator("#delays")).to_be_visible()
    shoot(page, "phone-waiting")
    desk.post(f"notices/{notice['notice']['id']}/clear")

    desk.post(f"tickets/{desk.ticket_id(number)}/call", {"room": "room-2"})
    expect(page.locator("#called")).not_to_be_empty()
    expect(page.locator("#way-steps li").first).to_be_visible()
    shoot(page, "phone-called")

    # A walk-in who asked for the step-free way at the kiosk, called upstairs; the page
    # drawn taller, down to the map.
    page.set_viewport_size({"width": PHONE["viewport"]["width"], "height": 1600})
    step_free = desk.walk_in({"service": "G", "step_free": True})
    page.goto(f"{server.base}/t/{step_free['token']}")
    expect(page.locator("#connection")).not_to_be_empty()
    desk.post(f"tickets/{desk.ticket_id(step_free['ticket']['number'])}/call", {"room": "room-3"})
    expect(page.locator("#way-steps li").first).to_be_visible()
    shoot(page, "phone-called-route")

    page.goto(f"{server.base}/route?site={SITE}&to=room-3&mode=step_free")
    expect(page.locator(".route-steps li").first).to_be_visible()
    shoot(page, "route-page")
    page.set_viewport_size(PHONE["viewport"])

    context2 = browser.new_context(**PHONE)
    other = context2.new_page()
    walk_in = desk.post("tickets", {"service": "B"})
    other.goto(f"{server.base}/t/{walk_in['token']}")
    tap(other, "Leave the queue")
    shoot(other, "phone-leave-confirm")
    tap(other, "Yes, leave the queue")
    expect(other.locator("#state")).not_to_be_empty()
    shoot(other, "phone-left")
    other.reload()
    shoot(other, "phone-no-longer-active")
    context.close()
    context2.close()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        server = Server(Path(folder), None)
        server.env["PUBLIC_URL"] = PUBLIC_URL
        password = server.demo()
        with server.running(), sync_playwright() as playwright:
            desk = Desk(server, password)
            for _ in range(2):  # two patients ahead of the one on the screenshots
                desk.post("tickets", {"service": "G"})
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            number, path = kiosk_screens(browser, server, desk)
            phone_screens(browser, server, desk, number, path)
            browser.close()


if __name__ == "__main__":
    main()
