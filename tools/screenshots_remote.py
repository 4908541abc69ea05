"""Take the README's screenshots of waiting from anywhere: the join page, a remote
ticket's "Leave by", and the kiosk's "I joined online".

Starts its own demo server (as `make run` does, in a temporary folder), drives the pages
in Chromium and writes docs/screenshots/join-*.png, phone-remote-*.png,
kiosk-online-*.png and poster-arrival.png (the poster as `waitroom poster` writes it):

    .venv/bin/python tools/screenshots_remote.py
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, expect, sync_playwright  # noqa: E402

from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402
from tests.e2e.live import SITE, Server  # noqa: E402
from tools.screenshots_patient import KIOSK, OUT, PHONE, PUBLIC_URL, Desk, shoot, tap, type_keys  # noqa: E402

# Walk-ins ahead: a wait longer than the travel time and the margin, so "Leave by".
AHEAD = 8


def join_from_home(browser: Browser, server: Server) -> str:
    """The join page, then the remote ticket's "Leave by"; returns the ticket number."""
    page = browser.new_context(**PHONE).new_page()
    page.goto(f"{server.base}/join?site={SITE}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    shoot(page, "join-page")
    page.get_by_label("How many minutes will it take you to get here?").fill("10")
    page.get_by_role("button", name="Join the line").click()
    expect(page.locator("#leave-advice")).to_have_text(re.compile(r"^Leave by \d\d:\d\d\.$"))
    shoot(page, "phone-remote-leave-by")
    return page.locator(".ticket-number").inner_text()


def kiosk_arrival(browser: Browser, server: Server, number: str) -> None:
    """ "I joined online" at the kiosk: the ticket number on the keys, then the ticket."""
    page = browser.new_context(**KIOSK).new_page()
    page.goto(f"{server.base}/kiosk")
    expect(page.locator("body")).to_have_attribute("data-connection", "online")
    tap(page, "I joined online From home, with my phone")
    type_keys(page, number.replace("-", ""))
    shoot(page, "kiosk-online-number")
    tap(page, "I'm here")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you. We know you are here.")
    expect(page.locator("#ticket-way")).to_be_visible()
    shoot(page, "kiosk-online-here")


def arrival_poster(browser: Browser, server: Server, folder: Path) -> None:
    """The arrival poster as printed: an A4 page (794 by 1123 CSS pixels)."""
    poster = folder / "arrival-poster.html"
    server.command("poster", SITE, "--kind", "arrival", "-o", str(poster), "--base-url", PUBLIC_URL)
    page = browser.new_context(viewport={"width": 794, "height": 1123}).new_page()
    page.goto(poster.as_uri())
    page.emulate_media(media="print")
    page.screenshot(path=OUT / "poster-arrival.png", animations="disabled")
    print("docs/screenshots/poster-arrival.png")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        server = Server(Path(folder), None)
        server.env["PUBLIC_URL"] = PUBLIC_URL
        password = server.demo()
        with server.running(), sync_playwright() as playwright:
            desk = Desk(server, password)
            for _ in range(AHEAD):
                desk.post("tickets", {"service": "G"})
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            number = join_from_home(browser, server)
            kiosk_arrival(browser, server, number)
            arrival_poster(browser, server, Path(folder))
            browser.close()


if __name__ == "__main__":
    main()
