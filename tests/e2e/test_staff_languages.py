"""The staff's pages in every shipped language, checked with axe-core.

The staff pages' own tests run in English and Spanish (test_desk, test_admin,
test_feedback, test_reports_page, test_staff_admin); this file covers the other
languages the server ships, Arabic right to left among them. One login serves them
all; each language is one page that visits every staff screen in turn.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from server.i18n import LANGUAGES, text_direction
from tests.e2e.conftest import assert_accessible
from tests.e2e.live import SITE
from tests.e2e.test_admin import PAGES as ADMIN_PAGES
from tests.e2e.test_desk import _form_login

COVERED_ELSEWHERE = {"en", "es"}
OTHER_LANGUAGES = sorted(set(LANGUAGES) - COVERED_ELSEWHERE)
STAFF_PAGES = [
    f"/desk?room=room-1&site={SITE}",
    f"/feedback/inbox?site={SITE}",
    f"/reports?site={SITE}&range=7",
    "/admin/staff",
    "/admin/devices",
    *(f"/admin/{SITE}{path}" for path in ADMIN_PAGES),
]


@pytest.fixture(scope="module")
def staff_login(browser, live_server):
    return _form_login(browser, live_server)  # the demo's "desk" is an administrator


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_staff_page_is_accessible(new_page, live_server, staff_login, language):
    login = new_page(locale=language)
    login.goto(live_server.url(f"/desk/login?lang={language}"))
    assert_accessible(login, f"login ({language})")
    page = new_page(storage_state=staff_login, locale=language)
    for path in STAFF_PAGES:
        joiner = "&" if "?" in path else "?"
        page.goto(live_server.url(f"{path}{joiner}lang={language}"))
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("html")).to_have_attribute("dir", text_direction(language))
        if path.startswith("/desk"):
            expect(page.locator("#waiting-count")).to_have_text(re.compile(r"^\(\d+\)$"))
        if path.startswith("/reports"):
            expect(page.locator("[data-drawn=true]").first).to_be_attached()
        assert_accessible(page, f"{path} ({language})")
