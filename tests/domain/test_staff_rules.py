"""The pure rules of staff accounts and screen pairing (server/domain/staff.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.domain.staff import (
    PAIRING_ALPHABET,
    BadRole,
    Role,
    WeakPassword,
    check_new_password,
    normalise_pairing_code,
    pairing_code_live,
    role_of,
)

COMMON = frozenset({"correcthorse1", "letmein12345"})


def test_roles_are_an_enum_that_names_every_choice_in_its_refusal():
    assert role_of("admin") is Role.ADMIN
    with pytest.raises(BadRole, match="staff, manager, admin"):
        role_of("chief")


@pytest.mark.parametrize(
    "password",
    ["elevenchars", "LetMeIn12345", "ana's own password", "abababababababab", "x" * 257],
)
def test_weak_passwords_are_refused(password):
    with pytest.raises(WeakPassword):
        check_new_password(password, username="ana", common=COMMON)


@pytest.mark.parametrize("password", ["twelve chars", "lowercase only words", "ñandú cántaro"])
def test_no_composition_rule_beyond_length_and_the_list(password):
    check_new_password(password, username="ana", common=COMMON)


def test_pairing_codes_avoid_characters_read_wrongly_and_tolerate_typing():
    assert not set(PAIRING_ALPHABET) & set("0O1IL")
    assert normalise_pairing_code(" ab3-k9x ") == "AB3K9X"


def test_a_pairing_code_lives_ten_minutes():
    made = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    assert pairing_code_live(made, made + timedelta(minutes=9, seconds=59))
    assert not pairing_code_live(made, made + timedelta(minutes=10))
