"""The kiosk with a keypad alone and read aloud, in real Chromium: a walk-in and an
appointment checked in with keys only, what would be spoken recorded in English and in
Spanish, and the questions (interpreter, how to be called) reaching the desk.

Headless Chromium has no voices: an init script stands in for speechSynthesis and
records each utterance's text and language.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.kiosk_actions import on_screen, open_kiosk
from tests.e2e.live import SITE
from tests.e2e.test_kiosk import add_appointment, staff_ticket

RECORD_SPEECH = """
window.spoken = [];
window.SpeechSynthesisUtterance = class {
  constructor(text) { this.text = text; this.lang = ""; this.voice = null; }
};
Object.defineProperty(window, "speechSynthesis", {
  configurable: true,
  value: {
    speak: (utterance) => window.spoken.push({ text: utterance.text, lang: utterance.lang }),
    cancel: () => {},
    getVoices: () => [],
  },
});
"""


@pytest.fixture(scope="module")
def desk(live_server):
    """One login for the module: logins are rate limited per address."""
    session = live_server.staff()

    def request(method, path, **kwargs):
        return session.request(method, live_server.url(f"/api/sites/{SITE}/{path}"), **kwargs)

    return request


MOST_STEPS = 80  # more than the controls of any screen (the letter keys are 37)


def open_speaking_kiosk(new_page, live_server):
    page = open_kiosk(new_page, live_server)
    page.add_init_script(RECORD_SPEECH)
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-connection", "online")
    return page


def spoken(page):
    return page.evaluate("() => window.spoken.slice()")


def spoken_texts(page, since=0):
    return [s["text"] for s in spoken(page)[since:]]


def move_to(page, selector, key="ArrowDown"):
    """Press the arrow until the control matching `selector` has focus."""
    for _ in range(MOST_STEPS):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press(key)
    raise AssertionError(f"the keys never reached {selector}")


def said_last(page, text):
    """Waits until the last thing said is `text`."""
    page.wait_for_function("(t) => window.spoken.at(-1).text === t", arg=text)


def assert_said_in(page, language, since=0):
    """Everything was said in `language`, but a language's own name (the keys may pass
    the language bar on their way), said in that language."""
    names = page.eval_on_selector_all(
        "[data-language]", "bs => Object.fromEntries(bs.map(b => [b.lang, b.innerText]))"
    )
    said = spoken(page)[since:]
    for utterance in said:
        if utterance["lang"] != language:
            assert utterance["text"].startswith(names[utterance["lang"]]), utterance
    assert any(utterance["lang"] == language for utterance in said)


def choose(page, selector):
    move_to(page, selector)
    page.keyboard.press("Enter")


def type_with_keys(page, text):
    for character in text:
        choose(page, f'.screen:not([hidden]) [data-key="{character}"]')


def test_a_walk_in_with_keys_only_hears_every_screen_in_english(new_page, live_server, desk):
    page = open_speaking_kiosk(new_page, live_server)

    page.keyboard.press("+")  # the keypad's hidden key: read aloud
    expect(page.locator('[data-action="read-aloud"]')).to_have_attribute("aria-pressed", "true")
    said = spoken_texts(page)
    assert said[0].startswith("Read aloud is on. Use the arrow keys to move.")
    assert said[1] == "Welcome. Check in here. Language."

    move_to(page, '[data-action="walk-in"]')
    assert spoken_texts(page)[-1] == "Walk-in. No appointment."
    page.keyboard.press("Enter")
    on_screen(page, "walk-in")
    assert spoken_texts(page)[-1] == (
        "What are you here for? Do you need an interpreter? How should we call you? "
        "Tap one. You are checked in at once."
    )

    choose(page, '.screen:not([hidden]) [data-need="interpreter"]')
    expect(page.locator('.screen:not([hidden]) [data-need="interpreter"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    page.wait_for_function("() => window.spoken.at(-1).text.endsWith('On.')")
    assert spoken_texts(page)[-1] == "Yes, I need an interpreter. On."
    choose(page, '.screen:not([hidden]) [data-need="may_not_hear"]')
    said_last(page, "I may not hear my number called. On.")

    page.keyboard.press("*")  # say it again
    assert spoken_texts(page)[-1] == "I may not hear my number called. On."

    assert_accessible(page, "walk-in screen, keypad, read aloud, two needs chosen (en)")
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineWidth") == "5px"

    choose(page, "#service-list button:first-child")
    on_screen(page, "ticket")
    number = page.locator("#ticket-number").inner_text()
    page.wait_for_function("(n) => window.spoken.some((s) => s.text.includes(n))", arg=number)
    ticket_screen = next(t for t in spoken_texts(page) if number in t)
    assert ticket_screen.startswith("You are checked in")
    assert "Your number." in ticket_screen
    assert_said_in(page, "en")

    ticket = staff_ticket(desk, number)
    assert (ticket["language"], ticket["interpreter"], ticket["may_not_hear"]) == ("en", True, True)
    assert ticket["may_not_see"] is False


def test_an_appointment_with_keys_only_in_spanish(new_page, live_server, desk):
    appointment = add_appointment(desk)
    page = open_speaking_kiosk(new_page, live_server)
    page.keyboard.press("+")

    choose(page, '[data-language="es"]')
    expect(page.locator("html")).to_have_attribute("lang", "es")
    # First the button's own name (in Spanish), then the start screen again, in Spanish.
    said_last(page, "Bienvenido. Regístrese aquí. Idioma.")
    assert spoken(page)[-1]["lang"] == "es"

    choose(page, '[data-goto="code"]')
    on_screen(page, "code")
    assert spoken(page)[-1]["lang"] == "es"
    page.keyboard.press("Escape")  # Back: to the start, for the next patient
    on_screen(page, "start")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.keyboard.press("+")
    choose(page, '[data-language="es"]')
    choose(page, '[data-goto="code"]')
    on_screen(page, "code")

    before = len(spoken(page))
    type_with_keys(page, appointment["code"])
    expect(page.locator("#code-entry")).to_have_value(appointment["code"])
    typed = " ".join(appointment["code"])
    page.wait_for_function("(t) => window.spoken.at(-1).text.endsWith(t + '.')", arg=typed)
    assert any(text.startswith("Código de cita.") for text in spoken_texts(page, before))

    choose(page, '[data-action="find-by-code"]')
    on_screen(page, "confirm")
    page.wait_for_function("() => window.spoken.at(-1).text.includes('Zelda')")
    confirm = spoken_texts(page)[-1]
    assert "¿Necesita un intérprete?" in confirm
    assert "¿Cómo le llamamos?" in confirm

    choose(page, '.screen:not([hidden]) [data-need="may_not_see"]')
    said_last(page, "Puede que no vea la pantalla. Activado.")
    assert_accessible(page, "confirm screen, keypad, read aloud, a need chosen (es)")

    choose(page, '[data-action="check-in-appointment"]')
    on_screen(page, "ticket")
    number = page.locator("#ticket-number").inner_text()
    page.wait_for_function("(n) => window.spoken.some((s) => s.text.includes(n))", arg=number)
    assert_said_in(page, "es", since=before)

    ticket = staff_ticket(desk, number)
    assert (ticket["language"], ticket["may_not_see"], ticket["interpreter"]) == ("es", True, False)
    assert ticket["source"] == "appointment"


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_questions_pass_axe_on_both_screens(new_page, live_server, desk, language):
    appointment = add_appointment(desk)
    page = open_kiosk(new_page, live_server)
    page.locator(f'[data-language="{language}"]').click()
    page.locator('[data-action="walk-in"]').click()
    on_screen(page, "walk-in")
    for need in ("interpreter", "may_not_hear", "may_not_see"):
        page.locator(f'.screen:not([hidden]) [data-need="{need}"]').click()
    page.locator('[data-action="read-aloud"]').click()
    assert_accessible(page, f"walk-in with every question answered ({language})")

    page.locator('[data-action="reset"]:visible').first.click()
    page.locator(f'[data-language="{language}"]').click()
    page.locator('[data-goto="code"]').click()
    for character in appointment["code"]:
        page.locator(f'.screen:not([hidden]) [data-key="{character}"]').click()
    page.locator('[data-action="find-by-code"]').click()
    on_screen(page, "confirm")
    expect(page.locator('.screen:not([hidden]) [data-need="interpreter"]')).to_have_attribute(
        "aria-pressed", "false"
    )  # the last patient's answers are forgotten
    assert_accessible(page, f"confirm with the questions ({language})")
    expect(page.locator(".screen:not([hidden]) .need-group").first).to_contain_text(
        re.compile("interpreter|intérprete")
    )
