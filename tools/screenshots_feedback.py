"""Take the README's screenshots of feedback (issue 18): the survey on a phone, the
staff inbox with a case, and the display with a "You said, we did" statement.

Starts its own demo server in a temporary folder and writes
docs/screenshots/feedback-*.png:

    .venv/bin/python tools/screenshots_feedback.py
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
from tests.e2e.test_feedback import finished_visit, sign_in  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2}
STATEMENT = "You said the wait was not explained. We now post every delay on this screen."


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        server = Server(Path(folder), None)
        password = server.demo()
        with server.running(), sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            token, end_visit = finished_visit(server, password, "en")
            end_visit()
            phone = browser.new_context(**PHONE).new_page()
            phone.goto(f"{server.base}/t/{token}/feedback")
            phone.get_by_label("Poor", exact=True).check()
            phone.get_by_label("What went well, and what could we do better?").fill(
                "I waited over an hour and nobody told me why."
            )
            phone.get_by_label("This is a complaint").check()
            question = phone.get_by_role("group", name="Were you told how long you would wait?")
            question.get_by_label("No", exact=True).check()
            contact = phone.get_by_role(
                "group", name="Would you like us to contact you about this?"
            )
            contact.get_by_label("Yes", exact=True).check()
            phone.get_by_label("Email address or mobile number").fill("pat@example.org")
            phone.screenshot(path=OUT / "feedback-survey.png", full_page=True)
            phone.get_by_role("button", name="Send").click()

            inbox = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            sign_in(inbox, server, password)
            inbox.goto(f"{server.base}/feedback/inbox?site={SITE}")
            inbox.get_by_label("New statement").fill(STATEMENT)
            inbox.get_by_role("button", name="Save statement").click()
            inbox.get_by_role("button", name="Publish").click()
            inbox.screenshot(path=OUT / "feedback-inbox.png", full_page=True)

            display = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
            display.goto(f"{server.base}/display?site={SITE}")
            expect(display.locator("#notices .statement")).to_have_text([STATEMENT])
            display.screenshot(path=OUT / "feedback-display.png")
            browser.close()


if __name__ == "__main__":
    main()
