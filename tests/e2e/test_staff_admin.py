"""Administration in Chromium: pairing a new display from the console (it becomes
"Main waiting hall" without a reload, and loads a new code by itself when unpaired), a
new admin account's first sign-in and its second factor, a password reset link, and axe
on every page of it in English and Spanish."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pyotp
import pytest

from tests.e2e.conftest import Live, assert_accessible
from tests.e2e.live import Server


@pytest.fixture(scope="module")
def pairing_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A server of its own with screen pairing on (the shared one has it off)."""
    server = Server(tmp_path_factory.mktemp("pairing"), None)
    server.env["SCREEN_PAIRING"] = "1"
    password = server.demo()
    with server.running():
        yield Live(server, password)


def sign_in(page, live, username="desk", password=None):
    page.goto(live.url("/desk/login"))
    page.fill("#username", username)
    page.fill("#password", password or live.password)
    page.click("button[type=submit]")


def test_a_new_display_is_paired_from_the_console_without_a_reload(new_page, pairing_server):
    live = pairing_server
    display = new_page(viewport={"width": 1280, "height": 720})
    display.goto(live.url("/display"))
    code = display.locator("#pairing-code").inner_text().strip()
    assert len(code) == 6
    assert_accessible(display, "a display waiting to be paired")
    display.evaluate("() => { window.sameDocument = 'yes'; }")

    admin = new_page()
    sign_in(admin, live)
    admin.goto(live.url("/admin/devices"))
    assert_accessible(admin, "the devices page")
    admin.fill("#pair-code", code.lower())
    admin.select_option("#pair-device", "main-hall")
    admin.get_by_role("button", name="Pair", exact=True).click()
    admin.locator(".admin-message", has_text="Main waiting hall").wait_for()
    assert_accessible(admin, "the devices page after pairing")

    display.locator("#device-name", has_text="Main waiting hall").wait_for()
    assert display.locator("#pairing").count() == 0
    assert display.evaluate("() => window.sameDocument") == "yes"  # no reload
    display.locator("#now-heading").wait_for(state="visible")
    assert_accessible(display, "the paired display")
    # Its socket now says which display it is: the desk sees it connected.
    admin.goto(live.url("/desk"))
    hall = admin.locator("#device-list li", has_text="Main waiting hall")
    hall.filter(has_text="Connected since").wait_for()
    admin.goto(live.url("/admin/devices"))

    # Unpaired from the console, its socket is dropped at once and the display loads
    # itself again, a new screen showing a new code.
    admin.get_by_role("button", name="Unpair screen 1 of Main waiting hall").click()
    admin.locator(".admin-message").wait_for()
    display.locator("#pairing-code").wait_for()
    assert display.locator("#pairing-code").inner_text().strip() != code


def test_a_new_admin_chooses_a_password_then_turns_on_a_second_factor(new_page, pairing_server):
    live = pairing_server
    admin = new_page()
    sign_in(admin, live)
    admin.goto(live.url("/admin/staff"))
    assert_accessible(admin, "the staff page")
    admin.fill("#new-username", "e2e-admin")
    admin.select_option("#new-role", "admin")
    admin.get_by_role("button", name="Create the account").click()
    temporary = admin.locator("#temporary-password").inner_text().strip()
    assert_accessible(admin, "the staff page with a temporary password")

    newcomer = new_page()
    sign_in(newcomer, live, "e2e-admin", temporary)
    newcomer.wait_for_url("**/desk/login/new-password")
    assert_accessible(newcomer, "choosing a password")
    newcomer.fill("#password", "qwerty123456")
    newcomer.fill("#repeat", "qwerty123456")
    newcomer.click("button[type=submit]")
    newcomer.locator("#login-error", has_text="common").wait_for()
    new_password = "violet harbour compass"
    newcomer.fill("#password", new_password)
    newcomer.fill("#repeat", new_password)
    newcomer.click("button[type=submit]")
    newcomer.wait_for_url("**/desk")

    newcomer.goto(live.url("/admin/staff/second-factor"))
    assert_accessible(newcomer, "the second factor page")
    newcomer.get_by_role("button", name="Set up a second factor").click()
    newcomer.locator("img[alt]").wait_for()
    assert_accessible(newcomer, "the second factor's QR code")
    totp = pyotp.TOTP(newcomer.locator("#totp-key").inner_text().strip())
    newcomer.fill("#code", totp.now())
    newcomer.get_by_role("button", name="Turn it on").click()
    assert newcomer.locator("#recovery-codes li").count() == 10
    assert_accessible(newcomer, "the recovery codes")

    # Signing in again asks for a code: the next one (the one used is good only once).
    again = new_page()
    sign_in(again, live, "e2e-admin", new_password)
    again.wait_for_url("**/desk/login/code")
    assert_accessible(again, "the code step")
    again.fill("#code", totp.at(time.time() + totp.interval))
    again.click("button[type=submit]")
    again.wait_for_url("**/desk")


@pytest.mark.parametrize(
    "path",
    ["/admin/staff", "/admin/devices", "/admin/staff/second-factor", "/display", "/kiosk"],
)
def test_the_pages_are_accessible_in_spanish(new_page, pairing_server, path):
    live = pairing_server
    page = new_page(locale="es-ES")
    if path.startswith("/admin"):
        sign_in(page, live)
        page.wait_for_url("**/desk")
    page.goto(live.url(path + ("?lang=es" if not path.startswith("/admin") else "")))
    assert page.locator("html").get_attribute("lang") == "es"
    assert_accessible(page, f"{path} in Spanish")


def test_a_reset_link_sets_a_password_once_in_english_and_spanish(new_page, pairing_server):
    live = pairing_server
    admin = new_page()
    sign_in(admin, live)
    admin.wait_for_url("**/desk")
    admin.goto(live.url("/admin/staff"))
    admin.fill("#new-username", "e2e-reset")
    admin.get_by_role("button", name="Create the account").click()
    admin.locator("#temporary-password").wait_for()
    admin.get_by_role("button", name="Make a reset link: e2e-reset").click()
    link = admin.locator("#reset-link").inner_text().strip()
    assert "/desk/reset/" in link
    assert_accessible(admin, "the staff page with a reset link")

    spanish = new_page(locale="es-ES")
    spanish.goto(link)
    assert spanish.locator("html").get_attribute("lang") == "es"
    spanish.get_by_role("button", name="Guardar mi contraseña").wait_for()
    assert_accessible(spanish, "the reset link's page in Spanish")

    page = new_page()
    page.goto(link)
    assert_accessible(page, "the reset link's page")
    new_password = "amber meadow lighthouse"
    page.fill("#password", new_password)
    page.fill("#repeat", new_password)
    page.get_by_role("button", name="Save my password").click()
    page.locator(".login-note", has_text="Log in with it").wait_for()
    assert_accessible(page, "the login page after a reset")
    page.fill("#password", new_password)  # the username is filled in
    page.click("button[type=submit]")
    page.wait_for_url("**/desk")

    # Used once, the link is spent: the Spanish page says so when it is sent.
    spanish.fill("#password", "another fine passphrase")
    spanish.fill("#repeat", "another fine passphrase")
    spanish.get_by_role("button", name="Guardar mi contraseña").click()
    spanish.locator("#link-gone").wait_for()
    assert_accessible(spanish, "a spent reset link in Spanish")
