"""Where onboarded identities are kept: the Protocol the identity service needs (the platform's store
implements it in :mod:`ledger.identities.store_book`; :class:`MemoryIdentityBook` keeps them in memory)."""

from __future__ import annotations

from typing import Protocol

from ledger.identities.identity import LedgerIdentity
from ontology.contract import PartyRole


class IdentityBook(Protocol):
    async def find(self, role: PartyRole, platform_id: str) -> LedgerIdentity | None:
        """The stored identity of a platform party, if it was onboarded."""
        ...

    async def remember(self, identity: LedgerIdentity, *, actor: str) -> LedgerIdentity:
        """Store ``identity`` unless one is stored for that party (or that ledger user) already; the stored
        one (the first wins: two racing writers end with one)."""
        ...

    async def all(self, role: PartyRole | None = None) -> list[LedgerIdentity]: ...


class MemoryIdentityBook:
    """Identities in memory (tests, tools): the first remembered identity of a party or a user wins."""

    def __init__(self) -> None:
        self._by_party: dict[tuple[PartyRole, str], LedgerIdentity] = {}

    async def find(self, role: PartyRole, platform_id: str) -> LedgerIdentity | None:
        return self._by_party.get((role, platform_id))

    async def remember(self, identity: LedgerIdentity, *, actor: str) -> LedgerIdentity:
        for known in self._by_party.values():
            if known.user_id == identity.user_id:
                return known
        return self._by_party.setdefault((identity.role, identity.platform_id), identity)

    async def all(self, role: PartyRole | None = None) -> list[LedgerIdentity]:
        found = [i for i in self._by_party.values() if role is None or i.role == role]
        return sorted(found, key=lambda i: (i.role, i.platform_id))
