"""The audit log's hash chain: each entry's hash covers its own content and the hash
of the entry before it (in id order), so editing, deleting or reordering an entry
breaks every hash after it. Pure: the storage layer hands in plain values."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# The previous hash of the first entry.
GENESIS = "0" * 64
# What an entry's hash covers, besides the previous hash.
FIELDS = ("at", "site_id", "user_id", "username", "address", "ticket_id", "action", "detail")


def canonical(fields: Mapping[str, Any]) -> bytes:
    """One byte string per content: the FIELDS only, keys sorted, no spaces, UTF-8.
    `at` is given as an ISO 8601 string in UTC; `detail` is plain JSON."""
    content = {name: fields.get(name) for name in FIELDS}
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(previous_hash: str, fields: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of the previous entry's hash and this entry's content."""
    return hashlib.sha256(previous_hash.encode() + b"\n" + canonical(fields)).hexdigest()


@dataclass(frozen=True)
class ChainedEntry:
    id: int
    hash: str
    fields: Mapping[str, Any]


@dataclass
class ChainCheck:
    """Verify a chain entry by entry (entries in id order), without holding them all."""

    previous: str = GENESIS
    count: int = 0
    broken: int | None = None

    def add(self, entry: ChainedEntry) -> bool:
        """False from the first entry that does not match on."""
        if self.broken is None and entry_hash(self.previous, entry.fields) != entry.hash:
            self.broken = entry.id
        self.previous = entry.hash
        self.count += 1
        return self.broken is None


def verify(entries: Iterable[ChainedEntry]) -> int | None:
    """The id of the first entry whose hash does not match, or None if all do."""
    check = ChainCheck()
    for entry in entries:
        if not check.add(entry):
            break
    return check.broken
