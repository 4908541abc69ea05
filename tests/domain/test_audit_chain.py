"""The audit log's hash chain: any edit, deletion or reordering is found."""

from __future__ import annotations

from server.domain.audit import GENESIS, ChainedEntry, canonical, entry_hash, verify


def _chain(count=5):
    entries, previous = [], GENESIS
    for i in range(1, count + 1):
        fields = {
            "at": f"2026-03-10T09:0{i}:00+00:00",
            "site_id": 1,
            "user_id": 2,
            "username": None,
            "address": "10.0.0.7",
            "ticket_id": i,
            "action": "call",
            "detail": {"room": "R1", "n": i},
        }
        previous = entry_hash(previous, fields)
        entries.append(ChainedEntry(i, previous, fields))
    return entries


def test_an_untouched_chain_is_intact():
    assert verify(_chain()) is None
    assert verify([]) is None


def test_a_changed_field_is_found():
    entries = _chain()
    edited = {**entries[2].fields, "detail": {"room": "R2", "n": 3}}
    entries[2] = ChainedEntry(3, entries[2].hash, edited)
    assert verify(entries) == 3


def test_a_deleted_entry_is_found_at_the_one_after_it():
    entries = _chain()
    del entries[1]
    assert verify(entries) == 3


def test_reordered_entries_are_found():
    entries = _chain()
    second, third = entries[1], entries[2]
    entries[1] = ChainedEntry(2, third.hash, third.fields)
    entries[2] = ChainedEntry(3, second.hash, second.fields)
    assert verify(entries) == 2


def test_a_rehashed_entry_breaks_the_next_one():
    entries = _chain()
    edited = {**entries[1].fields, "user_id": 9}
    entries[1] = ChainedEntry(2, entry_hash(entries[0].hash, edited), edited)
    assert verify(entries) == 3


def test_the_encoding_does_not_depend_on_key_order_and_keeps_text():
    a = {"action": "login_failed", "username": "zoë", "detail": {"b": 1, "a": 2}}
    b = {"detail": {"a": 2, "b": 1}, "username": "zoë", "action": "login_failed"}
    assert canonical(a) == canonical(b)
    assert "zoë".encode() in canonical(a)
