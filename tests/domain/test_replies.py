"""Reading a patient's reply to our texts: keywords in every shipped language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.domain.replies import (
    CONFIRM_WITHIN,
    KEYWORDS,
    SHOWN_TO_DESK,
    Keyword,
    confirms_leaving,
    for_the_desk,
    keywords_in,
    normalised,
    read_reply,
)

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("STATUS", Keyword.STATUS),
        ("s", Keyword.STATUS),
        ("  Status. ", Keyword.STATUS),
        ("leave", Keyword.LEAVE),
        ("R", Keyword.LEAVE),
        ("Yes!", Keyword.YES),
        ("stop", Keyword.STOP),
        ("CANCEL", Keyword.STOP),  # Twilio stops texts to a number that sent it
        ("help?", Keyword.HELP),
        ("Running late", Keyword.LATE),
        ("I'm late", Keyword.LATE),
        ("estado", Keyword.STATUS),
        ("Salir", Keyword.LEAVE),
        ("sí", Keyword.YES),
        ("SI", Keyword.YES),
        ("parar", Keyword.STOP),
        ("ayuda", Keyword.HELP),
        ("llego tarde", Keyword.LATE),
        ("oui", Keyword.YES),
        ("arrêt", Keyword.STOP),
        ("wyjdz", Keyword.LEAVE),
        ("spóźnię się", Keyword.LATE),
        ("trang thai", Keyword.STATUS),
        ("Trạng thái", Keyword.STATUS),
        ("đến trễ", Keyword.LATE),
        ("状态", Keyword.STATUS),
        ("离开。", Keyword.LEAVE),
        ("نعم", Keyword.YES),
        ("إيقاف", Keyword.STOP),
        ("Where is room 3?", Keyword.OTHER),
        ("", Keyword.OTHER),
        ("stop it now", Keyword.OTHER),
    ],
)
def test_a_reply_is_read_as_one_keyword(text, keyword):
    assert read_reply(text) is keyword


def test_every_shipped_language_has_every_keyword_and_no_word_means_two_things():
    meanings: dict[str, Keyword] = {}
    for language, words in KEYWORDS.items():
        assert set(words) == set(KEYWORDS["en"]), language
        for keyword, forms in words.items():
            for form in forms:
                assert meanings.setdefault(normalised(form), keyword) is keyword, form
    assert set(KEYWORDS) == {"en", "es", "fr", "pt", "pl", "vi", "zh", "ar"}


def test_help_names_the_keywords_of_the_patients_language():
    assert keywords_in("es")[Keyword.LEAVE] == "SALIR"
    assert keywords_in("en")[Keyword.YES] == "YES"
    assert keywords_in("xx")[Keyword.STOP] == "STOP"


def test_yes_confirms_leaving_only_soon_after_we_asked():
    assert confirms_leaving(NOW - timedelta(minutes=1), NOW)
    assert not confirms_leaving(NOW - CONFIRM_WITHIN - timedelta(seconds=1), NOW)
    assert not confirms_leaving(None, NOW)


def test_the_desk_sees_one_short_line():
    assert for_the_desk("Where\nis\x07 room 3?") == "Where is room 3?"
    long = for_the_desk("a" * 500)
    assert len(long) == SHOWN_TO_DESK and long.endswith("…")
