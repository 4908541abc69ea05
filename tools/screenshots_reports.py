"""Take the README's screenshot of the manager's reports.

Starts the demo server the way the browser tests do (tests/e2e/live.py), with the 60
past days that `make run` loads, has the desk see a few patients today through the API,
signs in as the demo's administrator and photographs the last 30 days of /reports in
Chromium into docs/screenshots/reports.png.

    .venv/bin/python tools/screenshots_reports.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS, Live  # noqa: E402
from tests.e2e.live import Server, run_waitroom  # noqa: E402
from tests.e2e.test_reports_page import _visits  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    server = Server(Path(tempfile.mkdtemp()), None)
    (server.root / "var").mkdir()
    printed = run_waitroom(server.root, server.env, "demo", "--history-days", "60")
    password = next(
        x for x in printed.splitlines() if x.startswith("staff login: desk / ")
    ).removeprefix("staff login: desk / ")
    with server.running(), sync_playwright() as playwright:
        _visits(Live(server, password))
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, reduced_motion="reduce", locale="en"
        )
        page = context.new_page()
        page.goto(f"{server.base}/reports?range=30")
        page.fill("#username", "desk")
        page.fill("#password", password)
        page.press("#password", "Enter")
        page.wait_for_url("**/reports*")
        expect(page.locator("#chart-waits_by_service")).to_have_attribute("data-drawn", "true")
        page.screenshot(path=OUT / "reports.png")
        browser.close()


if __name__ == "__main__":
    main()
