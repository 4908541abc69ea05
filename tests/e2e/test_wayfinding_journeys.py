"""Wayfinding in real Chromium, from the kiosk to the phone and the display, against the
demo server as `make run` starts it.

The demo map (server/sites/demo/site.toml): the entrance kiosk and the main waiting
area are on the ground floor; Room 3 and the treatment room are on Level 1, up a flight
of stairs or by the elevator. The nurse clinic waits upstairs, everyone else downstairs.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.kiosk_actions import on_screen, open_kiosk, tap, type_keys

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
READING_MODES = ((None, None), ("large", None), (None, "high"))


# A room holds one patient at a time, and the shared server's rooms hold other tests'
# patients: each call says that the one called before did not come.
CALLED_BEFORE_NOT_SEEN = {"previous": "no_show"}


@pytest.fixture(scope="module")
def desk(live_server):
    return live_server.desk_api()


def staff_ticket(desk, number):
    return next(t for t in desk.queue()["tickets"] if t["number"] == number)


def places_shown(page):
    return page.locator("#place-list li:not([hidden]) .place-name")


def small_targets(page):
    """What can be tapped and is under 44 by 44 pixels."""
    return page.evaluate(
        """() => [...document.querySelectorAll('button, input, a[href]')]
            .filter((el) => el.checkVisibility())
            .map((el) => [el.textContent.trim() || el.id, el.getBoundingClientRect()])
            .filter(([, box]) => box.width < 44 || box.height < 44)
            .map(([name]) => name)"""
    )


def in_every_reading_mode(page, where, *, kiosk=True):
    """axe (WCAG 2.2 AA) in normal, large-text and high-contrast modes; on the kiosk,
    every target at least 44 pixels square too."""
    for text, contrast in READING_MODES:
        page.evaluate(
            """([text, contrast]) => {
                const root = document.documentElement;
                if (text) root.dataset.text = text; else delete root.dataset.text;
                if (contrast) root.dataset.contrast = contrast; else delete root.dataset.contrast;
            }""",
            [text, contrast],
        )
        mode = f"{where}, text={text or 'normal'}, contrast={contrast or 'normal'}"
        assert_accessible(page, mode)
        if kiosk:
            assert small_targets(page) == [], mode
    page.evaluate(
        "() => { delete document.documentElement.dataset.text; "
        "delete document.documentElement.dataset.contrast; }"
    )


def without_distances(steps):
    """The kiosk's steps as the route page writes them: each may end with "(12 m)"."""
    return [
        re.compile("^" + re.escape(text) + r"( \(\d+ m\))?$") for text in steps.all_inner_texts()
    ]


def qr_loaded(page, selector):
    page.wait_for_function(
        "(selector) => { const img = document.querySelector(selector);"
        " return img.complete && img.naturalWidth > 0; }",
        arg=selector,
    )


# --- The kiosk: find a place, take the way to the phone ---------------------------------


def test_find_a_place_on_the_kiosk_and_take_the_way_to_the_phone(new_page, live_server):
    kiosk = open_kiosk(new_page, live_server)
    tap(kiosk, "Find your way Rooms, restrooms, exits")
    on_screen(kiosk, "find")
    expect(places_shown(kiosk).first).to_be_visible()
    everything = places_shown(kiosk).count()

    type_keys(kiosk, "ROOM 3")

    expect(places_shown(kiosk)).to_have_text(["Room 3"])
    expect(kiosk.locator("#find-count")).to_have_text("Places found: 1")
    assert everything > 10
    kiosk.get_by_role("button", name=re.compile(r"^Room 3 Level 1")).click()

    on_screen(kiosk, "route")
    expect(kiosk.get_by_role("heading", level=1)).to_have_text("The way to Room 3")
    steps = kiosk.locator("#route-steps li")
    expect(steps.last).to_have_text("Room 3: the first door on your left.")
    expect(steps).to_contain_text(["Take the stairs up to Level 1."])
    expect(kiosk.locator("#route-facts")).to_have_text(
        re.compile(r"^About \d+ minutes? on foot · Floor: Level 1$")
    )
    expect(kiosk.get_by_role("img", name=re.compile("^Level 1: the way to Room 3"))).to_be_visible()
    toggle = kiosk.get_by_role("button", name="Step-free route")
    expect(toggle).to_have_attribute("aria-pressed", "false")

    toggle.click()

    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(steps).to_contain_text(["Take the elevator to Level 1."])
    expect(steps.last).to_have_text("Room 3: the first door on your right.")
    assert "stairs" not in " ".join(steps.all_inner_texts())
    qr_loaded(kiosk, "#route-qr")
    link = kiosk.locator("#route-link").get_attribute("data-link")
    assert link.startswith(live_server.url("/route?"))
    assert "to=room-3" in link and "mode=step_free" in link and "from=entrance" in link
    assert kiosk.locator("#route-link").inner_text() == link.removeprefix("http://")

    phone = new_page(**PHONE)
    phone.goto(link)
    expect(phone.get_by_role("heading", level=1)).to_have_text("The way to Room 3")
    expect(phone.locator(".route-steps li")).to_have_text(without_distances(steps))
    assert_accessible(phone, "the route page opened from the kiosk's QR code")


def test_the_kiosk_way_finding_screens_pass_axe_in_every_reading_mode(new_page, live_server):
    kiosk = open_kiosk(new_page, live_server)
    tap(kiosk, "Find your way Rooms, restrooms, exits")
    expect(places_shown(kiosk).first).to_be_visible()
    in_every_reading_mode(kiosk, "kiosk, the list of places")
    type_keys(kiosk, "ZZZ")
    expect(kiosk.locator("#find-count")).to_have_text(re.compile("^No place matches"))
    in_every_reading_mode(kiosk, "kiosk, no place matches")
    kiosk.locator('.screen:not([hidden]) [data-key="delete"]').click(click_count=3)

    kiosk.get_by_role("button", name=re.compile(r"^Treatment room")).click()
    expect(kiosk.locator("#route-steps li").last).to_be_visible()
    qr_loaded(kiosk, "#route-qr")
    in_every_reading_mode(kiosk, "kiosk, a route")


# --- Check-in: the way to the waiting area, then to the room when called ----------------


def test_a_step_free_check_in_shows_the_way_and_the_phone_avoids_stairs_when_called(
    new_page, live_server, desk
):
    kiosk = open_kiosk(new_page, live_server)
    tap(kiosk, "Walk-in No appointment")
    tap(kiosk, "Step-free route")
    kiosk.get_by_role("button", name=re.compile("^General practice")).click()
    on_screen(kiosk, "ticket")
    number = kiosk.locator("#ticket-number").inner_text()

    # The ticket shows the first steps to the waiting area, then all of them and the map.
    way = kiosk.locator("#ticket-way")
    expect(way.get_by_role("heading", level=2)).to_have_text("The way to Main waiting area")
    expect(way.locator("li:not([hidden])")).to_have_count(2)
    expect(kiosk.locator("#way-maps")).to_be_hidden()
    expect(way).to_contain_text("Step-free route: no stairs or escalators")
    assert staff_ticket(desk, number)["step_free"] is True
    qr_loaded(kiosk, "#ticket-qr")
    in_every_reading_mode(kiosk, "kiosk, the ticket with the way (short)")
    tap(kiosk, "Show the way")
    expect(kiosk.get_by_role("button", name="Show less")).to_have_attribute("aria-expanded", "true")
    expect(
        way.get_by_role("img", name="Ground floor: the way to Main waiting area")
    ).to_be_visible()
    expect(way.locator("li").last).to_have_text(re.compile("^Main waiting area: "))
    in_every_reading_mode(kiosk, "kiosk, the ticket with the whole way")
    link = kiosk.locator("#ticket-link").inner_text()

    phone = new_page(**PHONE)
    phone.goto(f"http://{link}")
    expect(phone.locator("#connection")).to_have_text("This page updates by itself.")
    expect(phone.locator("#way")).to_be_hidden()
    desk(
        f"tickets/{staff_ticket(desk, number)['id']}/call",
        {"room": "room-3", **CALLED_BEFORE_NOT_SEEN},
    )

    # From the main waiting area up to Room 3: by the elevator, never the stairs.
    expect(phone.locator("#called")).to_contain_text("It's your turn: go to Room 3")
    route = phone.locator("#way")
    expect(route.get_by_role("heading", level=2)).to_have_text("The way to Room 3")
    expect(route.locator("li")).to_contain_text(["Take the elevator to Level 1."])
    expect(route.locator("li").last).to_have_text("Room 3: the first door on your right.")
    assert "stairs" not in " ".join(route.locator("li").all_inner_texts()).lower()
    expect(phone.locator("#way-facts")).to_contain_text("Step-free route: no stairs or escalators")
    expect(route.get_by_role("img", name="Level 1: the way to Room 3")).to_be_visible()
    order = phone.evaluate(
        "() => [...document.querySelectorAll('#called, #way, #place')].map((el) => el.id)"
    )
    assert order == ["called", "way", "place"]
    in_every_reading_mode(phone, "phone, called, with the way", kiosk=False)


def test_a_called_ticket_gets_the_shortest_way_to_its_room_unless_asked(
    new_page, live_server, desk
):
    made = desk("tickets", {"service": "G"}, status=201)
    ticket = staff_ticket(desk, made["ticket"]["number"])
    assert ticket["step_free"] is False
    phone = new_page(**PHONE)
    phone.goto(live_server.url(f"/t/{made['token']}"))
    expect(phone.locator("#connection")).to_have_text("This page updates by itself.")

    desk(f"tickets/{ticket['id']}/call", {"room": "room-3", **CALLED_BEFORE_NOT_SEEN})

    route = phone.locator("#way")
    expect(route.get_by_role("heading", level=2)).to_have_text("The way to Room 3")
    expect(route.locator("li")).to_contain_text(["Take the stairs up to Level 1."])
    expect(route.locator("li").last).to_have_text("Room 3: the first door on your left.")
    expect(route.get_by_role("link", name="Open this way on a page of its own")).to_have_attribute(
        "href", re.compile(r"^/route\?.*from=main-waiting&to=room-3&mode=shortest")
    )

    desk(f"tickets/{ticket['id']}/start")
    expect(route).to_be_hidden()


# --- The display -----------------------------------------------------------------------


def test_the_display_shows_where_the_called_room_is_in_each_language(new_page, live_server, desk):
    display = new_page(viewport={"width": 1920, "height": 1080})
    display.goto(live_server.url("/display"))
    expect(display.locator("#service-waits tr").first).to_be_visible()
    made = desk("tickets", {"service": "G"}, status=201)
    ticket = staff_ticket(desk, made["ticket"]["number"])

    desk(f"tickets/{ticket['id']}/call", {"room": "room-3", **CALLED_BEFORE_NOT_SEEN})

    expect(display.locator("#now-number")).to_have_text(made["ticket"]["number"])
    # The room's name, and under it the rest of the way ("Room 3, Level 1, take the
    # elevator" without saying the room twice).
    expect(display.locator("#now-room")).to_have_text("Room 3")
    expect(display.locator("#now-hint")).to_have_text("Level 1, take the elevator")
    # Then the way in the display's other language (display_languages = ["en", "es"]).
    other = display.locator("#now-room-other")
    expect(other).to_have_text("Consulta 3, Planta 1, tome el ascensor")
    desk(f"tickets/{ticket['id']}/cancel")


# --- In Spanish ----------------------------------------------------------------------------


def test_a_route_in_spanish_from_the_kiosk_to_the_phone(new_page, live_server):
    kiosk = open_kiosk(new_page, live_server)
    tap(kiosk, "Español")
    kiosk.get_by_role("button", name=re.compile("^Encuentre su camino")).click()
    type_keys(kiosk, "CURAS")
    expect(places_shown(kiosk)).to_have_text(["Sala de curas"])
    kiosk.get_by_role("button", name=re.compile("^Sala de curas")).click()

    expect(kiosk.get_by_role("heading", level=1)).to_have_text("Cómo llegar: Sala de curas")
    steps = kiosk.locator("#route-steps li")
    expect(steps).to_contain_text(["Suba por la escalera hasta Planta 1."])
    link = kiosk.locator("#route-link").get_attribute("data-link")
    assert "lang=es" in link

    phone = new_page(**PHONE)
    phone.goto(link)
    expect(phone.locator("html")).to_have_attribute("lang", "es")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Cómo llegar: Sala de curas")
    expect(phone.locator(".route-steps li")).to_have_text(without_distances(steps))
