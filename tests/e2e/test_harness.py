"""The browser harness itself: axe-core must be able to fail, or its passes mean nothing."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_accessible, axe_violations


def test_axe_flags_a_page_that_breaks_wcag(page):
    page.set_content('<html lang="en"><body><img src="x.png"><button></button></body></html>')
    rules = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "button-name"} <= rules
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page, "a broken page")


def test_axe_passes_a_plain_accessible_page(page):
    page.set_content(
        '<html lang="en"><head><title>Fine</title></head>'
        "<body><main><h1>Fine</h1><p>Nothing wrong here.</p></main></body></html>"
    )
    assert_accessible(page, "a plain page")
