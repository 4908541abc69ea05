"""The manager's reports page in Chromium, on a server of its own (its visits are
called and completed, which the other browser tests would see): the page loads, the
charts draw, a filter changes the figures, a table downloads as CSV, the patients'
voice shows the survey's answers, and axe is clean in English and Spanish."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.conftest import Live, assert_accessible
from tests.e2e.live import SITE, Server


@pytest.fixture(scope="module")
def reports_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    server = Server(tmp_path_factory.mktemp("reports"), None)
    password = server.demo()  # the demo's "desk" account is an administrator
    with server.running():
        live = Live(server, password)
        _visits(live)
        yield live


def _visits(live: Live) -> None:
    """Three general-practice visits seen today, each patient answering the survey
    (very good, good, poor), and one blood test waiting."""
    api = live.staff()
    base = f"{live.base}/api/sites/{SITE}"
    for rating in ("very_good", "good", "poor"):
        made = api.post(f"{base}/tickets", json={"service": "G"}, timeout=10)
        assert made.status_code == 201, made.text
        called = api.post(f"{base}/rooms/room-1/call-next", json={}, timeout=10)
        assert called.status_code == 200, called.text
        ticket = called.json()["ticket"]["id"]
        for step in ("start", "complete"):
            done = api.post(f"{base}/tickets/{ticket}/{step}", json={}, timeout=10)
            assert done.status_code == 200, done.text
        _answer(live, made.json()["token"], rating)
    made = api.post(f"{base}/tickets", json={"service": "B"}, timeout=10)
    assert made.status_code == 201, made.text


def _answer(live: Live, token: str, rating: str) -> None:
    """The patient's phone sends the survey after the visit."""
    phone = requests.Session()
    form = phone.get(f"{live.base}/t/{token}/feedback", timeout=10)
    found = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert found, form.text
    sent = phone.post(
        f"{live.base}/t/{token}/feedback",
        data={"csrf_token": found.group(1), "rating": rating},
        timeout=10,
    )
    assert sent.status_code == 200, sent.text


@pytest.fixture(scope="module")
def manager_login(browser: Any, reports_server: Live) -> Any:
    context = browser.new_context()
    page = context.new_page()
    page.goto(reports_server.url("/reports"))
    page.fill("#username", "desk")
    page.fill("#password", reports_server.password)
    page.click("button[type=submit]")
    page.wait_for_url("**/reports*")
    state = context.storage_state()
    context.close()
    return state


def _figure(page: Any, name: str) -> Any:
    return page.locator(f"[data-figure={name}] .value")


def test_the_page_draws_its_charts_and_a_filter_changes_the_figures(
    new_page, reports_server, manager_login
):
    page = new_page(storage_state=manager_login, accept_downloads=True)
    page.goto(reports_server.url("/reports?range=today"))

    expect(_figure(page, "checked_in")).to_have_text("4")
    expect(_figure(page, "seen")).to_have_text("3")
    expect(page.locator("#chart-visits_by_source")).to_have_attribute("data-drawn", "true")
    expect(page.locator("#chart-waits_by_service")).to_have_attribute("data-drawn", "true")
    # The chart is drawn: its canvas has pixels that are not blank.
    painted = page.evaluate(
        "() => { const c = document.getElementById('chart-visits_by_source');"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " return d.some((v, i) => i % 4 === 3 && v > 0); }"
    )
    assert painted

    page.select_option("select[name=service]", "blood")
    page.click(".report-filters button[type=submit]")
    page.wait_for_url("**service=blood*")
    expect(_figure(page, "checked_in")).to_have_text("1")
    expect(_figure(page, "seen")).to_have_text("0")

    # Patients' voice: the three answers, two good; one poor answer opened a case.
    page.goto(reports_server.url("/reports?range=today"))
    voice = page.locator("section[aria-labelledby=voice]")
    expect(voice.locator("[data-voice=responses] .value")).to_have_text("3")
    expect(voice.locator("[data-voice=positive_share] .value")).to_have_text("67%")
    expect(voice.locator("[data-voice=open_cases] .value")).to_have_text("1")
    expect(page.locator("#chart-voice_by_rating")).to_have_attribute("data-drawn", "true")
    expect(voice.locator("#t-voice_by_rating ~ table")).to_contain_text("Very good")

    page.select_option("select[name=service]", "blood")
    page.click(".report-filters button[type=submit]")
    page.wait_for_url("**service=blood*")
    with page.expect_download() as download:
        page.click("a[href*='visits_by_source.csv']")
    text = download.value.path().read_text(encoding="utf-8")
    assert text == "source,count\ndesk,1\n"
    assert download.value.suggested_filename.endswith("-visits_by_source.csv")


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_page_is_accessible(new_page, reports_server, manager_login, language):
    page = new_page(storage_state=manager_login, locale=language)
    page.goto(reports_server.url(f"/reports?range=7&lang={language}"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("#chart-waits_by_service")).to_have_attribute("data-drawn", "true")
    # The patients' voice panel, its chart and its table, in the page's language.
    voice = page.locator("section[aria-labelledby=voice]")
    expect(page.locator("#chart-voice_by_rating")).to_have_attribute("data-drawn", "true")
    expect(page.locator("#chart-voice_by_wait_band")).to_have_attribute("data-drawn", "true")
    words = {"en": ("Patients' voice", "Very good"), "es": ("La voz de los pacientes", "Muy buena")}
    expect(voice.locator("h2")).to_have_text(words[language][0])
    expect(voice.locator("#t-voice_by_rating ~ table")).to_contain_text(words[language][1])
    assert_accessible(page, f"reports ({language})")
