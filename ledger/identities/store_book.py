"""The platform store as the :class:`~ledger.identities.book.IdentityBook` (table ``ledger_identities``).

The one module of ``ledger/`` that knows the store: it converts its records to :class:`LedgerIdentity`."""

from __future__ import annotations

import asyncio

from ledger.identities.identity import LedgerIdentity
from ontology.contract import PartyRole
from store.database import Database
from store.records import LedgerIdentityRecord, NewLedgerIdentity


def _identity(record: LedgerIdentityRecord) -> LedgerIdentity:
    return LedgerIdentity(
        role=record.role,
        platform_id=record.platform_id,
        party=record.ledger_party,
        user_id=record.ledger_user,
        display_name=record.display_name,
    )


class StoreIdentityBook:
    """Identities in the platform's database, each call its own transaction; this process writes them one
    at a time (many onboardings at once would otherwise queue on SQLite's one writer, against its busy
    timeout)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._writing = asyncio.Lock()

    async def find(self, role: PartyRole, platform_id: str) -> LedgerIdentity | None:
        async with self.db.transaction(flush_acl_log=False) as repos:
            record = await repos.ledger_identities.get(role, platform_id)
        return None if record is None else _identity(record)

    async def remember(self, identity: LedgerIdentity, *, actor: str) -> LedgerIdentity:
        new = NewLedgerIdentity(
            role=identity.role,
            platform_id=identity.platform_id,
            ledger_party=identity.party,
            ledger_user=identity.user_id,
            display_name=identity.display_name,
            created_by=actor[:200],
        )
        async with self._writing, self.db.transaction(flush_acl_log=False) as repos:
            record, _ = await repos.ledger_identities.record(new)
        return _identity(record)

    async def all(self, role: PartyRole | None = None) -> list[LedgerIdentity]:
        async with self.db.transaction(flush_acl_log=False) as repos:
            return [_identity(r) for r in await repos.ledger_identities.list_all(role)]
