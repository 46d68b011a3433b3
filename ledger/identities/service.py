"""The identity service: a platform party's ledger identity from the book, onboarded onto the ledger first
when it has none (and an onboarding — the operator's token — is at hand).

    identities = LedgerIdentities(StoreIdentityBook(db), LedgerOnboarding(operator_client), actor="lso run")
    identity = await identities.ensure(PartyRef(role=PartyRole.SUPPLIER, platform_id="SUP-0001"))
    identity.party  # as the ledger allocated it ("supplier-SUP-0001::1220..."), identity.user_id

Onboardings of one party in this process are serialised (a lock per party); across processes the ledger and
the store's unique keys make them meet (see :mod:`ledger.identities.onboarding`). The book is the authority:
once stored, an identity is answered from it without asking the ledger.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from ledger.identities.book import IdentityBook
from ledger.identities.identity import LedgerIdentity, PartyRef
from ledger.identities.onboarding import LedgerOnboarding
from ontology.contract import PartyRole

log = logging.getLogger(__name__)


class NotOnboarded(LookupError):
    """The party has no ledger identity, and this process cannot onboard it (no operator token)."""


class IdentityConflict(Exception):
    """The ledger and the store disagree about a party's ledger identity: nothing changed; for an admin."""


class LedgerIdentities:
    def __init__(
        self, book: IdentityBook, onboarding: LedgerOnboarding | None = None, *, actor: str = "lso"
    ) -> None:
        self.book = book
        self.onboarding = onboarding
        self.actor = actor
        self._locks: dict[tuple[PartyRole, str], asyncio.Lock] = {}

    async def find(self, role: PartyRole, platform_id: str) -> LedgerIdentity | None:
        return await self.book.find(role, platform_id)

    async def ensure(self, who: PartyRef) -> LedgerIdentity:
        """The ledger identity of ``who``: stored, or onboarded now and stored."""
        stored = await self.book.find(who.role, who.platform_id)
        if stored is not None:
            return stored
        if self.onboarding is None:
            raise NotOnboarded(
                f"{who.label} has no ledger identity yet, and this process holds no operator token to "
                "onboard it (`lso ledger onboard`, or LSO_LEDGER_OPERATOR_TOKEN)"
            )
        lock = self._locks.setdefault((who.role, who.platform_id), asyncio.Lock())
        async with lock:
            stored = await self.book.find(who.role, who.platform_id)
            if stored is not None:
                return stored
            onboarded = await self.onboarding.onboard(who)
            kept = await self.book.remember(onboarded, actor=self.actor)
        if not kept.same_as(onboarded):
            log.error(
                "the store says %s signs as %s (user %s), the ledger as %s (user %s): left as stored",
                who.label,
                kept.party,
                kept.user_id,
                onboarded.party,
                onboarded.user_id,
            )
            raise IdentityConflict(
                f"{who.label}: the store holds party {kept.party} (user {kept.user_id}), the ledger answered "
                f"{onboarded.party} (user {onboarded.user_id})"
            )
        return kept

    async def ensure_all(self, parties: Iterable[PartyRef], *, concurrency: int = 8) -> list[LedgerIdentity]:
        """:meth:`ensure` for each party, ``concurrency`` at a time; the identities in the given order. The
        stored ones are read at once (one query), so a platform that starts again asks the ledger nothing."""
        gate = asyncio.Semaphore(max(concurrency, 1))
        stored = {(i.role, i.platform_id): i for i in await self.book.all()}

        async def one(who: PartyRef) -> LedgerIdentity:
            known = stored.get((who.role, who.platform_id))
            if known is not None:
                return known
            async with gate:
                return await self.ensure(who)

        return list(await asyncio.gather(*(one(who) for who in parties)))
