"""The route page, /route, in real Chromium against the demo server: choose a place,
read the steps, see the drawings; checked with axe-core (WCAG 2.2 AA) and at 320 px."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.live import SITE

NARROW = {"viewport": {"width": 320, "height": 640}}


def open_route(page, live_server, query):
    page.goto(live_server.url(f"/route?site={SITE}{query}"))


def steps(page):
    return page.locator(".route-steps ol > li")


def test_choosing_a_place_shows_the_way_step_by_step(page, live_server):
    open_route(page, live_server, "")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find your way")
    assert_accessible(page, "the route page, choosing a place")

    page.get_by_label("Go to").select_option(label="Room 3 (Level 1)")
    page.get_by_label("Step-free way: no stairs or escalators").check()
    page.get_by_role("button", name="Show the way").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("The way to Room 3")
    expect(steps(page)).to_have_count(5)
    expect(steps(page).first).to_contain_text("Turn right and walk towards the café.")
    expect(steps(page).nth(2)).to_contain_text("Take the elevator to Level 1.")
    expect(steps(page).last).to_have_text("Room 3: the first door on your right.")
    expect(page.get_by_text("About 2 minutes on foot")).to_be_visible()
    maps = page.get_by_role("img", name="Ground floor: the way to Room 3")
    expect(maps).to_be_visible()
    expect(page.get_by_role("img", name="Level 1: the way to Room 3")).to_be_visible()
    assert_accessible(page, "the route page, a step-free route")


def test_the_other_mode_is_one_link_away(page, live_server):
    open_route(page, live_server, "&to=room-3&mode=step_free")

    page.get_by_role("link", name="Show the shortest way instead").click()

    expect(steps(page).nth(1)).to_contain_text("Take the stairs up to Level 1.")
    expect(page.get_by_label("Shortest way")).to_be_checked()


def test_the_route_page_in_spanish(page, live_server):
    open_route(page, live_server, "&from=main-waiting&to=lab-2&lang=es")

    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cómo llegar: Laboratorio 2")
    expect(steps(page).first).to_contain_text(
        "Desde Sala de espera principal, camine hacia las máquinas expendedoras."
    )
    assert_accessible(page, "the route page in Spanish")

    page.get_by_role("link", name="English").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("The way to Lab counter 2")


def test_the_route_page_reflows_at_320_pixels(new_page, live_server):
    page = new_page(**NARROW)
    open_route(page, live_server, "&to=treatment")

    expect(steps(page).last).to_be_visible()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 320, f"the page scrolls sideways: {width} px wide"
    drawing = page.locator("svg.route-map").first.bounding_box()
    assert drawing["width"] <= 320
    assert_accessible(page, "the route page at 320 px")


def test_a_place_that_does_not_exist_gets_a_clear_accessible_page(page, live_server):
    open_route(page, live_server, "&to=room-99")

    expect(page.locator(".route-error")).to_have_text(
        "We could not find that place. Please choose one below."
    )
    expect(page.get_by_label("Go to")).to_be_visible()
    assert_accessible(page, "the route page, an unknown place")
