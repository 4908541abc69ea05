"""Every shipped language on every patient surface, in real Chromium against the demo
(which offers all of them): the page says its language and direction, shows its words,
and axe-core finds nothing (WCAG 2.2 AA). One page state per surface and language keeps
the run short. Arabic is laid out right to left: the browser test checks that the page
is mirrored, and that the floor plan (and its arrow) is not, since it shows the building.

`tools/screenshot_languages.py` takes the README's pictures from the same pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from server.i18n import LANGUAGES, text_direction
from tests.e2e.conftest import assert_accessible
from tests.e2e.live import SITE

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
KIOSK = {"viewport": {"width": 1080, "height": 1400}}
# The demo's words in each language, as the catalogue and the site file give them.
KIOSK_WELCOME = {
    "en": "Welcome. Check in here.",
    "es": "Bienvenido. Regístrese aquí.",
    "fr": "Bienvenue. Enregistrez-vous ici.",
    "pt": "Bem-vindo. Faça seu check-in aqui.",
    "zh": "欢迎。请在这里签到。",
    "vi": "Xin chào. Đăng ký có mặt ở đây.",
    "ar": "أهلًا بك. سجّل حضورك هنا.",
    "pl": "Witamy. Tutaj zgłoś przybycie.",
}


@pytest.fixture(scope="module")
def desk(live_server):
    """One login for the module: logins are rate limited per address."""
    session = live_server.staff()

    def new_ticket(language):
        body = {"service": "N", "language": language}
        response = session.post(live_server.url(f"/api/sites/{SITE}/tickets"), json=body)
        assert response.status_code == 201, response.text
        return response.json()["token"]

    return new_ticket


def expect_language(page, language):
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("html")).to_have_attribute("dir", text_direction(language))


def test_the_demo_ships_every_language():
    assert set(LANGUAGES) == set(KIOSK_WELCOME)


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_patient_surface_speaks_the_language(new_page, live_server, desk, language):
    kiosk = new_page(**KIOSK)
    kiosk.goto(live_server.url("/kiosk"))
    kiosk.locator(f'button[data-language="{language}"]').click()
    expect_language(kiosk, language)
    expect(kiosk.get_by_role("heading", level=1)).to_have_text(KIOSK_WELCOME[language])
    assert_accessible(kiosk, f"the kiosk in {language}")

    phone = new_page(**PHONE)
    phone.goto(live_server.url(f"/t/{desk(language)}"))
    expect_language(phone, language)
    expect(phone.locator("#estimate")).not_to_be_empty()
    assert_accessible(phone, f"the phone page in {language}")

    route = new_page(**PHONE)
    route.goto(live_server.url(f"/route?site={SITE}&from=main-waiting&to=lab-2&lang={language}"))
    expect_language(route, language)
    expect(route.locator(".route-steps ol > li").first).to_be_visible()
    assert_accessible(route, f"the route page in {language}")

    join = new_page(**PHONE)
    join.goto(live_server.url(f"/join?site={SITE}&lang={language}"))
    expect_language(join, language)
    assert_accessible(join, f"the join-from-home page in {language}")

    display = new_page(viewport={"width": 1920, "height": 1080})
    display.goto(live_server.url(f"/display?lang={language}"))
    expect_language(display, language)
    expect(display.locator("#service-waits tr").first).to_be_visible()
    assert_accessible(display, f"the display in {language}")


def box(page, selector):
    return page.locator(selector).first.bounding_box()


def test_arabic_mirrors_the_kiosk_and_the_phone(new_page, live_server, desk):
    kiosk = new_page(**KIOSK)
    kiosk.goto(live_server.url("/kiosk"))
    english_name = box(kiosk, ".clinic-name")
    kiosk.locator('button[data-language="ar"]').click()
    expect(kiosk.locator("html")).to_have_attribute("dir", "rtl")
    arabic_name = box(kiosk, ".clinic-name")
    # The clinic's name starts the bar: on the left in English, on the right in Arabic.
    assert english_name["x"] < 100
    assert arabic_name["x"] + arabic_name["width"] > KIOSK["viewport"]["width"] - 100
    first_choice, second_choice = (box(kiosk, f".big-choices > :nth-child({n})") for n in (1, 2))
    assert first_choice["y"] <= second_choice["y"]  # choices still read top to bottom

    # And back: the next patient who chooses English gets a left-to-right page again.
    kiosk.locator('button[data-language="en"]').click()
    expect(kiosk.locator("html")).to_have_attribute("dir", "ltr")

    phone = new_page(**PHONE)
    phone.goto(live_server.url(f"/t/{desk('ar')}"))
    heading = box(phone, "h1")
    assert heading["x"] + heading["width"] > PHONE["viewport"]["width"] - 40


def test_arabic_route_steps_run_right_to_left_but_the_plan_is_not_mirrored(new_page, live_server):
    def route_in(language):
        page = new_page(**PHONE)
        page.goto(live_server.url(f"/route?site={SITE}&from=main-waiting&to=lab-2&lang={language}"))
        expect(page.locator(".route-steps ol > li").first).to_be_visible()
        return page

    english, arabic = route_in("en"), route_in("ar")
    step_en, step_ar = box(english, ".route-steps ol > li"), box(arabic, ".route-steps ol > li")
    list_ar = box(arabic, ".route-steps ol")
    # The numbers of the steps stand at the start of the line: the right, in Arabic.
    assert arabic.locator(".route-steps ol").evaluate(
        "list => getComputedStyle(list).paddingRight"
    ) == english.locator(".route-steps ol").evaluate("list => getComputedStyle(list).paddingLeft")
    assert step_ar["x"] + step_ar["width"] < list_ar["x"] + list_ar["width"]
    assert step_en["x"] > box(english, ".route-steps ol")["x"]
    # The floor plan shows the building as it is, so its route line and arrow are drawn
    # the same in both languages (the arrow follows the line, not the reading order).
    line = "svg [marker-end]"
    drawn = english.locator(line).first.get_attribute("points")
    assert drawn
    assert arabic.locator(line).first.get_attribute("points") == drawn
    assert arabic.locator("svg").first.evaluate("svg => getComputedStyle(svg).transform") in (
        "none",
        "",
    )
