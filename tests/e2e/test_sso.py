"""Hospital sign-in in Chromium: the desk's login page, the identity provider's own form
(oidc-provider-mock, a real OpenID Connect provider on a local port), and back to the
desk signed in. The server runs with local passwords off, so the page offers only the
provider; axe checks it in both languages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from oidc_provider_mock import run_server_in_thread
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.live import Server

# The test provider (its authlib server side, in this process) still uses an authlib
# call that authlib 1.9 warns about; nothing of Waitroom's does.
pytestmark = pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning")

SITE = "riverside"  # the demo's site


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def sso_server(tmp_path_factory: pytest.TempPathFactory, provider: str) -> Iterator[Server]:
    server = Server(tmp_path_factory.mktemp("sso"), None)
    server.env.update(
        OIDC_ISSUER=provider,
        OIDC_CLIENT_ID="waitroom-desk",
        OIDC_CLIENT_SECRET="not-checked-by-the-test-provider",
        OIDC_PROVIDER_NAME="Riverside Health",
        OIDC_ROLE_MAP=json.dumps({"clinic-desk": [[SITE, "staff"]]}),
        LOCAL_PASSWORDS="off",
    )
    server.demo()
    with server.running():
        yield server


def test_sign_in_through_the_provider_reaches_the_desk(
    new_page: Any, sso_server: Server, provider: str
) -> None:
    claims = {"preferred_username": "nurse.ana", "groups": ["clinic-desk"]}
    assert requests.put(f"{provider}/users/u-ana", json=claims, timeout=5).status_code == 204
    page = new_page()
    page.goto(f"{sso_server.base}/desk")
    expect(page).to_have_url(re.compile(r"/desk/login\?next="))
    expect(page.locator("#password")).to_have_count(0)  # local passwords are off
    assert_accessible(page, "desk login with hospital sign-in only")

    page.get_by_role("link", name="Sign in with Riverside Health").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(provider)}/oauth2/authorize"))
    page.fill("input[name=sub]", "u-ana")
    page.get_by_role("button", name="Authorize").click()

    expect(page).to_have_url(f"{sso_server.base}/desk")
    expect(page.locator("#room option")).to_have_count(6)
    expect(page.get_by_text("nurse.ana")).to_be_visible()


def test_the_login_page_with_the_provider_is_accessible_in_spanish(
    new_page: Any, sso_server: Server
) -> None:
    page = new_page(locale="es-ES")
    page.goto(f"{sso_server.base}/desk/login?lang=es")
    expect(page.get_by_role("link", name="Iniciar sesión con Riverside Health")).to_be_visible()
    assert_accessible(page, "desk login with hospital sign-in, in Spanish")
