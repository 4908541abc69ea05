"""Today's interpreter requests per language, counted from the tickets that asked."""

from __future__ import annotations

from server.domain.needs import requests_per_language


def test_requests_are_counted_per_language_most_asked_first():
    asked = [("ar", True), ("es", False), ("ar", False), ("es", True), ("ar", True), ("pl", True)]

    assert requests_per_language(asked) == [
        {"language": "ar", "today": 3, "open": 2},
        {"language": "es", "today": 2, "open": 1},
        {"language": "pl", "today": 1, "open": 1},
    ]


def test_languages_asked_as_often_are_in_the_order_of_their_codes():
    assert [r["language"] for r in requests_per_language([("vi", False), ("fr", False)])] == [
        "fr",
        "vi",
    ]


def test_no_requests_is_an_empty_list():
    assert requests_per_language([]) == []
