"""The kiosk's ticket screen follows its ticket live, in real Chromium: the wait on the
screen, and on the slip it prints, is the latest estimate, until the patient leaves."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.kiosk_actions import on_screen, open_kiosk, tap
from tests.e2e.live import SITE

DELAY_MINUTES = 150
AT_LEAST_THE_DELAY = re.compile(r"\b(1[5-9]\d|[2-9]\d\d)\b")  # a number of 150 or more


@pytest.fixture(scope="module")
def desk(live_server):
    """One login for the module: logins are rate limited per address."""
    session = live_server.staff()

    def request(method, path, **kwargs):
        response = session.request(
            method, live_server.url(f"/api/sites/{SITE}/{path}"), timeout=10, **kwargs
        )
        assert response.ok, response.text
        return response.json()

    yield request
    # Patients of other tests must not read our delays, even after a failure.
    for notice in request("GET", "queue")["notices"]:
        request("POST", f"notices/{notice['id']}/clear", json={})


def walk_in_for_vaccinations(page):
    tap(page, "Walk-in No appointment")
    page.get_by_role("button", name=re.compile("^Vaccinations")).click()
    on_screen(page, "ticket")


def test_the_ticket_screen_and_its_slip_show_the_latest_wait_until_the_patient_leaves(
    new_page, live_server, desk
):
    page = open_kiosk(new_page, live_server)
    walk_in_for_vaccinations(page)
    wait = page.locator("#ticket-wait")
    expect(wait).to_have_text(re.compile(r"Estimated wait: .*\d+ min"))
    assert not AT_LEAST_THE_DELAY.search(wait.inner_text())

    # The vaccinations are running late: every estimate in that line moves, and the
    # refresh that follows pushes it to the ticket's room.
    notice = {"scope": "service", "target": "V", "reason": "Short of staff"}
    desk("POST", "notices", json={**notice, "expected_minutes": DELAY_MINUTES})
    expect(wait).to_have_text(AT_LEAST_THE_DELAY)
    assert_accessible(page, "ticket screen, after its wait moved")

    # The slip printed now says the same.
    page.emulate_media(media="print")
    expect(wait).to_be_visible()
    expect(wait).to_have_text(AT_LEAST_THE_DELAY)
    page.emulate_media(media="screen")

    # Done: the next patient sees nothing of this ticket, even when its wait moves again.
    tap(page, "Done")
    on_screen(page, "start")
    for posted in desk("GET", "queue")["notices"]:
        desk("POST", f"notices/{posted['id']}/clear", json={})
    page.wait_for_timeout(1500)  # longer than a refresh takes to follow a change
    expect(wait).to_be_empty()
