"""The hash chain of the transaction log: ``hash = sha256(prev_hash + canonical JSON of tx.body())``, genesis
prev_hash ``"0" * 64``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from ledger.engine.model import Contract
from ledger.engine.storage import canonical_json

GENESIS_HASH = "0" * 64


class ChainBroken(Exception):
    """The stored log (or the active contract set derived from it) does not verify: an entry was altered,
    removed or reordered, or a contract row differs from what the log says."""


def chain_hash(prev_hash: str, body: dict[str, Any]) -> str:
    """``sha256(prev_hash + canonical JSON of body)`` as hex."""
    return hashlib.sha256((prev_hash + canonical_json(body)).encode()).hexdigest()


_MODULUS = 2**256


def contract_digest(contract: Contract) -> int:
    """sha256 of what defines an active contract (id, template, arguments, parties, creation)."""
    row = {
        "contract_id": contract.contract_id,
        "template_id": str(contract.template_id),
        "payload": contract.payload,
        "signatories": list(contract.signatories),
        "observers": list(contract.observers),
        "created_offset": contract.created_offset,
        "created_at": contract.created_at,
    }
    return int(hashlib.sha256(canonical_json(row).encode()).hexdigest(), 16)


def acs_digest(contracts: Iterable[Contract]) -> str:
    """The active contract set's digest: the sum of its contracts' digests modulo 2**256 (so a transaction
    updates it by adding its creates and subtracting its archives), as 64 hex digits."""
    return f"{sum(contract_digest(c) for c in contracts) % _MODULUS:064x}"


def next_acs_digest(previous: str, created: Iterable[Contract], archived: Iterable[Contract]) -> str:
    total = (
        int(previous, 16)
        + sum(contract_digest(c) for c in created)
        - sum(contract_digest(c) for c in archived)
    )
    return f"{total % _MODULUS:064x}"


def check_entry(expected_offset: int, prev: str, row: tuple[int, str, str, str]) -> dict[str, Any]:
    """Check one stored entry ``(offset, body, prev_hash, hash)`` that should sit at ``expected_offset`` after
    an entry hashed ``prev``; returns its parsed body. Raises :class:`ChainBroken`."""
    offset, body, prev_hash, hash_ = row
    if offset != expected_offset:
        raise ChainBroken(f"log entry {expected_offset} missing (found offset {offset})")
    if prev_hash != prev:
        raise ChainBroken(f"log entry {offset} does not follow entry {offset - 1}")
    parsed: dict[str, Any] = json.loads(body)
    if chain_hash(prev_hash, parsed) != hash_ or parsed.get("offset") != offset:
        raise ChainBroken(f"log entry {offset} was altered")
    return parsed


def check_head(count: int, last_rows: list[tuple[int, str, str, str]]) -> tuple[int, str]:
    """The cheap check at open: offsets 1..count (the newest is ``count``), the newest entry hashes right and
    follows the one before it. Returns ``(ledger end, head hash)``."""
    if count == 0:
        if last_rows:
            raise ChainBroken("the log has entries but counts none")
        return 0, GENESIS_HASH
    newest = last_rows[0]
    if newest[0] != count:
        raise ChainBroken(f"the log holds {count} entries but its newest is at offset {newest[0]}")
    if len(last_rows) > 1:
        previous = last_rows[1]
        check_entry(previous[0], previous[2], previous)
        check_entry(count, previous[3], newest)
    else:
        check_entry(1, GENESIS_HASH, newest)
    return count, newest[3]
