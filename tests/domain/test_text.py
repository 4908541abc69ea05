"""The text rule: one-line fields take no control character; free text takes newline and tab."""

from __future__ import annotations

import pytest

from server.domain.errors import BadInput
from server.domain.text import check_line, check_text, find_control


@pytest.mark.parametrize("value", ["Okafor", "Ñúñez-O'Brien", "Room 3", "", "日本"])
def test_ordinary_text_is_kept_as_it_is(value):
    assert check_line(value, field="name") == value
    assert check_text(value, field="note") == value


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\n", "\t", "\r"])
def test_a_one_line_field_refuses_every_control_character(char):
    with pytest.raises(BadInput) as refused:
        check_line(f"Ann{char}", field="last_name")

    assert refused.value.status == 400
    assert refused.value.code == "invalid_input"
    assert refused.value.message.startswith("last_name:")


def test_free_text_allows_newline_and_tab_only():
    assert check_text("line one\n\tline two", field="note") == "line one\n\tline two"
    for char in ("\x00", "\r", "\x1b"):
        with pytest.raises(BadInput):
            check_text(f"a{char}b", field="note")


def test_a_lone_surrogate_is_refused():
    with pytest.raises(BadInput):
        check_line("a\ud800", field="code")


def test_too_long_is_refused_only_when_a_limit_is_given():
    assert check_line("x" * 500, field="name") == "x" * 500
    with pytest.raises(BadInput, match="at most 64"):
        check_line("x" * 65, field="name", max_length=64)


def test_find_control_says_where():
    assert find_control("ab\x00c") == 2
    assert find_control("abc") is None
    assert find_control("a\nb", allowed=frozenset("\n")) is None
