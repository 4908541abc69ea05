"""Take the README's screenshots of the admin console.

Starts the demo server the way the browser tests do (tests/e2e/live.py), signs in as the
demo's administrator, and photographs the console in Chromium into
docs/screenshots/admin-*.png: the rooms page, and a refused edit that names its field.

    .venv/bin/python tools/screenshots_admin.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402
from tests.e2e.live import SITE, Server  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    server = Server(Path(tempfile.mkdtemp()), None)
    password = server.demo()
    with server.running(), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        context = browser.new_context(
            viewport={"width": 1440, "height": 900}, reduced_motion="reduce", locale="en"
        )
        page = context.new_page()
        page.goto(f"{server.base}/admin")
        page.fill("#username", "desk")
        page.fill("#password", password)
        page.press("#password", "Enter")
        page.wait_for_url(f"**/admin/{SITE}")

        page.goto(f"{server.base}/admin/{SITE}/rooms")
        name = page.get_by_label("Name (English)").first
        name.fill("Consulting room A")
        page.get_by_role("button", name="Save the rooms").click()
        expect(page.get_by_role("status")).to_contain_text("Saved.")
        page.screenshot(path=OUT / "admin-rooms.png")

        page.goto(f"{server.base}/admin/{SITE}/services")
        page.locator("input[name='service-1-prefix']").fill("G")
        page.get_by_role("button", name="Save the services").click()
        expect(page.get_by_role("alert")).to_contain_text("services[1].prefix")
        page.screenshot(path=OUT / "admin-refused.png")
        browser.close()


if __name__ == "__main__":
    main()
