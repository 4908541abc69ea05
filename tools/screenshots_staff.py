"""Take the README's screenshots of the display and the desk.

Starts the demo server the way the browser tests do (tests/e2e/live.py), gives it a
plausible morning (patients added, called, one delayed), and photographs the pages in
Chromium into docs/screenshots/display-*.png and desk-*.png. The names are made up.

    .venv/bin/python tools/screenshots_staff.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402
from tests.e2e.live import SITE, Server, http  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
DISPLAY_SIZES = {  # a full-HD TV, and the same TV on its side
    "display-waiting-room.png": {"width": 1920, "height": 1080},
    "display-portrait.png": {"width": 1080, "height": 1920},
}
TOGETHER_SECONDS = 11  # static/js/display/calls.js groups calls 10 s apart or closer
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
    post(
        staff,
        base,
        "notices",
        {"scope": "site", "reason": "The lift is out of order", "expected_minutes": 10},
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

        # A display is on before the desk opens, so the desk lists it as connected.
        displays = []
        for name, size in DISPLAY_SIZES.items():
            display = browser.new_context(viewport=size, reduced_motion="reduce").new_page()
            display.goto(f"{server.base}/display?device=main-hall")
            displays.append((name, display))

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

        call_two_at_once(staff, server.base)
        for name, display in displays:
            expect(display.locator("#now-calls .call")).to_have_count(2)
            display.screenshot(path=OUT / name)
        browser.close()


def call_two_at_once(staff: Any, base: str) -> None:
    """Two lab counters call in the same second, a while after the morning's calls, so
    that the display shows both side by side and the others as recent."""
    time.sleep(TOGETHER_SECONDS)
    for _ in range(2):
        post(staff, base, "tickets", {"service": "B"})
    for room in ("lab-1", "lab-2"):
        post(staff, base, f"rooms/{room}/call-next", {"previous": "no_show"})


if __name__ == "__main__":
    main()
