"""The ledger identities of the platform's parties as onboarding stored them (the store's
``ledger_identities``), read-only: who signs for a customer, a manufacturer, a supplier on the ledger, and
which party id a counterparty has. Never derived from a platform id."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ontology.contract import PartyRole
from store.database import Database


@dataclass(frozen=True)
class StoredIdentity:
    party: str
    """The ledger party, as the ledger allocated it."""
    user_id: str
    """The party's own ledger user."""


class StoreIdentities:
    """:class:`ledger.lifecycle.PartyIdentities` read from the platform's store (``ledger_identities``)."""

    def __init__(self, store: Callable[[], Database]) -> None:
        """``store``: the database to read, resolved on each call (an agent opens its store lazily)."""
        self._store = store

    async def identity(self, role: PartyRole, platform_id: str) -> StoredIdentity | None:
        async with self._store().transaction(flush_acl_log=False) as repos:
            record = await repos.ledger_identities.get(role, platform_id)
        return None if record is None else StoredIdentity(record.ledger_party, record.ledger_user)
