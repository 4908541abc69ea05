"""Browser fixtures: one real server for the session, Chromium driven by Playwright,
and an axe-core check for WCAG 2.2 AA.

Chromium is Debian's (/usr/bin/chromium, installed by .ci/run); Playwright's own browser
download does not work here. axe-core comes from the npm dependency.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.live import SITE, Server, log_in

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("WAITROOM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


class Live:
    """The running demo server: its address, staff password and an API helper."""

    def __init__(self, server: Server, password: str) -> None:
        self.server = server
        self.base = server.base
        self.password = password

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def staff(self) -> requests.Session:
        """An HTTP session logged in as the demo's desk account."""
        return log_in(self.base, self.password)

    def desk_api(self) -> Any:
        """The desk's API for a module, on one login (logins are rate limited per
        address): `desk(path, body, status=200)` posts to /api/sites/<site>/<path> and
        checks the status; `desk.queue()` is the site's queue, `desk.page(path)` a page's
        text as staff see it."""
        session = self.staff()

        def act(path: str, body: dict[str, Any] | None = None, status: int = 200) -> Any:
            response = session.post(self.url(f"/api/sites/{SITE}/{path}"), json=body or {})
            assert response.status_code == status, response.text
            return response.json()

        act.queue = lambda: session.get(self.url(f"/api/sites/{SITE}/queue")).json()  # type: ignore[attr-defined]
        act.page = lambda path: session.get(self.url(path)).text  # type: ignore[attr-defined]
        return act


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """One server for the browser tests of the session (tests must not assume an empty
    queue: use fresh tickets and look for them by number)."""
    server = Server(tmp_path_factory.mktemp("live"), None)
    password = server.demo()
    with server.running():
        yield Live(server, password)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is missing at {CHROMIUM}; .ci/run installs it with apt")
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Opens pages in fresh browser contexts (own cookies and storage), closed after."""
    contexts: list[Any] = []

    def open_page(**context_options: Any) -> Any:
        context = browser.new_context(**context_options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    return new_page()


@functools.cache
def _axe_source() -> str:
    return AXE.read_text() + "\n;void 0"


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core's WCAG 2.2 AA rules on the page as it is now, once it has loaded."""
    # After a form's post the new document's elements can be found before its style
    # sheet applies; axe then measures unstyled links (target-size, seen under load).
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, not added as a <script>: our pages'
        # Content-Security-Policy (script-src 'self') rightly blocks inline scripts.
        page.evaluate(_axe_source())
    # Only the violations come back: the full result (every pass and inapplicable rule,
    # with their nodes) took seconds to serialise, several times axe's own run.
    return page.evaluate(
        """async (tags) => (await axe.run(document, {
            runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
        })).violations""",
        WCAG_22_AA,
    )


def assert_accessible(page: Any, where: str) -> None:
    violations = axe_violations(page)
    summary = [
        {"rule": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in violations
    ]
    assert not violations, f"{where}: axe found {json.dumps(summary, indent=1)}"
