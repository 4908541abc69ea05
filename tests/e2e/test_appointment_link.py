"""An appointment's morning link in real Chromium: too early (the kiosk's words), a wrong
code, then on time the arrival code opens the ticket's page; axe in English and Spanish.

The live server runs on the real clock, so the appointments are made for times around
now. The text that carries the link is tested with a controlled clock and a real SMS
receiver in tests/integration/test_morning_links.py; here the link is what the morning
text would carry: a token whose digest the server keeps (written into its database).
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from server.domain import queue
from tests.e2e.conftest import Live, assert_accessible
from tests.e2e.live import DATABASE, SITE, Server
from tests.e2e.test_phone import PHONE

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("morning"), None)
    password = server.demo()
    with server.running():
        yield Live(server, password)


@pytest.fixture(scope="module")
def links(live_server, tmp_path_factory):
    """Two of today's appointments with a mobile number, and their links: one in two
    hours (too early: the kiosk allows an hour), one in ten minutes (on time)."""
    now = datetime.now(LONDON)
    if now.hour >= 21 or (now + timedelta(hours=2)).date() != now.date():
        pytest.skip("the appointments must fall on the site's today: not late in the evening")
    early, soon = now + timedelta(hours=2), now + timedelta(minutes=10)
    csv = tmp_path_factory.mktemp("csv") / "appointments.csv"
    csv.write_text(
        "code,last_name,first_name,date_of_birth,service,time,mobile\n"
        f"ML1,Lee,Ann,1980-01-01,G,{early:%H:%M},07911 123456\n"
        f"ML2,Ray,Bo,1981-02-02,G,{soon:%H:%M},07911 123457\n"
    )
    live_server.server.command("import-appointments", SITE, str(csv))
    tokens = {"early": queue.new_ticket_token(), "soon": queue.new_ticket_token()}
    database = live_server.server.root / "var" / DATABASE
    with closing(sqlite3.connect(database)) as db, db:
        for code, key in (("ML1", "early"), ("ML2", "soon")):
            db.execute(
                "UPDATE appointments SET link_digest = ? WHERE code = ?",
                (queue.token_digest(tokens[key]), code),
            )
    return {"early": (tokens["early"], f"{early:%H:%M}"), "soon": (tokens["soon"], f"{soon:%H:%M}")}


def arrival_code(live_server):
    desk = live_server.staff().get(live_server.url("/desk")).text
    return re.search(r'id="arrival-code">(\d+)<', desk)[1]


def test_too_early_says_so_in_the_kiosks_words_in_english_and_spanish(new_page, live_server, links):
    token, time = links["early"]
    phone = new_page(**PHONE)
    phone.goto(live_server.url(f"/a/{token}"))
    expect(phone.get_by_role("heading", level=1)).to_have_text(f"Your appointment today at {time}")
    expect(phone.locator("#arrival-problem")).to_contain_text("It is too early to check in")
    assert_accessible(phone, "appointment link, too early (en)")

    phone.get_by_label(re.compile("^When you arrive")).fill(arrival_code(live_server))
    phone.get_by_role("button", name="I'm here").click()
    expect(phone.get_by_role("alert")).to_contain_text(
        "Please come back closer to your appointment time"
    )
    expect(phone).to_have_url(re.compile(rf"/a/{token}$"))

    phone.goto(live_server.url(f"/a/{token}?lang=es"))
    expect(phone.get_by_role("heading", level=1)).to_have_text(f"Su cita de hoy a las {time}")
    expect(phone.locator("#arrival-problem")).to_contain_text("Todavía es pronto")
    assert_accessible(phone, "appointment link, too early (es)")


def test_on_time_a_wrong_code_then_the_arrival_code_opens_the_ticket_page(
    new_page, live_server, links
):
    token, _ = links["soon"]
    phone = new_page(**PHONE)
    phone.goto(live_server.url(f"/a/{token}?lang=es"))
    expect(phone.locator("#arrival-problem")).to_have_count(0)
    code = arrival_code(live_server)
    phone.get_by_label(re.compile("^Cuando llegue")).fill("0000" if code != "0000" else "1111")
    phone.get_by_role("button", name="Ya estoy aquí").click()
    expect(phone.locator("#arrival-wrong")).to_be_visible()
    expect(phone.get_by_label(re.compile("^Cuando llegue"))).to_have_attribute(
        "aria-invalid", "true"
    )
    assert_accessible(phone, "appointment link, wrong code (es)")

    phone.goto(live_server.url(f"/a/{token}"))
    assert_accessible(phone, "appointment link, on time (en)")
    phone.get_by_label(re.compile("^When you arrive")).fill(code)
    phone.get_by_role("button", name="I'm here").click()
    expect(phone).to_have_url(re.compile(rf"/t/{token}$"))
    expect(phone.locator(".ticket-number")).to_have_text(re.compile(r"^G-\d{3}$"))
    expect(phone.locator("#connection")).to_have_text("This page updates by itself.")

    # The link is the ticket's page from now on.
    phone.goto(live_server.url(f"/a/{token}"))
    expect(phone).to_have_url(re.compile(rf"/t/{token}$"))
