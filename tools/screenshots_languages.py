"""Take the README's screenshots of the kiosk and the phone page in Arabic (right to left)
and in Simplified Chinese.

Starts its own demo server (as `make run` does, in a temporary folder), drives the pages
in Chromium and writes docs/screenshots/kiosk-LANG.png and phone-LANG.png:

    .venv/bin/python tools/screenshots_languages.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, expect, sync_playwright  # noqa: E402

from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402
from tests.e2e.live import Server  # noqa: E402
from tools.screenshots_patient import KIOSK, OUT, PHONE, PUBLIC_URL, Desk, shoot  # noqa: E402

LANGUAGES = ("ar", "zh")


def kiosk_and_phone(browser: Browser, server: Server, desk: Desk, language: str) -> None:
    kiosk = browser.new_context(**KIOSK).new_page()
    kiosk.goto(f"{server.base}/kiosk")
    expect(kiosk.locator("body")).to_have_attribute("data-connection", "online")
    kiosk.locator(f'button[data-language="{language}"]').click()
    kiosk.locator('[data-action="walk-in"]').click()
    expect(kiosk.locator("#service-list button").first).to_be_visible()
    shoot(kiosk, f"kiosk-{language}")

    ticket = desk.walk_in({"service": "G", "language": language})
    phone = browser.new_context(**PHONE).new_page()
    phone.goto(f"{server.base}/t/{ticket['token']}")
    expect(phone.locator("#connection")).not_to_be_empty()
    expect(phone.locator("#estimate")).not_to_be_empty()
    shoot(phone, f"phone-{language}")


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
            for language in LANGUAGES:
                kiosk_and_phone(browser, server, desk, language)
            browser.close()


if __name__ == "__main__":
    main()
