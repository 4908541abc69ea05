"""Delay notices: the site's list of reasons, the note, and one notice per place."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.domain.errors import BadInput
from server.domain.notices import (
    NOTE_MAX_LENGTH,
    DelayReasonWords,
    NoticePlace,
    UnknownDelayReason,
    notice_to_update,
    notice_words,
)
from server.sites.schema import SiteFileError, parse_site_file, parse_site_text

DEMO_SITE = Path(__file__).parents[2] / "server" / "sites" / "demo" / "site.toml"
EMERGENCY = DelayReasonWords(
    "emergency",
    {"en": "The doctor was called to an emergency", "es": "El médico atiende una urgencia"},
)
BEHIND = DelayReasonWords("running-behind", {"en": "We are running behind", "es": "Vamos tarde"})
REASONS = [EMERGENCY, BEHIND]


# --- The reason and the note --------------------------------------------------------


def test_a_reason_is_picked_from_the_list_by_its_code():
    words = notice_words(REASONS, "running-behind", None)
    assert words.reason == BEHIND
    assert words.note is None


def test_an_unknown_reason_code_is_refused_as_bad_input():
    with pytest.raises(UnknownDelayReason) as caught:
        notice_words(REASONS, "alien-invasion", "Sorry")
    assert caught.value.status == 422
    assert caught.value.code == "unknown_delay_reason"
    assert "alien-invasion" in caught.value.message


def test_a_note_alone_is_a_notice_and_a_blank_one_is_none():
    assert (
        notice_words(REASONS, None, "  Dr Patel is in theatre  ").note == "Dr Patel is in theatre"
    )
    assert notice_words(REASONS, "emergency", "   ").note is None


def test_a_notice_with_neither_reason_nor_note_is_refused():
    with pytest.raises(BadInput):
        notice_words(REASONS, None, "  ")


@pytest.mark.parametrize("note", ["x" * (NOTE_MAX_LENGTH + 1), "late\x00", "two\nlines", "\x1b[2J"])
def test_a_long_note_or_one_with_control_characters_is_refused(note):
    with pytest.raises(BadInput) as caught:
        notice_words(REASONS, "emergency", note)
    assert caught.value.message.startswith("note:")


def test_the_one_line_summary_is_the_first_languages_reason_and_the_quoted_note():
    assert notice_words(REASONS, "emergency", "Dr Patel").summary(["es", "en"]) == (
        'El médico atiende una urgencia. "Dr Patel"'
    )
    assert notice_words(REASONS, None, "Fire drill").summary(["en"]) == "Fire drill"
    assert notice_words(REASONS, "emergency", None).summary(["en"]) == EMERGENCY.names["en"]


# --- One notice per place -------------------------------------------------------------


def test_a_notice_for_a_place_that_has_one_updates_it():
    active = [
        (1, NoticePlace("site")),
        (2, NoticePlace("service", service_id=7)),
        (3, NoticePlace("room", room_id=4)),
    ]
    assert notice_to_update(active, NoticePlace("service", service_id=7)) == 2
    assert notice_to_update(active, NoticePlace("site")) == 1
    assert notice_to_update(active, NoticePlace("room", room_id=4)) == 3


def test_a_notice_for_another_place_is_a_new_one():
    active = [(2, NoticePlace("service", service_id=7)), (3, NoticePlace("room", room_id=4))]
    assert notice_to_update(active, NoticePlace("service", service_id=8)) is None
    assert notice_to_update(active, NoticePlace("room", room_id=7)) is None
    assert notice_to_update(active, NoticePlace("site")) is None
    assert notice_to_update([], NoticePlace("site")) is None


# --- The site file's list -------------------------------------------------------------

SITE = """\
[site]
slug = "test"
name = "Test clinic"
timezone = "Europe/London"
languages = ["en", "es"]

[[services]]
code = "general"
prefix = "G"
typical_minutes = 15
name = { en = "General", es = "Medicina general" }

[[rooms]]
code = "room-1"
name = { en = "Room 1", es = "Consulta 1" }
services = ["G"]

[[delay_reasons]]
code = "emergency"
name = { en = "The doctor was called to an emergency", es = "El médico atiende una urgencia" }

[[delay_reasons]]
code = "cleaning"
name = { en = "A room is closed for cleaning", es = "Una consulta se está limpiando" }
"""


def refusal(text):
    with pytest.raises(SiteFileError) as caught:
        parse_site_text(text, source="test.toml")
    return str(caught.value)


def test_the_site_file_lists_reasons_with_their_words_in_each_language():
    site = parse_site_text(SITE)
    assert [r.code for r in site.delay_reasons] == ["emergency", "cleaning"]
    assert site.delay_reasons[1].name["es"] == "Una consulta se está limpiando"


def test_a_reason_without_a_sites_language_is_refused_by_key_and_line():
    text = SITE.replace(', es = "Una consulta se está limpiando"', "")
    assert "delay_reasons[1].name (line 24): no translation for es" in refusal(text)


def test_a_reason_code_used_twice_is_refused_naming_both():
    text = SITE.replace('code = "cleaning"', 'code = "emergency"')
    assert (
        "delay_reasons[1].code (line 23): reason code 'emergency' is used twice"
        " (also delay_reasons[0].code)"
    ) in refusal(text)


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('code = "cleaning"', 'code = "Cleaning!"', "delay_reasons[1].code (line 23)"),
        (
            'es = "Una consulta se está limpiando"',
            'es = "Una consulta\\u0000"',
            "delay_reasons[1].name (line 24)",
        ),
        ('es = "Una consulta se está limpiando"', 'es = ""', "delay_reasons[1].name.es"),
    ],
)
def test_a_bad_code_or_words_are_refused_like_the_rest_of_the_file(old, new, key):
    assert key in refusal(SITE.replace(old, new))


def test_a_site_may_list_no_reasons():
    text = SITE[: SITE.index("[[delay_reasons]]")]
    assert parse_site_text(text).delay_reasons == []


def test_the_demo_site_lists_the_usual_reasons_in_each_of_its_languages():
    site = parse_site_file(DEMO_SITE)
    reasons = site.delay_reasons
    assert {"emergency", "running-behind", "room-cleaning"} <= {r.code for r in reasons}
    assert len(site.site.languages) == 8
    assert all(set(r.name) == set(site.site.languages) for r in reasons)
