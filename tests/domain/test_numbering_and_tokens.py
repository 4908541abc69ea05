"""Ticket numbers people read and say; tokens nobody can guess."""

from __future__ import annotations

import base64
import re

from server.domain.queue import (
    TicketNumber,
    new_ticket_token,
    next_ticket_number,
    token_digest,
)


def test_first_ticket_of_the_day_is_number_one():
    assert next_ticket_number(None) == 1


def test_numbers_increment_from_the_last_one_today():
    assert next_ticket_number(1) == 2
    assert next_ticket_number(41) == 42


def test_ticket_number_is_padded_to_three_digits():
    assert str(TicketNumber("B", 17)) == "B-017"
    assert str(TicketNumber("G", 1)) == "G-001"


def test_ticket_number_above_999_is_not_truncated():
    assert str(TicketNumber("B", 1000)) == "B-1000"


def test_spoken_number_has_no_padding_or_dash():
    assert TicketNumber("B", 17).spoken() == "B 17"


def test_token_carries_at_least_128_bits():
    token = new_ticket_token()
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    # token_urlsafe is unpadded base64: 4 characters per 3 bytes.
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert len(raw) * 8 >= 128
    assert len(token) >= 22  # ceil(128 / 6) characters


def test_tokens_are_unique_across_many_draws():
    tokens = {new_ticket_token() for _ in range(10_000)}
    assert len(tokens) == 10_000


def test_digest_is_sha256_hex_and_differs_from_the_token():
    token = new_ticket_token()
    digest = token_digest(token)
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert digest != token
    assert token not in digest


def test_digest_is_stable_and_distinguishes_tokens():
    assert token_digest("abc") == token_digest("abc")
    assert token_digest("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    assert token_digest("abc") != token_digest("abd")
