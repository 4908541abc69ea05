"""What a patient does at the kiosk, for the browser tests of more than one file."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

KIOSK_SCREEN = {"viewport": {"width": 1080, "height": 1920}}  # a 1080p portrait touchscreen


def open_kiosk(new_page: Any, live_server: Any, query: str = "", **context: Any) -> Any:
    page = new_page(**{**KIOSK_SCREEN, **context})
    page.goto(live_server.url(f"/kiosk{query}"))
    expect(page.locator("body")).to_have_attribute("data-connection", "online")
    return page


def tap(page: Any, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def type_keys(page: Any, text: str) -> None:
    """Tap the on-screen keys of the screen showing, one character at a time."""
    keys = page.locator(".screen:not([hidden]) .keyboard")
    for character in text:
        keys.locator(f'[data-key="{character}"]').click()


def on_screen(page: Any, screen: str) -> None:
    expect(page.locator("body")).to_have_attribute("data-showing", screen)
