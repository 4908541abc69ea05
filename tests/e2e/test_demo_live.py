"""`waitroom demo --live` in Chromium: on a server of its own (its walk-ins and calls
would upset the other browser tests), the display and the desk move while nobody
touches anything. The player steps every second with a walk-in at each step
(DEMO_LIVE_SECONDS=1, DEMO_LIVE_ARRIVALS_PER_HOUR=3600) instead of every 10 s with 40
an hour, and walks and visits pass 60 times faster (DEMO_LIVE_SPEED=60), so that a few
seconds show what a visitor sees in a few minutes. At real speed the rooms stayed busy
for minutes once the first walk-ins were called, no more were called, and the line
stopped at its cap: a test that ran half a minute late saw nothing move."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Live
from tests.e2e.live import SITE, Server

TICKET_NUMBER = re.compile(r"^[A-Z]+-\d+$")
MOVES_WITHIN = 12_000  # ms: a few steps of one second, on a busy machine
# The desk lists the lines of its room only. Once 25 wait, a walk-in comes only when
# someone is called, one in four for each line: a new row for a room is a matter of
# tens of seconds, not of a step.
NEW_ROW_WITHIN = 60_000


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    server = Server(tmp_path_factory.mktemp("demo-live"), None)
    server.env.update(
        DEMO_LIVE_SECONDS="1", DEMO_LIVE_ARRIVALS_PER_HOUR="3600", DEMO_LIVE_SPEED="60"
    )
    server.demo()
    # As an operator would: the demo marked live before the server starts.
    printed = server.command("demo", "--live")
    assert f"demo site {SITE} is live" in printed
    password = printed.split("staff login: desk / ", 1)[1].strip()
    with server.running():
        yield Live(server, password)


def _ticket_rows(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "#waiting-list tr[data-ticket]", "rows => rows.map(r => r.dataset.ticket)"
    )


def test_the_display_shows_calls_that_nobody_made(new_page: Any, demo_server: Live) -> None:
    display = new_page()
    display.goto(demo_server.url("/display"))
    number = display.locator("#now-number")

    # The player checks a patient in and a free room calls them: a call on the screen.
    expect(number).to_have_text(TICKET_NUMBER, timeout=MOVES_WITHIN)
    first = number.inner_text()
    # And the next second another one, with the first moved to the recent calls.
    expect(number).not_to_have_text(first, timeout=MOVES_WITHIN)
    expect(number).to_have_text(TICKET_NUMBER)
    expect(display.locator("#recent-calls .recent-number", has_text=first)).to_be_visible(
        timeout=MOVES_WITHIN
    )


def test_the_desk_sees_walk_ins_that_nobody_added(new_page: Any, demo_server: Live) -> None:
    desk = new_page()
    desk.goto(demo_server.url("/desk/login"))
    desk.fill("#username", "desk")
    desk.fill("#password", demo_server.password)
    desk.click("button[type=submit]")
    desk.wait_for_url("**/desk")
    # Room 3 serves two of the four lines (G and N), so it sees twice the walk-ins.
    desk.goto(demo_server.url("/desk?room=room-3"))
    expect(desk.locator("#waiting-count")).to_have_text(re.compile(r"^\(\d+\)$"))
    seen = _ticket_rows(desk)

    # Within a few steps the rooms are busy, and each new walk-in waits in the list.
    # The new rows are taken as they are seen: a step later the demo may have called
    # them, and they are gone from the list again.
    new = desk.wait_for_function(
        """(seen) => {
            const fresh = [...document.querySelectorAll('#waiting-list tr[data-ticket]')]
                .map(row => row.dataset.ticket).filter(number => !seen.includes(number));
            return fresh.length ? fresh : null;
        }""",
        arg=seen,
        timeout=NEW_ROW_WITHIN,
    ).json_value()
    assert new and all(TICKET_NUMBER.match(number) for number in new)
    # Nobody here acted: the server's log shows the demo account's moves only.
    assert "demo live step failed" not in demo_server.server.log()
