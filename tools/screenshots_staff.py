"""Take the README's screenshots of the display and the desk.

Starts the demo server the way the browser tests do (tests/e2e/live.py), gives it a
plausible morning (patients added, called, one delayed), and photographs the pages in
Chromium into docs/screenshots/display-*.png and desk-*.png. The names are made up.

    .venv/bin/python tools/screenshots_staff.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402
from tests.e2e.live import SITE, Server, http  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
DEMO_APPOINTMENTS = ROOT / "server" / "sites" / "demo" / "appointments.csv"
PATIENTS = [  # (service, name or None for someone who gave none)
    ("G", "Amelia Hart"),
    ("N", "Tomasz Nowak"),
    ("G", None),
    ("B", "Grace Mensah"),
    ("G", "Luis Ortega"),
    ("V", "Priya Shah"),
    ("N", None),
    ("G", "Oliver Byrne"),
    ("B", "Hannah Weiss"),
    ("G", "Samuel Adeyemi"),
]


def post(staff: Any, base: str, path: str, body: dict[str, Any] | None = None) -> Any:
    response = staff.post(f"{base}/api/sites/{SITE}/{path}", json=body or {}, timeout=10)
    response.raise_for_status()
    return response.json()


def fill_the_morning(staff: Any, base: str) -> None:
    for service, name in PATIENTS:
        named = {"patient_name": name} if name else {}
        post(staff, base, "tickets", {"service": service, **named})
    for room in ("room-1", "lab-1", "lab-2", "treatment"):
        post(staff, base, f"rooms/{room}/call-next")
    check_in_an_appointment(base)
    post(
        staff,
        base,
        "notices",
        {
            "scope": "service",
            "target": "G",
            "reason_code": "emergency",
            "note": "Dr Patel expects to be back by 11:00",
            "expected_minutes": 20,
        },
    )


def check_in_an_appointment(base: str) -> None:
    """One of the demo's GP or nurse appointments, if one is due about now."""
    for line in DEMO_APPOINTMENTS.read_text().splitlines()[1:]:
        code, service = line.split(",")[0], line.split(",")[4]
        if service in "GN":
            answer = http().post(
                f"{base}/api/sites/{SITE}/checkins/appointment", json={"code": code}, timeout=10
            )
            if answer.status_code == 201:
                return


def raise_the_last_gp_patient(staff: Any, base: str) -> None:
    queue = staff.get(f"{base}/api/sites/{SITE}/queue", timeout=10).json()["tickets"]
    waiting = [t for t in queue if t["status"] == "waiting" and t["service"]["prefix"] == "G"]
    post(staff, base, f"tickets/{waiting[-1]['id']}/priority", {"level": 2})


def log_in(browser: Any, base: str, password: str) -> Any:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    page.goto(f"{base}/desk/login")
    page.screenshot(path=OUT / "desk-login.png")
    page.fill("#username", "desk")
    page.fill("#password", password)
    page.press("#password", "Enter")
    page.wait_for_url("**/desk")
    return page


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    server = Server(Path(tempfile.mkdtemp()), None)
    password = server.demo()
    with server.running(), sync_playwright() as playwright:
        staff = http()
        staff.post(f"{server.base}/api/login", json={"username": "desk", "password": password})
        fill_the_morning(staff, server.base)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)

        tv = browser.new_context(viewport={"width": 1600, "height": 900}, reduced_motion="reduce")
        display = tv.new_page()
        display.goto(f"{server.base}/display?device=main-hall")
        expect(display.locator("#recent-calls li")).to_have_count(3)

        desk = log_in(browser, server.base, password)
        desk.goto(f"{server.base}/desk?room=room-3")
        expect(desk.locator("#waiting-list tr").first).to_be_visible()
        desk.keyboard.press("n")
        expect(desk.locator("#current .current-ticket")).to_have_count(1)
        raise_the_last_gp_patient(staff, server.base)
        expect(desk.locator("#waiting-list tr").first).to_contain_text("High")
        expect(desk.locator("#device-list")).to_contain_text("Connected since")
        desk.screenshot(path=OUT / "desk-console.png", full_page=True)

        row = desk.locator("#waiting-list tr").first
        row.get_by_role("button", name="Transfer").click()
        desk.screenshot(path=OUT / "desk-transfer-dialog.png")
        desk.keyboard.press("Escape")

        expect(display.locator("#now-room")).to_have_text("Room 3")
        display.screenshot(path=OUT / "display-waiting-room.png")
        browser.close()


if __name__ == "__main__":
    main()
